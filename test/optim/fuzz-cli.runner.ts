// Runs `descent optimize` argument lists through the CLI entry `main` (what bin/descent.js calls), many in one
// process, for the conformance fuzzers (test/fixtures/tools/fuzz_optimize.py, fuzz_minimize.py) and
// test/optim/fuzz-regression.test.ts. Run in a child process: it takes over stdout and stderr around each call.
//   node --import tsx test/optim/fuzz-cli.runner.ts CASES.json
// CASES.json: [{ "id": ..., "argv": [...], "spec"?: {...} }]; a case with a spec gets it written to a temporary
// file whose path replaces the argument "@SPEC". Prints one JSON array: [{ id, code, stdout, stderr }].
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../../src/cli/main.js';

interface Case { id: string; argv: string[]; spec?: unknown }

const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  process.stdout.write = ((t: string) => { stdout += t; return true; }) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => { stderr += t; return true; }) as typeof process.stderr.write;
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = undefined;
  }
}

const cases: Case[] = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'descent-fuzz-'));
const results = [];
try {
  for (const [k, c] of cases.entries()) {
    let argv = c.argv;
    if (c.spec !== undefined) {
      const file = join(dir, `spec-${k}.json`);
      writeFileSync(file, JSON.stringify(c.spec));
      argv = argv.map((a) => (a === '@SPEC' ? file : a));
    }
    results.push({ id: c.id, ...(await run(argv)) });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
write.out(JSON.stringify(results) + '\n');
