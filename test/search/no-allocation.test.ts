// The per-iteration work of the search methods (backtracking, L-BFGS two-loop, BFGS update, Newton solve)
// allocates nothing: 2e5 rounds trigger no garbage collection (two allowed for the test runner).
// Strong Wolfe is left out: where V8 does not inline the objective into it, each f that valueAndGrad returns
// comes back as a boxed double (16 B per evaluation, a few young-generation scavenges per 1e6 evaluations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { makeObjective } from '../../src/objectives/index.js';
import { backtracking, type LineSearchResult } from '../../src/search/index.js';
import { bfgsRule } from '../../src/search/bfgs.js';
import { lbfgsRule } from '../../src/search/lbfgs.js';
import { newtonRule } from '../../src/search/newton.js';

test('no allocation per iteration: 2e5 backtracking searches and direction updates trigger no garbage collection', async () => {
  const f = makeObjective('rosenbrock', 4);
  const n = 4;
  const x = Float64Array.of(-1.2, 1, -1.2, 1), g = new Float64Array(n), d = new Float64Array(n);
  const xOut = new Float64Array(n), gOut = new Float64Array(n);
  const s = Float64Array.of(0.1, -0.2, 0.05, 0.3), y = Float64Array.of(0.3, -0.1, 0.2, 0.4);
  const f0 = f.valueAndGrad(x, g);
  const res: LineSearchResult = { status: 'failed', t: 0, f: 0 };
  const armijo = { c1: 0.1, shrink: 0.8, t0: 1 };
  const rules = [lbfgsRule(n, 3, 'strong-wolfe'), bfgsRule(n), newtonRule(f, n)];
  const round = (k: number): void => {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < n; j++) d[j] = -g[j];
      let gtd = 0;
      for (let j = 0; j < n; j++) gtd += g[j] * d[j];
      backtracking(f, x, f0, gtd, d, armijo, xOut, gOut, res);
      for (const r of rules) {
        r.update(s, y, 1);
        r.direction(i, x, f0, g, d);
      }
      if (i % 50 === 0) for (const r of rules) r.reset();
    }
  };
  round(100000); // let the JIT settle
  await new Promise((r) => setImmediate(r));
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  obs.observe({ entryTypes: ['gc'] });
  round(200000);
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  assert.ok(gcs <= 2, `${gcs} garbage collections during 2e5 rounds`);
});
