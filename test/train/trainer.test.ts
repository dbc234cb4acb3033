// The Trainer (src/train/trainer.ts) beyond what the torch fixtures cover: gradient clipping against the
// closed-form gradient of a linear least-squares model, early stopping with the best weights restored,
// plateau on the validation loss, evaluation in eval mode (dropout off).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../src/nn/index.js';
import { createOptimizer } from '../../src/optim/index.js';
import { createSchedule } from '../../src/schedule/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { Trainer, evaluate } from '../../src/train/index.js';
import type { Dataset } from '../../src/data/index.js';

function dataset(x: number[][], y: number[]): Dataset {
  const d = x[0].length;
  return { x: Float32Array.from(x.flat()), y: Float64Array.from(y), n: x.length, d, featureNames: x[0].map((_, j) => `f${j}`), targetName: 'y', numClasses: 0 };
}

/** mse gradient of Linear(d, 1) in float64: ∂/∂W = (2/m) Σ r_i x_i, ∂/∂b = (2/m) Σ r_i, r = Wx + b − y. */
function mseGrad(w: number[], b: number, ds: Dataset): number[] {
  const g = new Array(ds.d + 1).fill(0);
  for (let i = 0; i < ds.n; i++) {
    let r = b - ds.y[i];
    for (let j = 0; j < ds.d; j++) r += w[j] * ds.x[i * ds.d + j];
    for (let j = 0; j < ds.d; j++) g[j] += (2 / ds.n) * r * ds.x[i * ds.d + j];
    g[ds.d] += (2 / ds.n) * r;
  }
  return g;
}

const ds = dataset([[1, 2], [3, -1], [0, 4], [2, 2]], [3, -2, 5, 1]);

for (const mode of ['clipNorm', 'clipValue'] as const) {
  test(`${mode}: one sgd step (lr 1) moves the weights by the clipped closed-form gradient`, () => {
    const model = buildModel({ kind: 'linear', inFeatures: 2, outFeatures: 1, rng: new Rng(1) });
    const w0 = Array.from(model.params);
    const g = mseGrad(w0.slice(0, 2), w0[2], ds);
    const norm = Math.hypot(...g);
    const limit = mode === 'clipNorm' ? norm / 4 : Math.max(...g.map(Math.abs)) / 3;
    // torch: clip_grad_norm_ scales by max/(‖g‖ + 1e-6); clip_grad_value_ clamps each component
    const want = g.map((v) => (mode === 'clipNorm' ? (v * limit) / (norm + 1e-6) : Math.max(-limit, Math.min(limit, v))));
    const opt = createOptimizer('sgd', { params: model.params, grads: model.grads }, { lr: 1 });
    const t = new Trainer({ model, loss: 'mse', optimizer: opt, train: ds, batch: 'full', shuffle: false, rng: new Rng(0), [mode]: limit });
    t.step();
    want.forEach((v, i) => assert.ok(Math.abs(w0[i] - model.params[i] - v) < 1e-5 * (1 + Math.abs(v)), `param ${i}: moved ${w0[i] - model.params[i]}, want ${v}`));
    if (mode === 'clipNorm') assert.ok(Math.abs(Math.hypot(...want) - limit) < 1e-5 * limit);
  });
}

test('trainLoss is the data loss before each update; l2 changes the gradient but not trainLoss', () => {
  const run = (l2: number) => {
    const model = buildModel({ kind: 'linear', inFeatures: 2, outFeatures: 1, rng: new Rng(2) });
    const w0 = Array.from(model.params);
    const opt = createOptimizer('sgd', { params: model.params, grads: model.grads }, { lr: 0.01 });
    const t = new Trainer({ model, loss: 'mse', optimizer: opt, train: ds, batch: 'full', shuffle: false, rng: new Rng(0), l2 });
    t.step();
    const { metrics } = t.endEpoch();
    return { w0, w1: Array.from(model.params), loss: metrics.trainLoss };
  };
  const a = run(0), b = run(0.5);
  // closed form: mse at the initial weights
  let want = 0;
  for (let i = 0; i < ds.n; i++) { const r = a.w0[0] * ds.x[2 * i] + a.w0[1] * ds.x[2 * i + 1] + a.w0[2] - ds.y[i]; want += (r * r) / ds.n; }
  assert.ok(Math.abs(a.loss - want) < 1e-5 * want);
  assert.equal(b.loss, a.loss, 'the penalty is not part of trainLoss');
  // l2 adds 2λW to the weight gradient only: the bias moves the same, the weights by an extra −lr·2λW
  assert.ok(Math.abs(b.w1[2] - a.w1[2]) < 1e-7);
  for (let j = 0; j < 2; j++) assert.ok(Math.abs(b.w1[j] - (a.w1[j] - 0.01 * 2 * 0.5 * a.w0[j])) < 1e-6);
});

// a validation set whose targets are the negated training targets: as the fit improves, the validation loss rises
const train = dataset([[1, 0], [0, 1], [1, 1], [2, 1], [1, 2], [0, 2]], [1, 2, 3, 4, 5, 4]);
const val = { ...train, y: train.y.map((v) => -v) };

test('early stopping: stops PATIENCE epochs after the best validation loss and restores the best weights', () => {
  const model = buildModel({ kind: 'linear', inFeatures: 2, outFeatures: 1, rng: new Rng(3) });
  const opt = createOptimizer('sgd', { params: model.params, grads: model.grads }, { lr: 0.05 });
  const t = new Trainer({ model, loss: 'mse', optimizer: opt, train, val, batch: 'full', shuffle: false, rng: new Rng(0), earlyStopping: 2 });
  let stop = false, epochs = 0;
  while (!stop && epochs < 50) {
    while (t.epochUnfinished) t.step();
    ({ stop } = t.endEpoch());
    epochs++;
  }
  const h = t.state.history;
  const best = Math.min(...h.map((m) => m.valLoss!));
  const bestEpoch = h.findIndex((m) => m.valLoss === best) + 1;
  assert.ok(stop, 'stopped');
  assert.equal(epochs, bestEpoch + 2);
  assert.equal(t.state.bestEpoch, bestEpoch);
  assert.ok(t.restoreBest());
  assert.equal(evaluate(model, 'mse', val).loss, best);
});

test('plateau steps on the validation loss: lr ×0.5 after every epoch without improvement (patience 0)', () => {
  const model = buildModel({ kind: 'linear', inFeatures: 2, outFeatures: 1, rng: new Rng(3) });
  const opt = createOptimizer('sgd', { params: model.params, grads: model.grads }, { lr: 0.05 });
  const schedule = createSchedule('plateau:patience=0,factor=0.5', 0.05);
  const t = new Trainer({ model, loss: 'mse', optimizer: opt, schedule, train, val, batch: 'full', shuffle: false, rng: new Rng(0) });
  const lrs: number[] = [], vals: number[] = [];
  for (let e = 0; e < 6; e++) {
    while (t.epochUnfinished) t.step();
    const { metrics } = t.endEpoch();
    lrs.push(metrics.lr);
    vals.push(metrics.valLoss!);
  }
  // torch ReduceLROnPlateau (mode min, threshold 1e-4 rel): a bad epoch when val ≥ best·(1 − 1e-4)
  let best = Infinity, lr = 0.05;
  const want: number[] = [];
  for (const v of vals) {
    want.push(lr);
    if (v < best * (1 - 1e-4)) best = v;
    else lr *= 0.5;
  }
  assert.deepEqual(lrs, want);
  assert.ok(want.some((l) => l < 0.05), 'the validation loss did plateau');
});

test('evaluate runs in eval mode: dropout off (repeatable), training mode restored', () => {
  const x = Array.from({ length: 20 }, (_, i) => [Math.sin(i), Math.cos(i), i / 20]);
  const cls = { ...dataset(x, x.map((_, i) => i % 3)), numClasses: 3 };
  const model = buildModel({ kind: 'mlp', hidden: [16], dropout: 0.5, inFeatures: 3, outFeatures: 3, rng: new Rng(4) });
  const a = evaluate(model, 'ce', cls), b = evaluate(model, 'ce', cls);
  assert.equal(a.loss, b.loss);
  assert.equal(model.training, true);
  assert.ok(a.accuracy! >= 0 && a.accuracy! <= 1);
});

test('--schedule-every batch: sgd with lr 0.1·0.5^t at step t matches a float64 hand loop of the closed-form gradient', () => {
  const model = buildModel({ kind: 'linear', inFeatures: 2, outFeatures: 1, rng: new Rng(5) });
  const w = Array.from(model.params);
  const opt = createOptimizer('sgd', { params: model.params, grads: model.grads }, { lr: 0.1 });
  const schedule = createSchedule('step:stepSize=1,gamma=0.5', 0.1);
  const t = new Trainer({ model, loss: 'mse', optimizer: opt, schedule, scheduleEvery: 'batch', train: ds, batch: 2, shuffle: false, rng: new Rng(0) });
  const lrs: number[] = [];
  for (let e = 0; e < 3; e++) {
    while (t.epochUnfinished) t.step();
    lrs.push(t.endEpoch().metrics.lr);
  }
  // 2 batches per epoch: epoch e starts at step 2e
  assert.deepEqual(lrs, [0.1, 0.1 * 0.5 ** 2, 0.1 * 0.5 ** 4]);
  let step = 0;
  for (let e = 0; e < 3; e++) {
    for (let s = 0; s < 4; s += 2) {
      const g = mseGrad(w.slice(0, 2), w[2], { ...ds, x: ds.x.subarray(2 * s, 2 * s + 4), y: ds.y.subarray(s, s + 2), n: 2 });
      const lr = 0.1 * 0.5 ** step++;
      for (let i = 0; i < 3; i++) w[i] -= lr * g[i];
    }
  }
  w.forEach((v, i) => assert.ok(Math.abs(model.params[i] - v) < 1e-5 * (1 + Math.abs(v)), `param ${i}: ${model.params[i]} vs ${v}`));
});
