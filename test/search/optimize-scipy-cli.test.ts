// The SciPy minimize fixtures through the contract, as a user types them: `descent optimize --spec` with
// only { name, gtol: 1e-8 } (every other setting the method's default) and --steps 20000, the settings of
// shared/tools/torch_reference.py minimize. The run must end at SciPy's minimizer (1e-6 in x) and claim
// convergence where SciPy did (lbfgs's default ftol 1e-15 is the references' L-BFGS-B setting, so it stops
// where L-BFGS-B stops). Evaluations must not exceed SciPy's nfev with torch's f, except the runs that
// test/search/minimize-scipy.test.ts names and docs/second-order.md ("Arithmetic spread") explains, where
// the last bits of f and ∇f steer the count: there they must not exceed the larger of SciPy's two counts
// (torch's f, descent's f). BFGS at n = 1000 (~30 s) is left to the docs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDescent } from '../helpers/cli.js';
import { evaluationBudget, minimizeFixtures } from '../helpers/minimize-fixtures.js';
import { scratchDir } from '../helpers/scratch.js';

test('optimize --spec on the SciPy minimize fixtures with default settings: SciPy minimizer, convergence and evaluations', () => {
  const dir = scratchDir('optimize-scipy-cli');
  const rows: string[] = [];
  for (const fixture of minimizeFixtures()) {
    const { name, spec } = fixture;
    for (const [method, key] of [['bfgs', 'BFGS'], ['lbfgs', 'L-BFGS-B']] as const) {
      if (method === 'bfgs' && spec.x0.length > 200) continue;
      const ref = fixture.torch[key];
      const file = join(dir, `${name}-${method}.json`);
      writeFileSync(file, JSON.stringify({ function: spec.function, x0: spec.x0, optimizer: { name: method, gtol: 1e-8 }, steps: 20000 }));
      const r = runDescent(['optimize', '--spec', file, '--json']);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { path: number[][]; values: number[]; evaluations: number; converged: boolean; reason: string };
      const label = `${method} on ${name}`;
      const last = out.path[out.path.length - 1];
      last.forEach((v, i) => assert.ok(Math.abs(v - ref.x[i]) <= 1e-6, `${label}: x[${i}] ${v} vs SciPy ${ref.x[i]}`));
      assert.ok(Math.abs(out.values[out.values.length - 1] - ref.fun) <= 1e-9 * Math.max(1, Math.abs(ref.fun)), `${label}: f`);
      // SciPy's BFGS at n = 10 stops with "precision loss" at its point (not converged); descent goes on to gtol
      if (ref.success) assert.equal(out.converged, true, `${label}: ${out.reason}`);
      assert.ok(out.reason === 'gtol' || (method === 'lbfgs' && out.reason === 'ftol'), `${label}: ${out.reason}`);
      // where SciPy did not converge (BFGS at n = 10), minimize-scipy.test.ts holds the evaluations that reach
      // SciPy's end point to its count; descent then goes on to gtol
      const budget = evaluationBudget(method, fixture);
      if (ref.success) assert.ok(out.evaluations <= budget, `${label}: ${out.evaluations} evaluations, SciPy ${ref.nfev} (budget ${budget})`);
      rows.push(`${label} ${out.evaluations}/${ref.nfev} ${out.reason}`);
    }
  }
  assert.equal(rows.length, 15, rows.join('; '));
});
