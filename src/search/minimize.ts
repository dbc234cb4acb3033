/**
 * `minimize(objective, x0, { method, gtol, maxIter, ... })`, in the spirit of scipy.optimize.minimize:
 * one loop shared by every line-search method (direction → line search → curvature update), the
 * `searchMethods` table of their defaults, and option validation.
 *
 * Stopping, per the contract: max_i |∂f/∂x_i| ≤ gtol ('gtol'), or maxIter iterations ('max-iterations'),
 * or a line search that finds no decrease ('line-search-failed'), or f/∇f not finite ('non-finite'); lbfgs
 * also stops, when asked with ftol > 0, as L-BFGS-B does on a small relative decrease of f ('ftol').
 */
import { inputError, unknownName } from '../errors.js';
import { bfgsRule } from './bfgs.js';
import { bracketZoom } from './bracket-zoom.js';
import { conjugateGradientRule, type ConjugateGradientRule } from './cg.js';
import { counted, rememberLastPoint, type SearchObjective } from './counted.js';
import { dot, dotFused, type DirectionRule } from './direction.js';
import { lbfgsRule } from './lbfgs.js';
import {
  backtracking,
  LineSearchWork,
  moreThuente,
  strongWolfe,
  type LineSearchResult,
  type MoreThuenteOptions,
  type MoreThuenteResult,
} from './line-search.js';
import { newtonRule } from './newton.js';
import { steepestRule } from './steepest.js';
import { ThinnedPath, type PathThinning } from './path-thinning.js';

/**
 * Every line-search and second-order method with its hyperparameters' defaults: the single source of
 * the CLI flags, the validator and the docs. c1/c2 are the Armijo and curvature constants, shrink the
 * backtracking factor, t0 gd-backtracking's first trial step, initialScaling BFGS's H₀ = (sᵀy/yᵀy)·I.
 * wolfe picks the strong Wolfe search: "more-thuente" (MINPACK-2 dcsrch, as SciPy's BFGS and L-BFGS-B:
 * c1/c2 are its ftol/gtol, and lbfgs's c1 is L-BFGS-B's 1e-3) or "nocedal-wright" (bracketing and zoom).
 * cg's c2 0.4 is SciPy's CG's.
 * ftol (lbfgs) is L-BFGS-B's relative-reduction stop, (f_k − f_{k+1}) ≤ ftol·max(|f_k|, |f_{k+1}|, 1);
 * 0 turns it off. Its default 1e-15 (about 4.5 units in the last place of f) is the setting of the reference
 * runs of SciPy's L-BFGS-B (shared/tools/torch_reference.py): a step that lowers f by less has reached
 * the rounding of f, and L-BFGS-B, whose message for it begins "CONVERGENCE", reports success there.
 * newton, bfgs and cg take the same test with ftol 0 (off) here, as SciPy's minimizers of test functions do;
 * training (minimizeParams) turns it on at a few units of the model's precision, where f has stalled.
 */
export const searchMethods = {
  'gd-backtracking': { c1: 0.1, shrink: 0.8, t0: 1, gtol: 1e-6 },
  newton: { c1: 1e-4, shrink: 0.5, ftol: 0, gtol: 1e-6 },
  bfgs: { c1: 1e-4, c2: 0.9, wolfe: 'more-thuente', initialScaling: false, ftol: 0, gtol: 1e-6 },
  lbfgs: { historySize: 10, lineSearch: 'strong-wolfe', wolfe: 'more-thuente', c1: 1e-3, c2: 0.9, shrink: 0.5, ftol: 1e-15, gtol: 1e-6 },
  cg: { c1: 1e-4, c2: 0.4, ftol: 0, gtol: 1e-6 },
} as const;

/** The strong Wolfe line searches: Moré–Thuente (the default) and Nocedal & Wright's. */
export type WolfeSearch = 'more-thuente' | 'nocedal-wright';

/**
 * The name of a line-search or second-order method, a key of {@link searchMethods}:
 * `'gd-backtracking' | 'newton' | 'bfgs' | 'lbfgs' | 'cg'`. bfgs, lbfgs and cg follow SciPy's 'BFGS', 'L-BFGS-B'
 * (unbounded) and 'CG'; newton is damped Newton on the exact (or central-difference) Hessian, which SciPy's
 * 'Newton-CG' approximates by conjugate gradients.
 */
export type SearchMethodName = keyof typeof searchMethods;

/** Why a run stopped. */
export type StopReason = 'gtol' | 'ftol' | 'max-iterations' | 'line-search-failed' | 'non-finite';

/** What one iteration reports to `onIterate`: one object updated in place, its arrays the run's own buffers (copy to keep). */
export interface IterateInfo {
  nit: number;
  x: Float64Array;
  fun: number;
  grad: Float64Array;
  evaluations: number;
}

/**
 * Options of {@link minimize} (scipy.optimize.minimize's `method` and `options`): the method, the stopping tests,
 * and the method's hyperparameters by name (defaults in {@link searchMethods}; an unknown one is an input error).
 */
export interface MinimizeOptions {
  /** The method: a {@link SearchMethodName}; another string is an input error listing them. */
  method: SearchMethodName | string;
  /** Stop when max_i |∂f/∂x_i| ≤ gtol (default 1e-6). */
  gtol?: number;
  /** The most iterations (default max(1000, 200·n), SciPy BFGS's 200·n). */
  maxIter?: number;
  /** Keep every iterate in `path` (default true; off for large parameter vectors). */
  recordPath?: boolean;
  /** Called with x0 (nit 0) and after every iteration. */
  onIterate?: (info: IterateInfo) => void;
  /**
   * Most points kept in `path` and `values` (default: all). A longer run keeps them under the rule of
   * src/search/path-thinning.ts (every stride-th iterate and the last) and says so in `thinned`.
   */
  maxPathPoints?: number;
  /** Method hyperparameters: c1, c2, shrink, t0, historySize, lineSearch (see `searchMethods`). */
  [hyper: string]: unknown;
}

/**
 * What {@link minimize} returns, as scipy.optimize.OptimizeResult: `x`, `fun`, `grad` (SciPy's `jac`) at the
 * last iterate, `nit`, `evaluations` (SciPy's `nfev`), `converged` (`success`), the stop `reason`, and the path.
 */
export interface MinimizeResult {
  /** The last iterate (SciPy's `x`). */
  x: Float64Array;
  /** f(x) (SciPy's `fun`). */
  fun: number;
  /** ∇f(x) (SciPy's `jac`). */
  grad: Float64Array;
  /** Iterations (accepted steps). */
  nit: number;
  /** Objective evaluations, f and ∇f together counting once (Hessian evaluations not included). */
  evaluations: number;
  /** Hessian evaluations (newton only). */
  hessianEvaluations: number;
  /** reason is 'gtol', or 'ftol' (L-BFGS-B's relative-reduction stop, which SciPy reports as success). */
  converged: boolean;
  /** Why the run stopped. */
  reason: StopReason;
  /** x0, x1, ..., every iterate (empty when recordPath is false). */
  path: number[][];
  /** f at each point of path (every iterate's f even when recordPath is false). */
  values: number[];
  /** Present when a run longer than `maxPathPoints` was thinned: the step (iteration) of each kept point. */
  thinned?: PathThinning;
}

/** Whether `name` is one of the {@link searchMethods} (own keys only), narrowing it to {@link SearchMethodName}. */
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
  num('ftol', (x) => x >= 0 && x < 1, 'a number in [0, 1)');
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
  if ('wolfe' in out && out.wolfe !== 'more-thuente' && out.wolfe !== 'nocedal-wright') {
    throw inputError(`${method}: wolfe: expected "more-thuente" or "nocedal-wright", got ${JSON.stringify(out.wolfe)}`);
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
      return lbfgsRule(n, o.historySize as number, o.lineSearch as 'strong-wolfe' | 'backtracking', o.wolfe as WolfeSearch);
    case 'cg':
      return conjugateGradientRule(n, o.gtol as number);
  }
}

/**
 * Minimizes f from x0 with a line-search method:
 *   repeat: d ← direction (−∇f, −H⁻¹∇f, −H_k∇f, ...); if ∇fᵀd ≥ 0, forget curvature and take d = −∇f;
 *           t ← line search along d (if it fails, forget curvature and search once more along −∇f);
 *           x ← x + t d; update curvature with s = t d, y = Δ∇f.
 * Line searches: 'backtracking' (Armijo: c1, shrink; from t0 for gd-backtracking, from 1 otherwise)
 * or 'strong-wolfe': Moré–Thuente for bfgs and lbfgs (wolfe "more-thuente", the default), as SciPy runs
 * it in BFGS (falling back to bracketing and zoom where it stops short) and L-BFGS-B runs it (taking the
 * point where it warns; at most 20 trials, then a restart from −∇f), or bracketing and zoom
 * (wolfe "nocedal-wright"; at most 25 evaluations). cg searches as SciPy's CG: Moré–Thuente (c2 0.4), and
 * where it fails or its point does not leave a sufficiently descending next direction, SciPy's
 * bracketing-by-doubling and zoom (`bracketZoom`), both requiring that descent of the point they accept.
 * Evaluations are counted by `counted()`.
 *
 * @example
 * const r = minimize(makeObjective('rosenbrock', 2), [-1.2, 1], { method: 'bfgs', gtol: 1e-8 });
 * console.log(r.reason, r.nit, r.evaluations, Array.from(r.x, (v) => v.toFixed(6)).join(', ')); // gtol 34 41 1.000000, 1.000000
 * // SciPy's BFGS: the same 34 iterations and 41 evaluations
 */
export function minimize(objective: SearchObjective, x0: ArrayLike<number>, options: MinimizeOptions): MinimizeResult {
  const { method, maxIter, recordPath = true, onIterate, maxPathPoints = Infinity, ...hyper } = options;
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
  const mtResult: MoreThuenteResult = { status: 'failed', t: 0, f: 0, evaluations: 0 };
  const c1 = o.c1 as number, c2 = (o.c2 as number) ?? 0.9;
  const wolfe = { c1, c2, maxEvals: 25 };
  // newton also takes a full step that f cannot tell from no decrease when it lowers the gradient (see
  // BacktrackingOptions.approxEps): there its model is exact to rounding and the step is the right one
  const armijo = { c1, shrink: (o.shrink as number) ?? 0.5, t0: 1, approxEps: method === 'newton' ? 1e-12 : 0, gmax0: 0 };
  const ftol = (o.ftol as number | undefined) ?? 0;
  // Moré–Thuente with the settings of SciPy's BFGS (line_search_wolfe1: xtol 1e-14, steps in [1e-100, 1e100],
  // at most 100 trials) or of L-BFGS-B (xtol 0.1, steps in [0, 1e10], at most 20 trials); both also take
  // Hager and Zhang's approximate Wolfe point once a step's whole predicted decrease is below 1e-10·|f|
  // (there f's rounding, not the function, decides the tests: dcsrch alone can spend dozens of trials, and
  // on a quadratic of condition 1e6, ½xᵀAx − bᵀx rounds to about 1e-11·|f|)
  const useMoreThuente = rule.lineSearch === 'strong-wolfe' && o.wolfe === 'more-thuente';
  const lbfgsb = useMoreThuente && method === 'lbfgs';
  const mt: MoreThuenteOptions = lbfgsb
    ? { c1, c2, xtol: 0.1, stpMin: 0, stpMax: 1e10, maxEvals: 20, approxEps: 1e-10 }
    : { c1, c2, xtol: 1e-14, stpMin: 1e-100, stpMax: 1e100, maxEvals: 100, approxEps: 1e-10 };
  // set when L-BFGS-B's search ended on a warning without decrease (with ftol > 0, L-BFGS-B stops there)
  let stalled = false;
  // The strong Wolfe searches evaluate through a memory of the last point, as SciPy's ScalarFunction does: a
  // trial at the point just evaluated costs nothing (dcsrch retries its best point when the bracket closes,
  // and SciPy's wolfe2 fallback often starts where dcsrch stopped).
  const wolfeObjective = rule.lineSearch === 'strong-wolfe' ? rememberLastPoint(obj) : obj;
  // cg: SciPy's _line_search_wolfe12 (line_search_wolfe1 with c2 0.4, steps in [1e-100, 1e100], then
  // line_search_wolfe2), each point also passing the rule's sufficient descent test
  const cgRule = method === 'cg' ? (rule as ConjugateGradientRule) : null;
  const cgMT: MoreThuenteOptions = { c1, c2, xtol: 1e-14, stpMin: 1e-100, stpMax: 1e100, maxEvals: 100, approxEps: 1e-12, fusedSlopes: true };
  const cgZoom = { c1, c2, tMax: 1e100, accept: (gTrial: Float64Array) => cgRule!.acceptsStep(gTrial) };

  const search = (t0: number, gtd: number): LineSearchResult => {
    stalled = false;
    if (cgRule) {
      gtd = dotFused(g, d); // SciPy's rounding of ∇fᵀd (the loop's plain sum may differ in the last bit)
      const r = moreThuente(wolfeObjective, x, f, gtd, d, t0, cgMT, work, xNew, gNew, mtResult);
      if (r.status === 'non-finite' || (r.status === 'ok' && cgRule.acceptsStep(gNew))) {
        lsResult.status = r.status;
        lsResult.t = r.t;
        lsResult.f = r.f;
        return lsResult;
      }
      return bracketZoom(wolfeObjective, x, f, gtd, d, t0, cgZoom, work, xNew, gNew, lsResult);
    }
    if (useMoreThuente) {
      const r = moreThuente(wolfeObjective, x, f, gtd, d, Math.min(t0, mt.stpMax), mt, work, xNew, gNew, mtResult);
      lsResult.t = r.t;
      lsResult.f = r.f;
      if (r.status === 'ok' || r.status === 'non-finite') {
        lsResult.status = r.status;
        return lsResult;
      }
      if (lbfgsb) {
        // L-BFGS-B takes the point where dcsrch warns; one that does not decrease f ends the search
        if (r.status === 'warning' && r.f < f) {
          lsResult.status = 'ok';
          return lsResult;
        }
        stalled = r.status === 'warning';
        lsResult.status = 'failed';
        return lsResult;
      }
      // SciPy's BFGS: where dcsrch stops short, line_search_wolfe2 (bracketing and zoom) from the same step
    }
    if (rule.lineSearch === 'strong-wolfe') return strongWolfe(wolfeObjective, x, f, g, gtd, d, t0, wolfe, work, xNew, gNew, lsResult);
    armijo.t0 = method === 'gd-backtracking' ? t0 : 1;
    armijo.gmax0 = maxAbs(g);
    return backtracking(obj, x, f, gtd, d, armijo, xNew, gNew, lsResult);
  };

  let f = obj.valueAndGrad(x, g);
  let fPrev = NaN;
  // bounded however many iterations run (optimize --steps 1e9): src/search/path-thinning.ts
  const kept = new ThinnedPath(maxPathPoints, recordPath);
  kept.record(0, x, f);
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
    // L-BFGS-B's second test, after the gradient's: the last step reduced f by a relative ftol or less
    if (ftol > 0 && nit > 0 && fPrev - f <= ftol * Math.max(Math.abs(fPrev), Math.abs(f), 1)) {
      reason = 'ftol';
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
    if (t0 === 0) {
      // the rule sees no step to try (bfgs, cg: SciPy's first trial step 2.02·(f_k − f_{k−1})/∇fᵀd is 0, the last
      // step did not change f, and SciPy stops there with "precision loss" without evaluating again)
      reason = 'line-search-failed';
      break;
    }
    if (!(t0 > 0 && t0 < Infinity)) t0 = 1;
    const hadCurvature = rule.hasCurvature?.() ?? true;
    let ls = search(t0, gtd);
    if (stalled && ftol > 0) {
      // L-BFGS-B accepts the warned point and its relative-reduction test stops the run (SciPy calls that
      // convergence); x stays the better point. Nothing decreased f here, so descent says the search failed.
      reason = 'line-search-failed';
      break;
    }
    if (ls.status === 'failed' && method !== 'gd-backtracking' && (!lbfgsb || hadCurvature)) {
      // the model direction found no decrease: forget curvature and try once along −∇f before giving up
      // (L-BFGS-B restarts from t = 1; with no curvature to forget it stops)
      rule.reset();
      let gg = 0;
      for (let i = 0; i < n; i++) {
        d[i] = -g[i];
        gg += g[i] * g[i];
      }
      ls = search(lbfgsb ? 1 : Math.min(1, 1 / Math.sqrt(gg)), -gg);
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
    fPrev = f;
    f = ls.f;
    nit++;
    kept.record(nit, x, f);
    report();
    if (ls.status === 'non-finite') {
      reason = 'non-finite';
      break;
    }
    rule.update(s, y, ls.t, g);
  }
  const thinned = kept.finish();
  return {
    x,
    fun: f,
    grad: g,
    nit,
    evaluations: obj.evaluations,
    hessianEvaluations: obj.hessianEvaluations,
    // as SciPy's `success`: L-BFGS-B's relative-reduction stop counts as convergence (reason says which test)
    converged: reason === 'gtol' || reason === 'ftol',
    reason,
    path: kept.path,
    values: kept.values,
    ...(thinned ? { thinned } : {}),
  };
}
