/**
 * Fused single-pass SIMD optimizer steps over contiguous float32 parameter buffers, drop-in for
 * `adamUpdate` / `sgdUpdate` (same arguments, same state objects, same torch 1.13 semantics).
 *
 * The wasm loop runs when params, grads and state are Float32Arrays in the wasm arena
 * (allocate them with `allocF32` from src/tensor/backend.ts, or the state with `adamInitFused` /
 * `sgdInitFused`); anything else — float64 above all — goes to the pure-TS rule unchanged, so float64
 * trajectories stay bit-for-bit the reference. In float32 the fused loop evaluates the rule's
 * expressions in the same order in f32 lanes (the TS rule on Float32Arrays computes in f64 and
 * rounds on store), so the two agree to float32 rounding, as torch's own float32 kernels do.
 */
import { getBackend } from '../tensor/backend.js';
import { adamUpdate, type AdamOptions, type AdamState } from './adam.js';
import { sgdUpdate, type SgdOptions, type SgdState } from './sgd.js';
import type { FloatArray } from './types.js';

function inArena(...xs: FloatArray[]): boolean {
  const be = getBackend();
  if (!be) return false;
  for (const x of xs) if (!(x instanceof Float32Array) || !be.owns(x)) return false;
  return true;
}

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

// reused argument list: the hot path allocates nothing per step
const adamArgs: number[] = new Array(15).fill(0);
const sgdArgs: number[] = new Array(12).fill(0);

/**
 * One Adam step (torch.optim.Adam 1.13), fused and SIMD when every buffer is float32 in the wasm arena,
 * else exactly `adamUpdate`. Math as adamUpdate:
 *   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + eps)
 * Large buffers are split across worker threads when `enableThreads` (src/tensor/backend-node.ts) is on.
 */
export function adamUpdateFused(params: FloatArray, grads: FloatArray, state: AdamState, o: AdamOptions): void {
  if (!inArena(params, grads, state.expAvg, state.expAvgSq, state.maxExpAvgSq)) {
    adamUpdate(params, grads, state, o);
    return;
  }
  const be = getBackend()!;
  const beta1 = o.betas[0], beta2 = o.betas[1];
  state.step += 1;
  const step = state.step;
  // scalar factors in f64, as torch computes them in Python before the tensor ops
  const bc1 = o.biasCorrection ? 1 - beta1 ** step : 1;
  const bc2Sqrt = o.biasCorrection ? Math.sqrt(1 - beta2 ** step) : 1;
  const n = params.length;
  const a = adamArgs;
  a[0] = params.byteOffset; a[1] = grads.byteOffset; a[2] = state.expAvg.byteOffset; a[3] = state.expAvgSq.byteOffset;
  a[4] = state.maxExpAvgSq.byteOffset; a[5] = 0; a[6] = n;
  a[7] = o.lr / bc1; a[8] = beta1; a[9] = beta2; a[10] = o.eps; a[11] = bc2Sqrt; a[12] = o.weightDecay;
  a[13] = o.maximize ? 1 : 0; a[14] = o.amsgrad ? 1 : 0;
  if (be.parallel && be.parallel.adam(a, n)) return;
  be.exports.adamF32(a[0], a[1], a[2], a[3], a[4], 0, n, a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]);
}

/**
 * One SGD step (torch.optim.SGD 1.13, momentum/dampening/nesterov/weight decay/maximize), fused and SIMD
 * for float32 arena buffers, else exactly `sgdUpdate`:
 *   b ← g (first step with momentum) or μb + (1−τ)g;  θ ← θ − lr·(nesterov ? g + μb : b)
 */
export function sgdUpdateFused(params: FloatArray, grads: FloatArray, state: SgdState, o: SgdOptions): void {
  if (!inArena(params, grads, state.momentumBuffer)) {
    sgdUpdate(params, grads, state, o);
    return;
  }
  const be = getBackend()!;
  const first = state.momentumSteps === 0;
  state.step += 1;
  if (o.momentum !== 0) state.momentumSteps += 1;
  const n = params.length;
  const a = sgdArgs;
  a[0] = params.byteOffset; a[1] = grads.byteOffset; a[2] = state.momentumBuffer.byteOffset; a[3] = 0; a[4] = n;
  a[5] = o.lr; a[6] = o.momentum; a[7] = o.dampening; a[8] = o.nesterov ? 1 : 0; a[9] = o.weightDecay;
  a[10] = o.maximize ? 1 : 0; a[11] = first ? 1 : 0;
  if (be.parallel && be.parallel.sgd(a, n)) return;
  be.exports.sgdF32(a[0], a[1], a[2], 0, n, a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
}
