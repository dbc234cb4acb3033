/**
 * `descent worker --queue redis://HOST:PORT [--concurrency N]`: serves a sweep queue (src/sweep/node/queue.ts)
 * until SIGINT/SIGTERM; each run in a worker process of its own, each job checked against the run schema.
 */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { inputError } from '../../errors.js';
import { connectionOf, redactUrl, serve } from '../../sweep/node/index.js';

async function action(o: { queue?: string; concurrency?: string; stallSeconds?: string; allowData?: string }): Promise<void> {
  if (o.queue === undefined) throw inputError('--queue: required; redis://HOST:PORT of the sweep coordinator\'s Redis');
  connectionOf(o.queue);
  let concurrency = availableParallelism();
  if (o.concurrency !== undefined) {
    concurrency = Number(o.concurrency);
    if (!/^\d+$/.test(o.concurrency.trim()) || concurrency < 1 || concurrency > 1024) throw inputError(`--concurrency: expected an integer from 1 to 1024, got '${o.concurrency}'`);
  }
  let lockSeconds = 10;
  if (o.stallSeconds !== undefined) {
    lockSeconds = Number(o.stallSeconds);
    if (o.stallSeconds.trim() === '' || !(lockSeconds >= 1 && lockSeconds <= 3600)) throw inputError(`--stall-seconds: expected a number from 1 to 3600, got '${o.stallSeconds}'`);
  }
  const log = (line: string) => process.stderr.write(`descent worker: ${line}\n`);
  const w = await serve({ url: o.queue, concurrency, lockSeconds, allowData: o.allowData, log });
  log(`serving ${redactUrl(o.queue)} with ${concurrency} process${concurrency > 1 ? 'es' : ''}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      w.close().finally(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('serve a sweep queue: take BullMQ jobs (descent run specs only) from redis://HOST:PORT and run them')
    .option('--queue <url>', 'redis://[:PASSWORD@]HOST:PORT of the sweep queue')
    .option('--concurrency <n>', 'runs at a time, each in its own process (default: the number of cores)')
    .option('--allow-data <dir>', 'train jobs may name CSV files inside DIR (default: built-in datasets only)')
    .option('--stall-seconds <s>', 'how long a job\'s lock lasts unrenewed: a worker that dies or loses its network has its run taken by another after about this long (default 10)')
    .action(action);
}
