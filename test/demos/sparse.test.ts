// The sparse-features demo at fixed seeds: the documented data, the logistic gradient against central
// differences, SGD's effective per-coordinate step equal to its lr, and the lecture's claim: at each
// method's best lr, Adagrad's rare-weight error is below SGD's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logisticBatchGrad, makeSparseData, sparseMethods, sparseRace, sparseRun } from '../../src/demos/index.js';
import { mean } from '../../src/demos/stats.js';

test('sparse data: rare features on in at most ~1% of rows, true weights as documented', () => {
  const data = makeSparseData({ seed: 3 });
  assert.equal(data.n, 5000);
  for (const r of data.rareRate) assert.ok(r > 0 && r <= 0.012, `rate ${r}`);
  for (let j = 0; j < data.rare; j++) assert.equal(Math.abs(data.wTrue[data.dense + j]), 4);
  const d = data.dense + data.rare;
  for (let i = 0; i < data.n; i++) for (let j = data.dense; j < d; j++) assert.ok(data.x[i * d + j] === 0 || data.x[i * d + j] === 1);
});

test('logistic minibatch gradient against central differences', () => {
  const data = makeSparseData({ n: 300, seed: 4, rareProbability: 0.2 });
  const d = data.dense + data.rare;
  const params = new Float64Array(d + 1).map((_v, i) => Math.sin(i + 1) * 0.7);
  const order = Array.from({ length: data.n }, (_v, i) => (i * 7) % data.n);
  const g = new Float64Array(d + 1), scratch = new Float64Array(d + 1);
  logisticBatchGrad(data, params, order, 10, 40, g);
  for (let j = 0; j <= d; j++) {
    const h = 1e-6, save = params[j];
    params[j] = save + h;
    const up = logisticBatchGrad(data, params, order, 10, 40, scratch);
    params[j] = save - h;
    const down = logisticBatchGrad(data, params, order, 10, 40, scratch);
    params[j] = save;
    assert.ok(Math.abs((up - down) / (2 * h) - g[j]) < 1e-8, `coordinate ${j}: ${(up - down) / (2 * h)} vs ${g[j]}`);
  }
});

test('plain SGD moves every coordinate by lr per unit of gradient, frequent and rare alike', () => {
  const data = makeSparseData({ seed: 0 });
  const run = sparseRun(data, sparseMethods()[0], 0.1, { steps: 500 });
  assert.ok(Math.abs(run.effectiveLrFrequent - 0.1) < 1e-9);
  assert.ok(Math.abs(run.effectiveLrRare - 0.1) < 1e-9);
});

test('at their best learning rates (grid by final loss) Adagrad ends with a lower rare-weight error than SGD (seeds 0, 1)', () => {
  for (const seed of [0, 1]) {
    const r = sparseRace({ seed });
    const sgd = r.best.find((b) => b.label === 'sgd')!, ada = r.best.find((b) => b.label === 'adagrad')!;
    const last = (v: number[]) => v[v.length - 1];
    assert.ok(last(ada.rareError) < last(sgd.rareError), `seed ${seed}: adagrad ${last(ada.rareError)} vs sgd ${last(sgd.rareError)}`);
    assert.ok(mean(ada.rareError) < mean(sgd.rareError), `seed ${seed}: over the run, adagrad ${mean(ada.rareError)} vs sgd ${mean(sgd.rareError)}`);
    // and Adagrad's rare coordinates move further per unit of gradient than its frequent ones
    assert.ok(ada.effectiveLrRare > 2 * ada.effectiveLrFrequent);
  }
});
