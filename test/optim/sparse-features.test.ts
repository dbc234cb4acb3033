// Lecture 001's sparse features ("∇w² will be 0 for most inputs and hence w² will not get enough updates"):
// logistic regression on dense N(0, 1) features plus rare binary ones (src/demos/sparse.ts's data), minibatches
// of 10. A rare feature's gradient is exactly 0 in a batch where no row has it, so sparse-adam (its entries
// are the nonzero ones, torch's to_sparse()) and adagrad scale each coordinate by its own history, where
// SGD moves every coordinate by lr·g. The effective step of coordinate j is Σ_t|Δw_j| / Σ_t|g_j| over the run
// (the demo's measure); SGD's is lr on every coordinate (a closed form, checked), so SGD's ratio rare/dense
// is 1. sparse-adam and adagrad give the rare features larger effective steps than the dense ones, by the
// factors asserted below, on each setting of the data: the lecture's claim, measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOptimizer } from '../../src/optim/index.js';
import { makeSparseData, logisticBatchGrad, type SparseDataOptions } from '../../src/demos/sparse.js';
import { Rng } from '../../src/tensor/rng.js';

/** Mean effective step Σ|Δw_j| / Σ|g_j| over the rare and over the dense coordinates. */
function effectiveSteps(settings: SparseDataOptions, name: 'sgd' | 'adagrad' | 'sparse-adam', lr: number): { dense: number; rare: number } {
  const data = makeSparseData(settings);
  const d = data.dense + data.rare;
  const params = new Float64Array(d + 1), grads = new Float64Array(d + 1), before = new Float64Array(d + 1);
  const moved = new Float64Array(d), pushed = new Float64Array(d);
  const opt = createOptimizer(name, { params, grads }, { lr });
  const rng = new Rng(1);
  const order = Int32Array.from({ length: data.n }, (_v, i) => i);
  for (let epoch = 0; epoch < 3; epoch++) {
    for (let i = data.n - 1; i > 0; i--) { const j = rng.int(i + 1); const t = order[i]; order[i] = order[j]; order[j] = t; }
    for (let start = 0; start + 10 <= data.n; start += 10) {
      logisticBatchGrad(data, params, order, start, 10, grads);
      before.set(params);
      opt.step();
      for (let j = 0; j < d; j++) { moved[j] += Math.abs(params[j] - before[j]); pushed[j] += Math.abs(grads[j]); }
    }
  }
  const mean = (from: number, to: number) => {
    let s = 0, k = 0;
    for (let j = from; j < to; j++) if (pushed[j] > 0) { s += moved[j] / pushed[j]; k++; }
    return s / k;
  };
  return { dense: mean(0, data.dense), rare: mean(data.dense, d) };
}

const settings: [string, SparseDataOptions][] = [
  ['the demo\'s data (rare features on in 0.8% of rows, true weight ±4)', {}],
  ['rarer features (0.3% of rows)', { rareProbability: 0.003, seed: 1 }],
  ['less rare (3% of rows), weaker (±2), more of them', { rareProbability: 0.03, rareWeight: 2, rare: 20, seed: 2 }],
];

for (const [what, s] of settings) {
  test(`sparse features, ${what}: sparse-adam and adagrad give the rare features larger effective steps than SGD`, () => {
    const sgd = effectiveSteps(s, 'sgd', 0.1);
    // SGD: Δw = −lr·g on every coordinate, so both effective steps are lr (to rounding)
    assert.ok(Math.abs(sgd.dense - 0.1) < 1e-9 && Math.abs(sgd.rare - 0.1) < 1e-9, JSON.stringify(sgd));
    const adagrad = effectiveSteps(s, 'adagrad', 0.1);
    const sparseAdam = effectiveSteps(s, 'sparse-adam', 0.01);
    // per-coordinate scaling: the rare coordinates' steps relative to the dense ones, against SGD's 1
    const ratio = (e: { dense: number; rare: number }) => e.rare / e.dense;
    assert.ok(ratio(adagrad) > 2, `adagrad rare/dense ${ratio(adagrad)}`);
    assert.ok(ratio(sparseAdam) > 2, `sparse-adam rare/dense ${ratio(sparseAdam)}`);
    // and in absolute terms at these learning rates, more than SGD's lr on the rare features
    assert.ok(adagrad.rare > sgd.rare && sparseAdam.rare > sgd.rare, `rare: sgd ${sgd.rare}, adagrad ${adagrad.rare}, sparse-adam ${sparseAdam.rare}`);
    console.log(`# ${what}: rare/dense effective step sgd 1, adagrad ${ratio(adagrad).toFixed(1)}, sparse-adam ${ratio(sparseAdam).toFixed(1)}`);
  });
}
