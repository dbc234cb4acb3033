import type { FloatArray, FloatArrayConstructor } from './types.js';
import { fusedMultiplyAdd } from './fused-multiply-add.js';

/**
 * torch.optim.RMSprop 1.13 defaults, plus descent's `epsInside`: false = torch's √v + eps;
 * true = √(v + eps), the lectures' form (Goodfellow et al., Algorithm 8.5: Δθ = −ε/√(δ + r) ⊙ g).
 */
export const rmspropDefaults = {
  lr: 0.01,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
  epsInside: false,
};
/**
 * Options of {@link rmspropUpdate}, the fields of {@link rmspropDefaults} (torch.optim.RMSprop's arguments in camelCase):
 * `lr`, `alpha` (α, the decay of the squared-gradient average), `eps`, `weightDecay` (L2 in the gradient),
 * `momentum` (μ; 0 = none), `centered` (divide by the estimated variance instead of the raw second moment),
 * `maximize`, and descent's `epsInside`.
 */
export type RmspropOptions = typeof rmspropDefaults;

/**
 * RMSprop's per-parameter state: the step count, `squareAvg` (v), `momentumBuffer` (b, used when momentum > 0)
 * and `gradAvg` (ḡ, used when centered).
 */
export interface RmspropState {
  step: number;
  squareAvg: FloatArray;
  momentumBuffer: FloatArray;
  gradAvg: FloatArray;
}

/**
 * Zeroed state for n parameters, in ArrayType (the parameters' Float64Array or Float32Array), as torch's first step.
 */
export function rmspropInit(n: number, ArrayType: FloatArrayConstructor = Float64Array): RmspropState {
  return { step: 0, squareAvg: new ArrayType(n), momentumBuffer: new ArrayType(n), gradAvg: new ArrayType(n) };
}

/**
 * One RMSProp step, torch.optim.RMSprop 1.13 (`_single_tensor_rmsprop`), in place (Hinton, lecture 6e):
 *   g ← ±∇ + λθ;  v ← αv + (1 − α)g²
 *   centered: ḡ ← αḡ + (1 − α)g,  a = √(v − ḡ²) + eps;  else a = √v + eps
 *   momentum μ > 0: b ← μb + g/a, θ ← θ − lr·b;  else θ ← θ − lr·g/a
 */
export function rmspropUpdate(params: FloatArray, grads: FloatArray, state: RmspropState, o: RmspropOptions): void {
  const { lr, alpha, eps, weightDecay, momentum, centered, maximize, epsInside } = o;
  state.step += 1;
  const { squareAvg, gradAvg, momentumBuffer } = state;
  // Float32 parameters: torch forms v − ḡ² in float32 (addcmul). A gradient near 1e-30 makes v underflow
  // to 0 while ḡ does not; ḡ² then underflows too and v − ḡ² is 0, where a float64 ḡ² would leave
  // −1e-64 and √ a NaN.
  const float32 = params instanceof Float32Array;
  const round = float32 ? Math.fround : (x: number) => x;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grads[i] : grads[i];
    if (weightDecay !== 0) g = g + weightDecay * params[i];
    squareAvg[i] = squareAvg[i] * alpha + (1 - alpha) * g * g;
    let v = squareAvg[i];
    if (centered) {
      gradAvg[i] = gradAvg[i] * alpha + (1 - alpha) * g;
      // torch's addcmul is a fused multiply-add: in float64, v − ḡ² rounds once (with α = 0 it is the
      // negative rounding error of g² half the time, and torch's √ is NaN: descent diverges with it)
      v = float32 ? round(v + -1 * round(gradAvg[i] * gradAvg[i])) : fusedMultiplyAdd(-gradAvg[i], gradAvg[i], v);
    }
    const avg = epsInside ? Math.sqrt(v + eps) : Math.sqrt(v) + eps;
    if (momentum > 0) {
      momentumBuffer[i] = momentumBuffer[i] * momentum + (1 * g) / avg;
      params[i] = params[i] + -lr * momentumBuffer[i];
    } else {
      params[i] = params[i] + (-lr * g) / avg;
    }
  }
}
