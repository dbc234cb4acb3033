import type { FloatArray, FloatArrayConstructor } from './types.js';

/** torch.optim.RAdam 2.13 defaults (maximize and decoupledWeightDecay are new since 1.13). */
export const radamDefaults = {
  lr: 0.001,
  betas: [0.9, 0.999] as [number, number],
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  maximize: false,
};
/**
 * Options of {@link radamUpdate}, the fields of {@link radamDefaults} (torch.optim.RAdam's arguments in camelCase):
 * `lr`, `betas` [β₁, β₂], `eps`, `weightDecay` (L2, or decoupled with `decoupledWeightDecay`), `maximize`.
 */
export type RadamOptions = typeof radamDefaults;

/** RAdam's per-parameter state: the step count, `expAvg` (m) and `expAvgSq` (v). */
export interface RadamState {
  step: number;
  expAvg: FloatArray;
  expAvgSq: FloatArray;
}

/**
 * Zeroed state for n parameters, in ArrayType (the parameters' Float64Array or Float32Array), as torch's first step.
 */
export function radamInit(n: number, ArrayType: FloatArrayConstructor = Float64Array): RadamState {
  return { step: 0, expAvg: new ArrayType(n), expAvgSq: new ArrayType(n) };
}

/**
 * One RAdam step, torch.optim.RAdam 2.13 (`_single_tensor_radam`), in place (Liu et al., 2020):
 *   t ← t + 1;  g ← ±∇;  decoupled: θ ← θ·(1 − lr·λ), else g ← g + λθ;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  m̂ = m/(1 − β₁ᵗ)
 *   ρ∞ = 2/(1 − β₂) − 1;  ρ_t = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
 *   ρ_t > 5: r = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t)),  θ ← θ − m̂·lr·(√(1 − β₂ᵗ)/(√v + eps))·r
 *   else θ ← θ − m̂·lr  (an SGD-with-momentum step while the variance estimate is unreliable)
 */
export function radamUpdate(params: FloatArray, grads: FloatArray, state: RadamState, o: RadamOptions): void {
  const { lr, eps, weightDecay, decoupledWeightDecay, maximize } = o;
  const beta1 = o.betas[0], beta2 = o.betas[1];
  state.step += 1;
  const step = state.step;
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  const rhoInf = 2 / (1 - beta2) - 1;
  const rhoT = rhoInf - (2 * step * beta2 ** step) / bc2;
  const rectified = rhoT > 5;
  const rect = rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
  const bc2Sqrt = Math.sqrt(bc2);
  const decay = 1 - lr * weightDecay;
  const { expAvg, expAvgSq } = state;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grads[i] : grads[i];
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) params[i] = params[i] * decay;
      else g = g + weightDecay * params[i];
    }
    expAvg[i] = expAvg[i] * beta1 + (1 - beta1) * g;
    expAvgSq[i] = expAvgSq[i] * beta2 + (1 - beta2) * g * g;
    const m = expAvg[i] / bc1;
    if (rectified) {
      const adaptiveLr = bc2Sqrt / (Math.sqrt(expAvgSq[i]) + eps);
      params[i] = params[i] + -1.0 * (m * lr * adaptiveLr * rect);
    } else {
      params[i] = params[i] + -1.0 * (m * lr);
    }
  }
}
