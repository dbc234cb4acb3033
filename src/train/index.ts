/** descent/train: the fit loop (Trainer), evaluation, checkpoints; k-means; ensembles. */
export { Trainer, evaluate, countCorrect } from './trainer.js';
export type { TrainerOptions, TrainerState, EpochMetrics } from './trainer.js';
export { serializeCheckpoint, parseCheckpoint, loadCheckpoint } from './checkpoint.js';
export type { CheckpointContents } from './checkpoint.js';
