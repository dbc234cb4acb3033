// The Moré–Thuente line search against MINPACK-2 itself, and bfgs/lbfgs against SciPy step by step.
// References (test/fixtures/tools/more_thuente_reference.py, SciPy 1.10):
//  - dcsrch.json: scipy.optimize._minpack2.dcsrch (the Fortran) on the six test functions of Moré and
//    Thuente's paper, from four first steps, with xtol 0.1 and 1e-14: every trial step and the outcome;
//  - trajectories.json: SciPy's BFGS and L-BFGS-B on the 2-D fixture problems with f and ∇f computed in
//    descent's arithmetic: x and the evaluation count after each iteration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeObjective } from '../../src/objectives/index.js';
import { minimize } from '../../src/search/index.js';
import { LineSearchWork, moreThuente, type MoreThuenteResult } from '../../src/search/line-search.js';

const root = join(import.meta.dirname, '..', 'fixtures', 'minimize-line-search');
const dcsrch = JSON.parse(readFileSync(join(root, 'dcsrch.json'), 'utf8'));
const runs = JSON.parse(readFileSync(join(root, 'trajectories.json'), 'utf8')).runs;

// the paper's functions φ(α) with φ'(α), written as the fixture script writes them
function gammaOf(b: number): number {
  return Math.sqrt(1 + b * b) - b;
}
function yanai(b1: number, b2: number): (a: number) => [number, number] {
  const g1 = gammaOf(b1), g2 = gammaOf(b2);
  return (a) => {
    const r1 = Math.sqrt((1 - a) ** 2 + b2 * b2), r2 = Math.sqrt(a * a + b1 * b1);
    return [g1 * r1 + g2 * r2, (-g1 * (1 - a)) / r1 + (g2 * a) / r2];
  };
}
const phis: Record<string, (a: number) => [number, number]> = {
  mt1: (a) => [-a / (a * a + 2), (a * a - 2) / (a * a + 2) ** 2],
  mt2: (a) => {
    const u = a + 0.004;
    return [u ** 5 - 2 * u ** 4, 5 * u ** 4 - 8 * u ** 3];
  },
  mt3: (a) => {
    const b = 0.01, l = 39;
    let p0: number, d0: number;
    if (a <= 1 - b) [p0, d0] = [1 - a, -1];
    else if (a >= 1 + b) [p0, d0] = [a - 1, 1];
    else [p0, d0] = [(a - 1) ** 2 / (2 * b) + b / 2, (a - 1) / b];
    const c = (2 * (1 - b)) / (l * Math.PI);
    return [p0 + c * Math.sin((l * Math.PI * a) / 2), d0 + c * ((l * Math.PI) / 2) * Math.cos((l * Math.PI * a) / 2)];
  },
  mt4: yanai(0.001, 0.001),
  mt5: yanai(0.01, 0.001),
  mt6: yanai(0.001, 0.01),
};

function close(a: number, b: number, rel: number): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
}

test('moreThuente reproduces MINPACK-2 dcsrch trial by trial on the Moré–Thuente test functions', () => {
  assert.equal(dcsrch.cases.length, 48);
  for (const c of dcsrch.cases) {
    const phi = phis[c.function];
    const trials: number[] = [];
    const objective = {
      n: 1,
      valueAndGrad(x: Float64Array, g: Float64Array): number {
        trials.push(x[0]);
        const [f, df] = phi(x[0]);
        g[0] = df;
        return f;
      },
    };
    const [f0, g0] = phi(0);
    const res: MoreThuenteResult = { status: 'failed', t: 0, f: 0, evaluations: 0 };
    const xOut = new Float64Array(1), gOut = new Float64Array(1);
    const opts = { c1: c.ftol, c2: c.gtol, xtol: c.xtol, stpMin: c.stpmin, stpMax: c.stpmax, maxEvals: 100, approxEps: 0 };
    moreThuente(objective, Float64Array.of(0), f0, g0, Float64Array.of(1), c.stp0, opts, new LineSearchWork(1), xOut, gOut, res);
    const label = `${c.function} from ${c.stp0}, xtol ${c.xtol}`;
    // sin/cos may differ from glibc's in the last bit; every other operation is the Fortran's
    assert.equal(trials.length, c.trials.length, `${label}: trials ${trials} vs dcsrch ${c.trials}`);
    trials.forEach((t, i) => assert.ok(close(t, c.trials[i], 1e-12), `${label}: trial ${i} ${t} vs ${c.trials[i]}`));
    assert.equal(res.status, c.task.startsWith('CONVERGENCE') ? 'ok' : 'warning', `${label}: ${c.task}`);
    assert.ok(close(res.t, c.stp, 1e-12), `${label}: stp ${res.t} vs ${c.stp}`);
    assert.equal(res.evaluations, c.trials.length);
  }
});

test('bfgs and lbfgs follow SciPy BFGS and L-BFGS-B iteration by iteration on the 2-D problems (same x, same evaluation counts)', () => {
  for (const [key, run] of Object.entries(runs) as [string, { function: string; x0: number[]; nfev: number; iterations: { x: number[]; evaluations: number }[] }][]) {
    const method = key.endsWith('L-BFGS-B') ? 'lbfgs' : 'bfgs';
    const seen: { x: number[]; evaluations: number }[] = [];
    const r = minimize(makeObjective(run.function, run.x0.length), run.x0, {
      method,
      gtol: 1e-8,
      ...(method === 'lbfgs' ? { ftol: 1e-15 } : {}),
      onIterate: (i) => {
        if (i.nit > 0) seen.push({ x: Array.from(i.x), evaluations: i.evaluations });
      },
    });
    assert.equal(r.reason, 'gtol', key);
    assert.equal(seen.length, run.iterations.length, `${key}: iterations`);
    seen.forEach((s, k) => {
      const ref = run.iterations[k];
      assert.equal(s.evaluations, ref.evaluations, `${key}: evaluations after iteration ${k + 1}`);
      // the two-loop recursion and the O(n²) BFGS update round differently from SciPy's matrix forms: the
      // iterates agree to ~1e-15, growing to ~3e-10 along Rosenbrock's valley
      s.x.forEach((v, i) => assert.ok(Math.abs(v - ref.x[i]) <= 1e-9 * Math.max(1, Math.abs(ref.x[i])), `${key}: x${i} at iteration ${k + 1}: ${v} vs ${ref.x[i]}`));
    });
    assert.equal(r.evaluations, run.nfev, key);
  }
});

test('moreThuente backs off from NaN/+∞ trial values and still ends at a strong Wolfe point', () => {
  // f(t) = (t − 1)² for t < 2, NaN beyond (an overflow past a good region); from t0 = 10 the search must
  // halve towards 0 and then satisfy f ≤ f0 + c1·t·f'(0) and |f'(t)| ≤ c2·|f'(0)| (closed form: f'(t) = 2(t − 1))
  for (const bad of [NaN, Infinity]) {
    const objective = {
      n: 1,
      valueAndGrad(x: Float64Array, g: Float64Array): number {
        if (x[0] >= 2) {
          g[0] = bad;
          return bad;
        }
        g[0] = 2 * (x[0] - 1);
        return (x[0] - 1) ** 2;
      },
    };
    const res: MoreThuenteResult = { status: 'failed', t: 0, f: 0, evaluations: 0 };
    const xOut = new Float64Array(1), gOut = new Float64Array(1);
    const opts = { c1: 1e-4, c2: 0.9, xtol: 1e-14, stpMin: 0, stpMax: 1e10, maxEvals: 100, approxEps: 0 };
    moreThuente(objective, Float64Array.of(0), 1, -2, Float64Array.of(1), 10, opts, new LineSearchWork(1), xOut, gOut, res);
    assert.equal(res.status, 'ok', String(bad));
    assert.ok(res.t < 2 && (res.t - 1) ** 2 <= 1 + 1e-4 * res.t * -2 && Math.abs(2 * (res.t - 1)) <= 0.9 * 2, `t = ${res.t}`);
    assert.equal(xOut[0], res.t);
  }
});

test('wolfe "nocedal-wright" keeps the bracketing-and-zoom search; a bad value names the two choices', () => {
  for (const method of ['bfgs', 'lbfgs']) {
    const r = minimize(makeObjective('rosenbrock', 2), [-1.2, 1], { method, wolfe: 'nocedal-wright', gtol: 1e-8 });
    assert.equal(r.reason, 'gtol');
    assert.ok(Math.abs(r.x[0] - 1) < 1e-7 && Math.abs(r.x[1] - 1) < 1e-7);
  }
  assert.throws(
    () => minimize(makeObjective('rosenbrock', 2), [-1.2, 1], { method: 'bfgs', wolfe: 'nw' }),
    (e: unknown) => e instanceof Error && /^bfgs: wolfe: expected "more-thuente" or "nocedal-wright", got "nw"$/.test(e.message),
  );
  assert.throws(() => minimize(makeObjective('rosenbrock', 2), [-1.2, 1], { method: 'lbfgs', ftol: 2 }), /lbfgs: ftol: expected a number in \[0, 1\), got 2/);
});
