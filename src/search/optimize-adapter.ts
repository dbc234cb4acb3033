/**
 * The search methods as `descent optimize` runs them (the dispatch table of src/cli/commands/optimize.ts):
 * `steps` is maxIter, the result is the contract's {path, values, evaluations, converged} plus `reason`.
 * A run whose objective turns non-finite is a run error (exit 1), as the contract asks for divergence.
 */
import { runError } from '../errors.js';
import { minimize, searchMethods, type SearchMethodName, type StopReason } from './minimize.js';
import type { SearchObjective } from './counted.js';
import type { PathThinning } from './path-thinning.js';

/** One `descent optimize` run of a search method: the contract's path, values, evaluations and converged, and why it stopped. */
export interface OptimizeSearchResult {
  path: number[][];
  values: number[];
  evaluations: number;
  converged: boolean;
  reason: StopReason;
  /** Present when the path was thinned to `maxPathPoints` (src/search/path-thinning.ts). */
  thinned?: PathThinning;
}

/** A search method as `descent optimize` calls it: its hyperparameters' defaults and a run. */
export interface OptimizeSearchMethod {
  /** The method's hyperparameters and their defaults ({@link searchMethods}). */
  readonly defaults: Readonly<Record<string, number | string | boolean>>;
  /**
   * Runs {@link minimize} from x0 for at most `steps` iterations with the given hyperparameters; a run whose f turns
   * non-finite throws a run error (`diverged at step N ...`), as the contract asks. With `maxPathPoints` the path is
   * thinned past that many points (src/search/path-thinning.ts) and the result says so in `thinned`.
   */
  minimize(objective: SearchObjective, x0: number[], options: Record<string, unknown>, steps: number, maxPathPoints?: number): OptimizeSearchResult;
}

function adapter(method: SearchMethodName): OptimizeSearchMethod {
  return {
    defaults: searchMethods[method],
    minimize(objective, x0, options, steps, maxPathPoints) {
      const r = minimize(objective, x0, { ...options, method, maxIter: steps, maxPathPoints });
      if (r.reason === 'non-finite') {
        const f = r.values[r.values.length - 1];
        if (r.nit === 0) {
          throw runError(`${method}: f or its gradient is ${Number.isFinite(f) ? 'not finite' : f} at x0 (reason: non-finite); start from a point where both are finite`);
        }
        const why = f === -Infinity ? 'the objective is not bounded below along the search direction' : 'the objective or its gradient overflowed';
        // the same form as the first-order loop's: "diverged at step N: WHAT; try ..." (a step here is an iteration)
        throw runError(`diverged at step ${r.nit} (${method} iteration): f is ${f}; ${why}; try another --x0 or fewer --steps`);
      }
      return { path: r.path, values: r.values, evaluations: r.evaluations, converged: r.converged, reason: r.reason, ...(r.thinned ? { thinned: r.thinned } : {}) };
    },
  };
}

/** One entry per method of `searchMethods`, for optimize's dispatch point. */
export const optimizeSearchMethods: Record<SearchMethodName, OptimizeSearchMethod> = {
  'gd-backtracking': adapter('gd-backtracking'),
  newton: adapter('newton'),
  bfgs: adapter('bfgs'),
  lbfgs: adapter('lbfgs'),
  cg: adapter('cg'),
};
