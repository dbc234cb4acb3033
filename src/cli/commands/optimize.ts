/**
 * `descent optimize`: one optimizer on one objective, in float64, exactly per the contract.
 *   descent optimize --spec SPEC.json [--json] [--plot FILE.svg]
 *   descent optimize --fn NAME --x0 A,B --opt NAME [--lr X] [--steps N] [--HYPERPARAMETER VALUE ...] [--schedule S]
 * Hyperparameter flags are derived from the optimizers' defaults objects (kebab-case).
 * Flags → an OptimizeSpec → the library's `runOptimize()` (src/search/optimize-run.ts) → the summary, JSON or figure.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DescentError, inputError, runError, unknownName } from '../../errors.js';
import { parseStrictJson } from '../../io/strict-json.js';
import { checkOutputFile } from '../output-paths.js';
import { checkFigureName, writeFigure } from '../png.js';
import { makeObjective, type ObjectiveSpec } from '../../objectives/index.js';
import { optimizers, isOptimizerName, resolveOptions, type HyperValue, type OptimizerRule } from '../../optim/index.js';
import { parseScheduleArg } from '../../schedule/index.js';
import { convergenceSeries, isSearchMethodName, resolveSearchOptions, resolveLbfgsTorchOptions } from '../../search/index.js';
import {
  checkSpec, DEFAULT_OPTIMIZE_STEPS as DEFAULT_STEPS, MAX_PATH_POINTS, optimizeMethods as searchMethods, optimizeMethodNames, optimizePlotSvg as plotSvg, optimizeSummary as summary, runOptimize,
  type OptimizeResult, type OptimizeSpec, type VizModule,
} from '../../search/optimize-run.js';

// the library's names, as the sweep and tests import them from here
export { checkSpec, runOptimize, plotSvg, summary, searchMethods, MAX_PATH_POINTS };
export type { OptimizeResult, OptimizeSpec };


function kebab(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
function camel(s: string): string {
  return s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Every optimizer name optimize knows: first-order, then search methods. */
export function knownOptimizerNames(): string[] {
  return optimizeMethodNames();
}

/** The defaults object of a name (first-order or search), or an input error listing all names. */
function defaultsOf(name: string): Readonly<Record<string, unknown>> {
  if (isOptimizerName(name)) return (optimizers[name] as unknown as OptimizerRule).defaults;
  if (Object.prototype.hasOwnProperty.call(searchMethods, name)) return searchMethods[name].defaults;
  throw unknownName('optimizer', name, knownOptimizerNames());
}

/** Every hyperparameter name across all optimizers, for the flag table. */
function allHyperparameters(names: readonly string[] = knownOptimizerNames()): string[] {
  const keys = new Set<string>();
  for (const name of names) for (const k of Object.keys(defaultsOf(name))) keys.add(k);
  keys.delete('lr');
  return [...keys];
}

/** Parses one hyperparameter flag's text by the type of its default. */
export function parseHyperValue(flag: string, raw: string | true, like: unknown): HyperValue | string {
  if (typeof like === 'boolean') {
    if (raw === true || raw === 'true') return true;
    if (raw === 'false') return false;
    throw inputError(`--${flag}: expected true or false (or the bare flag for true), got '${raw}'`);
  }
  if (raw === true) throw inputError(`--${flag}: expected a value`);
  if (Array.isArray(like)) {
    const parts = raw.split(',');
    // `null` where the default has null (adafactor's eps1: the dtype's machine epsilon)
    const xs = parts.map((p, i) => (p.trim() === 'null' && like[i] === null ? null : Number(p)));
    if (parts.length !== like.length || parts.some((p) => p.trim() === '') || xs.some((x) => x !== null && !Number.isFinite(x))) {
      const nullable = like.some((x) => x === null) ? ` (null allowed where the default has it: ${JSON.stringify(like)})` : '';
      throw inputError(`--${flag}: expected ${like.length} comma-separated numbers${nullable}, got '${raw}'`);
    }
    return xs as [number, number];
  }
  if (typeof like === 'string' || like === null) return raw === 'null' ? (null as unknown as string) : raw;
  const x = Number(raw);
  if (raw.trim() === '' || Number.isNaN(x)) throw inputError(`--${flag}: expected a number, got '${raw}'`);
  return x;
}

function parseNumberList(flag: string, raw: string): number[] {
  const parts = raw.split(',');
  const xs = parts.map(Number);
  if (parts.some((p) => p.trim() === '') || xs.some((x) => !Number.isFinite(x))) {
    throw inputError(`--${flag}: expected comma-separated numbers, got '${raw}'`);
  }
  return xs;
}

/** `--fn NAME` or `--fn NAME:key=value,...` (numeric parameters, e.g. `valley:a=0.05,b=20`). */
function parseFnArg(raw: string): ObjectiveSpec {
  if (!raw.includes(':')) return raw;
  const [name, rest] = [raw.slice(0, raw.indexOf(':')), raw.slice(raw.indexOf(':') + 1)];
  const spec: { name: string } & Record<string, unknown> = { name };
  for (const pair of rest.split(',')) {
    const eq = pair.indexOf('=');
    const v = Number(pair.slice(eq + 1));
    if (eq <= 0 || pair.slice(eq + 1).trim() === '' || !Number.isFinite(v)) throw inputError(`--fn: expected NAME:KEY=NUMBER,..., got '${raw}'`);
    spec[pair.slice(0, eq)] = v;
  }
  return spec;
}

/** Reads and validates SPEC.json. */
export function readSpec(path: string): OptimizeSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw inputError(`--spec: cannot read '${path}'; expected a JSON file`);
  }
  // strict: a key given twice or __proto__ is refused, a BOM skipped (src/io/strict-json.ts)
  return checkSpec(parseStrictJson(text, `--spec ${path}`), `--spec ${path}`);
}

interface CliOptions {
  spec?: string;
  fn?: string;
  x0?: string;
  opt?: string;
  lr?: string;
  steps?: string;
  schedule?: string;
  json?: boolean;
  plot?: string;
  plotConvergence?: string;
  [hyper: string]: string | boolean | undefined;
}

/**
 * `{ name, ...hyperparameters }` from parsed flags (camelCase keys, commander's values): every flag given
 * must be a hyperparameter of `name`. For other commands (train) that take the same flags.
 */
export function optimizerFromFlags(name: string, o: Record<string, string | boolean | undefined>, hyperKeys: string[]): OptimizeSpec['optimizer'] {
  const defaults = defaultsOf(name);
  const optimizer: OptimizeSpec['optimizer'] = { name };
  if (o.lr !== undefined) {
    if (!('lr' in defaults)) throw inputError(`--lr: '${name}' has no learning rate`);
    optimizer.lr = parseHyperValue('lr', o.lr as string | true, 0);
  }
  for (const k of hyperKeys) {
    if (o[k] === undefined) continue;
    if (!(k in defaults)) {
      const own = Object.keys(defaults).map(kebab).join(', ');
      throw inputError(`--${kebab(k)}: not a hyperparameter of ${name}; expected one of: ${own}`);
    }
    optimizer[k] = parseHyperValue(kebab(k), o[k] as string | true, defaults[k]);
  }
  if (isOptimizerName(name)) {
    // range checks now, before any data is loaded, with the flag named: "--lr: expected a number >= 0, got -1"
    try {
      const { name: _n, ...given } = optimizer;
      // a missing required lr (sgd) is the caller's to report or fill in (ensemble's snapshots default it)
      if (given.lr === undefined && Number.isNaN(defaults.lr)) given.lr = 0;
      resolveOptions(optimizers[name] as unknown as OptimizerRule, given);
    } catch (err) {
      if (!(err instanceof DescentError)) throw err;
      throw new DescentError(err.kind, err.message.replace(/^(\w+)(\[\d\])?:/, (_m, key: string, index = '') => (key in defaults ? `--${kebab(key)}${index}:` : _m)));
    }
  } else if (name === 'lbfgs-torch') {
    // "--line-search-fn: expected strong_wolfe or none (null), got 'wolfe'": the flag, and the text as typed
    try {
      const { name: _n, ...given } = optimizer;
      resolveLbfgsTorchOptions(given);
    } catch (err) {
      if (!(err instanceof DescentError)) throw err;
      const m = /^(\w+): (.*), got .*$/.exec(err.message);
      if (m && m[1] in defaults) throw new DescentError(err.kind, `--${kebab(m[1])}: ${m[2]}, got '${String(o[m[1]])}'`);
      throw err;
    }
  } else if (isSearchMethodName(name)) {
    // the same for line-search methods: "--c1: expected a number in (0, 1), got '1e309'" (the flag, and the text as typed)
    try {
      const { name: _n, ...given } = optimizer;
      resolveSearchOptions(name, given);
    } catch (err) {
      if (!(err instanceof DescentError)) throw err;
      const m = /^[\w-]+: (\w+): (.*), got [^,]*$/.exec(err.message);
      if (m && m[1] in defaults && typeof o[m[1]] === 'string') throw new DescentError(err.kind, `--${kebab(m[1])}: ${m[2]}, got '${String(o[m[1]])}'`);
      throw err;
    }
  }
  return optimizer;
}

/**
 * Adds one `--kebab-name [value]` flag per hyperparameter of any optimizer (lr excluded), with help derived
 * from the defaults objects; returns the camelCase keys for optimizerFromFlags.
 */
export function addHyperparameterFlags(cmd: Command, opts: { firstOrderOnly?: boolean } = {}): string[] {
  // a command that trains only with first-order optimizers (ensemble) offers only their flags
  const names = opts.firstOrderOnly ? knownOptimizerNames().filter(isOptimizerName) : knownOptimizerNames();
  const keys = allHyperparameters(names);
  for (const k of keys) cmd.option(`--${kebab(k)} ${hyperPlaceholder(k, names)}`, hyperHelp(k, names));
  return keys;
}

/**
 * The value a hyperparameter flag takes, for --help, from the type of its defaults: `[bool]` (the bare
 * flag is true), `<n1,n2>` for a pair, `<int>` for counts, `<name>` for a choice, else `<number>`.
 */
function hyperPlaceholder(key: string, names: readonly string[]): string {
  const like = names.filter((n) => key in defaultsOf(n)).map((n) => defaultsOf(n)[key]);
  if (like.some((v) => typeof v === 'boolean')) return '[bool]';
  const pair = like.find((v) => Array.isArray(v)) as unknown[] | undefined;
  if (pair) return `<${pair.map((_, i) => `n${i + 1}`).join(',')}>`;
  if (like.some((v) => typeof v === 'string' || v === null)) return '<name>';
  if (/size|iter|eval|history|steps/i.test(key) && like.every((v) => typeof v === 'number' && Number.isInteger(v))) return '<int>';
  return '<number>';
}

/** Builds the spec from flags (or reads --spec), checking every flag against the chosen optimizer. */
export function specFromOptions(o: CliOptions, hyperKeys: string[]): OptimizeSpec {
  const given = hyperKeys.filter((k) => o[k] !== undefined);
  if (o.spec !== undefined) {
    const extra = ['fn', 'x0', 'opt', 'lr', 'steps', 'schedule', ...given].filter((k) => o[k] !== undefined);
    if (extra.length) throw inputError(`--${kebab(extra[0])}: cannot be combined with --spec (put it in the spec file)`);
    return readSpec(o.spec);
  }
  if (o.fn === undefined) throw inputError('--fn: required (or give --spec SPEC.json)');
  if (o.x0 === undefined) throw inputError('--x0: required, comma-separated numbers, e.g. --x0 -1.5,2');
  if (o.opt === undefined) throw inputError(`--opt: required; one of: ${knownOptimizerNames().join(', ')}`);
  const optimizer = optimizerFromFlags(o.opt, o, hyperKeys);
  if (optimizer.lr === undefined && Number.isNaN(defaultsOf(o.opt).lr)) throw inputError(`--lr: required for ${o.opt} (torch.optim has no default learning rate for it)`);
  let steps = DEFAULT_STEPS;
  if (o.steps !== undefined) {
    steps = Number(o.steps);
    if (o.steps.trim() === '' || !Number.isInteger(steps) || steps < 0) throw inputError(`--steps: expected an integer >= 0, got '${o.steps}'`);
  }
  return {
    function: parseFnArg(o.fn),
    x0: parseNumberList('x0', o.x0),
    optimizer,
    steps,
    schedule: o.schedule === undefined ? undefined : parseScheduleArg(o.schedule),
  };
}

async function loadViz(): Promise<VizModule> {
  // resolved at run time so optimize works (without --plot) while the viz layer is absent
  const path = '../../viz/index.js';
  try {
    const m = (await import(path)) as Partial<VizModule>;
    if (typeof m.contourPlotSvg === 'function' && typeof m.lineChartSvg === 'function' && typeof m.functionPlotSvg === 'function' && typeof m.optimizerColor === 'function') return m as VizModule;
  } catch {
    /* reported below */
  }
  throw runError('--plot: the plotting layer (src/viz) is not available in this build; run without --plot');
}

/** `--momentum`: "default: sgd 0, rmsprop 0, rmsprop-nesterov 0.9" — derived from the defaults objects. */
function hyperHelp(key: string, names: readonly string[] = knownOptimizerNames()): string {
  const uses = names
    .filter((n) => key in defaultsOf(n))
    .map((n) => `${n} ${JSON.stringify(defaultsOf(n)[key]).replace(/,/g, ', ')}`);
  return `default: ${uses.join('; ')}`;
}

/** `--plot-convergence FILE.svg|FILE.png`: the convergence rates of the search methods and sgd on --fn from --x0 (src/search/convergence.ts). */
async function plotConvergence(o: CliOptions): Promise<void> {
  const file = o.plotConvergence as string;
  checkFigureName('--plot-convergence', file);
  checkOutputFile('--plot-convergence', file);
  if ((o.fn === undefined) !== (o.x0 === undefined)) throw inputError('--plot-convergence: give both --fn NAME and --x0 A,B,... (or neither, for the built-in exp-sum problem)');
  const x0 = o.x0 === undefined ? undefined : parseNumberList('x0', o.x0);
  const objective = o.fn === undefined || x0 === undefined ? undefined : makeObjective(parseFnArg(o.fn), x0.length);
  const steps = o.steps === undefined ? DEFAULT_STEPS : Number(o.steps);
  if (!Number.isInteger(steps) || steps < 1) throw inputError(`--steps: expected an integer >= 1, got '${o.steps}'`);
  const lr = o.lr === undefined ? undefined : Number(o.lr);
  if (lr !== undefined && !(lr > 0)) throw inputError(`--lr: expected a number > 0 (sgd's learning rate), got '${o.lr}'`);
  let viz: VizModule;
  try {
    viz = await loadViz();
  } catch {
    throw runError('--plot-convergence: the plotting layer (src/viz) is not available in this build');
  }
  const report = convergenceSeries({ objective, x0, maxIter: steps, sgdLr: lr });
  const yLabel = report.error === 'distance' ? 'max |x - x*|' : '|f - f*|';
  const title = objective ? `convergence on ${objective.name} (n = ${objective.n})` : 'convergence on exp-sum: f = sum(exp(u) - u), u = Q(x - x*)';
  // each method in its colour (optimizer-colors.ts): sgd is the same blue as in compare and the playground
  const series = report.series.map((s) => ({ ...s, color: viz.optimizerColor(s.method) }));
  writeFigure(file, viz.lineChartSvg({ series, xLabel: 'iteration', yLabel, logY: true, title }));
  for (const s of report.series) {
    const last = s.y.length ? s.y[s.y.length - 1].toExponential(2) : '0';
    if (s.diverged !== undefined) process.stdout.write(`${s.label}: f or the iterate became non-finite at step ${s.diverged} (the plot shows its ${s.x.length} finite iterates); lower --lr to see it converge\n`);
    else process.stdout.write(`${s.label}: ${s.x.length ? s.x[s.x.length - 1] : 0} iterations, ${s.evaluations} evaluations, final error ${last}\n`);
  }
  process.stdout.write(`  plot: ${file}\n`);
}

/** Input errors found while setting a spec file's run up name the file, and `optimizer.KEY` for a hyperparameter. */
function inSpec<T>(file: string, spec: OptimizeSpec, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof DescentError) || err.kind !== 'input') throw err;
    const keys = isOptimizerName(spec.optimizer.name) ? Object.keys(defaultsOf(spec.optimizer.name)) : [];
    const msg = err.message.replace(/^(\w+)(\[\d\])?:/, (m, key: string) => (keys.includes(key) ? `optimizer.${m}` : m));
    throw inputError(`--spec ${file}: ${msg}`);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('optimize')
    .description('run one optimizer on one test function (float64); --json prints {path, values, evaluations, converged}')
    .option('--spec <file>', 'SPEC.json: {function, x0, optimizer: {name, ...}, steps, schedule?}')
    .option('--fn <name>', 'test function: square, xcos, quadratic, rosenbrock, beale, booth, himmelblau, saddle, valley, plateau')
    .option('--x0 <list>', 'start point, comma-separated')
    .option('--opt <name>', `optimizer: ${knownOptimizerNames().join(', ')}`)
    .option('--lr <x>', 'learning rate')
    .option('--steps <n>', `number of steps (default ${DEFAULT_STEPS})`)
    .option('--schedule <spec>', 'learning-rate schedule NAME:KEY=VALUE,... (lists use ;)')
    .option('--json', 'print the run as one JSON object')
    .option('--plot <file.svg|file.png>', 'write a figure (SVG, or PNG by the name): 2-D path on contours, 1-D curve with iterates, n-D f against step')
    .option('--plot-convergence <file.svg|file.png>', 'error against iteration (log scale, SVG or PNG by the name) for newton, bfgs, lbfgs, gd-backtracking and sgd (--lr, default 0.05) on --fn from --x0, or on the built-in exp-sum problem; --steps iterations');
  const hyperKeys = addHyperparameterFlags(cmd);
  cmd.action(async (opts: CliOptions) => {
    const o: CliOptions = {};
    for (const [k, v] of Object.entries(opts)) o[camel(k)] = v;
    if (o.plotConvergence !== undefined) return plotConvergence(o);
    const spec = specFromOptions(o, hyperKeys);
    if (o.plot !== undefined) checkFigureName('--plot', o.plot as string);
    if (o.plot !== undefined) checkOutputFile('--plot', o.plot as string);
    const r = o.spec === undefined ? runOptimize(spec) : inSpec(o.spec, spec, () => runOptimize(spec));
    const out: OptimizeResult = { path: r.path, values: r.values, evaluations: r.evaluations, converged: r.converged };
    if (r.reason !== undefined) out.reason = r.reason;
    if (r.pathThinned !== undefined) out.pathThinned = r.pathThinned;
    if (o.plot !== undefined) {
      const plotPath = o.plot as string;
      const viz = await loadViz();
      const svg = plotSvg(viz, spec, out, r.objective);
      writeFigure(plotPath, svg);
    }
    if (o.json) process.stdout.write(JSON.stringify(out) + '\n');
    else {
      process.stdout.write(summary(spec, out, r.objective));
      if (o.plot !== undefined) process.stdout.write(`  plot: ${o.plot}\n`);
    }
  });
}
