// bfgs and lbfgs against SciPy 1.10 on fresh draws of the larger problems (test/fixtures/minimize-larger,
// made by test/fixtures/tools/make_minimize_larger.py with f and ∇f from torch autograd, the minimize fixtures'
// settings): 12 quadratics at n = 10 with condition 1e4, Rosenbrock from random starts at n = 10, 30 and 100.
// Every run must reach SciPy's minimizer (1e-6 in x) and claim convergence where SciPy does. Past n = 2 the
// last bits of f and ∇f steer each count (docs/second-order.md, "Arithmetic spread": SciPy's own count moves by
// ±1% at Rosenbrock n = 100 and ±15% on a cond-1e4 quadratic as only the summation order changes), so the counts
// are held in total: over all 32 problems no more evaluations than SciPy, and on each family within 2% of it.
// 2%, not less: SciPy's own family totals moved by that much when only the torch computing f changed (same
// formulas, same SciPy): from torch 1.13 to 2.13, Rosenbrock n = 30 went from 1766 to 1745 evaluations
// (−1.2%), n = 100 from 2496 to 2478 (−0.7%), the quadratics' L-BFGS-B from 2301 to 2244 (−2.5%), while
// descent's counts (1775, 2487, 1860) did not move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeObjective } from '../../src/objectives/index.js';
import { minimize } from '../../src/search/index.js';

interface Reference { nfev: number; fun: number; x: number[]; success: boolean }
interface Case { function: string | { name: string }; x0: number[]; BFGS: Reference; 'L-BFGS-B': Reference }

const file = join(import.meta.dirname, '..', 'fixtures', 'minimize-larger', 'cases.json');
const { cases } = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };

for (const [method, key] of [['bfgs', 'BFGS'], ['lbfgs', 'L-BFGS-B']] as const) {
  test(`${method} on ${cases.length} fresh cond-1e4 quadratics and Rosenbrock starts (n = 10..100): SciPy ${key}'s minimizers, no more evaluations in total`, () => {
    const families = new Map<string, { descent: number; scipy: number; runs: number }>();
    for (const c of cases) {
      const name = typeof c.function === 'string' ? c.function : c.function.name;
      const family = `${name} n = ${c.x0.length}`;
      const ref = c[key];
      const r = minimize(makeObjective(c.function as never, c.x0.length), c.x0, { method, gtol: 1e-8, maxIter: 20000, recordPath: false });
      ref.x.forEach((v, i) => assert.ok(Math.abs(r.x[i] - v) <= 1e-6, `${family}: x[${i}] ${r.x[i]} vs SciPy ${v}`));
      if (ref.success) assert.ok(r.converged, `${family}: SciPy converged, descent stopped on ${r.reason}`);
      const t = families.get(family) ?? { descent: 0, scipy: 0, runs: 0 };
      t.descent += r.evaluations;
      t.scipy += ref.nfev;
      t.runs++;
      families.set(family, t);
    }
    const tally = [...families].map(([f, t]) => `${f} (${t.runs} runs): ${t.descent} vs ${t.scipy}`).join('; ');
    for (const [family, t] of families) assert.ok(t.descent <= 1.02 * t.scipy, `${family}: ${t.descent} evaluations vs SciPy ${t.scipy} (${tally})`);
    const total = [...families.values()].reduce((a, t) => [a[0] + t.descent, a[1] + t.scipy], [0, 0]);
    assert.ok(total[0] <= total[1], `in total ${total[0]} evaluations vs SciPy ${total[1]} (${tally})`);
  });
}
