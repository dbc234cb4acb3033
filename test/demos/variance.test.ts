// The variance demo's claims at a fixed seed, on digits (N = 1,797) and the first 10,000 MNIST rows, at the
// initial, mid-training and trained weights: E‖g_B − g‖² falls with slope −1 (within 0.1) on the log-log fit
// for B ≪ N, and every measured point lies within 3 standard errors of (N − B)/(N − 1)·σ²/B. Also the
// per-example residual gradient against the library's softmax gradient, and σ² against its definition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { classData, firstRows, iota, noiseCurve, residuals, softmaxLossGrad, VARIANCE_MNIST_ROWS } from '../../src/demos/index.js';
import { NOISE_BATCHES, runVarianceOn, worstZ } from '../../src/demos/variance-demo.js';
import { loadRows as loadData } from '../../src/node/datasets.js';

const digits = classData(loadData('digits').all, 16);

test('σ² and the full gradient from residuals agree with the per-example gradients of softmaxLossGrad', () => {
  const data = firstRows(digits, 60);
  const rng = new Rng(3);
  const params = new Float64Array(data.k * data.d + data.k).map(() => rng.normal(0, 0.3));
  const np = params.length, scratch = new Float64Array(data.k);
  const gi = Array.from({ length: data.n }, (_v, i) => { const g = new Float64Array(np); softmaxLossGrad(params, data, [i], 0, 1, g, scratch); return g; });
  const g = new Float64Array(np);
  softmaxLossGrad(params, data, iota(data.n), 0, data.n, g, scratch);
  let sigma2 = 0;
  for (const v of gi) for (let p = 0; p < np; p++) sigma2 += (v[p] - g[p]) ** 2 / data.n;
  const c = noiseCurve(params, data, [data.n], () => 3, rng);
  assert.ok(Math.abs(c.sigma2 - sigma2) <= 1e-10 * sigma2, `${c.sigma2} vs ${sigma2}`);
  // B = N draws the whole population: no noise at all
  assert.ok(c.points[0].measured < 1e-25);
  const r = residuals(params, data);
  assert.equal(r.length, data.n * data.k);
});

for (const [name, data] of [['digits', () => digits], ['mnist', () => classData(loadData('mnist-small').all, 1, VARIANCE_MNIST_ROWS)]] as const) {
  test(`${name}: slope within 0.1 of −1 for B ≪ N, and the finite-population curve within 3 standard errors (seed 0)`, () => {
    const r = runVarianceOn({ name, data: data(), budgetEpochs: 1, lrs: { batch: [1], minibatch: [0.3], sgd: [0.01] } }, 0);
    assert.equal(r.stages.length, 3);
    for (const s of r.stages) {
      assert.deepEqual(s.curve.points.map((p) => p.batch), NOISE_BATCHES.filter((b) => b <= r.n));
      assert.ok(Math.abs(s.curve.slope + 1) <= 0.1, `${s.stage}: slope ${s.curve.slope}`);
      assert.ok(worstZ(s.curve) <= 3, `${s.stage}: worst |z| ${worstZ(s.curve)}`);
    }
    // per example seen, minibatch SGD beats the full batch at an equal budget
    const [batch, mini] = r.budget;
    assert.ok(mini.finalLoss < batch.finalLoss);
  });
}
