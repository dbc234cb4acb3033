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

/** `node bin/descent.js ...args` in `cwd` (default: the repository), synchronously. */
export function runDescent(args: string[], cwd = repo): CliResult {
  // maxBuffer: a --json path of thousands of iterates in 1000 dimensions runs to ~100 MB
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** |got − want| ≤ rel·|want|: the relative tolerance of the torch training fixtures. */
export const closeRel = (got: number, want: number, rel: number): boolean => Math.abs(got - want) <= rel * Math.abs(want);
