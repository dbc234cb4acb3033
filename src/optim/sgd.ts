import type { FloatArray, FloatArrayConstructor } from './types.js';

/** torch.optim.SGD 2.13 defaults (torch 1.13 required lr; 2.x defaults it to 0.001). */
export const sgdDefaults = {
  lr: 0.001,
  momentum: 0,
  dampening: 0,
  nesterov: false,
  weightDecay: 0,
  maximize: false,
};
/**
 * Options of {@link sgdUpdate}, the fields of {@link sgdDefaults} (torch.optim.SGD's arguments in camelCase): `lr`,
 * `momentum` (μ; 0 = plain SGD), `dampening` (τ), `nesterov`, `weightDecay` (λ, L2 in the gradient), `maximize`.
 */
export type SgdOptions = typeof sgdDefaults;

/** SGD's per-parameter state: the step count, the count of momentum steps and the momentum buffer b. */
export interface SgdState {
  step: number;
  /**
   * Steps taken with momentum ≠ 0. torch creates its momentum buffer (a copy of the gradient) on the first
   * of them, which is not step 1 when momentum is raised from 0 during a run (annealed, or set by a slider).
   */
  momentumSteps: number;
  momentumBuffer: FloatArray;
}

/** State for n parameters. momentumBuffer is filled with the gradient on the first step with momentum, as torch's clone. */
export function sgdInit(n: number, ArrayType: FloatArrayConstructor = Float64Array): SgdState {
  return { step: 0, momentumSteps: 0, momentumBuffer: new ArrayType(n) };
}

/**
 * One SGD step, torch.optim.SGD 1.13 (`_single_tensor_sgd`), in place:
 *   g ← ±∇ (− when maximize);  g ← g + λθ (weightDecay λ, L2 in the gradient)
 *   b ← g on the first step with μ ≠ 0, else b ← μb + (1 − τ)g     (momentum μ, dampening τ)
 *   g ← g + μb (nesterov)  or  g ← b
 *   θ ← θ − lr·g
 * Torch's momentum form equals the lectures' v ← αv − εg, θ ← θ + v with v = −lr·b under a constant lr.
 */
export function sgdUpdate(params: FloatArray, grads: FloatArray, state: SgdState, o: SgdOptions): void {
  const { lr, momentum, dampening, nesterov, weightDecay, maximize } = o;
  const buf = state.momentumBuffer;
  const first = state.momentumSteps === 0;
  state.step += 1;
  if (momentum !== 0) state.momentumSteps += 1;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    let d = maximize ? -grads[i] : grads[i];
    if (weightDecay !== 0) d = d + weightDecay * params[i];
    if (momentum !== 0) {
      let b: number;
      if (first) b = d;
      else b = buf[i] * momentum + (1 - dampening) * d;
      buf[i] = b;
      // re-read through the buffer so float32 state rounds exactly as torch's stored buffer does
      d = nesterov ? d + momentum * buf[i] : buf[i];
    }
    params[i] = params[i] + -lr * d;
  }
}
