/**
 * Steepest descent, d = −∇f, for `gd-backtracking` (each line search starts from t0), and nonlinear
 * conjugate gradient PR+ (Nocedal & Wright eq. 5.44): d = −∇f + β d_prev with
 * β = max(0, ∇fᵀ(∇f − ∇f_prev) / ‖∇f_prev‖²), restarted every n iterations; its first trial step is
 * t_prev·(∇f_prevᵀd_prev)/(∇fᵀd) (N&W eq. 3.60), min(1, 1/‖∇f‖₂) on a restart.
 */
import { dot, norm2, type DirectionRule } from './direction.js';

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

export function conjugateGradientRule(n: number): DirectionRule {
  const dPrev = new Float64Array(n);
  const gPrev = new Float64Array(n);
  let have = false;
  let since = 0;
  let tPrev = 1, gtdPrev = 0;
  return {
    lineSearch: 'strong-wolfe',
    direction(_k, _x, _f, g, d) {
      let beta = 0;
      if (have && since < n) {
        const gg = dot(gPrev, gPrev);
        beta = Math.max(0, (dot(g, g) - dot(g, gPrev)) / gg);
      }
      for (let i = 0; i < n; i++) d[i] = -g[i] + beta * dPrev[i];
      const gtd = dot(g, d);
      // N&W eq. 3.60: expect the same first-order decrease as the last step took
      const t = have ? Math.min(1, (tPrev * gtdPrev) / gtd) : Math.min(1, 1 / norm2(g));
      if (beta === 0) since = 0;
      dPrev.set(d);
      gPrev.set(g);
      gtdPrev = gtd;
      return t > 0 && Number.isFinite(t) ? t : Math.min(1, 1 / norm2(g));
    },
    update(_s, _y, t) {
      tPrev = t;
      have = true;
      since++;
    },
    reset() {
      have = false;
      since = 0;
    },
  };
}
