import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/node/datasets.js';
import { buildModel, parseModelArg, type Sequential } from '../../src/nn/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { bagging, bootstrapRows, ensembleDefaults, ensembleReport, sameBudgetSingle, snapshotEnsemble, snapshotLr } from '../../src/train/ensemble.js';
import { predictProba, type ClassData } from '../../src/train/ensemble-fit.js';

// digits exactly as `descent ensemble --data digits` sees them: the first 1,438 rows train, the last 359 are
// held out, standardized with the training rows' mean and std
const prep = loadDataset('digits');
const asClass = (ds: { x: ArrayLike<number>; y: ArrayLike<number>; n: number; d: number }): ClassData => ({ x: Float32Array.from(ds.x), y: Int32Array.from(ds.y), n: ds.n, d: ds.d });
const train = asClass(prep.train), heldOut = asClass(prep.val!);

/** Member i of the CLI's ensemble at `seed`: the method's default model, initialized from Rng(seed + 1000·i). */
function defaultModel(method: 'bagging' | 'snapshot', seed: number) {
  const d = ensembleDefaults[method];
  const { hidden } = parseModelArg(d.model);
  return (i: number): Sequential => buildModel({ kind: 'mlp', hidden, dropout: d.dropout, inFeatures: 64, outFeatures: 10, rng: new Rng(seed + 1000 * i) });
}

/** Accuracy and NLL of the mean of the members' probabilities, computed here from scratch (the closed form). */
function averaged(probas: Float64Array[], y: Int32Array, k: number): { accuracy: number; loss: number } {
  let hit = 0, nll = 0;
  for (let i = 0; i < y.length; i++) {
    const mean = Array.from({ length: k }, (_v, j) => probas.reduce((a, p) => a + p[i * k + j], 0) / probas.length);
    if (mean.indexOf(Math.max(...mean)) === y[i]) hit++;
    nll -= Math.log(Math.max(1e-12, mean[y[i]])); // clamped, as the report defines its NLL
  }
  return { accuracy: hit / y.length, loss: nll / y.length };
}

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

test('bagging with the CLI defaults beats its average single model on held-out digits (seeds 0, 1, 4)', () => {
  // measured margins (docs/ensembles.md): +2.17, +2.28, +2.62 points; +1.06 to +2.28 at seeds 2, 3 and 5–9
  const d = ensembleDefaults.bagging;
  for (const seed of [0, 1, 4]) {
    const { models, report } = bagging(defaultModel('bagging', seed), train, heldOut, 10, 5, { opt: d.opt, hyper: { ...d.hyper }, epochs: d.epochs, batchSize: d.batchSize, seed });
    assert.equal(models.length, 5);
    // the report's ensemble is the mean of the members' probabilities
    const avg = averaged(models.map((m) => predictProba(m, heldOut.x, heldOut.n, heldOut.d)), heldOut.y, 10);
    assert.equal(report.ensembleAccuracy, avg.accuracy);
    assert.ok(Math.abs(report.ensembleLoss - avg.loss) < 1e-9, `seed ${seed}: ${report.ensembleLoss} vs ${avg.loss}`);
    assert.ok(report.meanSingleAccuracy > 0.87, `seed ${seed}: mean single ${report.meanSingleAccuracy}`);
    assert.ok(report.ensembleAccuracy >= report.meanSingleAccuracy + 0.01, `seed ${seed}: ensemble ${report.ensembleAccuracy} vs mean single ${report.meanSingleAccuracy}`);
    assert.ok(report.ensembleLoss < report.meanSingleLoss);
  }
});

test('snapshot ensemble with the CLI defaults beats its average snapshot on held-out digits (seeds 0, 1, 2)', () => {
  // measured margins (docs/ensembles.md): +0.95, +0.95, +1.73 points; +0.45 to +1.34 at seeds 3–9
  const d = ensembleDefaults.snapshot;
  const margins: number[] = [];
  for (const seed of [0, 1, 2]) {
    const model = defaultModel('snapshot', seed)(0);
    const { snapshots, report } = snapshotEnsemble(model, train, heldOut, 10, 5, { opt: d.opt, hyper: { ...d.hyper }, epochs: 5 * d.epochsPerCycle, batchSize: d.batchSize, seed });
    assert.equal(snapshots.length, 5);
    assert.deepEqual(snapshots[4], model.params); // the last snapshot is the final model
    const probas = snapshots.map((s) => { model.params.set(s); return predictProba(model, heldOut.x, heldOut.n, heldOut.d); });
    const avg = averaged(probas, heldOut.y, 10);
    assert.equal(report.ensembleAccuracy, avg.accuracy);
    assert.ok(Math.abs(report.ensembleLoss - avg.loss) < 1e-9);
    // the snapshots differ in what they get right: cycles end in different places
    assert.ok(new Set(report.members.map((m) => m.accuracy)).size > 1, `seed ${seed}: ${report.members.map((m) => m.accuracy)}`);
    assert.ok(report.meanSingleAccuracy > 0.9);
    assert.ok(report.ensembleAccuracy >= report.meanSingleAccuracy + 0.005, `seed ${seed}: ensemble ${report.ensembleAccuracy} vs mean single ${report.meanSingleAccuracy}`);
    assert.ok(report.ensembleLoss < report.meanSingleLoss);
    margins.push(report.ensembleAccuracy - report.meanSingleAccuracy);
  }
  assert.ok(margins.reduce((a, b) => a + b) / margins.length > 0.008, `margins ${margins}`);
});

test('same-budget single model: one cosine cycle over the same steps, i.e. a snapshot ensemble with M = 1', () => {
  const small = (i: number) => buildModel({ kind: 'mlp', hidden: [16], dropout: 0.2, inFeatures: 64, outFeatures: 10, rng: new Rng(7 + i) });
  const fit = { opt: 'sgd', hyper: { lr: 0.1, momentum: 0.9 }, epochs: 3, batchSize: 64, seed: 7 };
  const a = small(0);
  const single = sameBudgetSingle(a, train, heldOut, 10, fit);
  const b = small(0);
  const one = snapshotEnsemble(b, train, heldOut, 10, 1, fit);
  assert.deepEqual(a.params, b.params);
  assert.deepEqual(single, one.report.members[0]);
  // lr(t) = lr0/2 · (cos(π (t−1)/T) + 1): from lr0 down to nearly 0 at the last of T = 3·⌈1438/64⌉ = 69 steps
  assert.equal(snapshotLr(1, 0.1, 69, 1), 0.1);
  assert.ok(Math.abs(snapshotLr(35, 0.1, 69, 1) - 0.05 * (Math.cos(Math.PI * 34 / 69) + 1)) < 1e-15);
});

test('ensemble options are checked', () => {
  const mlp = defaultModel('bagging', 1);
  assert.throws(() => bagging(mlp, train, heldOut, 10, 0, { epochs: 1, batchSize: 32 }), /--bagging: expected an integer >= 1/);
  // 1,438 rows in batches of 32: 45 steps in one epoch
  assert.throws(() => snapshotEnsemble(mlp(0), train, heldOut, 10, 1000, { epochs: 1, batchSize: 32 }), /--snapshots: expected at most the number of optimizer steps \(45\)/);
});
