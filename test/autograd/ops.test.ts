import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ag from '../../src/autograd/index.js';
import { Var, tensor, gradcheck, backward, noGrad } from '../../src/autograd/index.js';
import { Rng } from '../../src/tensor/rng.js';

const rng = new Rng(2024);
/** A float64 leaf of normal values (away from kinks unless `positive`). */
function leaf(shape: number[], opts: { positive?: boolean; requiresGrad?: boolean } = {}): Var {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = rng.normal();
    if (opts.positive) x = 0.5 + Math.abs(x);
    else if (Math.abs(x) < 0.05) x += 0.2; // keep relu/abs/sign kinks out of the ±eps window
    v[i] = x;
  }
  return tensor(v, shape, { dtype: 'float64', requiresGrad: opts.requiresGrad ?? true });
}

// Every primitive passes torch-style gradcheck in float64 (central differences vs backward).
const unaryCases: [string, (x: Var) => Var, boolean][] = [
  ['exp', ag.exp, false], ['log', ag.log, true], ['sqrt', ag.sqrt, true], ['abs', ag.abs, false], ['sign', ag.sign, false],
  ['neg', ag.neg, false], ['square', ag.square, false], ['pow 3', (x) => ag.pow(x, 3), false], ['pow -1.5', (x) => ag.pow(x, -1.5), true],
  ['relu', ag.relu, false], ['sigmoid', ag.sigmoid, false], ['tanh', ag.tanh, false],
  ['addScalar', (x) => ag.addScalar(x, 2.5), false], ['mulScalar', (x) => ag.mulScalar(x, -3), false],
  ['softmax', (x) => ag.softmax(x), false], ['logSoftmax', (x) => ag.logSoftmax(x), false],
  ['logSumExp rows', (x) => ag.logSumExp(x, -1), false], ['logSumExp all', (x) => ag.logSumExp(x), false],
  ['sum all', (x) => ag.sum(x), false], ['sum axis 0', (x) => ag.sum(x, 0), false], ['sum axis 1 keepdim', (x) => ag.sum(x, 1, true), false],
  ['mean all', (x) => ag.mean(x), false], ['mean axis 0', (x) => ag.mean(x, 0), false], ['mean axis -1', (x) => ag.mean(x, -1), false],
  ['transpose', ag.transpose, false], ['reshape', (x) => ag.reshape(x, [2, -1]), false],
  ['gather', (x) => ag.gather(x, [2, 0, 3]), false],
  ['mulMask', (x) => ag.mulMask(x, Float64Array.from([0, 2, 2, 0, 2, 0, 2, 2, 0, 0, 2, 2])), false],
  ['softmaxCrossEntropy', (x) => ag.softmaxCrossEntropy(x, [1, 3, 0]), false],
  ['bceWithLogits', (x) => ag.bceWithLogits(x, Float64Array.from([0, 1, 1, 0, 0.3, 1, 0, 0, 1, 1, 0, 1])), false],
];
for (const [name, f, positive] of unaryCases) {
  test(`gradcheck: ${name}`, () => {
    assert.equal(gradcheck(f, [leaf([3, 4], { positive })]), true);
  });
}

const binaryCases: [string, (a: Var, b: Var) => Var, number[], number[]][] = [
  ['add same shape', ag.add, [3, 4], [3, 4]], ['sub row broadcast', ag.sub, [3, 4], [4]],
  ['mul column broadcast', ag.mul, [3, 4], [3, 1]], ['div scalar tensor', ag.div, [3, 4], [1]],
  ['div row broadcast on the left', ag.div, [4], [3, 4]], ['mul outer broadcast', ag.mul, [3, 1], [1, 4]],
  ['add 3-D against 2-D', ag.add, [2, 3, 4], [3, 1]],
  ['matmul', ag.matmul, [3, 5], [5, 2]],
];
for (const [name, f, sa, sb] of binaryCases) {
  test(`gradcheck: ${name}`, () => {
    const positive = name.startsWith('div');
    assert.equal(gradcheck(f, [leaf(sa), leaf(sb, { positive })]), true);
  });
}

test('gradcheck: linear with and without bias', () => {
  assert.equal(gradcheck((x, w, b) => ag.linear(x, w, b), [leaf([4, 3]), leaf([5, 3]), leaf([5])]), true);
  assert.equal(gradcheck((x, w) => ag.linear(x, w, null), [leaf([4, 3]), leaf([5, 3])]), true);
});

test('gradcheck: a composite that reuses a node (fan-out accumulates)', () => {
  const f = (x: Var, y: Var) => ag.sum(ag.mul(ag.tanh(ag.matmul(x, y)), ag.sigmoid(ag.matmul(x, y))));
  assert.equal(gradcheck(f, [leaf([2, 3]), leaf([3, 2])]), true);
});

test('gradcheck catches a wrong backward (it can fail)', () => {
  const wrong = (x: Var) => {
    const out = Float64Array.from(x.data, (v) => v * v);
    return new Var(out, x.shape, { requiresGrad: true, parents: [x], op: 'badSquare', backwardFn: (g) => {
      for (let i = 0; i < g.length; i++) x.grad![i] += g[i] * 3 * x.data[i]; // should be 2x
    } });
  };
  const x = leaf([3]);
  x.grad = new Float64Array(3);
  assert.throws(() => gradcheck(wrong, [x]), /Jacobian mismatch/);
  assert.equal(gradcheck(wrong, [x], { raiseException: false }), false);
});

test('numericGradient of Σx³ is 3x² (central differences, O(eps²))', () => {
  const x = Float64Array.from([0.5, -1.2, 2]);
  const g = ag.numericGradient((v) => Array.from(v).reduce((s, t) => s + t ** 3, 0), x, 1e-5);
  x.forEach((v, i) => assert.ok(Math.abs(g[i] - 3 * v * v) < 1e-8));
});

test('closed forms: d/dx Σ(x²) = 2x, leaf gradients accumulate across backward calls', () => {
  const x = tensor([1, -2, 3], [3], { dtype: 'float64', requiresGrad: true });
  const l = ag.sum(ag.square(x));
  assert.equal(l.item(), 14);
  l.backward();
  assert.deepEqual([...x.grad!], [2, -4, 6]);
  ag.sum(ag.square(x)).backward();
  assert.deepEqual([...x.grad!], [4, -8, 12]);
});

test('torch conventions at kinks: d|x|/dx = 0 and d relu/dx = 0 at x = 0', () => {
  const x = tensor([0, 0], [2], { dtype: 'float64', requiresGrad: true });
  ag.sum(ag.add(ag.abs(x), ag.relu(x))).backward();
  assert.deepEqual([...x.grad!], [0, 0]);
});

test('stability: logSumExp and bce at |z| = 1000 stay finite and exact', () => {
  const z = tensor([1000, -1000], [2], { dtype: 'float64', requiresGrad: true });
  const b = ag.bceWithLogits(z, Float64Array.from([0, 1]));
  assert.ok(Math.abs(b.item() - 1000) < 1e-9); // each term ≈ 1000: max(z,0) − z·y
  b.backward();
  assert.deepEqual([...z.grad!], [0.5, -0.5]); // (σ(z) − y)/2
  assert.ok(Math.abs(ag.logSumExp(tensor([1000, 1000], [2], { dtype: 'float64' })).item() - (1000 + Math.LN2)) < 1e-12);
});

test('noGrad records nothing; backward on a constant is an input error', () => {
  const x = leaf([2, 2]);
  const y = noGrad(() => ag.sum(ag.exp(x)));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.parents.length, 0);
  assert.throws(() => backward(y), /does not require grad/);
  assert.throws(() => ag.sum(ag.exp(x)).parents.length === 1 && backward(ag.exp(x)), /pass gradOutput/);
});

test('a 20000-deep chain backpropagates (iterative topological sort)', () => {
  const x = tensor([0.5], [1], { dtype: 'float64', requiresGrad: true });
  let h: Var = x;
  for (let i = 0; i < 20000; i++) h = ag.mulScalar(h, 1.0001);
  h.backward();
  assert.ok(Math.abs(x.grad![0] - 1.0001 ** 20000) < 1e-6);
});

test('shape errors name the op and the shapes', () => {
  assert.throws(() => ag.add(leaf([2, 3]), leaf([4])), /add: shapes \[2, 3\] and \[4\] do not broadcast/);
  assert.throws(() => ag.matmul(leaf([2, 3]), leaf([2, 3])), /matmul: inner sizes differ/);
  assert.throws(() => ag.gather(leaf([2, 3]), [0, 3]), /label 3 in row 1/);
  assert.throws(() => ag.add(leaf([2]), tensor([1, 2], [2], { dtype: 'float32' })), /dtypes differ/);
});
