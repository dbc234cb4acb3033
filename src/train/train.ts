/**
 * `train(config)`: everything `descent train` does, as a library call. A typed config (the dataset from
 * `loadDataset`, the model, loss, optimizer, schedule, batches, stopping, transfer and resume) goes in; the
 * trained model, its metrics per epoch and a summary come out. Three loops, by optimizer:
 *   - first-order optimizers (sgd, adam, ...): the Trainer, minibatches, a schedule, checkpoints;
 *   - line-search methods (lbfgs, bfgs, cg, newton, gd-backtracking): full-batch minimize over the
 *     flat parameters, one iteration reported as one epoch;
 *   - lbfgs-torch: torch.optim.LBFGS, one step(closure) per batch.
 * Files (a run folder, --save, --checkpoint) are written through `hooks.files`, so this module runs in a
 * browser too; on Node, `nodeRunFiles` (descent/node) writes them atomically.
 */
import { inputError, runError, unknownName } from '../errors.js';
import { add } from '../autograd/ops.js';
import { tensor, withArena } from '../autograd/index.js';
import { toFloat64, type LoadedDataset } from '../data/load-dataset.js';
import type { Dataset } from '../data/dataset.js';
import {
  buildModel, l1Penalty, l2Penalty, lossByName, parseModelArg, type Activation, type LossName, type MemoryBudget, type Sequential,
} from '../nn/index.js';
import { createOptimizer, isOptimizerName, optimizers, resolveOptions } from '../optim/index.js';
import { createSchedule, parseScheduleArg, type ScheduleSpec } from '../schedule/index.js';
import { WeightAveraging, type AveragingConfig } from './averaging.js';
import { checkFullBatch, minimizeParams } from '../search/index.js';
import { Arena } from '../tensor/arena.js';
import { initBackend, installWasmKernels } from '../tensor/backend.js';
import { Rng } from '../tensor/rng.js';
import { loadCheckpoint, serializeCheckpoint, type CheckpointContents } from './checkpoint.js';
import { muonGroups, sparseAdamGroups, trainableGroups } from './ensemble-fit.js';
import { fitLbfgsTorch } from './lbfgs-torch-fit.js';
import { lossCurveSvg } from '../viz/loss-curve.js';
import { modelBytes, type ModelMeta } from './model-file.js';
import { Trainer, evaluate, type EpochMetrics } from './trainer.js';
import { initFrom, parseFreeze, type InitReport } from './transfer.js';

/** File access for a run: whole files, written so that a reader never sees half of one. */
export interface RunFiles {
  /** Writes `data` to `path` (atomically on Node). */
  write(path: string, data: string | Uint8Array): void;
  /** Creates a folder and its parents. */
  mkdir(path: string): void;
  /** `dir/name` in the host's path syntax. */
  join(dir: string, name: string): string;
}

/** An optimizer or search method by name with its options (torch's names: lr, betas, weightDecay, ...). */
export interface TrainOptimizer {
  /** Default adam; left out, a built-in's recipe (its lr and schedule) applies when model and lr are left out too. */
  name?: string;
  [option: string]: unknown;
}

/** Model tensors by state_dict name, as parseSafetensors and parseModelFile give them. */
export type StateTensors = Record<string, { shape: number[]; data: Float32Array | Float64Array }>;

/** The settings of one training run: everything `descent train` takes, typed; every field but `data` has the CLI's default. */
export interface TrainConfig {
  /** The dataset, split and standardized (`loadDataset`). */
  data: LoadedDataset;
  /** linear | logistic | softmax | mlp:H1,H2,... (default: the built-in's, else softmax for classes, linear otherwise). */
  model?: string;
  /** Hidden activation of an mlp (default relu). */
  activation?: Activation;
  /** Dropout probability after each hidden activation (default: the built-in's with its default model, else 0). */
  dropout?: number;
  /** Default: linear → mse, logistic → bce, others → ce. */
  loss?: LossName;
  /** λ·Σ|W| and λ·ΣW² over the weight matrices, added to the loss for the gradient only. */
  l1?: number;
  l2?: number;
  /** Default adam with torch's defaults (a built-in's recipe when model, optimizer and lr are all left out). */
  optimizer?: TrainOptimizer;
  /** A learning-rate schedule as NAME:KEY=VALUE,... text or a parsed spec; it starts from the optimizer's lr. */
  schedule?: string | ScheduleSpec;
  /** Step the schedule once per epoch (default) or after every batch. */
  scheduleEvery?: 'epoch' | 'batch';
  /**
   * Weight averaging (torch.optim.swa_utils): `{ ema: decay }` after every step, or `{ swaStart, swaLr,
   * swaAnnealEpochs?, swaAnneal? }` (SWA with SWALR from the end of epoch swaStart on). Validation and the saved
   * model are the average; the checkpoint holds both.
   */
  averaging?: AveragingConfig;
  /** Rows per batch, or 'full' (default 64 for built-ins, 32 for files). */
  batch?: number | 'full';
  /** Epochs in all, counting those of a resumed run (default 20; a built-in's own); 0 trains nothing. */
  epochs?: number;
  /** Seed of the initialization, dropout masks and shuffles (default 0). */
  seed?: number;
  /** A fresh seeded permutation each epoch (default true) or file order. */
  shuffle?: boolean;
  clipNorm?: number;
  clipValue?: number;
  /** Stop after this many epochs without a lower validation loss and keep the best weights (0: off). */
  earlyStopping?: number;
  /** A non-finite batch: stop the run (default) or skip it. */
  onNonfinite?: 'stop' | 'skip-batch';
  /** Initial weights; `newHead` loads every layer but the output layer (transfer learning). `source` names them in messages. */
  init?: { tensors: StateTensors; source: string; newHead?: boolean };
  /** Layer indices or parameter names kept fixed, e.g. '0,2'. */
  freeze?: string;
  /** Continue from a checkpoint made with the same settings (read lazily: a function is called only once the other settings are checked). */
  resume?: {
    /** The parsed checkpoint, or a function that reads and parses it (called after the other settings are checked). */
    checkpoint: CheckpointContents | (() => CheckpointContents);
    /** Names the checkpoint in messages (e.g. `--resume FILE`). */
    source: string;
  };
  /**
   * The precision of the model, its gradients, optimizer state and the data it trains on (default float32, as
   * torch's default; float64 is `model.double()`, for full-batch quasi-Newton fits to their optimum). float64
   * runs on the TypeScript kernels.
   */
  dtype?: 'float32' | 'float64';
  /** The largest model accepted (given whether the wasm arena holds it); none by default. */
  memoryLimit?: (wasm: boolean) => MemoryBudget;
  /** Write the final model here (needs `hooks.files`). */
  save?: string;
  /** A run folder: config.json, metrics.jsonl, model.safetensors, loss-curve.svg (needs `hooks.files`). */
  out?: string;
  /** Write a checkpoint here after every epoch (needs `hooks.files`). */
  checkpoint?: string;
  /**
   * Where an interrupted run writes its checkpoint when neither `checkpoint` nor `out` is set: a path, or a
   * function called at the interrupt (so a free name is chosen then); null: nowhere (the folder is not writable).
   */
  interruptCheckpoint?: string | (() => string | null);
  /** The data file's size and SHA-256, recorded in checkpoints; a resumed run on other data is refused, saying what changed. */
  dataFile?: { bytes: number; sha256: string };
}

/** A checkpoint's recorded data file against this run's: refused, saying what changed, when they differ. */
function checkSameData(source: string, recorded: unknown, now: { bytes: number; sha256: string } | undefined): void {
  if (recorded === undefined || now === undefined) return;
  const r = recorded as { bytes?: unknown; sha256?: unknown };
  if (typeof r.bytes !== 'number' || typeof r.sha256 !== 'string') throw inputError(`${source}: checkpoint field config.dataFile: expected {bytes, sha256}`);
  if (r.bytes === now.bytes && r.sha256 === now.sha256) return;
  const what = r.bytes !== now.bytes ? `it had ${r.bytes} bytes, now ${now.bytes}` : `same size (${now.bytes} bytes), but the contents differ (SHA-256 ${r.sha256.slice(0, 12)}…, now ${now.sha256.slice(0, 12)}…)`;
  throw inputError(`${source}: the data file changed since the checkpoint was written: ${what}; resume with the data the run started with`);
}

/** What a run is about to do, said once every setting has been checked. */
export interface TrainStart {
  /** The dataset's line (rows, split, standardization). */
  dataNote: string;
  /** The model, loss, optimizer, schedule and batches, in one line. */
  modelNote: string;
  /** What --init loaded and what --freeze keeps fixed, one line each. */
  transferNotes: string[];
  /** Set when a checkpoint was loaded. */
  resumed?: { epoch: number; batchInEpoch: number };
  model: Sequential;
}

/** What a run reports and how it reaches files, signals and the UI: every hook is optional. */
export interface TrainHooks {
  /** File access, for `save`, `out` and `checkpoint`. */
  files?: RunFiles;
  /** Called once, after every setting is checked and before the first step. */
  onStart?(start: TrainStart): void;
  /** Each epoch's metrics as it closes (for search methods: each iteration). */
  onEpoch?(metrics: EpochMetrics, epochs: number): void;
  /** Side remarks about the settings (e.g. early stopping without validation rows). */
  onNote?(line: string): void;
  /** An epoch starts: `batches` batches (first-order optimizers). */
  onEpochStart?(epoch: number, epochs: number, batches: number): void;
  /** About every 50 ms within an epoch: batches done, the running loss, samples per second. */
  onProgress?(batch: number, meanLoss: number, samplesPerSecond: number): void;
  /** Lets signals and the UI run (default: a macrotask through setTimeout). */
  yield?(): Promise<void>;
  /** Checked after each batch: true ends the run after writing a checkpoint (Ctrl-C). */
  interrupted?(): boolean;
}

/** A finished (or interrupted) run: the trained model, its metrics, and the summary `descent train --json` prints. */
export interface TrainResult {
  /** 'first-order' (Trainer), 'search' (minimize), 'lbfgs-torch'. */
  kind: 'first-order' | 'search' | 'lbfgs-torch';
  model: Sequential;
  history: EpochMetrics[];
  /** The contract's final JSON line ({"done": true, ...}). */
  summary: Record<string, unknown>;
  /** Set when `hooks.interrupted()` ended the run: where the checkpoint went. */
  interrupted?: { epoch: number; batchInEpoch: number; checkpoint: string | null };
  /** Search methods: iterations, evaluations and why the search stopped. */
  search?: { method: string; nit: number; evaluations: number; reason: string; fun: number };
  /** Final validation loss and accuracy, when there are validation rows. */
  final?: { loss: number; accuracy?: number };
  seconds: number;
  samplesPerSecond?: number;
  stoppedEarly?: boolean;
  restoredBest?: boolean;
  /** The metadata saved beside the model (what eval needs). */
  meta: ModelMeta;
  /** The resolved settings (config.json of a run folder; checked on resume). */
  record: Record<string, unknown>;
}

/** The settings a resumed run must share with its checkpoint. */
const CHECK_KEYS = ['data', 'target', 'val', 'standardize', 'model', 'activation', 'dropout', 'loss', 'l1', 'l2', 'opt', 'schedule', 'batch', 'seed', 'shuffle', 'clipNorm', 'clipValue', 'earlyStopping', 'scheduleEvery', 'dtype', 'averaging'];

const defaultLoss = (kind: string): LossName => (kind === 'linear' ? 'mse' : kind === 'logistic' ? 'bce' : 'ce');

/** The targets must fit the loss: class indices 0..K−1 for ce and hinge, 0/1 for bce. */
function checkTargets(all: Dataset, lossName: LossName): number {
  const K = all.numClasses;
  if (lossName === 'ce' || lossName === 'hinge') {
    if (K < 2) {
      const y = all.y;
      let i = 0;
      while (i < y.length && Number.isInteger(y[i]) && y[i] >= 0) i++;
      const where = i < y.length ? `; row ${i + 1} has ${y[i]}` : '; it has a single class';
      throw inputError(`--loss ${lossName}: target '${all.targetName}' must hold class indices 0..K-1 (K >= 2)${where}; use --loss mse for a numeric target`);
    }
    // a class index far past the rows (1e8 in a column of 150) is a numeric target, not 10^8 classes
    if (K > all.n) {
      let i = 0;
      while (i < all.y.length && all.y[i] !== K - 1) i++;
      throw inputError(`--loss ${lossName}: target '${all.targetName}' holds class index ${K - 1} (row ${i + 1}), more classes than the ${all.n} rows; expected class indices 0..K-1, or --loss mse for a numeric target`);
    }
    return K;
  }
  if (lossName === 'bce') {
    for (let i = 0; i < all.n; i++) {
      const v = all.y[i];
      if (v !== 0 && v !== 1) throw inputError(`--loss bce: target '${all.targetName}' must be 0 or 1; row ${i + 1} has ${v}`);
    }
  }
  return 1;
}

function needFiles(hooks: TrainHooks, what: string): RunFiles {
  if (!hooks.files) throw inputError(`${what}: writing files needs hooks.files (nodeRunFiles on Node)`);
  return hooks.files;
}

const flagName = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Trains a model as `descent train` does: the flags' settings as a typed {@link TrainConfig} (defaults there), one
 * call, and the run's model, per-epoch metrics and summary back. First-order optimizers run the {@link Trainer}'s
 * minibatch loop; the search methods (lbfgs, bfgs, newton, cg, ...) fit full-batch through {@link minimizeParams},
 * lbfgs-torch as torch.optim.LBFGS. Files (save, out, checkpoint) go through `hooks.files` (nodeRunFiles on Node);
 * without it nothing is written. Bad settings throw an input error naming the setting.
 *
 * @example
 * ```ts
 * import { train, evaluate } from 'descent';
 * import { loadDataset } from 'descent/node';
 * // L2 logistic regression, fitted to sklearn's LogisticRegression(C=1) optimum: l2 = 1/(2·C·n), in float64
 * const cancer = loadDataset('breast-cancer', { val: 0, float64: true });
 * const fit = await train({
 *   data: cancer, model: 'logistic', l2: 1 / (2 * cancer.train.n), optimizer: { name: 'lbfgs', gtol: 1e-10 },
 *   batch: 'full', epochs: 1000, dtype: 'float64',
 * });
 * fit.search;                              // { method: 'lbfgs', nit: 63, evaluations: 70, reason: 'gtol', ... }
 * evaluate(fit.model, 'bce', cancer.train); // { loss: 0.0533918575..., accuracy: 0.98769... }
 * ```
 */
export async function train(config: TrainConfig, hooks: TrainHooks = {}): Promise<TrainResult> {
  const c = config;
  const data = c.data;
  const dtype = c.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw inputError(`--dtype: expected float32 or float64, got '${String(dtype)}'`);
  // float64 features for a float64 model (rows read as float32 are widened; loadDataset({ float64: true }) keeps the file's digits)
  const trainRows = dtype === 'float64' ? toFloat64(data.train) : data.train;
  const val = data.val && dtype === 'float64' ? toFloat64(data.val) : data.val;
  // the wasm SIMD kernels behind the same autograd calls; the reference TS kernels where there is no wasm
  await initBackend();
  const wasm = installWasmKernels();
  const builtin = data.builtin;
  const modelArg = c.model ?? builtin?.model ?? (data.all.numClasses > 0 ? 'softmax' : 'linear');
  const { kind, hidden, sparse } = parseModelArg(modelArg);
  const activation = c.activation ?? 'relu';
  const dropout = c.dropout ?? (c.model === undefined ? builtin?.dropout : undefined) ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw inputError(`--dropout: expected a probability in [0, 1), got '${dropout}'`);
  if (c.activation !== undefined && !['relu', 'sigmoid', 'tanh'].includes(c.activation)) throw unknownName('activation', c.activation, ['relu', 'sigmoid', 'tanh']);
  // a model without hidden layers has no activation and nowhere to drop out: say so, never ignore the setting
  if (kind !== 'mlp') {
    if (c.activation !== undefined) throw inputError(`--activation: the ${kind} model has no hidden layers, so no activation; expected --model mlp:H1,... to use it`);
    if (c.dropout !== undefined && c.dropout !== 0) throw inputError(`--dropout: the ${kind} model has no hidden layers, so nothing to drop out; expected --model mlp:H1,... to use it`);
  }
  if (c.init !== undefined && c.resume !== undefined) throw inputError('--init: not used with --resume (the checkpoint holds the weights); give one of them');
  const lossName = c.loss ?? defaultLoss(kind);
  lossByName(lossName); // unknown names fail with the list
  const outFeatures = checkTargets(data.all, lossName);
  const K = data.all.numClasses;
  const seed = c.seed ?? 0;
  const batch = c.batch === undefined ? Math.min(builtin ? 64 : 32, trainRows.n) : c.batch === 'full' ? 'full' : Math.min(c.batch, trainRows.n);
  const epochs = c.epochs ?? builtin?.epochs ?? 20;
  // a built-in's default recipe (mnist: cosine over the epochs at lr 0.002) only when none of its parts is chosen
  const { name: givenName, ...given } = c.optimizer ?? {};
  const defaultRecipe = c.model === undefined && givenName === undefined && given.lr === undefined;
  let schedule = c.schedule;
  if (defaultRecipe && schedule === undefined && builtin?.schedule) schedule = builtin.schedule.replace('{epochs}', String(epochs));
  const optName = givenName ?? 'adam';
  const optSpec: TrainOptimizer & { name: string } = { name: optName, ...(defaultRecipe && builtin?.lr !== undefined ? { lr: builtin.lr } : {}), ...given };
  const l1 = c.l1 ?? 0, l2 = c.l2 ?? 0;
  const earlyStopping = c.earlyStopping ?? 0;
  if (earlyStopping && !val) hooks.onNote?.('--early-stopping watches the train loss (no validation rows; add --val F)');
  const defaultLr = isOptimizerName(optName) ? (optimizers[optName] as { defaults: Record<string, unknown> }).defaults.lr : 0;
  if (optSpec.lr === undefined && (defaultLr === undefined || Number.isNaN(defaultLr))) {
    throw inputError(`--lr: required for ${optName} (torch.optim has no default learning rate for it)`);
  }
  const shuffle = c.shuffle ?? true;
  const onNonfinite = c.onNonfinite ?? 'stop';
  if (onNonfinite !== 'stop' && onNonfinite !== 'skip-batch') throw inputError(`--on-nonfinite: expected stop or skip-batch, got '${String(onNonfinite)}'`);
  const scheduleEvery = c.scheduleEvery ?? 'epoch';
  if (scheduleEvery !== 'epoch' && scheduleEvery !== 'batch') throw inputError(`--schedule-every: expected epoch or batch, got '${String(scheduleEvery)}'`);
  if ((c.save !== undefined || c.out !== undefined || c.checkpoint !== undefined) && !hooks.files) needFiles(hooks, c.save !== undefined ? 'save' : c.out !== undefined ? 'out' : 'checkpoint');

  const model = buildModel({ kind, hidden, sparse, activation, dropout, inFeatures: trainRows.d, outFeatures, rng: new Rng(seed), dtype, memoryLimit: c.memoryLimit?.(wasm) });
  const transferNotes: string[] = [];
  if (c.init !== undefined) {
    // transfer learning (docs/transfer.md): newHead loads the body by name and shape, the output layer starts fresh
    // what a transfer run loaded (and what starts fresh) is said before training, never silently
    const from = c.init.source.replace(/^--init /, '');
    if (c.init.newHead) {
      const r: InitReport = initFrom(model, c.init.tensors, { newHead: true, requireBody: true, source: c.init.source });
      transferNotes.push(`init: loaded ${r.loaded.length} tensors from ${from} (${r.loaded.join(', ')}); new head, initialized fresh: ${r.reinitialized.join(', ')}`);
    } else {
      model.loadStateDict(c.init.tensors, c.init.source);
      const names = model.parameters().map((p) => p.name);
      transferNotes.push(`init: loaded ${names.length} tensors from ${from} (${names.join(', ')})`);
    }
  }
  // frozen parameters are left out of the optimizer, so they stay bit-identical
  const frozen = c.freeze !== undefined ? parseFreeze(c.freeze, model) : undefined;
  if (frozen) transferNotes.push(`frozen: ${[...frozen].join(', ')} (${model.parameters().filter((p) => frozen.has(p.name)).reduce((a, p) => a + p.size, 0)} parameters kept fixed)`);
  const meta: ModelMeta = {
    model: modelArg, activation, dropout, loss: lossName, numClasses: K, data: data.name, target: data.all.targetName, val: data.valFraction,
    standardize: data.standardizer ? { mean: Array.from(data.standardizer.mean), std: Array.from(data.standardizer.std) } : undefined,
  };
  const scheduleText = schedule === undefined ? undefined : typeof schedule === 'string' ? schedule : JSON.stringify(schedule);
  const record: Record<string, unknown> = {
    data: data.name, target: data.all.targetName, val: data.valFraction, standardize: data.standardized, model: modelArg, activation, dropout,
    loss: lossName, l1, l2, opt: optSpec, schedule: scheduleText ?? null, batch, epochs, seed, shuffle,
    clipNorm: c.clipNorm ?? null, clipValue: c.clipValue ?? null, earlyStopping, scheduleEvery, onNonfinite, dtype,
    ...(c.averaging ? { averaging: c.averaging } : {}),
    ...(c.dataFile ? { dataFile: c.dataFile } : {}),
  };
  const files = hooks.files;
  const outDir = c.out;
  const start: TrainStart = {
    dataNote: data.note,
    modelNote: `model: ${modelArg}${kind === 'mlp' ? ` ${activation}` : ''}${dropout ? ` dropout ${dropout}` : ''} (${model.numParams} parameters), loss ${lossName}${l1 ? `, l1 ${l1}` : ''}${l2 ? `, l2 ${l2}` : ''}; ` +
      `${optName} ${JSON.stringify(optSpec).replace(/"/g, '')}${scheduleText !== undefined ? `, schedule ${scheduleText}` : ''}; batch ${batch}; ${epochs} epochs; seed ${seed}${shuffle ? '' : ', no shuffle'}${dtype === 'float64' ? '; float64' : ''}`,
    transferNotes, model,
  };
  // said (and the run folder started) only once every setting has been checked
  const announce = () => {
    if (outDir !== undefined) {
      files!.mkdir(outDir);
      files!.write(files!.join(outDir, 'config.json'), JSON.stringify(record, null, 2) + '\n');
    }
    hooks.onStart?.(start);
  };
  const writeModelFiles = (history: EpochMetrics[]) => {
    if (c.save !== undefined) files!.write(c.save, modelBytes(model, meta));
    if (outDir !== undefined) {
      files!.write(files!.join(outDir, 'model.safetensors'), modelBytes(model, meta));
      files!.write(files!.join(outDir, 'loss-curve.svg'), lossCurveSvg(history, data.name));
    }
  };
  const notAvailable = (with_: string, why: string) => {
    for (const k of ['checkpoint', 'resume', 'schedule', 'earlyStopping', 'clipNorm', 'clipValue', 'freeze'] as const) {
      const v = k === 'schedule' ? schedule : k === 'earlyStopping' ? c.earlyStopping : c[k];
      if (v !== undefined) throw inputError(`--${flagName(k)}: not available with '${with_}' (${why})`);
    }
    if (c.averaging) throw inputError(`--${'ema' in c.averaging ? 'ema' : 'swa-start'}: not available with '${with_}' (${why})`);
  };

  // torch.optim.LBFGS: one step(closure) per batch, any batch size (src/train/lbfgs-torch-fit.ts)
  if (optName === 'lbfgs-torch') {
    if (onNonfinite !== 'stop') throw inputError(`--on-nonfinite ${onNonfinite}: not available with 'lbfgs-torch' (its closure is evaluated several times a step)`);
    notAvailable('lbfgs-torch', 'use a first-order optimizer for it');
    announce();
    const { name: _n, ...hyper } = optSpec;
    void _n;
    const t0 = performance.now();
    const res = fitLbfgsTorch({
      model, loss: lossName, train: trainRows, val, batch, shuffle, rng: new Rng(seed + 1), epochs, l1, l2, optimizer: hyper,
      onEpoch: (m) => hooks.onEpoch?.(m, epochs),
    });
    const seconds = (performance.now() - t0) / 1000;
    if (outDir !== undefined) files!.write(files!.join(outDir, 'metrics.jsonl'), res.history.map((m) => JSON.stringify(m)).join('\n') + '\n');
    writeModelFiles(res.history);
    const last = res.history[res.history.length - 1];
    const fv = val ? evaluate(model, lossName, val) : undefined;
    const summary = {
      done: true, epochs: res.history.length, trainLoss: last?.trainLoss ?? null, evaluations: res.evaluations,
      ...(fv ? { valLoss: fv.loss, ...(fv.accuracy !== undefined ? { valAccuracy: fv.accuracy } : {}) } : {}),
      data: { name: data.name, trainRows: trainRows.n, valRows: val?.n ?? 0, valFraction: data.valFraction, standardized: data.standardized, shuffled: shuffle },
      seconds: Number(seconds.toFixed(3)),
      ...(c.save !== undefined ? { save: c.save } : {}), ...(outDir !== undefined ? { out: outDir } : {}),
    };
    return { kind: 'lbfgs-torch', model, history: res.history, summary, final: fv, seconds, meta, record, search: { method: optName, nit: res.history.length, evaluations: res.evaluations, reason: 'epochs', fun: last?.trainLoss ?? NaN } };
  }

  // line-search methods: full-batch minimize over the flat parameters (src/search), one iteration per "epoch"
  if (!isOptimizerName(optName)) {
    checkFullBatch(optName, batch === trainRows.n ? 'full' : batch);
    if (onNonfinite !== 'stop') throw inputError(`--on-nonfinite ${onNonfinite}: needs a first-order optimizer ('${optName}' is a full-batch line-search method)`);
    notAvailable(optName, 'a first-order optimizer is needed');
    announce();
    return runSearch(optName, optSpec, { model, lossName, train: trainRows, val, epochs, l1, l2 }, hooks, { meta, record, writeModelFiles, outDir });
  }

  const { name: _name, ...hyper } = optSpec;
  void _name;
  // a per-tensor rule (adafactor, muon) takes each parameter tensor as its own group, with its shape; muon
  // takes the hidden 2-D weights, AdamW the rest (muonGroups), which the run's config records
  const perTensor = (optimizers[optName] as { perTensor?: boolean }).perTensor === true;
  let groups = frozen || perTensor ? trainableGroups(model, frozen ?? new Set(), perTensor) : { params: model.params, grads: model.grads };
  if (optName === 'muon') {
    const o = resolveOptions(optimizers.muon, hyper);
    const split = muonGroups(model, frozen ?? new Set(), { lr: o.lr, weightDecay: o.weightDecay });
    groups = split.groups;
    record.muonSplit = { muon: split.muon, adamw: split.adamw, adamwOptions: { lr: o.lr, weightDecay: o.weightDecay } };
  }
  // a sparse input layer under sparse-adam: its weight's sparse gradient to sparse-adam, the dense parameters
  // to Adam with the same lr/betas/eps (torch.optim.SparseAdam refuses dense gradients); the config records it
  if (optName === 'sparse-adam') {
    const o = resolveOptions(optimizers['sparse-adam'], hyper);
    const split = sparseAdamGroups(model, frozen ?? new Set(), o);
    if (split) {
      if (l1 || l2) throw inputError(`--${l1 ? 'l1' : 'l2'}: not available with --opt sparse-adam on ${modelArg} (the penalty's gradient is dense on every weight row; torch.optim.SparseAdam takes sparse gradients only); use --opt adam or drop the penalty`);
      groups = split.groups;
      record.sparseSplit = { sparseAdam: split.sparseAdam, adam: split.adam, adamOptions: { lr: o.lr, betas: o.betas, eps: o.eps, maximize: o.maximize } };
    }
  }
  const optimizer = createOptimizer(optName, groups, hyper);
  // attached as torch's LRScheduler: it sets the optimizer's lr (and a cycled momentum or β₁) itself
  const sched = schedule !== undefined ? createSchedule((typeof schedule === 'string' ? parseScheduleArg(schedule) : schedule) as ScheduleSpec, optimizer) : undefined;
  const averaging = c.averaging ? new WeightAveraging(c.averaging, model.params, optimizer) : undefined;
  const trainer = new Trainer({
    model, loss: lossName, optimizer, schedule: sched, scheduleEvery, train: trainRows, val, batch, shuffle, rng: new Rng(seed + 1), l1, l2,
    clipNorm: c.clipNorm, clipValue: c.clipValue, earlyStopping, onNonfinite, averaging,
  });
  if (sched?.maxSteps !== undefined) {
    // the run's own schedule steps until SWA takes over (through epoch E - 1 per epoch, through epoch E per batch)
    const swaStart = c.averaging && 'swaStart' in c.averaging ? c.averaging.swaStart : Infinity;
    const steps = scheduleEvery === 'batch' ? Math.min(epochs, swaStart) * trainer.batchesPerEpoch : Math.min(epochs, swaStart - 1);
    if (steps > sched.maxSteps) throw inputError(`--schedule ${sched.name}: this run steps it ${steps} times (${scheduleEvery === 'batch' ? 'every batch' : 'every epoch'}), past its totalSteps ${sched.maxSteps}`);
  }
  if (c.resume !== undefined) {
    const { source } = c.resume;
    const cp = typeof c.resume.checkpoint === 'function' ? c.resume.checkpoint() : c.resume.checkpoint;
    checkSameData(source, cp.config.dataFile, c.dataFile);
    for (const k of CHECK_KEYS) {
      // checkpoints from before --dtype were float32
      const saved = (cp.config as Record<string, unknown>)[k];
      const a = JSON.stringify(k === 'dtype' && saved === undefined ? 'float32' : saved), b = JSON.stringify(record[k]);
      if (a !== b) throw inputError(`${source}: the checkpoint was made with ${k} ${a}, this run has ${b}; resume with the same settings`);
    }
    loadCheckpoint(trainer, cp, source);
    start.resumed = { epoch: trainer.state.epoch, batchInEpoch: trainer.state.batchInEpoch };
  }
  announce();

  const checkpointPath = c.checkpoint ?? (outDir !== undefined ? files!.join(outDir, 'checkpoint.safetensors') : undefined);
  const writeCheckpoint = (path: string) => needFiles(hooks, 'checkpoint').write(path, serializeCheckpoint(trainer, record));
  const pause = hooks.yield ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
  const interrupted = () => hooks.interrupted?.() === true;
  const t0 = performance.now();
  let samples = 0, stoppedEarly = false, stopped = false;
  let lastYield = performance.now();
  while (trainer.state.epoch < epochs && !stoppedEarly) {
    hooks.onEpochStart?.(trainer.state.epoch + 1, epochs, trainer.batchesPerEpoch);
    while (trainer.epochUnfinished) {
      trainer.step();
      samples += Math.min(trainer.batchSize, trainRows.n - (trainer.state.batchInEpoch - 1) * trainer.batchSize);
      const now = performance.now();
      if (now - lastYield > 50) {
        hooks.onProgress?.(trainer.state.batchInEpoch, trainer.state.lossSum / trainer.state.seen, (samples * 1000) / (now - t0));
        // let a signal handler run: signals are delivered between macrotasks only
        await pause();
        lastYield = performance.now();
      }
      if (interrupted()) break;
    }
    if (interrupted() && trainer.epochUnfinished) {
      stopped = true;
      break;
    }
    const { metrics, stop } = trainer.endEpoch();
    stoppedEarly = stop;
    hooks.onEpoch?.(metrics, epochs);
    if (outDir !== undefined) files!.write(files!.join(outDir, 'metrics.jsonl'), trainer.state.history.map((m) => JSON.stringify(m)).join('\n') + '\n');
    if (c.checkpoint !== undefined) writeCheckpoint(c.checkpoint);
    if (interrupted()) {
      stopped = true;
      break;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const history = trainer.state.history;
  if (stopped) {
    const chosen = typeof c.interruptCheckpoint === 'function' ? c.interruptCheckpoint() : c.interruptCheckpoint;
    if (checkpointPath === undefined && chosen === null) {
      // its folder could not be written (said when the run started): nothing is written, and the result says so
      return {
        kind: 'first-order', model, history, summary: { done: false, epochs: trainer.state.epoch }, seconds, meta, record,
        interrupted: { epoch: trainer.state.epoch, batchInEpoch: trainer.state.batchInEpoch, checkpoint: null },
      };
    }
    const path = checkpointPath ?? chosen ?? 'descent-interrupted.safetensors';
    if (files) writeCheckpoint(path);
    return {
      kind: 'first-order', model, history, summary: { done: false, epochs: trainer.state.epoch }, seconds, meta, record,
      interrupted: { epoch: trainer.state.epoch, batchInEpoch: trainer.state.batchInEpoch, checkpoint: path },
    };
  }
  const restoredBest = stoppedEarly && trainer.restoreBest();
  // the final evaluation and the saved model are the averaged weights (the raw ones are in the checkpoint)
  if (averaging?.hasAverage) averaging.swap();
  const last = history[history.length - 1];
  const finalVal = val ? evaluate(model, lossName, val) : undefined;
  writeModelFiles(history);
  const samplesPerSecond = Math.round(samples / Math.max(seconds, 1e-9));
  const summary = {
    done: true, epochs: trainer.state.epoch, trainLoss: last?.trainLoss ?? null,
    ...(finalVal ? { valLoss: finalVal.loss, ...(finalVal.accuracy !== undefined ? { valAccuracy: finalVal.accuracy } : {}) } : {}),
    bestEpoch: trainer.state.bestEpoch, stoppedEarly, restoredBest, skippedBatches: trainer.state.skippedBatches,
    // what was done to the data, in the machine-readable output too (never silently)
    data: { name: data.name, trainRows: trainRows.n, valRows: val?.n ?? 0, valFraction: data.valFraction, standardized: data.standardized, shuffled: shuffle },
    seconds: Number(seconds.toFixed(3)), samplesPerSecond,
    ...(c.save !== undefined ? { save: c.save } : {}), ...(outDir !== undefined ? { out: outDir } : {}),
    // what a transfer run loaded and froze, in the machine-readable output too
    ...(transferNotes.length ? { transfer: transferNotes } : {}),
    // which parameters sparse-adam stepped (the sparse input layer) and which Adam did
    ...(record.sparseSplit ? { sparseSplit: record.sparseSplit } : {}),
  };
  return { kind: 'first-order', model, history, summary, final: finalVal, seconds, samplesPerSecond, stoppedEarly, restoredBest, meta, record };
}

interface SearchProblem { model: Sequential; lossName: LossName; train: Dataset; val?: Dataset; epochs: number; l1: number; l2: number }

/** Full-batch minimize over the flat parameters: each iteration is reported as an epoch. */
function runSearch(
  method: string, optSpec: TrainOptimizer, r: SearchProblem, hooks: TrainHooks,
  w: { meta: ModelMeta; record: Record<string, unknown>; writeModelFiles: (h: EpochMetrics[]) => void; outDir?: string },
): TrainResult {
  const { model, lossName, train: rows, val, epochs, l1, l2 } = r;
  const loss = lossByName(lossName);
  const arena = new Arena();
  const weights = model.parameters().filter((p) => p.isWeight).map((p) => p.var);
  const evaluateFull = () => {
    model.zeroGrad();
    const total = withArena(arena, () => {
      const dl = loss(model.forward(tensor(rows.x, [rows.n, rows.d])), rows.y);
      let t = dl;
      if (l1) t = add(t, l1Penalty(weights, l1));
      if (l2) t = add(t, l2Penalty(weights, l2));
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
      hooks.onEpoch?.(m, epochs);
    },
  });
  // a gradient that is not finite ends the search without a non-finite loss reaching onIterate
  if (res.reason === 'non-finite') throw runError(`diverged at step ${res.nit} (${method} iteration): the loss or its gradient is not finite; try another method, or a first-order optimizer with a small --lr`);
  const seconds = (performance.now() - t0) / 1000;
  if (w.outDir !== undefined) hooks.files!.write(hooks.files!.join(w.outDir, 'metrics.jsonl'), history.map((m) => JSON.stringify(m)).join('\n') + '\n');
  w.writeModelFiles(history);
  const fv = val ? evaluate(model, lossName, val) : undefined;
  const summary = {
    done: true, epochs: res.nit, trainLoss: history.length ? history[history.length - 1].trainLoss : res.fun, evaluations: res.evaluations, reason: res.reason,
    ...(fv ? { valLoss: fv.loss, valAccuracy: fv.accuracy } : {}), seconds: Number(seconds.toFixed(3)),
  };
  return {
    kind: 'search', model, history, summary, final: fv, seconds, meta: w.meta, record: w.record,
    search: { method, nit: res.nit, evaluations: res.evaluations, reason: res.reason, fun: res.fun },
  };
}
