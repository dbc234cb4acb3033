/**
 * What a line-search method contributes to the shared loop in minimize.ts: a search direction at
 * each iterate and a curvature update after each accepted step. Each rule allocates its buffers
 * when built, never per iteration.
 */
import { fusedMultiplyAdd } from '../optim/fused-multiply-add.js';

export interface DirectionRule {
  /** Which line search the loop runs along the direction. */
  readonly lineSearch: 'backtracking' | 'strong-wolfe';
  /**
   * Writes the search direction at x (gradient g, value f) into d and returns the first trial step
   * of the line search; 0 ends the run (\`line-search-failed\`, no step worth an evaluation). `k` is the
   * iteration (0-based).
   */
  direction(k: number, x: Float64Array, f: number, g: Float64Array, d: Float64Array): number;
  /**
   * After an accepted step: s = x_{k+1} − x_k, y = ∇f_{k+1} − ∇f_k, t the step length taken, g = ∇f_{k+1}
   * (the gradient the next `direction` call will get; a rule may prepare that direction from it).
   */
  update(s: Float64Array, y: Float64Array, t: number, g?: Float64Array): void;
  /** Forgets curvature information (called when a direction was not a descent direction). */
  reset(): void;
  /** Whether the next direction uses curvature pairs (false: it is −∇f); rules without memory leave it out. */
  hasCurvature?(): boolean;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm2(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/**
 * aᵀb accumulated with fused multiply-adds, s ← fma(aᵢ, bᵢ, s), in index order: the rounding of NumPy's
 * `np.dot` on short vectors (OpenBLAS's ddot, measured bit for bit up to n = 10), which SciPy's CG uses for
 * every inner product; cg takes it so its iterates follow SciPy's to the last bits.
 */
export function dotFused(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = fusedMultiplyAdd(a[i], b[i], s);
  return s;
}
