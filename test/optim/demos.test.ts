// The lectures' demos. References are closed forms (GD on x² is x_t = x0·(1 − 2η)^t), the known minima
// of the functions, and the stability bound of GD at a minimum (|1 − η·f''| < 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFirstOrder } from '../../src/search/index.js';
import { makeObjective, XCOS_C } from '../../src/objectives/index.js';
import { DescentError } from '../../src/errors.js';

const square = makeObjective('square');
const gd = (lr: number, steps: number, x0 = 10) => runFirstOrder({ objective: square, x0: [x0], optimizer: 'sgd', options: { lr }, steps });

test('GD on x² from 10: η = 0.2 converges in 10 steps (x_t = 10·0.6^t)', () => {
  const r = gd(0.2, 10);
  r.path.forEach((p, t) => assert.ok(Math.abs(p[0] - 10 * 0.6 ** t) <= 1e-14 * 10, `step ${t}`));
  assert.ok(Math.abs(r.path[10][0]) < 0.061 && r.values[10] < 0.004); // 10·0.6¹⁰ = 0.0605, f = 0.00366
});

test('GD on x² from 10: η = 0.05 crawls (x_t = 10·0.9^t: still 3.49 after 10 steps)', () => {
  const r = gd(0.05, 10);
  r.path.forEach((p, t) => assert.ok(Math.abs(p[0] - 10 * 0.9 ** t) <= 1e-14 * 10, `step ${t}`));
  assert.ok(r.path[10][0] > 3.4);
});

test('GD on x² from 10: η = 1.1 diverges (x_t = 10·(−1.2)^t), and the run stops with a divergence error', () => {
  const r = gd(1.1, 10);
  r.path.forEach((p, t) => assert.ok(Math.abs(p[0] - 10 * (-1.2) ** t) <= 1e-13 * Math.abs(10 * 1.2 ** t), `step ${t}`));
  assert.ok(Math.abs(r.path[10][0]) > 60);
  // f = x² overflows once 10·1.2^t > 1.34e154, at t = 1934
  assert.throws(() => gd(1.1, 3000), (e: unknown) => e instanceof DescentError && e.kind === 'run' && /^diverged at step 1934: f is Infinity; try --lr 0.11 or lower$/.test(e.message));
});

test('xcos, η = 2: GD stops at the local minimum x ≈ −1.83, never at the lower one x ≈ 7.27', () => {
  const xcos = makeObjective('xcos');
  const c = XCOS_C;
  // the minima solve f'(x) = cos(cx) − cx·sin(cx) = 0; bisection gives them independently of the optimizer
  const fp = (x: number): number => Math.cos(c * x) - c * x * Math.sin(c * x);
  const root = (a: number, b: number): number => { for (let i = 0; i < 200; i++) { const m = (a + b) / 2; if (fp(a) * fp(m) <= 0) b = m; else a = m; } return (a + b) / 2; };
  const local = root(-3, -1), lower = root(6, 8);
  const fpp = (x: number): number => -2 * c * Math.sin(c * x) - c * c * x * Math.cos(c * x);
  // η = 2 is stable at the local minimum (|1 − 2f''| < 1) and unstable at the lower one (|1 − 2f''| > 1)
  assert.ok(Math.abs(1 - 2 * fpp(local)) < 1 && Math.abs(1 - 2 * fpp(lower)) > 1);
  for (const x0 of [-8, -4, 0, 3, 6, 8]) {
    const r = runFirstOrder({ objective: xcos, x0: [x0], optimizer: 'sgd', options: { lr: 2 }, steps: 1000 });
    assert.ok(Math.abs(r.path[1000][0] - local) < 1e-9, `from ${x0}: ${r.path[1000][0]}`);
    assert.equal(r.converged, true);
  }
  // with a small step from 6 GD settles in the lower minimum instead
  const r = runFirstOrder({ objective: xcos, x0: [6], optimizer: 'sgd', options: { lr: 0.1 }, steps: 1000 });
  assert.ok(Math.abs(r.path[1000][0] - lower) < 1e-9);
});

const beale = makeObjective('beale');
const methods: [string, string, Record<string, unknown>][] = [
  ['gd', 'sgd', { lr: 1e-3 }],
  ['momentum', 'sgd', { lr: 1e-3, momentum: 0.9 }],
  ['nesterov', 'sgd', { lr: 1e-3, momentum: 0.9, nesterov: true }],
  ['adagrad', 'adagrad', { lr: 0.1 }],
  ['rmsprop', 'rmsprop', { lr: 1e-3 }],
  ['rmsprop+momentum', 'rmsprop', { lr: 5e-4, momentum: 0.9 }],
  ['adam', 'adam', { lr: 0.01 }],
];

test('Beale from (2, −2), 10,000 steps: every method runs; gd, rmsprop, rmsprop+momentum and adam reach (3, 0.5)', () => {
  const f0 = beale.value(Float64Array.of(2, -2));
  for (const [label, name, o] of methods) {
    const r = runFirstOrder({ objective: beale, x0: [2, -2], optimizer: name, options: o, steps: 10000 });
    assert.equal(r.path.length, 10001);
    const [x, y] = r.path[10000];
    assert.ok(Number.isFinite(x) && Number.isFinite(y) && r.values[10000] < f0, `${label}: f ${r.values[10000]} vs f0 ${f0}`);
    if (['gd', 'rmsprop', 'rmsprop+momentum', 'adam'].includes(label)) {
      assert.ok(Math.abs(x - 3) < 0.02 && Math.abs(y - 0.5) < 0.01 && r.values[10000] < 1e-4, `${label} ended at (${x}, ${y})`);
    }
  }
});

test('Beale from (−3, 3), 10,000 steps: gradients near 4e3 make GD with η = 1e-3 diverge; smaller steps run', () => {
  assert.throws(
    () => runFirstOrder({ objective: beale, x0: [-3, 3], optimizer: 'sgd', options: { lr: 1e-3 }, steps: 10000 }),
    (e: unknown) => e instanceof DescentError && e.kind === 'run' && /^diverged at step \d+: .*try --lr 0\.0001 or lower$/.test(e.message),
  );
  const f0 = beale.value(Float64Array.of(-3, 3));
  const lrs: Record<string, number> = { gd: 1e-4, momentum: 1e-4, nesterov: 1e-5, 'rmsprop+momentum': 5e-5 };
  for (const [label, name, o] of methods) {
    const opts = { ...o, ...(label in lrs ? { lr: lrs[label] } : {}) };
    const r = runFirstOrder({ objective: beale, x0: [-3, 3], optimizer: name, options: opts, steps: 10000 });
    assert.ok(r.values[10000] < f0, `${label}`);
    if (label === 'momentum') {
      const [x, y] = r.path[10000];
      assert.ok(Math.abs(x - 3) < 0.05 && Math.abs(y - 0.5) < 0.02, `momentum ended at (${x}, ${y})`);
    }
  }
});
