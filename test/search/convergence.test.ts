// The convergence picture's numbers on exp-sum (minimizer x* = (1, −2, 0.5) in closed form): the rates
// the lectures name, read off the error sequences ‖x_k − x*‖∞.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeObjective } from '../../src/objectives/index.js';
import { convergenceSeries } from '../../src/search/index.js';

test('convergence: newton quadratic, bfgs/lbfgs superlinear, gd-backtracking and sgd linear', () => {
  const report = convergenceSeries();
  assert.equal(report.error, 'distance');
  const by = Object.fromEntries(report.series.map((s) => [s.label.split(' ')[0], s]));
  assert.deepEqual(Object.keys(by), ['newton', 'bfgs', 'lbfgs', 'gd-backtracking', 'sgd']);
  const final = (k: string): number => by[k].y[by[k].y.length - 1];
  const iters = (k: string): number => by[k].x[by[k].x.length - 1];
  // Newton: down to rounding in ≤ 10 iterations; BFGS and L-BFGS in ≤ 25
  assert.ok(final('newton') < 1e-12 && iters('newton') <= 10, `newton ${final('newton')} at ${iters('newton')}`);
  for (const k of ['bfgs', 'lbfgs']) assert.ok(final(k) < 1e-10 && iters(k) <= 25, `${k} ${final(k)} at ${iters(k)}`);
  // superlinear: the ratio e_{k+1}/e_k of the last steps above 1e-12 tends to 0
  for (const k of ['bfgs', 'lbfgs']) {
    const y = by[k].y.filter((v) => v > 1e-12);
    const r = y[y.length - 1] / y[y.length - 2];
    assert.ok(r < 0.1, `${k}: last ratio ${r}`);
  }
  // linear: after 100 iterations far from rounding, with a steady ratio below 1
  for (const k of ['gd-backtracking', 'sgd']) {
    const y = by[k].y;
    assert.equal(iters(k), 100);
    assert.ok(final(k) > 1e-8, `${k} ${final(k)}`);
    const r1 = Math.pow(y[100] / y[80], 1 / 20), r2 = Math.pow(y[80] / y[60], 1 / 20);
    assert.ok(r1 < 1 && r2 < 1 && Math.abs(r1 - r2) < 0.02, `${k}: rates ${r1}, ${r2}`);
  }
  assert.ok(final('gd-backtracking') < final('sgd'));
});

test('convergence on a function without a closed-form minimizer uses |f − f*|', () => {
  const report = convergenceSeries({ objective: makeObjective('beale', 2), x0: [1, 1], maxIter: 50, sgdLr: 0.01 });
  assert.equal(report.error, 'distance'); // beale's minimum (3, 0.5) is known to the objective
  const quad = makeObjective({ name: 'quadratic', A: [[2, 0], [0, 1]], b: [1, 1] }, 2);
  const r2 = convergenceSeries({ objective: quad, x0: [0, 0], maxIter: 20 });
  if (quad.minimum === undefined) assert.equal(r2.error, 'value');
  for (const s of r2.series) assert.ok(s.y.every((v) => v > 0 && Number.isFinite(v)));
});
