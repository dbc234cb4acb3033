// bfgs and lbfgs against SciPy 1.10 (BFGS and L-BFGS-B, gtol 1e-8), fixtures made by
// shared/tools/torch_reference.py minimize (copied to test/fixtures/minimize). Each run must reach
// max|∇f| ≤ 1e-8 at SciPy's minimizer and use no more objective evaluations than SciPy's nfev,
// except the gaps listed in KNOWN_GAPS, which are pinned at today's count so they cannot grow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeObjective } from '../../src/objectives/index.js';
import { minimize } from '../../src/search/index.js';

const root = join(import.meta.dirname, '..', 'fixtures', 'minimize');

/**
 * Where descent takes more evaluations than SciPy: the count allowed, pinned at today's figure.
 * quadratic-cond1e4 lbfgs: from max|∇f| ≈ 1e-6 on, f = ½xᵀAx − bᵀx (xᵀAx ~ 1e4) no longer resolves the
 * decrease, and the count depends on how f's rounding falls: SciPy's own L-BFGS-B takes 116 with torch's f
 * (the fixture) but 175 with NumPy's `0.5*x@A@x - b@x`. rosenbrock-10 bfgs: SciPy stops there with
 * "precision loss" (success false) one evaluation before reaching gtol; descent reaches gtol at the same point.
 */
const KNOWN_GAPS: Record<string, { evaluations?: number; otherMinimum?: boolean }> = {
  'quadratic-cond1e4 lbfgs': { evaluations: 187 },
  'rosenbrock-10 bfgs': { evaluations: 86 },
  'rosenbrock-10 lbfgs': { evaluations: 95 },
  'rosenbrock-100 lbfgs': { evaluations: 639 },
};

for (const name of readdirSync(root).sort()) {
  const spec = JSON.parse(readFileSync(join(root, name, 'spec.json'), 'utf8'));
  const expected = JSON.parse(readFileSync(join(root, name, 'expected.json'), 'utf8'));
  for (const [method, key] of [['bfgs', 'BFGS'], ['lbfgs', 'L-BFGS-B']] as const) {
    // BFGS at n = 1000 is O(n²) per iteration over ~5000 iterations: too slow for the unit suite
    if (method === 'bfgs' && spec.x0.length > 200) continue;
    const ref = expected[key];
    const gap = KNOWN_GAPS[`${name} ${method}`];
    test(`${method} on ${name} (n = ${spec.x0.length}) vs SciPy ${key}: nfev ${ref.nfev}`, () => {
      const objective = makeObjective(spec.function, spec.x0.length);
      const r = minimize(objective, spec.x0, { method, gtol: 1e-8, maxIter: 20000 });
      assert.equal(r.reason, 'gtol');
      assert.ok(Math.max(...Array.from(r.grad, Math.abs)) <= 1e-8);
      if (!gap?.otherMinimum) {
        for (let i = 0; i < r.x.length; i++) {
          assert.ok(Math.abs(r.x[i] - ref.x[i]) <= 1e-6, `x[${i}]: ${r.x[i]} vs SciPy ${ref.x[i]}`);
        }
        assert.ok(Math.abs(r.fun - ref.fun) <= 1e-9 * Math.max(1, Math.abs(ref.fun)), `f ${r.fun} vs ${ref.fun}`);
      } else {
        // the local minimum near x₁ = −1 (f ≈ 3.9866 at n = 100); stationarity is checked above
        assert.ok(r.fun > 3.98 && r.fun < 3.99 && r.x[0] < -0.9, `the local minimum near x₁ = −1, got f = ${r.fun}`);
      }
      const allowed = gap?.evaluations ?? ref.nfev;
      assert.ok(r.evaluations <= allowed, `${r.evaluations} evaluations, SciPy ${ref.nfev}, allowed ${allowed}`);
    });
  }
}
