import type { FloatArray, FloatArrayConstructor } from './types.js';

/**
 * torch.optim.NAdam 2.13 defaults. `torch113: true` selects torch 1.13's rule (see nadamUpdate), which
 * knew neither decoupledWeightDecay nor maximize.
 */
export const nadamDefaults = {
  lr: 0.002,
  betas: [0.9, 0.999] as [number, number],
  eps: 1e-8,
  weightDecay: 0,
  momentumDecay: 0.004,
  decoupledWeightDecay: false,
  maximize: false,
  torch113: false,
};
/**
 * Options of {@link nadamUpdate}, the fields of {@link nadamDefaults} (torch.optim.NAdam's arguments in camelCase):
 * `lr`, `betas` [β₁, β₂], `eps`, `weightDecay` (L2, or decoupled with `decoupledWeightDecay`), `momentumDecay` (ψ,
 * the 0.96^(tψ) schedule of μ_t), `maximize`, and descent's `torch113` (torch 1.13's rule).
 */
export type NadamOptions = typeof nadamDefaults;

/** NAdam's per-parameter state: the step count, the product of the momentum coefficients and the moments m, v. */
export interface NadamState {
  step: number;
  /** Π μ_t, held in float32 as torch holds it (a 0-d tensor of the default dtype, float32). */
  muProduct: number;
  expAvg: FloatArray;
  expAvgSq: FloatArray;
}

/** Zeroed state for n parameters (muProduct 1), in ArrayType (the parameters' Float64Array or Float32Array). */
export function nadamInit(n: number, ArrayType: FloatArrayConstructor = Float64Array): NadamState {
  return { step: 0, muProduct: 1, expAvg: new ArrayType(n), expAvgSq: new ArrayType(n) };
}

/**
 * One NAdam step, torch.optim.NAdam 2.13 (`_single_tensor_nadam`), in place (Dozat, 2016):
 *   t ← t + 1;  g ← ±∇;  decoupled: θ ← θ·(1 − lr·λ), else g ← g + λθ
 *   μ_t = β₁(1 − ½·0.96^(tψ)),  μ_{t+1} = β₁(1 − ½·0.96^((t+1)ψ))  (ψ = momentumDecay)
 *   P ← P·μ_t;  m ← lerp(m, g, 1 − β₁);  v ← β₂v + (1 − β₂)g²;  d = √(v/(1 − β₂ᵗ)) + eps
 *   θ ← θ − lr·(1 − μ_t)/(1 − P) · g/d
 *   θ ← θ − lr·μ_{t+1}/(1 − P·μ_{t+1}) · m/d
 * torch keeps P in a 0-d tensor of its default dtype (float32 unless torch.set_default_dtype changed it), so P is
 * rounded to float32 here too, also for float64 parameters; μ_{t+1}·P is then a Python (float64) product.
 *
 * `torch113: true` is torch 1.13's rule: m ← β₁m + (1 − β₁)g, and
 * the second coefficient μ_{t+1}/(1 − P·μ_t·μ_{t+1}), μ_t counted twice (P was already updated); torch 2.0 fixed it.
 */
export function nadamUpdate(params: FloatArray, grads: FloatArray, state: NadamState, o: NadamOptions): void {
  if (o.torch113) {
    nadam113Update(params, grads, state, o);
    return;
  }
  const { lr, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize } = o;
  const beta1 = o.betas[0], beta2 = o.betas[1];
  state.step += 1;
  const step = state.step;
  const bc2 = 1 - beta2 ** step;
  const mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentumDecay));
  const muNext = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
  // mu_product *= mu: a float32 0-d tensor (torch's default scalar dtype) times a Python float, rounded to float32
  state.muProduct = Math.fround(state.muProduct * Math.fround(mu));
  const muProductNext = state.muProduct * muNext; // _get_value(mu_product) * mu_next: Python floats
  const c1 = -lr * (1.0 - mu) / (1.0 - state.muProduct);
  const c2 = (-lr * muNext) / (1.0 - muProductNext);
  const decay = 1 - lr * weightDecay;
  const w1 = 1 - beta1;
  const { expAvg, expAvgSq } = state;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grads[i] : grads[i];
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) params[i] = params[i] * decay;
      else g = g + weightDecay * params[i];
    }
    // lerp_(g, w): torch's CPU kernel takes m + w·(g − m) for |w| < 0.5, else g − (g − m)·(1 − w)
    expAvg[i] = w1 < 0.5 ? expAvg[i] + w1 * (g - expAvg[i]) : g - (g - expAvg[i]) * (1 - w1);
    expAvgSq[i] = expAvgSq[i] * beta2 + (1 - beta2) * g * g;
    const denom = Math.sqrt(expAvgSq[i] / bc2) + eps;
    params[i] = params[i] + (c1 * g) / denom;
    params[i] = params[i] + (c2 * expAvg[i]) / denom;
  }
}

/** torch.optim.NAdam 1.13, kept exactly (fixtures under test/fixtures/optimize-options/nadam-torch113-*). */
function nadam113Update(params: FloatArray, grads: FloatArray, state: NadamState, o: NadamOptions): void {
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
