import type { FloatArray, FloatArrayConstructor } from './types.js';

/**
 * torch.optim.Muon 2.13 defaults. nsCoefficients are the quintic Newton–Schulz (a, b, c); adjustLrFn null
 * or "original" scales lr by √max(1, rows/cols), "match_rms_adamw" by 0.2·√max(rows, cols).
 */
export const muonDefaults = {
  lr: 0.001,
  weightDecay: 0.1,
  momentum: 0.95,
  nesterov: true,
  nsCoefficients: [3.4445, -4.775, 2.0315] as [number, number, number],
  eps: 1e-7,
  nsSteps: 5,
  adjustLrFn: null as 'original' | 'match_rms_adamw' | null,
};
/**
 * Options of {@link muonUpdate}, the fields of {@link muonDefaults} (torch.optim.Muon's arguments in camelCase):
 * `lr`, `weightDecay` (decoupled, θ ← θ·(1 − lr·λ)), `momentum` μ and `nesterov`, `nsCoefficients` and
 * `nsSteps` of the Newton–Schulz iteration, `eps` (the normalization floor), `adjustLrFn` (the lr scaling by shape).
 */
export type MuonOptions = typeof muonDefaults;

/** Muon's per-tensor state: the step count and torch's `momentum_buffer` (as long as the parameters). */
export interface MuonState {
  step: number;
  momentumBuffer: FloatArray;
}

// bfloat16 rounding through float32 bits: round to nearest, ties to even, on the upper 16 bits (as c10::BFloat16
// from a float; a float64 is first rounded to float32, as torch's .bfloat16() does)
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** x rounded to bfloat16 (returned as a number). NaN stays NaN. */
export function bf16(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0) return Number.NaN;
  u32[0] = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 0) & 0xffff0000;
  return f32[0];
}

/** a[0..len) rounded to bfloat16 in place (bf16 for each; no number leaves a call, so nothing is boxed). */
function roundBf16(a: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) {
    f32[0] = a[i];
    const bits = u32[0];
    if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0) continue; // NaN stays NaN
    u32[0] = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 0) & 0xffff0000;
    a[i] = f32[0];
  }
}

/**
 * The matrix shape and scratch for Newton–Schulz (u the update before it; x, y [m, k] and a, b [m, m] with
 * m ≤ k after the transpose): made once by muonInit, kept beside the state (a WeakMap), not in its stateDict.
 */
interface Scratch { rows: number; cols: number; u: Float64Array; x: Float64Array; a: Float64Array; b: Float64Array; y: Float64Array; norm: Float64Array }
const scratchOf = new WeakMap<MuonState, Scratch>();

/**
 * State for a [rows, cols] tensor (a vector of n counts as [1, n]): torch's momentum_buffer, plus scratch
 * for the orthogonalization made once here.
 */
export function muonInit(n: number, ArrayType: FloatArrayConstructor = Float64Array, shape: readonly number[] = [1, n]): MuonState {
  const [rows, cols] = shape.length === 2 ? shape : [1, n];
  const m = Math.min(rows, cols), k = Math.max(rows, cols);
  const state: MuonState = { step: 0, momentumBuffer: new ArrayType(n) };
  scratchOf.set(state, { rows, cols, u: new Float64Array(n), x: new Float64Array(m * k), a: new Float64Array(m * m), b: new Float64Array(m * m), y: new Float64Array(m * k), norm: new Float64Array(2) });
  return state;
}

/**
 * The orthogonalized update O = NS(G) of torch's `_zeropower_via_newtonschulz`, in bfloat16: G rounded to
 * bf16 (transposed when it has more rows than columns), X ← X/max(‖X‖, eps), then nsSteps times
 * A = X·Xᵀ, B = b·A + c·A·A, X ← a·X + B·X. Every product is a float32 sum of bf16 values rounded to bf16
 * (torch's CPU bf16 matmul/addmm, measured); the sums are taken in index order, where MKL's order may
 * differ, so a rounding may flip: see docs/optimizers.md for the tolerance this leaves.
 * Writes O (rows × cols, bf16 values) into `out`.
 */
function newtonSchulz(g: Float64Array, rows: number, cols: number, o: MuonOptions, s: Scratch, out: Float64Array): void {
  const ca = o.nsCoefficients[0], cb = o.nsCoefficients[1], cc = o.nsCoefficients[2];
  const tall = rows > cols;
  const m = tall ? cols : rows, k = tall ? rows : cols;
  const { x, a, b, y, norm } = s;
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) x[i * k + j] = tall ? g[j * cols + i] : g[i * cols + j];
  roundBf16(x, m * k);
  let sq = 0;
  for (let i = 0; i < m * k; i++) sq = Math.fround(sq + Math.fround(x[i] * x[i]));
  // ‖X‖ in bf16, clamped below by eps (in bf16)
  norm[0] = Math.sqrt(sq);
  norm[1] = o.eps;
  roundBf16(norm, 2);
  norm[0] = norm[0] > norm[1] ? norm[0] : norm[1];
  const nrm = norm[0];
  for (let i = 0; i < m * k; i++) x[i] = x[i] / nrm;
  roundBf16(x, m * k);
  for (let step = 0; step < o.nsSteps; step++) {
    // A = X·Xᵀ (m × m)
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let acc = 0;
        for (let t = 0; t < k; t++) acc = Math.fround(acc + Math.fround(x[i * k + t] * x[j * k + t]));
        a[i * m + j] = acc;
      }
    }
    roundBf16(a, m * m);
    // B = b·A + c·(A·A)
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let acc = 0;
        for (let t = 0; t < m; t++) acc = Math.fround(acc + Math.fround(a[i * m + t] * a[t * m + j]));
        b[i * m + j] = Math.fround(Math.fround(cb * a[i * m + j]) + Math.fround(cc * acc));
      }
    }
    roundBf16(b, m * m);
    // X ← a·X + B·X
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < k; j++) {
        let acc = 0;
        for (let t = 0; t < m; t++) acc = Math.fround(acc + Math.fround(b[i * m + t] * x[t * k + j]));
        y[i * k + j] = Math.fround(Math.fround(ca * x[i * k + j]) + acc);
      }
    }
    roundBf16(y, m * k);
    x.set(y);
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) out[tall ? j * cols + i : i * cols + j] = x[i * k + j];
}

/** lr scaled for the matrix shape, torch's `_adjust_lr`. */
export function muonAdjustedLr(lr: number, adjustLrFn: MuonOptions['adjustLrFn'], rows: number, cols: number): number {
  const ratio = adjustLrFn === null || adjustLrFn === 'original' ? Math.sqrt(Math.max(1, rows / cols)) : 0.2 * Math.sqrt(Math.max(rows, cols));
  return lr * ratio;
}

/**
 * One Muon step, torch.optim.Muon 2.13 (`_single_tensor_muon`), on one [rows, cols] matrix, in place
 * (Jordan et al., 2024; Liu et al., 2025 for match_rms_adamw):
 *   B ← lerp(B, g, 1 − μ);  U = nesterov ? lerp(g, B, μ) : B;  O = NS(U) in bfloat16
 *   θ ← θ·(1 − lr·λ);  θ ← θ − adjust(lr)·O
 * The matrix shape is the param group's (`shape`, given to muonInit); without one a vector of n is a 1 × n
 * matrix. U is rounded to the parameters' precision, as torch's tensor is.
 */
export function muonUpdate(params: FloatArray, grads: FloatArray, state: MuonState, o: MuonOptions): void {
  const n = params.length;
  const s = scratchOf.get(state)!;
  const { rows, cols, u } = s;
  const { lr, weightDecay, momentum, nesterov } = o;
  const buf = state.momentumBuffer;
  const single = params instanceof Float32Array;
  state.step += 1;
  const w = 1 - momentum;
  // torch's CPU lerp_ (a + w(b − a) for |w| < 0.5, else b − (b − a)(1 − w)), written out: a call returning a
  // double would box it
  const wSmall = Math.abs(w) < 0.5, mSmall = Math.abs(momentum) < 0.5;
  if (single) {
    // float32 as torch computes it: the weights cast to float32, the difference rounded to float32, then one
    // fused multiply-add (its vectorized lerp); a product of two float32 values is exact in a double, so
    // `p + q·r` there and one Math.fround is the fma but for a rare double rounding
    const w32 = Math.fround(w), omw32 = Math.fround(1 - w32), m32 = Math.fround(momentum), omm32 = Math.fround(1 - m32);
    for (let i = 0; i < n; i++) {
      const g = grads[i], b0 = buf[i];
      const diff = Math.fround(g - b0);
      const b1 = wSmall ? Math.fround(w32 * diff + b0) : Math.fround(g - diff * omw32);
      buf[i] = b1;
      const d2 = Math.fround(b1 - g);
      u[i] = nesterov ? (mSmall ? Math.fround(m32 * d2 + g) : Math.fround(b1 - d2 * omm32)) : b1;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const g = grads[i], b0 = buf[i];
      const b1 = wSmall ? b0 + w * (g - b0) : g - (g - b0) * (1 - w);
      buf[i] = b1;
      const bb = buf[i];
      u[i] = nesterov ? (mSmall ? g + momentum * (bb - g) : bb - (bb - g) * (1 - momentum)) : bb;
    }
  }
  newtonSchulz(u, rows, cols, o, s, u);
  // torch's _adjust_lr (muonAdjustedLr), written here: a call returning a double would box it every step
  const adjusted = lr * (o.adjustLrFn === 'match_rms_adamw' ? 0.2 * Math.sqrt(Math.max(rows, cols)) : Math.sqrt(Math.max(1, rows / cols)));
  const decay = 1 - lr * weightDecay;
  if (single) {
    // torch's mul_ and add_(alpha) on float32: the scalars cast to float32, add_ one fused multiply-add (u is
    // bfloat16, so alpha·u is exact in a double)
    const decay32 = Math.fround(decay), alpha32 = Math.fround(-adjusted);
    for (let i = 0; i < n; i++) {
      params[i] = params[i] * decay32;
      params[i] = alpha32 * u[i] + params[i];
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    params[i] = params[i] * decay;
    params[i] = params[i] + -adjusted * u[i];
  }
}
