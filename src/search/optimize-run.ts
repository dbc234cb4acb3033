/**
 * `runOptimize(spec)`: everything `descent optimize` does, as a library call: one optimizer (a torch.optim rule,
 * a line-search or second-order method, or torch's LBFGS) on one test function, in float64; the run, a summary
 * for people (`optimizeSummary`) and its figure (`optimizePlotSvg`, with the plot functions passed in).
 */
import { inputError, unknownName } from '../errors.js';
import { makeObjective, type Objective, type ObjectiveSpec } from '../objectives/index.js';
import { optimizers, isOptimizerName, type HyperValue } from '../optim/index.js';
import type { ScheduleSpec } from '../schedule/index.js';
import { runFirstOrder } from './run-first-order.js';
import { optimizeSearchMethods } from './optimize-adapter.js';
import { lbfgsTorchFlagDefaults, runLbfgsTorch } from './lbfgs-torch-run.js';

/** What `optimize` prints with --json (the contract's object). */
export interface OptimizeResult {
  path: number[][];
  values: number[];
  evaluations: number;
  converged: boolean;
  /** Why a line-search or second-order method stopped (gtol, max-iterations, line-search-failed). */
  reason?: string;
  /** Present when a long path (any method) was thinned to MAX_PATH_POINTS (PathThinning: stride, kept, the step of each point). */
  pathThinned?: { stride: number; kept: number; steps: number[] };
}

/**
 * Points of a path kept whole for the output and plots, for every method (first-order, line-search,
 * second-order, lbfgs-torch); a longer run keeps every stride-th iterate (the stride doubling as needed)
 * and the last one, and says so in `pathThinned`, so `--steps 1e9` runs in bounded memory (about 100
 * bytes a point in 2 dimensions). The rule: src/search/path-thinning.ts.
 */
export const MAX_PATH_POINTS = 10_000;

/**
 * A line-search or second-order method (gd-backtracking, newton, bfgs, lbfgs) as `optimize` calls it.
 * `defaults` gives its hyperparameters (and so its flags); `minimize` stops at max|∇f| ≤ gtol or after `steps`.
 */
export interface SearchMethod {
  readonly defaults: Readonly<Record<string, HyperValue | string>>;
  /** Runs the method from x0 for at most `steps` iterations. */
  minimize(objective: Objective, x0: number[], options: Record<string, unknown>, steps: number, maxPathPoints?: number): OptimizeResult & { thinned?: OptimizeResult['pathThinned'] };
}

/**
 * The line-search and second-order methods by name, as `optimize` runs them: any name found here goes to its
 * `minimize`; the CLI adds their hyperparameter flags and lists their names with the first-order ones in
 * unknown-name errors.
 */
export const optimizeMethods: Record<string, SearchMethod> = {
  ...optimizeSearchMethods,
  // torch.optim.LBFGS: `steps` calls of step(closure), reported as the first-order runs are (src/search/lbfgs-torch-run.ts)
  'lbfgs-torch': { defaults: lbfgsTorchFlagDefaults, minimize: runLbfgsTorch },
};

/** A parsed optimize run, from --spec or from flags. */
export interface OptimizeSpec {
  function: ObjectiveSpec;
  x0: number[];
  optimizer: { name: string } & Record<string, unknown>;
  steps: number;
  schedule?: ScheduleSpec;
}

/** Steps of a run when the spec gives none. */
export const DEFAULT_OPTIMIZE_STEPS = 100;

/** Every optimizer name optimize knows: first-order, then search methods. */
export function optimizeMethodNames(): string[] {
  return [...Object.keys(optimizers), ...Object.keys(optimizeMethods)];
}

/** Validates a spec object's shape (the values are validated where they are used). */
export function checkSpec(raw: unknown, where = 'spec'): OptimizeSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw inputError(`${where}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  const known = ['function', 'x0', 'optimizer', 'steps', 'schedule'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw inputError(`${where}: unknown field '${k}'; expected one of: ${known.join(', ')}`);
  const fn = o.function;
  if (typeof fn !== 'string' && (fn === null || typeof fn !== 'object' || typeof (fn as { name?: unknown }).name !== 'string')) {
    throw inputError(`${where}: function: expected a name or an object with a "name" field`);
  }
  const x0 = o.x0;
  if (!Array.isArray(x0) || x0.length === 0 || x0.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw inputError(`${where}: x0: expected a non-empty list of finite numbers`);
  }
  let opt = o.optimizer;
  if (typeof opt === 'string') opt = { name: opt };
  if (opt === null || typeof opt !== 'object' || typeof (opt as { name?: unknown }).name !== 'string') {
    throw inputError(`${where}: optimizer: expected an object with a "name" field`);
  }
  const steps = o.steps === undefined ? DEFAULT_OPTIMIZE_STEPS : o.steps;
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 0) throw inputError(`${where}: steps: expected an integer >= 0`);
  const schedule = o.schedule;
  if (schedule !== undefined && (schedule === null || typeof schedule !== 'object' || typeof (schedule as { name?: unknown }).name !== 'string')) {
    throw inputError(`${where}: schedule: expected an object with a "name" field`);
  }
  return {
    function: fn as ObjectiveSpec,
    x0: x0 as number[],
    optimizer: opt as OptimizeSpec['optimizer'],
    steps,
    schedule: schedule as ScheduleSpec | undefined,
  };
}

/** Runs a spec: first-order through runFirstOrder, search methods through their `minimize`. */
export function runOptimize(spec: OptimizeSpec): OptimizeResult & { objective: Objective } {
  const objective = makeObjective(spec.function, spec.x0.length);
  const { name, ...options } = spec.optimizer;
  if (isOptimizerName(name)) {
    const r = runFirstOrder({ objective, x0: spec.x0, optimizer: name, options, steps: spec.steps, schedule: spec.schedule, maxPathPoints: MAX_PATH_POINTS });
    return { path: r.path, values: r.values, evaluations: r.evaluations, converged: r.converged, objective, ...(r.thinned ? { pathThinned: r.thinned } : {}) };
  }
  if (Object.prototype.hasOwnProperty.call(optimizeMethods, name)) {
    if (spec.schedule !== undefined) throw inputError(`schedule: not used by '${name}' (learning-rate schedules apply to first-order optimizers)`);
    const { thinned, ...r } = optimizeMethods[name].minimize(objective, spec.x0, options, spec.steps, MAX_PATH_POINTS);
    return { ...r, objective, ...(thinned ? { pathThinned: thinned } : {}) };
  }
  throw unknownName('optimizer', name, optimizeMethodNames());
}

/** A one-paragraph summary for people. */
export function optimizeSummary(spec: OptimizeSpec, r: OptimizeResult, objective: Objective): string {
  const last = r.path[r.path.length - 1];
  const g = new Float64Array(last.length);
  objective.valueAndGrad(Float64Array.from(last), g);
  let gmax = 0;
  for (const v of g) gmax = Math.max(gmax, Math.abs(v));
  const fmt = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? String(+x.toPrecision(6)) : x.toExponential(4));
  const lines = [
    `${spec.optimizer.name} on ${objective.name} (n = ${objective.n}), ${r.pathThinned ? r.pathThinned.steps[r.pathThinned.steps.length - 1] : r.path.length - 1} steps, ${r.evaluations} evaluations`,
    `  f: ${fmt(r.values[0])} -> ${fmt(r.values[r.values.length - 1])}`,
    `  x: [${last.map(fmt).join(', ')}]`,
    `  max |grad|: ${fmt(gmax)} (${r.converged ? 'converged' : 'not converged'}: the test is max |grad| <= ${typeof spec.optimizer.gtol === 'number' ? spec.optimizer.gtol : 1e-6})`,
  ];
  if (r.reason !== undefined) lines.push(`  stopped: ${r.reason}`);
  if (r.pathThinned) lines.push(`  path: ${r.pathThinned.kept} of the iterates kept (every ${r.pathThinned.stride}th step and the last; over ${MAX_PATH_POINTS} points are thinned)`);
  if (objective.minimum && objective.minimumValue !== undefined) {
    lines.push(`  known minimum: f = ${fmt(objective.minimumValue)} at [${objective.minimum.map(fmt).join(', ')}]`);
  }
  return lines.join('\n') + '\n';
}

/** The plot functions optimize uses from src/viz (pure: numbers in, SVG text out). */
export interface VizModule {
  /** A 2-D function's contours with paths over them. */
  contourPlotSvg(o: { f: (x: number, y: number) => number; xDomain: [number, number]; yDomain: [number, number]; paths: { label: string; points: number[][]; color?: string }[]; minimum?: number[]; title?: string }): string;
  /** Series against a shared x axis. */
  lineChartSvg(o: { series: { label: string; x: number[]; y: number[]; color?: string }[]; xLabel: string; yLabel: string; logY?: boolean; title?: string }): string;
  /** A 1-D function's curve with points on it. */
  functionPlotSvg(o: { f: (x: number) => number; domain: [number, number]; points: number[]; title?: string; color?: string }): string;
  /** The optimizer's colour, the same as in compare's reports and the playground. */
  optimizerColor(variant: string): string;
  /** The colour key of an optimizer and its options (sgd with momentum, nesterov, ...). */
  optimizerVariant(name: string, options?: Readonly<Record<string, unknown>>): string;
}

/** A view box holding the objective's domain and the whole path, with a margin. */
function box(lo0: number, hi0: number, xs: number[]): [number, number] {
  let lo = lo0, hi = hi0;
  for (const x of xs) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  const pad = (hi - lo) * 0.05 || 1;
  return [lo - (lo < lo0 ? pad : 0), hi + (hi > hi0 ? pad : 0)];
}

/** SVG of a run: 2-D path on contours, 1-D curve with iterates, n-D f against step. */
export function optimizePlotSvg(viz: VizModule, spec: OptimizeSpec, r: OptimizeResult, objective: Objective): string {
  const title = `${spec.optimizer.name} on ${objective.name}`;
  const n = objective.n;
  const color = viz.optimizerColor(viz.optimizerVariant(spec.optimizer.name, spec.optimizer as Readonly<Record<string, unknown>>));
  if (n === 2) {
    const d = objective.domain ?? [[-3, 3], [-3, 3]];
    const x = new Float64Array(2);
    return viz.contourPlotSvg({
      f: (a, b) => { x[0] = a; x[1] = b; return objective.value(x); },
      xDomain: box(d[0][0], d[0][1], r.path.map((p) => p[0])),
      yDomain: box(d[1][0], d[1][1], r.path.map((p) => p[1])),
      paths: [{ label: spec.optimizer.name, points: r.path, color }],
      minimum: objective.minimum,
      title,
    });
  }
  if (n === 1) {
    const d = objective.domain ?? [[-10, 10]];
    const x = new Float64Array(1);
    return viz.functionPlotSvg({
      f: (a) => { x[0] = a; return objective.value(x); },
      domain: box(d[0][0], d[0][1], r.path.map((p) => p[0])),
      points: r.path.map((p) => p[0]),
      title,
      color,
    });
  }
  const positive = r.values.every((v) => v > 0);
  return viz.lineChartSvg({
    series: [{ label: spec.optimizer.name, x: r.pathThinned ? r.pathThinned.steps : r.values.map((_v, i) => i), y: r.values, color }],
    xLabel: 'step',
    yLabel: 'f',
    logY: positive,
    title,
  });
}

