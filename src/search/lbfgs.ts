/**
 * L-BFGS (Nocedal & Wright Alg. 7.4, the two-loop recursion): d = −H_k ∇f from the last `historySize`
 * pairs (s, y), with H_k⁰ = γ I, γ = sᵀy / yᵀy of the newest pair (eq. 7.20). A pair is skipped when
 * sᵀy ≤ 2.2e-16·(−sᵀ∇f_k) (L-BFGS-B's test, with the Moré–Thuente search) or sᵀy ≤ 1e-10‖s‖‖y‖ (otherwise).
 * The pairs live in a ring of preallocated arrays.
 * The first trial step: with the Moré–Thuente search, L-BFGS-B's: 1/‖∇f‖₂ on the first iteration (1/‖d‖),
 * 1 after (a restart from −∇f too); with the Nocedal–Wright search, min(1, 1/‖∇f‖₂) on any steepest-descent
 * step, then 1.
 */
import { dot, norm2, type DirectionRule } from './direction.js';

export function lbfgsRule(
  n: number,
  historySize: number,
  lineSearch: 'strong-wolfe' | 'backtracking',
  wolfe: 'more-thuente' | 'nocedal-wright' = 'more-thuente',
): DirectionRule {
  const lbfgsbStep = lineSearch === 'strong-wolfe' && wolfe === 'more-thuente';
  const ss = Array.from({ length: historySize }, () => new Float64Array(n));
  const ys = Array.from({ length: historySize }, () => new Float64Array(n));
  const rhos = new Float64Array(historySize);
  const alphas = new Float64Array(historySize);
  let count = 0; // pairs held
  let newest = -1; // ring index of the newest pair
  // H₀ = γI; γ lives in a typed array because a double in a closure variable is boxed on every write
  const gamma = Float64Array.of(1);
  return {
    lineSearch,
    direction(k, _x, _f, g, d) {
      for (let i = 0; i < n; i++) d[i] = -g[i];
      if (count === 0) {
        if (!lbfgsbStep) return Math.min(1, 1 / norm2(g));
        return k === 0 ? 1 / norm2(g) : 1;
      }
      // first loop: newest to oldest
      for (let m = 0, j = newest; m < count; m++, j = (j - 1 + historySize) % historySize) {
        const a = rhos[j] * dot(ss[j], d);
        alphas[j] = a;
        const y = ys[j];
        for (let i = 0; i < n; i++) d[i] -= a * y[i];
      }
      for (let i = 0; i < n; i++) d[i] *= gamma[0];
      // second loop: oldest to newest
      for (let m = 0, j = (newest - count + 1 + historySize) % historySize; m < count; m++, j = (j + 1) % historySize) {
        const b = rhos[j] * dot(ys[j], d);
        const s = ss[j], c = alphas[j] - b;
        for (let i = 0; i < n; i++) d[i] += c * s[i];
      }
      return 1;
    },
    update(s, y, _t, g) {
      const sy = dot(s, y);
      if (lbfgsbStep && g) {
        // L-BFGS-B's test: skip unless sᵀy > ε·(−sᵀ∇f_k), the curvature gained against the slope along s
        if (!(sy > 2.220446049250313e-16 * (sy - dot(s, g)))) return;
      } else if (!(sy > 1e-10 * norm2(s) * norm2(y))) return;
      newest = (newest + 1) % historySize;
      ss[newest].set(s);
      ys[newest].set(y);
      rhos[newest] = 1 / sy;
      gamma[0] = sy / dot(y, y);
      if (count < historySize) count++;
    },
    reset() {
      count = 0;
      newest = -1;
    },
    hasCurvature() {
      return count > 0;
    },
  };
}
