/**
 * `compare(config)`: everything `descent compare` does, as a library call. Optimizers race on a test function
 * from one or more starts, and/or train one model on one dataset over several seeds (in this process, through
 * `train()`: the fast path and its threads, no child processes); the figures, the self-contained HTML report and
 * summary.json are written through `hooks.files`, so this module runs in a browser too (on Node, `nodeRunFiles`
 * writes atomically and `svgToPng` adds a PNG beside every SVG).
 */
import { DescentError, inputError, runError } from '../errors.js';
import { makeObjective, type Objective, type ObjectiveSpec } from '../objectives/index.js';
import { checkModelMemory, parseModelArg, TRAINING_COPIES, type MemoryBudget } from '../nn/index.js';
import { optimizerStepCounts } from '../optim/optimizer.js';
import { initBackend } from '../tensor/backend.js';
import type { LoadedDataset } from '../data/load-dataset.js';
import { train, type RunFiles } from '../train/train.js';
import { lossLandscape } from '../train/landscape.js';
import { landscapeCharts, type LandscapeData } from '../viz/landscape.js';
import { isRaceSearchMethod, parseRunSpec, type RunSpec } from './spec.js';
import { race, type RaceResult } from './function-race.js';
import { firstBelow, functionContourSvg, functionValueChart, hasSearch, meanStd, reportHtml, trainingCharts } from './html.js';
import type { FunctionSection, LandscapeEntry, TrainingRun, TrainingSection } from './html.js';

/** Bytes one (optimizer, seed) training run keeps for the report: per epoch (train and validation loss, accuracy, in memory and as JSON text), and once (its record, wall time, the figure's points). */
const COMPARE_BYTES_PER_EPOCH = 3 * (8 + 24);
const COMPARE_BYTES_PER_SEED = 4096;

/** An optimizer of a comparison: a spec string (`[label=]name[:key=value,...]`, `;` a grid) or parsed runs. */
export type CompareOptimizer = string | RunSpec;

/** The training half of a comparison: one model on one dataset, each optimizer over seeds 1..seeds. */
export interface CompareTraining {
  /** The dataset, split and standardized (`loadDataset`). */
  data: LoadedDataset;
  /** linear | logistic | softmax | mlp:H1,H2,... */
  model: string;
  /** Epochs per run, at least 1. */
  epochs: number;
  /** Seeds per optimizer (seeds 1..seeds). */
  seeds: number;
  /** Rows per batch, or 'full'. */
  batch: number | 'full';
  /** The train loss of the steps-to-target column. */
  targetLoss: number;
  /** First-order optimizers or lbfgs-torch. */
  optimizers: CompareOptimizer[];
  /** The validation fraction as given (recorded in each run's equivalent command line); the split itself is `data`'s. */
  val?: number;
  /**
   * Each optimizer's seed-1 run also computes its loss landscape (as `descent train --landscape`): `grid` points
   * per axis, `rows` training rows per point (default the library's sample); kept as landscape-LABEL.json and drawn.
   */
  landscape?: { grid: number; rows?: number };
}

/** A comparison: a test-function race, a training comparison, or both. */
export interface CompareConfig {
  /** Names the report. */
  name: string;
  /** The test function and its starts. */
  function?: ObjectiveSpec;
  x0?: number[][];
  /** Optimizer steps on the function (iterations for search methods; default 1000). */
  steps?: number;
  /** Distance to the minimum that counts as reaching it (default 0.01). */
  tol?: number;
  /** The optimizers that race on the function. */
  optimizers?: CompareOptimizer[];
  training?: CompareTraining;
  /** The output folder: every figure (SVG, and PNG with `hooks.png`), report.html and summary.json. */
  out: string;
  /** The command line shown in the report. */
  command?: string;
  /** The largest model accepted (given whether the wasm arena holds it); none by default. */
  memoryLimit?: (wasm: boolean) => MemoryBudget;
  /** The most bytes the training curves may keep; none by default. */
  curvesLimit?: { bytes: number; why: string };
}

/** One bar over the whole comparison, in units of work: a race, an epoch, a figure. */
export interface CompareProgress {
  /** The run starts: `total` units of work. */
  start(total: number): void;
  /** What is being done now (a race, a seed, a figure). */
  update(task: string): void;
  /** `units` (default 1) more are done. */
  increment(units?: number): void;
  /** The total changed (no validation charts without held-out rows). */
  setTotal(total: number): void;
}

/** How a comparison reaches files, the PNG encoder and the UI: every hook but `files` is optional. */
export interface CompareHooks {
  /** File access for the figures, report.html and summary.json. */
  files: RunFiles;
  /** Encodes a figure's SVG as PNG (written beside it as NAME.png); left out, SVG only. */
  png?(svg: string): Uint8Array;
  progress?: CompareProgress;
  /** What computed a training run (kernels, threads, fused steps), read after each; the step counts start at 0 for each run. */
  compute?(): unknown;
}

/** The comparison's summary (summary.json, and `descent compare --json`). */
export interface CompareSummary {
  report: string;
  files: string[];
  functions: Array<Record<string, unknown>>;
  training: Record<string, unknown> | null;
}

/** A finished comparison: its sections (as the report draws them), the summary and the files written. */
export interface CompareResult {
  functions: FunctionSection[];
  training?: TrainingSection;
  summary: CompareSummary;
  /** report.html's path. */
  report: string;
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9.+-]+/g, '_');
}

function sameDomain(objective: Objective, points: number[][]): { xDomain: [number, number]; yDomain: [number, number] } {
  const d = objective.domain ?? [[-3, 3], [-3, 3]];
  const fit = (lo: number, hi: number, vs: number[]): [number, number] => {
    // the view stays on the function's box unless a start lies outside it
    for (const v of vs) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    return [lo, hi];
  };
  const dx = d[0] ?? [-3, 3];
  const dy = d[1] ?? dx; // 1-D objectives have one range; the y domain is unused there
  return { xDomain: fit(dx[0], dx[1], points.map((p) => p[0])), yDomain: fit(dy[0], dy[1], points.map((p) => p[1] ?? dy[0])) };
}

const runsOf = (list: CompareOptimizer[]): RunSpec[] => list.flatMap((s) => (typeof s === 'string' ? parseRunSpec(s) : [s]));

/** The `descent train` command line equivalent to one training run: it names the run in messages. */
function trainCommand(t: CompareTraining, run: RunSpec, seed: number): string {
  const args = ['train', '--data', t.data.name, '--model', t.model, '--epochs', String(t.epochs), '--batch', String(t.batch), '--seed', String(seed), '--opt', run.name, '--json'];
  if (t.val !== undefined) args.push('--val', String(t.val));
  for (const [k, v] of Object.entries(run.options)) args.push('--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()), Array.isArray(v) ? v.join(',') : String(v));
  return `descent ${args.join(' ')}`;
}

/**
 * Runs a comparison and writes its report; see CompareConfig. Every setting is checked before anything runs or
 * is written (a bad optimizer spec, a start of the wrong length, a model or curves over the memory limit).
 *
 * @example
 * const r = await compare({ name: 'beale', function: 'beale', x0: [[2, -2]], optimizers: ['adam:lr=0.1'], out: 'reports/beale' }, { files: nodeRunFiles });
 */
export async function compare(config: CompareConfig, hooks: CompareHooks): Promise<CompareResult> {
  const c = config;
  const steps = c.steps ?? 1000, tol = c.tol ?? 1e-2, x0s = c.x0 ?? [];
  const t = c.training;
  const fnRuns = c.function !== undefined ? runsOf(c.optimizers ?? []) : [];
  const trainRuns = t ? runsOf(t.optimizers) : [];
  for (const run of trainRuns) {
    // lbfgs-torch trains through train() (one step(closure) per batch); minimize's methods need one fixed
    // full-batch function and race on test functions only
    if (run.name !== 'lbfgs-torch' && isRaceSearchMethod(run.name)) {
      throw inputError(`--opt: '${run.name}' races on a test function only (--fn); training races (--data) take first-order optimizers or lbfgs-torch, since a line search needs one fixed full-batch loss; give --fn with it, or use descent train --opt ${run.name} --batch full`);
    }
  }
  if (c.function !== undefined && x0s.length === 0) throw inputError('--x0: give a start point A,B (repeat --x0 for several starts)');
  const objective = c.function !== undefined ? makeObjective(c.function, x0s[0].length) : undefined;
  if (t) {
    // a model too large for memory fails here, with the bytes and the limit, before the function races
    const { kind, hidden } = parseModelArg(t.model);
    const all = t.data.all;
    // train's outputs: one for linear and logistic, one per class for softmax and mlp (its default loss is ce)
    const outFeatures = kind === 'linear' || kind === 'logistic' || all.numClasses < 2 ? 1 : all.numClasses;
    const wasm = (await initBackend()) !== null; // the runs train on the wasm arena when this platform has it
    if (c.memoryLimit) {
      checkModelMemory({ kind, hidden, inFeatures: all.d, outFeatures }, {
        limit: c.memoryLimit(wasm), copies: TRAINING_COPIES, what: `--model ${t.model}`,
        holds: 'to train (float32 weights, gradients and optimizer state)', advice: 'use smaller hidden widths',
      });
    }
  }
  if (objective) for (const p of x0s) if (p.length !== objective.n) throw inputError(`--x0: expected ${objective.n} numbers for ${objective.name}, got ${p.length}`);
  // every (optimizer, seed) keeps its curves for the report (in memory, then as JSON in the HTML): bounded by the budget
  if (t && trainRuns.length && c.curvesLimit) {
    const per = trainRuns.length * (t.epochs * COMPARE_BYTES_PER_EPOCH + COMPARE_BYTES_PER_SEED);
    const need = per * t.seeds;
    if (need > c.curvesLimit.bytes) {
      const most = Math.max(0, Math.floor(c.curvesLimit.bytes / per));
      throw inputError(`--seeds ${t.seeds}: ${trainRuns.length} optimizers × ${t.seeds} seeds × ${t.epochs} epochs of curves need about ${need} bytes for the report, over the limit of ${c.curvesLimit.bytes} bytes (${c.curvesLimit.why}); expected --seeds ${most} or fewer`);
    }
  }

  // one bar over the whole run: a race per (optimizer, start), an epoch per (optimizer, seed), a figure per chart
  // (per start: f against step, the contour (2-D), and f against evaluations when search methods race)
  const searchCharts = fnRuns.some((r) => isRaceSearchMethod(r.name)) ? 1 : 0;
  const figureCount = (objective ? x0s.length * ((objective.n === 2 ? 2 : 1) + searchCharts) : 0) + (trainRuns.length ? 4 : 0);
  let total = fnRuns.length * x0s.length + (t ? trainRuns.length * t.seeds * t.epochs : 0) + figureCount;
  const bar = hooks.progress;
  bar?.start(total);
  const { files: io } = hooks;
  const written: string[] = [];
  const landscapes: LandscapeEntry[] = [];
  const functions: FunctionSection[] = [];
  if (objective) {
    for (const x0 of x0s) {
      const results: RaceResult[] = [];
      for (const run of fnRuns) {
        bar?.update(`${run.label} from (${x0.join(', ')})`);
        results.push(race({ objective, x0, run, steps, tol }));
        bar?.increment();
      }
      const { xDomain, yDomain } = sameDomain(objective, [x0]);
      const x = new Float64Array(objective.n);
      const f = objective.n === 2 ? (a: number, b: number) => { x[0] = a; x[1] = b; return objective.value(x); } : undefined;
      functions.push({ fn: objective.name, x0, steps, tol, minimum: objective.minimum, xDomain, yDomain, f, results });
    }
  }
  let training: TrainingSection | undefined;
  // each training run's `compute` (kernels, threads, fused steps), the last seed's
  const computes = new Map<string, unknown>();
  if (t && trainRuns.length) {
    const runs: TrainingRun[] = [];
    for (const run of trainRuns) {
      const tr: TrainingRun = { label: run.label, name: run.name, options: run.options, seeds: [], trainLoss: [], valLoss: [], valAccuracy: [], wallSeconds: [], stepsPerEpoch: 0 };
      for (let s = 1; s <= t.seeds; s++) {
        // the landscape of seed 1's run: the weight iterates for its PCA plane, the start and after every epoch
        const withLandscape = t.landscape !== undefined && s === 1;
        bar?.update(`${run.label}, seed ${s}${withLandscape ? ', then its loss landscape' : ''}`);
        optimizerStepCounts.fused = 0;
        optimizerStepCounts.ts = 0;
        const t0 = performance.now();
        const times: number[] = [];
        const epochs: Array<{ trainLoss: number; valLoss?: number; valAccuracy?: number }> = [];
        const iterates: Float32Array[] = [];
        let model: { params: ArrayLike<number> } | undefined;
        let result: Awaited<ReturnType<typeof train>>;
        try {
          result = await train({ data: t.data, model: t.model, epochs: t.epochs, batch: t.batch, seed: s, optimizer: { name: run.name, ...run.options }, memoryLimit: c.memoryLimit }, {
            onStart: (st) => {
              model = st.model;
              if (withLandscape) iterates.push(Float32Array.from(st.model.params));
            },
            onEpoch: (m) => {
              if (withLandscape && model) iterates.push(Float32Array.from(model.params));
              epochs.push(m);
              times.push((performance.now() - t0) / 1000);
              bar?.increment();
            },
          });
        } catch (e) {
          // the run is named by the train command that does the same
          if (!(e instanceof DescentError)) throw e;
          const msg = `training (${trainCommand(t, run, s)}): ${e.message}`;
          throw e.kind === 'input' ? inputError(msg) : runError(msg);
        }
        if (withLandscape) {
          const l = lossLandscape(result.model, result.meta.loss, t.data.train, iterates, { resolution: t.landscape!.grid, rows: t.landscape!.rows });
          const json = JSON.stringify({ ...l, random: { ...l.random, loss: Array.from(l.random.loss) }, pca: l.pca ? { ...l.pca, loss: Array.from(l.pca.loss) } : undefined }) + '\n';
          const file = io.join(c.out, `landscape-${slug(run.label)}.json`);
          io.mkdir(c.out);
          io.write(file, json);
          written.push(file);
          landscapes.push({ key: slug(run.label), what: `${run.label} (seed 1), ${t.model} on ${t.data.name}`, landscape: JSON.parse(json) as LandscapeData });
        }
        tr.seeds.push(s);
        tr.trainLoss.push(epochs.map((e) => e.trainLoss));
        tr.valLoss.push(epochs.map((e) => e.valLoss ?? NaN));
        tr.valAccuracy.push(epochs.map((e) => e.valAccuracy ?? NaN));
        tr.wallSeconds.push(times);
        if (hooks.compute) computes.set(run.label, hooks.compute());
        tr.stepsPerEpoch = t.batch === 'full' ? 1 : Math.ceil(t.data.train.n / t.batch);
        if (epochs.length < t.epochs) bar?.increment(t.epochs - epochs.length); // early stop
      }
      runs.push(tr);
    }
    training = { data: t.data.name, model: t.model, epochs: t.epochs, batch: t.batch, targetLoss: t.targetLoss, runs };
  }

  // every figure as SVG (exact, scalable) and as a PNG beside it (for places that take no SVG)
  io.mkdir(c.out);
  const figure = (name: string, svg: string): void => {
    bar?.update(`figure ${name}`);
    const file = io.join(c.out, `${name}.svg`);
    io.write(file, svg);
    written.push(file);
    if (hooks.png) {
      const png = io.join(c.out, `${name}.png`);
      io.write(png, hooks.png(svg));
      written.push(png);
    }
    bar?.increment();
  };
  for (const s of functions) {
    const base = `${slug(s.fn)}-from-${slug(s.x0.join(','))}`;
    const positive = s.results.every((r) => r.values.every((v) => !(v <= 0)));
    figure(`${base}-values`, functionValueChart(s, positive));
    if (hasSearch(s)) figure(`${base}-evaluations`, functionValueChart(s, positive, { against: 'evaluations' }));
    if (!s.f) continue;
    figure(base, functionContourSvg(s));
  }
  if (training) {
    const charts = Object.entries(trainingCharts(training));
    // without held-out rows there are no validation charts: the bar's total drops to what is left
    if (bar && charts.length < 4) bar.setTotal((total -= 4 - charts.length));
    for (const [name, svg] of charts) figure(`training-${name}`, svg);
  }
  for (const l of landscapes) {
    const charts = Object.entries(landscapeCharts(l.landscape, l.key));
    bar?.setTotal((total += charts.length));
    for (const [kind, svg] of charts) if (svg) figure(`landscape-${l.key}-${kind}`, svg);
  }
  bar?.update('report');
  const report = io.join(c.out, 'report.html');
  const html = reportHtml({ title: `descent compare: ${c.name}`, command: c.command ?? 'compare()', functions, training, landscapes, createdAt: new Date().toISOString() });
  const summary: CompareSummary = {
    report,
    files: written,
    functions: functions.map((s) => ({
      function: s.fn,
      x0: s.x0,
      steps: s.steps,
      minimum: s.minimum ?? null,
      tol: s.tol,
      results: s.results.map((r) => ({
        label: r.label, optimizer: r.name, options: r.options, kind: r.kind,
        iterations: r.steps, evaluations: r.evaluations, ...(r.hessianEvaluations > 0 ? { hessianEvaluations: r.hessianEvaluations } : {}),
        reached: r.reachedAt !== null, reachedAt: r.reachedAt, reachedAtEvaluations: r.reachedAtEvaluations, divergedAt: r.divergedAt,
        ...(r.kind === 'search' ? { stopReason: r.stopReason } : {}),
        finalX: r.finalX, finalValue: r.finalValue, finalDistance: r.finalDistance, seconds: r.seconds,
      })),
    })),
    training: training
      ? {
          data: training.data,
          model: training.model,
          epochs: training.epochs,
          seeds: training.runs[0]?.seeds ?? [],
          targetLoss: training.targetLoss,
          results: training.runs.map((r) => ({
            label: r.label,
            finalTrainLoss: meanStd(r.trainLoss.map((row) => [row[row.length - 1]])).mean[0] ?? null,
            finalValAccuracy: meanStd(r.valAccuracy.map((row) => [row[row.length - 1]])).mean[0] ?? null,
            stepsToTarget: r.trainLoss.map((row) => { const e = firstBelow(row, training.targetLoss); return e === null ? null : e * r.stepsPerEpoch; }),
            seconds: r.wallSeconds.map((row) => row[row.length - 1]),
            trainLoss: r.trainLoss,
            compute: computes.get(r.label) ?? null,
          })),
        }
      : null,
  };
  io.write(io.join(c.out, 'summary.json'), compareSummaryJson(summary, 2) + '\n');
  io.write(report, html);
  return { functions, training, summary, report };
}

/** The summary as JSON, non-finite numbers as null (JSON has no NaN or Infinity). */
export function compareSummaryJson(summary: CompareSummary, indent?: number): string {
  return JSON.stringify(summary, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), indent);
}

/** The text report of `descent compare`: each race's outcome, each optimizer's final train loss and val accuracy. */
export function compareText(r: CompareResult): string {
  let out = '';
  for (const s of r.functions) {
    out += `${s.fn} from (${s.x0.join(', ')}), ${s.steps} steps:\n`;
    for (const x of s.results) {
      const unit = x.kind === 'search' ? 'iteration' : 'step';
      const what = x.divergedAt !== null ? `diverged at ${unit} ${x.divergedAt}` : x.reachedAt !== null ? `reached the minimum at ${unit} ${x.reachedAt} (${x.reachedAtEvaluations} evaluations)` : `did not reach the minimum (ended at (${x.finalX.map((v) => v.toPrecision(4)).join(', ')}))`;
      const stop = x.kind === 'search' ? `; stopped: ${x.stopReason}, ${x.steps} iteration${x.steps === 1 ? '' : 's'}, ${x.evaluations} evaluations` : '';
      out += `  ${x.label}: ${what}${stop}\n`;
    }
  }
  const training = r.training;
  if (training) {
    out += `${training.model} on ${training.data}, ${training.epochs} epochs, ${training.runs[0]?.seeds.length ?? 0} seeds:\n`;
    for (const x of training.runs) {
      const acc = meanStd(x.valAccuracy.map((row) => [row[row.length - 1]])).mean[0];
      const loss = meanStd(x.trainLoss.map((row) => [row[row.length - 1]])).mean[0];
      out += `  ${x.label}: train loss ${loss.toPrecision(4)}, val accuracy ${acc.toFixed(4)}\n`;
    }
  }
  return out + `report: ${r.report}\n`;
}
