/**
 * The dataset type every part of training reads: features row-major N×d in float32 (what the models
 * train in), targets as float64 values (class indices for ce/hinge, 0/1 for bce, values for mse).
 */
import { inputError } from '../errors.js';

/** Rows of numeric features and one target each, as every part of training reads them. */
export interface Dataset {
  /** Features, row-major: row i is x[i·d .. (i+1)·d). */
  x: Float32Array | Float64Array;
  /** One target per row. */
  y: Float64Array;
  /** Rows. */
  n: number;
  /** Features per row. */
  d: number;
  featureNames: string[];
  targetName: string;
  /** K when every target is an integer in 0..K−1 (K = max + 1); 0 for a regression target. */
  numClasses: number;
}

/** K = max + 1 when all targets are non-negative integers, else 0 (regression). */
export function countClasses(y: ArrayLike<number>): number {
  let max = -1;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0) return 0;
    if (v > max) max = v;
  }
  return max + 1;
}

/** Rows [start, end) as a dataset sharing storage with `ds` (subarray views, no copy). */
export function sliceRows(ds: Dataset, start: number, end: number): Dataset {
  const { d } = ds;
  return { ...ds, x: ds.x.subarray(start * d, end * d), y: ds.y.subarray(start, end), n: end - start };
}

/** The rows `idx` (in that order) copied into a new dataset: bootstrap resamples, subsets. */
export function takeRows(ds: Dataset, idx: ArrayLike<number>): Dataset {
  const { d } = ds;
  const x = new (ds.x instanceof Float32Array ? Float32Array : Float64Array)(idx.length * d);
  const y = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    if (!(r >= 0 && r < ds.n)) throw inputError(`takeRows: row ${r} out of range 0..${ds.n - 1}`);
    x.set(ds.x.subarray(r * d, (r + 1) * d), i * d);
    y[i] = ds.y[r];
  }
  return { ...ds, x, y, n: idx.length };
}

/**
 * `--val F`: holds out the LAST fraction F of the rows, in file order (never shuffled), as the
 * contract says: nVal = round(F·N); the first N − nVal rows train.
 */
export function splitTail(ds: Dataset, fraction: number): { train: Dataset; val: Dataset | undefined } {
  if (!(fraction >= 0 && fraction < 1)) throw inputError(`--val: expected a fraction in [0, 1), got ${fraction}`);
  const nVal = Math.round(fraction * ds.n);
  if (nVal === 0) return { train: ds, val: undefined };
  if (ds.n - nVal < 1) throw inputError(`--val: ${fraction} of ${ds.n} rows leaves no training rows`);
  return { train: sliceRows(ds, 0, ds.n - nVal), val: sliceRows(ds, ds.n - nVal, ds.n) };
}
