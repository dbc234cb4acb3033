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
/** The same in float32 arithmetic's place (float32 tensors): the two roundings of the plain form. */
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
/**
 * Σx² in torch 2.13's order for a float64 tensor's `.norm(2)` on the CPU, over the whole tensor or along its
 * last dimension (measured on this machine's build, AVX512 capability: 1,200 of 1,200 random vectors of 1..80
 * entries, spread or near-equal, bit for bit; row norms of 269 of 269 matrices): four lanes, entry i of the
 * first n − n mod 4 adding its rounded square to lane i mod 4, the lanes summed in order, then the last
 * n mod 4 entries added by fused multiply-adds. `SquareSum` takes the entries one at a time, in index order.
 */
class SquareSum {
  private a0 = 0; private a1 = 0; private a2 = 0; private a3 = 0;
  /** The last n mod 4 entries (at most 3), added after the lanes in order; or the plain sum. */
  private t0 = 0; private t1 = 0; private t2 = 0;
  private i = 0;
  private main = 0;
  private plain = 0;
  private torchOrder = true;
  /** Starts a sum over n entries; `torchOrder` false (float32 tensors) sums plainly in float64. */
  reset(n: number, torchOrder: boolean): void {
    this.a0 = this.a1 = this.a2 = this.a3 = this.t0 = this.t1 = this.t2 = this.plain = 0;
    this.i = 0;
    this.main = n - (n % 4);
    this.torchOrder = torchOrder;
  }
  add(x: number): void {
    if (!this.torchOrder) {
      this.plain += x * x;
      return;
    }
    const i = this.i++;
    if (i >= this.main) {
      const k = i - this.main;
      if (k === 0) this.t0 = x;
      else if (k === 1) this.t1 = x;
      else this.t2 = x;
      return;
    }
    switch (i & 3) {
      case 0: this.a0 += x * x; break;
      case 1: this.a1 += x * x; break;
      case 2: this.a2 += x * x; break;
      default: this.a3 += x * x;
    }
  }
  /** Σx² of the entries added so far, into `sum` (a field, not a return value: a double returned from a call
   * the optimizer does not inline comes back boxed, 16 B a step). */
  sum = 0;
  finish(): void {
    if (!this.torchOrder) {
      this.sum = this.plain;
      return;
    }
    let b = ((this.a0 + this.a1) + this.a2) + this.a3;
    const tail = this.i - this.main;
    if (tail > 0) b = fusedMultiplyAdd(this.t0, this.t0, b);
    if (tail > 1) b = fusedMultiplyAdd(this.t1, this.t1, b);
    if (tail > 2) b = fusedMultiplyAdd(this.t2, this.t2, b);
    this.sum = b;
  }
}
/** One per module: adafactorUpdate is not re-entrant (it calls nothing that steps an optimizer). */
const squares = new SquareSum();
const rowSquares = new SquareSum();

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
  const mix = torchOrder ? lerpFused : lerp;
  squares.reset(n, torchOrder);
  for (let i = 0; i < n; i++) squares.add(params[i]);
  squares.finish();
  const alpha = Math.max(eps2, Math.sqrt(squares.sum) / n ** 0.5) * rho;
  if (weightDecay !== 0) {
    const decay = 1 - lr * weightDecay;
    for (let i = 0; i < n; i++) params[i] = params[i] * decay;
  }
  const floor = eps1 * eps1;
  const { rowVar, colVar, variance } = state;
  squares.reset(n, torchOrder);
  if (rowVar.length > 0) {
    // the shape from the buffers: B·R row and B·C column moments for B·R·C entries
    const B = (rowVar.length * colVar.length) / n, R = rowVar.length / B, C = colVar.length / B;
    for (let b = 0; b < B; b++) {
      const base = b * R * C;
      let rowSum = 0;
      for (let r = 0; r < R; r++) {
        rowSquares.reset(C, torchOrder);
        for (let c = 0; c < C; c++) rowSquares.add(grads[base + r * C + c]);
        rowSquares.finish();
        const norm = Math.sqrt(rowSquares.sum);
        rowVar[b * R + r] = mix(rowVar[b * R + r], (norm * norm) / C, w);
        rowSum += rowVar[b * R + r];
      }
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let r = 0; r < R; r++) { const g = grads[base + r * C + c]; s += g * g; }
        const norm = Math.sqrt(s);
        colVar[b * C + c] = mix(colVar[b * C + c], (norm * norm) / R, w);
      }
      const meanRow = Math.max(rowSum / R, eps1);
      for (let r = 0; r < R; r++) {
        for (let c = 0; c < C; c++) {
          const v = (rowVar[b * R + r] * colVar[b * C + c]) / meanRow;
          squares.add((1 / Math.sqrt(v < floor ? floor : v)) * (sign * grads[base + r * C + c]));
        }
      }
    }
    squares.finish();
    const denom = Math.max(1.0, Math.sqrt(squares.sum) / (n ** 0.5 * d));
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
    variance[i] = mix(variance[i], g * g, w);
    const v = variance[i];
    squares.add((1 / Math.sqrt(v < floor ? floor : v)) * g);
  }
  squares.finish();
  const denom = Math.max(1.0, Math.sqrt(squares.sum) / (n ** 0.5 * d));
  const scale = -alpha / denom;
  for (let i = 0; i < n; i++) {
    const g = sign * grads[i];
    const v = variance[i];
    const u = (1 / Math.sqrt(v < floor ? floor : v)) * g;
    params[i] = torchOrder ? fusedMultiplyAdd(scale, u, params[i]) : params[i] + scale * u; // add_(u, alpha): one fma
  }
}
