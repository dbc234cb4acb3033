/**
 * descent/node: what needs Node. Datasets read from disk (`loadDataset('iris')`, CSV files streamed), a run's
 * files written atomically (`nodeRunFiles` for `train(config, { files })`), and the worker-thread kernels.
 */
export { loadDataset, loadRows, nodeDatasetReader, loadKMeansTable } from './datasets.js';
export { nodeRunFiles } from './files.js';
export { readCsvFile } from './csv-file.js';
export { enableThreads, disableThreads, parallelThresholds, enableRelaxedSimdFlag, startNodeFastPath, resolveThreads } from '../tensor/backend-node.js';
export type { FastPathInfo } from '../tensor/backend-node.js';
