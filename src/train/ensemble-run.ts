/**
 * `ensemble(config)`: what `descent ensemble` does, as a library call. Bagging (K members, each on its own
 * bootstrap resample) or a snapshot ensemble (one run, M cycles of cosine annealing with restarts, and a
 * single model trained for the same budget beside it), scored on the held-out rows against every member and
 * their mean. Member files (for `descent eval`) and ensemble.json go through `files` when `out` is set.
 */
import { inputError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import type { LoadedDataset } from '../data/load-dataset.js';
import { buildModel, checkModelMemory, parameterCount, parseModelArg, TRAINING_COPIES, type Activation, type MemoryBudget, type Sequential } from '../nn/index.js';
import { isOptimizerName, optimizers } from '../optim/index.js';
import { initBackend, installWasmKernels } from '../tensor/backend.js';
import { Rng } from '../tensor/rng.js';
import { bagging, ensembleDefaults, sameBudgetSingle, snapshotEnsemble, type EnsembleReport } from './ensemble.js';
import type { ClassData, FitOptions } from './ensemble-fit.js';
import { modelBytes, type ModelMeta } from './model-file.js';
import type { RunFiles, StateTensors } from './train.js';
import { initFrom, parseFreeze } from './transfer.js';

/** The settings of one ensemble: the method and its size, the members' model and optimizer; defaults per method (ensembleDefaults). */
export interface EnsembleConfig {
  /** The dataset, split and standardized (`loadDataset`); it must have held-out rows and class targets. */
  data: LoadedDataset;
  method: 'bagging' | 'snapshot';
  /** Models (bagging) or snapshots (snapshot ensemble), at least 1. */
  members: number;
  /** softmax | mlp:H1,... (default: the method's, or the architecture of `init` when it carries one). */
  model?: string;
  activation?: Activation;
  dropout?: number;
  /** A first-order optimizer and its options (default: the method's, adam with its lr). */
  optimizer?: { name?: string; [option: string]: unknown };
  /** Epochs per member (bagging) or in all (snapshots); default 20, or 10 per cycle. */
  epochs?: number;
  batch?: number;
  seed?: number;
  /** Every member starts from these weights; `meta` gives the default architecture, `newHead` a fresh output layer. */
  init?: { tensors: StateTensors; meta: Pick<ModelMeta, 'model' | 'activation' | 'dropout'> | null; source: string; newHead?: boolean };
  /** Layer indices or parameter names kept fixed, e.g. '0,2'. */
  freeze?: string;
  /** The largest model accepted (given whether the wasm arena holds it). */
  memoryLimit?: (wasm: boolean) => MemoryBudget;
  /** A folder for the members' model files and ensemble.json (needs `files`). */
  out?: string;
}

/** An ensemble's scores and what it was run with. */
export interface EnsembleResult {
  report: EnsembleReport;
  /** The resolved settings, as `descent ensemble --json` prints them. */
  settings: { model: string; activation: Activation; dropout: number; opt: { name: string; [option: string]: unknown }; epochs: number; batch: number; seed: number };
  /** Lines about what --init loaded. */
  notes: string[];
  /** Member files written under `out`. */
  written: string[];
}

/**
 * Bytes a bagging member holds besides its float32 weights and gradients: its bootstrap rows' index,
 * its layers' objects and its share of the kernels' arena. Measured: 2,000 iris members (1,027
 * parameters each) took 585 MB, 10,000 took 2.5 GB; about 250 KB a member, rounded up.
 */
export const BAGGING_MEMBER_OVERHEAD = 288 * 1024;

/** Refuses (exit 2, naming --bagging and the largest count that fits) more members than the memory budget holds. */
function checkBaggingMembers(members: number, params: number, train: { n: number; d: number }, limit: MemoryBudget): void {
  const perMember = 2 * 4 * params + 8 * train.n + BAGGING_MEMBER_OVERHEAD;
  if (members * perMember <= limit.bytes) return;
  throw inputError(
    `--bagging ${members}: ${members} members need about ${members * perMember} bytes (${perMember} each: float32 weights and gradients of ${params} parameters, ` +
      `the bootstrap rows and the member's buffers), over the limit of ${limit.bytes} bytes (${limit.why}); expected --bagging ${Math.floor(limit.bytes / perMember)} or fewer`,
  );
}

function classData(ds: Dataset): ClassData {
  return { x: ds.x instanceof Float32Array ? ds.x : Float32Array.from(ds.x), y: Int32Array.from(ds.y), n: ds.n, d: ds.d };
}

/** Trains and scores an ensemble as `descent ensemble` does. */
export async function ensemble(c: EnsembleConfig, hooks: { files?: RunFiles } = {}): Promise<EnsembleResult> {
  const { data, method, members } = c;
  const { train, val } = data;
  if (!val) throw inputError(`--val: the ensemble is scored on held-out rows; ${data.name} has none by default, give --val F (e.g. --val 0.2)`);
  const K = data.all.numClasses;
  if (K < 2) throw inputError(`--data ${data.name}: ensembles here are for classification; target '${data.all.targetName}' must hold class indices 0..K-1`);
  if (c.out !== undefined && !hooks.files) throw inputError('out: writing files needs hooks.files (nodeRunFiles on Node)');
  await initBackend();
  const wasm = installWasmKernels();
  const defaults = method === 'bagging' ? ensembleDefaults.bagging : ensembleDefaults.snapshot;
  // with init the architecture defaults to the pretrained file's (its dropout layers shift the state_dict indices)
  const arch = c.init?.meta ?? { model: defaults.model, activation: 'relu' as Activation, dropout: defaults.dropout };
  const modelArg = c.model ?? arch.model;
  const { kind, hidden, sparse } = parseModelArg(modelArg);
  const from = c.model === undefined && c.init?.meta ? ` (the model of ${c.init.source})` : '';
  if (kind !== 'softmax' && kind !== 'mlp') throw inputError(`--model: expected softmax or mlp:H1,... for a K-class ensemble, got '${modelArg}'${from}`);
  const activation = c.activation ?? arch.activation ?? 'relu';
  const dropout = c.dropout ?? arch.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw inputError(`--dropout: expected a probability in [0, 1), got '${dropout}'`);
  const seed = c.seed ?? 0;
  const epochs = c.epochs ?? (method === 'snapshot' ? ensembleDefaults.snapshot.epochsPerCycle * members : ensembleDefaults.bagging.epochs);
  const batchSize = c.batch ?? defaults.batchSize;
  // before any member is built: bagging keeps every member (weights and gradients) and trains one at a time;
  // a snapshot run keeps its M snapshots beside the model it trains, and then a same-budget single model
  if (c.memoryLimit) {
    checkModelMemory({ kind, hidden, inFeatures: train.d, outFeatures: K }, {
      limit: c.memoryLimit(wasm),
      copies: method === 'bagging' ? 2 * members + TRAINING_COPIES - 2 : TRAINING_COPIES + members + 2,
      what: `--model ${modelArg}`,
      holds: method === 'bagging'
        ? `for ${members} members (float32 weights and gradients of each, and optimizer state while one trains)`
        : `for ${members} snapshots beside the trained model and a same-budget single model (float32 weights, gradients, optimizer state)`,
      advice: `use smaller hidden widths or fewer ${method === 'bagging' ? 'members (--bagging)' : 'snapshots (--snapshots)'}`,
    });
    if (method === 'bagging') checkBaggingMembers(members, parameterCount({ kind, hidden, inFeatures: train.d, outFeatures: K }), train, c.memoryLimit(wasm));
  }
  const { name, ...given } = c.optimizer ?? {};
  const optName = name ?? defaults.opt;
  if (!isOptimizerName(optName)) throw inputError(`--opt: expected a first-order optimizer (${Object.keys(optimizers).join(', ')}), got '${optName}'`);
  const hyper: Record<string, unknown> = { ...given };
  // the method's lr with its optimizer (adam: bagging 1e-2, snapshot cycles restarting at 2e-2); snapshots with
  // sgd restart at 0.1 with momentum 0.9 (Huang et al.); any other optimizer starts from its own default lr
  if (hyper.lr === undefined && optName === defaults.opt) hyper.lr = defaults.hyper.lr;
  if (method === 'snapshot' && optName === 'sgd') {
    hyper.lr ??= ensembleDefaults.snapshotSgd.lr;
    hyper.momentum ??= ensembleDefaults.snapshotSgd.momentum;
  }
  const notes: string[] = [];
  const init = c.init;
  const build = (i: number): Sequential => {
    const m = buildModel({ kind, hidden, sparse, activation, dropout, inFeatures: train.d, outFeatures: K, rng: new Rng(seed + 1000 * i) });
    if (init?.newHead) {
      // the body must match by name and shape; the output head is fresh whatever its width
      const r = initFrom(m, init.tensors, { newHead: true, requireBody: true, source: init.source });
      if (notes.length === 0) notes.push(`--init: loaded ${r.loaded.join(', ')}; new head: ${r.reinitialized.join(', ')}`);
    } else if (init) {
      m.loadStateDict(init.tensors, init.source);
    }
    return m;
  };
  const frozenOf = (m: Sequential) => (c.freeze !== undefined ? parseFreeze(c.freeze, m) : undefined);
  const tr = classData(train), te = classData(val);
  const fit: FitOptions = { opt: optName, hyper, epochs, batchSize, seed, loss: 'ce' };
  let report: EnsembleReport;
  // every member as a model file `descent eval` can score (same metadata as `descent train --save`)
  const outDir = c.out;
  const files = hooks.files;
  const meta: ModelMeta = {
    model: modelArg, activation, dropout, loss: 'ce', numClasses: K, data: data.name, target: data.all.targetName, val: data.valFraction,
    standardize: data.standardizer ? { mean: Array.from(data.standardizer.mean), std: Array.from(data.standardizer.std) } : undefined,
  };
  const written: string[] = [];
  const save = (m: Sequential, i: number) => {
    if (outDir === undefined) return;
    files!.mkdir(outDir);
    const file = files!.join(outDir, `${method === 'bagging' ? 'model' : 'snapshot'}-${i + 1}.safetensors`);
    files!.write(file, modelBytes(m, meta));
    written.push(file);
  };
  if (method === 'bagging') {
    const probe = build(0);
    const r = bagging(build, tr, te, K, members, { ...fit, frozen: frozenOf(probe) });
    r.models.forEach(save);
    report = r.report;
  } else {
    const m = build(0);
    const r = snapshotEnsemble(m, tr, te, K, members, { ...fit, frozen: frozenOf(m) });
    r.snapshots.forEach((snap, i) => { m.params.set(snap); save(m, i); });
    // the paper's comparison: one model from the same initialization, the same steps, no restarts
    const single = build(0);
    report = { ...r.report, sameBudgetSingle: sameBudgetSingle(single, tr, te, K, { ...fit, frozen: frozenOf(single) }) };
  }
  if (outDir !== undefined) files!.write(files!.join(outDir, 'ensemble.json'), JSON.stringify({ data: data.name, files: written, ...report }, null, 2) + '\n');
  return { report, settings: { model: modelArg, activation, dropout, opt: { name: optName, ...hyper }, epochs, batch: batchSize, seed }, notes, written };
}
