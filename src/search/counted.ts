/**
 * The objective the search layer works on, and `counted()`: the one place evaluations are counted.
 * Any `Objective` from src/objectives fits `SearchObjective` structurally.
 */

/** A differentiable f: ℝⁿ → ℝ on flat Float64Arrays (the `Objective` of src/objectives fits this). */
export interface SearchObjective {
  /** Dimension (src/objectives' Objective carries it as `n`). */
  readonly n: number;
  /** f(x); writes ∇f(x) into gradOut (length n). */
  valueAndGrad(x: Float64Array, gradOut: Float64Array): number;
  /** f(x) alone, where cheaper. */
  value?(x: Float64Array): number;
  /** Writes the n×n Hessian, row-major, into hOut. */
  hessian?(x: Float64Array, hOut: Float64Array): void;
}

/** A SearchObjective that counts its calls. */
export interface CountedObjective extends SearchObjective {
  value(x: Float64Array): number;
  /** Objective evaluations: each `value` or `valueAndGrad` call counts once (f and ∇f together are one). */
  readonly evaluations: number;
  /** Analytic Hessian evaluations (finite-difference Hessians count as the gradient calls they make). */
  readonly hessianEvaluations: number;
}

/**
 * Wraps an objective so every call is counted, as the contract counts them: a call returning f and
 * its gradient together counts once, a call returning f alone counts once. No method counts by hand.
 */
export function counted(objective: SearchObjective): CountedObjective {
  let evaluations = 0;
  let hessianEvaluations = 0;
  const n = objective.n;
  // f alone falls back to valueAndGrad into a scratch buffer made once.
  let scratch: Float64Array | null = null;
  const wrapped: CountedObjective = {
    n,
    get evaluations() {
      return evaluations;
    },
    get hessianEvaluations() {
      return hessianEvaluations;
    },
    valueAndGrad(x, gradOut) {
      evaluations++;
      return objective.valueAndGrad(x, gradOut);
    },
    value(x) {
      evaluations++;
      if (objective.value) return objective.value(x);
      scratch ??= new Float64Array(n);
      return objective.valueAndGrad(x, scratch);
    },
  };
  if (objective.hessian) {
    const h = objective.hessian.bind(objective);
    wrapped.hessian = (x, hOut) => {
      hessianEvaluations++;
      h(x, hOut);
    };
  }
  return wrapped;
}
