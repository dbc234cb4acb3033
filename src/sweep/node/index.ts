/** The Node side of sweeps: runs.sqlite, the local process pool, the BullMQ queue and worker, `sweep()`. */
export { sweep, planSweep, runLineJson } from './run-sweep.js';
export type { SweepOptions, SweepSummary, RunLine } from './run-sweep.js';
export { SweepStore, runKey } from './store.js';
export { openSqlite, sqliteDriver, loadSqliteDriver, transaction } from './sqlite.js';
export type { SqliteDatabase, SqliteStatement, SqliteDriver, SqliteDriverName, SqlValue } from './sqlite.js';
export type { RunRow, RunStatus } from './store.js';
export { ProcessPool, WorkerDiedError } from './pool.js';
export { executeRun } from './execute.js';
export type { RunOutcome } from './execute.js';
export { validateRunSpec, trainArgs, RunSpecError } from './validate-run.js';
export { coordinate, serve, connectionOf, redactUrl, checkJob, jobData, QUEUE_NAME, MAX_JOB_BYTES } from './queue.js';
export type { JobData, JobResult } from './queue.js';
