/** descent/train: the fit loop (Trainer), evaluation, checkpoints; k-means; ensembles. */
export { Trainer, evaluate, countCorrect } from './trainer.js';
export { fitLbfgsTorch } from './lbfgs-torch-fit.js';
export type { LbfgsTorchFitOptions, LbfgsTorchFitResult } from './lbfgs-torch-fit.js';
export type { TrainerOptions, TrainerState, EpochMetrics } from './trainer.js';
export { serializeCheckpoint, parseCheckpoint, loadCheckpoint } from './checkpoint.js';
export type { CheckpointContents } from './checkpoint.js';
export { kmeans, kmeansObjective, kmeansPlusPlusIndices, nearestCenter, kmeansMethods } from './kmeans.js';
export type { KMeansMethod, KMeansOptions, KMeansResult, KMeansHistoryPoint, KMeansProgress } from './kmeans.js';
export { kmeansPlotSvg } from '../viz/kmeans-plot.js';
export { bagging, snapshotEnsemble, snapshotLr, sameBudgetSingle, ensembleDefaults, bootstrapRows, ensembleReport } from './ensemble.js';
export type { EnsembleReport, MemberReport, ModelFactory } from './ensemble.js';
export { fitClassifier, predictProba, accuracyOf, nllOf, trainableGroups } from './ensemble-fit.js';
export type { ClassData, FitOptions } from './ensemble-fit.js';
export { initFrom, parseFreeze, headLayerIndex } from './transfer.js';
export type { InitReport } from './transfer.js';
export { digitsTransferExample } from './transfer-example.js';
export type { TransferExampleOptions, TransferExampleResult } from './transfer-example.js';
