// Hessians by forward-over-reverse (src/autograd/second-order.ts), checked against independent references:
// central differences (of f for the gradient, of the tape's gradient for the Hessian) for every operation, and
// the closed-form Hessians of the test functions, written out by hand here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tape, hessianOf, hessianVectorProductOf, linearCombination, sumOf, type Scalar, type ScalarFunction } from '../../src/autograd/second-order.js';
import { makeObjective, XCOS_C } from '../../src/objectives/index.js';
import { expSumObjective, convergenceProblem } from '../../src/search/convergence.js';

const close = (a: number, b: number, rel: number, abs = 0): boolean => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;

/** Central differences of the tape's gradient (records at each shifted point): column j of the Hessian. */
function numericHessian(fn: ScalarFunction, x: number[], h = 1e-5): number[][] {
  const n = x.length, tape = new Tape(), gp = new Float64Array(n), gm = new Float64Array(n);
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    const xp = x.slice(), xm = x.slice();
    xp[j] += h;
    xm[j] -= h;
    tape.record(fn, xp);
    tape.gradient(gp);
    tape.record(fn, xm);
    tape.gradient(gm);
    for (let i = 0; i < n; i++) H[i][j] = (gp[i] - gm[i]) / (2 * h);
  }
  return H;
}

// every operation of the tape, each where it is smooth (x > 0 for log, sqrt, rdiv and the real power)
const everyOp: ScalarFunction = ([x, y, z], c) => {
  const terms: Scalar[] = [
    x.sin().mul(y.cos()),
    z.exp().div(y.square().add(1)),
    x.square().add(1).log(),
    z.square().add(2).sqrt(),
    x.mul(y).tanh(),
    z.sub(x).sigmoid(),
    x.square().add(1).pow(1.5),
    y.pow(3).neg(),
    x.rsub(2).mul(z),
    x.square().add(0.5).rdiv(3),
    y.div(4).sub(z.mul(0.25)),
    linearCombination([x, y, z], [0.5, -2, 3]).square(),
    c(2).mul(x).mul(y).mul(z),
  ];
  return sumOf(terms);
};

test('second order: every operation passes a gradient and Hessian check against central differences', () => {
  const points = [[0.3, -0.7, 0.4], [1.2, 0.5, -1.1], [-0.8, 1.9, 0.05], [2.1, -1.3, 1.7]];
  for (const x of points) {
    const H = new Float64Array(9), g = new Float64Array(3);
    const f = hessianOf(everyOp, x, H, g);
    // gradient against central differences of f
    const tape = new Tape();
    for (let j = 0; j < 3; j++) {
      const xp = x.slice(), xm = x.slice();
      xp[j] += 1e-6;
      xm[j] -= 1e-6;
      const d = (tape.record(everyOp, xp) - tape.record(everyOp, xm)) / 2e-6;
      assert.ok(close(g[j], d, 1e-7, 1e-7), `∂f/∂x${j} at ${x}: ${g[j]} vs ${d}`);
    }
    const N = numericHessian(everyOp, x);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      assert.ok(close(H[i * 3 + j], N[i][j], 1e-6, 1e-7), `H[${i}][${j}] at ${x}: ${H[i * 3 + j]} vs ${N[i][j]}`);
    }
    assert.equal(f, tape.record(everyOp, x));
    // a Hessian-vector product is the Hessian times the vector
    const u = [0.7, -1.3, 2.2], hv = new Float64Array(3);
    hessianVectorProductOf(everyOp, x, u, hv);
    for (let i = 0; i < 3; i++) {
      const want = H[i * 3] * u[0] + H[i * 3 + 1] * u[1] + H[i * 3 + 2] * u[2];
      assert.ok(close(hv[i], want, 1e-12, 1e-12), `(Hu)[${i}]: ${hv[i]} vs ${want}`);
    }
  }
});

test('second order: a replayed tape gives, bit for bit, what a fresh recording at the new point gives', () => {
  const tape = new Tape();
  tape.record(everyOp, [0.3, -0.7, 0.4]);
  const fresh = new Tape();
  for (const x of [[1.2, 0.5, -1.1], [-0.8, 1.9, 0.05]]) {
    const H1 = new Float64Array(9), H2 = new Float64Array(9), g1 = new Float64Array(3), g2 = new Float64Array(3);
    tape.replay(x);
    assert.equal(tape.output, fresh.record(everyOp, x));
    tape.hessian(H1);
    tape.gradient(g1);
    fresh.hessian(H2);
    fresh.gradient(g2);
    assert.deepEqual(Array.from(H1), Array.from(H2));
    assert.deepEqual(Array.from(g1), Array.from(g2));
  }
});

// closed-form Hessians of the test functions, row-major
const closedForm: Record<string, (x: number[]) => number[]> = {
  square: () => [2],
  xcos: ([x]) => [-2 * XCOS_C * Math.sin(XCOS_C * x) - XCOS_C * XCOS_C * x * Math.cos(XCOS_C * x)],
  beale: ([x, y]) => {
    const u1 = 1.5 - x + x * y, u2 = 2.25 - x + x * y * y, u3 = 2.625 - x + x * y ** 3;
    const hxy = 2 * ((y - 1) * x + u1) + 2 * ((y * y - 1) * 2 * x * y + u2 * 2 * y) + 2 * ((y ** 3 - 1) * 3 * x * y * y + u3 * 3 * y * y);
    return [
      2 * (y - 1) ** 2 + 2 * (y * y - 1) ** 2 + 2 * (y ** 3 - 1) ** 2, hxy,
      hxy, 2 * x * x + 2 * ((2 * x * y) ** 2 + u2 * 2 * x) + 2 * ((3 * x * y * y) ** 2 + u3 * 6 * x * y),
    ];
  },
  booth: () => [10, 8, 8, 10],
  himmelblau: ([x, y]) => [12 * x * x + 4 * y - 42, 4 * x + 4 * y, 4 * x + 4 * y, 4 * x + 12 * y * y - 26],
  saddle: () => [2, 0, 0, -2],
  valley: () => [0.1, 0, 0, 10],
  plateau: ([x, y]) => {
    const e = Math.exp(-0.5 * (x * x + y * y));
    return [e * (1 - x * x), -x * y * e, -x * y * e, e * (1 - y * y)];
  },
  rosenbrock: (x) => {
    const n = x.length, h = new Array<number>(n * n).fill(0);
    for (let i = 0; i < n - 1; i++) {
      h[i * n + i] += -400 * (x[i + 1] - x[i] ** 2) + 800 * x[i] ** 2 + 2;
      h[(i + 1) * n + i + 1] += 200;
      h[i * n + i + 1] += -400 * x[i];
      h[(i + 1) * n + i] += -400 * x[i];
    }
    return h;
  },
};

test('second order: the test functions\' Hessians (from their expressions) match the closed forms; value and gradient match the hand-written ones', () => {
  const points: Record<string, number[][]> = {
    square: [[3.5], [-1]], xcos: [[-1.8], [7.3], [0.4]],
    beale: [[3, 0.5], [1, 1], [-2.2, 1.7]], booth: [[1, 3], [-4, 2]], himmelblau: [[3, 2], [-0.3, 0.9]],
    saddle: [[0.5, -1]], valley: [[3, -0.4]], plateau: [[0.3, -0.8], [2.5, 1.5]],
    rosenbrock: [[-1.2, 1], [0.5, -0.3, 1.7, 0.9, -2]],
  };
  for (const [name, xs] of Object.entries(points)) {
    for (const x of xs) {
      const obj = makeObjective(name, x.length);
      const n = x.length, H = new Float64Array(n * n), xa = Float64Array.from(x);
      obj.hessian!(xa, H);
      const want = closedForm[name](x);
      want.forEach((v, k) => assert.ok(close(H[k], v, 1e-13, 1e-13), `${name} at ${x}: H[${k}] ${H[k]} vs ${v}`));
      // the expression is the same f as the hand-written value and gradient
      const tape = new Tape(), g = new Float64Array(n), gTape = new Float64Array(n);
      const f = tape.record(obj.expression!, x);
      tape.gradient(gTape);
      assert.ok(close(f, obj.valueAndGrad(xa, g), 1e-14, 1e-300), `${name}: f`);
      g.forEach((v, k) => assert.ok(close(gTape[k], v, 1e-13, 1e-13), `${name}: ∂f/∂x${k} ${gTape[k]} vs ${v}`));
    }
  }
});

test('second order: the quadratic\'s Hessian is A; exp-sum\'s is Qᵀdiag(exp(u))Q', () => {
  const A = [[4, 1, -0.5], [1, 3, 0.25], [-0.5, 0.25, 2]];
  const quad = makeObjective({ name: 'quadratic', A, b: [1, -2, 0.5], c: 3 }, 3);
  const H = new Float64Array(9);
  quad.hessian!(Float64Array.of(0.3, -1.1, 2.4), H);
  assert.deepEqual(Array.from(H), A.flat());
  const { q, xStar } = convergenceProblem;
  const es = expSumObjective(q, xStar);
  for (const x of [[0, 0, 0], [1, -2, 0.5], [0.4, 0.1, -0.3]]) {
    es.hessian!(Float64Array.from(x), H);
    const u = q.map((row) => row.reduce((s, v, j) => s + v * (x[j] - xStar[j]), 0));
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) {
      const want = q.reduce((s, row, i) => s + row[j] * Math.exp(u[i]) * row[k], 0);
      assert.ok(close(H[j * 3 + k], want, 1e-14, 1e-14), `exp-sum H[${j}][${k}] at ${x}: ${H[j * 3 + k]} vs ${want}`);
    }
  }
});

test('second order: Scalars from another recording, or used after it, are refused with a clear error', () => {
  const other = new Tape();
  let kept: Scalar | null = null;
  other.record(([x]) => (kept = x).square(), [1]);
  assert.throws(() => new Tape().record(([x]) => x.mul(kept!), [2]), /an operand is not a Scalar of this recording/);
  assert.throws(() => kept!.square(), /only while their function is being recorded/);
  assert.throws(() => new Tape().record(() => 3 as unknown as Scalar, [1]), /must return a Scalar/);
  const t = new Tape();
  t.record(([x, y]) => x.mul(y), [1, 2]);
  assert.throws(() => t.replay([1]), /x has length 1, the tape was recorded with 2/);
});

test('expressionObjective: f written once gives f, ∇f and the Hessian (closed forms), and Newton runs on it', async () => {
  const { expressionObjective } = await import('../../src/objectives/index.js');
  const { minimize } = await import('../../src/search/index.js');
  // f = x² + 10·(y − sin x)²
  const fn: ScalarFunction = ([x, y]) => x.square().add(y.sub(x.sin()).square().mul(10));
  for (const fixedOperations of [false, true]) {
    const obj = expressionObjective(2, fn, { fixedOperations });
    for (const [x, y] of [[0.7, -0.3], [-1.4, 2.2], [0.7, -0.3]]) {
      const r = y - Math.sin(x);
      const g = new Float64Array(2), H = new Float64Array(4);
      const f = obj.valueAndGrad(Float64Array.of(x, y), g);
      obj.hessian!(Float64Array.of(x, y), H);
      assert.ok(close(f, x * x + 10 * r * r, 1e-15));
      assert.ok(close(g[0], 2 * x - 20 * r * Math.cos(x), 1e-14, 1e-15) && close(g[1], 20 * r, 1e-14, 1e-15), `∇f at ${x}, ${y}: ${g}`);
      const want = [2 + 20 * Math.cos(x) ** 2 + 20 * r * Math.sin(x), -20 * Math.cos(x), -20 * Math.cos(x), 20];
      want.forEach((v, k) => assert.ok(close(H[k], v, 1e-14, 1e-14), `H[${k}] ${H[k]} vs ${v}`));
    }
    const run = minimize(obj, [1.5, -1], { method: 'newton', gtol: 1e-10 });
    assert.equal(run.reason, 'gtol');
    assert.ok(Math.abs(run.x[0]) < 1e-10 && Math.abs(run.x[1]) < 1e-10, String(run.x));
    assert.ok(run.hessianEvaluations >= run.nit && run.hessianEvaluations > 0);
  }
  // a function that branches on x is recorded again at every call (the default)
  const kinked = expressionObjective(1, ([x]) => (x.value > 0 ? x.square() : x.mul(-3)));
  const g = new Float64Array(1);
  kinked.valueAndGrad(Float64Array.of(2), g);
  assert.equal(g[0], 4);
  kinked.valueAndGrad(Float64Array.of(-2), g);
  assert.equal(g[0], -3);
  assert.throws(() => expressionObjective(0, fn), /expected a dimension n >= 1/);
});

test('second order: columns that share no row are swept together; the Hessian is the column-by-column one', () => {
  const rosen = makeObjective('rosenbrock', 50);
  const x = Array.from({ length: 50 }, (_v, i) => Math.sin(1.3 * i) * 1.5);
  const cases: [string, ScalarFunction, number[], number][] = [
    ['rosenbrock n = 50 (tridiagonal)', rosen.expression!, x, 3],
    ['every operation (dense)', everyOp, [0.3, -0.7, 0.4], 3],
    // f = Σ exp(x_i·x_{i+2}/10): column j has rows j−2, j, j+2, so columns share a row only 2 or 4 apart
    ['Σ exp(x_i·x_{i+2}/10)', (v) => sumOf(v.slice(0, -2).map((xi, i) => xi.mul(v[i + 2]).mul(0.1).exp())), x.slice(0, 20), 3],
  ];
  for (const [label, fn, at, sweeps] of cases) {
    const n = at.length, tape = new Tape();
    tape.record(fn, at);
    const H = new Float64Array(n * n);
    tape.hessian(H);
    assert.equal(tape.hessianSweeps, sweeps, label);
    // against one sweep per column (Hessian-vector products with the unit vectors), symmetrized the same way
    const cols: Float64Array[] = [];
    for (let j = 0; j < n; j++) {
      const e = new Float64Array(n), hv = new Float64Array(n);
      e[j] = 1;
      tape.hessianVectorProduct(e, hv);
      cols.push(hv);
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const want = i === j ? cols[j][i] : 0.5 * (cols[j][i] + cols[i][j]);
      assert.ok(H[i * n + j] === want, `${label}: H[${i}][${j}] ${H[i * n + j]} vs ${want}`);
    }
  }
  // and the closed form at n = 50
  const H = new Float64Array(2500);
  rosen.hessian!(Float64Array.from(x), H);
  closedForm.rosenbrock(x).forEach((v, k) => assert.ok(close(H[k], v, 1e-13, 1e-13), `H[${k}]`));
});
