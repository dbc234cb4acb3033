/**
 * The distributed sweep on BullMQ + Redis. The coordinator enqueues each run as a job whose id is the run's
 * key (so a run is in the queue at most once), and collects outcomes into its runs.sqlite; `descent worker`
 * processes take jobs, check each against the run schema, and run it in a worker process of their own.
 * A worker that dies mid-run: its job's lock lapses, BullMQ's stalled-job check hands it to another worker,
 * and the result is keyed, so it replaces, never duplicates. Redis restarting: ioredis reconnects, and the
 * coordinator re-enqueues any pending run whose job the server no longer holds.
 */
import { hostname } from 'node:os';
import { resolve, sep } from 'node:path';
import { isBuiltinName } from '../../data/index.js';
import type { Job, ConnectionOptions, Worker } from 'bullmq';
import { inputError } from '../../errors.js';
import type { SweepKind, SweepRun } from '../spec.js';
import { ProcessPool, WorkerDiedError } from './pool.js';
import { runKey } from './store.js';
import { validateRunSpec } from './validate-run.js';
import type { RunOutcome } from './execute.js';

/** The one queue every sweep and worker on a Redis server shares (jobs are keyed by run, so sweeps never clash). */
export const QUEUE_NAME = 'descent-sweep';
/** Largest job payload (JSON text) a coordinator sends or a worker takes. */
export const MAX_JOB_BYTES = 64 * 1024;
/** Version of the job payload. */
const JOB_VERSION = 1;

/** What crosses the queue: data only. */
export interface JobData {
  v: number;
  kind: SweepKind;
  seed: number;
  spec: Record<string, unknown>;
}

/** What a worker answers: the run's outcome and who ran it. */
export interface JobResult extends RunOutcome {
  worker: string;
  /** Which attempt at the job this was (BullMQ's attemptsStarted: 2 after a stalled or failed first attempt). */
  attempt?: number;
}

// BullMQ (with ioredis and msgpackr) is loaded on first use, not when the CLI starts: it is about half of the
// program's start-up time, and only `sweep --queue` and `worker` need it.
let bullmqModule: typeof import('bullmq') | undefined;
async function bullmq(): Promise<typeof import('bullmq')> {
  return (bullmqModule ??= await import('bullmq'));
}

/** A job refused by {@link checkJob}: the worker hands it to BullMQ as an UnrecoverableError, so it is not retried. */
export class JobRejectedError extends Error {}

/** The URL with any password replaced by ***: the only form of it that is ever printed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** `redis://[user[:password]@]HOST[:PORT][/DB]` → connection options (ioredis), or an input error naming the flag. */
export function connectionOf(url: string, flag = '--queue'): ConnectionOptions & { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw inputError(`${flag}: expected redis://HOST:PORT, got '${redactUrl(url)}'`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw inputError(`${flag}: expected a redis:// or rediss:// URL, got '${redactUrl(url)}'`);
  if (!u.hostname) throw inputError(`${flag}: expected a host in redis://HOST:PORT, got '${redactUrl(url)}'`);
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw inputError(`${flag}: expected a database number after the port (redis://HOST:PORT/0), got '${redactUrl(url)}'`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's blocking commands wait as long as the server is away; ioredis reconnects every 0.05-1 s
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(50 * times, 1000),
  };
}

/** The job payload of a run, refused (input error) when over MAX_JOB_BYTES. */
export function jobData(r: SweepRun): JobData {
  const data: JobData = { v: JOB_VERSION, kind: r.kind, seed: r.seed, spec: r.spec };
  const size = Buffer.byteLength(JSON.stringify(data));
  if (size > MAX_JOB_BYTES) throw inputError(`run ${r.index}: its spec is ${size} bytes as a job, over the limit of ${MAX_JOB_BYTES}; expected a smaller run spec`);
  return data;
}

/** A worker's check of a job: size, shape, key and the run schema. Throws JobRejectedError (the worker fails the job without retry) when it fails. */
export function checkJob(id: string | undefined, data: unknown): JobData {
  const size = Buffer.byteLength(JSON.stringify(data) ?? '');
  if (size > MAX_JOB_BYTES) throw new JobRejectedError(`job ${id}: payload of ${size} bytes, over the limit of ${MAX_JOB_BYTES}`);
  const d = data as Partial<JobData> | null;
  if (d === null || typeof d !== 'object' || d.v !== JOB_VERSION || (d.kind !== 'optimize' && d.kind !== 'train') || typeof d.seed !== 'number'
    || d.spec === null || typeof d.spec !== 'object' || Array.isArray(d.spec) || Object.keys(d).some((k) => !['v', 'kind', 'seed', 'spec'].includes(k))) {
    throw new JobRejectedError(`job ${id}: not a descent run (expected {v: ${JOB_VERSION}, kind, seed, spec})`);
  }
  const job = d as JobData;
  if (id !== runKey(job)) throw new JobRejectedError(`job ${id}: its id is not the key of its spec`);
  return job;
}

export interface CoordinateOptions {
  url: string;
  runs: readonly SweepRun[];
  /** Called once per run with its outcome (from the worker that finished it). */
  onOutcome(run: SweepRun, key: string, result: JobResult, attempts: number): void;
  /** Called when a worker reports a job as taken (optional, for the store's 'running'). */
  onError?(message: string): void;
  /** Seconds between checks of every pending job against the server (re-enqueues lost ones). */
  reconcileSeconds?: number;
}

/** Enqueues `runs` and resolves when every one has an outcome. */
export async function coordinate(o: CoordinateOptions): Promise<void> {
  const connection = connectionOf(o.url);
  const { Queue, QueueEvents } = await bullmq();
  const queue = new Queue<JobData, JobResult>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  const onErr = (e: Error) => o.onError?.(`redis ${redactUrl(o.url)}: ${e.message}`);
  queue.on('error', onErr);
  events.on('error', onErr);
  const pending = new Map<string, SweepRun>();
  for (const r of o.runs) pending.set(runKey(r), r);
  let finish: () => void = () => {};
  const allDone = new Promise<void>((resolve) => { finish = resolve; });
  if (pending.size === 0) finish();

  const opts = (key: string) => ({ jobId: key, attempts: 5, backoff: { type: 'fixed', delay: 200 }, removeOnComplete: false, removeOnFail: false });
  const store = (key: string, result: JobResult, attempts: number): void => {
    const run = pending.get(key);
    if (!run) return;
    pending.delete(key);
    o.onOutcome(run, key, result, attempts);
    // the run is stored: its job goes, so a stale copy finishing late has nothing to complete
    queue.remove(key).catch(() => {});
    if (pending.size === 0) finish();
  };
  /** From the server: a job that completed or failed for good (the reconcile path, and failures). */
  const collect = async (key: string): Promise<void> => {
    if (!pending.has(key)) return;
    const job = (await queue.getJob(key)) as Job<JobData, JobResult> | undefined;
    if (!job) return;
    const state = await job.getState();
    let result: JobResult | undefined;
    if (state === 'completed' && job.returnvalue) result = job.returnvalue;
    // failed for good in the queue (refused by a worker, or its process died on every attempt): not the run's own result
    else if (state === 'failed') result = { ok: false, metrics: [], error: job.failedReason || 'the job failed', exitCode: 1, seconds: 0, worker: 'queue', retryable: true };
    if (result) store(key, result, result.attempt ?? (job.attemptsStarted || 1));
  };
  // the fast path: a completion event carries the worker's answer, no further round trip
  events.on('completed', ({ jobId, returnvalue }) => {
    const r = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as JobResult | null;
    if (r && typeof r === 'object' && typeof r.ok === 'boolean') store(jobId, r, r.attempt ?? 1);
    else void collect(jobId).catch(onErr);
  });
  events.on('failed', ({ jobId }) => void collect(jobId).catch(onErr));

  let stopped = false;
  const reconcile = async (): Promise<void> => {
    for (const [key, run] of [...pending]) {
      if (stopped) return;
      const state = await queue.getJobState(key);
      if (state === 'completed' || state === 'failed') await collect(key);
      // the server lost it (restarted without persistence): enqueue it again
      else if (state === 'unknown' && pending.has(key)) await queue.add(run.kind, jobData(run), opts(key));
    }
  };
  try {
    await events.waitUntilReady();
    await queue.addBulk(o.runs.filter((r) => pending.has(runKey(r))).map((r) => ({ name: r.kind, data: jobData(r), opts: opts(runKey(r)) })));
    // jobs finished before this coordinator listened (an earlier coordinator's) are collected here
    await reconcile();
    const every = (o.reconcileSeconds ?? 2) * 1000;
    let timer: NodeJS.Timeout | undefined;
    const loop = () => {
      timer = setTimeout(() => {
        reconcile().catch(onErr).finally(() => { if (!stopped) loop(); });
      }, every);
    };
    loop();
    await allDone;
    stopped = true;
    clearTimeout(timer);
  } finally {
    stopped = true;
    await events.close().catch(() => {});
    await queue.close().catch(() => {});
  }
}

export interface ServeOptions {
  url: string;
  concurrency: number;
  /** Seconds a job's lock lasts without renewal: a dead worker's job is taken again after about this long. */
  lockSeconds?: number;
  /**
   * The folder whose CSV files train jobs may name; without it a worker trains on built-in datasets only, so
   * whoever can write to the queue cannot make a worker read its other files.
   */
  allowData?: string;
  log?(line: string): void;
}

/** A worker serving the queue until close(); each run in a process of a pool of `concurrency`. */
export async function serve(o: ServeOptions): Promise<{ worker: Worker; close(): Promise<void> }> {
  const connection = connectionOf(o.url);
  const pool = new ProcessPool(o.concurrency);
  const me = `${hostname()}:${process.pid}`;
  const lock = (o.lockSeconds ?? 10) * 1000;
  const { Worker, UnrecoverableError } = await bullmq();
  const worker = new Worker<JobData, JobResult>(QUEUE_NAME, async (job) => {
    let d: JobData;
    try {
      d = checkJob(job.id, job.data);
    } catch (err) {
      if (err instanceof JobRejectedError) throw new UnrecoverableError(err.message);
      throw err;
    }
    const data = d.spec.data;
    if (d.kind === 'train' && typeof data === 'string' && !isBuiltinName(data)) {
      if (o.allowData === undefined) throw new UnrecoverableError(`job ${job.id}: data '${data}' is a file, and this worker serves built-in datasets only (start it with --allow-data DIR)`);
      if (!resolve(data).startsWith(resolve(o.allowData) + sep)) throw new UnrecoverableError(`job ${job.id}: data '${data}' is outside the folder this worker serves (--allow-data ${o.allowData})`);
    }
    try {
      validateRunSpec(d.kind, d.spec);
    } catch (err) {
      throw new UnrecoverableError(`job ${job.id}: ${(err as Error).message}`);
    }
    try {
      const outcome = await pool.run(d.kind, d.spec);
      return { ...outcome, worker: me, attempt: job.attemptsStarted || 1 };
    } catch (err) {
      // the run's process died (killed, out of memory): throw, so BullMQ retries the job
      if (err instanceof WorkerDiedError) throw new Error(err.message);
      throw err;
    }
  }, { connection, concurrency: o.concurrency, lockDuration: lock, stalledInterval: lock / 2, maxStalledCount: 10 });
  let lastError = '';
  worker.on('error', (e) => {
    const line = `redis ${redactUrl(o.url)}: ${e.message}`;
    if (line !== lastError) o.log?.(line);
    lastError = line;
  });
  worker.on('failed', (job, e) => o.log?.(`job ${job?.id ?? '?'}: ${e.message}`));
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await worker.close(true);
      await pool.close();
    },
  };
}
