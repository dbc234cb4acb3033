import type { FloatArray, FloatArrayConstructor } from './types.js';

/** torch.optim.Adadelta 1.13 defaults. */
export const adadeltaDefaults = {
  lr: 1.0,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
  maximize: false,
};
export type AdadeltaOptions = typeof adadeltaDefaults;

export interface AdadeltaState {
  step: number;
  squareAvg: FloatArray;
  accDelta: FloatArray;
}

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
