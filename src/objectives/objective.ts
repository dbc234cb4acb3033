/**
 * The test functions that optimizers run on. An Objective works on flat Float64Arrays:
 * `valueAndGrad` writes ∇f into a caller-owned buffer so a run allocates nothing per step.
 */
import { Tape, type ScalarFunction } from '../autograd/second-order.js';
import { inputError } from '../errors.js';

/** A differentiable function ℝⁿ → ℝ with its gradient (and, where given, Hessian). */
export interface Objective {
  /** The registry name (`rosenbrock`, `beale`, ...). */
  readonly name: string;
  /** The dimension this instance was built for. */
  readonly n: number;
  /** The dimension the function family accepts: a fixed number, or 'any' (rosenbrock: any n ≥ 2). */
  readonly dim: number | 'any';
  /** f(x). */
  value(x: Float64Array): number;
  /** f(x); writes ∇f(x) into gradOut (length n). */
  valueAndGrad(x: Float64Array, gradOut: Float64Array): number;
  /** Writes the n×n Hessian, row-major, into hOut (length n²). */
  hessian?(x: Float64Array, hOut: Float64Array): void;
  /**
   * f written once over autograd Scalars, its operations independent of x: the source of `hessian`
   * (forward-over-reverse, `withTapedHessian`) and of Hessian-vector products.
   */
  readonly expression?: ScalarFunction;
  /** A global minimizer, where one is known (one of them where there are several). */
  readonly minimum?: number[];
  /** The value at `minimum`. */
  readonly minimumValue?: number;
  /** A view box for 2-D plots [[xmin, xmax], [ymin, ymax]] (1-D: [[xmin, xmax]]). */
  readonly domain?: number[][];
}

/** The parsed form of a function spec: `"beale"` or `{ name: "quadratic", A, b, c }`. */
export type ObjectiveSpec = string | ({ name: string } & Record<string, unknown>);

/** A registry entry: builds an Objective of dimension n from validated parameters. */
export interface ObjectiveFamily {
  /** Fixed dimension, or 'any'. */
  readonly dim: number | 'any';
  /** The smallest n accepted when dim is 'any'. */
  readonly minDim?: number;
  /** Parameter names with their defaults (undefined: required). */
  readonly params: Readonly<Record<string, unknown>>;
  /** One line for --help and docs. */
  readonly description: string;
  /** Builds the objective; `n` is already checked against dim/minDim, params against `params`. */
  make(n: number | undefined, params: Record<string, unknown>): Objective;
}

/**
 * Gives an objective with an `expression` its `hessian` by automatic differentiation: the expression is
 * recorded on a tape at the first call and replayed at every later x (its operations do not depend on x),
 * then n forward-over-reverse sweeps give the Hessian. Replays and sweeps allocate nothing.
 */
export function withTapedHessian<T extends Objective & { expression: ScalarFunction }>(objective: T): T {
  let tape: Tape | null = null;
  objective.hessian = (x, hOut) => {
    if (tape === null) {
      tape = new Tape();
      tape.record(objective.expression, x);
    } else tape.replay(x);
    tape.hessian(hOut);
  };
  return objective;
}

/**
 * An objective from f written once over Scalars: f and ∇f by one recording and a reverse sweep, the
 * Hessian by forward-over-reverse. By default every call records f again, so f may branch on x; with
 * `fixedOperations: true` (f's operations do not depend on x) it is recorded once and replayed, which
 * allocates nothing per call.
 *
 * @example
 * const f = expressionObjective(2, ([x, y]) => x.square().add(y.sub(x.sin()).square().mul(10)));
 * minimize(f, [1, 1], { method: 'newton' }); // Newton with the Hessian by automatic differentiation
 */
export function expressionObjective(n: number, expression: ScalarFunction, options: { name?: string; fixedOperations?: boolean } = {}): Objective {
  if (!Number.isInteger(n) || n < 1) throw inputError(`expressionObjective: expected a dimension n >= 1, got ${n}`);
  const tape = new Tape();
  let recorded = false;
  const at = (x: Float64Array): void => {
    if (x.length !== n) throw inputError(`expressionObjective: x has length ${x.length}, expected ${n}`);
    if (options.fixedOperations && recorded) tape.replay(x);
    else tape.record(expression, x);
    recorded = true;
  };
  return {
    name: options.name ?? 'expression',
    n,
    dim: n,
    expression,
    value(x) {
      at(x);
      return tape.output;
    },
    valueAndGrad(x, g) {
      at(x);
      tape.gradient(g);
      return tape.output;
    },
    hessian(x, h) {
      at(x);
      tape.hessian(h);
    },
  };
}
