// How far SciPy's own evaluation counts move with the last bits of f and ∇f, and where descent falls in that
// spread. test/fixtures/tools/scipy_arithmetic_spread.py ran SciPy 1.10's BFGS and L-BFGS-B (gtol 1e-8;
// L-BFGS-B ftol 1e-15, maxcor 10) on the condition-1e4 quadratic and on Rosenbrock n = 100 with f and ∇f
// computed in several equally valid summation orders (forward, backward, pairwise, interleaved lanes,
// compensated). The objectives below compute the very same bits (checked at the fixture's probe points), and
// descent runs on each. The torch-f fixture (minimize-scipy.test.ts) is one more draw from this spread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minimize, type SearchObjective } from '../../src/search/index.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const spread = JSON.parse(readFileSync(join(fixtures, 'minimize-arithmetic-spread.json'), 'utf8'));

const SPLIT = 134217729; // 2^27 + 1, Dekker's splitter for an exact product
const sumForward = (v: number[]): number => {
  let s = 0;
  for (const t of v) s += t;
  return s;
};
const sumBackward = (v: number[]): number => {
  let s = 0;
  for (let i = v.length - 1; i >= 0; i--) s += v[i];
  return s;
};
const sumPairwise = (v: number[]): number => {
  if (v.length <= 2) return sumForward(v);
  const h = Math.floor(v.length / 2);
  return sumPairwise(v.slice(0, h)) + sumPairwise(v.slice(h));
};
const sumLanes = (k: number) => (v: number[]): number => {
  const acc = new Array<number>(k).fill(0);
  v.forEach((t, i) => (acc[i % k] += t));
  return sumPairwise(acc);
};
const sumCompensated = (v: number[]): number => {
  let s = 0, c = 0;
  for (const t of v) {
    const u = s + t;
    c += Math.abs(s) >= Math.abs(t) ? (s - u) + t : (t - u) + s;
    s = u;
  }
  return s + c;
};
const sums: Record<string, (v: number[]) => number> = {
  fwd: sumForward, rev: sumBackward, pair: sumPairwise, lanes2: sumLanes(2), lanes4: sumLanes(4), lanes8: sumLanes(8), comp: sumCompensated,
};

function dot(a: ArrayLike<number>, x: ArrayLike<number>, order: string): number {
  if (order === 'dot2') {
    // Ogita, Rump and Oishi's Dot2: products split exactly, sums with their rounding errors carried
    let s = 0, c = 0;
    for (let i = 0; i < a.length; i++) {
      const p = a[i] * x[i];
      const ah = SPLIT * a[i] - (SPLIT * a[i] - a[i]), al = a[i] - ah;
      const xh = SPLIT * x[i] - (SPLIT * x[i] - x[i]), xl = x[i] - xh;
      const pe = ((ah * xh - p) + ah * xl + al * xh) + al * xl;
      const u = s + p, z = u - s;
      c += (s - (u - z)) + (p - z) + pe;
      s = u;
    }
    return s + c;
  }
  const v: number[] = [];
  for (let i = 0; i < a.length; i++) v.push(a[i] * x[i]);
  return sums[order](v);
}

function quadratic(A: number[][], b: number[], variant: string): SearchObjective {
  const [order, form] = variant.split('/');
  return {
    n: b.length,
    valueAndGrad(x, g) {
      const ax = A.map((row) => dot(row, x, order));
      for (let i = 0; i < b.length; i++) g[i] = ax[i] - b[i];
      if (form === 'a') return 0.5 * dot(x, ax, order) - dot(b, x, order);
      return dot(x, ax.map((v, i) => 0.5 * v - b[i]), order);
    },
  };
}

function rosenbrock(n: number, order: string): SearchObjective {
  return {
    n,
    valueAndGrad(x, g) {
      const terms: number[] = [];
      g.fill(0);
      for (let i = 0; i < n - 1; i++) {
        const t = x[i + 1] - x[i] * x[i];
        const u = 1 - x[i];
        terms.push(100 * (t * t) + u * u);
        const gt = 200 * t;
        g[i + 1] += gt;
        g[i] += -gt * (2 * x[i]) - 2 * u;
      }
      return sums[order](terms);
    },
  };
}

for (const [name, c] of Object.entries<any>(spread.cases)) {
  const spec = JSON.parse(readFileSync(join(fixtures, 'minimize', name, 'spec.json'), 'utf8'));
  const make = (v: string): SearchObjective =>
    name.startsWith('quadratic') ? quadratic(spec.function.A, spec.function.b, v) : rosenbrock(spec.x0.length, v);

  test(`${name}: the arithmetic variants compute the same bits as the SciPy fixture's`, () => {
    for (const [v, row] of Object.entries<any>(c.variants)) {
      const objective = make(v);
      c.probes.forEach((p: number[], k: number) => {
        const g = new Float64Array(p.length);
        const f = objective.valueAndGrad(Float64Array.from(p), g);
        const [fRef, gRef] = row.probeValues[k];
        assert.equal(f, fRef, `${v}: f at probe ${k}`);
        assert.deepEqual(Array.from(g), gRef, `${v}: ∇f at probe ${k}`);
      });
    }
  });

  for (const [method, key] of [['bfgs', 'BFGS'], ['lbfgs', 'L-BFGS-B']] as const) {
    test(`${name}: ${method} vs SciPy ${key} over ${Object.keys(c.variants).length} arithmetic variants`, () => {
      const rows: string[] = [];
      const ours: number[] = [], theirs: number[] = [];
      for (const [v, row] of Object.entries<any>(c.variants)) {
        const r = minimize(make(v), spec.x0, {
          method, gtol: 1e-8, maxIter: 20000, recordPath: false, ...(method === 'lbfgs' ? { ftol: 1e-15 } : {}),
        });
        // every run ends where SciPy's does, by the gradient test (or, for lbfgs, L-BFGS-B's ftol test)
        assert.ok(r.reason === 'gtol' || (method === 'lbfgs' && r.reason === 'ftol'), `${v}: stopped on ${r.reason}`);
        const fRef = row[key].fun;
        assert.ok(Math.abs(r.fun - fRef) <= 1e-9 * Math.max(1, Math.abs(fRef)), `${v}: f ${r.fun} vs SciPy ${fRef}`);
        rows.push(`${v} ${r.evaluations}/${row[key].nfev}${row[key].success ? '' : '*'}`);
        ours.push(r.evaluations);
        theirs.push(row[key].nfev);
      }
      const k = theirs.length;
      const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(theirs.reduce((a, b) => a + (b - mean(theirs)) ** 2, 0) / (k - 1));
      // descent's mean count over the variants may not exceed SciPy's mean by more than the standard error of
      // that mean: a systematic excess (a worse line search or update) fails, a lucky draw of bits does not decide
      const budget = mean(theirs) + sd / Math.sqrt(k);
      console.log(`${name} ${method} (descent/SciPy, * SciPy not converged): ${rows.join(', ')}; ` +
        `mean ${mean(ours).toFixed(1)}/${mean(theirs).toFixed(1)}, SciPy sd ${sd.toFixed(1)}`);
      assert.ok(mean(ours) <= budget, `mean ${mean(ours)} evaluations, SciPy ${mean(theirs)} ± ${sd / Math.sqrt(k)}`);
    });
  }
}
