/** Row slices of class data (views, no copy): the demos' train and held-out parts. */
import type { ClassData } from './linear-models.js';

/** The first `rows` rows. */
export function firstRowsOf(data: ClassData, rows: number): ClassData {
  const n = Math.min(rows, data.n);
  return { ...data, n, x: (data.x as Float64Array).subarray(0, n * data.d), y: (data.y as Float64Array).subarray(0, n) };
}

/** The last `rows` rows. */
export function lastRowsOf(data: ClassData, rows: number): ClassData {
  const n = Math.min(rows, data.n), s = data.n - n;
  return { ...data, n, x: (data.x as Float64Array).subarray(s * data.d), y: (data.y as Float64Array).subarray(s) };
}
