// The per-iteration work of the search methods (backtracking, L-BFGS two-loop, BFGS update, Newton solve)
// allocates nothing: 2e5 rounds trigger next to no garbage collection. The test runner and a busy CI machine
// cause a few collections of their own, so the bound is relative: a control loop that allocates one
// 4-element Float64Array per round must collect at least ten times as often as the real loop.
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
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const countGcs = async (work: () => void): Promise<number> => {
    let gcs = 0;
    const obs = new PerformanceObserver((list) => {
      gcs += list.getEntries().length;
    });
    gc();
    obs.observe({ entryTypes: ['gc'] });
    work();
    await new Promise((r) => setTimeout(r, 50));
    obs.disconnect();
    return gcs;
  };
  let sink = 0;
  const control = await countGcs(() => {
    for (let i = 0; i < 200000; i++) {
      const a = new Float64Array(n); // the kind of per-iteration allocation the rules must not make
      a[i & 3] = i;
      sink += a[0];
      round(1);
    }
  });
  const gcs = await countGcs(() => round(200000));
  assert.ok(sink >= 0);
  assert.ok(control >= 10, `the control loop collected only ${control} times: the detector cannot see allocation`);
  assert.ok(gcs <= Math.max(2, control / 10), `${gcs} garbage collections during 2e5 rounds (control that allocates: ${control})`);
});
