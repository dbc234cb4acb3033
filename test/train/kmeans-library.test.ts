// The library's kmeansRuns(table, config) (src/train/kmeans-run.ts), the work of `descent kmeans`: its runs equal the
// command's --json runs for the same settings; standardization and purity against computations done here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kmeansRuns, standardizeTable, clusterPurity } from '../../src/train/kmeans-run.js';
import { loadKMeansTable } from '../../src/node/datasets.js';
import { DescentError } from '../../src/errors.js';
import { runDescent } from '../helpers/cli.ts';

test('kmeansRuns on standardized iris gives the runs `descent kmeans --json` prints (objective, centers, sizes, purity)', () => {
  const table = loadKMeansTable('iris', undefined);
  const runs = kmeansRuns(table, { k: 3, methods: ['batch', 'minibatch'], seeds: 2, seed: 5, batchSize: 30, epochs: 4, standardize: true });
  const cli = runDescent(['kmeans', '--data', 'iris', '--k', '3', '--method', 'all', '--seeds', '2', '--seed', '5', '--batch', '30', '--epochs', '4', '--standardize', '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const want = (JSON.parse(cli.stdout) as { runs: Array<{ method: string; seed: number; objective: number; centers: number[]; clusterSizes: number[]; purity: number }> }).runs;
  assert.deepEqual(runs.map((r) => `${r.method} ${r.seed}`), ['batch 5', 'batch 6', 'minibatch 5', 'minibatch 6']);
  for (const r of runs) {
    const w = want.find((x) => x.method === r.method && x.seed === r.seed)!;
    assert.equal(r.objective, w.objective, `${r.method} seed ${r.seed}`);
    assert.deepEqual(Array.from(r.centers), w.centers);
    assert.deepEqual(Array.from(r.clusterSizes), w.clusterSizes);
    assert.equal(r.purity, w.purity);
  }
});

test('standardizeTable: mean 0 and population std 1 per column, a constant column 0; clusterPurity counts majority labels', () => {
  const x = Float64Array.from([1, 5, 2, 5, 3, 5, 6, 5]);
  const t = { x, n: 4, d: 2, columns: ['a', 'b'], source: 'mem' };
  standardizeTable(t);
  // column a: mean 3, population std sqrt((4 + 1 + 0 + 9) / 4) = sqrt(3.5)
  const sd = Math.sqrt(3.5);
  assert.deepEqual(Array.from(x).map((v) => Number(v.toFixed(12))), [-2 / sd, 0, -1 / sd, 0, 0, 0, 3 / sd, 0].map((v) => Number(v.toFixed(12))));
  // clusters {0, 1, 2} and {3, 4}: majorities 2 of 3 (label 7) and 2 of 2 (label 8) → 4 of 5
  assert.equal(clusterPurity(Int32Array.from([0, 0, 0, 1, 1]), Float64Array.from([7, 7, 9, 8, 8]), 2), 4 / 5);
});

test('kmeansRuns refuses k above the rows and runs over the memory limit before any run', () => {
  const table = { x: new Float64Array(20), n: 10, d: 2, columns: ['a', 'b'], source: 'mem' };
  assert.throws(() => kmeansRuns(table, { k: 11 }), (e: unknown) => e instanceof DescentError && e.kind === 'input' && /--k: expected at most the number of rows \(10\), got 11/.test(e.message));
  assert.throws(() => kmeansRuns(table, { k: 2, seeds: 1000, memoryLimit: { bytes: 1000, why: 'a test' } }), (e: unknown) => e instanceof DescentError && /--seeds 1000, --k 2: 3000 runs .*over the limit of 1000 bytes \(a test\)/.test(e.message));
});
