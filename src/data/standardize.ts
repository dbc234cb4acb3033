/** Standardization z = (x − mean) / std per feature, fitted on training rows only. */
import type { Dataset } from './dataset.js';

/** Per-feature statistics of the training rows: z = (x − mean) / std. */
export interface Standardizer {
  mean: Float64Array;
  /** Population standard deviation (as sklearn's StandardScaler); 1 where a feature is constant. */
  std: Float64Array;
}

/** Per-feature mean and population std of `ds`, accumulated in float64 (float32 sums drift over 10⁴ rows). */
export function fitStandardizer(ds: Dataset): Standardizer {
  const { n, d, x } = ds;
  const mean = new Float64Array(d), std = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) { const t = x[i * d + j] - mean[j]; std[j] += t * t; }
  for (let j = 0; j < d; j++) { const s = Math.sqrt(std[j] / n); std[j] = s > 0 ? s : 1; }
  return { mean, std };
}

/** A standardized copy of `ds` (same storage type); the input is not changed. */
export function applyStandardizer(ds: Dataset, s: Standardizer): Dataset {
  const { n, d } = ds;
  const x = ds.x.slice();
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = (x[i * d + j] - s.mean[j]) / s.std[j];
  return { ...ds, x };
}
