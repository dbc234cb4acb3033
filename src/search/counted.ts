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
  /**
   * The precision f and ∇f are computed in (default float64): a float32 model sees x rounded to float32,
   * so finite differences size their step for float32's ε and measure it as float32 represents it.
   */
  readonly precision?: 'float32' | 'float64';
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
    precision: objective.precision,
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

/**
 * An objective that remembers its last point, as SciPy's ScalarFunction does: a call at the bitwise same x
 * returns the remembered f and ∇f without evaluating (and so without counting). SciPy's CG asks again for the
 * point its MINPACK search ended on when the fallback search starts from the same step; this makes the
 * evaluations count as SciPy's nfev does.
 */
export function rememberLastPoint(objective: SearchObjective): SearchObjective {
  const n = objective.n;
  const lastX = new Float64Array(n);
  const lastG = new Float64Array(n);
  const lastF = Float64Array.of(NaN); // a double in a typed array: a closure variable is boxed on every write
  let have = false;
  const same = (x: Float64Array): boolean => {
    if (!have) return false;
    for (let i = 0; i < n; i++) if (x[i] !== lastX[i]) return false;
    return true;
  };
  return {
    n,
    valueAndGrad(x, gradOut) {
      if (same(x)) {
        gradOut.set(lastG);
        return lastF[0];
      }
      const f = objective.valueAndGrad(x, gradOut);
      lastX.set(x);
      lastG.set(gradOut);
      lastF[0] = f;
      have = true;
      return f;
    },
  };
}
