/**
 * The sweep's results: DIR/runs.sqlite (through better-sqlite3 or node:sqlite, ./sqlite.ts), one row per run, keyed by the run's key
 * (a hash of its complete spec), so a retried or repeated run replaces its row and never adds one.
 * WAL mode: every finished run is one committed transaction, so a crash loses at most the runs in flight.
 */
import { createHash } from 'node:crypto';
import { runError } from '../../errors.js';
import { runIdentity, type SweepRun } from '../spec.js';
import type { RunOutcome } from './execute.js';
import { openSqlite, sqliteDriver, transaction, type SqliteDatabase } from './sqlite.js';

/** A run's key: sha-256 of its identity (kind, seed, complete spec, canonical JSON), hex. */
export function runKey(r: Pick<SweepRun, 'kind' | 'seed' | 'spec'>): string {
  return createHash('sha256').update(runIdentity(r)).digest('hex');
}

export type RunStatus = 'pending' | 'running' | 'done' | 'failed';

/** One row of runs.sqlite, decoded. */
export interface RunRow {
  key: string;
  index: number;
  kind: string;
  seed: number;
  spec: Record<string, unknown>;
  status: RunStatus;
  /** The command's --json output, as text (exactly what it printed). */
  result: string | null;
  metrics: unknown[];
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  seconds: number | null;
  attempts: number;
  worker: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  key TEXT PRIMARY KEY,
  idx INTEGER NOT NULL,
  kind TEXT NOT NULL,
  seed INTEGER NOT NULL,
  spec TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  result TEXT,
  metrics TEXT,
  error TEXT,
  started_at TEXT,
  finished_at TEXT,
  seconds REAL,
  attempts INTEGER NOT NULL DEFAULT 0,
  worker TEXT,
  retryable INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sweep (id INTEGER PRIMARY KEY CHECK (id = 1), spec TEXT NOT NULL, updated_at TEXT NOT NULL);
`;

export class SweepStore {
  readonly db: SqliteDatabase;

  constructor(readonly file: string) {
    sqliteDriver(); // a missing driver is its own error, not a file that cannot be opened
    try {
      this.db = openSqlite(file);
      this.db.exec('PRAGMA journal_mode = WAL');
      this.db.exec('PRAGMA busy_timeout = 5000');
      this.db.exec(SCHEMA);
    } catch (e) {
      throw runError(`${file}: cannot open the sweep's SQLite file (${(e as Error).message.split('\n')[0]})`);
    }
  }

  /** Records the sweep spec and adds the grid's runs not yet known (as pending); runs left 'running' by a crash are pending again. */
  register(sweepSpec: unknown, runs: readonly SweepRun[]): void {
    const add = this.db.prepare(`INSERT INTO runs (key, idx, kind, seed, spec, status) VALUES (?, ?, ?, ?, ?, 'pending')
      ON CONFLICT (key) DO UPDATE SET idx = excluded.idx`);
    transaction(this.db, () => {
      this.db.prepare(`INSERT INTO sweep (id, spec, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at`)
        .run(JSON.stringify(sweepSpec), new Date().toISOString());
      for (const r of runs) add.run(runKey(r), r.index, r.kind, r.seed, JSON.stringify(r.spec));
      this.db.prepare(`UPDATE runs SET status = 'pending' WHERE status = 'running'`).run();
    });
  }

  /** Keys of the runs that have finished (done, or failed for a reason of their own): a rerun skips them. */
  finishedKeys(): Set<string> {
    return new Set((this.db.prepare(`SELECT key FROM runs WHERE status = 'done' OR (status = 'failed' AND retryable = 0)`).all() as { key: string }[]).map((r) => r.key));
  }

  markRunning(key: string, worker: string): void {
    this.db.prepare(`UPDATE runs SET status = 'running', started_at = ?, worker = ?, attempts = attempts + 1 WHERE key = ?`).run(new Date().toISOString(), worker, key);
  }

  /** Stores a run's outcome, replacing whatever its row held (a retried run's result replaces the first). */
  finish(key: string, outcome: RunOutcome, worker: string, attempts?: number): void {
    this.db.prepare(`UPDATE runs SET status = ?, result = ?, metrics = ?, error = ?, finished_at = ?, seconds = ?, worker = ?, retryable = ?,
      attempts = CASE WHEN ? IS NULL THEN attempts ELSE ? END WHERE key = ?`)
      .run(outcome.ok ? 'done' : 'failed', outcome.result ?? null, JSON.stringify(outcome.metrics), outcome.error ?? null,
        new Date().toISOString(), outcome.seconds, worker, outcome.retryable ? 1 : 0, attempts ?? null, attempts ?? null, key);
  }

  /** Every row, in grid order. */
  rows(): RunRow[] {
    const raw = this.db.prepare(`SELECT * FROM runs ORDER BY idx`).all() as Record<string, unknown>[];
    return raw.map((r) => ({
      key: r.key as string, index: r.idx as number, kind: r.kind as string, seed: r.seed as number,
      spec: JSON.parse(r.spec as string) as Record<string, unknown>, status: r.status as RunStatus,
      result: (r.result as string | null) ?? null, metrics: r.metrics ? (JSON.parse(r.metrics as string) as unknown[]) : [],
      error: (r.error as string | null) ?? null, startedAt: (r.started_at as string | null) ?? null, finishedAt: (r.finished_at as string | null) ?? null,
      seconds: (r.seconds as number | null) ?? null, attempts: r.attempts as number, worker: (r.worker as string | null) ?? null,
    }));
  }

  close(): void {
    this.db.close();
  }
}
