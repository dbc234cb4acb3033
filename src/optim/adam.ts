import type { FloatArray, FloatArrayConstructor } from './types.js';

/**
 * torch.optim.Adam 2.13 defaults (decoupledWeightDecay: AdamW's decay), plus descent's `biasCorrection` (false: the lectures'
 * "Adam without bias correction", θ ← θ − lr·m/(√v + eps)).
 */
export const adamDefaults = {
  lr: 0.001,
  betas: [0.9, 0.999] as [number, number],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
  biasCorrection: true,
  decoupledWeightDecay: false,
};
/**
 * Options of {@link adamUpdate}, the fields of {@link adamDefaults} (torch.optim.Adam's arguments in camelCase): `lr`,
 * `betas` [β₁, β₂] the decays of the first and second moments, `eps` added to √v̂, `weightDecay` (L2 in the
 * gradient, or decoupled with `decoupledWeightDecay`), `amsgrad` (keep the running maximum of v), `maximize`,
 * and descent's `biasCorrection`.
 */
export type AdamOptions = typeof adamDefaults;

/**
 * Adam's per-parameter state, torch's names in camelCase: the step count t, `expAvg` (m), `expAvgSq` (v) and
 * `maxExpAvgSq` (v̂, used only with amsgrad), each as long as the parameters.
 */
export interface AdamState {
  step: number;
  expAvg: FloatArray;
  expAvgSq: FloatArray;
  maxExpAvgSq: FloatArray;
}

/**
 * Zeroed state for n parameters, in ArrayType (the parameters' Float64Array or Float32Array), as torch's first step.
 */
export function adamInit(n: number, ArrayType: FloatArrayConstructor = Float64Array): AdamState {
  return { step: 0, expAvg: new ArrayType(n), expAvgSq: new ArrayType(n), maxExpAvgSq: new ArrayType(n) };
}

/**
 * One Adam step, torch.optim.Adam 2.13 (`_single_tensor_adam`, not capturable), in place (Kingma & Ba, 2015):
 *   t ← t + 1;  g ← ±∇ + λθ (L2 in the gradient), or with decoupledWeightDecay θ ← θ·(1 − lr·λ) (as adamw)
 *   m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  amsgrad: v̂ ← max(v̂, v), used in place of v
 *   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)
 * With biasCorrection false: θ ← θ − lr · m / (√v + eps).
 */
export function adamUpdate(params: FloatArray, grads: FloatArray, state: AdamState, o: AdamOptions): void {
  const { lr, eps, weightDecay, amsgrad, maximize, biasCorrection, decoupledWeightDecay } = o;
  const beta1 = o.betas[0], beta2 = o.betas[1];
  state.step += 1;
  const step = state.step;
  const bc1 = biasCorrection ? 1 - beta1 ** step : 1;
  const stepSize = lr / bc1;
  const bc2Sqrt = biasCorrection ? Math.sqrt(1 - beta2 ** step) : 1;
  const decay = 1 - lr * weightDecay;
  const { expAvg, expAvgSq, maxExpAvgSq } = state;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grads[i] : grads[i];
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) params[i] = params[i] * decay;
      else g = g + weightDecay * params[i];
    }
    expAvg[i] = expAvg[i] * beta1 + (1 - beta1) * g;
    expAvgSq[i] = expAvgSq[i] * beta2 + (1 - beta2) * g * g;
    let v = expAvgSq[i];
    if (amsgrad) {
      if (v > maxExpAvgSq[i] || Number.isNaN(v)) maxExpAvgSq[i] = v;
      v = maxExpAvgSq[i];
    }
    // without bias correction the denominator is √v + eps exactly (no division by √1)
    const denom = biasCorrection ? Math.sqrt(v) / bc2Sqrt + eps : Math.sqrt(v) + eps;
    params[i] = params[i] + (-stepSize * expAvg[i]) / denom;
  }
}
