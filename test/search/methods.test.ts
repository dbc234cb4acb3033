// Line searches, Newton's rate, the stop reasons, option checks, counting and the full-batch adapter.
// References: hand-worked Armijo steps, closed-form minimizers, the strong Wolfe inequalities themselves,
// analytic Hessians (src/objectives, checked there against torch autograd), normal equations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeObjective } from '../../src/objectives/index.js';
import {
  backtracking,
  counted,
  cubicMinimizer,
  expSumObjective,
  convergenceProblem,
  finiteDifferenceHessian,
  LineSearchWork,
  minimize,
  minimizeParams,
  strongWolfe,
  type SearchObjective,
} from '../../src/search/index.js';
import { newtonRule } from '../../src/search/newton.js';

const maxAbs = (v: ArrayLike<number>): number => Math.max(...Array.from(v, Math.abs));

test('cubicMinimizer is exact on a cubic: p(t) = t³ − 3t has its minimum at t = 1', () => {
  // p(0) = 0, p'(0) = −3; p(2) = 2, p'(2) = 9
  assert.ok(Math.abs(cubicMinimizer(0, 0, -3, 2, 2, 9) - 1) < 1e-15);
  assert.ok(Math.abs(cubicMinimizer(2, 2, 9, 0, 0, -3) - 1) < 1e-15);
});

test('backtracking takes the first t of 1, 0.8, 0.64, ... with Armijo: f = x², x = 1 gives t = 0.8', () => {
  // d = −f'(1) = −2; Armijo (1 − 2t)² ≤ 1 − 0.1·t·4 ⇔ 4t² − 3.6t ≤ 0 ⇔ t ≤ 0.9: t = 1 fails, 0.8 passes
  const f = makeObjective('square', 1);
  const xOut = new Float64Array(1), gOut = new Float64Array(1);
  const r = backtracking(f, Float64Array.of(1), 1, -4, Float64Array.of(-2), { c1: 0.1, shrink: 0.8, t0: 1 }, xOut, gOut);
  assert.equal(r.status, 'ok');
  assert.equal(r.t, 0.8);
  assert.ok(Math.abs(xOut[0] - -0.6) < 1e-15);
  assert.ok(Math.abs(r.f - 0.36) < 1e-15);
  assert.ok(Math.abs(gOut[0] - -1.2) < 1e-15);
});

test('strong Wolfe returns a point meeting both strong Wolfe conditions from short, unit and long first steps', () => {
  const f = makeObjective('rosenbrock', 2);
  const x = Float64Array.of(-1.2, 1);
  const g = new Float64Array(2);
  const f0 = f.valueAndGrad(x, g);
  const d = Float64Array.from(g, (v) => -v);
  const gtd0 = g[0] * d[0] + g[1] * d[1];
  for (const t0 of [1e-6, 1e-3, 1, 100]) {
    const xOut = new Float64Array(2), gOut = new Float64Array(2);
    const r = strongWolfe(f, x, f0, g, gtd0, d, t0, { c1: 1e-4, c2: 0.9, maxEvals: 25 }, new LineSearchWork(2), xOut, gOut);
    assert.equal(r.status, 'ok');
    const gtd = gOut[0] * d[0] + gOut[1] * d[1];
    assert.ok(r.f <= f0 + 1e-4 * r.t * gtd0, `t0 ${t0}: Armijo`);
    assert.ok(Math.abs(gtd) <= 0.9 * Math.abs(gtd0), `t0 ${t0}: curvature`);
    assert.ok(Math.abs(r.f - f.value(xOut)) === 0 && Math.abs(xOut[0] - (x[0] + r.t * d[0])) < 1e-15);
  }
});

test('newton converges quadratically on exp-sum (x* in closed form): e_{k+1}/e_k² stays bounded', () => {
  const { q, xStar, x0 } = convergenceProblem;
  const r = minimize(expSumObjective(q, xStar), x0, { method: 'newton', gtol: 1e-13 });
  assert.equal(r.reason, 'gtol');
  const e = r.path.map((p) => maxAbs(p.map((v, i) => v - xStar[i])));
  const ratios: number[] = [];
  for (let k = 0; k + 1 < e.length; k++) if (e[k] < 0.1 && e[k + 1] > 1e-14) ratios.push(e[k + 1] / (e[k] * e[k]));
  assert.ok(ratios.length >= 3, `quadratic phase too short: ${e}`);
  for (const c of ratios) assert.ok(c < 5, `e_{k+1}/e_k² = ${c}; errors ${e}`);
  // the full step is taken in the quadratic phase: one evaluation (plus the Hessian) per iteration
  assert.ok(r.evaluations <= r.nit + 5);
});

test('newton with a finite-difference Hessian: matches the analytic Hessian and reaches the same minimum', () => {
  const f = makeObjective('rosenbrock', 4);
  const x = Float64Array.of(-1.2, 1, 0.5, -0.3);
  const h = new Float64Array(16), hfd = new Float64Array(16);
  f.hessian!(x, h);
  finiteDifferenceHessian(f, x, hfd, new Float64Array(4), new Float64Array(4), new Float64Array(4));
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(hfd[i] - h[i]) <= 1e-6 * Math.max(1, Math.abs(h[i])), `H[${i}] ${hfd[i]} vs ${h[i]}`);
  const noHessian: SearchObjective = { n: 4, valueAndGrad: (z, g) => f.valueAndGrad(z, g) };
  const r = minimize(noHessian, [-1.2, 1, -1.2, 1], { method: 'newton', gtol: 1e-8 });
  assert.equal(r.reason, 'gtol');
  for (const v of r.x) assert.ok(Math.abs(v - 1) < 1e-6);
  assert.equal(r.hessianEvaluations, 0);
});

test('newton shifts an indefinite Hessian: from himmelblau (0, 0), a local maximum region, it still descends to a minimum', () => {
  // H(0, 0) = diag(−42, −26): the pure Newton step would climb to the maximum near (−0.27, −0.92)
  const f = makeObjective('himmelblau', 2);
  const rule = newtonRule(f, 2);
  const g = new Float64Array(2), d = new Float64Array(2);
  const x = Float64Array.of(0, 0);
  f.valueAndGrad(x, g);
  rule.direction(0, x, 0, g, d);
  assert.ok(rule.lastShift > 42, `shift ${rule.lastShift}`);
  assert.ok(g[0] * d[0] + g[1] * d[1] < 0);
  const r = minimize(f, [0, 0], { method: 'newton', gtol: 1e-10 });
  assert.equal(r.reason, 'gtol');
  assert.ok(r.fun < 1e-18, `f = ${r.fun}`);
  for (let k = 1; k < r.values.length; k++) assert.ok(r.values[k] < r.values[k - 1]);
});

test("stop reason 'gtol' for every method on booth (minimum (1, 3))", () => {
  for (const method of ['gd-backtracking', 'newton', 'bfgs', 'lbfgs', 'cg']) {
    const r = minimize(makeObjective('booth', 2), [0, 0], { method, gtol: 1e-9 });
    assert.equal(r.reason, 'gtol', method);
    assert.equal(r.converged, true);
    assert.ok(Math.abs(r.x[0] - 1) < 1e-8 && Math.abs(r.x[1] - 3) < 1e-8, `${method}: ${r.x}`);
    assert.equal(r.path.length, r.nit + 1);
    assert.deepEqual(r.path[0], [0, 0]);
  }
  const lb = minimize(makeObjective('rosenbrock', 2), [-1.2, 1], { method: 'lbfgs', lineSearch: 'backtracking', gtol: 1e-8 });
  assert.equal(lb.reason, 'gtol');
});

test("stop reason 'max-iterations': path holds x0 and maxIter iterates", () => {
  for (const method of ['gd-backtracking', 'newton', 'bfgs', 'lbfgs', 'cg']) {
    const r = minimize(makeObjective('rosenbrock', 2), [-1.2, 1], { method, maxIter: 3 });
    assert.equal(r.reason, 'max-iterations', method);
    assert.equal(r.converged, false);
    assert.equal(r.nit, 3);
    assert.equal(r.path.length, 4);
    assert.equal(r.values.length, 4);
  }
});

test("stop reason 'line-search-failed': a gradient of the wrong sign gives no decrease along −∇", () => {
  const wrong: SearchObjective = {
    n: 2,
    valueAndGrad(x, g) {
      g[0] = -2 * x[0];
      g[1] = -2 * x[1];
      return x[0] * x[0] + x[1] * x[1];
    },
  };
  for (const method of ['gd-backtracking', 'newton', 'bfgs', 'lbfgs', 'cg']) {
    const r = minimize(wrong, [1, 2], { method });
    assert.equal(r.reason, 'line-search-failed', method);
    assert.deepEqual(Array.from(r.x), [1, 2]);
    assert.equal(r.nit, 0);
  }
});

test("stop reason 'non-finite': f → −∞ on the saddle, and a NaN at x0", () => {
  const r = minimize(makeObjective('saddle', 2), [1, 0.5], { method: 'gd-backtracking', maxIter: 5000 });
  assert.equal(r.reason, 'non-finite');
  assert.equal(r.fun, -Infinity);
  const nan: SearchObjective = { n: 1, valueAndGrad: (_x, g) => ((g[0] = NaN), NaN) };
  const r2 = minimize(nan, [0], { method: 'bfgs' });
  assert.equal(r2.reason, 'non-finite');
  assert.equal(r2.nit, 0);
});

test('options are validated against the method table', () => {
  const f = makeObjective('booth', 2);
  assert.throws(() => minimize(f, [0, 0], { method: 'bfgss' }), /unknown method 'bfgss'; expected one of: gd-backtracking, newton, bfgs, lbfgs, cg/);
  assert.throws(() => minimize(f, [0, 0], { method: 'bfgs', historySize: 5 }), /bfgs: unknown hyperparameter 'historySize'/);
  assert.throws(() => minimize(f, [0, 0], { method: 'bfgs', c2: 1e-5 }), /c2: expected a number in \(c1 = 0.0001, 1\)/);
  assert.throws(() => minimize(f, [0, 0], { method: 'lbfgs', historySize: 0 }), /historySize: expected an integer >= 1/);
  assert.throws(() => minimize(f, [0, 0], { method: 'gd-backtracking', shrink: 1 }), /shrink: expected a number in \(0, 1\)/);
});

test('counted() counts f and ∇f together once, f alone once; minimize reports exactly the calls made', () => {
  let calls = 0;
  const spy: SearchObjective = {
    n: 2,
    valueAndGrad(x, g) {
      calls++;
      g[0] = 2 * x[0];
      g[1] = 4 * x[1];
      return x[0] * x[0] + 2 * x[1] * x[1];
    },
  };
  const c = counted(spy);
  const g = new Float64Array(2);
  c.valueAndGrad(Float64Array.of(1, 1), g);
  c.value(Float64Array.of(1, 1));
  assert.equal(c.evaluations, 2);
  calls = 0;
  for (const method of ['bfgs', 'lbfgs', 'gd-backtracking', 'newton', 'cg']) {
    const before = calls;
    const r = minimize(spy, [3, -1], { method, gtol: 1e-10 });
    assert.equal(r.evaluations, calls - before, method);
  }
});

test('minimizeParams: lbfgs on a float64 and a float32 least-squares model gives the normal-equations solution', () => {
  // X (20×3) and y from fixed formulas; loss = mean((Xw − y)²); solution w = (XᵀX)⁻¹Xᵀy (Cramer's rule below)
  const m = 20;
  const X = Array.from({ length: m }, (_v, i) => [1, Math.sin(i), Math.cos(0.7 * i) * 2]);
  const y = X.map((r, i) => 0.5 * r[0] - 2 * r[1] + 0.25 * r[2] + 0.1 * Math.sin(3 * i));
  const A = [0, 1, 2].map((a) => [0, 1, 2].map((b) => X.reduce((s, r) => s + r[a] * r[b], 0)));
  const rhs = [0, 1, 2].map((a) => X.reduce((s, r, i) => s + r[a] * y[i], 0));
  const det = (M: number[][]): number =>
    M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
  const w = [0, 1, 2].map((j) => det(A.map((row, i) => row.map((v, k) => (k === j ? rhs[i] : v)))) / det(A));
  for (const [Type, tol] of [[Float64Array, 1e-8], [Float32Array, 2e-4]] as const) {
    const params = new Type(3), grads = new Type(3);
    const evaluate = (): number => {
      let loss = 0;
      grads.fill(0);
      for (let i = 0; i < m; i++) {
        const r = X[i][0] * params[0] + X[i][1] * params[1] + X[i][2] * params[2] - y[i];
        loss += (r * r) / m;
        for (let j = 0; j < 3; j++) grads[j] += (2 * r * X[i][j]) / m;
      }
      return loss;
    };
    const r = minimizeParams({ params, grads, evaluate, method: 'lbfgs', gtol: 1e-10, maxIter: 100 });
    // float32 rounding ends the run before gtol 1e-10: on L-BFGS-B's relative-reduction test (ftol) or a failed search
    assert.ok(r.reason === 'gtol' || (Type === Float32Array && (r.reason === 'ftol' || r.reason === 'line-search-failed')), `${Type.name}: ${r.reason}`);
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(params[j] - w[j]) < tol, `${Type.name} w[${j}] ${params[j]} vs ${w[j]}`);
    assert.equal(r.path.length, 0);
  }
});

test('bfgs update by hand: s = (1, 0), y = (2, 0) gives H = diag(1/2, γ), γ = 1 or, with initialScaling, sᵀy/yᵀy = 1/2', async () => {
  // H = (I − ρ s yᵀ) H₀ (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1/2: (I − ρ y sᵀ) = diag(0, 1), so H = diag(0, γ) + diag(1/2, 0)
  const { bfgsRule } = await import('../../src/search/bfgs.js');
  for (const [scaling, gamma] of [[false, 1], [true, 0.5]] as const) {
    const rule = bfgsRule(2, scaling);
    rule.update(Float64Array.of(1, 0), Float64Array.of(2, 0), 1);
    const d = new Float64Array(2);
    rule.direction(1, new Float64Array(2), 0, Float64Array.of(1, 1), d);
    assert.deepEqual(Array.from(d), [-0.5, -gamma]);
  }
  const r = minimize(makeObjective('rosenbrock', 2), [-1.2, 1], { method: 'bfgs', initialScaling: true, gtol: 1e-8 });
  assert.equal(r.reason, 'gtol');
  assert.throws(() => minimize(makeObjective('booth', 2), [0, 0], { method: 'bfgs', initialScaling: 1 }), /initialScaling: expected true or false/);
});

test('checkFullBatch: line-search methods in train need --batch full', async () => {
  const { checkFullBatch } = await import('../../src/search/index.js');
  checkFullBatch('lbfgs', 'full');
  assert.throws(
    () => checkFullBatch('lbfgs', 32),
    (e: unknown) => e instanceof Error && (e as { kind?: string }).kind === 'input' && /^--batch: 'lbfgs' needs --batch full .*got 32; use --batch full/.test(e.message),
  );
});

test("minimize's TSDoc example prints what it says", () => {
  // src/search/minimize.ts @example: "gtol 34 41 1.000000, 1.000000"; the reference for the point is (1, 1)
  // and SciPy's 34 iterations and 41 evaluations (test/fixtures/minimize/rosenbrock-2), which the
  // Moré–Thuente search reproduces step for step
  const r = minimize(makeObjective('rosenbrock', 2), [-1.2, 1], { method: 'bfgs', gtol: 1e-8 });
  assert.equal(`${r.reason} ${r.nit} ${r.evaluations} ${Array.from(r.x, (v) => v.toFixed(6)).join(', ')}`, 'gtol 34 41 1.000000, 1.000000');
});

test('bfgs: the direction prepared inside the update equals the one computed from H afterwards', async () => {
  const { bfgsRule } = await import('../../src/search/bfgs.js');
  const a = bfgsRule(3), b = bfgsRule(3);
  const pairs = [[[0.1, -0.2, 0.3], [0.5, -0.1, 0.4]], [[-0.2, 0.1, 0.05], [-0.3, 0.2, 0.1]]];
  const g = Float64Array.of(0.7, -1.1, 0.2), da = new Float64Array(3), db = new Float64Array(3);
  for (const [s, y] of pairs) {
    a.update(Float64Array.from(s), Float64Array.from(y), 1, g);
    b.update(Float64Array.from(s), Float64Array.from(y), 1);
  }
  a.direction(2, g, 0, g, da);
  b.direction(2, g, 0, g, db);
  assert.deepEqual(Array.from(da), Array.from(db));
  assert.ok(da.some((v, i) => v !== -g[i]));
});
