import type { FloatArray, FloatArrayConstructor } from './types.js';

/** torch.optim.Adamax 1.13 defaults. */
export const adamaxDefaults = {
  lr: 0.002,
  betas: [0.9, 0.999] as [number, number],
  eps: 1e-8,
  weightDecay: 0,
  maximize: false,
};
/**
 * Options of {@link adamaxUpdate}, the fields of {@link adamaxDefaults} (torch.optim.Adamax's arguments in camelCase):
 * `lr`, `betas` [β₁, β₂] (β₂ decays the infinity norm), `eps`, `weightDecay` (L2 in the gradient), `maximize`.
 */
export type AdamaxOptions = typeof adamaxDefaults;

/**
 * Adamax's per-parameter state: the step count, `expAvg` (m) and `expInf` (u, the exponentially weighted infinity norm).
 */
export interface AdamaxState {
  step: number;
  expAvg: FloatArray;
  expInf: FloatArray;
}

/**
 * Zeroed state for n parameters, in ArrayType (the parameters' Float64Array or Float32Array), as torch's first step.
 */
export function adamaxInit(n: number, ArrayType: FloatArrayConstructor = Float64Array): AdamaxState {
  return { step: 0, expAvg: new ArrayType(n), expInf: new ArrayType(n) };
}

/**
 * One Adamax step, torch.optim.Adamax 1.13 (`_single_tensor_adamax`), in place (Kingma & Ba, 2015, §7.1):
 *   t ← t + 1;  g ← ±∇ + λθ;  m ← β₁m + (1 − β₁)g;  u ← max(β₂u, |g| + eps)
 *   θ ← θ − (lr / (1 − β₁ᵗ)) · m / u
 */
export function adamaxUpdate(params: FloatArray, grads: FloatArray, state: AdamaxState, o: AdamaxOptions): void {
  const { lr, eps, weightDecay, maximize } = o;
  const beta1 = o.betas[0], beta2 = o.betas[1];
  state.step += 1;
  const clr = lr / (1 - beta1 ** state.step);
  const { expAvg, expInf } = state;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grads[i] : grads[i];
    if (weightDecay !== 0) g = g + weightDecay * params[i];
    expAvg[i] = expAvg[i] * beta1 + (1 - beta1) * g;
    // Math.max propagates NaN as torch.amax does
    expInf[i] = Math.max(expInf[i] * beta2, Math.abs(g) + eps);
    params[i] = params[i] + (-clr * expAvg[i]) / expInf[i];
  }
}
