/**
 * The fit loop of `descent train`, per the contract: per epoch, minibatches in a seeded order (or file
 * order), each batch's DATA loss taken before its update (trainLoss = their mean weighted by batch size),
 * penalties added for the gradient only, clipping, one optimizer step, a schedule step per epoch,
 * validation, early stopping. Its whole state (model, optimizer, schedule, RNGs, position within the
 * epoch) is plain data, so a checkpoint restores the identical trajectory.
 */
import { runError, inputError } from '../errors.js';
import { tensor, withArena, noGrad, type Var } from '../autograd/index.js';
import { Arena } from '../tensor/arena.js';
import { alloc } from '../tensor/alloc.js';
import { Rng, type RngState } from '../tensor/rng.js';
import { Dropout, type Sequential, lossByName, l1Penalty, l2Penalty, type LossName } from '../nn/index.js';
import type { Optimizer } from '../optim/index.js';
import type { Schedule } from '../schedule/index.js';
import type { WeightAveraging, WeightAveragingState } from './averaging.js';
import { epochOrder, gatherBatch } from '../data/batches.js';
import { FusedMlpStep } from './fused-mlp.js';
import type { Dataset } from '../data/dataset.js';
import { add } from '../autograd/ops.js';

/**
 * What a {@link Trainer} trains: the model, loss, optimizer (and schedule) as they were built, the data and the
 * loop's settings: batch size, shuffling, L1/L2 penalties, clipping, early stopping, weight averaging.
 */
export interface TrainerOptions {
  /** The model trained in place (its `params` are what the optimizer steps). */
  model: Sequential;
  /** The data loss by name: mse, bce (on logits), ce (on logits), hinge. */
  loss: LossName;
  /** The optimizer over the model's parameters (or the trainable ones, for a frozen body). */
  optimizer: Optimizer;
  /** An lr schedule, best attached to `optimizer` (attachSchedule); stepped per epoch or per batch. */
  schedule?: Schedule;
  /** When the schedule steps: once per epoch (the contract's default) or after every optimizer step. */
  scheduleEvery?: 'epoch' | 'batch';
  /** The training rows. */
  train: Dataset;
  /** Held-out rows, evaluated at the end of every epoch (valLoss, valAccuracy, early stopping). */
  val?: Dataset;
  /** Rows per batch, or 'full'. */
  batch: number | 'full';
  /** Seeded permutation each epoch (true) or file order. */
  shuffle: boolean;
  /** Draws the epoch permutations. */
  rng: Rng;
  /** λ of the L1 penalty λ·Σ|W| over the weight matrices (not the biases); added to the gradient, not to trainLoss. */
  l1?: number;
  /** λ of the L2 penalty λ·Σ W² over the weight matrices (not the biases; torch's weight_decay is 2λ on them). */
  l2?: number;
  /**
   * Whether an MLP of Linear, ReLU, Sigmoid, Tanh and Dropout layers steps through the fused MLP step,
   * without recording the autograd graph (default true; its gradients are bit-identical to the graph's).
   * false always records the graph.
   */
  fusedStep?: boolean;
  /** Rescale the gradient to this global L2 norm when larger (torch clip_grad_norm_). */
  clipNorm?: number;
  /** Clamp every gradient component to [−v, v] (torch clip_grad_value_). */
  clipValue?: number;
  /** Stop after this many epochs without a validation-loss improvement (0: off). */
  earlyStopping?: number;
  /**
   * A batch whose loss or gradient is NaN or ±Infinity: 'stop' (default) throws the divergence error before
   * the update; 'skip-batch' leaves parameters and optimizer state untouched, counts the batch as skipped
   * and goes on (an epoch whose every batch is skipped still stops the run as diverged).
   */
  onNonfinite?: 'stop' | 'skip-batch';
  /**
   * EMA or SWA of the weights (src/train/averaging.ts): the EMA takes the weights after every step, SWA at the
   * end of every epoch from its start on (SWALR then steps instead of `schedule`); validation uses the average.
   */
  averaging?: WeightAveraging;
}

/** One epoch's line: the contract's JSON fields. */
export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  lr: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Batches skipped in this epoch for a non-finite loss or gradient (only with onNonfinite 'skip-batch', only when > 0). */
  skippedBatches?: number;
}

/** Everything besides tensors that a checkpoint holds. */
export interface TrainerState {
  /** Completed epochs. */
  epoch: number;
  /** Batches done in the current (unfinished) epoch; 0 at an epoch boundary. */
  batchInEpoch: number;
  /** Σ m·loss and Σ m over the unfinished epoch's batches (float64). */
  lossSum: number;
  seen: number;
  /** Batches skipped (onNonfinite 'skip-batch') in the unfinished epoch, and over the whole run. */
  skippedInEpoch: number;
  skippedBatches: number;
  /** The lr of the current epoch's first batch (reported with --schedule-every batch). */
  epochLr: number;
  shuffleRng: RngState;
  dropoutRng: RngState[];
  schedule?: ReturnType<Schedule['state']>;
  /** Weight averaging's counters (its averaged weights travel as a tensor beside this state). */
  averaging?: WeightAveragingState;
  best: number;
  bestEpoch: number;
  sinceBest: number;
  history: EpochMetrics[];
}

// one scratch pool per model, kept across calls: the per-epoch validation pass reuses its buffers instead of
// taking new ones from the (only-growing) wasm arena every epoch
const evalArenas = new WeakMap<Sequential, Arena>();

/** Loss and accuracy of `model` on `ds` in evaluation mode (dropout off), in chunks, float64 sums. */
export function evaluate(model: Sequential, lossName: LossName, ds: Dataset, chunk = 1024): { loss: number; accuracy?: number } {
  const loss = lossByName(lossName);
  let arena = evalArenas.get(model);
  if (!arena) evalArenas.set(model, (arena = new Arena()));
  const wasTraining = model.training;
  model.eval();
  let total = 0, correct = 0;
  const d = ds.d;
  const classify = lossName !== 'mse';
  try {
    noGrad(() => {
      for (let s = 0; s < ds.n; s += chunk) {
        const m = Math.min(chunk, ds.n - s);
        withArena(arena, () => {
          const out = model.forward(tensor(ds.x.subarray(s * d, (s + m) * d), [m, d]));
          const yb = ds.y.subarray(s, s + m);
          total += m * loss(out, yb).item();
          if (classify) correct += countCorrect(out, yb, lossName);
        });
        arena.reset();
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return classify ? { loss: total / ds.n, accuracy: correct / ds.n } : { loss: total / ds.n };
}

/** Right predictions in a batch: argmax of K scores (ce, hinge), or logit > 0 against 0/1 (bce). */
export function countCorrect(out: Var, y: ArrayLike<number>, lossName: LossName): number {
  const k = out.size / y.length, z = out.data;
  let c = 0;
  for (let i = 0; i < y.length; i++) {
    if (k === 1) {
      if ((z[i] > 0 ? 1 : 0) === y[i]) c++;
      continue;
    }
    let arg = 0;
    for (let j = 1; j < k; j++) if (z[i * k + j] > z[i * k + arg]) arg = j;
    if (arg === y[i]) c++;
  }
  void lossName;
  return c;
}

/**
 * The minibatch training loop, one batch per {@link Trainer.step} and one epoch close per {@link Trainer.endEpoch}
 * (the loop a torch user writes by hand: zero_grad, forward, loss, backward, clip, optimizer.step(),
 * scheduler.step()). It takes the optimizer and an attached schedule as they are, and sets nothing up twice.
 * Its state is plain data ({@link Trainer.snapshot} / {@link Trainer.restore}), so a checkpoint resumes the
 * identical trajectory. {@link train} runs it for `descent train`.
 *
 * @example
 * ```ts
 * import { buildModel, createOptimizer, attachSchedule, Rng, Trainer, evaluate } from 'descent';
 * import { loadDataset } from 'descent/node';
 * const digits = loadDataset('digits');  // 1438 train, 359 validation rows, standardized
 * const model = buildModel({ kind: 'softmax', inFeatures: 64, outFeatures: 10, rng: new Rng(0) });
 * const sgd = createOptimizer('sgd', { params: model.params, grads: model.grads }, { lr: 0.1, momentum: 0.9 });
 * const schedule = attachSchedule(sgd, 'cosine:tMax=10');  // steps sgd's lr, as torch's CosineAnnealingLR
 * const trainer = new Trainer({
 *   model, loss: 'ce', optimizer: sgd, schedule, train: digits.train, val: digits.val,
 *   batch: 16, shuffle: true, rng: new Rng(1),
 * });
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   while (trainer.epochUnfinished) trainer.step();
 *   const { metrics } = trainer.endEpoch();  // { epoch, trainLoss, lr, valLoss, valAccuracy }
 * }
 * evaluate(model, 'ce', digits.val!);       // { loss: 0.4129, accuracy: 0.8858 }
 * ```
 */
export class Trainer {
  readonly o: TrainerOptions;
  readonly batchSize: number;
  readonly state: TrainerState;
  private readonly order: Int32Array;
  private readonly xb: Float32Array | Float64Array;
  private readonly yb: Float64Array;
  private readonly arena = new Arena();
  private readonly weights: Var[];
  private readonly dropouts: Dropout[];
  private bestParams: Float32Array | Float64Array | undefined;
  private readonly lossFn;
  private readonly perBatchSchedule: boolean;
  private readonly fused: FusedMlpStep | null;

  constructor(o: TrainerOptions) {
    checkOptions(o);
    this.o = o;
    const n = o.train.n;
    this.batchSize = o.batch === 'full' ? n : Math.min(o.batch, n);
    this.order = new Int32Array(n);
    // through `alloc`: in the wasm arena when the fast kernels are installed, so batches need no staging copy
    this.xb = alloc(o.train.x instanceof Float32Array ? 'float32' : 'float64', this.batchSize * o.train.d);
    this.yb = new Float64Array(this.batchSize);
    this.lossFn = lossByName(o.loss);
    this.perBatchSchedule = o.scheduleEvery === 'batch' && o.schedule !== undefined;
    // an MLP of Linear and elementwise layers steps without the graph (same kernels, bit-identical gradients)
    const dataDtype = o.train.x instanceof Float32Array ? 'float32' : 'float64';
    this.fused = o.fusedStep === false || dataDtype !== o.model.dtype
      ? null
      : FusedMlpStep.for(o.model, o.loss, o.l1 ?? 0, o.l2 ?? 0, this.batchSize, o.train.d);
    if (this.perBatchSchedule && o.schedule!.needsMetric) throw inputError('--schedule-every batch: plateau needs a metric per epoch; use --schedule-every epoch');
    this.weights = o.model.parameters().filter((p) => p.isWeight).map((p) => p.var);
    this.dropouts = o.model.layers.filter((l): l is Dropout => l instanceof Dropout);
    this.state = {
      epoch: 0, batchInEpoch: 0, lossSum: 0, seen: 0, skippedInEpoch: 0, skippedBatches: 0, epochLr: 0,
      shuffleRng: o.rng.getState(), dropoutRng: this.dropouts.map((l) => l.rng.getState()),
      schedule: o.schedule?.state(), best: Infinity, bestEpoch: 0, sinceBest: 0, history: [],
    };
    if (o.schedule) this.setLr(o.schedule.lr);
    this.state.epochLr = this.lr;
    epochOrder(this.order, o.rng, o.shuffle);
  }

  /** The lr of group 0 now. */
  get lr(): number {
    return this.o.optimizer.paramGroups[0].options.lr as number;
  }

  private setLr(lr: number): void {
    for (const g of this.o.optimizer.paramGroups) g.options.lr = lr;
  }

  /** The permutation of the current epoch (for checkpoints). */
  get epochOrder(): Int32Array {
    return this.order;
  }

  /** Restores a state written by `snapshot()` with the epoch order of its unfinished epoch. */
  restore(state: TrainerState, order: ArrayLike<number>): void {
    if (order.length !== this.order.length) throw inputError(`checkpoint: epoch order has ${order.length} rows, the training data ${this.order.length}; resume with the same data and --val`);
    // checkpoints written before skip-batch existed have no skip counters
    Object.assign(this.state, { skippedInEpoch: 0, skippedBatches: 0 }, state);
    this.order.set(order);
    this.o.rng.setState(state.shuffleRng);
    this.dropouts.forEach((l, i) => l.rng.setState(state.dropoutRng[i]));
    if (this.o.schedule && state.schedule) {
      this.o.schedule.load(state.schedule);
      this.setLr(this.o.schedule.lr);
    }
  }

  /** A copy of the state with the RNG states as they are now. */
  snapshot(): TrainerState {
    return {
      ...this.state,
      history: this.state.history.slice(),
      shuffleRng: this.o.rng.getState(),
      dropoutRng: this.dropouts.map((l) => l.rng.getState()),
      schedule: this.o.schedule?.state(),
      ...(this.o.averaging ? { averaging: this.o.averaging.state() } : {}),
    };
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    return Math.ceil(this.o.train.n / this.batchSize);
  }

  /** The 1-based optimizer step of the current batch, counted over the whole run (the step divergence messages name). */
  get stepNumber(): number {
    return this.state.epoch * this.batchesPerEpoch + this.state.batchInEpoch + 1;
  }

  /** `diverged at step S (epoch E, batch B): WHAT; ADVICE`, a run error (exit 1). */
  private diverged(what: string, afterUpdate = false): Error {
    const { epoch, batchInEpoch } = this.state;
    return runError(`diverged at step ${this.stepNumber} (epoch ${epoch + 1}, batch ${batchInEpoch + 1}): ${what}; ${this.advice(afterUpdate || this.stepNumber > 1)}`);
  }

  /**
   * What to try: a lower lr only where an update with lr > 0 can have caused it. Before any update
   * (the first batch) or with lr 0, the weights or the data are the cause, and a lower lr would not help.
   */
  private advice(stepped: boolean): string {
    if (stepped && this.lr > 0) return `try --lr ${fmt(this.lr / 10)} or lower`;
    const when = stepped ? 'with lr 0 no update changed the weights' : 'before any update';
    return `${when}, so the initial weights (--init) or the data give it: check them (standardize the features, scale very large targets)`;
  }

  /**
   * One batch: forward, data loss (kept for trainLoss), + penalties, backward, clip, step.
   * A non-finite loss or gradient is caught BEFORE the update, so the weights (and any checkpoint) stay
   * at the last good state: with onNonfinite 'stop' it throws the divergence error, with 'skip-batch'
   * the batch is counted as skipped and NaN is returned. Parameters that become non-finite in the
   * update itself (an overflow) stop the run in either mode. Returns the batch's data loss.
   */
  step(): number {
    const { o, state } = this;
    const { model, optimizer } = o;
    if (state.batchInEpoch === 0) state.epochLr = this.lr;
    const start = state.batchInEpoch * this.batchSize;
    const m = gatherBatch(o.train, this.order, start, this.batchSize, this.xb, this.yb);
    const dataLoss = this.fused ? this.fused.run(this.xb, this.yb, m, model.grads) : this.graphStep(m);
    // the gradient check: before clipping (clip-value would turn ±Infinity into a finite value), else
    // inside the optimizer step itself (stepChecked: on the fused path, the kernel call that updates)
    const clipping = o.clipValue !== undefined || o.clipNorm !== undefined;
    let bad = !Number.isFinite(dataLoss) ? `loss is ${dataLoss}` : clipping && !optimizer.gradsFinite() ? 'the gradient is not finite' : '';
    if (!bad) {
      this.clip();
      const r = optimizer.stepChecked();
      if (r === 'params') throw this.diverged('the parameters are not finite after the update', true);
      if (r === 'grads') bad = 'the gradient is not finite';
    }
    if (bad) {
      if (o.onNonfinite !== 'skip-batch') throw this.diverged(bad);
      state.skippedInEpoch++;
      state.skippedBatches++;
      state.batchInEpoch++;
      return NaN;
    }
    o.averaging?.afterStep();
    // once SWA has begun, SWALR owns the lr
    if (this.perBatchSchedule && !o.averaging?.swaStarted) this.setLr(o.schedule!.step());
    state.lossSum += m * dataLoss; // float64: a float32 sum of 10⁴ batch losses loses digits
    state.seen += m;
    state.batchInEpoch++;
    return dataLoss;
  }

  /** Forward and backward through the autograd graph for the first m rows of the batch; returns the data loss. */
  private graphStep(m: number): number {
    const { o } = this;
    const { model } = o;
    const d = o.train.d;
    // deferred: the backward's first write of each gradient overwrites it (no zeroing pass over them all)
    model.zeroGrad({ deferred: true });
    const yb = this.yb.subarray(0, m);
    const dataLoss = withArena(this.arena, () => {
      const out = model.forward(tensor(this.xb.subarray(0, m * d), [m, d]));
      const dl = this.lossFn(out, yb);
      const v = dl.item();
      if (!Number.isFinite(v)) return v;
      let total = dl;
      if (o.l1) total = add(total, l1Penalty(this.weights, o.l1));
      if (o.l2) total = add(total, l2Penalty(this.weights, o.l2));
      total.backward();
      return v;
    });
    this.arena.reset();
    model.settleGrads();
    return dataLoss;
  }

  /** Clips the gradients the optimizer steps on (its param groups: frozen parameters are not in them, as in torch). */
  private clip(): void {
    const { clipValue, clipNorm } = this.o;
    if (clipValue === undefined && clipNorm === undefined) return;
    const groups = this.o.optimizer.paramGroups;
    if (clipValue !== undefined) {
      for (const { grads: g } of groups) {
        for (let i = 0; i < g.length; i++) g[i] = g[i] > clipValue ? clipValue : g[i] < -clipValue ? -clipValue : g[i];
      }
    }
    if (clipNorm !== undefined) {
      let s = 0; // float64 accumulation
      for (const { grads: g } of groups) for (let i = 0; i < g.length; i++) s += g[i] * g[i];
      const coef = clipNorm / (Math.sqrt(s) + 1e-6); // torch clip_grad_norm_: max_norm / (total_norm + 1e-6), clamped at 1
      if (coef < 1) for (const { grads: g } of groups) for (let i = 0; i < g.length; i++) g[i] *= coef;
    }
  }

  /** Whether the current epoch has batches left. */
  get epochUnfinished(): boolean {
    return this.state.batchInEpoch < this.batchesPerEpoch;
  }

  /**
   * Closes the epoch whose batches are all done: trainLoss, validation, the lr used, schedule step
   * (plateau on valLoss, or trainLoss without validation), early stopping bookkeeping, next epoch's order.
   * Returns the metrics and whether early stopping says stop.
   */
  endEpoch(): { metrics: EpochMetrics; stop: boolean } {
    const { o, state } = this;
    const end = `diverged at step ${state.epoch * this.batchesPerEpoch + state.batchInEpoch} (end of epoch ${state.epoch + 1})`;
    if (state.seen === 0 && state.skippedInEpoch > 0) {
      throw runError(`${end}: all ${state.skippedInEpoch} batches of the epoch had a non-finite loss or gradient and were skipped; ${this.advice(state.seen > 0 || state.epoch > 0)}`);
    }
    const metrics: EpochMetrics = { epoch: state.epoch + 1, trainLoss: state.lossSum / state.seen, lr: this.perBatchSchedule ? state.epochLr : this.lr };
    if (state.skippedInEpoch > 0) metrics.skippedBatches = state.skippedInEpoch;
    const swaEpoch = o.averaging?.endEpoch(metrics.epoch) ?? false;
    if (o.val) {
      const val = o.val;
      const v = o.averaging ? o.averaging.withAveraged(() => evaluate(o.model, o.loss, val)) : evaluate(o.model, o.loss, val);
      metrics.valLoss = v.loss;
      if (v.accuracy !== undefined) metrics.valAccuracy = v.accuracy;
    }
    const monitored = metrics.valLoss ?? metrics.trainLoss;
    if (!Number.isFinite(monitored)) throw runError(`${end}: ${o.val ? 'validation' : 'train'} loss is ${monitored}; ${this.advice(state.seen > 0 || state.epoch > 0)}`);
    if (swaEpoch) o.averaging!.stepLr();
    else if (o.schedule && !this.perBatchSchedule && !o.averaging?.swaStarted) this.setLr(o.schedule.needsMetric ? o.schedule.step(monitored) : o.schedule.step());
    let stop = false;
    if (monitored < state.best) {
      state.best = monitored;
      state.bestEpoch = metrics.epoch;
      state.sinceBest = 0;
      if (o.earlyStopping) (this.bestParams ??= o.model.params.slice()).set(o.model.params);
    } else {
      state.sinceBest++;
      if (o.earlyStopping && state.sinceBest >= o.earlyStopping) stop = true;
    }
    state.history.push(metrics);
    state.epoch++;
    state.batchInEpoch = 0;
    state.lossSum = 0;
    state.seen = 0;
    state.skippedInEpoch = 0;
    epochOrder(this.order, o.rng, o.shuffle);
    return { metrics, stop };
  }

  /** With early stopping: puts the best epoch's weights back (no-op when it is the last one). */
  restoreBest(): boolean {
    if (!this.bestParams || this.state.bestEpoch === this.state.epoch) return false;
    this.o.model.params.set(this.bestParams);
    return true;
  }

  /** Best-epoch parameters kept by early stopping (for checkpoints). */
  get bestParameters(): Float32Array | Float64Array | undefined {
    return this.bestParams;
  }

  set bestParameters(p: Float32Array | Float64Array | undefined) {
    this.bestParams = p;
  }
}

/** The library's own checks of what the CLI checks as flags: a bad option is an input error naming it, never a hang. */
function checkOptions(o: TrainerOptions): void {
  const bad = (field: string, expected: string, got: unknown) => inputError(`Trainer: ${field}: expected ${expected}, got ${JSON.stringify(got)}`);
  if (!(o.train.n >= 1)) throw bad('train', 'at least one row', o.train.n);
  if (o.val && o.val.d !== o.train.d) throw bad('val', `${o.train.d} features, as train has`, o.val.d);
  if (o.batch !== 'full' && !(Number.isInteger(o.batch) && o.batch >= 1)) throw bad('batch', "'full' or an integer >= 1", o.batch);
  for (const k of ['l1', 'l2', 'clipNorm', 'clipValue'] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw bad(k, 'a number >= 0', v);
  }
  if (o.earlyStopping !== undefined && !(Number.isInteger(o.earlyStopping) && o.earlyStopping >= 0)) throw bad('earlyStopping', 'an integer >= 0 (0: off)', o.earlyStopping);
  if (o.scheduleEvery !== undefined && o.scheduleEvery !== 'epoch' && o.scheduleEvery !== 'batch') throw bad('scheduleEvery', "'epoch' or 'batch'", o.scheduleEvery);
  if (o.onNonfinite !== undefined && o.onNonfinite !== 'stop' && o.onNonfinite !== 'skip-batch') throw bad('onNonfinite', "'stop' or 'skip-batch'", o.onNonfinite);
  // early stopping would keep raw weights while the metric it watches is the average's
  if (o.averaging && o.earlyStopping) throw inputError('--early-stopping: not available with --ema or --swa-start (the validation metric is the averaged model\'s)');
}

function fmt(x: number): string {
  return Number(x.toPrecision(2)).toString();
}
