/**
 * Full-batch line-search methods over a model's flat parameter buffer, for `descent train --opt lbfgs
 * --batch full`: the model's float32 (or float64) parameters become the x of `minimize`, which works in
 * float64; each evaluation copies x into the model's buffer, runs the model's full-batch forward and
 * backward, and widens its gradient buffer back to float64. The final iterate is copied back.
 */
import { inputError } from '../errors.js';
import type { SearchObjective } from './counted.js';
import { minimize, type MinimizeOptions, type MinimizeResult } from './minimize.js';

type FloatArray = Float32Array | Float64Array;

/** What `minimizeParams` needs: the method and its hyperparameters, the model's flat buffers and a full-batch loss. */
export interface MinimizeParamsOptions {
  method: MinimizeOptions['method'];
  gtol?: number;
  maxIter?: number;
  /** Called with each accepted iterate (nit 0 is the start): progress, metrics, divergence checks. */
  onIterate?: MinimizeOptions['onIterate'];
  /** Method hyperparameters (historySize, lineSearch, c1, c2, ...). */
  [hyper: string]: unknown;
  /** The model's parameters, one flat buffer: read as x0, overwritten with the result. */
  params: FloatArray;
  /** The model's gradient buffer (same length): `evaluate` fills it. */
  grads: FloatArray;
  /** Full-batch loss at the current `params`; writes ∂loss/∂params into `grads`. */
  evaluate: () => number;
}

/**
 * Minimizes a model's full-batch loss with `method` (lbfgs, bfgs, cg, gd-backtracking, newton) and
 * writes the final parameters into `params`. `maxIter` plays the part of epochs (one iteration = one
 * line search, usually 1–2 full-batch evaluations); `onIterate` sees each iterate (nit, fun, evaluations).
 * In float32 the loss stops resolving decrease near the minimum, so 'line-search-failed' is a normal end
 * there, with the best point found kept.
 *
 * @example
 * const r = minimizeParams({ params: model.params, grads: model.grads, evaluate: () => lossAndBackward(), method: 'lbfgs', maxIter: 100 });
 */
export function minimizeParams(o: MinimizeParamsOptions): MinimizeResult {
  const { params, grads, evaluate, method, ...rest } = o as MinimizeParamsOptions & { params: FloatArray; grads: FloatArray; evaluate: () => number };
  const n = params.length;
  const precision = params instanceof Float32Array ? 'float32' : 'float64';
  if (rest.ftol === undefined) {
    const ftol = stallTolerance(method as string, precision);
    if (ftol !== undefined) rest.ftol = ftol;
  }
  const objective: SearchObjective = {
    n,
    precision,
    valueAndGrad(x, gradOut) {
      params.set(x); // narrows to float32 when the model is float32
      const loss = evaluate();
      for (let i = 0; i < n; i++) gradOut[i] = grads[i];
      return loss;
    },
  };
  const x0 = Float64Array.from(params);
  const r = minimize(objective, x0, { ...rest, method, recordPath: false });
  params.set(r.x);
  return r;
}

/**
 * The default ftol of a training run, where f stalls at the rounding of the model's precision (L-BFGS-B's test:
 * stop when (f_k − f_{k+1}) ≤ ftol·max(|f_k|, |f_{k+1}|, 1)); undefined keeps the method's own default.
 * - float32: newton, bfgs and cg stop at ε = 2⁻²³, one unit in the last place of f (on diabetes the float32
 *   least-squares loss stops moving there: newton took 19,576 evaluations without it; 10ε would stop cg
 *   7.6e-6 above the optimum, ε 1.7e-7); lbfgs keeps its 1e-15, below float32's resolution: no decrease.
 * - float64: newton stops when a step does not lower f at all (its backtracking accepts a full step that
 *   f cannot tell from none, and would take such steps until maxIter); lbfgs, bfgs and cg end where their
 *   line search finds no decrease, as SciPy's BFGS and CG do ("precision loss"): an ftol of a few ε
 *   stops them 1e-6 short of sklearn's softmax weights on digits.
 */
export function stallTolerance(method: string, precision: 'float32' | 'float64'): number | undefined {
  if (precision === 'float32') return method === 'newton' || method === 'bfgs' || method === 'cg' ? 2 ** -23 : undefined;
  if (method === 'newton') return Number.MIN_VALUE;
  return method === 'lbfgs' ? 0 : undefined;
}

/**
 * For `descent train`: a line-search method needs the loss of one fixed function, so it runs only with
 * `--batch full`. Throws the input error (exit 2) for any other batch; does nothing for `full`.
 */
export function checkFullBatch(method: string, batch: number | 'full'): void {
  if (batch === 'full') return;
  throw inputError(
    `--batch: '${method}' needs --batch full (a line search compares losses of one fixed function; ` +
      `mini-batches change it every step), got ${batch}; use --batch full, or a first-order optimizer such as sgd or adam`,
  );
}
