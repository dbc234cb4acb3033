/**
 * Checkpoints: one .safetensors file holding the model (`model.<state_dict name>`), the optimizer's
 * state buffers (`optim.<group>.<key>`, in their own precision), the current epoch's row order
 * (`order`, F64: exact for row indices), early stopping's best weights (`best`), the averaged weights of
 * --ema/--swa-start (`averaged`; `model.*` stays the raw weights, so resume continues both), and in
 * `__metadata__.descent` a JSON of the rest: optimizer options and scalar state, schedule state,
 * RNG states, the position within the epoch, the metrics so far and the run's configuration.
 * The caller writes the bytes with atomicWrite, so a checkpoint on disk is always complete.
 */
import { DescentError, inputError, quoteValue } from '../errors.js';
import { parseSafetensorsWithMetadata, serializeSafetensors, type SafetensorsInput } from '../io/safetensors.js';
import type { Optimizer, OptimizerStateDict } from '../optim/index.js';
import type { Trainer, TrainerState } from './trainer.js';

/**
 * A checkpoint as {@link parseCheckpoint} reads it: the model's tensors, the optimizer's state dict, the trainer's
 * state and its unfinished epoch's order, early stopping's best weights, the averaged weights and the run's
 * recorded config (torch's `{'model': ..., 'optimizer': ...}` dict of a training script, in one safetensors file).
 */
export interface CheckpointContents {
  /** Model tensors by state_dict name. */
  model: Record<string, { shape: number[]; data: Float32Array | Float64Array }>;
  optimizer: OptimizerStateDict;
  trainer: TrainerState;
  order: Float64Array;
  best?: Float32Array | Float64Array;
  /** The averaged weights (--ema, --swa-start). */
  averaged?: Float32Array | Float64Array;
  /** The run's configuration as the CLI recorded it (checked on resume). */
  config: Record<string, unknown>;
}

const FORMAT = 'descent-checkpoint-1';

/** Serializes the trainer (model, optimizer, schedule, RNGs, epoch position) and `config`. */
export function serializeCheckpoint(trainer: Trainer, config: Record<string, unknown>): Uint8Array {
  const tensors: Record<string, SafetensorsInput> = {};
  for (const p of trainer.o.model.parameters()) tensors[`model.${p.name}`] = { shape: p.shape, data: p.data };
  const sd = trainer.o.optimizer.stateDict();
  const scalars: Record<string, number>[] = [];
  sd.state.forEach((s, g) => {
    const sc: Record<string, number> = {};
    for (const [k, v] of Object.entries(s)) {
      if (typeof v === 'number') sc[k] = v;
      else tensors[`optim.${g}.${k}`] = { shape: [v.length], data: v instanceof Float32Array || v instanceof Float64Array ? v : Float64Array.from(v) };
    }
    scalars.push(sc);
  });
  tensors.order = { shape: [trainer.epochOrder.length], data: Float64Array.from(trainer.epochOrder) };
  const best = trainer.bestParameters;
  if (best) tensors.best = { shape: [best.length], data: best };
  const avg = trainer.o.averaging;
  if (avg) tensors.averaged = { shape: [avg.weights.length], data: avg.weights };
  const meta = {
    format: FORMAT,
    optimizer: { name: sd.name, paramGroups: sd.paramGroups, scalars },
    trainer: trainer.snapshot(),
    config,
  };
  return serializeSafetensors(tensors, { descent: JSON.stringify(meta, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? { nonFinite: String(v) } : v)) });
}

/** Parses a checkpoint; input errors name `source` and what is missing. */
export function parseCheckpoint(bytes: Uint8Array, source: string): CheckpointContents {
  const { tensors, metadata } = parseSafetensorsWithMetadata(bytes, source);
  const raw = metadata?.descent;
  if (raw === undefined) throw inputError(`${source}: not a descent checkpoint (no 'descent' metadata; a model file goes to --init)`);
  let meta: { format: string; optimizer: { name: string; paramGroups: OptimizerStateDict['paramGroups']; scalars: Record<string, number>[] }; trainer: TrainerState; config: Record<string, unknown> };
  try {
    // ±Infinity/NaN (plateau's and early stopping's "best so far" start at Infinity) travel as {nonFinite: "Infinity"}
    meta = JSON.parse(raw, (_k, v) => (v && typeof v === 'object' && typeof v.nonFinite === 'string' && Object.keys(v).length === 1 ? Number(v.nonFinite) : v));
  } catch {
    throw inputError(`${source}: checkpoint metadata is not valid JSON`);
  }
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(meta)) throw inputError(`${source}: checkpoint metadata: expected a JSON object`);
  if (meta.format !== FORMAT) throw inputError(`${source}: checkpoint format ${meta.format === undefined ? 'missing' : quoteValue(meta.format)}, expected '${FORMAT}'`);
  // the rest is written by serializeCheckpoint; a file edited by hand gets a message, not a TypeError
  const o = meta.optimizer as unknown;
  if (!isObject(o) || typeof o.name !== 'string' || !Array.isArray(o.paramGroups) || !Array.isArray(o.scalars) || !o.scalars.every(isObject)) {
    throw inputError(`${source}: checkpoint metadata: optimizer: expected {name, paramGroups, scalars} as written by --checkpoint`);
  }
  if (!isObject(meta.trainer) || !Number.isInteger(meta.trainer.epoch) || !Array.isArray(meta.trainer.history)) {
    throw inputError(`${source}: checkpoint metadata: trainer: expected the trainer state written by --checkpoint`);
  }
  if (!isObject(meta.config)) throw inputError(`${source}: checkpoint metadata: config: expected an object`);
  const model: CheckpointContents['model'] = {};
  const state: OptimizerStateDict['state'] = meta.optimizer.scalars.map((s) => ({ ...s }));
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith('model.')) model[name.slice(6)] = { shape: t.shape, data: t.data };
    else if (name.startsWith('optim.')) {
      const [, g, key] = name.split('.');
      const gi = Number(g);
      if (!state[gi]) throw inputError(`${source}: '${name}' names optimizer group ${g}, which the checkpoint does not have`);
      state[gi][key] = t.data;
    }
  }
  const order = tensors.order?.data;
  if (!order) throw inputError(`${source}: checkpoint has no 'order' tensor`);
  return {
    model,
    optimizer: { name: meta.optimizer.name, paramGroups: meta.optimizer.paramGroups, state },
    trainer: meta.trainer,
    order: Float64Array.from(order),
    best: tensors.best?.data,
    averaged: tensors.averaged?.data,
    config: meta.config,
  };
}

/**
 * Loads a parsed checkpoint into a trainer built with the same configuration. Every field is
 * range-checked first (validateCheckpoint), and every error names `source`, the file.
 */
export function loadCheckpoint(trainer: Trainer, c: CheckpointContents, source: string): void {
  validateCheckpoint(c, { batchesPerEpoch: trainer.batchesPerEpoch, rows: trainer.o.train.n, params: trainer.o.model.params.length }, source);
  try {
    trainer.o.model.loadStateDict(c.model, source);
    (trainer.o.optimizer as Optimizer).loadStateDict(c.optimizer);
    trainer.restore(c.trainer, c.order);
  } catch (err) {
    // the optimizer's and the RNG's own checks do not know the file: name it
    if (err instanceof DescentError && !err.message.startsWith(source)) throw new DescentError(err.kind, `${source}: ${err.message}`);
    throw err;
  }
  if (c.best) trainer.bestParameters = c.best.slice();
  const avg = trainer.o.averaging;
  if (avg) {
    if (!c.averaged || !c.trainer.averaging) throw inputError(`${source}: the checkpoint has no averaged weights; it was written without --ema/--swa-start`);
    avg.load(c.trainer.averaging, c.averaged);
  }
}

/** What a checkpoint must agree with: the run it is loaded into. */
export interface CheckpointExpectations {
  batchesPerEpoch: number;
  rows: number;
  params: number;
}

/**
 * Range-checks every metadata field of a checkpoint against itself and the run (a file edited by hand,
 * or made for other data, must not be reported later as a divergence or print epochs -4..3). Input
 * errors start with `source` and name the field and the range expected.
 */
export function validateCheckpoint(c: CheckpointContents, run: CheckpointExpectations, source: string): void {
  const bad = (field: string, expected: string, got: unknown) => inputError(`${source}: checkpoint field ${field}: expected ${expected}, got ${quoteValue(typeof got === 'object' ? JSON.stringify(got) : got, 40)}`);
  const int = (field: string, v: unknown, lo: number, hi: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw bad(field, `an integer in [${lo}, ${hi}]`, v);
    return v;
  };
  const num = (field: string, v: unknown, lo: number, allowInfinity = false) => {
    if (typeof v !== 'number' || Number.isNaN(v) || v < lo || (!allowInfinity && !Number.isFinite(v))) throw bad(field, `a ${allowInfinity ? '' : 'finite '}number >= ${lo}`, v);
    return v;
  };
  const t = c.trainer;
  const epoch = int('trainer.epoch', t.epoch, 0, 1e9);
  const batch = int('trainer.batchInEpoch', t.batchInEpoch, 0, run.batchesPerEpoch - 1);
  num('trainer.lossSum', t.lossSum, -Infinity);
  if (!Number.isFinite(t.lossSum)) throw bad('trainer.lossSum', 'a finite number', t.lossSum);
  int('trainer.seen', t.seen, 0, run.rows);
  if (t.skippedInEpoch !== undefined) int('trainer.skippedInEpoch', t.skippedInEpoch, 0, batch);
  if (t.skippedBatches !== undefined) int('trainer.skippedBatches', t.skippedBatches, 0, Number.MAX_SAFE_INTEGER);
  num('trainer.epochLr', t.epochLr, 0);
  // the best loss so far starts at +Infinity
  if (typeof t.best !== 'number' || Number.isNaN(t.best) || t.best === -Infinity) throw bad('trainer.best', 'a number or Infinity', t.best);
  int('trainer.bestEpoch', t.bestEpoch, 0, epoch);
  int('trainer.sinceBest', t.sinceBest, 0, epoch);
  if (!Array.isArray(t.history) || t.history.length !== epoch) throw bad('trainer.history', `a list of ${epoch} epochs (one per finished epoch)`, Array.isArray(t.history) ? `${t.history.length} entries` : t.history);
  t.history.forEach((m, k) => {
    if (m === null || typeof m !== 'object') throw bad(`trainer.history[${k}]`, 'an object', m);
    int(`trainer.history[${k}].epoch`, m.epoch, k + 1, k + 1);
    if (typeof m.trainLoss !== 'number') throw bad(`trainer.history[${k}].trainLoss`, 'a number', m.trainLoss);
    num(`trainer.history[${k}].lr`, m.lr, 0);
  });
  if (!Array.isArray(t.dropoutRng)) throw bad('trainer.dropoutRng', 'a list of RNG states', t.dropoutRng);
  if (c.order.length !== run.rows) throw inputError(`${source}: the checkpoint's epoch order has ${c.order.length} rows, the training data ${run.rows}; resume with the same data and --val`);
  const seenRow = new Uint8Array(run.rows);
  for (let i = 0; i < c.order.length; i++) {
    const r = c.order[i];
    if (!Number.isInteger(r) || r < 0 || r >= run.rows || seenRow[r]) throw bad(`order[${i}]`, `a permutation of the rows 0..${run.rows - 1}`, r);
    seenRow[r] = 1;
  }
  if (c.best !== undefined && c.best.length !== run.params) throw bad('best', `${run.params} parameters`, `${c.best.length}`);
  c.optimizer.paramGroups.forEach((g, gi) => {
    if (g === null || typeof g !== 'object' || g.options === null || typeof g.options !== 'object') throw bad(`optimizer.paramGroups[${gi}]`, 'an object with options', g);
    for (const [k, v] of Object.entries(g.options)) {
      if (typeof v === 'number' && Number.isNaN(v)) throw bad(`optimizer.paramGroups[${gi}].options.${k}`, 'a number', v);
      if (k === 'lr') num(`optimizer.paramGroups[${gi}].options.lr`, v, 0);
    }
  });
  c.optimizer.state.forEach((st, gi) => {
    for (const [k, v] of Object.entries(st)) {
      if (typeof v !== 'number') continue;
      if (k === 'step') int(`optimizer.state[${gi}].step`, v, 0, Number.MAX_SAFE_INTEGER);
      else if (!Number.isFinite(v)) throw bad(`optimizer.state[${gi}].${k}`, 'a finite number', v);
    }
  });
}
