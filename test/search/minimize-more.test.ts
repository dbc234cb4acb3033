// bfgs and lbfgs against SciPy 1.10 on the contract's other functions and on harder quadratics
// (test/fixtures/minimize-more, made by test/fixtures/tools/make_minimize_more.py with f and ∇f from torch
// autograd, the minimize fixtures' settings): xcos and square in 1-D, Rosenbrock at n = 2..7, Beale, Himmelblau,
// and quadratics at n = 2..29 with condition up to 1e6. A SciPy run counts as converged when SciPy says so and
// its point is stationary (max|∇f| ≤ 1e-6 there: L-BFGS-B also reports success far out along Beale's asymptote).
// Where it converged, descent must reach the same point (1e-6 in x); on the smooth low-dimensional problems with
// no more evaluations, run by run; on the quadratics, where the last bits of f steer the count (f rounds to
// ~1e-11·|f| at condition 1e6), with no more evaluations in total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeObjective } from '../../src/objectives/index.js';
import { minimize } from '../../src/search/index.js';

interface Reference { nfev: number; fun: number; x: number[]; success: boolean }
interface Case { function: string | { name: string }; x0: number[]; BFGS: Reference; 'L-BFGS-B': Reference }

const file = join(import.meta.dirname, '..', 'fixtures', 'minimize-more', 'cases.json');
const { cases } = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };
const maxAbs = (v: ArrayLike<number>): number => Math.max(...Array.from(v, Math.abs));

for (const [method, key] of [['bfgs', 'BFGS'], ['lbfgs', 'L-BFGS-B']] as const) {
  test(`${method} on ${cases.length} runs of xcos, square, Rosenbrock n ≤ 7, Beale, Himmelblau and quadratics up to condition 1e6: SciPy ${key}'s points, no more evaluations`, () => {
    let compared = 0;
    const quadratics = { descent: 0, scipy: 0 };
    for (const c of cases) {
      const name = typeof c.function === 'string' ? c.function : c.function.name;
      const label = `${name} n = ${c.x0.length} from (${c.x0.slice(0, 3).map((v) => v.toFixed(3))}${c.x0.length > 3 ? ', …' : ''})`;
      const objective = makeObjective(c.function as never, c.x0.length);
      const ref = c[key];
      const gRef = new Float64Array(c.x0.length);
      objective.valueAndGrad(Float64Array.from(ref.x), gRef);
      if (!ref.success || !(maxAbs(gRef) <= 1e-6)) continue;
      const r = minimize(objective, c.x0, { method, gtol: 1e-8, maxIter: 20000, recordPath: false });
      ref.x.forEach((v, i) => assert.ok(Math.abs(r.x[i] - v) <= 1e-6, `${label}: x[${i}] ${r.x[i]} vs SciPy ${v}`));
      assert.ok(r.converged, `${label}: stopped on ${r.reason}`);
      if (name === 'quadratic') {
        quadratics.descent += r.evaluations;
        quadratics.scipy += ref.nfev;
      } else assert.ok(r.evaluations <= ref.nfev, `${label}: ${r.evaluations} evaluations, SciPy ${ref.nfev}`);
      compared++;
    }
    assert.ok(quadratics.descent <= quadratics.scipy, `quadratics: ${quadratics.descent} evaluations in total, SciPy ${quadratics.scipy}`);
    assert.ok(compared >= 30, `only ${compared} runs where SciPy converged`);
  });
}
