// The per-iteration work of the search methods (backtracking, L-BFGS two-loop, BFGS update, Newton solve)
// allocates nothing: the young generation grows by under one byte per round (test/helpers/allocation.ts
// measures it; a control loop that allocates one small array per round shows the probe can see it).
// Strong Wolfe is left out: where V8 does not inline the objective into it, each f that valueAndGrad returns
// comes back as a boxed double (16 B per evaluation, a few young-generation scavenges per 1e6 evaluations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesAllocated } from '../helpers/allocation.js';
import { makeObjective } from '../../src/objectives/index.js';
import { backtracking, type LineSearchResult } from '../../src/search/index.js';
import { bfgsRule } from '../../src/search/bfgs.js';
import { lbfgsRule } from '../../src/search/lbfgs.js';
import { newtonRule } from '../../src/search/newton.js';

test('no allocation per iteration: backtracking searches and direction updates allocate nothing (young-generation bytes per round)', () => {
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
  // the detector sees allocation: a loop that keeps one small array per round is measured at ≥ 32 B a round
  const keep: Float64Array[] = new Array(8);
  const allocating = (k: number): void => {
    for (let i = 0; i < k; i++) {
      keep[i & 7] = new Float64Array(n);
      round(1);
    }
  };
  allocating(20000);
  const rounds = 10000;
  const control = bytesAllocated(allocating, rounds);
  assert.ok(control >= 32 * rounds, `the allocating control measured only ${control} B over ${rounds} rounds`);
  const bytes = bytesAllocated(round, rounds);
  // under one byte per round: nothing per iteration (a single boxed double per round would be 16 B)
  assert.ok(bytes < rounds, `${bytes} B allocated over ${rounds} rounds (the allocating control: ${control} B)`);
});
