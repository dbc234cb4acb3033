/**
 * `descent optimize --opt lbfgs-torch`: torch.optim.LBFGS as a PyTorch loop runs it,
 * `for _ in range(steps): opt.step(closure)`, with the contract's first-order output: `path` x0 and the
 * parameters after each step() call, `values` f there, `evaluations` every closure call (torch's
 * func_evals), `converged` max|∇f| ≤ 1e-6 at the last point (that check's evaluation not counted).
 */
import { runError } from '../errors.js';
import type { SearchObjective } from './counted.js';
import { LbfgsTorch, lbfgsTorchDefaults } from './lbfgs-torch.js';
import { ThinnedPath, type PathThinning } from './path-thinning.js';

/**
 * What {@link runLbfgsTorch} returns: the iterate and f after each step (index 0 is x0), the closure calls
 * counted, and whether the final gradient's largest component is ≤ 1e-6.
 */
export interface LbfgsTorchRun {
  path: number[][];
  values: number[];
  evaluations: number;
  converged: boolean;
  /** Present when the path was thinned to `maxPathPoints` (src/search/path-thinning.ts). */
  thinned?: PathThinning;
}

/**
 * The hyperparameters as optimize's flag table reads them (the types give the flags' parsers): maxEval's
 * 25 is ⌊maxIter·5/4⌋ for the default maxIter and follows maxIter unless given; lineSearchFn 'none' is null.
 */
export const lbfgsTorchFlagDefaults: Readonly<Record<string, number | string>> = {
  lr: lbfgsTorchDefaults.lr,
  maxIter: lbfgsTorchDefaults.maxIter,
  maxEval: Math.floor((lbfgsTorchDefaults.maxIter * 5) / 4),
  toleranceGrad: lbfgsTorchDefaults.toleranceGrad,
  toleranceChange: lbfgsTorchDefaults.toleranceChange,
  historySize: lbfgsTorchDefaults.historySize,
  lineSearchFn: 'none',
};

/**
 * Runs `steps` calls of step(closure) from x0 in float64. A non-finite f or iterate is a run error.
 * Past `maxPathPoints` points the path is thinned (src/search/path-thinning.ts).
 */
export function runLbfgsTorch(objective: SearchObjective & { value?(x: Float64Array): number }, x0: number[], options: Record<string, unknown>, steps: number, maxPathPoints = Infinity): LbfgsTorchRun {
  const n = x0.length;
  const x = Float64Array.from(x0), g = new Float64Array(n), probe = new Float64Array(n);
  const opt = new LbfgsTorch(x, g, options);
  let evaluations = 0;
  const closure = () => {
    evaluations++;
    return objective.valueAndGrad(x, g);
  };
  const valueAt = (p: Float64Array) => (objective.value ? objective.value(p) : objective.valueAndGrad(p, probe));
  const kept = new ThinnedPath(maxPathPoints);
  const f0 = valueAt(x);
  if (!Number.isFinite(f0)) throw runError(`lbfgs-torch: f is ${f0} at x0; start from a point where f is finite`);
  kept.record(0, x, f0);
  for (let k = 1; k <= steps; k++) {
    opt.step(closure);
    const f = valueAt(x);
    let finite = Number.isFinite(f);
    for (let i = 0; i < n && finite; i++) finite = Number.isFinite(x[i]);
    if (!finite) {
      const what = Number.isFinite(f) ? 'the iterate is not finite' : `f is ${f}`;
      throw runError(`diverged at step ${k}: ${what}; try --lr ${+(opt.options.lr / 10).toPrecision(6)} or lower, or --line-search-fn strong_wolfe`);
    }
    kept.record(k, x, f);
  }
  const thinned = kept.finish();
  objective.valueAndGrad(x, probe);
  let gmax = 0;
  for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(probe[i]));
  return { path: kept.path, values: kept.values, evaluations, converged: gmax <= 1e-6, ...(thinned ? { thinned } : {}) };
}
