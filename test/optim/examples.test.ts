// The TSDoc examples of createOptimizer and createSchedule, run as written; the printed lines are the ones
// in the docs. Worked by hand: with a constant gradient Adam's m̂ = g and v̂ = g², so each step is
// lr·g/(|g| + eps) = lr·sign(g)·(1 − O(1e-8)): three steps of lr 0.1 take 1 → 0.7 and −2 → −1.7;
// StepLR halves the lr every 2 steps: 0.1 0.1 0.05 0.05 0.025 0.025.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOptimizer } from '../../src/optim/index.js';
import { createSchedule } from '../../src/schedule/index.js';

test('createOptimizer example prints 0.7000 -1.7000', () => {
  const x = Float64Array.of(1, -2), g = new Float64Array(2);
  const opt = createOptimizer('adam', { params: x, grads: g }, { lr: 0.1 });
  for (let t = 0; t < 3; t++) {
    opt.zeroGrad();
    g[0] = 1; g[1] = -3;
    opt.step();
  }
  assert.equal(Array.from(x, (v) => v.toFixed(4)).join(' '), '0.7000 -1.7000');
});

test('createSchedule example prints 0.1 0.1 0.05 0.05 0.025 0.025', () => {
  const s = createSchedule('step:stepSize=2,gamma=0.5', 0.1);
  const lrs = [s.lr];
  for (let t = 0; t < 5; t++) lrs.push(s.step());
  assert.equal(lrs.join(' '), '0.1 0.1 0.05 0.05 0.025 0.025');
});
