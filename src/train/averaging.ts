/**
 * Weight averaging as torch.optim.swa_utils (2.13) does it, over a model's contiguous parameter buffer:
 * - `AveragedModel`: a copy of the weights that `update(params)` folds the current weights into; its first
 *   update copies them. `swaAverage()` is the equal-weight average (torch's default avg on CPU:
 *   a + (p − a)/(n + 1)); `emaAverage(decay)` is get_ema_multi_avg_fn's exponential moving average
 *   (torch._foreach_lerp_(a, p, 1 − decay)).
 * - `SWALR`: anneals each param group's lr to swaLr over annealEpochs steps (cos or linear), from whatever
 *   the lr is when it starts, as torch's SWALR scheduler.
 * - `WeightAveraging`: what `descent train --ema` / `--swa-start` drive: when to average and when SWALR
 *   steps instead of the run's schedule; it swaps the averaged weights in for evaluation and saving.
 * float32 buffers are averaged with float32 arithmetic (torch's opmath for float32 on CPU), rounding each op.
 */
import { inputError } from '../errors.js';
import type { SchedulableOptimizer } from '../schedule/index.js';

type FloatArray = Float32Array | Float64Array;

/** How the average takes in new weights: a ← avg(a, p, n), n the updates so far (n ≥ 1). */
export interface AverageFn {
  readonly kind: 'swa' | 'ema';
  /** The EMA's decay (ema only). */
  readonly decay?: number;
  /** Averages `params` into `avg` in place, `nAveraged` updates having been taken in before (torch's avg_fn). */
  update(avg: FloatArray, params: FloatArray, nAveraged: number): void;
}

/** torch's lerp: small weights from the start, large ones from the end (ATen's is_lerp_weight_small). */
function lerp64(a: Float64Array, p: ArrayLike<number>, w: number): void {
  if (Math.abs(w) < 0.5) for (let i = 0; i < a.length; i++) a[i] = a[i] + w * (p[i] - a[i]);
  else {
    const c = 1 - w;
    for (let i = 0; i < a.length; i++) a[i] = p[i] - (p[i] - a[i]) * c;
  }
}
function lerp32(a: Float32Array, p: ArrayLike<number>, w64: number): void {
  const f = Math.fround;
  const w = f(w64);
  if (Math.abs(w) < 0.5) for (let i = 0; i < a.length; i++) a[i] = a[i] + f(w * f(p[i] - a[i]));
  else {
    const c = f(1 - w);
    for (let i = 0; i < a.length; i++) a[i] = p[i] - f(f(p[i] - a[i]) * c);
  }
}

/** The equal-weight (SWA) average: a ← a + (p − a)/(n + 1), torch's get_swa_avg_fn (its CPU path). */
export function swaAverage(): AverageFn {
  return {
    kind: 'swa',
    update(avg, params, n) {
      const k = n + 1;
      if (avg instanceof Float32Array) {
        const f = Math.fround;
        for (let i = 0; i < avg.length; i++) avg[i] = avg[i] + f(f(params[i] - avg[i]) / k);
      } else for (let i = 0; i < avg.length; i++) avg[i] = avg[i] + (params[i] - avg[i]) / k;
    },
  };
}

/** The exponential moving average of get_ema_multi_avg_fn(decay): a ← lerp(a, p, 1 − decay). */
export function emaAverage(decay: number): AverageFn {
  if (typeof decay !== 'number' || !(decay >= 0 && decay <= 1)) throw inputError(`ema: decay: expected a number in [0, 1], got ${JSON.stringify(decay)}`);
  const w = 1 - decay;
  return {
    kind: 'ema',
    decay,
    update(avg, params) {
      if (avg instanceof Float32Array) lerp32(avg, params, w);
      else lerp64(avg, params, w);
    },
  };
}

/** The plain-data state of an AveragedModel besides its weights. */
export interface AveragedModelState {
  nAveraged: number;
}

/**
 * torch's AveragedModel over one flat parameter buffer: `weights` starts as a copy of the parameters (torch's
 * deepcopy); `update(params)` copies them on the first call and averages them in afterwards.
 */
export class AveragedModel {
  readonly weights: FloatArray;
  nAveraged = 0;
  constructor(params: FloatArray, readonly avg: AverageFn = swaAverage()) {
    this.weights = params.slice();
  }
  /** torch's update_parameters(model). */
  update(params: FloatArray): void {
    if (params.length !== this.weights.length) throw inputError(`AveragedModel: expected ${this.weights.length} parameters, got ${params.length}`);
    if (this.nAveraged === 0) this.weights.set(params);
    else this.avg.update(this.weights, params, this.nAveraged);
    this.nAveraged += 1;
  }
  /** The count of updates taken in (torch's n_averaged); the weights are saved beside it. */
  state(): AveragedModelState {
    return { nAveraged: this.nAveraged };
  }
  /** Restores a state and the averaged weights saved with it. */
  load(state: AveragedModelState, weights: ArrayLike<number>): void {
    if (!Number.isInteger(state?.nAveraged) || state.nAveraged < 0) throw inputError('averaged model state: nAveraged: expected an integer >= 0');
    if (weights.length !== this.weights.length) throw inputError(`averaged model state: expected ${this.weights.length} weights, got ${weights.length}`);
    this.nAveraged = state.nAveraged;
    this.weights.set(weights);
  }
}

/** SWALR's anneal_strategy: a half cosine ('cos', torch's default) or a straight line from the current lr to swaLr. */
export type SwaAnneal = 'cos' | 'linear';

/** SWALR's state: torch's _step_count. */
export interface SwalrState {
  stepCount: number;
}

/**
 * torch's SWALR(optimizer, swa_lr, anneal_epochs, anneal_strategy): each step moves every group's lr towards
 * swaLr, lr ← swaLr·α_t + lr₀·(1 − α_t) with α_t = anneal(min(1, t/annealEpochs)), where lr₀ is recovered
 * from the current lr and α_{t−1} (so it anneals from wherever the lr is). Constructing it takes its initial
 * step (step 0), which leaves the lr alone unless annealEpochs is 0.
 */
export class SWALR {
  private stepCount = 0;
  private readonly anneal: (t: number) => number;
  constructor(readonly optimizer: SchedulableOptimizer, readonly swaLr: number, readonly annealEpochs = 10, readonly strategy: SwaAnneal = 'cos') {
    if (typeof swaLr !== 'number' || !Number.isFinite(swaLr) || swaLr < 0) throw inputError(`SWALR: swaLr: expected a number >= 0, got ${JSON.stringify(swaLr)}`);
    if (!Number.isInteger(annealEpochs) || annealEpochs < 0) throw inputError(`SWALR: annealEpochs: expected an integer >= 0, got ${JSON.stringify(annealEpochs)}`);
    if (strategy !== 'cos' && strategy !== 'linear') throw inputError(`SWALR: anneal: expected "cos" or "linear", got ${JSON.stringify(strategy)}`);
    this.anneal = strategy === 'cos' ? (t) => (1 - Math.cos(Math.PI * t)) / 2 : (t) => t;
    this.step();
  }
  /** group 0's lr. */
  get lr(): number {
    return this.optimizer.paramGroups[0].options.lr as number;
  }
  /** One epoch's step (torch's SWALR.step()): moves group lrs toward swaLr; returns group 0's lr. */
  step(): number {
    this.stepCount += 1;
    let step = this.stepCount - 1;
    if (this.annealEpochs === 0) step = Math.max(1, step);
    const span = Math.max(1, this.annealEpochs);
    const prevAlpha = this.anneal(Math.max(0, Math.min(1, (step - 1) / span)));
    const alpha = this.anneal(Math.max(0, Math.min(1, step / span)));
    for (const g of this.optimizer.paramGroups) {
      const lr = g.options.lr as number;
      const prev = prevAlpha === 1 ? this.swaLr : (lr - prevAlpha * this.swaLr) / (1 - prevAlpha);
      g.options.lr = this.swaLr * alpha + prev * (1 - alpha);
    }
    return this.lr;
  }
  /** SWALR's state, torch's _step_count. */
  state(): SwalrState {
    return { stepCount: this.stepCount };
  }
  /** Restores a state from {@link SWALR.state}; the next step continues the anneal from there. */
  load(s: SwalrState): void {
    if (!Number.isInteger(s?.stepCount) || s.stepCount < 1) throw inputError('SWALR state: stepCount: expected an integer >= 1');
    this.stepCount = s.stepCount;
  }
}

/** `--ema DECAY` or `--swa-start E --swa-lr X [--swa-anneal-epochs A] [--swa-anneal cos|linear]`. */
export type AveragingConfig =
  | { ema: number }
  | { swaStart: number; swaLr: number; swaAnnealEpochs?: number; swaAnneal?: SwaAnneal };

/** The training-time averaging's plain-data state (the averaged weights travel beside it, as a tensor). */
export interface WeightAveragingState {
  model: AveragedModelState;
  swalr?: SwalrState;
}

/**
 * Weight averaging in a training run, per the contract's Additions:
 * - ema: after every optimizer step the average takes the weights (`afterStep`);
 * - swa: at the end of every epoch e ≥ swaStart (1-based) the equal-weight average takes the weights and SWALR
 *   steps instead of the run's own schedule (`endEpoch` says which). SWALR is built at the first such epoch,
 *   which for annealEpochs ≥ 1 is the lr sequence of torch's recipe that builds it before training.
 * Evaluation and the saved model use `weights` once there is an average (`hasAverage`); before the first
 * SWA update there is none and the raw weights stand.
 */
export class WeightAveraging {
  readonly averaged: AveragedModel;
  readonly kind: 'ema' | 'swa';
  private swalr: SWALR | undefined;
  constructor(readonly config: AveragingConfig, private readonly params: FloatArray, private readonly optimizer: SchedulableOptimizer) {
    if ('ema' in config) {
      if ('swaStart' in config) throw inputError('--ema and --swa-start: choose one kind of weight averaging');
      this.kind = 'ema';
      this.averaged = new AveragedModel(params, emaAverage(config.ema));
      return;
    }
    const { swaStart, swaLr } = config;
    if (!Number.isInteger(swaStart) || swaStart < 1) throw inputError(`--swa-start: expected an epoch >= 1, got ${JSON.stringify(swaStart)}`);
    if (typeof swaLr !== 'number' || !Number.isFinite(swaLr) || swaLr < 0) throw inputError(`--swa-lr: expected a number >= 0, got ${JSON.stringify(swaLr)}`);
    const a = config.swaAnnealEpochs ?? 10;
    if (!Number.isInteger(a) || a < 0) throw inputError(`--swa-anneal-epochs: expected an integer >= 0, got ${JSON.stringify(a)}`);
    const s = config.swaAnneal ?? 'cos';
    if (s !== 'cos' && s !== 'linear') throw inputError(`--swa-anneal: expected cos or linear, got ${JSON.stringify(s)}`);
    this.kind = 'swa';
    this.averaged = new AveragedModel(params, swaAverage());
  }

  /** Whether an average exists (evaluation and saving use it). */
  get hasAverage(): boolean {
    return this.averaged.nAveraged > 0;
  }

  /** Whether SWA has begun (the run's own schedule no longer steps). */
  get swaStarted(): boolean {
    return this.kind === 'swa' && this.averaged.nAveraged > 0;
  }

  /** The averaged weights. */
  get weights(): FloatArray {
    return this.averaged.weights;
  }

  /** After every optimizer step: the EMA takes the weights. */
  afterStep(): void {
    if (this.kind === 'ema') this.averaged.update(this.params);
  }

  /** At the end of epoch `epoch` (1-based), before evaluation: SWA takes the weights from swaStart on. Returns whether it did. */
  endEpoch(epoch: number): boolean {
    if (this.kind !== 'swa' || epoch < (this.config as { swaStart: number }).swaStart) return false;
    this.averaged.update(this.params);
    return true;
  }

  /** After evaluation, in an SWA epoch: SWALR steps (built at the first). Returns the new lr. */
  stepLr(): number {
    const c = this.config as { swaLr: number; swaAnnealEpochs?: number; swaAnneal?: SwaAnneal };
    if (!this.swalr) this.swalr = new SWALR(this.optimizer, c.swaLr, c.swaAnnealEpochs ?? 10, c.swaAnneal ?? 'cos');
    return this.swalr.step();
  }

  /** Exchanges the raw and the averaged weights in place (twice restores); allocates nothing. */
  swap(): void {
    const p = this.params, w = this.averaged.weights;
    for (let i = 0; i < p.length; i++) {
      const t = p[i];
      p[i] = w[i];
      w[i] = t;
    }
  }

  /** Runs `fn` with the averaged weights in the model (when there is an average), then puts the raw ones back. */
  withAveraged<T>(fn: () => T): T {
    if (!this.hasAverage) return fn();
    this.swap();
    try {
      return fn();
    } finally {
      this.swap();
    }
  }

  /** The averaging's counters (the averaged weights are saved beside them, as a tensor). */
  state(): WeightAveragingState {
    return { model: this.averaged.state(), ...(this.swalr ? { swalr: this.swalr.state() } : {}) };
  }

  /** Restores a state and the averaged weights; SWALR resumes at its step count. */
  load(s: WeightAveragingState, weights: ArrayLike<number>): void {
    if (!s || typeof s !== 'object') throw inputError('weight averaging state: expected an object');
    this.averaged.load(s.model, weights);
    if (s.swalr) {
      const c = this.config as { swaLr: number; swaAnnealEpochs?: number; swaAnneal?: SwaAnneal };
      // rebuilt without its constructor's step touching the lr: the optimizer's lr comes back with its own state
      const lrs = this.optimizer.paramGroups.map((g) => g.options.lr);
      this.swalr = new SWALR(this.optimizer, c.swaLr, c.swaAnnealEpochs ?? 10, c.swaAnneal ?? 'cos');
      this.optimizer.paramGroups.forEach((g, i) => (g.options.lr = lrs[i]));
      this.swalr.load(s.swalr);
    } else this.swalr = undefined;
  }
}
