/**
 * Damped Newton: d solves (H + τI) d = −∇f, with τ = 0 when the Hessian H is positive definite, else
 * the τ found by Nocedal & Wright Alg. 3.3 (Cholesky with added multiple of the identity: τ doubled from
 * τ₀ until the Cholesky factorization succeeds, β = 1e-3·max(1, ‖H‖_max)), with τ₀ = 2·(−min Hᵢᵢ) + β
 * where N&W take −min Hᵢᵢ + β: a shift just past the most negative curvature gives steps of length
 * ‖∇f‖/β, far outside where the quadratic model means anything.
 * A backtracking line search from t = 1 damps the step; near a nondegenerate minimum the full step is
 * accepted and convergence is quadratic. H is the objective's `hessian` when it has one (the built-in functions'
 * come from automatic differentiation of their expressions, src/autograd/second-order.ts), else
 * central differences of the gradient, symmetrized (2n gradient evaluations, counted as evaluations).
 */
import type { SearchObjective } from './counted.js';
import type { DirectionRule } from './direction.js';

/** cbrt(2⁻⁵²): the central-difference step (relative to max(1, |x_j|)) of float64. */
export const FD_STEP_FLOAT64 = 6.0554544523933395e-6;
/** cbrt(2⁻²³): the central-difference step (relative to max(1, |x_j|)) of float32. */
export const FD_STEP_FLOAT32 = 4.921566601151848e-3;

/**
 * Central-difference Hessian of the gradient, symmetrized: column j is
 * (∇f(x + h e_j) − ∇f(x − h e_j)) / (h₊ + h₋) with h = ε^(1/3)·max(1, |x_j|), ε the machine epsilon of the
 * objective's precision (2⁻⁵² for float64, 2⁻²³ for float32: the step that balances truncation, O(h²), against
 * rounding of the gradient, O(ε/h)), and h₊, h₋ the steps as that precision represents them; then H ← (H + Hᵀ)/2.
 * xWork, gPlus, gMinus are caller-owned scratch of length n.
 */
export function finiteDifferenceHessian(
  objective: SearchObjective,
  x: Float64Array,
  hOut: Float64Array,
  xWork: Float64Array,
  gPlus: Float64Array,
  gMinus: Float64Array,
): void {
  const n = x.length;
  xWork.set(x);
  const f32 = objective.precision === 'float32';
  const cbrtEps = f32 ? FD_STEP_FLOAT32 : FD_STEP_FLOAT64;
  const round = f32 ? Math.fround : (v: number) => v;
  for (let j = 0; j < n; j++) {
    const h = cbrtEps * Math.max(1, Math.abs(x[j]));
    const xj = round(x[j]);
    xWork[j] = round(x[j] + h);
    const hp = xWork[j] - xj; // the step actually represented
    objective.valueAndGrad(xWork, gPlus);
    xWork[j] = round(x[j] - h);
    const hm = xj - xWork[j];
    objective.valueAndGrad(xWork, gMinus);
    xWork[j] = x[j];
    for (let i = 0; i < n; i++) hOut[i * n + j] = (gPlus[i] - gMinus[i]) / (hp + hm);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (hOut[i * n + j] + hOut[j * n + i]);
      hOut[i * n + j] = v;
      hOut[j * n + i] = v;
    }
  }
}

/** In-place Cholesky of (A + τI) into L (lower, row-major); false when not positive definite. */
export function choleskyShifted(a: Float64Array, tau: number, l: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j] + (i === j ? tau : 0);
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) return false;
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  }
  return true;
}

/** The shift τ actually used at the last direction (0 where the Hessian was positive definite). */
export interface NewtonRule extends DirectionRule {
  readonly lastShift: number;
}

export function newtonRule(objective: SearchObjective, n: number): NewtonRule {
  const h = new Float64Array(n * n);
  const l = new Float64Array(n * n);
  const xWork = new Float64Array(n), gPlus = new Float64Array(n), gMinus = new Float64Array(n);
  let lastShift = 0;
  return {
    lineSearch: 'backtracking',
    get lastShift() {
      return lastShift;
    },
    direction(_k, x, _f, g, d) {
      if (objective.hessian) objective.hessian(x, h);
      else finiteDifferenceHessian(objective, x, h, xWork, gPlus, gMinus);
      let hmax = 0, minDiag = Infinity;
      for (let i = 0; i < n * n; i++) hmax = Math.max(hmax, Math.abs(h[i]));
      for (let i = 0; i < n; i++) minDiag = Math.min(minDiag, h[i * n + i]);
      const beta = 1e-3 * Math.max(1, hmax);
      // not positive definite: start the shift at 2·(−min Hᵢᵢ) + β rather than N&W's −min Hᵢᵢ + β, so that
      // in one dimension the step is −f'/|f''| (the mirrored Newton step), not −f'/β far away
      let tau = minDiag > 0 ? 0 : -2 * minDiag + beta;
      while (!choleskyShifted(h, tau, l, n)) {
        tau = Math.max(2 * tau, beta);
        if (!Number.isFinite(tau)) break; // a NaN Hessian: the loop's descent check resets to −∇f
      }
      lastShift = tau;
      // solve L Lᵀ d = −g: forward then back substitution
      for (let i = 0; i < n; i++) {
        let s = -g[i];
        for (let k = 0; k < i; k++) s -= l[i * n + k] * d[k];
        d[i] = s / l[i * n + i];
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = d[i];
        for (let k = i + 1; k < n; k++) s -= l[k * n + i] * d[k];
        d[i] = s / l[i * n + i];
      }
      return 1;
    },
    update() {},
    reset() {},
  };
}
