// cg's fallback line search (src/search/bracket-zoom.ts) against SciPy 1.10's scalar_search_wolfe2, trial by
// trial (test/fixtures/minimize-line-search/wolfe2.json, made by test/fixtures/tools/make_wolfe2_cases.py on
// lines through Rosenbrock and Beale: doubling, zoom by cubic, quadratic and bisection steps); its interpolants
// against closed forms; and the last-point memory that makes cg count evaluations as SciPy's nfev does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeObjective } from '../../src/objectives/index.js';
import { bracketZoom, cubicThroughThree, quadraticThroughTwo } from '../../src/search/bracket-zoom.js';
import { counted, rememberLastPoint } from '../../src/search/counted.js';
import { dotFused } from '../../src/search/direction.js';
import { LineSearchWork, type LineSearchResult } from '../../src/search/line-search.js';

interface Case { name: string; function: string; x: number[]; d: number[]; t0: number; c1: number; c2: number; trials: number[]; t: number; f: number; converged: boolean }

const file = join(import.meta.dirname, '..', 'fixtures', 'minimize-line-search', 'wolfe2.json');
const { cases } = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };

const close = (a: number, b: number, rel: number): boolean => Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-300);

test(`bracketZoom follows SciPy's line_search_wolfe2 trial by trial (${cases.length} lines)`, () => {
  for (const c of cases) {
    const base = makeObjective(c.function as never, 2);
    const trials: number[][] = [];
    const objective = counted({ n: 2, valueAndGrad: (x, g) => (trials.push(Array.from(x)), base.valueAndGrad(x, g)) });
    const x = Float64Array.from(c.x), d = Float64Array.from(c.d), g0 = new Float64Array(2);
    const f0 = base.valueAndGrad(x, g0);
    const xOut = new Float64Array(2), gOut = new Float64Array(2);
    const res: LineSearchResult = { status: 'failed', t: 0, f: 0 };
    bracketZoom(objective, x, f0, dotFused(g0, d), d, c.t0, { c1: c.c1, c2: c.c2, tMax: 1e100, accept: () => true }, new LineSearchWork(2), xOut, gOut, res);
    assert.equal(trials.length, c.trials.length, `${c.name}: ${trials.length} trials, SciPy ${c.trials.length}`);
    c.trials.forEach((t, k) => {
      for (let i = 0; i < 2; i++) assert.ok(close(trials[k][i], c.x[i] + t * c.d[i], 1e-12), `${c.name}: trial ${k}: ${trials[k]} vs SciPy's step ${t}`);
    });
    assert.ok(c.converged);
    assert.equal(res.status, 'ok');
    assert.ok(close(res.t, c.t, 1e-12) && close(res.f, c.f, 1e-12), `${c.name}: t ${res.t} f ${res.f}, SciPy ${c.t} ${c.f}`);
    for (let i = 0; i < 2; i++) assert.equal(xOut[i], x[i] + res.t * d[i]);
    assert.equal(objective.evaluations, c.trials.length);
  }
});

test('bracketZoom: the extra condition decides between points that meet strong Wolfe', () => {
  // f(x) = x² along d = 1 from x = −1: every step in [0.6, 1.4] meets strong Wolfe with c2 0.4. Accepting
  // every point takes the first trial, 0.9; accepting only a slope ≥ −1e-6 doubles to 1.8 (f rises: bracketed)
  // and zoom's quadratic step lands on the minimizer t = 1 (three evaluations); refusing every point fails
  // within SciPy's limits (at most 11 bracketing and 11 zoom trials)
  let evaluations = 0;
  const objective = { n: 1, valueAndGrad: (x: Float64Array, g: Float64Array) => (evaluations++, (g[0] = 2 * x[0]), x[0] * x[0]) };
  const x = Float64Array.of(-1), d = Float64Array.of(1), out = new Float64Array(1), gOut = new Float64Array(1);
  const res: LineSearchResult = { status: 'failed', t: 0, f: 0 };
  const work = new LineSearchWork(1);
  const search = (accept: (g: Float64Array) => boolean): void => {
    evaluations = 0;
    bracketZoom(objective, x, 1, -2, d, 0.9, { c1: 1e-4, c2: 0.4, tMax: 1e100, accept }, work, out, gOut, res);
  };
  search(() => true);
  assert.deepEqual([res.status, res.t, evaluations], ['ok', 0.9, 1]);
  search((g) => g[0] >= -1e-6);
  assert.equal(res.status, 'ok');
  assert.ok(Math.abs(res.t - 1) < 1e-12 && evaluations === 3, `t = ${res.t} after ${evaluations} evaluations`);
  search(() => false);
  assert.equal(res.status, 'failed');
  assert.ok(evaluations <= 22, `${evaluations} evaluations`);
});

test('cubicThroughThree and quadraticThroughTwo: the minimizers of known interpolants', () => {
  // p(t) = t³ − 3t + 2: p'(0) = −3, local minimum at t = 1
  const p = (t: number): number => t ** 3 - 3 * t + 2;
  assert.ok(Math.abs(cubicThroughThree(0, p(0), -3, 2, p(2), -1, p(-1)) - 1) < 1e-14);
  // q(t) = 3(t − 0.7)² + 1 through (0, q(0)) with q'(0) = −4.2 and (2, q(2))
  const q = (t: number): number => 3 * (t - 0.7) ** 2 + 1;
  assert.ok(Math.abs(quadraticThroughTwo(0, q(0), -4.2, 2, q(2)) - 0.7) < 1e-15);
  // no interpolant: coincident points, or a cubic whose derivative has no real root
  assert.ok(Number.isNaN(quadraticThroughTwo(1, 1, -1, 1, 2)));
  const r = (t: number): number => t ** 3 + t; // r' = 3t² + 1 > 0 everywhere
  assert.ok(Number.isNaN(cubicThroughThree(0, r(0), 1, 1, r(1), 2, r(2))));
});

test('rememberLastPoint: the bitwise same x again is neither evaluated nor counted, any other x is', () => {
  const inner = counted(makeObjective('rosenbrock', 2));
  const memo = rememberLastPoint(inner);
  const g = new Float64Array(2), g2 = new Float64Array(2);
  const f1 = memo.valueAndGrad(Float64Array.of(-1.2, 1), g);
  const f2 = memo.valueAndGrad(Float64Array.of(-1.2, 1), g2);
  assert.equal(inner.evaluations, 1);
  assert.equal(f2, f1);
  assert.equal(f1, 24.199999999999996); // 100·(1 − 1.44)² + 2.2² in floating point
  assert.deepEqual(Array.from(g2), Array.from(g));
  memo.valueAndGrad(Float64Array.of(-1.2, 1 + 2 ** -52), g2);
  memo.valueAndGrad(Float64Array.of(-1.2, 1), g2);
  assert.equal(inner.evaluations, 3);
});
