import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildModel } from '../../src/nn/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { bagging, bootstrapRows, ensembleReport, snapshotEnsemble, snapshotLr } from '../../src/train/ensemble.js';
import type { ClassData } from '../../src/train/ensemble-fit.js';

// digits (pixels / 16): the first 300 rows train (a small set, where members vary), the last 360 are held out
const rows = readFileSync(new URL('../fixtures/data/digits.csv', import.meta.url), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
function slice(a: number, b: number): ClassData {
  const n = b - a, d = 64;
  const x = new Float32Array(n * d), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) x[i * d + t] = rows[a + i][t] / 16;
    y[i] = rows[a + i][d];
  }
  return { x, y, n, d };
}
const train = slice(0, 300), heldOut = slice(1437, 1797);
const mlp = (seed: number) => (i: number) => buildModel({ kind: 'mlp', hidden: [32], inFeatures: 64, outFeatures: 10, rng: new Rng(100 * seed + i) });

test('snapshot lr: Huang et al. eq. (2), closed-form points', () => {
  // T = 100 steps, M = 4 cycles of 25: lr0 at each restart, lr0/2 halfway, near 0 at a cycle's end
  assert.equal(snapshotLr(1, 0.2, 100, 4), 0.2);
  assert.equal(snapshotLr(26, 0.2, 100, 4), 0.2);
  assert.ok(Math.abs(snapshotLr(13.5, 0.2, 100, 4) - 0.1) < 1e-15);
  assert.ok(Math.abs(snapshotLr(25, 0.2, 100, 4) - 0.1 * (Math.cos(Math.PI * 24 / 25) + 1)) < 1e-15);
  assert.ok(snapshotLr(25, 0.2, 100, 4) < 0.002);
  // ⌈T/M⌉ when M does not divide T: T = 10, M = 3 -> cycles of 4 steps
  assert.equal(snapshotLr(5, 1, 10, 3), 1);
  assert.ok(Math.abs(snapshotLr(3, 1, 10, 3) - 0.5) < 1e-15);
});

test('bootstrap rows: in range, seeded, about 1 − 1/e distinct', () => {
  const a = bootstrapRows(20000, new Rng(3));
  assert.deepEqual(a, bootstrapRows(20000, new Rng(3)));
  assert.notDeepEqual(a, bootstrapRows(20000, new Rng(4)));
  assert.ok(a.every((i) => i >= 0 && i < 20000));
  const distinct = new Set(a).size / 20000;
  // E = 1 − (1 − 1/n)^n ≈ 0.6321, sd ≈ 0.0034 at n = 20000
  assert.ok(Math.abs(distinct - (1 - Math.exp(-1))) < 0.015, `distinct fraction ${distinct}`);
});

test('ensemble report: averaged probabilities, hand-worked', () => {
  // 3 examples, 2 classes, labels 0, 1, 1. Member A right on 0 and 1; member B right on 1 and 2.
  const a = Float64Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4]);
  const b = Float64Array.from([0.4, 0.6, 0.3, 0.7, 0.1, 0.9]);
  const test: ClassData = { x: new Float32Array(3), y: Int32Array.from([0, 1, 1]), n: 3, d: 1 };
  const r = ensembleReport('bagging', [a, b], test, 2);
  assert.deepEqual(r.members.map((m) => m.accuracy), [2 / 3, 2 / 3]);
  assert.equal(r.meanSingleAccuracy, 2 / 3);
  // average: [0.65, 0.35], [0.25, 0.75], [0.35, 0.65] -> all three right
  assert.equal(r.ensembleAccuracy, 1);
  assert.ok(Math.abs(r.ensembleLoss - -(Math.log(0.65) + Math.log(0.75) + Math.log(0.65)) / 3) < 1e-12);
});

test('bagging beats its average single model on held-out digits (3 seeds)', () => {
  const margins: number[] = [];
  for (const seed of [1, 2, 3]) {
    const { models, report } = bagging(mlp(seed), train, heldOut, 10, 5, { opt: 'adam', hyper: { lr: 1e-2 }, epochs: 10, batchSize: 32, seed });
    assert.equal(models.length, 5);
    assert.equal(report.members.length, 5);
    // the members differ (own bootstrap sample and init)
    assert.ok(new Set(report.members.map((m) => m.accuracy)).size > 1);
    margins.push(report.ensembleAccuracy - report.meanSingleAccuracy);
    assert.ok(report.ensembleAccuracy >= report.meanSingleAccuracy + 0.005, `seed ${seed}: ensemble ${report.ensembleAccuracy} vs mean single ${report.meanSingleAccuracy}`);
    assert.ok(report.ensembleLoss < report.meanSingleLoss, `seed ${seed}: ensemble NLL ${report.ensembleLoss} vs mean single ${report.meanSingleLoss}`);
    assert.ok(report.meanSingleAccuracy > 0.75);
  }
  assert.ok(margins.reduce((a, b) => a + b) / margins.length > 0.008, `mean margin ${margins}`);
});

test('snapshot ensemble beats its average snapshot on held-out digits (3 seeds)', () => {
  const margins: number[] = [];
  for (const seed of [1, 2, 3]) {
    const model = mlp(seed)(0);
    const { snapshots, report } = snapshotEnsemble(model, train, heldOut, 10, 5, { opt: 'sgd', hyper: { lr: 0.2, momentum: 0.9 }, epochs: 30, batchSize: 32, seed });
    assert.equal(snapshots.length, 5);
    // each cycle ends somewhere else
    assert.notDeepEqual(snapshots[3], snapshots[4]);
    // the last snapshot is the final model
    assert.deepEqual(snapshots[4], model.params);
    margins.push(report.ensembleAccuracy - report.meanSingleAccuracy);
    assert.ok(report.ensembleAccuracy >= report.meanSingleAccuracy, `seed ${seed}: ensemble ${report.ensembleAccuracy} vs mean single ${report.meanSingleAccuracy}`);
    assert.ok(report.ensembleLoss < report.meanSingleLoss);
  }
  assert.ok(margins.reduce((a, b) => a + b) / margins.length > 0.003, `margins ${margins}`);
});

test('ensemble options are checked', () => {
  assert.throws(() => bagging(mlp(1), train, heldOut, 10, 0, { epochs: 1, batchSize: 32 }), /--bagging: expected an integer >= 1/);
  assert.throws(() => snapshotEnsemble(mlp(1)(0), train, heldOut, 10, 1000, { epochs: 1, batchSize: 32 }), /--snapshots: expected at most the number of optimizer steps \(10\)/);
});
