/**
 * `sweep(options)`: the library call behind `descent sweep`. Expands and checks the grid (every run, before
 * anything runs or is enqueued), records it in DIR/runs.sqlite, skips the runs already finished there, runs
 * the rest on a local pool of worker processes or through a BullMQ queue, and writes the report.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DescentError, inputError } from '../../errors.js';
import { atomicWrite } from '../../io/atomic-write.js';
import { pngPathFor, svgToPng } from '../../cli/png.js';
import { canonicalJson, expandSweep, parseSweepSpec, type SweepRun, type SweepSpec } from '../spec.js';
import { sweepReport, type ReportRun, type SweepReport } from '../report.js';
import { ProcessPool, WorkerDiedError } from './pool.js';
import { SweepStore, runKey, type RunRow } from './store.js';
import { RunSpecError, validateRunSpec } from './validate-run.js';
import { coordinate, jobData, redactUrl, connectionOf } from './queue.js';
import type { RunOutcome } from './execute.js';

/** One finished run, as `--json` prints it: `{"run": i, "spec": S, "result": R}` (or `"error"` for a failed run). */
export interface RunLine {
  run: number;
  spec: Record<string, unknown>;
  /** R: exactly the solo command's --json output text. */
  resultText?: string;
  error?: string;
}

export interface SweepOptions {
  /** The sweep spec as parsed JSON (checked here). */
  spec: unknown;
  /** The sweep folder: runs.sqlite, report.html, figures. */
  out: string;
  /** Local worker processes (default: the number of cores). */
  workers?: number;
  /** redis://HOST:PORT: enqueue on BullMQ instead of running locally. */
  queue?: string;
  /** The command line, shown in the report. */
  command?: string;
  /** Each finished run (those finished before, from runs.sqlite, first). */
  onRun?(line: RunLine): void;
  onProgress?(finished: number, total: number): void;
  /** One-line notes for people (Redis reconnecting). */
  onNote?(line: string): void;
  /** Aborting stops the local pool; runs in flight are run again by the next call. */
  signal?: AbortSignal;
}

export interface SweepSummary {
  runs: number;
  /** Finished before this call (skipped). */
  skipped: number;
  /** Run by this call. */
  ran: number;
  failed: number;
  interrupted: boolean;
  reportFile?: string;
  figures: string[];
  report?: SweepReport;
}

/** `optimizers[1].lr: ...` / `base.x0: ...` / `schedules[0]: ...`: a run's error at its place in the sweep spec. */
function placeError(err: RunSpecError, r: SweepRun): DescentError {
  const at = err.part === 'base' ? 'base' : err.part === 'optimizer' ? `optimizers[${r.optimizerIndex}]` : `schedules[${r.scheduleIndex}]`;
  const msg = err.message.replace(/^spec: /, '');
  const m = /^([a-zA-Z]\w*)(\[\d+\])?: /.exec(msg);
  if (m && !/^(unknown|not)\b/.test(m[1])) return inputError(`${at}.${msg}`);
  return inputError(`${at}: ${msg}`);
}

/** Parses and expands the spec and checks every run (and, for a queue, its payload size): the run list. */
export function planSweep(raw: unknown, forQueue = false): { spec: SweepSpec; runs: SweepRun[] } {
  const spec = parseSweepSpec(raw);
  const runs = expandSweep(spec);
  const seen = new Set<string>();
  for (const r of runs) {
    const { seed: _s, ...rest } = r.spec;
    const id = canonicalJson(rest);
    if (seen.has(id)) continue;
    seen.add(id);
    try {
      validateRunSpec(r.kind, r.spec);
    } catch (err) {
      if (err instanceof RunSpecError) throw placeError(err, r);
      throw err;
    }
    if (forQueue) jobData(r);
  }
  return { spec, runs };
}

function toReportRun(row: RunRow): ReportRun {
  return {
    index: row.index, seed: row.seed, spec: row.spec, status: row.status, metrics: row.metrics, error: row.error, seconds: row.seconds,
    result: row.result ? (JSON.parse(row.result) as Record<string, unknown>) : undefined,
  };
}

const lineOf = (row: RunRow): RunLine => ({ run: row.index, spec: row.spec, ...(row.status === 'done' ? { resultText: row.result ?? undefined } : { error: row.error ?? 'failed' }) });

/** The `--json` text of a run line: R is spliced in as the command printed it. */
export function runLineJson(l: RunLine): string {
  const head = `{"run":${l.run},"spec":${JSON.stringify(l.spec)},`;
  return l.resultText !== undefined ? `${head}"result":${l.resultText}}` : `${head}"error":${JSON.stringify(l.error ?? 'failed')}}`;
}

/** Runs a sweep (see the module comment). Input errors throw before anything runs; run failures are rows. */
export async function sweep(o: SweepOptions): Promise<SweepSummary> {
  if (o.queue !== undefined) connectionOf(o.queue);
  const { spec, runs } = planSweep(o.spec, o.queue !== undefined);
  const workers = o.workers ?? 1;
  mkdirSync(o.out, { recursive: true });
  const store = new SweepStore(join(o.out, 'runs.sqlite'));
  const keys = new Map(runs.map((r) => [runKey(r), r] as const));
  let ran = 0;
  let interrupted = false;
  try {
    store.register(o.spec, runs);
    const finished = store.finishedKeys();
    const rowsBefore = store.rows().filter((row) => keys.has(row.key) && finished.has(row.key));
    for (const row of rowsBefore) o.onRun?.(lineOf(row));
    const todo = runs.filter((r) => !finished.has(runKey(r)));
    const skipped = runs.length - todo.length;
    let count = skipped;
    o.onProgress?.(count, runs.length);
    const record = (r: SweepRun, key: string, outcome: RunOutcome, worker: string, attempts?: number) => {
      store.finish(key, outcome, worker, attempts);
      ran++;
      count++;
      o.onRun?.({ run: r.index, spec: r.spec, ...(outcome.ok ? { resultText: outcome.result } : { error: outcome.error }) });
      o.onProgress?.(count, runs.length);
    };
    if (todo.length && o.queue === undefined) {
      const pool = new ProcessPool(workers);
      const onAbort = () => {
        interrupted = true;
        void pool.close();
      };
      o.signal?.addEventListener('abort', onAbort);
      try {
        await Promise.all(todo.map(async (r) => {
          const key = runKey(r);
          let outcome: RunOutcome;
          try {
            outcome = await pool.run(r.kind, r.spec, () => store.markRunning(key, `local:${process.pid}`));
          } catch (err) {
            if (interrupted) return;
            if (!(err instanceof WorkerDiedError)) throw err;
            outcome = { ok: false, metrics: [], error: err.message, exitCode: 1, seconds: 0, retryable: true };
          }
          if (!interrupted) record(r, key, outcome, `local:${process.pid}`);
        }));
      } finally {
        o.signal?.removeEventListener('abort', onAbort);
        await pool.close();
      }
    } else if (todo.length && o.queue !== undefined) {
      let lastNote = '';
      await coordinate({
        url: o.queue, runs: todo,
        onOutcome: (r, key, result, attempts) => {
          const { worker, ...outcome } = result;
          record(r, key, outcome, worker, attempts);
        },
        onError: (line) => {
          if (line !== lastNote) o.onNote?.(line);
          lastNote = line;
        },
      });
    }
    if (interrupted) return { runs: runs.length, skipped, ran, failed: 0, interrupted, figures: [] };
    const rows = store.rows().filter((row) => keys.has(row.key));
    const report = sweepReport({
      kind: spec.kind, runs: rows.map(toReportRun), title: `descent sweep: ${runs.length} ${spec.kind} runs`,
      command: o.command ?? `descent sweep${o.queue ? ` --queue ${redactUrl(o.queue)}` : ''}`, createdAt: new Date().toISOString(),
    });
    const figures: string[] = [];
    for (const [name, svg] of Object.entries(report.figures)) {
      const file = join(o.out, `${name}.svg`);
      atomicWrite(file, svg);
      atomicWrite(pngPathFor(file), svgToPng(svg));
      figures.push(file, pngPathFor(file));
    }
    const reportFile = join(o.out, 'report.html');
    atomicWrite(reportFile, report.html);
    return { runs: runs.length, skipped, ran, failed: rows.filter((r) => r.status === 'failed').length, interrupted, reportFile, figures, report };
  } finally {
    store.close();
  }
}
