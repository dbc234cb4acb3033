/**
 * `descent sweep --spec SWEEP.json --out DIR [--workers N] [--queue redis://HOST:PORT] [--json] [--dry-run]`:
 * flags → the library's sweep() (src/sweep/node) → one line per finished run (--json) or a progress bar and a summary.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { DescentError, inputError } from '../../errors.js';
import { checkOutputDir } from '../output-paths.js';
import { planSweep, redactUrl, runLineJson, sweep, connectionOf } from '../../sweep/node/index.js';

interface Opts { spec?: string; out?: string; workers?: string; queue?: string; json?: boolean; dryRun?: boolean }

/** Reads SWEEP.json; its errors name the file. */
function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw inputError(`--spec: cannot read '${file}'; expected a sweep spec JSON file`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw inputError(`--spec ${file}: not valid JSON (${(err as Error).message})`);
  }
}

function inFile<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof DescentError && err.kind === 'input') throw inputError(`--spec ${file}: ${err.message}`);
    throw err;
  }
}

async function action(o: Opts): Promise<void> {
  if (o.spec === undefined) throw inputError('--spec: required; a sweep spec JSON file (docs/sweeps.md)');
  const raw = readJson(o.spec);
  if (o.queue !== undefined) connectionOf(o.queue);
  let workers = availableParallelism();
  if (o.workers !== undefined) {
    workers = Number(o.workers);
    if (!/^\d+$/.test(o.workers.trim()) || workers < 1 || workers > 1024) throw inputError(`--workers: expected an integer from 1 to 1024, got '${o.workers}'`);
    if (o.queue !== undefined) throw inputError('--workers: runs locally; with --queue the runs go to `descent worker` processes (their --concurrency)');
  }
  const { runs } = inFile(o.spec, () => planSweep(raw, o.queue !== undefined));
  if (o.dryRun) {
    process.stdout.write(o.json ? `${JSON.stringify({ dryRun: true, runs: runs.length })}\n` : `${runs.length} runs\n`);
    return;
  }
  if (o.out === undefined) throw inputError('--out: required; the sweep folder (runs.sqlite, report.html, figures)');
  checkOutputDir('--out', o.out);
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: 'runs |{bar}| {value}/{total} | {percentage}% | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true, etaBuffer: 20, fps: 5 }, cliProgress.Presets.shades_classic)
    : undefined;
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.on('SIGINT', onSigint);
  const command = ['descent', 'sweep', '--spec', o.spec, '--out', o.out, ...(o.queue ? ['--queue', redactUrl(o.queue)] : []), ...(o.workers ? ['--workers', o.workers] : [])].join(' ');
  let started = false;
  try {
    const s = await sweep({
      spec: raw, out: o.out, workers, queue: o.queue, command, signal: ac.signal,
      onRun: (line) => { if (o.json) process.stdout.write(runLineJson(line) + '\n'); },
      onProgress: (done, total) => {
        if (!bar) return;
        if (!started) bar.start(total, done);
        else bar.update(done);
        started = true;
      },
      onNote: (line) => process.stderr.write(`descent: note: ${line}\n`),
    });
    bar?.stop();
    if (s.interrupted) {
      process.stderr.write(`descent: interrupted; ${s.skipped + s.ran} of ${s.runs} runs finished and kept in ${o.out}/runs.sqlite (the same command continues)\n`);
      process.exitCode = 130;
      return;
    }
    if (o.json) process.stdout.write(`${JSON.stringify({ done: true, runs: s.runs })}\n`);
    else {
      process.stdout.write(`${s.runs} runs: ${s.ran} run now, ${s.skipped} already finished (skipped), ${s.failed} failed\n`);
      for (const b of s.report?.best ?? []) process.stdout.write(`  best ${b.optimizer}: ${b.label}${b.lr !== undefined ? ` lr=${b.lr}` : ''}: ${b.mean.toPrecision(6)} ± ${b.std.toPrecision(3)}\n`);
      process.stdout.write(`  report: ${s.reportFile}\n`);
    }
  } finally {
    bar?.stop();
    process.removeListener('SIGINT', onSigint);
  }
}

export function register(program: Command): void {
  program
    .command('sweep')
    .description('run a grid of optimize or train runs (docs/sweeps.md): a local pool of worker processes, or BullMQ workers with --queue; results in DIR/runs.sqlite, a report in DIR')
    .option('--spec <file>', 'SWEEP.json: {kind, base, optimizers: [{name, HYPERPARAMETER: [alternatives] | {log: [lo, hi], num}}], schedules?, seeds?, batches?}')
    .option('--out <dir>', 'the sweep folder: runs.sqlite, report.html, lr-sensitivity.svg/.png, best-curves.svg/.png; rerunning skips finished runs')
    .option('--workers <n>', 'local worker processes (default: the number of cores)')
    .option('--queue <url>', 'redis://HOST:PORT: enqueue the runs as BullMQ jobs for `descent worker` processes')
    .option('--json', 'one line per finished run, {"run": i, "spec": S, "result": R}, then {"done": true, "runs": n}')
    .option('--dry-run', 'print the number of runs and stop')
    .action(action);
}
