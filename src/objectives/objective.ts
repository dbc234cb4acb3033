/**
 * The test functions that optimizers run on. An Objective works on flat Float64Arrays:
 * `valueAndGrad` writes ∇f into a caller-owned buffer so a run allocates nothing per step.
 */

/** A differentiable function ℝⁿ → ℝ with an analytic gradient (and, where given, Hessian). */
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
