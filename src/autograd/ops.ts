/**
 * The primitives: each computes its forward value over whole tensors and, beside it, the
 * backward closure that adds its contribution to the parents' gradients (+=). Heavy work goes
 * through `kernels` (src/tensor/kernels.ts) so faster kernels can be swapped in.
 *
 * Broadcasting (add/sub/mul/div) follows NumPy/torch: shapes are aligned at the right, a
 * dimension of 1 (or a missing one) repeats. The usual cases are a row vector [n] against
 * [m, n] (a bias) and a column [m, 1] against [m, n]. The gradient of a broadcast operand
 * sums over the repeated dimensions.
 */
import { inputError } from '../errors.js';
import { kernels } from '../tensor/kernels.js';
import { sizeOf, type FloatArray } from '../tensor/tensor.js';
import { Var, gradAccumulates, gradOf, isGradEnabled, record, scratch } from './var.js';

function sameDtype(op: string, a: Var, b: Var): void {
  if (a.dtype !== b.dtype) throw inputError(`${op}: dtypes differ (${a.dtype} and ${b.dtype}); convert one first`);
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

// ------------------------------------------------------------------ broadcasting

/**
 * How two shapes broadcast: the output is `rows` rows of `inner` elements; row r of the output
 * reads a from aOff[r] with step aStep (0 when a repeats along the last dimension), b likewise.
 */
interface Plan {
  shape: number[];
  rows: number;
  inner: number;
  aOff: Int32Array;
  bOff: Int32Array;
  aStep: number;
  bStep: number;
}

function broadcastPlan(op: string, as: readonly number[], bs: readonly number[]): Plan {
  const r = Math.max(as.length, bs.length);
  const pa = [...new Array<number>(r - as.length).fill(1), ...as];
  const pb = [...new Array<number>(r - bs.length).fill(1), ...bs];
  const shape: number[] = [];
  for (let d = 0; d < r; d++) {
    if (pa[d] !== pb[d] && pa[d] !== 1 && pb[d] !== 1) throw inputError(`${op}: shapes ${fmt(as)} and ${fmt(bs)} do not broadcast`);
    shape.push(pa[d] === 1 ? pb[d] : pa[d]);
  }
  // contiguous strides of each operand, 0 along its repeated dimensions
  const sa = new Array<number>(r), sb = new Array<number>(r);
  let ka = 1, kb = 1;
  for (let d = r - 1; d >= 0; d--) {
    sa[d] = pa[d] === 1 ? 0 : ka;
    sb[d] = pb[d] === 1 ? 0 : kb;
    ka *= pa[d];
    kb *= pb[d];
  }
  const inner = r === 0 ? 1 : shape[r - 1];
  const rows = inner === 0 ? 0 : sizeOf(shape) / inner;
  const aOff = new Int32Array(rows), bOff = new Int32Array(rows);
  const idx = new Array<number>(Math.max(r - 1, 0)).fill(0);
  for (let row = 0; row < rows; row++) {
    let oa = 0, ob = 0;
    for (let d = 0; d < r - 1; d++) {
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
    }
    aOff[row] = oa;
    bOff[row] = ob;
    for (let d = r - 2; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { shape, rows, inner, aOff, bOff, aStep: r === 0 ? 0 : sa[r - 1], bStep: r === 0 ? 0 : sb[r - 1] };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

type BinaryKind = 0 | 1 | 2 | 3; // add, sub, mul, div
const binaryNames = ['add', 'sub', 'mul', 'div'];

/** The one elementwise binary primitive (kind selects the arithmetic), forward and backward. */
function binary(kind: BinaryKind, a: Var, b: Var): Var {
  const name = binaryNames[kind];
  sameDtype(name, a, b);
  const plan = sameShape(a.shape, b.shape) ? null : broadcastPlan(name, a.shape, b.shape);
  const shape = plan ? plan.shape : a.shape;
  const n = sizeOf(shape);
  const out = scratch(a.dtype, n);
  const x = a.data, y = b.data;
  if (!plan) {
    if (kind === 0) for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
    else if (kind === 1) for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
    else if (kind === 2) for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
    else for (let i = 0; i < n; i++) out[i] = x[i] / y[i];
  } else {
    const { rows, inner, aOff, bOff, aStep, bStep } = plan;
    for (let r = 0, o = 0; r < rows; r++) {
      let ia = aOff[r], ib = bOff[r];
      for (let j = 0; j < inner; j++, o++, ia += aStep, ib += bStep) {
        const u = x[ia], v = y[ib];
        out[o] = kind === 0 ? u + v : kind === 1 ? u - v : kind === 2 ? u * v : u / v;
      }
    }
  }
  return record(out, shape, [a, b], (g) => {
    const ga = a.requiresGrad ? gradOf(a) : null;
    const gb = b.requiresGrad ? gradOf(b) : null;
    // d(u+v) = (1, 1); d(u−v) = (1, −1); d(uv) = (v, u); d(u/v) = (1/v, −u/v²)
    if (!plan) {
      for (let i = 0; i < n; i++) {
        const gi = g[i], u = x[i], v = y[i];
        if (ga) ga[i] += kind === 0 || kind === 1 ? gi : kind === 2 ? gi * v : gi / v;
        if (gb) gb[i] += kind === 0 ? gi : kind === 1 ? -gi : kind === 2 ? gi * u : (-gi * u) / (v * v);
      }
      return;
    }
    const { rows, inner, aOff, bOff, aStep, bStep } = plan;
    for (let r = 0, o = 0; r < rows; r++) {
      let ia = aOff[r], ib = bOff[r];
      for (let j = 0; j < inner; j++, o++, ia += aStep, ib += bStep) {
        const gi = g[o], u = x[ia], v = y[ib];
        if (ga) ga[ia] += kind === 0 || kind === 1 ? gi : kind === 2 ? gi * v : gi / v;
        if (gb) gb[ib] += kind === 0 ? gi : kind === 1 ? -gi : kind === 2 ? gi * u : (-gi * u) / (v * v);
      }
    }
  }, name);
}

/** a + b (broadcasting); a number b adds a constant. */
export function add(a: Var, b: Var | number): Var {
  return typeof b === 'number' ? addScalar(a, b) : binary(0, a, b);
}
/** a − b (broadcasting); a number b subtracts a constant. */
export function sub(a: Var, b: Var | number): Var {
  return typeof b === 'number' ? addScalar(a, -b) : binary(1, a, b);
}
/** a ⊙ b elementwise (broadcasting); a number b scales. */
export function mul(a: Var, b: Var | number): Var {
  return typeof b === 'number' ? mulScalar(a, b) : binary(2, a, b);
}
/** a / b elementwise (broadcasting); a number b divides by a constant. */
export function div(a: Var, b: Var | number): Var {
  return typeof b === 'number' ? mulScalar(a, 1 / b) : binary(3, a, b);
}

// ------------------------------------------------------------------ elementwise unary

/**
 * An elementwise primitive y = f(x) whose backward is dx += g · f'(x, y); `deriv` gets x and
 * y (whichever is cheaper to use).
 */
function unary(op: string, a: Var, f: (x: number) => number, deriv: (x: number, y: number) => number): Var {
  const n = a.size, x = a.data;
  const out = scratch(a.dtype, n);
  for (let i = 0; i < n; i++) out[i] = f(x[i]);
  return record(out, a.shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < n; i++) ga[i] += g[i] * deriv(x[i], out[i]);
  }, op);
}

/** x + c. */
export function addScalar(a: Var, c: number): Var {
  return unary('addScalar', a, (x) => x + c, () => 1);
}
/** c · x. */
export function mulScalar(a: Var, c: number): Var {
  return unary('mulScalar', a, (x) => c * x, () => c);
}
/** −x. */
export function neg(a: Var): Var {
  return unary('neg', a, (x) => -x, () => -1);
}
/** eˣ; d/dx = eˣ = y. */
export function exp(a: Var): Var {
  return unary('exp', a, Math.exp, (_x, y) => y);
}
/** ln x; d/dx = 1/x. */
export function log(a: Var): Var {
  return unary('log', a, Math.log, (x) => 1 / x);
}
/** √x; d/dx = 1/(2√x). */
export function sqrt(a: Var): Var {
  return unary('sqrt', a, Math.sqrt, (_x, y) => 0.5 / y);
}
/** |x|; d/dx = sign(x), 0 at 0 (torch's convention). */
export function abs(a: Var): Var {
  return unary('abs', a, Math.abs, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0));
}
/** sign(x) ∈ {−1, 0, 1}; its gradient is 0 everywhere (torch). */
export function sign(a: Var): Var {
  return unary('sign', a, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), () => 0);
}
/** xᵖ for a constant p; d/dx = p·xᵖ⁻¹. */
export function pow(a: Var, p: number): Var {
  if (p === 2) return square(a);
  return unary('pow', a, (x) => Math.pow(x, p), (x) => p * Math.pow(x, p - 1));
}
/** x²; d/dx = 2x. */
export function square(a: Var): Var {
  return unary('square', a, (x) => x * x, (x) => 2 * x);
}
/**
 * σ(x) = 1/(1+e^{−x}), evaluated as e^{x}/(1+e^{x}) for x < 0 so it never overflows;
 * d/dx = y(1 − y). NOTE: a primitive rather than a composite of exp/add/div, for that
 * stability at large |x| and because its backward needs only the output.
 */
export function sigmoid(a: Var): Var {
  return unary('sigmoid', a, sigmoidOf, (_x, y) => y * (1 - y));
}
/** 1/(1+e^{−x}) of one number, in the form that never overflows (sigmoid's forward, and the Trainer's fused step's). */
export function sigmoidOf(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}
/** tanh x; d/dx = 1 − y². */
export function tanh(a: Var): Var {
  return unary('tanh', a, Math.tanh, (_x, y) => 1 - y * y);
}

/** max(x, 0); d/dx = 1 where y > 0, else 0 (torch: 0 at 0). */
export function relu(a: Var): Var {
  const n = a.size;
  const out = scratch(a.dtype, n);
  kernels.relu(a.data, out, n);
  return record(out, a.shape, [a], (g) => kernels.reluBackward(g, out, gradOf(a), n), 'relu');
}

/**
 * x ⊙ mask for a constant mask (no gradient to the mask): dropout applies its scaled keep-mask
 * this way; dx += g ⊙ mask.
 */
export function mulMask(a: Var, mask: FloatArray): Var {
  const n = a.size, x = a.data;
  if (mask.length !== n) throw inputError(`mulMask: mask has ${mask.length} values, the tensor ${n}`);
  const out = scratch(a.dtype, n);
  for (let i = 0; i < n; i++) out[i] = x[i] * mask[i];
  return record(out, a.shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < n; i++) ga[i] += g[i] * mask[i];
  }, 'mulMask');
}

// ------------------------------------------------------------------ matrix products

function as2d(op: string, a: Var): [number, number] {
  if (a.ndim !== 2) throw inputError(`${op}: expected a 2-D tensor, got shape ${fmt(a.shape)}`);
  return [a.shape[0], a.shape[1]];
}

/** C = A·B for A [m,k], B [k,n]; dA += G·Bᵀ, dB += Aᵀ·G. */
export function matmul(a: Var, b: Var): Var {
  sameDtype('matmul', a, b);
  const [m, k] = as2d('matmul', a);
  const [k2, n] = as2d('matmul', b);
  if (k !== k2) throw inputError(`matmul: inner sizes differ: ${fmt(a.shape)} · ${fmt(b.shape)}`);
  const out = scratch(a.dtype, m * n);
  kernels.matmul(a.data, b.data, out, m, k, n, false, false, false);
  return record(out, [m, n], [a, b], (g) => {
    if (a.requiresGrad) kernels.matmul(g, b.data, gradOf(a), m, n, k, false, true, true);
    if (b.requiresGrad) kernels.matmul(a.data, g, gradOf(b), k, m, n, true, false, true);
  }, 'matmul');
}

/**
 * Y = X·Wᵀ + b, torch.nn.functional.linear: X [m,in], W [out,in], b [out] or null.
 * Fused (one primitive) so the bias add and its column-sum gradient need no broadcast plan:
 * dX += G·W, dW += Gᵀ·X, db += Σ_rows G.
 */
export function linear(x: Var, w: Var, b: Var | null): Var {
  sameDtype('linear', x, w);
  const [m, inF] = as2d('linear', x);
  const [outF, inW] = as2d('linear', w);
  if (inF !== inW) throw inputError(`linear: input has ${inF} features, the weight expects ${inW} (weight ${fmt(w.shape)})`);
  if (b && (b.size !== outF || b.dtype !== x.dtype)) throw inputError(`linear: bias must be ${x.dtype} [${outF}], got ${b.dtype} ${fmt(b.shape)}`);
  const out = scratch(x.dtype, m * outF);
  kernels.matmul(x.data, w.data, out, m, inF, outF, false, true, false);
  if (b) kernels.addRowVector(out, b.data, m, outF);
  return record(out, [m, outF], b ? [x, w, b] : [x, w], (g) => {
    if (x.requiresGrad) kernels.matmul(g, w.data, gradOf(x), m, outF, inF, false, false, true);
    // a parameter's gradient that counts as zero is overwritten: no separate zeroing pass, no read of it
    if (w.requiresGrad) {
      const acc = gradAccumulates(w);
      kernels.matmul(g, x.data, gradOf(w), outF, m, inF, true, false, acc);
    }
    if (b && b.requiresGrad) {
      const acc = gradAccumulates(b);
      kernels.colSum(g, gradOf(b), m, outF, acc);
    }
  }, 'linear');
}

/** Aᵀ of a 2-D tensor (copied). */
export function transpose(a: Var): Var {
  const [m, n] = as2d('transpose', a);
  const x = a.data;
  const out = scratch(a.dtype, m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = x[i * n + j];
  return record(out, [n, m], [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) ga[i * n + j] += g[j * m + i];
  }, 'transpose');
}

/** The same values in another shape (one dimension may be −1); shares the storage. */
export function reshape(a: Var, shape: readonly number[]): Var {
  const s = [...shape];
  const free = s.indexOf(-1);
  if (free >= 0) s[free] = a.size / sizeOf(s.filter((_, i) => i !== free));
  if (sizeOf(s) !== a.size || !s.every((d) => Number.isInteger(d) && d >= 0)) throw inputError(`reshape: cannot view ${fmt(a.shape)} as ${fmt(shape)}`);
  const n = a.size;
  return record(a.data, s, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < n; i++) ga[i] += g[i];
  }, 'reshape');
}

// ------------------------------------------------------------------ reductions

function axisOf(op: string, a: Var, axis: number): number {
  const ax = axis < 0 ? axis + a.ndim : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= a.ndim) throw inputError(`${op}: axis ${axis} out of range for shape ${fmt(a.shape)}`);
  return ax;
}

function reducedShape(shape: readonly number[], ax: number, keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (i === ax ? 1 : d)) : shape.filter((_, i) => i !== ax);
}

/**
 * Σ over all elements (a scalar of shape []) or along `axis` (removed, or kept as 1 with
 * `keepdim`). The gradient copies G back over the summed positions.
 */
export function sum(a: Var, axis?: number, keepdim = false): Var {
  return reduce('sum', a, axis, keepdim, 1);
}

/** The mean over all elements or along `axis`: sum / count. */
export function mean(a: Var, axis?: number, keepdim = false): Var {
  const count = axis === undefined ? a.size : a.shape[axisOf('mean', a, axis)];
  return reduce('mean', a, axis, keepdim, 1 / count);
}

function reduce(op: string, a: Var, axis: number | undefined, keepdim: boolean, scale: number): Var {
  const x = a.data;
  if (axis === undefined) {
    let s = 0;
    for (let i = 0; i < a.size; i++) s += x[i];
    const out = scratch(a.dtype, 1);
    out[0] = s * scale;
    const n = a.size;
    return record(out, keepdim ? a.shape.map(() => 1) : [], [a], (g) => {
      const ga = gradOf(a), gv = g[0] * scale;
      for (let i = 0; i < n; i++) ga[i] += gv;
    }, op);
  }
  const ax = axisOf(op, a, axis);
  // view as [outer, dim, inner]
  const outer = sizeOf(a.shape.slice(0, ax)), dim = a.shape[ax], inner = sizeOf(a.shape.slice(ax + 1));
  const out = scratch(a.dtype, outer * inner);
  // float64 partial sums, rounded once into out: a float32 running sum of 10⁶ terms drifts by ~1%
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let d = 0; d < dim; d++) {
      const src = (o * dim + d) * inner;
      for (let i = 0; i < inner; i++) acc[i] += x[src + i];
    }
    const dst = o * inner;
    for (let i = 0; i < inner; i++) out[dst + i] = acc[i] * scale;
  }
  return record(out, reducedShape(a.shape, ax, keepdim), [a], (g) => {
    const ga = gradOf(a);
    for (let o = 0; o < outer; o++) {
      for (let d = 0; d < dim; d++) {
        const dst = (o * dim + d) * inner, src = o * inner;
        for (let i = 0; i < inner; i++) ga[dst + i] += g[src + i] * scale;
      }
    }
  }, op);
}

function rowsOf(op: string, a: Var, axis: number): [number, number] {
  if (axisOf(op, a, axis) !== a.ndim - 1) throw inputError(`${op}: only the last axis is supported, got axis ${axis} of shape ${fmt(a.shape)}`);
  const n = a.shape[a.ndim - 1];
  return [n === 0 ? 0 : a.size / n, n];
}

/**
 * softmax along the last axis, stable (exp(x − max)/Σ). NOTE: fused rather than composed from
 * exp/sum/div, for stability. Backward: dx_j += y_j (g_j − Σ_k g_k y_k).
 */
export function softmax(a: Var, axis = -1): Var {
  const [m, n] = rowsOf('softmax', a, axis);
  const out = scratch(a.dtype, a.size);
  kernels.softmaxRows(a.data, out, m, n);
  return record(out, a.shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < m; i++) {
      const o = i * n;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += g[o + j] * out[o + j];
      for (let j = 0; j < n; j++) ga[o + j] += out[o + j] * (g[o + j] - dot);
    }
  }, 'softmax');
}

/**
 * log softmax along the last axis: x − logsumexp(x), stable (fused, NOTE: for stability).
 * Backward: dx_j += g_j − softmax_j Σ_k g_k, with softmax_j = exp(y_j).
 */
export function logSoftmax(a: Var, axis = -1): Var {
  const [m, n] = rowsOf('logSoftmax', a, axis);
  const out = scratch(a.dtype, a.size);
  kernels.logSoftmaxRows(a.data, out, m, n);
  return record(out, a.shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < m; i++) {
      const o = i * n;
      let gs = 0;
      for (let j = 0; j < n; j++) gs += g[o + j];
      for (let j = 0; j < n; j++) ga[o + j] += g[o + j] - Math.exp(out[o + j]) * gs;
    }
  }, 'logSoftmax');
}

/**
 * log Σ exp(x), stable (max + log Σ exp(x − max)), over all elements (axis undefined, a
 * scalar) or along the last axis (removed). d/dx_j = exp(x_j − lse) = softmax_j.
 */
export function logSumExp(a: Var, axis?: number): Var {
  let m: number, n: number, shape: number[];
  if (axis === undefined) {
    m = 1;
    n = a.size;
    shape = [];
  } else {
    [m, n] = rowsOf('logSumExp', a, axis);
    shape = a.shape.slice(0, -1);
  }
  const x = a.data;
  const out = scratch(a.dtype, m);
  kernels.logSumExpRows(x, out, m, n);
  return record(out, shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < m; i++) {
      // softmax from x in float64, not from the stored lse: in float32 an lse near 1e4 is off by up
      // to 5e-4 (half its ulp), which would scale every gradient by e^(5e-4)
      const o = i * n, gi = g[i];
      let mx = -Infinity;
      for (let j = 0; j < n; j++) if (x[o + j] > mx) mx = x[o + j];
      if (!Number.isFinite(mx)) {
        for (let j = 0; j < n; j++) ga[o + j] += gi * Math.exp(x[o + j] - out[i]);
        continue;
      }
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(x[o + j] - mx);
      for (let j = 0; j < n; j++) ga[o + j] += (gi * Math.exp(x[o + j] - mx)) / s;
    }
  }, 'logSumExp');
}

// ------------------------------------------------------------------ indexing

/** Checks class labels against K classes, naming the row of the first bad one. */
export function checkLabels(op: string, labels: ArrayLike<number>, m: number, k: number): void {
  if (labels.length !== m) throw inputError(`${op}: ${labels.length} labels for ${m} rows`);
  for (let i = 0; i < m; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= k) throw inputError(`${op}: label ${y} in row ${i} is not a class index in 0..${k - 1}`);
  }
}

/** out[i] = x[i, labels[i]] for x [m, n] (torch: x.gather(1, y[:, None]).squeeze(1)). */
export function gather(a: Var, labels: ArrayLike<number>): Var {
  const [m, n] = as2d('gather', a);
  checkLabels('gather', labels, m, n);
  const x = a.data;
  const out = scratch(a.dtype, m);
  for (let i = 0; i < m; i++) out[i] = x[i * n + labels[i]];
  return record(out, [m], [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < m; i++) ga[i * n + labels[i]] += g[i];
  }, 'gather');
}

// ------------------------------------------------------------------ fused losses

/**
 * Mean softmax cross-entropy of logits z [m, K] against class indices (torch
 * F.cross_entropy): (1/m) Σ_i (logsumexp(z_i) − z_i[y_i]). NOTE: fused for stability and speed
 * (one pass, the gradient (softmax − onehot)/m computed with the loss); it equals the composite
 * −mean(gather(logSoftmax(z), y)), which the tests check.
 */
export function softmaxCrossEntropy(z: Var, labels: ArrayLike<number>): Var {
  const [m, k] = as2d('crossEntropy', z);
  checkLabels('crossEntropy', labels, m, k);
  const dz = z.requiresGrad && isGradEnabled() ? scratch(z.dtype, z.size) : null; // the gradient comes with the forward pass
  const out = scratch(z.dtype, 1);
  out[0] = kernels.softmaxCrossEntropy(z.data, labels, dz, m, k);
  return record(out, [], [z], (g) => {
    if (dz) kernels.axpy(g[0], dz, gradOf(z), dz.length);
  }, 'crossEntropy');
}

/**
 * Mean binary cross-entropy on logits (torch BCEWithLogitsLoss): per element
 * max(z, 0) − z·y + log(1 + e^{−|z|}), stable for any |z|. NOTE: fused because the composite
 * through relu and abs would take torch's 0-subgradients at z = 0 and get d/dz wrong there;
 * the exact derivative is σ(z) − y. Averaged over all elements.
 */
export function bceWithLogits(z: Var, target: Var | FloatArray): Var {
  const t = target instanceof Var ? target.data : target;
  if (t.length !== z.size) throw inputError(`bce: ${t.length} targets for ${z.size} logits`);
  const n = z.size, x = z.data;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    s += Math.max(v, 0) - v * t[i] + Math.log1p(Math.exp(-Math.abs(v)));
  }
  const out = scratch(z.dtype, 1);
  out[0] = s / n;
  return record(out, [], [z], (g) => {
    const gz = gradOf(z), c = g[0] / n;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const sig = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
      gz[i] += c * (sig - t[i]);
    }
  }, 'bce');
}
