// End-to-end `descent kmeans` (needs `npm run build` first, as every CLI test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDescent } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const digits = join(root, 'test/fixtures/data/digits.csv');
const descent = (...args: string[]) => runDescent(args);

test('descent kmeans --json: three methods × seeds, histories, plot written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-'));
  const plot = join(dir, 'k.svg');
  const r = descent('kmeans', '--data', digits, '--k', '10', '--seeds', '2', '--epochs', '3', '--plot', plot, '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { n: number; d: number; runs: { method: string; seed: number; objective: number; examplesSeen: number; history: { objective: number; examplesSeen: number }[]; centers: number[] }[] };
  assert.equal(out.n, 1797);
  assert.equal(out.d, 64); // the label column is left out
  assert.deepEqual(out.runs.map((x) => `${x.method}:${x.seed}`), ['batch:0', 'batch:1', 'online:0', 'online:1', 'minibatch:0', 'minibatch:1']);
  for (const run of out.runs) {
    assert.equal(run.centers.length, 640);
    assert.equal(run.history[0].examplesSeen, 0);
    // all three land in the same basin on digits: J between 600 and 760 (sklearn's inertia/n for k=10 is ~640-700)
    assert.ok(run.objective > 600 && run.objective < 760, `${run.method}: J = ${run.objective}`);
    if (run.method !== 'batch') assert.equal(run.examplesSeen, 3 * 1797);
  }
  const svg = readFileSync(plot, 'utf8');
  assert.match(svg, /^<svg/);
  assert.equal((svg.match(/<path /g) ?? []).length, 12); // 6 runs × 2 panels
  assert.match(svg, /examples seen/);
});

test('descent kmeans: bad input exits 2 with one line naming the flag, row or column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-'));
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'a,b\n1,2\n3,x\n');
  const cases: [string[], RegExp][] = [
    [['kmeans', '--data', bad, '--k', '2'], /row 2 \(line 3\), column 'b': expected a number, got 'x'/],
    [['kmeans', '--data', digits, '--k', 'abc'], /--k: expected an integer >= 1, got 'abc'/],
    [['kmeans', '--data', digits, '--k', '3', '--method', 'sgd'], /--method: expected one of batch, online, minibatch, all/],
    [['kmeans', '--data', join(dir, 'missing.csv'), '--k', '3'], /^descent: error: --data: cannot read '.*missing\.csv' \(no such file\); expected a CSV file with a header row or a built-in name$/m],
    [['kmeans', '--data', digits, '--k', '3', '--plot', join(dir, 'x.jpg')], /--plot: expected a file name ending in .svg or .png, got '.*x\.jpg'/],
  ];
  for (const [args, re] of cases) {
    const r = descent(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^descent: error: /);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  assert.equal(existsSync(join(dir, 'x.jpg')), false);
});
