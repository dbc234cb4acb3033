import { fusedMultiplyAdd } from './fused-multiply-add.js';
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

/**
 * torch's CPU `lerp_(end, w)` on float64: a + w·(b − a) for |w| < 0.5, else b − (b − a)·(1 − w), each as one
 * fused multiply-add (its vectorized kernel's fmadd/fnmadd; measured with the adafactor-order fixture).
 */
function lerpFused(a: number, b: number, w: number): number {
  const diff = b - a;
  return Math.abs(w) < 0.5 ? fusedMultiplyAdd(w, diff, a) : fusedMultiplyAdd(-diff, 1 - w, b);
}
/** torch's `lerp_` formula with plain roundings: float32 tensors, computed in float64 and rounded on store. */
function lerp(a: number, b: number, w: number): number {
  return Math.abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

/**
 * Σx² in torch 2.13's order for a float64 tensor's `.norm(2)` on the CPU, over the whole tensor or along its
 * last dimension (measured on this machine's build, AVX512 capability: 1,200 of 1,200 random vectors of 1..80
 * entries, spread or near-equal, bit for bit; row norms of 269 of 269 matrices): four lanes, entry i of the
 * first n − n mod 4 adding its rounded square to lane i mod 4, the lanes summed in order, then the last
 * n mod 4 entries added by fused multiply-adds (`squareSum`; the update's norm is summed the same way, inline,
 * as its entries are formed).
 */
const sums = new Float64Array(1);
/**
 * Σ of the squares of x[start .. start + count) into sums[0], in torch's order (`torchOrder`) or left to right
 * (float32 tensors). Writes rather than returns, so a step boxes no double.
 */
function squareSum(x: FloatArray, start: number, count: number, torchOrder: boolean): void {
  if (!torchOrder) {
    let t = 0;
    for (let i = start; i < start + count; i++) t += x[i] * x[i];
    sums[0] = t;
    return;
  }
  const main = start + count - (count % 4);
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0;
  for (let i = start; i < main; i += 4) {
    l0 += x[i] * x[i];
    l1 += x[i + 1] * x[i + 1];
    l2 += x[i + 2] * x[i + 2];
    l3 += x[i + 3] * x[i + 3];
  }
  let b = ((l0 + l1) + l2) + l3;
  for (let i = main; i < start + count; i++) b = fusedMultiplyAdd(x[i], x[i], b);
  sums[0] = b;
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
  // float64 tensors follow torch's CPU kernels bit for bit (its norm order, fused lerp and add_); float32 ones
  // compute in float64 and round on store, within float32 rounding of torch's
  const torchOrder = !(params instanceof Float32Array);
  const main = n - (n % 4);
  squareSum(params, 0, n, torchOrder);
  const alpha = Math.max(eps2, Math.sqrt(sums[0]) / n ** 0.5) * rho;
  if (weightDecay !== 0) {
    const decay = 1 - lr * weightDecay;
    for (let i = 0; i < n; i++) params[i] = params[i] * decay;
  }
  const floor = eps1 * eps1;
  const { rowVar, colVar, variance } = state;
  // Σu² in torch's order as u is formed (index order): lanes l0..l3 over the first `main` entries, folded into
  // uu when the tail starts, the tail by fused multiply-adds; float32 tensors left to right
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0, uu = 0;
  if (rowVar.length > 0) {
    // the shape from the buffers: B·R row and B·C column moments for B·R·C entries
    const B = (rowVar.length * colVar.length) / n, R = rowVar.length / B, C = colVar.length / B;
    for (let b = 0; b < B; b++) {
      const base = b * R * C;
      let rowSum = 0;
      for (let r = 0; r < R; r++) {
        squareSum(grads, base + r * C, C, torchOrder);
        const norm = Math.sqrt(sums[0]);
        rowVar[b * R + r] = (torchOrder ? lerpFused(rowVar[b * R + r], (norm * norm) / C, w) : lerp(rowVar[b * R + r], (norm * norm) / C, w));
        rowSum += rowVar[b * R + r];
      }
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let r = 0; r < R; r++) { const g = grads[base + r * C + c]; s += g * g; }
        const norm = Math.sqrt(s);
        colVar[b * C + c] = (torchOrder ? lerpFused(colVar[b * C + c], (norm * norm) / R, w) : lerp(colVar[b * C + c], (norm * norm) / R, w));
      }
      const meanRow = Math.max(rowSum / R, eps1);
      for (let r = 0; r < R; r++) {
        for (let c = 0; c < C; c++) {
          const v = (rowVar[b * R + r] * colVar[b * C + c]) / meanRow;
          const i = base + r * C + c;
          const u = (1 / Math.sqrt(v < floor ? floor : v)) * (sign * grads[i]);
          if (!torchOrder) uu += u * u;
          else if (i < main) {
            const lane = i & 3;
            if (lane === 0) l0 += u * u; else if (lane === 1) l1 += u * u; else if (lane === 2) l2 += u * u; else l3 += u * u;
          } else {
            if (i === main) uu = ((l0 + l1) + l2) + l3;
            uu = fusedMultiplyAdd(u, u, uu);
          }
        }
      }
    }
    if (torchOrder && main === n) uu = ((l0 + l1) + l2) + l3;
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
          params[i] = torchOrder ? fusedMultiplyAdd(scale, u, params[i]) : params[i] + scale * u;
        }
      }
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const g = sign * grads[i];
    variance[i] = (torchOrder ? lerpFused(variance[i], g * g, w) : lerp(variance[i], g * g, w));
    const v = variance[i];
    const u = (1 / Math.sqrt(v < floor ? floor : v)) * g;
    if (!torchOrder) uu += u * u;
    else if (i < main) {
      const lane = i & 3;
      if (lane === 0) l0 += u * u; else if (lane === 1) l1 += u * u; else if (lane === 2) l2 += u * u; else l3 += u * u;
    } else {
      if (i === main) uu = ((l0 + l1) + l2) + l3;
      uu = fusedMultiplyAdd(u, u, uu);
    }
  }
  if (torchOrder && main === n) uu = ((l0 + l1) + l2) + l3;
  const denom = Math.max(1.0, Math.sqrt(uu) / (n ** 0.5 * d));
  const scale = -alpha / denom;
  for (let i = 0; i < n; i++) {
    const g = sign * grads[i];
    const v = variance[i];
    const u = (1 / Math.sqrt(v < floor ? floor : v)) * g;
    params[i] = torchOrder ? fusedMultiplyAdd(scale, u, params[i]) : params[i] + scale * u; // add_(u, alpha): one fma
  }
}
