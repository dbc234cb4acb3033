// The library's entry points refuse bad options with a clear Error (a DescentError of kind 'input' that names
// the option, what was expected and, for optimizers, torch.optim's own words), and the Trainer's
// skip-batch mode leaves parameters and optimizer state bit-for-bit untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescentError } from '../../src/errors.js';
import { buildModel } from '../../src/nn/index.js';
import { createOptimizer } from '../../src/optim/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { Trainer, type TrainerOptions } from '../../src/train/index.js';
import type { Dataset } from '../../src/data/index.js';

function dataset(x: number[][], y: number[]): Dataset {
  const d = x[0].length;
  return { x: Float32Array.from(x.flat()), y: Float64Array.from(y), n: x.length, d, featureNames: x[0].map((_, j) => `f${j}`), targetName: 'y', numClasses: 0 };
}
const isInput = (re: RegExp) => (e: unknown) => e instanceof DescentError && e.kind === 'input' && re.test(e.message);

test('optimizer constructors: out-of-range hyperparameters throw naming the option, the range, the value and torch\'s words', () => {
  const p = { params: new Float64Array(2), grads: new Float64Array(2) };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['adam', { lr: -1 }, /^lr: expected a number >= 0, got -1 \(invalid learning rate\)$/],
    ['adam', { eps: -1e-8 }, /^eps: expected a number >= 0, got -1e-8 \(invalid epsilon value\)$/],
    ['adam', { betas: [1, 0.999] }, /^betas\[0\]: expected a number in \[0, 1\), got 1 \(invalid beta parameter at index 0\)$/],
    ['adamw', { betas: [0.9, 1.5] }, /^betas\[1\]: .* \(invalid beta parameter at index 1\)$/],
    ['sgd', { lr: 0.1, momentum: -0.1 }, /^momentum: expected a number >= 0, got -0\.1 \(invalid momentum value\)$/],
    ['adagrad', { weightDecay: -0.5 }, /^weightDecay: expected a number >= 0, got -0\.5 \(invalid weight_decay value\)$/],
    ['rmsprop', { alpha: -0.1 }, /^alpha: .* \(invalid alpha value\)$/],
    ['adadelta', { rho: 1.1 }, /^rho: .* \(invalid rho value\)$/],
    ['adam', { lr: Infinity }, /^lr: expected a number >= 0, got Infinity \(invalid learning rate\)$/],
  ];
  for (const [name, o, re] of cases) assert.throws(() => createOptimizer(name, p, o), isInput(re), `${name} ${JSON.stringify(o)}`);
});

test('Trainer: bad options throw an input error naming the option (never a hang or a silent default)', () => {
  const ds = dataset([[1], [2], [3]], [1, 2, 3]);
  const make = (over: Partial<TrainerOptions>) => {
    const model = buildModel({ kind: 'linear', inFeatures: 1, outFeatures: 1, rng: new Rng(0) });
    const optimizer = createOptimizer('sgd', { params: model.params, grads: model.grads }, { lr: 0.1 });
    return new Trainer({ model, loss: 'mse', optimizer, train: ds, batch: 1, shuffle: false, rng: new Rng(1), ...over });
  };
  const cases: [Partial<TrainerOptions>, RegExp][] = [
    [{ batch: 0 }, /^Trainer: batch: expected 'full' or an integer >= 1, got 0$/],
    [{ batch: 1.5 }, /^Trainer: batch: /],
    [{ l2: -1 }, /^Trainer: l2: expected a number >= 0, got -1$/],
    [{ clipNorm: NaN }, /^Trainer: clipNorm: expected a number >= 0/],
    [{ earlyStopping: 2.5 }, /^Trainer: earlyStopping: expected an integer >= 0/],
    [{ onNonfinite: 'ignore' as never }, /^Trainer: onNonfinite: expected 'stop' or 'skip-batch', got "ignore"$/],
    [{ scheduleEvery: 'week' as never }, /^Trainer: scheduleEvery: expected 'epoch' or 'batch'/],
    [{ val: dataset([[1, 2]], [0]) }, /^Trainer: val: expected 1 features, as train has, got 2$/],
    [{ train: { ...ds, n: 0, x: new Float32Array(0), y: new Float64Array(0) } }, /^Trainer: train: expected at least one row, got 0$/],
  ];
  for (const [over, re] of cases) assert.throws(() => make(over), isInput(re), JSON.stringify(over));
});

test('Trainer skip-batch: a batch with an infinite loss changes no parameter and no optimizer state; stop throws with the step', () => {
  // rows 1 and 3 are fine; row 2's squared error overflows float32 (x = 1e30)
  const ds = dataset([[1], [1e30], [2]], [1, 0, 2]);
  const build = (mode: 'stop' | 'skip-batch') => {
    const model = buildModel({ kind: 'linear', inFeatures: 1, outFeatures: 1, rng: new Rng(0) });
    model.params.set([0.5, 0]);
    const optimizer = createOptimizer('adam', { params: model.params, grads: model.grads }, { lr: 0.1 });
    return { model, optimizer, trainer: new Trainer({ model, loss: 'mse', optimizer, train: ds, batch: 1, shuffle: false, rng: new Rng(1), onNonfinite: mode }) };
  };
  const { model, optimizer, trainer } = build('skip-batch');
  const l1 = trainer.step();
  assert.equal(l1, (0.5 - 1) ** 2); // (w·1 + b − 1)² at w = 0.5, b = 0
  const params = model.params.slice();
  const state = optimizer.stateDict();
  assert.ok(Number.isNaN(trainer.step()));
  assert.deepEqual(model.params, params, 'parameters untouched');
  assert.deepEqual(optimizer.stateDict(), state, "optimizer state untouched (Adam's step count too)");
  assert.equal(trainer.state.skippedBatches, 1);
  trainer.step();
  const { metrics } = trainer.endEpoch();
  assert.equal(metrics.skippedBatches, 1);
  assert.equal(optimizer.state[0].step, 2, 'two updates, for the two good rows');

  const stop = build('stop').trainer;
  stop.step();
  assert.throws(() => stop.step(), (e: unknown) => e instanceof DescentError && e.kind === 'run' && /^diverged at step 2 \(epoch 1, batch 2\): loss is Infinity; try --lr 0\.01 or lower$/.test(e.message));
});

test('Trainer: a finite loss with an overflowing gradient is caught before the update (stop) or skipped (skip-batch)', () => {
  // one row x = 1e20 at w = 0.18: r = 1.8e19, loss r² = 3.24e38 fits float32, ∂/∂w = 2·r·x = 3.6e39 does not
  const ds = dataset([[1e20]], [0]);
  for (const mode of ['stop', 'skip-batch'] as const) {
    const model = buildModel({ kind: 'linear', inFeatures: 1, outFeatures: 1, rng: new Rng(0) });
    model.params.set([0.18, 0]);
    const before = model.params.slice();
    const optimizer = createOptimizer('sgd', { params: model.params, grads: model.grads }, { lr: 0.1 });
    const trainer = new Trainer({ model, loss: 'mse', optimizer, train: ds, batch: 1, shuffle: false, rng: new Rng(1), onNonfinite: mode });
    if (mode === 'stop') {
      assert.throws(() => trainer.step(), (e: unknown) => e instanceof DescentError && e.kind === 'run' && e.message === 'diverged at step 1 (epoch 1, batch 1): the gradient is not finite; before any update, so the initial weights (--init) or the data give it: check them (standardize the features, scale very large targets)');
      // no update has been taken at step 1: a lower lr cannot help, so none is advised (issue 19, item 11)
    } else {
      assert.ok(Number.isNaN(trainer.step()));
      assert.equal(trainer.state.skippedBatches, 1);
      // the only batch of the epoch was skipped: the epoch stops the run
      assert.throws(() => trainer.endEpoch(), /^DescentError: diverged at step 1 \(end of epoch 1\): all 1 batches of the epoch/);
    }
    assert.deepEqual(model.params, before, `${mode}: weights untouched`);
  }
});
