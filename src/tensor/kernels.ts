/**
 * Reference kernels in pure TypeScript: plain functions over flat row-major arrays with explicit
 * sizes. They allocate nothing. The autograd primitives call them through the `kernels` dispatch
 * object at the bottom, so a faster implementation with the same signature (the WebAssembly SIMD
 * kernels) can be installed with `setKernels` without touching any caller; these stay as the
 * reference the fast ones are tested against.
 */
import type { FloatArray } from './tensor.js';

/** Tile sizes: a KB×NB tile of b (≈64 KB in float64) stays in L1/L2 while rows of a stream past it. */
const KB = 64;
const NB = 256;

/**
 * out[m×n] = op(a)·op(b), or out += op(a)·op(b) when `accumulate`.
 * op(a) is m×k: a is stored m×k, or k×m when `transA`. op(b) is k×n: b is stored k×n, or n×k
 * when `transB`. (Linear: X·Wᵀ is transB; the weight gradient dYᵀ·X is transA.)
 * Loop orders keep the innermost loop on contiguous memory (i-p-j for the plain and transA
 * cases, dot products along rows for transB), blocked over p and j.
 */
export function matmul(
  a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number,
  transA = false, transB = false, accumulate = false,
): void {
  if (!accumulate) out.fill(0, 0, m * n);
  if (transB && !transA) {
    // out[i,j] += Σ_p a[i,p]·b[j,p]: both operands read along rows. Register blocking: two rows
    // of a against four rows of b, eight sums per pass, each load used four or two times.
    let i = 0;
    for (; i + 1 < m; i += 2) {
      const a0 = i * k, a1 = a0 + k, o0 = i * n, o1 = o0 + n;
      let j = 0;
      for (; j + 3 < n; j += 4) {
        const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        for (let p = 0; p < k; p++) {
          const u = a[a0 + p], v = a[a1 + p];
          const c0 = b[b0 + p], c1 = b[b1 + p], c2 = b[b2 + p], c3 = b[b3 + p];
          s00 += u * c0; s01 += u * c1; s02 += u * c2; s03 += u * c3;
          s10 += v * c0; s11 += v * c1; s12 += v * c2; s13 += v * c3;
        }
        out[o0 + j] += s00; out[o0 + j + 1] += s01; out[o0 + j + 2] += s02; out[o0 + j + 3] += s03;
        out[o1 + j] += s10; out[o1 + j + 1] += s11; out[o1 + j + 2] += s12; out[o1 + j + 3] += s13;
      }
      for (; j < n; j++) {
        const bj = j * k;
        let s0 = 0, s1 = 0;
        for (let p = 0; p < k; p++) {
          s0 += a[a0 + p] * b[bj + p];
          s1 += a[a1 + p] * b[bj + p];
        }
        out[o0 + j] += s0;
        out[o1 + j] += s1;
      }
    }
    for (; i < m; i++) {
      const ai = i * k, oi = i * n;
      for (let j = 0; j < n; j++) {
        const bj = j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
        out[oi + j] += s;
      }
    }
    return;
  }
  if (transA && transB) {
    // rare: out[i,j] += Σ_p a[p,i]·b[j,p]
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[p * m + i] * b[j * k + p];
        out[i * n + j] += s;
      }
    }
    return;
  }
  // plain (a[i,p] at i*k+p) or transA (a[p,i] at p*m+i); b[p,j] at p*n+j
  const sai = transA ? 1 : k, sap = transA ? m : 1;
  for (let p0 = 0; p0 < k; p0 += KB) {
    const p1 = Math.min(p0 + KB, k);
    for (let j0 = 0; j0 < n; j0 += NB) {
      const j1 = Math.min(j0 + NB, n);
      let i = 0;
      // two rows of out against four rows of b per pass: each b load feeds two products and
      // out is read and written a quarter as often as in the plain i-p-j loop
      for (; i + 1 < m; i += 2) {
        const o0 = i * n, o1 = o0 + n, r0 = i * sai, r1 = r0 + sai;
        let p = p0;
        for (; p + 3 < p1; p += 4) {
          const q0 = p * sap, q1 = q0 + sap, q2 = q1 + sap, q3 = q2 + sap;
          const x0 = a[r0 + q0], x1 = a[r0 + q1], x2 = a[r0 + q2], x3 = a[r0 + q3];
          const y0 = a[r1 + q0], y1 = a[r1 + q1], y2 = a[r1 + q2], y3 = a[r1 + q3];
          const b0 = p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
          for (let j = j0; j < j1; j++) {
            const c0 = b[b0 + j], c1 = b[b1 + j], c2 = b[b2 + j], c3 = b[b3 + j];
            out[o0 + j] += x0 * c0 + x1 * c1 + x2 * c2 + x3 * c3;
            out[o1 + j] += y0 * c0 + y1 * c1 + y2 * c2 + y3 * c3;
          }
        }
        for (; p < p1; p++) {
          const x = a[r0 + p * sap], y = a[r1 + p * sap], bp = p * n;
          for (let j = j0; j < j1; j++) {
            out[o0 + j] += x * b[bp + j];
            out[o1 + j] += y * b[bp + j];
          }
        }
      }
      for (; i < m; i++) {
        const oi = i * n;
        for (let p = p0; p < p1; p++) {
          const av = a[i * sai + p * sap];
          const bp = p * n;
          for (let j = j0; j < j1; j++) out[oi + j] += av * b[bp + j];
        }
      }
    }
  }
}

/** out[i,j] += bias[j] for an m×n block (a bias row added to every row). */
export function addRowVector(out: FloatArray, bias: FloatArray, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) out[o + j] += bias[j];
  }
}

/**
 * out[j] = Σ_i x[i,j] (or += when `accumulate`): the bias gradient of an m×n block. Each column is
 * summed in a float64 local and rounded once (a float32 running sum over 10⁶ rows drifts by ~1%).
 */
export function colSum(x: FloatArray, out: FloatArray, m: number, n: number, accumulate = false): void {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0, o = j; i < m; i++, o += n) s += x[o];
    out[j] = accumulate ? out[j] + s : s;
  }
}

/** y[i] = max(x[i], 0) for i < len (y may be x). */
export function relu(x: FloatArray, y: FloatArray, len: number): void {
  for (let i = 0; i < len; i++) y[i] = x[i] > 0 ? x[i] : 0;
}

/** dX[i] += y[i] > 0 ? dY[i] : 0: relu backward through its output (torch: gradient 0 at 0). */
export function reluBackward(dY: FloatArray, y: FloatArray, dX: FloatArray, len: number): void {
  for (let i = 0; i < len; i++) if (y[i] > 0) dX[i] += dY[i];
}

/**
 * Row-wise log-sum-exp of an m×n block, stable: lse = max + log Σ exp(x − max).
 * out[i] for each row i. A row of −∞ gives −∞; a row holding +∞ gives +∞.
 */
export function logSumExpRows(x: FloatArray, out: FloatArray, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const o = i * n;
    let mx = -Infinity;
    for (let j = 0; j < n; j++) if (x[o + j] > mx) mx = x[o + j];
    if (!Number.isFinite(mx)) {
      out[i] = mx;
      continue;
    }
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(x[o + j] - mx);
    out[i] = mx + Math.log(s);
  }
}

/** y = softmax(x) along each row of an m×n block (stable: exp(x − max) / Σ). y may be x. */
export function softmaxRows(x: FloatArray, y: FloatArray, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const o = i * n;
    let mx = -Infinity;
    for (let j = 0; j < n; j++) if (x[o + j] > mx) mx = x[o + j];
    let s = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(x[o + j] - mx);
      y[o + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < n; j++) y[o + j] *= inv;
  }
}

/** y = log softmax(x) = x − lse(x) along each row of an m×n block (stable). y may be x. */
export function logSoftmaxRows(x: FloatArray, y: FloatArray, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const o = i * n;
    let mx = -Infinity;
    for (let j = 0; j < n; j++) if (x[o + j] > mx) mx = x[o + j];
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(x[o + j] - mx);
    const lse = mx + Math.log(s);
    for (let j = 0; j < n; j++) y[o + j] = x[o + j] - lse;
  }
}

/**
 * Mean softmax cross-entropy of m rows of n logits against integer labels (torch
 * F.cross_entropy, reduction 'mean'): (1/m) Σ_i (lse(z_i) − z_i[y_i]). When dZ is given it
 * receives the gradient (softmax(z_i) − onehot(y_i)) / m (overwritten, not accumulated).
 * Returns the loss.
 */
export function softmaxCrossEntropy(
  z: FloatArray, labels: ArrayLike<number>, dZ: FloatArray | null, m: number, n: number,
): number {
  let total = 0;
  const invM = 1 / m;
  for (let i = 0; i < m; i++) {
    const o = i * n;
    let mx = -Infinity;
    for (let j = 0; j < n; j++) if (z[o + j] > mx) mx = z[o + j];
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(z[o + j] - mx);
    const y = labels[i];
    // (max − z_y) + log Σ rather than lse − z_y: no cancellation between two numbers near |z|
    total += mx - z[o + y] + Math.log(s);
    if (dZ) {
      const inv = invM / s;
      // the label's (p − 1)/m as −(Σ_{j≠y} e_j)/(s·m): no cancellation when p is near 1 (see kernels.as)
      let rest = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(z[o + j] - mx);
        if (j !== y) rest += e;
        dZ[o + j] = e * inv;
      }
      dZ[o + y] = -rest * inv;
    }
  }
  return total * invM;
}

/** y[i] += alpha·x[i] for i < len. */
export function axpy(alpha: number, x: FloatArray, y: FloatArray, len: number): void {
  for (let i = 0; i < len; i++) y[i] += alpha * x[i];
}

/**
 * out[i] = a0[i] + α·a1[i] + β·a2[i] for i < len, each value computed in float64 and rounded once into out:
 * a point of the plane a0 + α·a1 + β·a2 (the first layer's output at a loss-landscape grid point).
 */
export function plane(a0: FloatArray, a1: FloatArray, a2: FloatArray, alpha: number, beta: number, out: FloatArray, len: number): void {
  for (let i = 0; i < len; i++) out[i] = a0[i] + alpha * a1[i] + beta * a2[i];
}

/** The heavy kernels, looked up at call time so `setKernels` can swap in faster versions. */
export interface Kernels {
  /** {@link matmul}: out = op(a)·op(b) (BLAS gemm). */
  matmul: typeof matmul;
  /** {@link addRowVector}: a bias row added to every row. */
  addRowVector: typeof addRowVector;
  /** {@link colSum}: column sums (the bias gradient). */
  colSum: typeof colSum;
  /** {@link relu}: y = max(x, 0). */
  relu: typeof relu;
  /** {@link reluBackward}: relu's gradient through its output. */
  reluBackward: typeof reluBackward;
  /** {@link logSumExpRows}: row-wise stable log-sum-exp. */
  logSumExpRows: typeof logSumExpRows;
  /** {@link softmaxRows}: row-wise softmax. */
  softmaxRows: typeof softmaxRows;
  /** {@link logSoftmaxRows}: row-wise log-softmax. */
  logSoftmaxRows: typeof logSoftmaxRows;
  /** {@link softmaxCrossEntropy}: mean cross-entropy of logits and its gradient, fused. */
  softmaxCrossEntropy: typeof softmaxCrossEntropy;
  /** {@link axpy}: y += αx (BLAS axpy). */
  axpy: typeof axpy;
  /** out = a0 + α·a1 + β·a2 over len entries (the first layer's output at a loss-landscape grid point). */
  plane: typeof plane;
}

/** The pure-TypeScript reference set. */
export const referenceKernels: Readonly<Kernels> = Object.freeze({
  matmul, addRowVector, colSum, relu, reluBackward, logSumExpRows, softmaxRows, logSoftmaxRows, softmaxCrossEntropy, axpy, plane,
});

/**
 * The dispatch object every primitive calls (`kernels.matmul(...)`). A replacement must keep
 * the signature and semantics exactly (and fall back to the reference for arrays it cannot
 * take, such as float64 or buffers outside its memory).
 */
export const kernels: Kernels = { ...referenceKernels };

/** Replaces some kernels (`setKernels({ matmul: fastMatmul })`); `setKernels(null)` restores the reference set. */
export function setKernels(replacements: Partial<Kernels> | null): void {
  Object.assign(kernels, replacements ?? referenceKernels);
}
