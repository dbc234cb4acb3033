import type { FloatArray, FloatArrayConstructor } from './types.js';
import type { AdamState } from './adam.js';

/** torch.optim.AdamW 1.13 defaults: as adam, but weightDecay 0.01 and decoupled. */
export const adamwDefaults = {
  lr: 0.001,
  betas: [0.9, 0.999] as [number, number],
  eps: 1e-8,
  weightDecay: 0.01,
  amsgrad: false,
  maximize: false,
};
/**
 * Options of {@link adamwUpdate}, the fields of {@link adamwDefaults}: as {@link AdamOptions} without the L2 form,
 * `weightDecay` (λ, default 0.01) always decoupled (θ ← θ·(1 − lr·λ)).
 */
export type AdamwOptions = typeof adamwDefaults;
/** AdamW keeps Adam's state ({@link AdamState}): step, expAvg, expAvgSq, maxExpAvgSq. */
export type AdamwState = AdamState;

/**
 * Zeroed state for n parameters, in ArrayType (the parameters' Float64Array or Float32Array), as torch's first step.
 */
export function adamwInit(n: number, ArrayType: FloatArrayConstructor = Float64Array): AdamwState {
  return { step: 0, expAvg: new ArrayType(n), expAvgSq: new ArrayType(n), maxExpAvgSq: new ArrayType(n) };
}

/**
 * One AdamW step, torch.optim.AdamW 1.13 (`_single_tensor_adamw`), in place (Loshchilov & Hutter, 2019):
 *   θ ← θ·(1 − lr·λ)  (decoupled weight decay, before the moments)
 *   then Adam's update with g = ±∇ (no L2 term in the gradient).
 */
export function adamwUpdate(params: FloatArray, grads: FloatArray, state: AdamwState, o: AdamwOptions): void {
  const { lr, eps, weightDecay, amsgrad, maximize } = o;
  const beta1 = o.betas[0], beta2 = o.betas[1];
  state.step += 1;
  const step = state.step;
  const decay = 1 - lr * weightDecay;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const { expAvg, expAvgSq, maxExpAvgSq } = state;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    const g = maximize ? -grads[i] : grads[i];
    params[i] = params[i] * decay;
    expAvg[i] = expAvg[i] * beta1 + (1 - beta1) * g;
    expAvgSq[i] = expAvgSq[i] * beta2 + (1 - beta2) * g * g;
    let v = expAvgSq[i];
    if (amsgrad) {
      if (v > maxExpAvgSq[i] || Number.isNaN(v)) maxExpAvgSq[i] = v;
      v = maxExpAvgSq[i];
    }
    params[i] = params[i] + (-stepSize * expAvg[i]) / (Math.sqrt(v) / bc2Sqrt + eps);
  }
}
