// Keeps the README true: its quick start is the two commands package.json runs, every flag of every
// CLI example is one the command accepts, every package export resolves, and the library tour runs
// and prints what closed forms say it must.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bin = join(root, 'bin/descent.js');

/** The fenced ```sh blocks under a heading. */
function shBlocks(heading: string): string[] {
  const at = readme.indexOf(`## ${heading}`);
  assert.ok(at >= 0, `README has a '## ${heading}' section`);
  const end = readme.indexOf('\n## ', at + 3);
  const section = readme.slice(at, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const commandLines = (block: string): string[] =>
  block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '' && !l.startsWith('#'));

test('quick start: exactly two commands, npm ci && npm start and npm ci && npm test, both real scripts', () => {
  const lines = shBlocks('Quick start').flatMap(commandLines);
  assert.deepEqual(lines, ['npm ci && npm start', 'npm ci && npm test']);
  assert.match(pkg.scripts.start, /^node bin\/descent\.js /);
  assert.equal(pkg.scripts.test, 'node scripts/run-tests.mjs');
  assert.equal(pkg.scripts.prepare, 'npm run build');
});

test('every descent command in the README names a real command and only flags it accepts', () => {
  const lines = shBlocks('The command line').flatMap(commandLines).filter((l) => l.startsWith('descent '));
  assert.ok(lines.length >= 15, `expected the CLI examples, found ${lines.length}`);
  const helpOf = new Map<string, string>();
  for (const line of lines) {
    const [, cmd, ...rest] = line.split(/\s+/);
    if (!helpOf.has(cmd)) helpOf.set(cmd, execFileSync(process.execPath, [bin, cmd, '--help'], { encoding: 'utf8' }));
    const help = helpOf.get(cmd)!;
    for (const flag of rest.filter((w) => w.startsWith('--'))) {
      assert.ok(new RegExp(`(^|[\\s,])${flag}([\\s,=<\\[]|$)`, 'm').test(help), `README: '${line}': descent ${cmd} has no flag ${flag}`);
    }
  }
});

test('every subpath export of package.json resolves to a built module with named exports', async () => {
  for (const [sub, target] of Object.entries(pkg.exports as Record<string, { default: string; types: string }>)) {
    const file = join(root, target.default);
    assert.ok(existsSync(file), `${sub}: ${target.default} is built`);
    assert.ok(existsSync(join(root, target.types)), `${sub}: ${target.types} is built`);
    const mod = await import(file);
    assert.ok(Object.keys(mod).length > 0, `${sub} exports something`);
  }
});

test('the library tour (examples/library.ts) runs and lands where closed forms say', () => {
  const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
  const out = execFileSync(process.execPath, [tsx, join(root, 'examples/library.ts')], { encoding: 'utf8' });
  // BFGS on Rosenbrock: the minimum is (1, 1) with f = 0
  const bfgs = /bfgs: f = (\S+) at \((\S+), (\S+)\) .* stopped by (\w+)/.exec(out);
  assert.ok(bfgs, out);
  assert.ok(Number(bfgs[1]) < 1e-12);
  assert.ok(Math.abs(Number(bfgs[2]) - 1) < 1e-6 && Math.abs(Number(bfgs[3]) - 1) < 1e-6);
  assert.equal(bfgs[4], 'gtol');
  // Newton with the autodiff Hessian on x² + 10(y − sin x)²: the minimum is (0, 0)
  const newton = /newton: at \((\S+), (\S+)\) after (\d+) iterations, (\d+) Hessians, stopped by (\w+)/.exec(out);
  assert.ok(newton, out);
  assert.ok(Math.abs(Number(newton[1])) < 1e-9 && Math.abs(Number(newton[2])) < 1e-9, newton[0]);
  assert.ok(Number(newton[4]) >= Number(newton[3]) && newton[5] === 'gtol', newton[0]);
  // Adam from (-1.5, 2) moves toward (1, 1) along the valley y ≈ x²
  const adam = /adam: rosenbrock after 2000 steps at \((\S+), (\S+)\)/.exec(out);
  assert.ok(adam, out);
  const [ax, ay] = [Number(adam[1]), Number(adam[2])];
  assert.ok(ax > 0.5 && ax < 1.01 && Math.abs(ay - ax * ax) < 0.05, `adam at (${ax}, ${ay})`);
  // softmax regression on 8×8 digits, standardized by loadDataset: chance is 10%; a linear model holds out well above 85%
  const acc = /held-out accuracy (\S+) \((.*)\); safetensors (\d+) bytes/.exec(out);
  assert.ok(acc, out);
  assert.ok(Number(acc[1]) > 0.85, `held-out accuracy ${acc[1]}`);
  assert.equal(acc[2], 'standardized (mean/std of the training rows)');
  // the same run through the CLI (its own flag parsing, data loading and seeds: model Rng(0), shuffles Rng(1)) lands on the same figures
  const soft = /softmax: epoch 10 trainLoss (\S+) valAccuracy (\S+)/.exec(out);
  assert.ok(soft, out);
  const cli = execFileSync(process.execPath, [join(root, 'bin', 'descent.js'), 'train', '--data', 'digits', '--model', 'softmax', '--opt', 'sgd', '--lr', '0.1',
    '--momentum', '0.9', '--nesterov', 'true', '--schedule', 'cosine:tMax=10', '--l2', '1e-4', '--batch', '32', '--epochs', '10', '--seed', '0', '--json'], { encoding: 'utf8' });
  const done = JSON.parse(cli.trim().split('\n').pop()!) as { trainLoss: number; valAccuracy: number };
  assert.equal(soft[1], done.trainLoss.toFixed(6));
  assert.equal(soft[2], done.valAccuracy.toFixed(4));
  assert.equal(acc[1], done.valAccuracy.toFixed(4));
  // 64·10 + 10 float32 values plus an 8-byte length and the JSON header
  assert.ok(Number(acc[3]) > (64 * 10 + 10) * 4 + 8);
  // L2 logistic regression on breast cancer in float64: scikit-learn's optimum (C = 1, test/fixtures/sklearn-optimum)
  const lr = /logistic \(C = 1\): train loss (\S+), accuracy (\S+), (\d+) evaluations, stopped by (\w+)/.exec(out);
  assert.ok(lr, out);
  const sk = (JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'sklearn-optimum', 'cases.json'), 'utf8')) as { cases: { data: string; meanLoss: number; accuracy: number }[] }).cases.find((c) => c.data === 'breast-cancer')!;
  assert.ok(Math.abs(Number(lr[1]) - sk.meanLoss) < 1e-10, `loss ${lr[1]}, sklearn ${sk.meanLoss}`);
  assert.equal(lr[2], sk.accuracy.toFixed(4));
  assert.equal(lr[4], 'gtol');
  // the README's library section quotes these figures: they are the ones the tour prints
  const tour = librarySection();
  assert.match(tour, new RegExp(`evaluate\\(model, 'ce', val!\\);.*// \\{loss, accuracy\\}: ${acc[1].replace('.', '\\.')} held out`));
  assert.match(tour, new RegExp(`// loss ${lr[1].slice(0, 12).replace('.', '\\.')}, accuracy ${lr[2].replace('.', '\\.')}: sklearn's`));
});

/** The README's library code block. */
function librarySection(): string {
  const at = readme.indexOf('## The library');
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(m, 'README has a ts block in The library');
  return m[1];
}

test('the README\'s library code is examples/library.ts: every statement of the block appears in the tour the test above runs', () => {
  const tour = readFileSync(join(root, 'examples', 'library.ts'), 'utf8');
  // code without comments and whitespace; imports from 'descent' are the tour's '../src/index.js'
  const code = (line: string) => line.replace(/\s*\/\/.*$/, '').replace(/\s+/g, ' ').trim();
  const tourLines = new Set(tour.split('\n').map(code).map((l) => l.replace("'../src/index.js'", "'descent'").replace("'../src/node/index.js'", "'descent/node'")));
  const missing = librarySection().split('\n').map(code).filter((l) => l !== '' && !tourLines.has(l) && !tourLines.has(l.replace(/;$/, '').replace(/^(const \{[^}]*\} = )?/, '')));
  // a README line may drop what the tour keeps for printing (const { metrics } = ...; evaluate(...) unassigned)
  const allowed = (l: string) => /^evaluate\(/.test(l) || /^const \{ metrics \} = trainer\.endEpoch\(\);$/.test(l);
  assert.deepEqual(missing.filter((l) => !allowed(l)), []);
});
