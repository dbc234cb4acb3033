import type { FloatArray, FloatArrayConstructor } from './types.js';

/**
 * torch.optim.Adagrad 1.13 defaults, plus descent's `epsInside` (false = torch's √sum + eps;
 * true = √(sum + eps), the form some lecture notes write; the lectures' AdaGrad adds δ outside, as torch).
 */
export const adagradDefaults = {
  lr: 0.01,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  eps: 1e-10,
  maximize: false,
  epsInside: false,
};
/**
 * Options of {@link adagradUpdate}, the fields of {@link adagradDefaults} (torch.optim.Adagrad's arguments in camelCase):
 * `lr`, `lrDecay` (clr = lr/(1 + (t − 1)·lrDecay)), `weightDecay` (L2 in the gradient), `initialAccumulatorValue`
 * (the sum's starting value, read by {@link adagradInit}), `eps`, `maximize`, and descent's `epsInside`.
 */
export type AdagradOptions = typeof adagradDefaults;

/** Adagrad's per-parameter state: the step count and `sum`, the accumulated squared gradients (torch's `sum`). */
export interface AdagradState {
  step: number;
  sum: FloatArray;
}

/** State for n parameters: sum filled with initialAccumulatorValue, as torch does at construction. */
export function adagradInit(n: number, ArrayType: FloatArrayConstructor = Float64Array, o: Pick<AdagradOptions, 'initialAccumulatorValue'> = adagradDefaults): AdagradState {
  return { step: 0, sum: new ArrayType(n).fill(o.initialAccumulatorValue) };
}

/**
 * One Adagrad step, torch.optim.Adagrad 1.13 (`_single_tensor_adagrad`), in place (Duchi et al., 2011):
 *   t ← t + 1;  g ← ±∇ + λθ;  clr = lr / (1 + (t − 1)·lrDecay)
 *   s ← s + g²;  θ ← θ − clr·g / (√s + eps)
 */
export function adagradUpdate(params: FloatArray, grads: FloatArray, state: AdagradState, o: AdagradOptions): void {
  const { lr, lrDecay, weightDecay, eps, maximize, epsInside } = o;
  state.step += 1;
  const clr = lr / (1 + (state.step - 1) * lrDecay);
  const sum = state.sum;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grads[i] : grads[i];
    if (weightDecay !== 0) g = g + weightDecay * params[i];
    sum[i] = sum[i] + 1 * g * g;
    const std = epsInside ? Math.sqrt(sum[i] + eps) : Math.sqrt(sum[i]) + eps;
    params[i] = params[i] + (-clr * g) / std;
  }
}
