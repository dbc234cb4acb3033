// Run by test/properties/parsers.property.test.ts in a child process: property tests of CLI argument
// lists through the library-level entry `main` (stdout silenced around each call, stderr captured).
// Prints one line per property and exits 0, or prints the counterexample and exits 1.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { main } from '../../src/cli/main.js';

const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

/** Runs main(args) with stdout silenced; returns the exit code and what went to stderr. */
async function run(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => { err += t; return true; }) as typeof process.stderr.write;
  try {
    return { code: await main(args), err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = undefined;
  }
}

/** Exit 0, 1 or 2; a failure is one `descent: error:` line (notes aside) and never an internal error. */
function check(args: string[], code: number, err: string): void {
  assert.ok(code === 0 || code === 1 || code === 2, `${args.join(' ')}: exit ${code}`);
  if (code === 0) return;
  const lines = err.split('\n').filter((l) => !l.startsWith('descent: note:')).join('\n');
  assert.match(lines, /^descent: error: [^\n]+\n$/, `${args.join(' ')}: stderr ${JSON.stringify(err)}`);
  assert.doesNotMatch(err, /internal error/, args.join(' '));
}

async function optimizeArgv(): Promise<void> {
  const flag = fc.constantFrom('--fn', '--x0', '--opt', '--lr', '--steps', '--momentum', '--betas', '--nesterov', '--schedule', '--json', '--spec', '--bogus', '--eps', '--weight-decay', '-x', '--');
  const value = fc.constantFrom('rosenbrock', 'beale', 'adam', 'sgd', 'lbfgs', '0.01', '-1', '1,2', '0.9,0.999', 'x', '', '1e400', 'NaN', '5', 'step:stepSize=2,gamma=0.5', 'true', 'false', '/nonexistent.json');
  const argv = fc.array(fc.oneof(flag, value), { maxLength: 9 }).map((a) => ['optimize', ...a]);
  await fc.assert(
    fc.asyncProperty(argv, async (args) => {
      // a large valid --steps is a long run, not a parse failure: keep the runs short
      const i = args.indexOf('--steps');
      if (i >= 0 && args[i + 1] === '1e400') args[i + 1] = '5';
      const { code, err } = await run(args);
      check(args, code, err);
    }),
    { numRuns: 300, seed: 808 },
  );
  write.out('optimize argv: 300 runs passed\n');
}

async function trainArgv(): Promise<void> {
  const flag = fc.constantFrom('--model', '--epochs', '--batch', '--lr', '--opt', '--val', '--loss', '--activation', '--dropout', '--l1', '--l2', '--schedule', '--clip-norm', '--clip-value', '--early-stopping', '--standardize', '--target', '--seed', '--momentum', '--betas', '--freeze', '--no-shuffle', '--schedule-every', '--json', '--bogus');
  const value = fc.constantFrom('linear', 'softmax', 'logistic', 'mlp:4', 'mlp:0', '1', '2', '0', '-1', 'x', 'full', '0.1', '0.5', '1e400', 'adam', 'sgd', 'lbfgs', 'rprop', 'ce', 'mse', 'bce', 'hinge', 'relu', 'tanh', 'step:stepSize=1,gamma=0.5', 'plateau:patience=1', 'batch', 'true', 'false', '0.9,0.999', '0,1', 'species', '');
  const argv = fc.array(fc.oneof(flag, value), { maxLength: 10 }).map((a) => ['train', '--data', 'iris', ...a]);
  await fc.assert(
    fc.asyncProperty(argv, async (args) => {
      // keep runs short: a valid epoch count becomes 1 (a long run is not a parse failure)
      for (let i = 0; i < args.length; i++) if (args[i] === '--epochs' && !['1', '2', '0', '-1', 'x', ''].includes(args[i + 1] ?? '')) args[i + 1] = '1';
      if (!args.includes('--epochs')) args.push('--epochs', '1');
      const { code, err } = await run(args);
      check(args, code, err);
    }),
    { numRuns: 200, seed: 810 },
  );
  write.out('train argv: 200 runs passed\n');
}

try {
  await optimizeArgv();
  await trainArgv();
} catch (e) {
  write.err(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
