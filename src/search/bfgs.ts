/**
 * BFGS with the inverse-Hessian update (Nocedal & Wright §6.1, eq. 6.17):
 *   H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ,  ρ = 1/(yᵀs),
 * written out as H ← H − ρ(H y sᵀ + s yᵀH) + (ρ² yᵀHy + ρ) s sᵀ (O(n²), no n³ products).
 * H₀ = I, as SciPy's BFGS; with `initialScaling`, H₀ is rescaled to (sᵀy / yᵀy)·I before the first
 * update (N&W eq. 6.20). The rescaling is off by default: on the SciPy reference problems it cost more
 * evaluations (Rosenbrock n = 2 from (−1.2, 1): 49 against 39 without it; SciPy 41).
 * Updates with sᵀy ≤ ε·‖s‖‖y‖ are skipped: they would lose positive definiteness.
 * The first trial step is min(1, 2.02·(f_k − f_{k−1}) / ∇fᵀd) (N&W eq. 3.60 with SciPy's factor; f_{−1} =
 * f₀ + ‖∇f₀‖/2), so steps stay near the last decrease until the quasi-Newton step 1 takes over. When the
 * last step left f exactly unchanged that step is 0: rounding, not the function, decides from there, and the run
 * stops as SciPy's does ("precision loss", reason 'line-search-failed') without another evaluation.
 */
import { dot, norm2, type DirectionRule } from './direction.js';

export function bfgsRule(n: number, initialScaling = false): DirectionRule {
  const h = new Float64Array(n * n);
  const hy = new Float64Array(n);
  // −H_{k+1}∇f_{k+1}, computed inside the update's pass over H (saves one n² pass per iteration)
  const next = new Float64Array(n);
  let haveNext = false;
  // the previous f, held in a typed array: a double in a closure variable is boxed on every write
  const fPrev = Float64Array.of(NaN);
  let scaled = !initialScaling; // whether H₀ is settled
  const identity = (scale: number): void => {
    h.fill(0);
    for (let i = 0; i < n; i++) h[i * n + i] = scale;
  };
  identity(1);
  return {
    lineSearch: 'strong-wolfe',
    direction(_k, _x, f, g, d) {
      if (haveNext) {
        d.set(next);
        haveNext = false;
      } else {
        for (let i = 0; i < n; i++) {
          let s = 0;
          const row = i * n;
          for (let j = 0; j < n; j++) s -= h[row + j] * g[j];
          d[i] = s;
        }
      }
      const old = Number.isNaN(fPrev[0]) ? f + norm2(g) / 2 : fPrev[0];
      fPrev[0] = f;
      const t = Math.min(1, (1.01 * 2 * (f - old)) / dot(g, d));
      // 0 when f has not changed since the last iterate: SciPy stops there ("precision loss"), and so does the loop
      return t > 0 ? t : t === 0 ? 0 : 1; // (0, not −0: a −0 returned is a heap number)
    },
    update(s, y, _t, gNext) {
      haveNext = false;
      const sy = dot(s, y);
      if (!(sy > 1e-10 * norm2(s) * norm2(y))) return;
      if (!scaled) {
        identity(sy / dot(y, y));
        scaled = true;
      }
      const rho = 1 / sy;
      for (let i = 0; i < n; i++) {
        let v = 0;
        const row = i * n;
        for (let j = 0; j < n; j++) v += h[row + j] * y[j];
        hy[i] = v;
      }
      const c = rho * rho * dot(y, hy) + rho;
      if (gNext) {
        for (let i = 0; i < n; i++) {
          const row = i * n;
          const si = s[i], hyi = hy[i];
          let acc = 0;
          for (let j = 0; j < n; j++) {
            const v = h[row + j] + (c * si * s[j] - rho * (hyi * s[j] + si * hy[j]));
            h[row + j] = v;
            acc -= v * gNext[j];
          }
          next[i] = acc;
        }
        haveNext = true;
      } else {
        for (let i = 0; i < n; i++) {
          const row = i * n;
          const si = s[i], hyi = hy[i];
          for (let j = 0; j < n; j++) h[row + j] += c * si * s[j] - rho * (hyi * s[j] + si * hy[j]);
        }
      }
    },
    reset() {
      haveNext = false;
      identity(1);
      fPrev[0] = NaN;
      scaled = !initialScaling;
    },
  };
}
