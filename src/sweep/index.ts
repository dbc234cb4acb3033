/** Sweeps: the spec, its grid and run keys' identity, and the report (browser-safe; the runners are in ./node). */
export { parseSweepSpec, expandSweep, countRuns, logRange, alternatives, canonicalJson, runIdentity, MAX_RUNS, TRAIN_BASE_KEYS, OPTIMIZE_BASE_KEYS } from './spec.js';
export type { SweepSpec, SweepRun, SweepKind, OptimizerGrid, Alternatives } from './spec.js';
export { sweepReport, summarize, bestConfigs, finalLoss } from './report.js';
export type { SweepReport, ReportRun, ConfigSummary } from './report.js';
