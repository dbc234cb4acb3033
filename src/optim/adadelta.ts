import type { FloatArray, FloatArrayConstructor } from './types.js';

/** torch.optim.Adadelta 1.13 defaults. */
export const adadeltaDefaults = {
  lr: 1.0,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
  maximize: false,
};
/**
 * Options of {@link adadeltaUpdate}, the fields of {@link adadeltaDefaults} (torch.optim.Adadelta's arguments in camelCase):
 * `lr` scales the step (1.0), `rho` (ρ) is the decay of both running averages, `eps` is added inside both square
 * roots, `weightDecay` (λ) adds λθ to the gradient (L2), `maximize` ascends.
 */
export type AdadeltaOptions = typeof adadeltaDefaults;

/**
 * Adadelta's per-parameter state: the step count, `squareAvg` (v, running mean of g², torch's `square_avg`) and
 * `accDelta` (u, running mean of the squared updates, torch's `acc_delta`), each as long as the parameters.
 */
export interface AdadeltaState {
  step: number;
  squareAvg: FloatArray;
  accDelta: FloatArray;
}

/**
 * Zeroed state for n parameters, in ArrayType (Float64Array or Float32Array, the parameters' type), as torch's first step.
 */
export function adadeltaInit(n: number, ArrayType: FloatArrayConstructor = Float64Array): AdadeltaState {
  return { step: 0, squareAvg: new ArrayType(n), accDelta: new ArrayType(n) };
}

/**
 * One Adadelta step, torch.optim.Adadelta 1.13 (`_single_tensor_adadelta`), in place (Zeiler, 2012):
 *   g ← ±∇ + λθ;  v ← ρv + (1 − ρ)g²
 *   δ = √(u + eps) / √(v + eps) · g;  u ← ρu + (1 − ρ)δ²;  θ ← θ − lr·δ
 */
export function adadeltaUpdate(params: FloatArray, grads: FloatArray, state: AdadeltaState, o: AdadeltaOptions): void {
  const { lr, rho, eps, weightDecay, maximize } = o;
  state.step += 1;
  const { squareAvg, accDelta } = state;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grads[i] : grads[i];
    if (weightDecay !== 0) g = g + weightDecay * params[i];
    squareAvg[i] = squareAvg[i] * rho + (1 - rho) * g * g;
    const std = Math.sqrt(squareAvg[i] + eps);
    const delta = (Math.sqrt(accDelta[i] + eps) / std) * g;
    accDelta[i] = accDelta[i] * rho + (1 - rho) * delta * delta;
    params[i] = params[i] + -lr * delta;
  }
}
