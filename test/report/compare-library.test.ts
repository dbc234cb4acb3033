// The library's compare(config, hooks) (src/report/compare.ts), with an in-memory file map as a browser would give
// it: the Beale races against torch.optim's reach and divergence steps (test/fixtures/compare/beale-headline.json,
// from test/fixtures/tools/compare_beale.py), and in-process training runs against `descent train --json` for the
// same settings (the command compare used to spawn).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare, compareSummaryJson, compareText, type CompareProgress } from '../../src/report/compare.js';
import type { RunFiles } from '../../src/train/train.js';
import { loadDataset } from '../../src/node/datasets.js';
import { DescentError } from '../../src/errors.js';
import { startNodeFastPath } from '../../src/tensor/backend-node.js';
import { runDescent } from '../helpers/cli.ts';

// the fast path descent train takes (wasm kernels, relaxed SIMD, threads), as the package's Node entry starts it
startNodeFastPath();

const fixture = JSON.parse(readFileSync(new URL('../fixtures/compare/beale-headline.json', import.meta.url), 'utf8')) as {
  steps: number; results: { x0: number[]; label: string; reachedAt: number | null; divergedAt: number | null }[];
};
const OPTS = [
  'gd=sgd:lr=0.0001', 'momentum=sgd:lr=0.0001,momentum=0.9', 'nesterov=sgd:lr=0.0001,momentum=0.9,nesterov=true',
  'adagrad=adagrad:lr=1', 'rmsprop=rmsprop:lr=0.001', 'rmsprop+momentum=rmsprop:lr=0.0001,momentum=0.9', 'adam=adam:lr=0.1',
];

/** Files kept in a Map: what a browser page would pass (no Node file system). */
function memoryFiles(): RunFiles & { files: Map<string, string | Uint8Array>; dirs: string[] } {
  const files = new Map<string, string | Uint8Array>();
  const dirs: string[] = [];
  return { files, dirs, write: (p, d) => void files.set(p, d), mkdir: (p) => void dirs.push(p), join: (a, b) => `${a}/${b}` };
}

test('compare() on Beale: every optimizer reaches (3, 0.5) or diverges at torch.optim\'s step; figures, report and summary go through hooks.files', async () => {
  const io = memoryFiles();
  const r = await compare({ name: 'beale', function: 'beale', x0: [[2, -2], [-3, 3]], steps: fixture.steps, optimizers: OPTS, out: 'mem' }, { files: io });
  assert.equal(r.functions.length, 2);
  for (const ref of fixture.results) {
    const sec = r.functions.find((s) => s.x0.join() === ref.x0.join())!;
    const got = sec.results.find((x) => x.label === ref.label)!;
    assert.equal(got.reachedAt, ref.reachedAt, `${ref.label} from ${ref.x0}`);
    assert.equal(got.divergedAt, ref.divergedAt, `${ref.label} from ${ref.x0}`);
  }
  // no png hook: SVG only; the written list is the summary's
  assert.deepEqual([...io.files.keys()].sort(), [...r.summary.files, 'mem/summary.json', 'mem/report.html'].sort());
  assert.deepEqual([...r.summary.files].sort(), ['mem/beale-from--3_3-values.svg', 'mem/beale-from--3_3.svg', 'mem/beale-from-2_-2-values.svg', 'mem/beale-from-2_-2.svg']);
  assert.equal(io.files.get('mem/summary.json'), compareSummaryJson(r.summary, 2) + '\n');
  assert.match(String(io.files.get('mem/report.html')), /^<!doctype html>/i);
  const text = compareText(r);
  assert.match(text, /^beale from \(2, -2\), \d+ steps:\n/);
  assert.match(text, /nesterov: diverged at step 21\n/);
  assert.match(text, /report: mem\/report.html\n$/);
});

test('compare() training: in-process runs give the curves `descent train --json` prints for the same settings; the bar counts every unit', async () => {
  const data = loadDataset('iris', { val: 0.2 });
  const io = memoryFiles();
  const seen: number[] = [];
  let total = 0, done = 0;
  const progress: CompareProgress = { start: (t) => { total = t; }, update: () => {}, increment: (u = 1) => { done += u; }, setTotal: (t) => { total = t; } };
  const r = await compare({
    name: 'iris', out: 'mem',
    training: { data, model: 'mlp:8', epochs: 4, seeds: 2, batch: 16, targetLoss: 0.9, val: 0.2, optimizers: ['adam:lr=0.01', { label: 'sgdm', name: 'sgd', options: { lr: 0.05, momentum: 0.9 } }] },
  }, { files: io, progress, compute: () => { seen.push(1); return { run: seen.length }; } });
  // 2 optimizers × 2 seeds × 4 epochs + 4 training figures
  assert.deepEqual([done, total], [20, 20]);
  assert.equal(seen.length, 4, 'compute read after each run');
  const t = r.summary.training as { results: Array<{ label: string; trainLoss: number[][]; compute: unknown; stepsToTarget: Array<number | null> }> };
  assert.deepEqual(t.results.map((x) => x.label), ['adam:lr=0.01', 'sgdm']);
  assert.deepEqual(t.results[1].compute, { run: 4 }, "the last seed's compute");
  for (const [k, args] of [[0, ['--opt', 'adam', '--lr', '0.01']], [1, ['--opt', 'sgd', '--lr', '0.05', '--momentum', '0.9']]] as const) {
    for (const seed of [1, 2]) {
      const cli = runDescent(['train', '--data', 'iris', '--model', 'mlp:8', '--epochs', '4', '--batch', '16', '--val', '0.2', '--seed', String(seed), ...args, '--json']);
      assert.equal(cli.status, 0, cli.stderr);
      const lines = cli.stdout.trim().split('\n').map((l) => JSON.parse(l) as { done?: boolean; trainLoss: number; valAccuracy: number });
      const epochs = lines.filter((o) => !o.done);
      assert.deepEqual(t.results[k].trainLoss[seed - 1], epochs.map((o) => o.trainLoss), `run ${k} seed ${seed}`);
      assert.deepEqual(r.training!.runs[k].valAccuracy[seed - 1], epochs.map((o) => o.valAccuracy), `run ${k} seed ${seed}`);
    }
  }
  // steps to target: the first epoch below 0.9, times ceil(120 / 16) = 8 steps per epoch
  for (const x of t.results) {
    x.trainLoss.forEach((row, s) => {
      const e = row.findIndex((v) => v < 0.9);
      assert.equal(x.stepsToTarget[s], e < 0 ? null : (e + 1) * 8);
    });
  }
  assert.equal(r.summary.files.filter((f) => f.startsWith('mem/training-')).length, 4);
});

test('compare() checks every setting before it runs or writes: a search method in training, a start of the wrong length, the curves\' budget', async () => {
  const data = loadDataset('iris', { val: 0.2 });
  const training = { data, model: 'mlp:8', epochs: 2, seeds: 1, batch: 16 as const, targetLoss: 0.5 };
  const cases: Array<[Parameters<typeof compare>[0], RegExp]> = [
    [{ name: 'x', out: 'mem', training: { ...training, optimizers: ['bfgs'] } }, /'bfgs' races on a test function only/],
    [{ name: 'x', out: 'mem', function: 'beale', x0: [[1, 2], [1, 2, 3]], optimizers: ['adam'] }, /--x0: expected 2 numbers for beale, got 3/],
    [{ name: 'x', out: 'mem', function: 'beale', optimizers: ['adam'] }, /--x0: give a start point/],
    [{ name: 'x', out: 'mem', training: { ...training, seeds: 1000, optimizers: ['adam'] }, curvesLimit: { bytes: 10_000, why: 'a test' } }, /--seeds 1000: .*expected --seeds 2 or fewer$/],
    [{ name: 'x', out: 'mem', training: { ...training, optimizers: ['sgd:lr=1e6'] } }, /^training \(descent train --data iris .*--opt sgd --json --lr 1000000\): diverged/],
  ];
  for (const [config, re] of cases) {
    const io = memoryFiles();
    await assert.rejects(compare(config, { files: io }), (e: unknown) => e instanceof DescentError && re.test(e.message));
    assert.equal(io.files.size, 0, 'nothing written');
  }
});

test('compare() with a landscape: seed 1\'s grids are the ones `descent train --landscape FILE.json` writes for the same run', async () => {
  const data = loadDataset('iris', { val: 0.2 });
  const io = memoryFiles();
  const r = await compare({
    name: 'iris', out: 'mem',
    training: { data, model: 'mlp:8', epochs: 3, seeds: 2, batch: 16, targetLoss: 0.5, val: 0.2, optimizers: ['adam:lr=0.01'], landscape: { grid: 5 } },
  }, { files: io });
  const json = io.files.get('mem/landscape-adam_lr_0.01.json');
  assert.equal(typeof json, 'string', 'one landscape, of seed 1');
  assert.equal([...io.files.keys()].filter((f) => f.includes('landscape-')).length, 3, 'its JSON, the random slice and the PCA plane');
  assert.ok(r.summary.files.includes('mem/landscape-adam_lr_0.01-pca.svg'));
  const dir = mkdtempSync(join(tmpdir(), 'descent-compare-landscape-'));
  try {
    const file = join(dir, 'l.json');
    const cli = runDescent(['train', '--data', 'iris', '--model', 'mlp:8', '--epochs', '3', '--batch', '16', '--val', '0.2', '--seed', '1', '--opt', 'adam', '--lr', '0.01', '--landscape', file, '--landscape-grid', '5', '--json']);
    assert.equal(cli.status, 0, cli.stderr);
    const strip = (o: Record<string, unknown>) => { const { seconds: _s, ...rest } = o; void _s; return rest; };
    assert.deepEqual(strip(JSON.parse(json as string)), strip(JSON.parse(readFileSync(file, 'utf8'))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
