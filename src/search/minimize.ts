/**
 * `minimize(objective, x0, { method, gtol, maxIter, ... })`, in the spirit of scipy.optimize.minimize:
 * one loop shared by every line-search method (direction → line search → curvature update), the
 * `searchMethods` table of their defaults, and option validation.
 *
 * Stopping, per the contract: max_i |∂f/∂x_i| ≤ gtol ('gtol'), or maxIter iterations ('max-iterations'),
 * or a line search that finds no decrease ('line-search-failed'), or f/∇f not finite ('non-finite').
 */
import { inputError, unknownName } from '../errors.js';
import { bfgsRule } from './bfgs.js';
import { counted, type SearchObjective } from './counted.js';
import { dot, type DirectionRule } from './direction.js';
import { lbfgsRule } from './lbfgs.js';
import { backtracking, LineSearchWork, strongWolfe, type LineSearchResult } from './line-search.js';
import { newtonRule } from './newton.js';
import { conjugateGradientRule, steepestRule } from './steepest.js';

/**
 * Every line-search and second-order method with its hyperparameters' defaults: the single source of
 * the CLI flags, the validator and the docs. c1/c2 are the Armijo and curvature constants, shrink the
 * backtracking factor, t0 gd-backtracking's first trial step, initialScaling BFGS's H₀ = (sᵀy/yᵀy)·I.
 */
export const searchMethods = {
  'gd-backtracking': { c1: 0.1, shrink: 0.8, t0: 1, gtol: 1e-6 },
  newton: { c1: 1e-4, shrink: 0.5, gtol: 1e-6 },
  bfgs: { c1: 1e-4, c2: 0.9, initialScaling: false, gtol: 1e-6 },
  lbfgs: { historySize: 10, lineSearch: 'strong-wolfe', c1: 1e-4, c2: 0.9, shrink: 0.5, gtol: 1e-6 },
  cg: { c1: 1e-4, c2: 0.1, gtol: 1e-6 },
} as const;

export type SearchMethodName = keyof typeof searchMethods;

/** Why a run stopped. */
export type StopReason = 'gtol' | 'max-iterations' | 'line-search-failed' | 'non-finite';

/** What one iteration reports to `onIterate`: one object updated in place, its arrays the run's own buffers (copy to keep). */
export interface IterateInfo {
  nit: number;
  x: Float64Array;
  fun: number;
  grad: Float64Array;
  evaluations: number;
}

export interface MinimizeOptions {
  method: SearchMethodName | string;
  /** Stop when max_i |∂f/∂x_i| ≤ gtol (default 1e-6). */
  gtol?: number;
  /** The most iterations (default max(1000, 200·n), SciPy BFGS's 200·n). */
  maxIter?: number;
  /** Keep every iterate in `path` (default true; off for large parameter vectors). */
  recordPath?: boolean;
  /** Called with x0 (nit 0) and after every iteration. */
  onIterate?: (info: IterateInfo) => void;
  /** Method hyperparameters: c1, c2, shrink, t0, historySize, lineSearch (see `searchMethods`). */
  [hyper: string]: unknown;
}

export interface MinimizeResult {
  x: Float64Array;
  fun: number;
  grad: Float64Array;
  /** Iterations (accepted steps). */
  nit: number;
  /** Objective evaluations, f and ∇f together counting once (Hessian evaluations not included). */
  evaluations: number;
  /** Analytic Hessian evaluations (newton only). */
  hessianEvaluations: number;
  /** reason === 'gtol'. */
  converged: boolean;
  reason: StopReason;
  /** x0, x1, ..., every iterate (empty when recordPath is false). */
  path: number[][];
  /** f at each point of path (every iterate's f even when recordPath is false). */
  values: number[];
}

export function isSearchMethodName(name: string): name is SearchMethodName {
  return Object.prototype.hasOwnProperty.call(searchMethods, name);
}

/** The method's defaults merged with the given hyperparameters, each checked; unknown keys fail listing the known. */
export function resolveSearchOptions(method: string, given: Record<string, unknown>): Record<string, number | string | boolean> {
  if (!isSearchMethodName(method)) throw unknownName('method', method, Object.keys(searchMethods));
  const defaults = searchMethods[method] as Record<string, number | string | boolean>;
  const out: Record<string, number | string | boolean> = { ...defaults };
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined) continue;
    if (!(k in defaults)) throw inputError(`${method}: unknown hyperparameter '${k}'; expected one of: ${Object.keys(defaults).join(', ')}`);
    out[k] = v as number | string;
  }
  const num = (k: string, ok: (x: number) => boolean, expected: string): void => {
    if (!(k in out)) return;
    const v = out[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw inputError(`${method}: ${k}: expected ${expected}, got ${JSON.stringify(v)}`);
  };
  num('gtol', (x) => x >= 0, 'a number >= 0');
  num('c1', (x) => x > 0 && x < 1, 'a number in (0, 1)');
  num('shrink', (x) => x > 0 && x < 1, 'a number in (0, 1)');
  num('t0', (x) => x > 0, 'a number > 0');
  num('historySize', (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
  if ('c2' in out) num('c2', (x) => x > (out.c1 as number) && x < 1, `a number in (c1 = ${out.c1}, 1)`);
  if ('initialScaling' in out && typeof out.initialScaling !== 'boolean') {
    throw inputError(`${method}: initialScaling: expected true or false, got ${JSON.stringify(out.initialScaling)}`);
  }
  if ('lineSearch' in out && out.lineSearch !== 'strong-wolfe' && out.lineSearch !== 'backtracking') {
    throw inputError(`${method}: lineSearch: expected "strong-wolfe" or "backtracking", got ${JSON.stringify(out.lineSearch)}`);
  }
  return out;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]);
    if (!(a <= m)) m = a; // NaN propagates as NaN
  }
  return m;
}

function makeRule(method: SearchMethodName, o: Record<string, number | string | boolean>, objective: SearchObjective, n: number): DirectionRule {
  switch (method) {
    case 'gd-backtracking':
      return steepestRule(o.t0 as number);
    case 'newton':
      return newtonRule(objective, n);
    case 'bfgs':
      return bfgsRule(n, o.initialScaling as boolean);
    case 'lbfgs':
      return lbfgsRule(n, o.historySize as number, o.lineSearch as 'strong-wolfe' | 'backtracking');
    case 'cg':
      return conjugateGradientRule(n);
  }
}

/**
 * Minimizes f from x0 with a line-search method:
 *   repeat: d ← direction (−∇f, −H⁻¹∇f, −H_k∇f, ...); if ∇fᵀd ≥ 0, forget curvature and take d = −∇f;
 *           t ← line search along d (if it fails, forget curvature and search once more along −∇f);
 *           x ← x + t d; update curvature with s = t d, y = Δ∇f.
 * Line searches: 'backtracking' (Armijo: c1, shrink; from t0 for gd-backtracking, from 1 otherwise)
 * or 'strong-wolfe' (c1, c2; at most 25 evaluations). Evaluations are counted by `counted()`.
 *
 * @example
 * const r = minimize(makeObjective('rosenbrock', 2), [-1.2, 1], { method: 'bfgs', gtol: 1e-8 });
 * console.log(r.reason, r.nit, r.evaluations, Array.from(r.x, (v) => v.toFixed(6)).join(', '));
 * // gtol 33 39 1.000000, 1.000000   (SciPy's BFGS: 34 iterations, 41 evaluations)
 */
export function minimize(objective: SearchObjective, x0: ArrayLike<number>, options: MinimizeOptions): MinimizeResult {
  const { method, maxIter, recordPath = true, onIterate, ...hyper } = options;
  const o = resolveSearchOptions(method, hyper);
  const n = x0.length;
  if (n !== objective.n) throw inputError(`x0: expected length ${objective.n}, got ${n}`);
  const iterLimit = maxIter ?? Math.max(1000, 200 * n);
  if (!Number.isInteger(iterLimit) || iterLimit < 0) throw inputError(`maxIter: expected an integer >= 0, got ${maxIter}`);
  const gtol = o.gtol as number;
  const obj = counted(objective);
  const rule = makeRule(method as SearchMethodName, o, obj, n);

  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  const d = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  const work = new LineSearchWork(n);
  const lsResult: LineSearchResult = { status: 'failed', t: 0, f: 0 };
  const wolfe = { c1: o.c1 as number, c2: (o.c2 as number) ?? 0.9, maxEvals: 25 };
  const armijo = { c1: o.c1 as number, shrink: (o.shrink as number) ?? 0.5, t0: 1 };

  const search = (t0: number, gtd: number): LineSearchResult => {
    if (rule.lineSearch === 'strong-wolfe') return strongWolfe(obj, x, f, g, gtd, d, t0, wolfe, work, xNew, gNew, lsResult);
    armijo.t0 = method === 'gd-backtracking' ? t0 : 1;
    return backtracking(obj, x, f, gtd, d, armijo, xNew, gNew, lsResult);
  };

  let f = obj.valueAndGrad(x, g);
  const path: number[][] = recordPath ? [Array.from(x)] : [];
  const values: number[] = [f];
  let nit = 0;
  let reason: StopReason;
  // one info object, updated in place (its arrays are the run's buffers)
  const info: IterateInfo = { nit, x, fun: f, grad: g, evaluations: obj.evaluations };
  const report = (): void => {
    if (!onIterate) return;
    info.nit = nit;
    info.x = x;
    info.fun = f;
    info.grad = g;
    info.evaluations = obj.evaluations;
    onIterate(info);
  };
  report();
  for (;;) {
    const gmax = maxAbs(g);
    if (!Number.isFinite(f) || Number.isNaN(gmax) || gmax === Infinity) {
      reason = 'non-finite';
      break;
    }
    if (gmax <= gtol) {
      reason = 'gtol';
      break;
    }
    if (nit >= iterLimit) {
      reason = 'max-iterations';
      break;
    }
    let t0 = rule.direction(nit, x, f, g, d);
    let gtd = dot(g, d);
    if (!(gtd < 0) || !Number.isFinite(t0)) {
      // not a descent direction (curvature went bad): restart from steepest descent
      rule.reset();
      t0 = rule.direction(nit, x, f, g, d);
      gtd = dot(g, d);
      if (!(gtd < 0)) for (let i = 0; i < n; i++) d[i] = -g[i];
      gtd = dot(g, d);
    }
    if (!(t0 > 0 && t0 < Infinity)) t0 = 1;
    let ls = search(t0, gtd);
    if (ls.status === 'failed' && method !== 'gd-backtracking') {
      // the model direction found no decrease: forget curvature and try once along −∇f before giving up
      rule.reset();
      let gg = 0;
      for (let i = 0; i < n; i++) {
        d[i] = -g[i];
        gg += g[i] * g[i];
      }
      ls = search(Math.min(1, 1 / Math.sqrt(gg)), -gg);
    }
    if (ls.status === 'failed') {
      reason = 'line-search-failed';
      break;
    }
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    // the new point becomes current: swap buffers rather than copy
    let tmp = x; x = xNew; xNew = tmp;
    tmp = g; g = gNew; gNew = tmp;
    f = ls.f;
    nit++;
    if (recordPath) path.push(Array.from(x));
    values.push(f);
    report();
    if (ls.status === 'non-finite') {
      reason = 'non-finite';
      break;
    }
    rule.update(s, y, ls.t, g);
  }
  return {
    x,
    fun: f,
    grad: g,
    nit,
    evaluations: obj.evaluations,
    hessianEvaluations: obj.hessianEvaluations,
    converged: reason === 'gtol',
    reason,
    path,
    values,
  };
}
