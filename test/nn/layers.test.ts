import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Linear, ReLU, Sigmoid, Tanh, Dropout, Sequential, buildModel, parseModelArg } from '../../src/nn/index.js';
import { tensor, gradcheck, sum, mul, type Var } from '../../src/autograd/index.js';
import { Rng } from '../../src/tensor/rng.js';

function input(m: number, d: number, seed: number): Var {
  const x = new Rng(seed).fillNormal(new Float64Array(m * d));
  return tensor(x, [m, d], { dtype: 'float64', requiresGrad: true });
}

test('Linear init is U(−1/√in, 1/√in) for weight and bias (torch reset_parameters), drawn weight then bias', () => {
  const l = new Linear(100, 400, { rng: new Rng(1), dtype: 'float64' });
  const bound = 1 / Math.sqrt(100);
  const w = l.weight.data, b = l.bias!.data;
  assert.ok(w.every((v) => Math.abs(v) <= bound) && b.every((v) => Math.abs(v) <= bound));
  // variance of U(−a, a) is a²/3; 40000 draws give a standard error of about 0.6% of it
  const mean = Array.from(w).reduce((s, v) => s + v, 0) / w.length;
  const variance = Array.from(w).reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
  assert.ok(Math.abs(variance - bound * bound / 3) < 0.03 * bound * bound / 3);
  // same seed: the first draws are the weight's, in row-major order
  const g = new Rng(1);
  assert.equal(w[0], g.uniformRange(-bound, bound));
  assert.equal(w[1], g.uniformRange(-bound, bound));
});

test('Sequential names parameters as torch state_dict and keeps them in one buffer of views', () => {
  const m = buildModel({ kind: 'mlp', inFeatures: 4, outFeatures: 3, hidden: [5, 2], dropout: 0.1, rng: new Rng(1) });
  // [Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear]
  assert.deepEqual(m.parameters().map((p) => [p.name, p.shape, p.offset, p.isWeight]), [
    ['0.weight', [5, 4], 0, true], ['0.bias', [5], 20, false],
    ['3.weight', [2, 5], 25, true], ['3.bias', [2], 35, false],
    ['6.weight', [3, 2], 37, true], ['6.bias', [3], 43, false],
  ]);
  assert.equal(m.params.length, 46);
  assert.equal(m.grads.length, 46);
  const w3 = m.parameters()[2];
  assert.equal(w3.data.buffer, m.params.buffer);
  m.params[25] = 42;
  assert.equal(w3.data[0], 42);
  assert.equal((m.layers[3] as Linear).weight.data[0], 42);
  m.grads.fill(3);
  m.zeroGrad();
  assert.ok(m.parameters().every((p) => p.grad.every((v) => v === 0)));
});

test('buildModel: linear/logistic/softmax are one Linear; parseModelArg reads mlp:H1,H2 and rejects junk', () => {
  for (const kind of ['linear', 'logistic', 'softmax'] as const) {
    const m = buildModel({ kind, inFeatures: 7, outFeatures: 2 });
    assert.deepEqual(m.parameters().map((p) => p.name), ['0.weight', '0.bias']);
  }
  assert.deepEqual(parseModelArg('mlp:32,16'), { kind: 'mlp', hidden: [32, 16], sparse: false });
  // the sparse-input models: the same kinds over a sparse input layer (test/train/sparse-train.test.ts)
  assert.deepEqual(parseModelArg('sparse-softmax'), { kind: 'softmax', hidden: [], sparse: true });
  assert.throws(() => parseModelArg('sparse-mlp:4'), /--model: expected/);
  assert.throws(() => parseModelArg('mlp:'), /--model: expected/);
  assert.throws(() => parseModelArg('mlp:0'), /--model/);
  assert.throws(() => buildModel({ kind: 'mlp', inFeatures: 2, outFeatures: 2, hidden: [3], activation: 'gelu' as never }), /unknown activation 'gelu'/);
});

test('gradcheck: Linear (input, weight, bias), activations and a whole Sequential in float64', () => {
  const l = new Linear(3, 4, { rng: new Rng(2), dtype: 'float64' });
  const x = input(5, 3, 3);
  assert.equal(gradcheck((xx) => l.forward(xx), [x, l.weight, l.bias!]), true);
  for (const act of [new ReLU(), new Sigmoid(), new Tanh()]) assert.equal(gradcheck((xx) => act.forward(xx), [input(3, 4, 4)]), true);
  const m = buildModel({ kind: 'mlp', inFeatures: 3, outFeatures: 2, hidden: [4], activation: 'tanh', dtype: 'float64', rng: new Rng(5) });
  assert.equal(gradcheck((xx) => m.forward(xx), [x, ...m.parameters().map((p) => p.var)]), true);
});

test('Dropout: inverted (zeros with probability p, survivors scaled by 1/(1−p)), identity in eval, gradcheck with a fixed mask', () => {
  const d = new Dropout(0.25, { rng: new Rng(9), dtype: 'float64' });
  const x = tensor(new Float64Array(40000).fill(1), [200, 200], { dtype: 'float64' });
  const y = d.forward(x).data;
  const zeros = y.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / 40000 - 0.25) < 0.01); // sd ≈ 0.0022
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-15));
  d.eval();
  assert.equal(d.forward(x), x);
  d.train();
  const xin = input(4, 5, 6);
  const state = d.rng.getState();
  assert.equal(gradcheck((xx) => {
    d.rng.setState(state); // the same mask for every evaluation
    return d.forward(xx);
  }, [xin]), true);
  assert.throws(() => new Dropout(1.5), /drop probability/);
});

test('train()/eval() reach the layers inside a Sequential', () => {
  const m = buildModel({ kind: 'mlp', inFeatures: 2, outFeatures: 1, hidden: [3], dropout: 0.5 });
  m.eval();
  assert.ok(m.layers.every((l) => !l.training));
  m.train();
  assert.ok(m.layers.every((l) => l.training));
});

test('stateDict/loadStateDict round-trip and name what is wrong', () => {
  const a = buildModel({ kind: 'mlp', inFeatures: 3, outFeatures: 2, hidden: [4], rng: new Rng(1) });
  const b = buildModel({ kind: 'mlp', inFeatures: 3, outFeatures: 2, hidden: [4], rng: new Rng(2) });
  assert.notDeepEqual([...a.params], [...b.params]);
  b.loadStateDict(a.stateDict());
  assert.deepEqual([...a.params], [...b.params]);
  const sd = a.stateDict();
  const { ['2.bias']: _dropped, ...missing } = sd;
  assert.throws(() => b.loadStateDict(missing, 'init.safetensors'), /init.safetensors: missing tensor '2.bias'/);
  assert.throws(() => b.loadStateDict({ ...sd, extra: sd['2.bias'] }), /unexpected tensor 'extra'/);
  assert.throws(() => b.loadStateDict({ ...sd, '0.weight': { shape: [3, 4], data: new Float32Array(12) } }), /'0.weight' has shape \[3, 4\], the model expects \[4, 3\]/);
});

test('a standalone Linear binds its own contiguous buffers', () => {
  const l = new Linear(2, 3, { rng: new Rng(1), dtype: 'float64' });
  const y = sum(mul(l.forward(tensor([1, 2], [1, 2], { dtype: 'float64' })), tensor([1, 1, 1], [3], { dtype: 'float64' })));
  y.backward();
  assert.equal(l.params.length, 9);
  // dy/dW[i,j] = x[j]; dy/db = 1
  assert.deepEqual([...l.grads], [1, 2, 1, 2, 1, 2, 1, 1, 1]);
  assert.equal(new Sequential(new ReLU()).params.length, 0);
});

test('a layer used alone and then put in a Sequential keeps its values and views the Sequential buffers', () => {
  const l = new Linear(2, 2, { rng: new Rng(3), dtype: 'float64' });
  const before = [...l.params];
  const m = new Sequential(new ReLU('float64'), l);
  assert.deepEqual([...m.params], before);
  m.params[0] = 5;
  assert.equal(l.params[0], 5);
  assert.equal(l.weight.data[0], 5);
  assert.equal(l.parameters()[0].name, 'weight');
  assert.equal(m.parameters()[0].name, '1.weight');
});
