// Checkpoints at the library level: a Trainer stopped mid-epoch, serialized, parsed and loaded into a
// freshly built one (other init seed, other RNG seeds) continues bit-identically to an uninterrupted run,
// with shuffling, dropout, a plateau schedule and early-stopping state in play.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../src/nn/index.js';
import { createOptimizer } from '../../src/optim/index.js';
import { createSchedule } from '../../src/schedule/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { Trainer, serializeCheckpoint, parseCheckpoint, loadCheckpoint } from '../../src/train/index.js';
import { DescentError } from '../../src/errors.js';
import { serializeSafetensors } from '../../src/io/safetensors.js';
import type { Dataset } from '../../src/data/index.js';

const rng = new Rng(11);
const n = 90, d = 5;
const x = new Float32Array(n * d).map(() => rng.normal());
const y = new Float64Array(n).map((_, i) => (x[i * d] + x[i * d + 1] > 0 ? 1 : 0) + (x[i * d + 2] > 0.5 ? 1 : 0));
const all: Dataset = { x, y, n, d, featureNames: ['a', 'b', 'c', 'd', 'e'], targetName: 'y', numClasses: 3 };
const train = { ...all, x: x.subarray(0, 72 * d), y: y.subarray(0, 72), n: 72 };
const val = { ...all, x: x.subarray(72 * d), y: y.subarray(72), n: 18 };

function make(seed: number): Trainer {
  const model = buildModel({ kind: 'mlp', hidden: [12], dropout: 0.25, inFeatures: d, outFeatures: 3, rng: new Rng(seed) });
  const optimizer = createOptimizer('adam', { params: model.params, grads: model.grads }, { lr: 0.02 });
  const schedule = createSchedule('plateau:patience=1,factor=0.5', 0.02);
  return new Trainer({ model, loss: 'ce', optimizer, schedule, train, val, batch: 10, shuffle: true, rng: new Rng(seed + 1), earlyStopping: 50, l2: 1e-3 });
}

function run(t: Trainer, batches: number): void {
  for (let b = 0; b < batches; b++) {
    if (!t.epochUnfinished) t.endEpoch();
    t.step();
  }
}

test('a checkpoint taken mid-epoch resumes bit-identically (model, adam state, plateau, RNGs, epoch position)', () => {
  const straight = make(1);
  run(straight, 40);
  const first = make(1);
  run(first, 17); // 8 batches per epoch: stopped in epoch 3, batch 1
  assert.equal(first.state.batchInEpoch, 1);
  const bytes = serializeCheckpoint(first, { note: 'test' });
  const c = parseCheckpoint(bytes, 'ck');
  assert.deepEqual(c.config, { note: 'test' });
  const second = make(99); // other init and RNG seeds: everything must come from the checkpoint
  loadCheckpoint(second, c, 'ck');
  run(second, 23);
  assert.deepEqual(Array.from(second.o.model.params), Array.from(straight.o.model.params));
  assert.deepEqual(second.state.history, straight.state.history);
  assert.equal(second.state.lossSum, straight.state.lossSum);
});

test('parseCheckpoint refuses a plain model file and a truncated file', () => {
  const t = make(2);
  const bytes = serializeCheckpoint(t, {});
  const plain = serializeSafetensors({ '0.weight': { shape: [2, 2], data: new Float32Array(4) } });
  assert.throws(() => parseCheckpoint(plain, 'm.safetensors'), (e: unknown) => e instanceof DescentError && /^m\.safetensors: not a descent checkpoint/.test(e.message));
  assert.throws(() => parseCheckpoint(bytes.subarray(0, bytes.length - 4), 'ck'), (e: unknown) => e instanceof DescentError && e.kind === 'input' && /^ck: /.test(e.message));
});
