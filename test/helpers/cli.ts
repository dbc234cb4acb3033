// Running the built CLI from tests: one spawn helper, so every CLI test drives bin/descent.js the same way.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const repo = join(import.meta.dirname, '..', '..');
export const bin = join(repo, 'bin', 'descent.js');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** `node bin/descent.js ...args`, synchronously, in `cwd` (default: the repository); `timeout` in ms (default: none). */
export function runDescent(args: string[], options: { cwd?: string; timeout?: number; env?: Record<string, string> } = {}): CliResult {
  // maxBuffer: a --json path of thousands of iterates in 1000 dimensions runs to ~100 MB
  const env = options.env ? { ...process.env, ...options.env } : undefined;
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? repo, env, encoding: 'utf8', maxBuffer: 1 << 30, timeout: options.timeout });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** |got − want| ≤ rel·|want|: the relative tolerance of the torch training fixtures. */
export const closeRel = (got: number, want: number, rel: number): boolean => Math.abs(got - want) <= rel * Math.abs(want);

/** The per-epoch record the torch training fixtures hold in expected.json (train-rules, train-fuzz, train-lbfgs-torch). */
export interface TrainFixtureExpected {
  trainLoss: number[];
  lr: number[];
  valLoss?: number[];
  valAccuracy?: number[];
  epochs: number;
  /** The `descent train` arguments that reproduce the run (OUT stands for the save path). */
  args: string[];
}
