/**
 * `descent compare`: several optimizers side by side on one test function (from one or more starts) and/or one
 * dataset and model over several seeds, written as one self-contained HTML report plus static figures, each as SVG and PNG.
 * `--preset headline` (npm start) is the lectures' comparison: the classic optimizers on Beale from (2, −2) and
 * (−3, 3), capped at 10,000 steps, and the MNIST MLP trained with four optimizers over 3 seeds.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { inputError } from '../../errors.js';
import { parseStrictJson } from '../../io/strict-json.js';
import { checkOutputDir } from '../output-paths.js';
import { checkFolderOutputs, type RunFile } from '../../io/output-policy.js';
import { pngPathFor, svgToPng } from '../png.js';
import { parseBatchArg } from '../../data/index.js';
import { makeObjective } from '../../objectives/index.js';
import { parseModelArg } from '../../nn/index.js';
import { computeReport, startFastPath, threadsHelp } from '../fast-path.js';
import { loadDataset } from '../../node/datasets.js';
import { resolveThreads } from '../../tensor/backend-node.js';
import { nodeRunFiles } from '../../node/files.js';
import { heapMemoryLimit, memoryLimit, modelMemoryLimit } from '../limits.js';
import { landscapeRows } from '../data-flags.js';
import type { ObjectiveSpec } from '../../objectives/index.js';
import { compare, compareSummaryJson, compareText, parseRunSpec, type CompareResult } from '../../report/index.js';

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

async function runCompare(o: CliOptions, command: string): Promise<void> {
  // a bad --threads fails first, as before any work; the fast path itself starts only for training runs
  const threads = o.threads === undefined ? undefined : resolveThreads(o.threads);
  const spec = resolveSpec(o);
  // the training flags are checked even in a function-only comparison, where they do not apply: a typo is a typo
  if (o.batch !== undefined) parseBatchArg(o.batch);
  if (o.model !== undefined) parseModelArg(o.model);
  // every spec parsed before anything runs or is written: a bad --opt fails fast with exit 2
  const optimizers = spec.function !== undefined ? spec.optimizers.flatMap((s) => parseRunSpec(s)) : [];
  const trainOptimizers = spec.data !== undefined ? spec.trainOptimizers.flatMap((s) => parseRunSpec(s)) : [];
  const batch = spec.data !== undefined ? parseBatchArg(spec.batch) : 'full';
  const out = o.out ?? join('reports', slug(spec.name));
  checkOutputDir('--out', out);
  // before the data is read, any race or training run: no report file may be the --spec or --data file (a link, a second name)
  const reportNames = new Set(['report.html', 'summary.json']);
  const figureNames = (base: string) => [base, pngPathFor(base)];
  if (spec.function !== undefined && spec.x0.length) {
    const fn = makeObjective(spec.function, spec.x0[0].length).name;
    for (const p of spec.x0) {
      const base = `${slug(fn)}-from-${slug(p.join(','))}`;
      for (const suffix of ['-values', '-evaluations', '']) for (const n of figureNames(`${base}${suffix}.svg`)) reportNames.add(n);
    }
  }
  if (trainOptimizers.length) for (const c of ['loss-vs-epoch', 'loss-vs-time', 'val-loss', 'val-accuracy']) for (const n of figureNames(`training-${c}.svg`)) reportNames.add(n);
  const reportInputs: RunFile[] = [];
  if (o.spec !== undefined) reportInputs.push({ flag: '--spec', path: o.spec });
  if (typeof spec.data === 'string') reportInputs.push({ flag: o.data !== undefined ? '--data' : `'data' of --spec ${o.spec ?? ''}`, path: spec.data });
  // --landscape adds landscape-LABEL.json and each slice's SVG and PNG
  const landscapeName = (name: string) => o.landscape === true && trainOptimizers.length > 0 && /^landscape-.*\.(json|svg|png)$/.test(name);
  checkFolderOutputs('--out', out, (name) => reportNames.has(name) || landscapeName(name), reportInputs);
  const landscape = landscapeFlags(o, trainOptimizers.length > 0);
  // the training data is read once, as descent train reads it (the same cells, rows and memory limit)
  const data = spec.data !== undefined ? loadDataset(spec.data, { val: spec.val, memoryLimit: memoryLimit() }) : undefined;
  // the training runs train in this process, on the fast path that starts here (--threads, DESCENT_THREADS)
  if (data) startFastPath(threads);
  const bar = o.progress && !o.json && process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: 'compare |{bar}| {value}/{total} | {task}', hideCursor: true, clearOnComplete: true, fps: 10 }, cliProgress.Presets.shades_classic)
    : undefined;
  let r: CompareResult;
  try {
    r = await compare({
      name: spec.name, function: spec.function, x0: spec.x0, steps: spec.steps, tol: spec.tol, optimizers,
      training: data && {
        data, model: spec.model, epochs: spec.epochs, seeds: spec.seeds, batch, targetLoss: spec.targetLoss, optimizers: trainOptimizers, val: spec.val, ...(landscape ? { landscape } : {}),
      },
      out, command, memoryLimit: modelMemoryLimit, curvesLimit: heapMemoryLimit(),
    }, {
      files: nodeRunFiles,
      png: (svg) => svgToPng(svg),
      compute: computeReport,
      progress: bar && {
        start: (total) => bar.start(total, 0, { task: '' }),
        update: (task) => bar.update({ task }),
        increment: (units = 1) => bar.increment(units),
        setTotal: (total) => bar.setTotal(total),
      },
    });
  } finally {
    bar?.stop();
  }
  process.stdout.write(o.json ? compareSummaryJson(r.summary) + '\n' : compareText(r));
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9.+-]+/g, '_');
}

/** --landscape (training races only), --landscape-grid N and --landscape-rows: the grid size and rows, or null without --landscape. */
function landscapeFlags(o: CliOptions, training: boolean): { grid: number; rows: number } | null {
  if (!o.landscape) {
    if (o.landscapeGrid !== undefined) throw inputError('--landscape-grid: needs --landscape');
    if (o.landscapeRows !== undefined) throw inputError('--landscape-rows: needs --landscape');
    return null;
  }
  if (!training) throw inputError('--landscape: needs training runs (--data NAME); a landscape is of a trained network');
  const grid = o.landscapeGrid === undefined ? 41 : Number(o.landscapeGrid);
  if (!/^\s*\d+\s*$/.test(o.landscapeGrid ?? '41') || !Number.isInteger(grid) || grid < 3 || grid > 201) throw inputError(`--landscape-grid: expected an integer in [3, 201], got '${String(o.landscapeGrid)}'`);
  // checked here, before any run, as train checks it
  return { grid, rows: landscapeRows(o.landscapeRows) };
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
