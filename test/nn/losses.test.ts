import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mse, bceWithLogits, crossEntropy, multiclassHinge, l1Penalty, l2Penalty, lossByName } from '../../src/nn/index.js';
import { tensor, gradcheck, gather, logSoftmax, mean, neg, type Var } from '../../src/autograd/index.js';
import { Rng } from '../../src/tensor/rng.js';

function leaf(values: number[], shape: number[]): Var {
  return tensor(values, shape, { dtype: 'float64', requiresGrad: true });
}
function randomLeaf(shape: number[], seed: number): Var {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(new Rng(seed).fillNormal(new Float64Array(n)), shape, { dtype: 'float64', requiresGrad: true });
}

test('closed forms of each loss on a 2-row batch', () => {
  // mse: ((1−0)² + (2−4)²)/2 = 2.5
  assert.equal(mse(leaf([1, 2], [2, 1]), [0, 4]).item(), 2.5);
  // bce: (log(1+e^0)·… ) z = 0 gives log 2 for any target; z = 2, y = 1 gives log(1+e^−2)
  assert.ok(Math.abs(bceWithLogits(leaf([0, 2], [2, 1]), [1, 1]).item() - (Math.LN2 + Math.log1p(Math.exp(-2))) / 2) < 1e-15);
  // ce: row [0,0,0] label 1 → log 3; row [1,2,3] label 2 → lse − 3
  const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
  assert.ok(Math.abs(crossEntropy(leaf([0, 0, 0, 1, 2, 3], [2, 3]), [1, 2]).item() - (Math.log(3) + lse - 3) / 2) < 1e-15);
  // hinge: row [0,0,0] y=1 → 1 + 1 = 2; row [1,2,3] y=2 → max(0,1−3+1) + max(0,2−3+1) = 0
  assert.equal(multiclassHinge(leaf([0, 0, 0, 1, 2, 3], [2, 3]), [1, 2]).item(), 1);
  // penalties over weights: λΣ|W| and λΣW²
  const w = [leaf([1, -2], [1, 2]), leaf([3], [1, 1])];
  assert.equal(l1Penalty(w, 0.5).item(), 3);
  assert.equal(l2Penalty(w, 0.5).item(), 7);
});

test('gradcheck of every loss and penalty in float64', () => {
  const y = [0, 2, 1, 2];
  assert.equal(gradcheck((s) => crossEntropy(s, y), [randomLeaf([4, 3], 1)]), true);
  assert.equal(gradcheck((s) => multiclassHinge(s, y), [randomLeaf([4, 3], 2)]), true);
  assert.equal(gradcheck((z) => bceWithLogits(z, [0, 1, 1, 0]), [randomLeaf([4, 1], 3)]), true);
  assert.equal(gradcheck((p) => mse(p, [0.5, -1, 2, 0, 1, 1]), [randomLeaf([3, 2], 4)]), true);
  assert.equal(gradcheck((a, b) => l1Penalty([a, b], 0.3), [randomLeaf([2, 3], 5), randomLeaf([3], 6)]), true);
  assert.equal(gradcheck((a, b) => l2Penalty([a, b], 0.3), [randomLeaf([2, 3], 7), randomLeaf([3], 8)]), true);
});

test('fused cross-entropy equals the composite −mean(gather(logSoftmax(z), y)) in value and gradient', () => {
  const y = [1, 0, 2];
  const a = randomLeaf([3, 3], 9), b = tensor(Float64Array.from(a.data), [3, 3], { dtype: 'float64', requiresGrad: true });
  const fa = crossEntropy(a, y), fb = neg(mean(gather(logSoftmax(b), y)));
  assert.ok(Math.abs(fa.item() - fb.item()) < 1e-15);
  fa.backward();
  fb.backward();
  a.grad!.forEach((g, i) => assert.ok(Math.abs(g - b.grad![i]) < 1e-15));
});

test('bce is stable for |z| = 800 and its gradient at z = 0 is σ(0) − y = 0.5 − y', () => {
  const z = leaf([800, -800, 0], [3, 1]);
  const l = bceWithLogits(z, [0, 1, 1]);
  assert.ok(Math.abs(l.item() - (800 + 800 + Math.LN2) / 3) < 1e-12);
  l.backward();
  assert.ok(Math.abs(z.grad![2] - (0.5 - 1) / 3) < 1e-16);
});

test('lossByName knows mse, bce, ce, hinge and names the others', () => {
  assert.equal(lossByName('ce'), crossEntropy);
  assert.throws(() => lossByName('nll'), /unknown loss 'nll'; expected one of: mse, bce, ce, hinge/);
  assert.throws(() => crossEntropy(leaf([0, 0], [1, 2]), [2]), /label 2 in row 0 is not a class index in 0..1/);
  assert.throws(() => mse(leaf([0, 0], [2, 1]), [1]), /mse: 1 targets for 2 predictions/);
});
