/**
 * `descent compare`: several optimizers side by side on one test function (from one or more starts) and/or one
 * dataset and model over several seeds, written as one self-contained HTML report plus static figures, each as SVG and PNG.
 * `--preset headline` (npm start) is the lectures' comparison: the classic optimizers on Beale from (2, −2) and
 * (−3, 3), capped at 10,000 steps, and the MNIST MLP trained with four optimizers over 3 seeds.
 */
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { inputError, runError } from '../../errors.js';
import { parseStrictJson } from '../../io/strict-json.js';
import { atomicWrite } from '../../io/atomic-write.js';
import { checkOutputDir } from '../output-paths.js';
import { checkFolderOutputs, type RunFile } from '../../io/output-policy.js';
import { pngPathFor, svgToPng } from '../png.js';
import { makeObjective } from '../../objectives/index.js';
import { parseBatchArg } from '../../data/index.js';
import { checkModelMemory, parseModelArg, TRAINING_COPIES } from '../../nn/index.js';
import { initBackend } from '../../tensor/backend.js';
import { resolveThreads } from '../../tensor/backend-node.js';
import { threadsHelp } from '../fast-path.js';
import { landscapeRows } from './train.js';
import { loadRows } from '../../node/datasets.js';
import { heapMemoryLimit, memoryLimit, modelMemoryLimit } from '../limits.js';

/** Bytes one (optimizer, seed) training run keeps for the report: per epoch (train and validation loss, accuracy, in memory and as JSON text), and once (its record, wall time, the figure's points). */
const COMPARE_BYTES_PER_EPOCH = 3 * (8 + 24);
const COMPARE_BYTES_PER_SEED = 4096;
import type { Objective, ObjectiveSpec } from '../../objectives/index.js';
import { hasSearch, isRaceSearchMethod, parseRunSpec, race, reportHtml, functionValueChart, functionContourSvg, trainingCharts, meanStd, firstBelow } from '../../report/index.js';
import type { RunSpec, FunctionSection, TrainingSection, TrainingRun, RaceResult, LandscapeEntry } from '../../report/index.js';
import { landscapeCharts, type LandscapeData } from '../../viz/index.js';

/** Everything one comparison needs, from flags, a spec file or a preset. */
export interface CompareSpec {
  name: string;
  function?: ObjectiveSpec;
  x0: number[][];
  steps: number;
  tol: number;
  optimizers: string[];
  data?: string;
  model: string;
  epochs: number;
  seeds: number;
  batch: string;
  val?: number;
  targetLoss: number;
  trainOptimizers: string[];
}

const HEADLINE_FN_OPTS = [
  'gd=sgd:lr=0.0001',
  'momentum=sgd:lr=0.0001,momentum=0.9',
  'nesterov=sgd:lr=0.0001,momentum=0.9,nesterov=true',
  'adagrad=adagrad:lr=1',
  'rmsprop=rmsprop:lr=0.001',
  'rmsprop+momentum=rmsprop:lr=0.0001,momentum=0.9',
  'adam=adam:lr=0.1',
];
const HEADLINE_TRAIN_OPTS = ['sgd=sgd:lr=0.1', 'momentum=sgd:lr=0.05,momentum=0.9', 'rmsprop=rmsprop:lr=0.001', 'adam=adam:lr=0.001'];

/** The presets: the headline job of `npm start`. */
export const presets: Record<string, CompareSpec> = {
  headline: {
    name: 'headline',
    function: 'beale',
    x0: [[2, -2], [-3, 3]],
    steps: 10000,
    tol: 1e-2,
    optimizers: HEADLINE_FN_OPTS,
    data: 'mnist-small',
    model: 'mlp:128',
    epochs: 8,
    seeds: 3,
    batch: '64',
    targetLoss: 0.2,
    trainOptimizers: HEADLINE_TRAIN_OPTS,
  },
};

interface CliOptions {
  threads?: string;
  preset?: string;
  spec?: string;
  opt: string[];
  fn?: string;
  x0: string[];
  steps?: string;
  tol?: string;
  data?: string;
  model?: string;
  epochs?: string;
  seeds?: string;
  batch?: string;
  val?: string;
  targetLoss?: string;
  out?: string;
  json?: boolean;
  progress: boolean;
  landscape?: boolean;
  landscapeGrid?: string;
  landscapeRows?: string;
}

function intFlag(flag: string, text: string, min: number): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isInteger(v) || v < min) throw inputError(`${flag}: expected an integer >= ${min}, got '${text}'`);
  return v;
}

/**
 * Epochs of a training comparison: at least 1. Only `descent train` takes 0 (it writes the initial model);
 * a comparison of optimizers that never step has nothing to compare, so 0 is refused with that pointer.
 */
function epochsFlag(flag: string, text: string): number {
  if (/^\s*0+\s*$/.test(text)) throw inputError(`${flag}: expected an integer >= 1, got '${text}'; a comparison needs training (for the initial weights alone, descent train --epochs 0 --save FILE)`);
  return intFlag(flag, text, 1);
}

function numFlag(flag: string, text: string, ok: (v: number) => boolean, expected: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || !ok(v)) throw inputError(`${flag}: expected ${expected}, got '${text}'`);
  return v;
}

function parseX0(flag: string, text: string): number[] {
  const parts = text.split(',');
  return parts.map((p) => numFlag(flag, p, () => true, 'numbers separated by commas'));
}

/** Reads --spec FILE: the same fields as CompareSpec; optimizers as spec strings or { label?, name, ...options }. */
function readSpecFile(file: string): Partial<CompareSpec> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw inputError(`--spec: cannot read file '${file}'`);
  }
  // strict: a key given twice or __proto__ is refused, a BOM skipped (src/io/strict-json.ts)
  const raw = parseStrictJson(text, `--spec ${file}`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw inputError(`--spec ${file}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  const known = ['name', 'function', 'x0', 'steps', 'tol', 'optimizers', 'data', 'model', 'epochs', 'seeds', 'batch', 'val', 'targetLoss', 'trainOptimizers'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw inputError(`--spec ${file}: unknown field '${k}'; expected one of: ${known.join(', ')}`);
  const toSpecs = (field: string, v: unknown): string[] => {
    if (!Array.isArray(v)) throw inputError(`--spec ${file}: '${field}' expected an array of optimizer specs`);
    return v.map((e, i) => {
      if (typeof e === 'string') return e;
      if (e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string') {
        const { label, name, ...rest } = e as Record<string, unknown>;
        const kv = Object.entries(rest).map(([k, val]) => `${k}=${Array.isArray(val) ? val.join(';') : String(val)}`);
        return `${label !== undefined ? `${String(label)}=` : ''}${String(name)}${kv.length ? ':' + kv.join(',') : ''}`;
      }
      throw inputError(`--spec ${file}: '${field}[${i}]' expected a spec string or an object with a "name"`);
    });
  };
  const out: Partial<CompareSpec> = {};
  if (o.name !== undefined) out.name = String(o.name);
  if (o.function !== undefined) out.function = o.function as ObjectiveSpec;
  if (o.x0 !== undefined) {
    const x = o.x0;
    const isPoint = (p: unknown) => Array.isArray(p) && p.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (isPoint(x)) out.x0 = [x as number[]];
    else if (Array.isArray(x) && x.every(isPoint)) out.x0 = x as number[][];
    else throw inputError(`--spec ${file}: 'x0' expected a point [a, b] or a list of points`);
  }
  for (const k of ['steps', 'epochs', 'seeds'] as const) {
    if (o[k] !== undefined) out[k] = (k === 'epochs' ? epochsFlag : (f: string, t: string) => intFlag(f, t, 1))(`--spec ${file}: '${k}'`, String(o[k]));
  }
  if (o.tol !== undefined) out.tol = numFlag(`--spec ${file}: 'tol'`, String(o.tol), (v) => v > 0, 'a number > 0');
  if (o.targetLoss !== undefined) out.targetLoss = numFlag(`--spec ${file}: 'targetLoss'`, String(o.targetLoss), () => true, 'a number');
  if (o.val !== undefined) out.val = numFlag(`--spec ${file}: 'val'`, String(o.val), (v) => v > 0 && v < 1, 'a fraction in (0, 1)');
  if (o.data !== undefined) out.data = String(o.data);
  if (o.model !== undefined) out.model = String(o.model);
  if (o.batch !== undefined) out.batch = String(o.batch);
  if (o.optimizers !== undefined) out.optimizers = toSpecs('optimizers', o.optimizers);
  if (o.trainOptimizers !== undefined) out.trainOptimizers = toSpecs('trainOptimizers', o.trainOptimizers);
  return out;
}

/** Merges preset, spec file and flags (flags win) into one CompareSpec. */
export function resolveSpec(o: CliOptions): CompareSpec {
  let base: Partial<CompareSpec> = {};
  if (o.preset !== undefined) {
    if (!(o.preset in presets)) throw inputError(`--preset: unknown preset '${o.preset}'; expected one of: ${Object.keys(presets).join(', ')}`);
    base = { ...presets[o.preset] };
  }
  if (o.spec !== undefined) base = { ...base, ...readSpecFile(o.spec) };
  if (o.fn !== undefined) base.function = o.fn;
  if (o.x0.length) base.x0 = o.x0.map((t) => parseX0('--x0', t));
  if (o.opt.length) {
    base.optimizers = o.opt;
    base.trainOptimizers = o.opt;
  }
  if (o.steps !== undefined) base.steps = intFlag('--steps', o.steps, 1);
  if (o.tol !== undefined) base.tol = numFlag('--tol', o.tol, (v) => v > 0, 'a number > 0');
  if (o.data !== undefined) base.data = o.data;
  if (o.model !== undefined) base.model = o.model;
  if (o.epochs !== undefined) base.epochs = epochsFlag('--epochs', o.epochs);
  if (o.seeds !== undefined) base.seeds = intFlag('--seeds', o.seeds, 1);
  if (o.batch !== undefined) base.batch = o.batch;
  if (o.val !== undefined) base.val = numFlag('--val', o.val, (v) => v > 0 && v < 1, 'a fraction in (0, 1)');
  if (o.targetLoss !== undefined) base.targetLoss = numFlag('--target-loss', o.targetLoss, () => true, 'a number');
  if (base.function === undefined && base.data === undefined) throw inputError('compare: give --fn NAME --x0 A,B (a test function), --data NAME (a dataset), --spec FILE or --preset headline');
  const fnOpts = base.optimizers ?? [];
  const trainOpts = base.trainOptimizers ?? base.optimizers ?? [];
  if (base.function !== undefined && fnOpts.length === 0) throw inputError('--opt: give at least one optimizer, for example --opt adam:lr=0.1');
  if (base.data !== undefined && trainOpts.length === 0) throw inputError('--opt: give at least one optimizer, for example --opt adam:lr=0.001');
  if (base.function !== undefined && !(base.x0 && base.x0.length)) throw inputError('--x0: give a start point A,B (repeat --x0 for several starts)');
  const fnName = typeof base.function === 'string' ? base.function : base.function?.name;
  return {
    name: base.name ?? fnName ?? base.data ?? 'compare',
    function: base.function,
    x0: base.x0 ?? [],
    steps: base.steps ?? 1000,
    tol: base.tol ?? 1e-2,
    optimizers: fnOpts,
    data: base.data,
    model: base.model ?? 'mlp:128',
    epochs: base.epochs ?? 5,
    seeds: base.seeds ?? 3,
    batch: base.batch ?? '64',
    val: base.val,
    targetLoss: base.targetLoss ?? 0.3,
    trainOptimizers: trainOpts,
  };
}

/** `train` CLI flags for one run: the contract's kebab-case hyperparameter flags, lists comma-joined. */
function trainArgs(spec: CompareSpec, run: RunSpec, seed: number): string[] {
  const args = ['train', '--data', spec.data as string, '--model', spec.model, '--epochs', String(spec.epochs), '--batch', spec.batch, '--seed', String(seed), '--opt', run.name, '--json'];
  if (spec.val !== undefined) args.push('--val', String(spec.val));
  for (const [k, v] of Object.entries(run.options)) {
    const flag = '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
    args.push(flag, Array.isArray(v) ? v.join(',') : String(v));
  }
  return args;
}

const binPath = fileURLToPath(new URL('../../../bin/descent.js', import.meta.url));

interface EpochLine { epoch: number; trainLoss: number; valLoss?: number; valAccuracy?: number }

/** One training run as a child `descent train --json`; each epoch line is timed as it arrives. */
function trainOnce(args: string[], onEpoch: () => void): Promise<{ epochs: EpochLine[]; times: number[]; done: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [binPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const epochs: EpochLine[] = [];
    const times: number[] = [];
    let done: Record<string, unknown> | undefined;
    let buf = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        let o: Record<string, unknown>;
        try {
          o = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (o.done === true) done = o;
        else if (typeof o.epoch === 'number') {
          epochs.push(o as unknown as EpochLine);
          times.push((performance.now() - t0) / 1000);
          onEpoch();
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (err += c));
    child.on('error', (e) => reject(runError(`compare: could not start the training run (${e.message})`)));
    child.on('close', (code) => {
      if (code !== 0 || !done) {
        const msg = err.trim().split('\n').filter((l) => l.startsWith('descent: error:')).pop()?.replace('descent: error: ', '') ?? `exit status ${code}`;
        const e = code === 2 ? inputError(`training (descent ${args.join(' ')}): ${msg}`) : runError(`training (descent ${args.join(' ')}): ${msg}`);
        reject(e);
        return;
      }
      resolve({ epochs, times, done });
    });
  });
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

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9.+-]+/g, '_');
}

/**
 * The training runs' data and model, checked as `descent train` checks them, before any run starts: the
 * data is read once with train's reader (the same cells, rows and memory limit) and a model too large for
 * memory fails here, with the bytes and the limit, instead of in the first child after the function races.
 */
async function checkTrainingMemory(data: string, modelArg: string): Promise<void> {
  const { kind, hidden } = parseModelArg(modelArg);
  const { all } = loadRows(data, { memoryLimit: memoryLimit() });
  // train's outputs: one for linear and logistic, one per class for softmax and mlp (its default loss is ce)
  const outFeatures = kind === 'linear' || kind === 'logistic' || all.numClasses < 2 ? 1 : all.numClasses;
  const wasm = (await initBackend()) !== null; // the children train on the wasm arena when this platform has it
  checkModelMemory({ kind, hidden, inFeatures: all.d, outFeatures }, {
    limit: modelMemoryLimit(wasm), copies: TRAINING_COPIES, what: `--model ${modelArg}`,
    holds: 'to train (float32 weights, gradients and optimizer state)', advice: 'use smaller hidden widths',
  });
}

async function runCompare(o: CliOptions, command: string): Promise<void> {
  // the training runs are child processes: they inherit the thread count through the environment
  if (o.threads !== undefined) process.env.DESCENT_THREADS = String(resolveThreads(o.threads));
  const spec = resolveSpec(o);
  // the training flags are checked even in a function-only comparison, where they do not apply: a typo is a typo
  if (o.batch !== undefined) parseBatchArg(o.batch);
  if (o.model !== undefined) parseModelArg(o.model);
  // every spec parsed before anything runs or is written: a bad --opt fails fast with exit 2
  const fnRuns = spec.function !== undefined ? spec.optimizers.flatMap((s) => parseRunSpec(s)) : [];
  const trainRuns = spec.data !== undefined ? spec.trainOptimizers.flatMap((s) => parseRunSpec(s)) : [];
  for (const run of trainRuns) {
    // lbfgs-torch trains through `descent train` (one step(closure) per batch); minimize's methods need one fixed
    // full-batch function and race on test functions only
    if (run.name !== 'lbfgs-torch' && isRaceSearchMethod(run.name)) {
      throw inputError(`--opt: '${run.name}' races on a test function only (--fn); training races (--data) take first-order optimizers or lbfgs-torch, since a line search needs one fixed full-batch loss; give --fn with it, or use descent train --opt ${run.name} --batch full`);
    }
  }
  const objective = spec.function !== undefined ? makeObjective(spec.function, spec.x0[0].length) : undefined;
  const outDir = o.out ?? join('reports', slug(spec.name));
  checkOutputDir('--out', outDir);
  // before the data is read, any race or training run: no report file may be the --spec or --data file (a link, a second name)
  const reportNames = new Set(['report.html', 'summary.json']);
  const figureNames = (base: string) => [base, pngPathFor(base)];
  if (objective) {
    for (const p of spec.x0) {
      const base = `${slug(objective.name)}-from-${slug(p.join(','))}`;
      for (const suffix of ['-values', '-evaluations', '']) for (const n of figureNames(`${base}${suffix}.svg`)) reportNames.add(n);
    }
  }
  if (trainRuns.length) for (const c of ['loss-vs-epoch', 'loss-vs-time', 'val-loss', 'val-accuracy']) for (const n of figureNames(`training-${c}.svg`)) reportNames.add(n);
  const reportInputs: RunFile[] = [];
  if (o.spec !== undefined) reportInputs.push({ flag: '--spec', path: o.spec });
  if (typeof spec.data === 'string') reportInputs.push({ flag: o.data !== undefined ? '--data' : `'data' of --spec ${o.spec ?? ''}`, path: spec.data });
  // --landscape adds landscape-LABEL.json (written by the seed-1 child) and each slice's SVG and PNG
  const landscapeName = (name: string) => o.landscape === true && trainRuns.length > 0 && /^landscape-.*\.(json|svg|png)$/.test(name);
  checkFolderOutputs('--out', outDir, (name) => reportNames.has(name) || landscapeName(name), reportInputs);
  if (spec.data !== undefined) {
    // the training runs' own flags, checked before the function races run (their children would say the same, later)
    parseBatchArg(spec.batch);
    await checkTrainingMemory(spec.data as string, spec.model);
  }
  if (objective) for (const p of spec.x0) if (p.length !== objective.n) throw inputError(`--x0: expected ${objective.n} numbers for ${objective.name}, got ${p.length}`);
  const landscapeGrid = landscapeFlags(o, trainRuns.length > 0);
  // every (optimizer, seed) keeps its curves for the report (in memory, then as JSON in the HTML): bounded by the budget
  if (trainRuns.length) {
    const need = trainRuns.length * spec.seeds * (spec.epochs * COMPARE_BYTES_PER_EPOCH + COMPARE_BYTES_PER_SEED);
    const limit = heapMemoryLimit(); // the curves are JavaScript arrays, bounded by V8's heap limit
    if (need > limit.bytes) {
      const most = Math.max(0, Math.floor(limit.bytes / (trainRuns.length * (spec.epochs * COMPARE_BYTES_PER_EPOCH + COMPARE_BYTES_PER_SEED))));
      throw inputError(`--seeds ${spec.seeds}: ${trainRuns.length} optimizers × ${spec.seeds} seeds × ${spec.epochs} epochs of curves need about ${need} bytes for the report, over the limit of ${limit.bytes} bytes (${limit.why}); expected --seeds ${most} or fewer`);
    }
  }

  // one bar over the whole run, in units of work: a race per (optimizer, start), an epoch per (optimizer, seed),
  // a figure (SVG and PNG) per chart; on a terminal only, and never with --json (a machine is reading)
  // per start: f against step, the contour (2-D), and f against evaluations when search methods race
  const searchCharts = fnRuns.some((r) => isRaceSearchMethod(r.name)) ? 1 : 0;
  const figureCount = (objective ? spec.x0.length * ((objective.n === 2 ? 2 : 1) + searchCharts) : 0) + (trainRuns.length ? 4 : 0);
  const total = fnRuns.length * spec.x0.length + trainRuns.length * spec.seeds * spec.epochs + figureCount;
  const bar = o.progress && !o.json && process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: 'compare |{bar}| {value}/{total} | {task}', hideCursor: true, clearOnComplete: true, fps: 10 }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(total, 0, { task: '' });
  const files: string[] = [];
  const functions: FunctionSection[] = [];
  try {
    if (objective) {
      for (const x0 of spec.x0) {
        const results: RaceResult[] = [];
        for (const run of fnRuns) {
          bar?.update({ task: `${run.label} from (${x0.join(', ')})` });
          results.push(race({ objective, x0, run, steps: spec.steps, tol: spec.tol }));
          bar?.increment();
        }
        const { xDomain, yDomain } = sameDomain(objective, [x0]);
        const x = new Float64Array(objective.n);
        const f = objective.n === 2 ? (a: number, b: number) => { x[0] = a; x[1] = b; return objective.value(x); } : undefined;
        functions.push({ fn: objective.name, x0, steps: spec.steps, tol: spec.tol, minimum: objective.minimum, xDomain, yDomain, f, results });
      }
    }
    let training: TrainingSection | undefined;
    const landscapes: LandscapeEntry[] = [];
    // each training run's `compute` (kernels, threads, fused steps) as its child reported it
    const computes = new Map<string, unknown>();
    if (trainRuns.length) {
      const runs: TrainingRun[] = [];
      for (const run of trainRuns) {
        const tr: TrainingRun = { label: run.label, name: run.name, options: run.options, seeds: [], trainLoss: [], valLoss: [], valAccuracy: [], wallSeconds: [], stepsPerEpoch: 0 };
        for (let s = 1; s <= spec.seeds; s++) {
          bar?.update({ task: `${run.label}, seed ${s}` });
          // --landscape: seed 1's run also computes its landscape, as `descent train --landscape FILE.json` does
          const landscapeFile = landscapeGrid !== null && s === 1 ? join(outDir, `landscape-${slug(run.label)}.json`) : null;
          if (landscapeFile) mkdirSync(outDir, { recursive: true });
          const args = trainArgs(spec, run, s);
          if (landscapeFile) args.push('--landscape', landscapeFile, '--landscape-grid', String(landscapeGrid), ...(o.landscapeRows !== undefined ? ['--landscape-rows', o.landscapeRows] : []));
          const r = await trainOnce(args, () => bar?.increment());
          if (landscapeFile) {
            files.push(landscapeFile);
            landscapes.push({ key: slug(run.label), what: `${run.label} (seed 1), ${spec.model} on ${spec.data as string}`, landscape: JSON.parse(readFileSync(landscapeFile, 'utf8')) as LandscapeData });
          }
          tr.seeds.push(s);
          tr.trainLoss.push(r.epochs.map((e) => e.trainLoss));
          tr.valLoss.push(r.epochs.map((e) => e.valLoss ?? NaN));
          tr.valAccuracy.push(r.epochs.map((e) => e.valAccuracy ?? NaN));
          tr.wallSeconds.push(r.times);
          computes.set(run.label, r.done.compute);
          const rows = (r.done.data as { trainRows?: number } | undefined)?.trainRows ?? 0;
          tr.stepsPerEpoch = spec.batch === 'full' ? 1 : Math.ceil(rows / Number(spec.batch));
          if (r.epochs.length < spec.epochs) bar?.increment(spec.epochs - r.epochs.length); // early stop
        }
        runs.push(tr);
      }
      training = { data: spec.data as string, model: spec.model, epochs: spec.epochs, batch: spec.batch === 'full' ? 'full' : Number(spec.batch), targetLoss: spec.targetLoss, runs };
    }

    // every figure as SVG (exact, scalable) and as a PNG beside it (for places that take no SVG)
    const figure = (file: string, svg: string): void => {
      bar?.update({ task: `figure ${basename(file, '.svg')}` });
      atomicWrite(file, svg);
      const png = pngPathFor(file);
      atomicWrite(png, svgToPng(svg));
      files.push(file, png);
      bar?.increment();
    };
    for (const s of functions) {
      const positive = s.results.every((r) => r.values.every((v) => !(v <= 0)));
      figure(join(outDir, `${slug(s.fn)}-from-${slug(s.x0.join(','))}-values.svg`), functionValueChart(s, positive));
      if (hasSearch(s)) figure(join(outDir, `${slug(s.fn)}-from-${slug(s.x0.join(','))}-evaluations.svg`), functionValueChart(s, positive, { against: 'evaluations' }));
      if (!s.f) continue;
      figure(join(outDir, `${slug(s.fn)}-from-${slug(s.x0.join(','))}.svg`), functionContourSvg(s));
    }
    if (training) {
      const charts = Object.entries(trainingCharts(training));
      // without held-out rows there are no validation charts: the bar's total drops to what is left
      if (bar && charts.length < 4) bar.setTotal(total - (4 - charts.length));
      for (const [name, svg] of charts) figure(join(outDir, `training-${name}.svg`), svg);
    }
    for (const l of landscapes) {
      const charts = Object.entries(landscapeCharts(l.landscape, l.key));
      bar?.setTotal(bar.getTotal() + charts.length);
      for (const [kind, svg] of charts) if (svg) figure(join(outDir, `landscape-${l.key}-${kind}.svg`), svg);
    }
    bar?.update({ task: 'report' });
    bar?.stop();
    const reportFile = join(outDir, 'report.html');
    const html = reportHtml({ title: `descent compare: ${spec.name}`, command, functions, training, landscapes, createdAt: new Date().toISOString() });
    const summary = {
      report: reportFile,
      files,
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
    atomicWrite(join(outDir, 'summary.json'), JSON.stringify(summary, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
    atomicWrite(reportFile, html);
    if (o.json) process.stdout.write(JSON.stringify(summary, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n');
    else {
      for (const s of functions) {
        process.stdout.write(`${s.fn} from (${s.x0.join(', ')}), ${s.steps} steps:\n`);
        for (const r of s.results) {
          const unit = r.kind === 'search' ? 'iteration' : 'step';
          const what = r.divergedAt !== null ? `diverged at ${unit} ${r.divergedAt}` : r.reachedAt !== null ? `reached the minimum at ${unit} ${r.reachedAt} (${r.reachedAtEvaluations} evaluations)` : `did not reach the minimum (ended at (${r.finalX.map((v) => v.toPrecision(4)).join(', ')}))`;
          const stop = r.kind === 'search' ? `; stopped: ${r.stopReason}, ${r.steps} iteration${r.steps === 1 ? '' : 's'}, ${r.evaluations} evaluations` : '';
          process.stdout.write(`  ${r.label}: ${what}${stop}\n`);
        }
      }
      if (training) {
        process.stdout.write(`${training.model} on ${training.data}, ${training.epochs} epochs, ${training.runs[0]?.seeds.length ?? 0} seeds:\n`);
        for (const r of training.runs) {
          const acc = meanStd(r.valAccuracy.map((row) => [row[row.length - 1]])).mean[0];
          const loss = meanStd(r.trainLoss.map((row) => [row[row.length - 1]])).mean[0];
          process.stdout.write(`  ${r.label}: train loss ${loss.toPrecision(4)}, val accuracy ${acc.toFixed(4)}\n`);
        }
      }
      process.stdout.write(`report: ${reportFile}\n`);
    }
  } finally {
    bar?.stop();
  }
}

/** --landscape (training races only) and --landscape-grid N: the grid size, or null without --landscape. */
function landscapeFlags(o: CliOptions, training: boolean): number | null {
  if (!o.landscape) {
    if (o.landscapeGrid !== undefined) throw inputError('--landscape-grid: needs --landscape');
    if (o.landscapeRows !== undefined) throw inputError('--landscape-rows: needs --landscape');
    return null;
  }
  if (!training) throw inputError('--landscape: needs training runs (--data NAME); a landscape is of a trained network');
  const grid = o.landscapeGrid === undefined ? 41 : Number(o.landscapeGrid);
  if (!/^\s*\d+\s*$/.test(o.landscapeGrid ?? '41') || !Number.isInteger(grid) || grid < 3 || grid > 201) throw inputError(`--landscape-grid: expected an integer in [3, 201], got '${String(o.landscapeGrid)}'`);
  landscapeRows(o.landscapeRows); // checked here, before any run, as train checks it
  return grid;
}

function collect(v: string, prev: string[]): string[] {
  return prev.concat([v]);
}

export function register(program: Command): void {
  program
    .command('compare')
    .description('compare optimizers side by side on a test function and/or a dataset; writes a self-contained HTML report and every figure as SVG and PNG')
    .option('--preset <NAME>', 'a built-in comparison: headline (npm start)')
    .option('--spec <FILE>', 'a JSON file with the comparison (function, x0, steps, optimizers, data, model, epochs, seeds, ...)')
    .option('--opt <SPEC>', "an optimizer: [label=]name[:key=value,...]; ';' in a scalar value is a grid (lr=0.001;0.01), repeatable; on a function also the search methods (bfgs:gtol=1e-8, newton, lbfgs, cg, gd-backtracking, lbfgs-torch)", collect, [])
    .option('--fn <NAME>', 'a test function (beale, rosenbrock, ...)')
    .option('--x0 <A,B>', 'a start point, repeatable', collect, [])
    .option('--steps <N>', 'optimizer steps on the function, iterations for search methods (default 1000)')
    .option('--tol <X>', 'distance to the minimum that counts as reaching it (default 0.01)')
    .option('--data <NAME>', 'a dataset for training runs (mnist, digits, iris, ... or FILE.csv)')
    .option('--model <SPEC>', 'model for training runs (default mlp:128)')
    .option('--epochs <N>', 'epochs per training run, at least 1 (default 5)')
    .option('--seeds <N>', 'seeds per optimizer (default 3)')
    .option('--threads <n>', `${threadsHelp}; passed to every training run`)
    .option('--batch <N>', 'batch size or full (default 64)')
    .option('--val <F>', 'validation fraction (the dataset default otherwise)')
    .option('--target-loss <X>', 'train loss for the steps-to-target column (default 0.3)')
    .option('--out <DIR>', 'output folder (default reports/<name>)')
    .option('--landscape', 'with --data: each optimizer\'s seed-1 run also computes its loss landscape (as train --landscape), shown in the report and kept as landscape-LABEL.json')
    .option('--landscape-grid <n>', 'grid points per axis of each landscape slice (default 41)')
    .option('--landscape-rows <n|all>', 'training rows each landscape point evaluates (as train --landscape-rows)')
    .option('--json', 'print a summary object on stdout')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: CliOptions) => {
      const command = 'descent ' + process.argv.slice(2).join(' ');
      await runCompare(opts, command);
    });
}
