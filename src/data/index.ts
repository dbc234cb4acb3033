/**
 * descent/data: the Dataset type, CSV parsing (text in, no file access), built-in datasets, the
 * validation split (the last rows, in file order), standardization fitted on training rows, seeded
 * minibatch order and bootstrap resamples.
 */
export { countClasses, sliceRows, takeRows, splitTail } from './dataset.js';
export type { Dataset } from './dataset.js';
export { parseCsv } from './csv.js';
export type { CsvOptions } from './csv.js';
export { fitStandardizer, applyStandardizer } from './standardize.js';
export type { Standardizer } from './standardize.js';
export { parseBatchArg, epochOrder, gatherBatch, bootstrapIndices } from './batches.js';
export { builtinDatasets, isBuiltinName, builtinInfo, mnistFromRaw } from './builtins.js';
export type { BuiltinInfo } from './builtins.js';
export { parseIdx, mnistFromIdx } from './idx.js';
export type { IdxArray } from './idx.js';
export { loadDataset, loadRows, splitDataset, toFloat64 } from './load-dataset.js';
export type { DatasetReader, LoadDatasetOptions, LoadedDataset, LoadedRows, LoadRowsOptions } from './load-dataset.js';
