/**
 * Steepest descent, d = −∇f, for `gd-backtracking` (each line search starts from t0). Nonlinear conjugate
 * gradient lives in cg.ts.
 */
import type { DirectionRule } from './direction.js';

export function steepestRule(t0: number): DirectionRule {
  return {
    lineSearch: 'backtracking',
    direction(_k, _x, _f, g, d) {
      for (let i = 0; i < g.length; i++) d[i] = -g[i];
      return t0;
    },
    update() {},
    reset() {},
  };
}
