/**
 * Fused single-pass SIMD optimizer steps over contiguous float32 parameter buffers in the wasm arena,
 * the same rules as the pure-TS updates (same arguments, same state objects, same torch semantics).
 *
 * `Optimizer` takes these by itself: when a group's params and grads are float32 views into the wasm
 * arena (a model built while the wasm kernels are installed, as in `descent train` and every Node user of
 * the package), its state is allocated in the arena too and each step is one kernel call. Anything else
 * — float64 above all, and options a kernel does not implement — goes to the pure-TS rule unchanged, so
 * float64 trajectories stay bit-for-bit the reference. In float32 the kernels evaluate the rule's
 * expressions in the same order in f32 lanes (the TS rule on Float32Arrays computes in f64 and rounds on
 * store), so the two agree to float32 rounding, as torch's own float32 kernels do.
 *
 * The trainer's non-finite checks ride along (`check` bits): the gradient is scanned inside the same
 * kernel call before anything is written, and the new parameters are tested as they are stored.
 *
 * Rules with a fused kernel: adam (and its decoupledWeightDecay form), adamw, sgd, rmsprop, adagrad, adamax.
 * Rules that stay in TypeScript, and why:
 * - nadam: its μ-product is a float32-rounded running product in the state, and torch applies the two
 *   update terms as separate float32 adds (θ + c₁g/d, then + c₂m/d); a kernel reproducing that order
 *   gains little over the TS loop at the sizes nadam is used at here (its fixtures, the lectures).
 * - radam: the rectification switches per step between two update forms; candidate for a kernel.
 * - adadelta, rprop, rmsprop-nesterov: lecture rules (rprop rounds g·g_prev and Δ·η to float32 where torch
 *   does, a sign-driven step); not used by the training defaults, kept as the readable reference.
 * - lbfgs-torch and the line-search methods: not elementwise (closures, dot products, histories).
 * - Rules added after this table (asgd, adafactor, muon, sparse-adam): TS until they get kernels; muon and
 *   adafactor are not elementwise (Newton–Schulz iterations, factored second moments).
 */
import { getBackend, CHECK_GRADS, STEP_BAD_GRADS, STEP_OK, type StepKernel, type WasmBackend } from '../tensor/backend.js';
import { adamUpdate, type AdamOptions, type AdamState } from './adam.js';
import { sgdUpdate, type SgdOptions, type SgdState } from './sgd.js';
import type { FloatArray, FloatArrayConstructor } from './types.js';

export { CHECK_GRADS, CHECK_PARAMS, STEP_OK, STEP_BAD_GRADS, STEP_BAD_PARAMS } from '../tensor/backend.js';

function inArena(be: WasmBackend | null, ...xs: FloatArray[]): be is WasmBackend {
  if (!be) return false;
  for (const x of xs) if (!(x instanceof Float32Array) || !be.owns(x)) return false;
  return true;
}

/**
 * A stand-in for the Float32Array constructor that allocates in the wasm arena: `new ArenaFloat32(n)`
 * returns an arena view (a constructor returning an object yields that object), so a rule's own
 * `init(n, ArrayType, options)` places its state where the kernels can take it.
 */
function arenaFloat32(be: WasmBackend): FloatArrayConstructor {
  return function ArenaFloat32(n: number) {
    return be.allocF32(n);
  } as unknown as FloatArrayConstructor;
}

/** One fused step: runs a kernel over (params, grads, state) with the rule's options; returns a STEP_* code. */
interface FusedRule {
  /** Option keys the kernel implements; any other key set to something other than false, 0 or null keeps the TS rule. */
  readonly keys: readonly string[];
  run(be: WasmBackend, p: Float32Array, g: Float32Array, s: Record<string, unknown>, o: Record<string, unknown>, check: number): number;
}

// argument lists reused by every call: the hot path allocates nothing per step
const argLists = new Map<StepKernel, number[]>();
function argsFor(kernel: StepKernel, n: number): number[] {
  let a = argLists.get(kernel);
  if (!a) argLists.set(kernel, (a = new Array<number>(n).fill(0)));
  return a;
}

/**
 * Calls a step kernel, over the worker threads when they take it. Split ranges cannot undo each other's
 * writes, so a threaded step scans the gradient once up front (one SIMD pass) and the ranges check only
 * their new parameters.
 */
function launch(be: WasmBackend, kernel: StepKernel, a: number[], n: number, i0Slot: number, g: Float32Array): number {
  const checkSlot = a.length - 1;
  const check = a[checkSlot];
  if (be.parallel && be.parallel.splitsStep(n)) {
    if ((check & CHECK_GRADS) !== 0) {
      if (!be.exports.allFiniteF32(g.byteOffset, 0, n)) return STEP_BAD_GRADS;
      a[checkSlot] = check & ~CHECK_GRADS;
    }
    const r = be.parallel.step(kernel, a, n, i0Slot);
    a[checkSlot] = check;
    if (r >= 0) return r;
  }
  return (be.exports[kernel] as (...xs: number[]) => number).apply(null, a);
}

const num = (v: unknown): number => v as number;
const pair = (v: unknown): [number, number] => v as [number, number];
const buf = (v: unknown): number => (v as Float32Array).byteOffset;

const adamLike = (decoupled: boolean): FusedRule => ({
  keys: ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize', 'biasCorrection', 'decoupledWeightDecay'],
  run(be, p, g, s, o, check) {
    const [beta1, beta2] = pair(o.betas);
    const lr = num(o.lr), wd = num(o.weightDecay);
    const decoupledHere = decoupled || o.decoupledWeightDecay === true;
    const biasCorrection = o.biasCorrection !== false; // adamw has no such option: always corrected
    const step = num(s.step) + 1;
    // scalar factors in f64, as torch computes them in Python before the tensor ops
    const bc1 = biasCorrection ? 1 - beta1 ** step : 1;
    const bc2Sqrt = biasCorrection ? Math.sqrt(1 - beta2 ** step) : 1;
    const a = argsFor('adamF32', 17);
    a[0] = p.byteOffset; a[1] = g.byteOffset; a[2] = buf(s.expAvg); a[3] = buf(s.expAvgSq); a[4] = buf(s.maxExpAvgSq);
    a[5] = 0; a[6] = p.length;
    a[7] = lr / bc1; a[8] = beta1; a[9] = beta2; a[10] = num(o.eps); a[11] = bc2Sqrt;
    a[12] = decoupledHere ? 0 : wd; a[13] = o.maximize ? 1 : 0; a[14] = o.amsgrad ? 1 : 0;
    a[15] = decoupledHere ? 1 - lr * wd : 1; a[16] = check;
    const r = launch(be, 'adamF32', a, p.length, 5, g);
    if (r !== STEP_BAD_GRADS) s.step = step;
    return r;
  },
});

const fusedRules: Record<string, FusedRule> = {
  adam: adamLike(false),
  adamw: adamLike(true),
  sgd: {
    keys: ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize'],
    run(be, p, g, s, o, check) {
      const momentum = num(o.momentum);
      const a = argsFor('sgdF32', 13);
      a[0] = p.byteOffset; a[1] = g.byteOffset; a[2] = buf(s.momentumBuffer); a[3] = 0; a[4] = p.length;
      a[5] = num(o.lr); a[6] = momentum; a[7] = num(o.dampening); a[8] = o.nesterov ? 1 : 0; a[9] = num(o.weightDecay);
      a[10] = o.maximize ? 1 : 0; a[11] = num(s.momentumSteps) === 0 ? 1 : 0; a[12] = check;
      const r = launch(be, 'sgdF32', a, p.length, 3, g);
      if (r !== STEP_BAD_GRADS) {
        s.step = num(s.step) + 1;
        if (momentum !== 0) s.momentumSteps = num(s.momentumSteps) + 1;
      }
      return r;
    },
  },
  rmsprop: {
    keys: ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize', 'epsInside'],
    run(be, p, g, s, o, check) {
      const a = argsFor('rmspropF32', 16);
      a[0] = p.byteOffset; a[1] = g.byteOffset; a[2] = buf(s.squareAvg); a[3] = buf(s.gradAvg); a[4] = buf(s.momentumBuffer);
      a[5] = 0; a[6] = p.length;
      a[7] = num(o.lr); a[8] = num(o.alpha); a[9] = num(o.eps); a[10] = num(o.weightDecay); a[11] = num(o.momentum);
      a[12] = o.centered ? 1 : 0; a[13] = o.maximize ? 1 : 0; a[14] = o.epsInside ? 1 : 0; a[15] = check;
      const r = launch(be, 'rmspropF32', a, p.length, 5, g);
      if (r !== STEP_BAD_GRADS) s.step = num(s.step) + 1;
      return r;
    },
  },
  adagrad: {
    keys: ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'maximize', 'epsInside'],
    run(be, p, g, s, o, check) {
      const step = num(s.step) + 1;
      const a = argsFor('adagradF32', 11);
      a[0] = p.byteOffset; a[1] = g.byteOffset; a[2] = buf(s.sum); a[3] = 0; a[4] = p.length;
      a[5] = num(o.lr) / (1 + (step - 1) * num(o.lrDecay)); a[6] = num(o.weightDecay); a[7] = num(o.eps);
      a[8] = o.maximize ? 1 : 0; a[9] = o.epsInside ? 1 : 0; a[10] = check;
      const r = launch(be, 'adagradF32', a, p.length, 3, g);
      if (r !== STEP_BAD_GRADS) s.step = step;
      return r;
    },
  },
  adamax: {
    keys: ['lr', 'betas', 'eps', 'weightDecay', 'maximize'],
    run(be, p, g, s, o, check) {
      const [beta1, beta2] = pair(o.betas);
      const step = num(s.step) + 1;
      const a = argsFor('adamaxF32', 13);
      a[0] = p.byteOffset; a[1] = g.byteOffset; a[2] = buf(s.expAvg); a[3] = buf(s.expInf); a[4] = 0; a[5] = p.length;
      a[6] = num(o.lr) / (1 - beta1 ** step); a[7] = beta1; a[8] = beta2; a[9] = num(o.eps); a[10] = num(o.weightDecay);
      a[11] = o.maximize ? 1 : 0; a[12] = check;
      const r = launch(be, 'adamaxF32', a, p.length, 4, g);
      if (r !== STEP_BAD_GRADS) s.step = step;
      return r;
    },
  },
};

/** The rule names that have a fused kernel. */
export const fusedRuleNames: readonly string[] = Object.keys(fusedRules);

function implements_(rule: FusedRule, o: Record<string, unknown>): boolean {
  for (const k in o) {
    const v = o[k];
    if (v === false || v === 0 || v === null || v === undefined) continue;
    if (!rule.keys.includes(k)) return false;
  }
  return true;
}

/**
 * A param group's fused step, bound once by `Optimizer`: null when the group cannot take one (no
 * kernel for the rule, float64, buffers outside the arena). Its `step` returns -1 when this step's
 * options need the TS rule (an option the kernel does not implement), else a STEP_* code.
 */
export interface FusedBinding {
  /** Whether the kernel implements these options (else the TS rule must run). */
  accepts(options: Record<string, unknown>): boolean;
  step(state: Record<string, unknown>, options: Record<string, unknown>, check: number): number;
}

export function bindFusedStep(name: string, params: FloatArray, grads: FloatArray): FusedBinding | null {
  const rule = Object.hasOwn(fusedRules, name) ? fusedRules[name] : undefined;
  const be = getBackend();
  if (!rule || !inArena(be, params, grads)) return null;
  const p = params as Float32Array, g = grads as Float32Array;
  return {
    accepts: (options) => implements_(rule, options),
    step: (state, options, check) => (implements_(rule, options) ? rule.run(be, p, g, state, options, check) : -1),
  };
}

/**
 * The array constructor a group's state should use: arena-allocating when the params live in the wasm
 * arena (so the kernels take the state without copies), else the params' own type.
 */
export function stateArrayType(params: FloatArray): FloatArrayConstructor {
  const be = getBackend();
  if (inArena(be, params)) return arenaFloat32(be);
  return params instanceof Float32Array ? Float32Array : Float64Array;
}

/** Whether every value of x is finite: one SIMD pass for arena float32, a branch-free loop otherwise. */
export function allFiniteValues(x: FloatArray): boolean {
  const be = getBackend();
  if (inArena(be, x)) return be.exports.allFiniteF32(x.byteOffset, 0, x.length) === 1;
  let acc = 0; // x·0 is 0 for a finite x and NaN for ±Infinity or NaN
  for (let i = 0; i < x.length; i++) acc += x[i] * 0;
  return acc === 0;
}

// ---- the original single-rule entry points (bench, library users calling rules directly) ----

/** Adam state whose buffers live in the wasm arena when the backend is on (Float32Array otherwise). */
export function adamInitFused(n: number): AdamState {
  const be = getBackend();
  const f = (k: number): Float32Array => (be ? be.allocF32(k) : new Float32Array(k));
  return { step: 0, expAvg: f(n), expAvgSq: f(n), maxExpAvgSq: f(n) };
}

/** SGD state in the wasm arena when the backend is on. */
export function sgdInitFused(n: number): SgdState {
  const be = getBackend();
  return { step: 0, momentumSteps: 0, momentumBuffer: be ? be.allocF32(n) : new Float32Array(n) };
}

/**
 * One Adam step (torch.optim.Adam), fused and SIMD when every buffer is float32 in the wasm arena,
 * else exactly `adamUpdate`. Math as adamUpdate:
 *   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + eps)
 * Large buffers are split across worker threads when `enableThreads` (src/tensor/backend-node.ts) is on.
 */
export function adamUpdateFused(params: FloatArray, grads: FloatArray, state: AdamState, o: AdamOptions): void {
  const be = getBackend();
  if (!inArena(be, params, grads, state.expAvg, state.expAvgSq, state.maxExpAvgSq)) {
    adamUpdate(params, grads, state, o);
    return;
  }
  fusedRules.adam.run(be, params as Float32Array, grads as Float32Array, state as unknown as Record<string, unknown>, o, STEP_OK);
}

/**
 * One SGD step (torch.optim.SGD, momentum/dampening/nesterov/weight decay/maximize), fused and SIMD
 * for float32 arena buffers, else exactly `sgdUpdate`:
 *   b ← g (first step with momentum) or μb + (1−τ)g;  θ ← θ − lr·(nesterov ? g + μb : b)
 */
export function sgdUpdateFused(params: FloatArray, grads: FloatArray, state: SgdState, o: SgdOptions): void {
  const be = getBackend();
  if (!inArena(be, params, grads, state.momentumBuffer)) {
    sgdUpdate(params, grads, state, o);
    return;
  }
  fusedRules.sgd.run(be, params as Float32Array, grads as Float32Array, state as unknown as Record<string, unknown>, o, STEP_OK);
}
