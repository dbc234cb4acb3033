/**
 * Sparse inputs: rows given as lists of feature indices (with optional values), and the layer that reads
 * them, torch.nn.EmbeddingBag(mode='sum', sparse=True). Its backward touches only the weight rows the batch
 * used and records them in a `SparseRows`, so an optimizer sees torch's sparse gradient: those row indices,
 * their values in the dense gradient buffer (every other row stays 0). sparse-adam updates exactly those rows.
 *
 * A one-hot or bag-of-features row "features 3 and 17 are on" is `indices [3, 17]`; a sparse numeric row
 * "x₃ = 0.5, x₁₇ = 2" adds `values [0.5, 2]` (torch's per_sample_weights). With dim = classes, the layer is
 * a linear model over the sparse features (add a bias in the next layer or as an always-on feature).
 */
import { inputError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import { sizeOf, type DType, type FloatArray } from '../tensor/tensor.js';
import { Var, gradOf, parameter, record, scratch } from '../autograd/var.js';
import { Module, type ParamSpec } from './module.js';
import { add } from '../autograd/ops.js';

/** A batch of sparse rows in CSR form: row b holds indices[offsets[b] .. offsets[b + 1]). */
export interface SparseBatch {
  /** m + 1 ascending offsets into `indices`, the first 0. */
  offsets: Int32Array;
  /** Feature (weight row) indices, 0 ≤ index < numEmbeddings; a row may repeat one (the values add up). */
  indices: Int32Array;
  /** One value per index (torch's per_sample_weights); absent, every value is 1. */
  values?: ArrayLike<number>;
}

/**
 * The rows of a [rows, rowSize] parameter that hold a gradient: torch's sparse gradient's indices, coalesced
 * (each row once). Filled by backward, emptied by `clear()` (an Optimizer's zeroGrad clears its groups').
 * Allocated once for the parameter's rows; adding a row allocates nothing.
 */
export class SparseRows {
  readonly rowSize: number;
  /** The touched rows in the order first touched; the first `count` entries are valid. */
  readonly rows: Int32Array;
  count = 0;
  private readonly seen: Uint8Array;

  constructor(numRows: number, rowSize: number) {
    this.rowSize = rowSize;
    this.rows = new Int32Array(numRows);
    this.seen = new Uint8Array(numRows);
  }

  /** Marks `row` touched (once; a row already marked is skipped). */
  add(row: number): void {
    if (this.seen[row]) return;
    this.seen[row] = 1;
    this.rows[this.count++] = row;
  }

  /** Forgets every touched row (in O(count), not O(numRows)). */
  clear(): void {
    for (let k = 0; k < this.count; k++) this.seen[this.rows[k]] = 0;
    this.count = 0;
  }
}

/** Checks a batch against a table of `numRows` rows; returns the batch size m. */
export function checkSparseBatch(batch: SparseBatch, numRows: number): number {
  const { offsets, indices, values } = batch;
  if (offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== indices.length) {
    throw inputError(`sparse batch: offsets must start at 0 and end at the number of indices (${indices.length}), got [${offsets[0]} .. ${offsets[offsets.length - 1]}]`);
  }
  for (let b = 1; b < offsets.length; b++) if (offsets[b] < offsets[b - 1]) throw inputError(`sparse batch: offsets must not decrease (row ${b - 1})`);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= numRows) throw inputError(`sparse batch: index ${i} at position ${k} is outside 0..${numRows - 1}`);
  }
  if (values && values.length !== indices.length) throw inputError(`sparse batch: ${values.length} values for ${indices.length} indices`);
  return offsets.length - 1;
}

/**
 * out[b] = Σ_k v_k·W[i_k] over row b's indices (torch.nn.functional.embedding_bag, mode 'sum', with
 * per_sample_weights): [m, dim]. Backward adds v_k·g[b] into the touched rows of W's gradient only and
 * records them in `rows` (torch's sparse=True gradient).
 */
export function embeddingBag(weight: Var, batch: SparseBatch, rows?: SparseRows): Var {
  if (weight.shape.length !== 2) throw inputError(`embeddingBag: the weight must be [numEmbeddings, dim], got [${weight.shape.join(', ')}]`);
  const [numRows, dim] = weight.shape;
  const m = checkSparseBatch(batch, numRows);
  const { offsets, indices, values } = batch;
  const w = weight.data;
  const out = scratch(weight.dtype, m * dim);
  out.fill(0);
  for (let b = 0; b < m; b++) {
    for (let k = offsets[b]; k < offsets[b + 1]; k++) {
      const v = values ? values[k] : 1, r = indices[k] * dim;
      for (let j = 0; j < dim; j++) out[b * dim + j] += v * w[r + j];
    }
  }
  return record(out, [m, dim], [weight], (g) => {
    const gw = gradOf(weight);
    for (let b = 0; b < m; b++) {
      for (let k = offsets[b]; k < offsets[b + 1]; k++) {
        const v = values ? values[k] : 1, r = indices[k] * dim;
        for (let j = 0; j < dim; j++) gw[r + j] += v * g[b * dim + j];
        rows?.add(indices[k]);
      }
    }
  }, 'embeddingBag');
}

/**
 * Options of {@link EmbeddingBag}'s constructor: the weight's dtype (default float32) and the generator of its N(0, 1) init (default seed 0).
 */
export interface EmbeddingBagOptions {
  dtype?: DType;
  rng?: Rng;
}

/**
 * torch.nn.EmbeddingBag(numEmbeddings, dim, mode='sum', sparse=True): a [numEmbeddings, dim] weight
 * (initialized N(0, 1) as torch's, from descent's generator) read by `forwardSparse(batch)`. Its gradient is
 * sparse: `sparseRows` lists the rows a backward touched. For an optimizer, `paramGroup()` gives the weight,
 * its gradient, shape and rows: `createOptimizer('sparse-adam', bag.paramGroup(), {lr})`.
 */
export class EmbeddingBag extends Module {
  readonly numEmbeddings: number;
  readonly dim: number;
  readonly sparseRows: SparseRows;
  private w: Var | null = null;
  private staged: Float64Array | null;

  constructor(numEmbeddings: number, dim: number, opts: EmbeddingBagOptions = {}) {
    super(opts.dtype ?? 'float32');
    for (const [k, v] of [['numEmbeddings', numEmbeddings], ['dim', dim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw inputError(`EmbeddingBag: ${k}: expected a positive integer, got ${v}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.dim = dim;
    this.sparseRows = new SparseRows(numEmbeddings, dim);
    const rng = opts.rng ?? new Rng(0);
    this.staged = new Float64Array(numEmbeddings * dim);
    for (let i = 0; i < this.staged.length; i++) this.staged[i] = rng.normal();
  }

  /** The weight leaf [numEmbeddings, dim]. */
  get weight(): Var {
    if (this.staged) void this.params;
    return this.w!;
  }

  paramSpecs(): ParamSpec[] {
    return [{ name: 'weight', shape: [this.numEmbeddings, this.dim], isWeight: true }];
  }

  attach(params: FloatArray, grads: FloatArray, offset: number): Var[] {
    const n = sizeOf([this.numEmbeddings, this.dim]);
    const data = params.subarray(offset, offset + n), grad = grads.subarray(offset, offset + n);
    data.set(this.staged ?? this.w!.data);
    this.staged = null;
    this.w = parameter(data, grad, [this.numEmbeddings, this.dim], 'weight');
    return [this.w];
  }

  /** Zeroes the gradient and forgets the touched rows. */
  override zeroGrad(opts: { deferred?: boolean } = {}): void {
    super.zeroGrad(opts);
    this.sparseRows.clear();
  }

  /** A dense input has no meaning here: the rows are index lists (`forwardSparse`). */
  forward(_x: Var): Var {
    throw inputError('EmbeddingBag: its input is a sparse batch of index lists; call forwardSparse(batch)');
  }

  /** Shape [m, dim]: each row the (weighted) sum of its features' weight rows. */
  forwardSparse(batch: SparseBatch): Var {
    return embeddingBag(this.weight, batch, this.sparseRows);
  }

  /** The weight as one param group with its shape and touched rows (sparse-adam reads them). */
  paramGroup(): { params: FloatArray; grads: FloatArray; shape: number[]; sparse: SparseRows } {
    return { params: this.params, grads: this.grads, shape: [this.numEmbeddings, this.dim], sparse: this.sparseRows };
  }
}

/** Options of {@link SparseLinear}'s constructor: dtype (default float32) and the init generator (default seed 0). */
export interface SparseLinearOptions {
  dtype?: DType;
  rng?: Rng;
}

/**
 * A linear layer whose input is read as sparse rows: each row's nonzero features become an index list with
 * their values, and y = EmbeddingBag(x's indices, per_sample_weights = x's values) + b, as
 * torch.nn.EmbeddingBag(in, out, mode='sum', sparse=True) followed by a bias. The function equals
 * Linear(in, out) with W = weightᵀ; the difference is the gradient: backward touches only the weight rows
 * of features nonzero in the batch and lists them in `sparseRows` (torch's sparse gradient), which
 * sparse-adam reads. Parameters: `weight` [in, out] (EmbeddingBag's layout) and `bias` [out].
 * Init as torch.nn.Linear's (U(−1/√in, 1/√in), drawn in Linear's [out, in] order), so a `sparse-linear`
 * model starts from the same function as a `linear` one of the same seed.
 * The index lists live in buffers that grow to the largest batch once and are reused (no allocation per step).
 */
export class SparseLinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly sparseRows: SparseRows;
  private w: Var | null = null;
  private b: Var | null = null;
  private staged: Float64Array | null;
  private offsets = new Int32Array(1);
  private indices = new Int32Array(0);
  private values: FloatArray = new Float64Array(0);

  constructor(inFeatures: number, outFeatures: number, opts: SparseLinearOptions = {}) {
    super(opts.dtype ?? 'float32');
    for (const [k, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw inputError(`SparseLinear: ${k}: expected a positive integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.sparseRows = new SparseRows(inFeatures, outFeatures);
    this.values = this.dtype === 'float64' ? new Float64Array(0) : new Float32Array(0);
    const rng = opts.rng ?? new Rng(0);
    const bound = 1 / Math.sqrt(inFeatures);
    const nw = inFeatures * outFeatures;
    this.staged = new Float64Array(nw + outFeatures);
    // Linear's draws: W[o][i] row by row, stored transposed at [i][o]
    for (let o = 0; o < outFeatures; o++) for (let i = 0; i < inFeatures; i++) this.staged[i * outFeatures + o] = rng.uniformRange(-bound, bound);
    for (let j = nw; j < this.staged.length; j++) this.staged[j] = rng.uniformRange(-bound, bound);
  }

  /** The weight leaf [in, out]. */
  get weight(): Var {
    if (this.staged) void this.params;
    return this.w!;
  }

  /** The bias leaf [out]. */
  get bias(): Var {
    if (this.staged) void this.params;
    return this.b!;
  }

  paramSpecs(): ParamSpec[] {
    return [
      { name: 'weight', shape: [this.inFeatures, this.outFeatures], isWeight: true },
      { name: 'bias', shape: [this.outFeatures], isWeight: false },
    ];
  }

  attach(params: FloatArray, grads: FloatArray, offset: number): Var[] {
    const nw = this.inFeatures * this.outFeatures, n = nw + this.outFeatures;
    const data = params.subarray(offset, offset + n), grad = grads.subarray(offset, offset + n);
    if (this.staged) data.set(this.staged);
    else {
      data.set(this.w!.data);
      data.set(this.b!.data, nw);
    }
    this.staged = null;
    this.w = parameter(data.subarray(0, nw), grad.subarray(0, nw), [this.inFeatures, this.outFeatures], 'weight');
    this.b = parameter(data.subarray(nw), grad.subarray(nw), [this.outFeatures], 'bias');
    return [this.w, this.b];
  }

  /** Zeroes the gradient and forgets the touched rows. */
  override zeroGrad(opts: { deferred?: boolean } = {}): void {
    super.zeroGrad(opts);
    this.sparseRows.clear();
  }

  /** A dense batch [m, in] as index lists of its nonzero entries with their values (CSR), in reused buffers. */
  toSparse(x: Var): SparseBatch {
    if (x.shape.length !== 2 || x.shape[1] !== this.inFeatures) {
      throw inputError(`SparseLinear: expected input [m, ${this.inFeatures}], got [${x.shape.join(', ')}]`);
    }
    const [m, d] = x.shape;
    const xd = x.data;
    let nnz = 0;
    for (let k = 0; k < m * d; k++) if (xd[k] !== 0) nnz++;
    if (this.offsets.length < m + 1) this.offsets = new Int32Array(m + 1);
    if (this.indices.length < nnz) {
      this.indices = new Int32Array(nnz);
      this.values = this.dtype === 'float64' ? new Float64Array(nnz) : new Float32Array(nnz);
    }
    const offsets = this.offsets, indices = this.indices, values = this.values;
    let k = 0;
    for (let r = 0; r < m; r++) {
      offsets[r] = k;
      for (let i = 0; i < d; i++) {
        const v = xd[r * d + i];
        if (v !== 0) {
          indices[k] = i;
          values[k++] = v;
        }
      }
    }
    offsets[m] = k;
    return { offsets: offsets.subarray(0, m + 1), indices: indices.subarray(0, k), values: values.subarray(0, k) };
  }

  forward(x: Var): Var {
    return this.forwardSparse(this.toSparse(x));
  }

  /** y = Σ_k v_k·weight[i_k] + bias over each row's index list: [m, out]. */
  forwardSparse(batch: SparseBatch): Var {
    return add(embeddingBag(this.weight, batch, this.sparseRows), this.bias);
  }
}
