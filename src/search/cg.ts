/**
 * Nonlinear conjugate gradient as SciPy 1.10's `minimize(method="CG")` runs it: Polak–Ribière with β clipped
 * at 0 (PR+, Nocedal & Wright eq. 5.44), d_{k+1} = −∇f_{k+1} + β d_k with
 * β = max(0, (∇f_{k+1} − ∇f_k)ᵀ∇f_{k+1} / ‖∇f_k‖²), no periodic restart. Strong Wolfe does not make a PR+
 * direction a descent direction, so the line search also requires of the point it accepts Gilbert and
 * Nocedal's sufficient descent condition on the next direction, d_{k+1}ᵀ∇f_{k+1} ≤ −0.01‖∇f_{k+1}‖²
 * (`acceptsStep`), unless that point already meets gtol. The first trial step is SciPy's
 * min(1, 2.02·(f_k − f_{k−1})/∇fᵀd) with f_{−1} = f₀ + ‖∇f₀‖₂/2 (a negative value gives 1; 0, where the last step left f
 * unchanged, ends the run as SciPy's "precision loss" does). Inner products
 * round as SciPy's (`dotFused`).
 */
import { fusedMultiplyAdd } from '../optim/fused-multiply-add.js';
import { dotFused, type DirectionRule } from './direction.js';

/** Gilbert and Nocedal's constant: the next direction must descend by at least this fraction of ‖∇f‖². */
const SUFFICIENT_DESCENT = 0.01;

export interface ConjugateGradientRule extends DirectionRule {
  /**
   * The line search's extra acceptance test at a trial point with gradient gTrial: max|gTrial| ≤ gtol, or
   * the direction PR+ would take from there descends sufficiently. Reads the direction and gradient of the
   * last `direction` call (the loop's d buffer, which holds −∇f after a restart).
   */
  acceptsStep(gTrial: Float64Array): boolean;
}

export function conjugateGradientRule(n: number, gtol: number): ConjugateGradientRule {
  // the loop's buffers at the current iterate, as last given to `direction` (x and ∇f swap buffers each step)
  let dCurrent: Float64Array = new Float64Array(n);
  let gCurrent: Float64Array = new Float64Array(n);
  const next = new Float64Array(n);
  // doubles in typed arrays: a double in a closure variable is boxed on every write
  // [‖∇f_k‖², f_{k−1} (NaN before the first step), f_k]
  const state = Float64Array.of(0, NaN, NaN);
  let haveNext = false;
  let lastK = -1; // the iteration of the last `direction` call (a restart calls it twice)

  /** next ← −gNew + β·d (β of PR+); returns nextᵀgNew. */
  const nextDirection = (gNew: Float64Array): number => {
    let yg = 0;
    for (let i = 0; i < n; i++) yg = fusedMultiplyAdd(gNew[i] - gCurrent[i], gNew[i], yg);
    const beta = Math.max(0, yg / state[0]);
    for (let i = 0; i < n; i++) next[i] = -gNew[i] + beta * dCurrent[i];
    return dotFused(next, gNew);
  };

  return {
    lineSearch: 'strong-wolfe',
    direction(k, _x, f, g, d) {
      if (haveNext) d.set(next);
      else for (let i = 0; i < n; i++) d[i] = -g[i];
      haveNext = false;
      dCurrent = d;
      gCurrent = g;
      state[0] = dotFused(g, g);
      if (k !== lastK) {
        state[1] = state[2];
        state[2] = f;
        lastK = k;
      }
      const fOld = Number.isNaN(state[1]) ? f + Math.sqrt(state[0]) / 2 : state[1];
      const gtd = dotFused(g, d);
      const t = gtd !== 0 ? Math.min(1, (1.01 * 2 * (f - fOld)) / gtd) : 1;
      return t >= 0 ? t : 1; // 0 (f unchanged by the last step) stops the run, as SciPy's "precision loss"
    },
    acceptsStep(gTrial) {
      let gmax = 0;
      for (let i = 0; i < n; i++) {
        const a = Math.abs(gTrial[i]);
        if (!(a <= gmax)) gmax = a;
      }
      const dg = nextDirection(gTrial);
      if (gmax <= gtol) return true;
      return dg <= -SUFFICIENT_DESCENT * dotFused(gTrial, gTrial);
    },
    update(_s, _y, _t, gNext) {
      // the direction from the accepted point, computed as the search's acceptance test computed it
      if (gNext) {
        nextDirection(gNext);
        haveNext = true;
      }
    },
    reset() {
      haveNext = false;
    },
  };
}
