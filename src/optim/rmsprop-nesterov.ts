import type { FloatArray, FloatArrayConstructor } from './types.js';

/**
 * The lectures' RMSProp with Nesterov momentum (Goodfellow, Bengio & Courville, Algorithm 8.6), a descent
 * extension with no torch counterpart. `epsInside` true (default) takes √(r + eps) as Algorithm 8.5 does;
 * false takes √r + eps as torch's RMSprop.
 */
export const rmspropNesterovDefaults = {
  lr: 0.01,
  alpha: 0.99,
  eps: 1e-8,
  momentum: 0.9,
  epsInside: true,
  maximize: false,
};
/**
 * Options of {@link rmspropNesterovUpdate}, the fields of {@link rmspropNesterovDefaults}: `lr` (ε), `alpha` (the
 * decay ρ of r), `eps` (δ), `momentum` (α of Algorithm 8.6), `epsInside`, `maximize`.
 */
export type RmspropNesterovOptions = typeof rmspropNesterovDefaults;

/** State of RMSProp with Nesterov momentum: the step count, `squareAvg` (r) and the velocity v. */
export interface RmspropNesterovState {
  step: number;
  squareAvg: FloatArray;
  /** The velocity v of the lectures (a step in parameter space, not torch's gradient-scaled buffer). */
  velocity: FloatArray;
}

/** Zeroed state for n parameters, in ArrayType (the parameters' Float64Array or Float32Array). */
export function rmspropNesterovInit(n: number, ArrayType: FloatArrayConstructor = Float64Array): RmspropNesterovState {
  return { step: 0, squareAvg: new ArrayType(n), velocity: new ArrayType(n) };
}

/**
 * Algorithm 8.6:  θ̃ = θ + μv;  g = ∇J(θ̃);  r ← αr + (1 − α)g²;  v ← μv − lr·g/√(r + eps);  θ ← θ + v.
 * The parameters held here are the look-ahead point θ̃ itself (the change of variables torch uses for
 * Nesterov SGD), so the gradient passed in is ∇J(θ̃), and the step is
 *   θ̃ ← θ̃ − μ·v_prev + (1 + μ)·v   (= θ_new + μ·v).
 */
export function rmspropNesterovUpdate(params: FloatArray, grads: FloatArray, state: RmspropNesterovState, o: RmspropNesterovOptions): void {
  const { lr, alpha, eps, momentum, epsInside, maximize } = o;
  state.step += 1;
  const { squareAvg, velocity } = state;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    const g = maximize ? -grads[i] : grads[i];
    squareAvg[i] = alpha * squareAvg[i] + (1 - alpha) * g * g;
    const scaled = (lr * g) / (epsInside ? Math.sqrt(squareAvg[i] + eps) : Math.sqrt(squareAvg[i]) + eps);
    const vPrev = velocity[i];
    velocity[i] = momentum * vPrev - scaled;
    // θ̃_new = θ_new + μv' = (θ̃ − μv_prev + v') + μv'
    params[i] = params[i] - momentum * vPrev + (1 + momentum) * velocity[i];
  }
}
