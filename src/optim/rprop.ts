import type { FloatArray, FloatArrayConstructor } from './types.js';

/** torch.optim.Rprop 1.13 defaults. etas = [etaminus, etaplus]; stepSizes = [min, max]. */
export const rpropDefaults = {
  lr: 0.01,
  etas: [0.5, 1.2] as [number, number],
  stepSizes: [1e-6, 50] as [number, number],
  maximize: false,
};
/**
 * Options of {@link rpropUpdate}, the fields of {@link rpropDefaults} (torch.optim.Rprop's arguments in camelCase):
 * `lr` (the initial step size Δ₀), `etas` [η⁻, η⁺] the shrink and growth factors, `stepSizes` [Δmin, Δmax], `maximize`.
 */
export type RpropOptions = typeof rpropDefaults;

/**
 * Rprop's per-parameter state: the step count, `prev` (the previous gradient, torch's `prev`) and `stepSize` (Δ).
 */
export interface RpropState {
  step: number;
  prev: FloatArray;
  stepSize: FloatArray;
}

/** State for n parameters: every step size starts at lr (re-seeded with the lr in force at the first step, as torch's `fill_(group['lr'])`). */
export function rpropInit(n: number, ArrayType: FloatArrayConstructor = Float64Array, o: Pick<RpropOptions, 'lr'> = rpropDefaults): RpropState {
  return { step: 0, prev: new ArrayType(n), stepSize: new ArrayType(n).fill(o.lr) };
}

/**
 * One Rprop step, torch.optim.Rprop 1.13 (`_single_tensor_rprop`), in place (Riedmiller & Braun, 1993):
 *   s = sign(g·g_prev);  η = etaplus (s > 0), etaminus (s < 0), 1 (s = 0)
 *   Δ ← clamp(Δ·η, min, max);  where s < 0: g ← 0;  θ ← θ − sign(g)·Δ;  g_prev ← g
 * lr only seeds Δ, on the first step: torch fills its step sizes with the group's lr when the first step
 * runs, so an lr set between construction and that step (a schedule's initial lr, e.g. a linear warm-up's
 * startFactor·lr) is the one used; changing lr later has no effect, as in torch.
 */
export function rpropUpdate(params: FloatArray, grads: FloatArray, state: RpropState, o: RpropOptions): void {
  const { maximize } = o;
  // Float32 parameters: torch forms g·g_prev and Δ·η in float32 (η stored in a float32 tensor), so a
  // product of two tiny gradients underflows to 0 (η = 1), where a float64 product would keep its sign.
  const round = params instanceof Float32Array ? Math.fround : (x: number) => x;
  const etaminus = round(o.etas[0]), etaplus = round(o.etas[1]);
  const minStep = o.stepSizes[0], maxStep = o.stepSizes[1];
  const { prev, stepSize } = state;
  if (state.step === 0) stepSize.fill(o.lr);
  state.step += 1;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grads[i] : grads[i];
    const s = round(g * prev[i]);
    const eta = s > 0 ? etaplus : s < 0 ? etaminus : s === 0 ? 1 : s;
    // clamp_ as torch: NaN stays NaN
    const d = round(stepSize[i] * eta);
    stepSize[i] = d < minStep ? minStep : d > maxStep ? maxStep : d;
    if (eta === etaminus) g = 0;
    params[i] = params[i] + -1 * Math.sign(g) * stepSize[i];
    prev[i] = g;
  }
}
