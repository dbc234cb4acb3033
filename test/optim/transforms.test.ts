// Composable transforms: clipping against its definition (torch.nn.utils.clip_grad_norm_ / clip_grad_value_),
// decoupled weight decay against L2 in the gradient (they coincide for SGD and differ for Adam), and a
// chain reproducing torch's AdamW.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chain, clipByGlobalNorm, clipByValue, addDecayedWeights, scaleByAdam, scaleByLearningRate, transformStepper, createOptimizer,
} from '../../src/optim/index.js';
import { makeObjective } from '../../src/objectives/index.js';

const rosen = makeObjective('rosenbrock', 2);
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));

test('clipByGlobalNorm scales by maxNorm/(‖g‖ + 1e-6) only when that is below 1; clipByValue clamps', () => {
  const t = clipByGlobalNorm(1);
  const u = Float64Array.of(3, 4); // ‖u‖ = 5
  t.update(u, t.init(2, Float64Array), u);
  assert.ok(Math.abs(u[0] - 3 / (5 + 1e-6)) < 1e-15 && Math.abs(u[1] - 4 / (5 + 1e-6)) < 1e-15);
  const small = Float64Array.of(0.3, 0.4);
  t.update(small, null, small);
  assert.deepEqual(Array.from(small), [0.3, 0.4]);
  const v = clipByValue(0.5);
  const w = Float64Array.of(-2, 0.25, 0.7);
  v.update(w, null, w);
  assert.deepEqual(Array.from(w), [-0.5, 0.25, 0.5]);
});

test('SGD: L2 in the gradient and decoupled weight decay give the same steps', () => {
  const lr = 1e-3, wd = 0.1;
  const a = Float64Array.of(-1.5, 2), ga = new Float64Array(2);
  const l2 = createOptimizer('sgd', { params: a, grads: ga }, { lr, weightDecay: wd });
  const b = Float64Array.of(-1.5, 2), gb = new Float64Array(2);
  // decoupled decay sits just before the learning rate (as in the AdamW chain below); with no adaptive
  // scaling in between, that is the same place as L2 in the gradient: θ − lr(g + λθ)
  const decoupled = transformStepper(chain(addDecayedWeights(wd), scaleByLearningRate(lr)), b, gb);
  for (let t = 0; t < 500; t++) {
    rosen.valueAndGrad(a, ga); l2.step();
    rosen.valueAndGrad(b, gb);
    decoupled.step();
    for (let i = 0; i < 2; i++) assert.ok(rel(b[i], a[i]) < 1e-12);
  }
});

test("Adam: decoupled decay (chain ≡ torch's AdamW) differs from L2 in the gradient (torch's Adam weightDecay)", () => {
  const lr = 0.01, wd = 0.5;
  const w = Float64Array.of(-1.5, 2), gw = new Float64Array(2);
  const adamw = createOptimizer('adamw', { params: w, grads: gw }, { lr, weightDecay: wd });
  const a = Float64Array.of(-1.5, 2), ga = new Float64Array(2);
  const adamL2 = createOptimizer('adam', { params: a, grads: ga }, { lr, weightDecay: wd });
  const c = Float64Array.of(-1.5, 2), gc = new Float64Array(2);
  // AdamW: θ ← θ(1 − lr·λ) − lr·m̂/(√v̂ + eps) = θ + (−lr)·(adam direction + λθ)
  const chained = transformStepper(chain(scaleByAdam([0.9, 0.999], 1e-8), addDecayedWeights(wd), scaleByLearningRate(lr)), c, gc);
  let gap = 0;
  for (let t = 0; t < 300; t++) {
    rosen.valueAndGrad(w, gw); adamw.step();
    rosen.valueAndGrad(a, ga); adamL2.step();
    rosen.valueAndGrad(c, gc); chained.step();
    for (let i = 0; i < 2; i++) {
      assert.ok(rel(c[i], w[i]) < 1e-10, `step ${t}: chain ${c[i]} vs adamw ${w[i]}`);
      gap = Math.max(gap, Math.abs(a[i] - w[i]));
    }
  }
  assert.ok(gap > 0.05, `L2 and decoupled decay should part ways for Adam (gap ${gap})`);
});

test('clipping composes with any step: chain(clipByGlobalNorm(1), scaleByLearningRate(lr)) never moves farther than lr', () => {
  const x = Float64Array.of(-1.5, 2), g = new Float64Array(2);
  const s = transformStepper(chain(clipByGlobalNorm(1), scaleByLearningRate(0.01)), x, g);
  for (let t = 0; t < 200; t++) {
    const before = Array.from(x);
    rosen.valueAndGrad(x, g);
    s.step();
    assert.ok(Math.hypot(x[0] - before[0], x[1] - before[1]) <= 0.01 + 1e-15);
  }
});
