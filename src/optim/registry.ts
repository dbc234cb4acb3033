/**
 * The optimizer table: each entry pairs a rule with its defaults, state init and validation.
 * A plain object, no import-time side effects.
 */
import { inputError } from '../errors.js';
import type { FloatArray, FloatArrayConstructor } from './types.js';
import { sgdDefaults, sgdInit, sgdUpdate } from './sgd.js';
import { adagradDefaults, adagradInit, adagradUpdate } from './adagrad.js';
import { rmspropDefaults, rmspropInit, rmspropUpdate } from './rmsprop.js';
import { adadeltaDefaults, adadeltaInit, adadeltaUpdate } from './adadelta.js';
import { adamDefaults, adamInit, adamUpdate } from './adam.js';
import { adamwDefaults, adamwInit, adamwUpdate } from './adamw.js';
import { adamaxDefaults, adamaxInit, adamaxUpdate } from './adamax.js';
import { nadamDefaults, nadamInit, nadamUpdate } from './nadam.js';
import { radamDefaults, radamInit, radamUpdate } from './radam.js';
import { rpropDefaults, rpropInit, rpropUpdate } from './rprop.js';
import { rmspropNesterovDefaults, rmspropNesterovInit, rmspropNesterovUpdate } from './rmsprop-nesterov.js';
import { asgdDefaults, asgdInit, asgdUpdate } from './asgd.js';
import { adafactorDefaults, adafactorInit, adafactorUpdate } from './adafactor.js';
import { muonDefaults, muonInit, muonUpdate } from './muon.js';
import { sparseAdamDefaults, sparseAdamInit, sparseAdamUpdate, type SparseGradRows } from './sparse-adam.js';

/**
 * A hyperparameter value: a number, a boolean, a list of numbers (betas, muon's nsCoefficients; adafactor's
 * eps may hold null, "the dtype's machine epsilon"), or a name (muon's adjustLrFn; null for none).
 */
export type HyperValue = number | boolean | string | null | [number, number] | [number | null, number] | [number, number, number];
/**
 * An optimizer's options by name (lr, betas, ...), as a live {@link ParamGroup} holds them; typed per optimizer by {@link OptionsOf}.
 */
export type HyperOptions = Record<string, HyperValue>;

/** One optimizer: pure rule + defaults (the single source of truth for options, flags and docs). */
export interface OptimizerRule<O extends HyperOptions = HyperOptions, S = unknown> {
  readonly name: string;
  readonly description: string;
  readonly defaults: Readonly<O>;
  /**
   * Per-parameter state for n values, allocated once in the parameters' precision. `shape` is the tensor's
   * (adafactor factors a matrix's second moments, muon needs a matrix); absent, the values are a vector.
   */
  init(n: number, ArrayType: FloatArrayConstructor, options: O, shape?: readonly number[]): S;
  /**
   * One step, in place, allocating nothing. `sparse` names the rows of a sparse gradient (an EmbeddingBag's
   * touched rows); only sparse-adam reads it.
   */
  update(params: FloatArray, grads: FloatArray, state: S, options: O, sparse?: SparseGradRows): void;
  /** Range checks beyond the types; throws inputError naming the hyperparameter. */
  check(options: O): void;
  /**
   * True when the rule depends on each tensor as a whole (norms, factored moments, matrices): then every
   * parameter tensor is its own param group with its shape (torch keeps state per tensor), where the
   * elementwise rules take the whole contiguous buffer at once.
   */
  readonly perTensor?: boolean;
}

function rule<O extends HyperOptions, S>(r: OptimizerRule<O, S>): OptimizerRule<O, S> {
  return r;
}

/** torch.optim's words for an out-of-range hyperparameter ("Invalid learning rate: -1"), added to ours. */
const TORCH_WORDS: Record<string, string> = {
  lr: 'invalid learning rate', eps: 'invalid epsilon value', 'betas[0]': 'invalid beta parameter at index 0',
  'betas[1]': 'invalid beta parameter at index 1', momentum: 'invalid momentum value', weightDecay: 'invalid weight_decay value',
  alpha: 'invalid alpha value', rho: 'invalid rho value', lrDecay: 'invalid lr_decay value',
  initialAccumulatorValue: 'invalid initial_accumulator_value value', momentumDecay: 'invalid momentum_decay value',
  etas: 'invalid eta values', stepSizes: 'invalid step sizes', dampening: 'invalid dampening value',
  beta2Decay: 'beta2_decay should be <= 0', d: 'clipping threshold d should be >= 1',
};

/** Throws `NAME: expected WHAT, got VALUE (torch's words)`: the name first, so the CLI can put its flag there. */
function need(ok: boolean, name: string, expected: string, got: unknown): void {
  if (!ok) throw inputError(`${name}: expected ${expected}, got ${typeof got === 'number' ? String(got) : JSON.stringify(got)}${TORCH_WORDS[name] ? ` (${TORCH_WORDS[name]})` : ''}`);
}
const fin = (x: number): boolean => Number.isFinite(x);
function checkLr(lr: number): void {
  if (Number.isNaN(lr)) throw inputError('lr: required for this optimizer (expected a number >= 0)');
  need(fin(lr) && lr >= 0, 'lr', 'a number >= 0', lr);
}
/** torch refuses only eps < 0; eps 0 is allowed (a zero gradient entry then gives 0/0, as in torch). */
function checkEps(eps: number): void {
  need(fin(eps) && eps >= 0, 'eps', 'a number >= 0', eps);
}
function checkWd(wd: number): void {
  need(fin(wd) && wd >= 0, 'weightDecay', 'a number >= 0', wd);
}
function checkBetas(b: [number, number]): void {
  need(fin(b[0]) && b[0] >= 0 && b[0] < 1, 'betas[0]', 'a number in [0, 1)', b[0]);
  need(fin(b[1]) && b[1] >= 0 && b[1] < 1, 'betas[1]', 'a number in [0, 1)', b[1]);
}

export const sgd = rule({
  name: 'sgd',
  description: 'stochastic gradient descent with momentum, dampening and Nesterov (torch.optim.SGD)',
  defaults: sgdDefaults,
  init: (n, T) => sgdInit(n, T),
  update: sgdUpdate,
  check(o) {
    checkLr(o.lr);
    need(fin(o.momentum) && o.momentum >= 0, 'momentum', 'a number >= 0', o.momentum);
    need(fin(o.dampening), 'dampening', 'a finite number', o.dampening);
    checkWd(o.weightDecay);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw inputError(`nesterov: requires momentum > 0 and dampening 0 (got momentum ${o.momentum}, dampening ${o.dampening})`);
    }
  },
});

export const adagrad = rule({
  name: 'adagrad',
  description: 'per-coordinate steps scaled by the root of the summed squared gradients (torch.optim.Adagrad)',
  defaults: adagradDefaults,
  init: (n, T, o) => adagradInit(n, T, o),
  update: adagradUpdate,
  check(o) {
    checkLr(o.lr);
    need(fin(o.lrDecay) && o.lrDecay >= 0, 'lrDecay', 'a number >= 0', o.lrDecay);
    checkWd(o.weightDecay);
    need(fin(o.initialAccumulatorValue) && o.initialAccumulatorValue >= 0, 'initialAccumulatorValue', 'a number >= 0', o.initialAccumulatorValue);
    checkEps(o.eps);
  },
});

export const rmsprop = rule({
  name: 'rmsprop',
  description: 'steps scaled by a running root-mean-square of the gradient (torch.optim.RMSprop)',
  defaults: rmspropDefaults,
  init: (n, T) => rmspropInit(n, T),
  update: rmspropUpdate,
  check(o) {
    checkLr(o.lr);
    need(fin(o.alpha) && o.alpha >= 0 && o.alpha <= 1, 'alpha', 'a number in [0, 1]', o.alpha);
    checkEps(o.eps);
    checkWd(o.weightDecay);
    need(fin(o.momentum) && o.momentum >= 0, 'momentum', 'a number >= 0', o.momentum);
  },
});

export const adadelta = rule({
  name: 'adadelta',
  description: 'unit-corrected steps from running averages of squared gradients and updates (torch.optim.Adadelta)',
  defaults: adadeltaDefaults,
  init: (n, T) => adadeltaInit(n, T),
  update: adadeltaUpdate,
  check(o) {
    checkLr(o.lr);
    need(fin(o.rho) && o.rho >= 0 && o.rho <= 1, 'rho', 'a number in [0, 1]', o.rho);
    checkEps(o.eps);
    checkWd(o.weightDecay);
  },
});

export const adam = rule({
  name: 'adam',
  description: 'bias-corrected first and second moment estimates (torch.optim.Adam; biasCorrection false as in the lectures)',
  defaults: adamDefaults,
  init: (n, T) => adamInit(n, T),
  update: adamUpdate,
  check(o) {
    checkLr(o.lr);
    checkBetas(o.betas);
    checkEps(o.eps);
    checkWd(o.weightDecay);
  },
});

export const adamw = rule({
  name: 'adamw',
  description: 'Adam with decoupled weight decay (torch.optim.AdamW)',
  defaults: adamwDefaults,
  init: (n, T) => adamwInit(n, T),
  update: adamwUpdate,
  check(o) {
    checkLr(o.lr);
    checkBetas(o.betas);
    checkEps(o.eps);
    checkWd(o.weightDecay);
  },
});

export const adamax = rule({
  name: 'adamax',
  description: 'Adam with an infinity-norm second moment (torch.optim.Adamax)',
  defaults: adamaxDefaults,
  init: (n, T) => adamaxInit(n, T),
  update: adamaxUpdate,
  check(o) {
    checkLr(o.lr);
    checkBetas(o.betas);
    checkEps(o.eps);
    checkWd(o.weightDecay);
  },
});

export const nadam = rule({
  name: 'nadam',
  description: 'Adam with Nesterov momentum and a momentum schedule (torch.optim.NAdam)',
  defaults: nadamDefaults,
  init: (n, T) => nadamInit(n, T),
  update: nadamUpdate,
  check(o) {
    checkLr(o.lr);
    checkBetas(o.betas);
    checkEps(o.eps);
    checkWd(o.weightDecay);
    need(fin(o.momentumDecay) && o.momentumDecay >= 0, 'momentumDecay', 'a number >= 0', o.momentumDecay);
    if (o.torch113 && (o.maximize || o.decoupledWeightDecay)) {
      throw inputError(`torch113: torch 1.13's NAdam has no ${o.maximize ? 'maximize' : 'decoupledWeightDecay'}; drop one of them`);
    }
  },
});

export const radam = rule({
  name: 'radam',
  description: 'Adam with a rectified variance estimate (torch.optim.RAdam)',
  defaults: radamDefaults,
  init: (n, T) => radamInit(n, T),
  update: radamUpdate,
  check(o) {
    checkLr(o.lr);
    checkBetas(o.betas);
    checkEps(o.eps);
    checkWd(o.weightDecay);
  },
});

export const rprop = rule({
  name: 'rprop',
  description: 'sign-based steps with per-coordinate adaptive step sizes (torch.optim.Rprop)',
  defaults: rpropDefaults,
  init: (n, T, o) => rpropInit(n, T, o),
  update: rpropUpdate,
  check(o) {
    checkLr(o.lr);
    const [em, ep] = o.etas;
    need(fin(em) && fin(ep) && 0 < em && em < 1 && 1 < ep, 'etas', '[etaminus, etaplus] with 0 < etaminus < 1 < etaplus', o.etas);
    const [lo, hi] = o.stepSizes;
    need(fin(lo) && fin(hi) && 0 <= lo && lo <= hi, 'stepSizes', '[min, max] with 0 <= min <= max', o.stepSizes);
  },
});

export const rmspropNesterov = rule({
  name: 'rmsprop-nesterov',
  description: "the lectures' RMSProp with Nesterov momentum (Goodfellow et al., Algorithm 8.6); a descent extension",
  defaults: rmspropNesterovDefaults,
  init: (n, T) => rmspropNesterovInit(n, T),
  update: rmspropNesterovUpdate,
  check(o) {
    checkLr(o.lr);
    need(fin(o.alpha) && o.alpha >= 0 && o.alpha <= 1, 'alpha', 'a number in [0, 1]', o.alpha);
    checkEps(o.eps);
    need(fin(o.momentum) && o.momentum >= 0, 'momentum', 'a number >= 0', o.momentum);
  },
});

export const asgd = rule({
  name: 'asgd',
  description: 'averaged SGD: decaying steps and a Polyak–Ruppert average of the iterates from step t0 (torch.optim.ASGD)',
  defaults: asgdDefaults,
  init: (n, T, o) => asgdInit(n, T, o),
  update: asgdUpdate,
  check(o) {
    checkLr(o.lr);
    need(fin(o.lambd) && o.lambd >= 0, 'lambd', 'a number >= 0', o.lambd);
    need(fin(o.alpha), 'alpha', 'a finite number', o.alpha);
    need(fin(o.t0) && o.t0 >= 0, 't0', 'a number >= 0', o.t0);
    checkWd(o.weightDecay);
  },
});

export const adafactor = rule({
  name: 'adafactor',
  description: 'factored second moments (row and column means for matrices), relative step sizes (torch.optim.Adafactor)',
  defaults: adafactorDefaults,
  init: (n, T, _o, shape) => adafactorInit(n, T, shape),
  update: adafactorUpdate,
  perTensor: true,
  check(o) {
    checkLr(o.lr);
    need(fin(o.beta2Decay) && o.beta2Decay <= 0, 'beta2Decay', 'a number <= 0', o.beta2Decay);
    need(o.eps[0] === null || (fin(o.eps[0]) && o.eps[0] >= 0), 'eps[0]', 'null (machine epsilon) or a number >= 0', o.eps[0]);
    need(fin(o.eps[1]) && o.eps[1] >= 0, 'eps[1]', 'a number >= 0', o.eps[1]);
    need(fin(o.d) && o.d >= 1, 'd', 'a number >= 1', o.d);
    checkWd(o.weightDecay);
  },
});

export const sparseAdam = rule({
  name: 'sparse-adam',
  description: 'lazy Adam for sparse gradients: moments and parameters move only where the gradient has entries (torch.optim.SparseAdam)',
  defaults: sparseAdamDefaults,
  init: (n, T) => sparseAdamInit(n, T),
  update: sparseAdamUpdate,
  check(o) {
    checkLr(o.lr);
    checkBetas(o.betas);
    // torch: 0.0 < eps
    need(fin(o.eps) && o.eps > 0, 'eps', 'a number > 0', o.eps);
  },
});

export const muon = rule({
  name: 'muon',
  description: 'momentum orthogonalized by Newton–Schulz in bfloat16, for 2-D weights (torch.optim.Muon)',
  defaults: muonDefaults,
  init: (n, T, _o, shape) => {
    if (shape !== undefined && shape.length !== 2) throw inputError(`muon: takes 2-D parameters only (torch.optim.Muon), got shape [${shape.join(', ')}]; use adamw for the others`);
    return muonInit(n, T, shape);
  },
  update: muonUpdate,
  perTensor: true,
  check(o) {
    checkLr(o.lr);
    checkWd(o.weightDecay);
    need(fin(o.momentum) && o.momentum >= 0, 'momentum', 'a number >= 0', o.momentum);
    need(o.nsCoefficients.every(fin), 'nsCoefficients', 'three finite numbers (a, b, c)', o.nsCoefficients);
    checkEps(o.eps);
    need(Number.isInteger(o.nsSteps) && o.nsSteps >= 0 && o.nsSteps < 100, 'nsSteps', 'an integer in [0, 100)', o.nsSteps);
    need(o.adjustLrFn === null || o.adjustLrFn === 'original' || o.adjustLrFn === 'match_rms_adamw', 'adjustLrFn', 'null, "original" or "match_rms_adamw"', o.adjustLrFn);
  },
});

/** Every first-order optimizer by its CLI name: the torch.optim ones, then descent's extension. */
export const optimizers = {
  sgd,
  adagrad,
  rmsprop,
  adadelta,
  adam,
  adamw,
  adamax,
  nadam,
  radam,
  rprop,
  asgd,
  adafactor,
  'sparse-adam': sparseAdam,
  muon,
  'rmsprop-nesterov': rmspropNesterov,
} as const;

/**
 * The name of a first-order optimizer, a key of {@link optimizers}: `'sgd' | 'adam' | 'adamw' | ...`, the names
 * `descent train --opt` takes. Each maps to its torch.optim class (sgd → SGD, sparse-adam → SparseAdam).
 */
export type OptimizerName = keyof typeof optimizers;

/** The options of each optimizer, by name: the type of its defaults object (the single source of truth). */
export type OptionsOf<N extends OptimizerName> = (typeof optimizers)[N]['defaults'] extends Readonly<infer O> ? { -readonly [K in keyof O]: O[K] } : never;

/** What `createOptimizer` takes for a name: any of the optimizer's options (the rest are its defaults). */
export type OptimizerOptions<N extends OptimizerName> = Partial<OptionsOf<N>>;

/**
 * Whether `name` is one of the {@link optimizers} (own keys only, so 'toString' is not), narrowing it to {@link OptimizerName}.
 */
export function isOptimizerName(name: string): name is OptimizerName {
  return Object.prototype.hasOwnProperty.call(optimizers, name);
}

/**
 * Merges `given` over the rule's defaults and validates: unknown names fail with the known list,
 * types must match the defaults' (number, boolean, [number, number]), then the rule's range checks.
 */
export function resolveOptions<O extends HyperOptions>(r: OptimizerRule<O, unknown>, given: Record<string, unknown> = {}): O {
  const out: HyperOptions = { ...(r.defaults as HyperOptions) };
  for (const key of Object.keys(out)) {
    const v = out[key];
    if (Array.isArray(v)) out[key] = v.slice() as HyperValue;
  }
  const known = Object.keys(r.defaults);
  for (const [key, value] of Object.entries(given)) {
    if (!known.includes(key)) throw inputError(`unknown hyperparameter '${key}' for ${r.name}; expected one of: ${known.join(', ')}`);
    out[key] = coerce(key, value, r.defaults[key] as HyperValue);
  }
  r.check(out as O);
  return out as O;
}

function coerce(key: string, value: unknown, like: HyperValue): HyperValue {
  if (typeof like === 'number') {
    need(typeof value === 'number' && !Number.isNaN(value), key, 'a number', value);
    return value as number;
  }
  if (typeof like === 'boolean') {
    need(typeof value === 'boolean', key, 'true or false', value);
    return value as boolean;
  }
  if (like === null || typeof like === 'string') {
    // a name, or null for none (muon's adjustLrFn); the rule's check names the choices
    need(value === null || typeof value === 'string', key, 'a name or null', value);
    return value as string | null;
  }
  const nullable = like.map((x) => x === null);
  const words = like.length === 2 ? 'two numbers' : `${like.length} numbers`;
  need(Array.isArray(value) && value.length === like.length
    && value.every((x, i) => (x === null && nullable[i]) || (typeof x === 'number' && !Number.isNaN(x))),
    key, nullable.some(Boolean) ? `${words} (null allowed where the default has it)` : words, value);
  return (value as (number | null)[]).slice() as HyperValue;
}
