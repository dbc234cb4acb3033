import type { FloatArray, FloatArrayConstructor } from './types.js';

/** torch.optim.ASGD 2.13 defaults (Polyak–Juditsky averaged SGD with a decaying step). */
export const asgdDefaults = {
  lr: 0.01,
  lambd: 1e-4,
  alpha: 0.75,
  t0: 1e6,
  weightDecay: 0,
  maximize: false,
};
/**
 * Options of {@link asgdUpdate}, the fields of {@link asgdDefaults} (torch.optim.ASGD's arguments): `lr` the initial
 * step η₀, `lambd` (λ) the decay term, `alpha` the power of the step decay, `t0` the step from which averaging
 * starts, `weightDecay` (L2 in the gradient), `maximize`.
 */
export type AsgdOptions = typeof asgdDefaults;

/** ASGD's state: the step count, the next step size η, the averaging weight μ and the averaged parameters `ax`. */
export interface AsgdState {
  step: number;
  /** The step size of the next step, η_t; a float32 0-d tensor in torch (its default dtype), rounded here too. */
  eta: number;
  /** The averaging weight of the next step, μ_t (float32 as eta). */
  mu: number;
  /** The averaged parameters (Polyak–Ruppert), updated from step t0 on; before it, a copy of the parameters. */
  ax: FloatArray;
}

/** State for n parameters: η seeded with `o.lr` (rounded to float32 as torch's 0-d tensor), μ = 1, `ax` zeroed. */
export function asgdInit(n: number, ArrayType: FloatArrayConstructor = Float64Array, o: Pick<AsgdOptions, 'lr'> = asgdDefaults): AsgdState {
  return { step: 0, eta: Math.fround(o.lr), mu: 1, ax: new ArrayType(n) };
}

/**
 * One ASGD step, torch.optim.ASGD 2.13 (`_single_tensor_asgd`, not capturable), in place (Polyak & Juditsky, 1992;
 * Bottou, 2012):
 *   t ← t + 1;  g ← ±∇ + λ_wd·θ
 *   θ ← θ·(1 − λη);  θ ← θ − η·g
 *   ā ← ā + μ·(θ − ā)  (μ ≠ 1),  else ā ← θ
 *   η ← lr / (1 + λ·lr·t)^α;  μ ← 1 / max(1, t − t0)
 * torch seeds η with the group's lr when the state is made (the first step), so an lr set before that step
 * (a schedule's initial lr) is the one used; later lr values enter only through the η of the next steps.
 * η and μ live in float32 0-d tensors in torch (its default dtype), so they are rounded to float32 here too.
 */
export function asgdUpdate(params: FloatArray, grads: FloatArray, state: AsgdState, o: AsgdOptions): void {
  const { lr, lambd, alpha, t0, weightDecay, maximize } = o;
  if (state.step === 0) state.eta = Math.fround(lr);
  state.step += 1;
  const step = state.step;
  const eta = state.eta, mu = state.mu;
  const decay = 1 - lambd * eta;
  const { ax } = state;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grads[i] : grads[i];
    if (weightDecay !== 0) g = g + weightDecay * params[i];
    params[i] = params[i] * decay;
    params[i] = params[i] + -eta * g;
    ax[i] = mu !== 1 ? ax[i] + (params[i] - ax[i]) * mu : params[i];
  }
  state.eta = Math.fround(lr / (1 + lambd * lr * step) ** alpha);
  state.mu = Math.fround(1 / Math.max(1, step - t0));
}
