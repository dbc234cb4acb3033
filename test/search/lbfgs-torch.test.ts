// lbfgs-torch (src/search/lbfgs-torch.ts) against torch.optim.LBFGS 1.13 in float64: every case of
// test/fixtures/lbfgs-torch/optimize.json (made by test/fixtures/tools/make_lbfgs_torch_cases.py) replays its
// torch loop `for _ in range(steps): opt.step(closure)`: each point of the path within 1e-7 relative, f at it,
// the closure calls equal to torch's func_evals exactly, and n_iter; a stateDict/loadStateDict mid-run (through
// JSON) continues torch's resumed trajectory. Also torch's _cubic_interpolate in closed form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeObjective, type ObjectiveSpec } from '../../src/objectives/index.js';
import { LbfgsTorch, cubicInterpolate, resolveLbfgsTorchOptions, type LbfgsTorchStateDict } from '../../src/search/lbfgs-torch.js';
import { runLbfgsTorch } from '../../src/search/lbfgs-torch-run.js';
import { DescentError } from '../../src/errors.js';

interface Case {
  name: string;
  spec: { function: ObjectiveSpec; x0: number[]; optimizer: Record<string, unknown>; steps: number; resumeAfter?: number };
  path: number[][];
  values: number[];
  evaluations: number;
  nIter: number;
  converged: boolean;
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'lbfgs-torch', 'optimize.json'), 'utf8')) as { cases: Case[] };
const options = (o: Record<string, unknown>) => {
  const { name: _n, ...rest } = o;
  return rest;
};

function checkPath(name: string, path: ArrayLike<number>[], want: number[][]): number {
  assert.equal(path.length, want.length, `${name}: path length`);
  let worst = 0;
  want.forEach((p, k) => p.forEach((w, i) => {
    const err = Math.abs(path[k][i] - w) / Math.max(Math.abs(w), 1e-3);
    worst = Math.max(worst, err);
    assert.ok(err <= 1e-7, `${name}: path[${k}][${i}] = ${path[k][i]}, torch ${w}`);
  }));
  return worst;
}

for (const c of fixture.cases) {
  test(`torch.optim.LBFGS float64: ${c.name}`, () => {
    const objective = makeObjective(c.spec.function, c.spec.x0.length);
    const x = Float64Array.from(c.spec.x0), g = new Float64Array(x.length);
    let opt = new LbfgsTorch(x, g, options(c.spec.optimizer));
    let calls = 0;
    const closure = () => { calls++; return objective.valueAndGrad(x, g); };
    const path: number[][] = [Array.from(x)];
    for (let k = 0; k < c.spec.steps; k++) {
      if (c.spec.resumeAfter === k) {
        const saved = JSON.parse(JSON.stringify(opt.stateDict())) as LbfgsTorchStateDict;
        opt = new LbfgsTorch(x, g, options(c.spec.optimizer));
        opt.loadStateDict(saved);
      }
      opt.step(closure);
      path.push(Array.from(x));
    }
    checkPath(c.name, path, c.path);
    assert.equal(calls, c.evaluations, `${c.name}: closure calls`);
    assert.equal(opt.funcEvals, c.evaluations, `${c.name}: funcEvals`);
    assert.equal(opt.nIter, c.nIter, `${c.name}: nIter`);
    if (c.spec.resumeAfter === undefined) {
      // the optimize runner: the same path, f at each point, evaluations and converged
      const r = runLbfgsTorch(objective, c.spec.x0, options(c.spec.optimizer), c.spec.steps);
      checkPath(c.name, r.path, c.path);
      r.values.forEach((v, k) => assert.ok(Math.abs(v - c.values[k]) <= 1e-7 * Math.max(Math.abs(c.values[k]), 1e-6), `${c.name}: values[${k}] ${v}, torch ${c.values[k]}`));
      assert.equal(r.evaluations, c.evaluations);
      assert.equal(r.converged, c.converged);
    }
  });
}

test('a resumed run is the uninterrupted one, bit for bit', () => {
  const c = fixture.cases.find((k) => k.spec.resumeAfter !== undefined)!;
  const objective = makeObjective(c.spec.function, c.spec.x0.length);
  const straight = runLbfgsTorch(objective, c.spec.x0, options(c.spec.optimizer), c.spec.steps).path;
  const x = Float64Array.from(c.spec.x0), g = new Float64Array(x.length);
  let opt = new LbfgsTorch(x, g, options(c.spec.optimizer));
  const path: number[][] = [Array.from(x)];
  for (let k = 0; k < c.spec.steps; k++) {
    if (k === c.spec.resumeAfter) {
      const sd = JSON.parse(JSON.stringify(opt.stateDict())) as LbfgsTorchStateDict;
      opt = new LbfgsTorch(x, g, options(c.spec.optimizer));
      opt.loadStateDict(sd);
    }
    opt.step(() => objective.valueAndGrad(x, g));
    path.push(Array.from(x));
  }
  assert.deepEqual(path, straight);
});

test('_cubic_interpolate: the minimizer of the interpolating cubic, clamped; the midpoint without one', () => {
  // f = (x - 1)^3 - 3(x - 1) has its local minimum at x = 2; through x = 0 and x = 3
  const f = (x: number) => (x - 1) ** 3 - 3 * (x - 1), df = (x: number) => 3 * (x - 1) ** 2 - 3;
  assert.ok(Math.abs(cubicInterpolate(0, f(0), df(0), 3, f(3), df(3)) - 2) < 1e-12);
  assert.ok(Math.abs(cubicInterpolate(3, f(3), df(3), 0, f(0), df(0)) - 2) < 1e-12);
  assert.equal(cubicInterpolate(0, f(0), df(0), 3, f(3), df(3), 2.5, 4), 2.5);
  // slopes 1 at both ends with f rising by 2/3: d1 = g1 + g2 - 3(f1 - f2)/(x1 - x2) = 0 < g1·g2, no real
  // stationary point, so the middle of the bounds
  assert.equal(cubicInterpolate(0, 0, 1, 1, 2 / 3, 1, 0, 4), 2);
});

test('options: torch defaults, maxEval = floor(maxIter * 5 / 4), bad values named', () => {
  const o = resolveLbfgsTorchOptions({});
  assert.deepEqual(o, { lr: 1, maxIter: 20, maxEval: 25, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null });
  assert.equal(resolveLbfgsTorchOptions({ maxIter: 3 }).maxEval, 3);
  assert.equal(resolveLbfgsTorchOptions({ maxIter: 7, maxEval: null }).maxEval, 8);
  assert.equal(resolveLbfgsTorchOptions({ lineSearchFn: 'strong_wolfe' }).lineSearchFn, 'strong_wolfe');
  // a compare --spec's JSON null arrives as the text 'null' once the spec is flattened to key=value
  assert.equal(resolveLbfgsTorchOptions({ lineSearchFn: 'null' }).lineSearchFn, null);
  assert.throws(() => resolveLbfgsTorchOptions({ lineSearchFn: 'wolfe' }), (e: unknown) => e instanceof DescentError && /lineSearchFn: expected strong_wolfe or none, got "wolfe"/.test(e.message));
  assert.throws(() => resolveLbfgsTorchOptions({ historySize: 0 }), /historySize/);
  assert.throws(() => resolveLbfgsTorchOptions({ c1: 0.1 }), /unknown option 'c1'.*lineSearchFn/);
});

// float32: torch runs on a float32 tensor with f and its gradient in float32 arithmetic; here f and the
// gradient are computed in float64 from the float32 parameters and rounded, the vector arithmetic of the
// optimizer is float32 throughout (torch's fixture closure does the same, so only the optimizer's arithmetic
// differs: the order of float32 dot products). Paths within 1e-4 of max(|x|, 1), the closure calls equal.
// Rosenbrock's curved valley amplifies ulp differences: after 20 iterations the worst is 1.8e-5 absolute.
const fixture32 = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'lbfgs-torch', 'optimize-float32.json'), 'utf8')) as { cases: Case[] };
for (const c of fixture32.cases) {
  test(`torch.optim.LBFGS float32: ${c.name}`, () => {
    const objective = makeObjective(c.spec.function, c.spec.x0.length);
    const n = c.spec.x0.length;
    const x = Float32Array.from(c.spec.x0), g = new Float32Array(n);
    const x64 = new Float64Array(n), g64 = new Float64Array(n);
    const opt = new LbfgsTorch(x, g, options(c.spec.optimizer));
    const closure = () => {
      x64.set(x);
      const f = objective.valueAndGrad(x64, g64);
      g.set(g64);
      return Math.fround(f);
    };
    for (let k = 0; k < c.spec.steps; k++) {
      opt.step(closure);
      c.path[k + 1].forEach((w, i) => assert.ok(Math.abs(x[i] - w) <= 1e-4 * Math.max(Math.abs(w), 1), `${c.name}: path[${k + 1}][${i}] = ${x[i]}, torch ${w}`));
    }
    assert.equal(opt.funcEvals, c.evaluations, `${c.name}: closure calls`);
  });
}
