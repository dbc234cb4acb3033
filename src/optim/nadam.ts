import type { FloatArray, FloatArrayConstructor } from './types.js';

/** torch.optim.NAdam 1.13 defaults (torch 1.13's NAdam has no maximize). */
export const nadamDefaults = {
  lr: 0.002,
  betas: [0.9, 0.999] as [number, number],
  eps: 1e-8,
  weightDecay: 0,
  momentumDecay: 0.004,
};
export type NadamOptions = typeof nadamDefaults;

export interface NadamState {
  step: number;
  /** Π μ_t, held in float32 as torch 1.13 holds it (`torch.tensor(1.)`). */
  muProduct: number;
  expAvg: FloatArray;
  expAvgSq: FloatArray;
}

export function nadamInit(n: number, ArrayType: FloatArrayConstructor = Float64Array): NadamState {
  return { step: 0, muProduct: 1, expAvg: new ArrayType(n), expAvgSq: new ArrayType(n) };
}

/**
 * One NAdam step, torch.optim.NAdam 1.13 (`_single_tensor_nadam`), in place (Dozat, 2016):
 *   t ← t + 1;  g ← ∇ + λθ;  μ_t = β₁(1 − ½·0.96^(tψ)),  μ_{t+1} = β₁(1 − ½·0.96^((t+1)ψ))  (ψ = momentumDecay)
 *   P ← P·μ_t;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  d = √(v/(1 − β₂ᵗ)) + eps
 *   θ ← θ − lr·(1 − μ_t)/(1 − P) · g/d
 *   θ ← θ − lr·μ_{t+1}/(1 − P·μ_t·μ_{t+1}) · m/d   (torch 1.13's expression: P is already updated, so μ_t enters twice)
 * torch keeps P in a float32 tensor, so P and P·μ·μ_{t+1} are rounded to float32 here too (Math.fround);
 * this is what makes the float64 trajectories agree with torch's.
 */
export function nadamUpdate(params: FloatArray, grads: FloatArray, state: NadamState, o: NadamOptions): void {
  const { lr, eps, weightDecay, momentumDecay } = o;
  const beta1 = o.betas[0], beta2 = o.betas[1];
  state.step += 1;
  const step = state.step;
  const bc2 = 1 - beta2 ** step;
  const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
  const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
  // float32 tensor times a Python float: the scalar is cast to float32 and the product rounded to float32
  state.muProduct = Math.fround(state.muProduct * Math.fround(mu));
  const muProductNext = Math.fround(Math.fround(state.muProduct * Math.fround(mu)) * Math.fround(muNext));
  const c1 = (-lr * (1 - mu)) / (1 - state.muProduct);
  const c2 = (-lr * muNext) / (1 - muProductNext);
  const { expAvg, expAvgSq } = state;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    let g = grads[i];
    if (weightDecay !== 0) g = g + weightDecay * params[i];
    expAvg[i] = expAvg[i] * beta1 + (1 - beta1) * g;
    expAvgSq[i] = expAvgSq[i] * beta2 + (1 - beta2) * g * g;
    const denom = Math.sqrt(expAvgSq[i] / bc2) + eps;
    params[i] = params[i] + (c1 * g) / denom;
    params[i] = params[i] + (c2 * expAvg[i]) / denom;
  }
}
