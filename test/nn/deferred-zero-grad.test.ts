// A deferred zeroGrad (the Trainer's, every step): the backward's first write of each parameter gradient
// overwrites the stale buffer; the gradients must equal those after an eager zero fill, bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel, Sequential, Linear } from '../../src/nn/index.js';
import { tensor, add } from '../../src/autograd/index.js';
import { lossByName, l2Penalty } from '../../src/nn/losses.js';
import { Rng } from '../../src/tensor/rng.js';
import type { DType } from '../../src/tensor/tensor.js';

function gradsAfter(model: Sequential, deferred: boolean, x: Float32Array | Float64Array, y: Float64Array, l2: number): number[] {
  model.grads.fill(7.5); // stale values from an earlier step
  model.zeroGrad({ deferred });
  let loss = lossByName('ce')(model.forward(tensor(x, [y.length, x.length / y.length])), y);
  if (l2) loss = add(loss, l2Penalty(model.parameters().filter((p) => p.isWeight).map((p) => p.var), l2));
  loss.backward();
  model.settleGrads();
  return Array.from(model.grads);
}

for (const dtype of ['float32', 'float64'] as DType[]) {
  test(`deferred zeroGrad: the same gradients as an eager fill (${dtype}, MLP, with and without an L2 penalty)`, () => {
    const model = buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [5], activation: 'relu', rng: new Rng(3), dtype });
    const rng = new Rng(4);
    const x = dtype === 'float32' ? new Float32Array(8 * 6) : new Float64Array(8 * 6);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    const y = Float64Array.from({ length: 8 }, (_, i) => i % 3);
    for (const l2 of [0, 0.01]) {
      const eager = gradsAfter(model, false, x, y, l2);
      const deferred = gradsAfter(model, true, x, y, l2);
      assert.deepEqual(deferred, eager);
      assert.ok(eager.some((g) => g !== 0) && !eager.includes(7.5));
    }
  });
}

test('deferred zeroGrad: a gradient no backward reached reads 0 after settleGrads; an eager zeroGrad clears the stale mark', () => {
  const model = new Sequential(new Linear(3, 2, { rng: new Rng(1), dtype: 'float64' }));
  model.grads.fill(2);
  model.zeroGrad({ deferred: true });
  assert.ok(model.parameters().every((p) => p.var.gradStale));
  model.settleGrads();
  assert.deepEqual(Array.from(model.grads), new Array(8).fill(0));
  model.zeroGrad({ deferred: true });
  model.zeroGrad();
  assert.ok(model.parameters().every((p) => !p.var.gradStale));
});
