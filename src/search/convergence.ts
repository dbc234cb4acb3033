/**
 * The lectures' convergence-rate picture as numbers: the error ‖x_k − x*‖∞ against the iteration for
 * Newton (quadratic), BFGS and L-BFGS (superlinear), gradient descent with backtracking (linear) and
 * SGD with a fixed learning rate (linear with a rate near 1 on an ill-conditioned problem: to the eye,
 * the slow sublinear-looking tail), all on one smooth strictly convex problem with a known minimizer.
 * Pure: returns series for `lineChartSvg({ series, logY: true })`.
 */
import { DescentError } from '../errors.js';
import { runFirstOrder } from './run-first-order.js';
import { linearCombination, sumOf } from '../autograd/second-order.js';
import { withTapedHessian, type Objective } from '../objectives/objective.js';
import { minimize } from './minimize.js';

/**
 * f(x) = Σᵢ (exp(uᵢ) − uᵢ), u = Q(x − x*), Q invertible: smooth, strictly convex, not quadratic, with its
 * minimizer x* and minimum n known in closed form (uᵢ = 0). ∇f = Qᵀ(exp(u) − 1), ∇²f = Qᵀ diag(exp(u)) Q.
 */
export function expSumObjective(q: number[][], xStar: number[]): Objective {
  const n = xStar.length;
  const u = new Float64Array(n);
  const fill = (x: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += q[i][j] * (x[j] - xStar[j]);
      u[i] = s;
    }
  };
  const value = (x: Float64Array): number => {
    fill(x);
    let f = 0;
    for (let i = 0; i < n; i++) f += Math.exp(u[i]) - u[i];
    return f;
  };
  return withTapedHessian({
    name: 'exp-sum',
    n,
    dim: n,
    minimum: xStar.slice(),
    minimumValue: n,
    value,
    valueAndGrad(x, g) {
      const f = value(x);
      g.fill(0);
      for (let i = 0; i < n; i++) {
        const e = Math.exp(u[i]) - 1;
        for (let j = 0; j < n; j++) g[j] += q[i][j] * e;
      }
      return f;
    },
    // ∇²f = Qᵀ diag(exp(u)) Q, by forward-over-reverse from f written over Scalars
    expression: (x) => {
      const dx = x.map((xj, j) => xj.sub(xStar[j]));
      return sumOf(q.map((row) => {
        const ui = linearCombination(dx, row);
        return ui.exp().sub(ui);
      }));
    },
  });
}

/** The problem of the picture: n = 3, Q lower triangular, x0 = 0, x* = (1, −2, 0.5). */
export const convergenceProblem = {
  q: [
    [3, 0, 0],
    [1, 1, 0],
    [0.5, -0.5, 1],
  ],
  xStar: [1, -2, 0.5],
  x0: [0, 0, 0],
};

/** One method's error per iteration in {@link convergenceSeries} (the `--plot-convergence` figure's line). */
export interface ConvergenceSeries {
  label: string;
  /** The method (newton, bfgs, lbfgs, gd-backtracking, sgd): what a plot colours the series by. */
  method: string;
  /** Iterations 0, 1, ... */
  x: number[];
  /** The error at each iteration (iterates at exactly zero error are dropped: a log scale cannot show them). */
  y: number[];
  /** Objective evaluations the run used. */
  evaluations: number;
  /** The step at which f or the iterate became non-finite, when the method diverged (its series ends before it). */
  diverged?: number;
}

export interface ConvergenceOptions {
  /** The problem (default: exp-sum, `convergenceProblem`). */
  objective?: Objective;
  /** Start (default: convergenceProblem.x0, or zeros). */
  x0?: number[];
  /** Iterations for every method, and steps for sgd (default 100). */
  maxIter?: number;
  /** SGD's fixed learning rate (default 0.05). */
  sgdLr?: number;
}

export interface ConvergenceReport {
  /** 'distance' when the minimizer is known (‖x_k − x*‖∞), else 'value' (|f_k − f*|, f* the lowest f any method found). */
  error: 'distance' | 'value';
  series: ConvergenceSeries[];
}

/**
 * Runs newton, bfgs, lbfgs (ftol 0), gd-backtracking (each to gtol 1e-13 or `maxIter` iterations) and sgd with a
 * fixed lr for `maxIter` steps from the same x0, and returns each error sequence: the distance to the
 * objective's known minimizer, or else |f − f*| with f* the lowest value any run reached.
 * A method that stops with a non-finite value keeps the iterates it had; sgd diverging at its lr is
 * shown too, its series ending where it diverged and `diverged` giving the step (never dropped).
 */
export function convergenceSeries(o: ConvergenceOptions = {}): ConvergenceReport {
  const maxIter = o.maxIter ?? 100;
  const objective = o.objective ?? expSumObjective(convergenceProblem.q, convergenceProblem.xStar);
  const x0 = o.x0 ?? (o.objective ? new Array<number>(objective.n).fill(0) : convergenceProblem.x0);
  const runs: { label: string; method: string; path: number[][]; values: number[]; evaluations: number; diverged?: number }[] = [];
  for (const method of ['newton', 'bfgs', 'lbfgs', 'gd-backtracking']) {
    // lbfgs without its relative-reduction stop (ftol), which would end the picture once f stops moving
    const r = minimize(objective, x0, { method, gtol: 1e-13, maxIter, ...(method === 'lbfgs' ? { ftol: 0 } : {}) });
    runs.push({ label: method, method, path: r.path, values: r.values, evaluations: r.evaluations });
  }
  const sgdLr = o.sgdLr ?? 0.05;
  // the iterates as they come, so a run that diverges keeps the ones it had
  const sgdPath: number[][] = [x0.slice()], sgdValues: number[] = [objective.value(Float64Array.from(x0))];
  try {
    const r = runFirstOrder({
      objective, x0, optimizer: 'sgd', options: { lr: sgdLr }, steps: maxIter,
      onStep: (_t, x, f) => {
        sgdPath.push(Array.from(x));
        sgdValues.push(f);
      },
    });
    runs.push({ label: `sgd (lr ${sgdLr})`, method: 'sgd', path: r.path, values: r.values, evaluations: r.evaluations });
  } catch (err) {
    const m = err instanceof DescentError && err.kind === 'run' ? /^diverged at step (\d+)/.exec(err.message) : null;
    if (!m) throw err;
    const step = Number(m[1]);
    runs.push({ label: `sgd (lr ${sgdLr}), diverged at step ${step}`, method: 'sgd', path: sgdPath, values: sgdValues, evaluations: step, diverged: step });
  }
  const xStar = objective.minimum;
  const useDistance = xStar !== undefined && xStar.length === objective.n;
  let fStar = Infinity;
  for (const r of runs) for (const v of r.values) if (v < fStar) fStar = v;
  const err = (p: number[], f: number): number => {
    if (!useDistance) return Math.abs(f - fStar);
    let m = 0;
    for (let i = 0; i < p.length; i++) m = Math.max(m, Math.abs(p[i] - xStar[i]));
    return m;
  };
  const series = runs.map((r) => {
    const xs: number[] = [], ys: number[] = [];
    r.path.forEach((p, k) => {
      const e = err(p, r.values[k]);
      if (e > 0 && Number.isFinite(e)) {
        xs.push(k);
        ys.push(e);
      }
    });
    return { label: r.label, method: r.method, x: xs, y: ys, evaluations: r.evaluations, ...(r.diverged !== undefined ? { diverged: r.diverged } : {}) };
  });
  return { error: useDistance ? 'distance' : 'value', series };
}
