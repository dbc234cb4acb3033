/**
 * The tensor: a shape plus row-major storage in a Float32Array or Float64Array.
 * No Node-only APIs here (the browser lab bundles this layer).
 */
import { inputError } from '../errors.js';

/** Element type of a tensor, named as torch names them. */
export type DType = 'float32' | 'float64';
/** Flat storage of a tensor. */
export type FloatArray = Float32Array | Float64Array;

/** Number of elements of a shape (1 for the scalar shape []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The dtype of a flat array. */
export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

/** A fresh zero-filled array of a dtype (short-lived data; long-lived buffers go through `alloc`). */
export function newArray(dtype: DType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/**
 * A tensor: `shape` (row-major, last index fastest) over `data`, which may be a view into a
 * larger buffer (a model's parameters are views into one contiguous buffer).
 */
export class Tensor {
  readonly shape: number[];
  readonly data: FloatArray;
  readonly size: number;

  constructor(data: FloatArray, shape: readonly number[]) {
    const n = sizeOf(shape);
    if (data.length !== n) throw inputError(`tensor: shape [${shape.join(', ')}] needs ${n} values, got ${data.length}`);
    this.shape = [...shape];
    this.data = data;
    this.size = n;
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw inputError(`item(): tensor has ${this.size} elements, expected 1`);
    return this.data[0];
  }

  /** Nested plain arrays (for printing and JSON). */
  toArray(): unknown {
    const rec = (dim: number, off: number): unknown => {
      if (dim === this.shape.length) return this.data[off];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(rec(dim + 1, off + i * stride));
      return out;
    };
    return rec(0, 0);
  }

  /** A zero tensor. */
  static zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return new Tensor(newArray(dtype, sizeOf(shape)), shape);
  }

  /** A tensor from plain numbers (row-major) with a shape (default: 1-D). */
  static from(values: ArrayLike<number>, shape: readonly number[] = [values.length], dtype: DType = 'float32'): Tensor {
    const data = newArray(dtype, values.length);
    for (let i = 0; i < values.length; i++) data[i] = values[i];
    return new Tensor(data, shape);
  }
}
