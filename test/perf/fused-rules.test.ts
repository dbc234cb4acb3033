// Every fused optimizer kernel (src/optim/fused.ts) through the Optimizer that picks it: float32 params in
// the wasm arena take the kernel, the same params in a plain Float32Array the TS rule (itself checked
// against torch in test/optim); the trajectories agree to float32 rounding over 40 steps, with the options
// each kernel implements. The non-finite checks that ride along the step leave params and state untouched
// on a bad gradient; float64 stays bit-for-bit the TS rule; the threaded split gives the same numbers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend } from '../../src/tensor/backend.ts';
import { enableThreads, disableThreads, parallelThresholds, splitPolicy } from '../../src/tensor/backend-node.ts';
import { createOptimizer, type Optimizer } from '../../src/optim/index.ts';
import { fusedRuleNames } from '../../src/optim/fused.ts';

const be = getBackend()!;
const N = 1003; // not a multiple of 8: the SIMD body and the scalar tail both run

// a fixed quadratic with different curvatures per coordinate, g = c·x − d, evaluated in float32
const c = Float32Array.from({ length: N }, (_, i) => 0.5 + ((i * 37) % 101) / 25);
const d = Float32Array.from({ length: N }, (_, i) => Math.sin(i * 0.7) * 2);
const x0 = Float32Array.from({ length: N }, (_, i) => Math.cos(i * 1.3));

function trajectory(name: string, opts: Record<string, unknown>, arena: boolean, steps = 40): { path: Float32Array[]; opt: Optimizer } {
  const x = arena ? be.allocF32(N) : new Float32Array(N), g = arena ? be.allocF32(N) : new Float32Array(N);
  x.set(x0);
  const opt = createOptimizer(name, { params: x, grads: g }, opts);
  const path: Float32Array[] = [];
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < N; i++) g[i] = c[i] * x[i] - d[i];
    assert.equal(opt.stepChecked(), 'ok');
    path.push(x.slice());
  }
  return { path, opt };
}

const cases: [string, Record<string, unknown>][] = [
  ['adam', { lr: 0.01 }],
  ['adam', { lr: 0.01, weightDecay: 0.1, amsgrad: true, maximize: false }],
  ['adam', { lr: 0.02, betas: [0.8, 0.99], biasCorrection: false }],
  ['adamw', { lr: 0.01 }],
  ['adamw', { lr: 0.01, weightDecay: 0.3, amsgrad: true }],
  ['sgd', { lr: 0.01 }],
  ['sgd', { lr: 0.01, momentum: 0.9 }],
  ['sgd', { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 0.01 }],
  ['sgd', { lr: 0.01, momentum: 0.5, dampening: 0.3 }],
  ['rmsprop', { lr: 0.001 }],
  ['rmsprop', { lr: 0.001, momentum: 0.9, centered: true, weightDecay: 0.01 }],
  ['rmsprop', { lr: 0.001, epsInside: true, alpha: 0.9 }],
  ['adagrad', { lr: 0.1 }],
  ['adagrad', { lr: 0.1, lrDecay: 0.01, weightDecay: 0.01, initialAccumulatorValue: 0.1 }],
  ['adamax', { lr: 0.01 }],
  ['adamax', { lr: 0.01, weightDecay: 0.05, betas: [0.85, 0.995] }],
];

test('every fused rule is covered here', () => {
  assert.deepEqual([...new Set(cases.map(([n]) => n))].sort(), [...fusedRuleNames].sort());
});

for (const [name, opts] of cases) {
  for (const maximize of [false, true]) {
    const o = { ...opts, maximize };
    test(`${name} ${JSON.stringify(o)}: the fused kernel's trajectory is the TS rule's to float32 rounding`, () => {
      const fused = trajectory(name, o, true);
      const plain = trajectory(name, o, false);
      assert.equal(fused.opt.usesFusedStep(), true, 'arena float32 params take the kernel');
      assert.equal(plain.opt.usesFusedStep(), false, 'plain Float32Array params take the TS rule');
      for (let t = 0; t < fused.path.length; t++) {
        for (let i = 0; i < N; i++) {
          const a = fused.path[t][i], b = plain.path[t][i];
          // f32 lanes vs f64-then-rounded: a few ulps per step, compounding over 40 steps
          assert.ok(Math.abs(a - b) <= 2e-5 * Math.max(1, Math.abs(b)), `step ${t + 1}, x[${i}]: fused ${a}, TS ${b}`);
        }
      }
      // the state is the same record with the same buffers (checkpoints do not care which path ran)
      const sf = fused.opt.stateDict().state[0], sp = plain.opt.stateDict().state[0];
      assert.deepEqual(Object.keys(sf).sort(), Object.keys(sp).sort());
      assert.equal(sf.step, sp.step);
    });
  }
}

test('a non-finite gradient: stepChecked reports it and changes nothing (params, state, step count); a non-finite result is reported', () => {
  for (const name of fusedRuleNames) {
    const x = be.allocF32(N), g = be.allocF32(N);
    x.set(x0);
    const opt = createOptimizer(name, { params: x, grads: g }, { lr: 0.01, ...(name === 'sgd' ? { momentum: 0.9 } : {}) });
    for (let i = 0; i < N; i++) g[i] = c[i] * x[i] - d[i];
    assert.equal(opt.stepChecked(), 'ok');
    const before = { x: x.slice(), state: opt.stateDict() };
    for (const bad of [NaN, Infinity, -Infinity]) {
      g[N - 1] = bad; // in the scalar tail
      assert.equal(opt.stepChecked(), 'grads', `${name}: ${bad} in the tail`);
      g[N - 1] = 0; g[8] = bad; // in the SIMD body
      assert.equal(opt.stepChecked(), 'grads', `${name}: ${bad} in the body`);
      g[8] = 0;
      assert.deepEqual(x, before.x, `${name}: params untouched`);
      assert.deepEqual(opt.stateDict(), before.state, `${name}: state untouched`);
    }
    x.fill(0); g.fill(0);
    x[5] = Infinity;
    assert.equal(opt.stepChecked(), 'params', `${name}: an infinite parameter stays infinite and is reported`);
  }
});

test('several groups: one bad gradient anywhere and no group is updated', () => {
  const p1 = be.allocF32(40), g1 = be.allocF32(40), p2 = be.allocF32(24), g2 = be.allocF32(24);
  p1.fill(1); p2.fill(2); g1.fill(0.5); g2.fill(0.25);
  const opt = createOptimizer('adam', [{ params: p1, grads: g1 }, { params: p2, grads: g2 }], { lr: 0.1 });
  g2[20] = NaN;
  assert.equal(opt.stepChecked(), 'grads');
  assert.ok(p1.every((v) => v === 1) && p2.every((v) => v === 2));
  assert.equal(opt.state[0].step, 0);
  g2[20] = 0.25;
  assert.equal(opt.stepChecked(), 'ok');
  assert.ok(Math.abs(p1[0] - 0.9) < 1e-6 && Math.abs(p2[0] - 1.9) < 1e-6, 'Adam\'s first step is lr·sign(g)');
});

test('float64 takes the TS rule bit for bit (no kernel, state in Float64Array)', () => {
  for (const name of fusedRuleNames) {
    const x = Float64Array.from(x0), g = new Float64Array(N);
    const opt = createOptimizer(name, { params: x, grads: g }, { lr: 0.01 });
    assert.equal(opt.usesFusedStep(), false);
    const y = Float64Array.from(x0), h = new Float64Array(N);
    const ref = createOptimizer(name, { params: y, grads: h }, { lr: 0.01 });
    for (let t = 0; t < 5; t++) {
      for (let i = 0; i < N; i++) { g[i] = c[i] * x[i] - d[i]; h[i] = c[i] * y[i] - d[i]; }
      opt.stepChecked();
      ref.rule.update(y, h, ref.state[0] as never, ref.paramGroups[0].options as never);
    }
    assert.deepEqual(x, y, name);
  }
});

test('threaded steps (the elements split over 2 threads) give the single-thread numbers and the same checks', () => {
  const saved = parallelThresholds.optimElements;
  parallelThresholds.optimElements = 64;
  splitPolicy.mode = 'always'; // every step split, whatever the chooser would measure
  after(() => { parallelThresholds.optimElements = saved; splitPolicy.mode = 'measure'; disableThreads(); });
  const single = cases.map(([name, o]) => trajectory(name, o, true, 10).path);
  assert.equal(enableThreads(2, 1024), 2);
  cases.forEach(([name, o], k) => {
    const threaded = trajectory(name, o, true, 10).path;
    assert.deepEqual(threaded, single[k], `${name} ${JSON.stringify(o)}`);
  });
  const x = be.allocF32(N), g = be.allocF32(N);
  x.set(x0);
  const opt = createOptimizer('adam', { params: x, grads: g }, { lr: 0.01 });
  g[N - 2] = NaN;
  assert.equal(opt.stepChecked(), 'grads');
  assert.deepEqual(x, x0);
  g[N - 2] = 0; x[N - 3] = Infinity; // in the worker's half (the main thread takes the first 512)
  assert.equal(opt.stepChecked(), 'params', 'a worker\'s range reports its non-finite parameter');
});
