import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena } from '../../src/tensor/arena.js';
import { tensor, withArena } from '../../src/autograd/index.js';
import { buildModel, crossEntropy } from '../../src/nn/index.js';
import { Rng } from '../../src/tensor/rng.js';

test('a steady-state training step takes every intermediate from the arena (no new buffers after step 1)', () => {
  const model = buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [8, 5], dropout: 0.2, rng: new Rng(4) });
  const x = new Rng(5).fillNormal(new Float32Array(10 * 6));
  const y = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
  const arena = new Arena();
  const losses: number[] = [];
  let afterFirst = 0;
  for (let step = 0; step < 5; step++) {
    model.zeroGrad();
    losses.push(withArena(arena, () => {
      const l = crossEntropy(model.forward(tensor(x, [10, 6])), y);
      l.backward();
      return l.item();
    }));
    arena.reset();
    for (let i = 0; i < model.params.length; i++) model.params[i] -= 0.1 * model.grads[i];
    if (step === 0) afterFirst = arena.created;
  }
  assert.ok(afterFirst > 0);
  assert.equal(arena.created, afterFirst);
  assert.ok(losses[4] < losses[0]);
});

test('buffers handed out again are zeroed', () => {
  const a = new Arena();
  const b1 = a.take('float64', 4);
  b1.fill(7);
  a.reset();
  const b2 = a.take('float64', 4);
  assert.equal(b2, b1);
  assert.deepEqual([...b2], [0, 0, 0, 0]);
  assert.notEqual(a.take('float32', 4), b1);
});
