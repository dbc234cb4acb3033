import type { FloatArray, FloatArrayConstructor } from './types.js';

/**
 * torch.optim.Adafactor 2.13 defaults. `eps` is [eps1, eps2]: eps1 (null = the parameters' machine epsilon,
 * 2⁻⁵² in float64, 2⁻²³ in float32) floors the second-moment estimate, eps2 the parameter scale.
 */
export const adafactorDefaults = {
  lr: 0.01,
  beta2Decay: -0.8,
  eps: [null, 1e-3] as [number | null, number],
  d: 1.0,
  weightDecay: 0,
  maximize: false,
};
/**
 * Options of {@link adafactorUpdate}, the fields of {@link adafactorDefaults} (torch.optim.Adafactor's arguments in
 * camelCase): `lr` caps the relative step ρ = min(lr, 1/√t), which is scaled by max(eps2, RMS(θ)); `beta2Decay` is
 * the exponent of the averaging weight t^beta2Decay; `eps` is [eps1, eps2]; `d` the update clipping threshold;
 * `weightDecay` decoupled decay; `maximize` ascends.
 */
export type AdafactorOptions = typeof adafactorDefaults;

/**
 * Per-tensor state. A tensor of two or more dimensions [..., R, C] keeps factored second moments: `rowVar`
 * (one per row, B·R values for B = the product of the leading dimensions) and `colVar` (B·C); a vector keeps
 * `variance` (one per entry). The unused buffers are empty.
 */
export interface AdafactorState {
  step: number;
  rowVar: FloatArray;
  colVar: FloatArray;
  variance: FloatArray;
}

/** State for a tensor of `shape` (a vector when shape is absent or has one dimension). */
export function adafactorInit(n: number, ArrayType: FloatArrayConstructor = Float64Array, shape: readonly number[] = [n]): AdafactorState {
  if (shape.length >= 2) {
    const R = shape[shape.length - 2], C = shape[shape.length - 1];
    const B = n / (R * C);
    return { step: 0, rowVar: new ArrayType(B * R), colVar: new ArrayType(B * C), variance: new ArrayType(0) };
  }
  return { step: 0, rowVar: new ArrayType(0), colVar: new ArrayType(0), variance: new ArrayType(n) };
}

/** torch's CPU `lerp_(end, w)`: a + w·(b − a) for |w| < 0.5, else b − (b − a)·(1 − w). */
function lerp(a: number, b: number, w: number): number {
  return Math.abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

/**
 * One Adafactor step, torch.optim.Adafactor 2.13 (`_single_tensor_adafactor`), in place (Shazeer & Stern,
 * 2018, as torch writes it):
 *   t ← t + 1;  g ← ±∇;  β̂ = t^beta2Decay;  ρ = min(lr, 1/√t);  α = max(eps2, ‖θ‖/√n)·ρ
 *   θ ← θ·(1 − lr·λ)   (decoupled decay)
 *   matrix [R, C]: r ← lerp(r, ‖g_row‖²/C, β̂);  c ← lerp(c, ‖g_col‖²/R, β̂);  v̂ = r cᵀ / max(mean(r), eps1)
 *   vector:        v ← lerp(v, g², β̂);  v̂ = v
 *   u = g / √max(v̂, eps1²);  θ ← θ − α/max(1, ‖u‖/(√n·d)) · u
 * The norms are torch's `norm` then `square_`, so ‖·‖² is rounded through its square root as torch's is.
 * u is formed twice (once for its norm, once for the step) so nothing is allocated.
 */
export function adafactorUpdate(params: FloatArray, grads: FloatArray, state: AdafactorState, o: AdafactorOptions): void {
  const { lr, beta2Decay, d, weightDecay, maximize } = o;
  const eps1 = o.eps[0] ?? (params instanceof Float32Array ? 2 ** -23 : 2 ** -52);
  const eps2 = o.eps[1];
  const n = params.length;
  const sign = maximize ? -1 : 1;
  state.step += 1;
  const stepFloat = state.step;
  const w = stepFloat ** beta2Decay;
  const rho = Math.min(lr, 1 / stepFloat ** 0.5);
  let sq = 0;
  for (let i = 0; i < n; i++) sq += params[i] * params[i];
  const alpha = Math.max(eps2, Math.sqrt(sq) / n ** 0.5) * rho;
  if (weightDecay !== 0) {
    const decay = 1 - lr * weightDecay;
    for (let i = 0; i < n; i++) params[i] = params[i] * decay;
  }
  const floor = eps1 * eps1;
  const { rowVar, colVar, variance } = state;
  let uu = 0;
  if (rowVar.length > 0) {
    // the shape from the buffers: B·R row and B·C column moments for B·R·C entries
    const B = (rowVar.length * colVar.length) / n, R = rowVar.length / B, C = colVar.length / B;
    for (let b = 0; b < B; b++) {
      const base = b * R * C;
      let rowSum = 0;
      for (let r = 0; r < R; r++) {
        let s = 0;
        for (let c = 0; c < C; c++) { const g = grads[base + r * C + c]; s += g * g; }
        const norm = Math.sqrt(s);
        rowVar[b * R + r] = lerp(rowVar[b * R + r], (norm * norm) / C, w);
        rowSum += rowVar[b * R + r];
      }
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let r = 0; r < R; r++) { const g = grads[base + r * C + c]; s += g * g; }
        const norm = Math.sqrt(s);
        colVar[b * C + c] = lerp(colVar[b * C + c], (norm * norm) / R, w);
      }
      const meanRow = Math.max(rowSum / R, eps1);
      for (let r = 0; r < R; r++) {
        for (let c = 0; c < C; c++) {
          const v = (rowVar[b * R + r] * colVar[b * C + c]) / meanRow;
          const u = (1 / Math.sqrt(v < floor ? floor : v)) * (sign * grads[base + r * C + c]);
          uu += u * u;
        }
      }
    }
    const denom = Math.max(1.0, Math.sqrt(uu) / (n ** 0.5 * d));
    const scale = -alpha / denom;
    for (let b = 0; b < B; b++) {
      const base = b * R * C;
      let rowSum = 0;
      for (let r = 0; r < R; r++) rowSum += rowVar[b * R + r];
      const meanRow = Math.max(rowSum / R, eps1);
      for (let r = 0; r < R; r++) {
        for (let c = 0; c < C; c++) {
          const i = base + r * C + c;
          const v = (rowVar[b * R + r] * colVar[b * C + c]) / meanRow;
          const u = (1 / Math.sqrt(v < floor ? floor : v)) * (sign * grads[i]);
          params[i] = params[i] + scale * u;
        }
      }
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const g = sign * grads[i];
    variance[i] = lerp(variance[i], g * g, w);
    const v = variance[i];
    const u = (1 / Math.sqrt(v < floor ? floor : v)) * g;
    uu += u * u;
  }
  const denom = Math.max(1.0, Math.sqrt(uu) / (n ** 0.5 * d));
  const scale = -alpha / denom;
  for (let i = 0; i < n; i++) {
    const g = sign * grads[i];
    const v = variance[i];
    const u = (1 / Math.sqrt(v < floor ? floor : v)) * g;
    params[i] = params[i] + scale * u;
  }
}
