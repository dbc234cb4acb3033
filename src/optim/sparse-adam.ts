import type { FloatArray, FloatArrayConstructor } from './types.js';

/** torch.optim.SparseAdam 2.13 defaults. */
export const sparseAdamDefaults = {
  lr: 0.001,
  betas: [0.9, 0.999] as [number, number],
  eps: 1e-8,
  maximize: false,
};
/**
 * Options of {@link sparseAdamUpdate}, the fields of {@link sparseAdamDefaults} (torch.optim.SparseAdam's arguments):
 * `lr`, `betas` [β₁, β₂], `eps`, `maximize`. SparseAdam has no weight decay, as torch's.
 */
export type SparseAdamOptions = typeof sparseAdamDefaults;

/**
 * SparseAdam's per-parameter state: the step count, `expAvg` (m) and `expAvgSq` (v); only the gradient's entries update.
 */
export interface SparseAdamState {
  step: number;
  expAvg: FloatArray;
  expAvgSq: FloatArray;
}

/**
 * The rows holding a sparse gradient (torch's coalesced indices): rows[0..count) of `rowSize` values each.
 * src/nn/sparse.ts's SparseRows is one; any object of this form is.
 */
export interface SparseGradRows {
  readonly rowSize: number;
  readonly rows: Int32Array;
  readonly count: number;
}

/** Zeroed state for n parameters, in ArrayType (the parameters' Float64Array or Float32Array). */
export function sparseAdamInit(n: number, ArrayType: FloatArrayConstructor = Float64Array): SparseAdamState {
  return { step: 0, expAvg: new ArrayType(n), expAvgSq: new ArrayType(n) };
}

/**
 * One SparseAdam step, torch.optim.SparseAdam 2.13 (`F.sparse_adam`), in place: Adam on the entries the
 * (sparse) gradient holds, the others untouched, moments included (lazy Adam):
 *   t ← t + 1 (every step, as torch counts it per tensor);  g ← ±g
 *   for each entry of the gradient:  m ← m + (g − m)(1 − β₁);  v ← v + (g² − v)(1 − β₂)
 *                                    θ ← θ − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + eps)
 * `sparse` names the rows the gradient holds (an EmbeddingBag's touched rows; their entries count even
 * where 0). Without it the gradient is dense and its entries are its nonzeros, as torch's `grad.to_sparse()`
 * (how `descent optimize`, the lab and the lecture demos hand sparse-adam a gradient).
 */
export function sparseAdamUpdate(params: FloatArray, grads: FloatArray, state: SparseAdamState, o: SparseAdamOptions, sparse?: SparseGradRows): void {
  const { lr, eps, maximize } = o;
  const beta1 = o.betas[0], beta2 = o.betas[1];
  state.step += 1;
  const step = state.step;
  const bc1 = 1 - beta1 ** step, bc2 = 1 - beta2 ** step;
  const stepSize = (lr * Math.sqrt(bc2)) / bc1;
  const sign = maximize ? -1 : 1;
  const { expAvg, expAvgSq } = state;
  // the entries: every value of the listed rows, or (dense) the nonzero ones
  const rowSize = sparse ? sparse.rowSize : 1;
  const count = sparse ? sparse.count : params.length;
  for (let k = 0; k < count; k++) {
    const base = sparse ? sparse.rows[k] * rowSize : k;
    for (let j = 0; j < rowSize; j++) {
      const i = base + j;
      if (!sparse && grads[i] === 0) continue; // a dense gradient's entries are its nonzeros (to_sparse())
      // torch's sparse_adam, in its order: the moments move by their update, numer and denom from the same sums
      const g = sign * grads[i];
      const m0 = expAvg[i], v0 = expAvgSq[i];
      const mUpd = (g - m0) * (1 - beta1);
      expAvg[i] = m0 + mUpd;
      const vUpd = (g ** 2 - v0) * (1 - beta2);
      expAvgSq[i] = v0 + vUpd;
      const numer = mUpd + m0;
      const denom = Math.sqrt(vUpd + v0) + eps;
      params[i] = params[i] + -stepSize * (numer / denom);
    }
  }
}
