/**
 * The small models the demos train, written directly over flat typed arrays so thousands of runs stay
 * cheap: softmax regression (K classes) and logistic regression (one output). Parameters are one contiguous
 * Float64Array, weights first (row k of W is params[k·d .. (k+1)·d)), then the K biases; gradients have the
 * same layout, so descent's optimizers step them as one param group. The loss and gradient loops allocate
 * nothing: the caller passes a scratch buffer of K values.
 */

/** Rows of features (row-major, n×d) with integer class labels 0..K−1. */
export interface ClassData {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  n: number;
  d: number;
  /** Classes K. */
  k: number;
}

/** Parameters of softmax regression on d features and K classes: K·d weights then K biases. */
export function softmaxParamCount(d: number, k: number): number {
  return k * d + k;
}

/**
 * Mean cross-entropy of softmax regression over rows idx[start .. start+m) and, when `grad` is given, its
 * gradient (the mean over those rows) written into `grad`. `scratch` holds K values.
 */
export function softmaxLossGrad(
  params: Float64Array, data: ClassData, idx: ArrayLike<number>, start: number, m: number,
  grad: Float64Array | null, scratch: Float64Array,
): number {
  const { x, y, d, k } = data;
  const bOff = k * d;
  if (grad) grad.fill(0);
  let loss = 0;
  for (let t = 0; t < m; t++) {
    const r = idx[start + t];
    const xo = r * d;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let z = params[bOff + c];
      const wo = c * d;
      for (let j = 0; j < d; j++) {
        // pixels are mostly 0 (about 80% of MNIST's): skipping them is the cheap sparse product
        const xv = x[xo + j];
        if (xv !== 0) z += params[wo + j] * xv;
      }
      scratch[c] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(scratch[c] - max);
    const label = y[r];
    loss += max + Math.log(sum) - scratch[label];
    if (!grad) continue;
    for (let c = 0; c < k; c++) {
      // residual p_c − [c = y], divided by m for the mean
      const res = (Math.exp(scratch[c] - max) / sum - (c === label ? 1 : 0)) / m;
      if (res === 0) continue;
      const wo = c * d;
      for (let j = 0; j < d; j++) {
        const xv = x[xo + j];
        if (xv !== 0) grad[wo + j] += res * xv;
      }
      grad[bOff + c] += res;
    }
  }
  return loss / m;
}

/** Accuracy of softmax regression over rows idx[start .. start+m). */
export function softmaxAccuracy(params: Float64Array, data: ClassData, idx: ArrayLike<number>, start: number, m: number): number {
  const { x, y, d, k } = data;
  const bOff = k * d;
  let right = 0;
  for (let t = 0; t < m; t++) {
    const r = idx[start + t];
    const xo = r * d;
    let best = -Infinity, arg = -1;
    for (let c = 0; c < k; c++) {
      let z = params[bOff + c];
      for (let j = 0; j < d; j++) z += params[c * d + j] * x[xo + j];
      if (z > best) { best = z; arg = c; }
    }
    if (arg === y[r]) right++;
  }
  return right / m;
}

/** 0, 1, ..., n−1. */
export function iota(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Numerically stable log(1 + e^z). */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The logistic function 1 / (1 + e^−z). */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
