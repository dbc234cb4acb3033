/**
 * Runs one validated run spec in this process, exactly as the solo command would: kind "optimize" through
 * `descent optimize --spec`'s runOptimize, kind "train" through `descent train --json` itself (its output
 * lines captured), so a sweep's result is byte for byte the solo command's --json output.
 * NOTE: train goes through the command until the library `train(config)` lands (issue 15); the capture is
 * confined to this function, which runs in a worker process of its own.
 */
import { runOptimize, checkSpec, type OptimizeResult } from '../../search/optimize-run.js';
import { DescentError } from '../../errors.js';
import type { SweepKind } from '../spec.js';
import { trainArgs, validateRunSpec } from './validate-run.js';

/** What one run gave: the command's --json result (text), per-epoch metrics, or the error it stopped with. */
export interface RunOutcome {
  ok: boolean;
  /** Exactly the solo command's --json output: the optimize object, or train's final {"done": true, ...} line. */
  result?: string;
  /** Per epoch (train: each epoch's JSON line, parsed) or per step (optimize: f after each step, f(x0) first). */
  metrics: unknown[];
  /** The one-line error (`descent: error:` left off) of a run that failed: diverged, bad input. */
  error?: string;
  /** Exit status the solo command would give: 0, 1 (failed while running) or 2 (bad input). */
  exitCode: number;
  seconds: number;
  /**
   * The failure was the machinery's, not the run's (its process died, a worker refused the job): the run is
   * recorded as failed, and the next call of the same sweep runs it again.
   */
  retryable?: boolean;
}

function optimizeRun(spec: Record<string, unknown>): Pick<RunOutcome, 'result' | 'metrics'> {
  const r = runOptimize(checkSpec(spec, 'spec'));
  // the object `descent optimize --json` prints, built in its order
  const out: OptimizeResult = { path: r.path, values: r.values, evaluations: r.evaluations, converged: r.converged };
  if (r.reason !== undefined) out.reason = r.reason;
  return { result: JSON.stringify(out), metrics: r.values };
}

let mainModule: typeof import('../../cli/main.js') | undefined;

async function trainRun(spec: Record<string, unknown>): Promise<RunOutcome> {
  mainModule ??= await import('../../cli/main.js');
  const lines: string[] = [];
  let errText = '';
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  let pending = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      lines.push(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    errText += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  const before = process.exitCode;
  let code: number;
  try {
    code = await mainModule.main(['train', ...trainArgs(spec), '--json']);
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    process.exitCode = before;
  }
  const metrics: unknown[] = [];
  let result: string | undefined;
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    if (o.done === true) result = line;
    else metrics.push(o);
  }
  const error = errText.split('\n').find((l) => l.startsWith('descent: error: '))?.slice('descent: error: '.length);
  if (code === 0 && result !== undefined) return { ok: true, result, metrics, exitCode: 0, seconds: 0 };
  return { ok: false, metrics, error: error ?? `train stopped with exit status ${code} and no result`, exitCode: code || 1, seconds: 0 };
}

/** Validates, then runs; a failure of the run (divergence, bad input) is an outcome, not a throw. */
export async function executeRun(kind: SweepKind, spec: Record<string, unknown>): Promise<RunOutcome> {
  const t0 = performance.now();
  let out: RunOutcome;
  try {
    validateRunSpec(kind, spec);
    if (kind === 'optimize') out = { ok: true, ...optimizeRun(spec), exitCode: 0, seconds: 0 };
    else out = await trainRun(spec);
  } catch (err) {
    if (!(err instanceof DescentError)) throw err;
    out = { ok: false, metrics: [], error: err.message, exitCode: err.kind === 'input' ? 2 : 1, seconds: 0 };
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}
