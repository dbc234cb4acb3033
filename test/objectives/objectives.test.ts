// Every objective: f, ∇f and ∇²f against torch autograd (test/fixtures/objectives/autograd.json, made by
// test/fixtures/tools/make_objective_grads.py), the gradient against central differences of f and the
// Hessian against central differences of the gradient at random points; registry errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeObjective, objectives, type Objective } from '../../src/objectives/index.js';
import { DescentError } from '../../src/errors.js';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'objectives', 'autograd.json'), 'utf8'));

function near(a: number, b: number, tol: number, where: string): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${where}: got ${a}, expected ${b}`);
}

test('f, gradient and Hessian equal torch autograd at fixed points', () => {
  for (const c of fixture.cases) {
    const obj = makeObjective(c.function, c.x.length);
    const x = Float64Array.from(c.x);
    const g = new Float64Array(x.length);
    const name = typeof c.function === 'string' ? c.function : c.function.name;
    near(obj.valueAndGrad(x, g), c.f, 1e-14, `${name}(${c.x}) f`);
    near(obj.value(x), c.f, 1e-14, `${name}(${c.x}) value`);
    c.grad.forEach((v: number, i: number) => near(g[i], v, 1e-13, `${name}(${c.x}) grad[${i}]`));
    const h = new Float64Array(x.length * x.length);
    obj.hessian!(x, h);
    c.hessian.flat().forEach((v: number, i: number) => near(h[i], v, 1e-12, `${name}(${c.x}) hessian[${i}]`));
  }
});

/** A small seeded generator (mulberry32) so the random points are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const instances: [string, () => Objective, number][] = [
  ['square', () => makeObjective('square'), 5],
  ['xcos', () => makeObjective('xcos'), 10],
  ['quadratic', () => makeObjective({ name: 'quadratic', A: [[3, 1], [1, 2]], b: [1, -1], c: 2 }), 3],
  ['rosenbrock-2', () => makeObjective('rosenbrock', 2), 2],
  ['rosenbrock-6', () => makeObjective('rosenbrock', 6), 2],
  ['beale', () => makeObjective('beale'), 3],
  ['booth', () => makeObjective('booth'), 5],
  ['himmelblau', () => makeObjective('himmelblau'), 4],
  ['saddle', () => makeObjective('saddle'), 3],
  ['valley', () => makeObjective('valley'), 5],
  ['plateau', () => makeObjective('plateau'), 3],
];

for (const [label, make, scale] of instances) {
  test(`${label}: gradient = central differences of f, Hessian = central differences of the gradient`, () => {
    const obj = make();
    const n = obj.n;
    const next = rng(label.length * 7919);
    const x = new Float64Array(n), g = new Float64Array(n), gp = new Float64Array(n), gm = new Float64Array(n);
    const h = new Float64Array(n * n);
    for (let trial = 0; trial < 20; trial++) {
      for (let i = 0; i < n; i++) x[i] = (2 * next() - 1) * scale;
      obj.valueAndGrad(x, g);
      obj.hessian!(x, h);
      for (let i = 0; i < n; i++) {
        const e = 1e-5 * Math.max(1, Math.abs(x[i]));
        const xi = x[i];
        x[i] = xi + e;
        const fp = obj.valueAndGrad(x, gp);
        x[i] = xi - e;
        const fm = obj.valueAndGrad(x, gm);
        x[i] = xi;
        // central differences: error O(e²·f''') plus rounding O(ε·|f|/e)
        const fScale = Math.max(1, Math.abs(obj.value(x)));
        assert.ok(Math.abs((fp - fm) / (2 * e) - g[i]) <= 1e-6 * fScale + 1e-6 * Math.abs(g[i]), `${label} grad[${i}] at ${x}`);
        for (let j = 0; j < n; j++) {
          const d = (gp[j] - gm[j]) / (2 * e);
          assert.ok(Math.abs(d - h[j * n + i]) <= 1e-5 * Math.max(1, Math.abs(h[j * n + i]), fScale), `${label} H[${j},${i}] at ${x}: ${d} vs ${h[j * n + i]}`);
        }
      }
    }
  });
}

test('known minima: f = minimumValue and gradient 0 there', () => {
  for (const [label, make] of instances) {
    const obj = make();
    if (!obj.minimum) continue;
    const x = Float64Array.from(obj.minimum);
    const g = new Float64Array(obj.n);
    near(obj.valueAndGrad(x, g), obj.minimumValue!, 1e-12, `${label} f(min)`);
    for (const v of g) assert.ok(Math.abs(v) < 1e-12, `${label} grad at minimum: ${v}`);
  }
  // the quadratic's minimizer solves Ax = b: [[3,1],[1,2]]x = [1,-1] → x = (3/5, −4/5)
  const q = makeObjective({ name: 'quadratic', A: [[3, 1], [1, 2]], b: [1, -1] });
  near(q.minimum![0], 0.6, 1e-15, 'x*'); near(q.minimum![1], -0.8, 1e-15, 'y*');
});

test('registry: names, dimensions and parameters are checked with the known lists', () => {
  assert.deepEqual(Object.keys(objectives), ['square', 'xcos', 'quadratic', 'rosenbrock', 'beale', 'booth', 'himmelblau', 'saddle', 'valley', 'plateau']);
  const bad: [() => unknown, RegExp][] = [
    [() => makeObjective('rosenbrok', 2), /unknown function 'rosenbrok'; expected one of: square, xcos, quadratic, rosenbrock/],
    [() => makeObjective('beale', 3), /beale.*length 2, got 3/],
    [() => makeObjective('rosenbrock', 1), /at least 2/],
    [() => makeObjective({ name: 'quadratic', A: [[1, 2], [3, 1]], b: [0, 0] }), /symmetric/],
    [() => makeObjective({ name: 'quadratic', A: [[1, 0], [0, 1]], b: [0] }), /b: expected 2/],
    [() => makeObjective({ name: 'quadratic', A: [[1, 0], [0, 1]] }, 3), /x0 has length 3 but A is 2×2/],
    [() => makeObjective({ name: 'valley', kappa: 3 }), /unknown parameter 'kappa'; expected one of: a, b/],
    [() => makeObjective({ name: 'plateau', sigma: -1 }), /sigma: expected a number > 0/],
  ];
  for (const [f, re] of bad) {
    assert.throws(f, (e: unknown) => e instanceof DescentError && e.kind === 'input' && re.test(e.message));
  }
});
