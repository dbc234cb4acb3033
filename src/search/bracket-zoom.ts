/**
 * The strong Wolfe search SciPy falls back to when MINPACK's fails (`line_search_wolfe2`: Nocedal & Wright
 * Alg. 3.5 and 3.6 as SciPy 1.10 writes them), for `cg`. Unlike `strongWolfe` in line-search.ts it brackets by
 * doubling the step (at most 10 times, capped at tMax), and zoom interpolates with the cubic through the
 * bracket ends and the previous end it replaced (the cubic's minimizer must lie 20 % of the bracket inside
 * it), else the quadratic through the low end's f, f' and the high end's f (10 % inside), else bisects; zoom
 * gives up after 11 trials. A point is accepted when it meets both strong Wolfe conditions and the caller's
 * extra condition (SciPy's `extra_condition`; for cg the sufficient descent of the next direction).
 *
 * f NaN or +∞ at a trial counts as failing sufficient decrease (the step is too long); f = −∞ is returned as
 * 'non-finite'. Every trial evaluates f and ∇f together (one counted evaluation, as SciPy's nfev counts it);
 * slopes ∇fᵀd round as NumPy's (`dotFused`).
 */
import type { SearchObjective } from './counted.js';
import { dotFused } from './direction.js';
import type { LineSearchResult, LineSearchWork } from './line-search.js';

export interface BracketZoomOptions {
  c1: number;
  c2: number;
  /** The largest step (SciPy's amax). */
  tMax: number;
  /** Extra acceptance test at a point meeting the strong Wolfe conditions, given its gradient. */
  accept: (gTrial: Float64Array) => boolean;
}

/** Doubling steps SciPy's bracketing phase takes before it gives up. */
const BRACKET_TRIALS = 10;
/** Zoom trials after the first before SciPy's zoom gives up (it makes ZOOM_TRIALS + 1 in all). */
const ZOOM_TRIALS = 10;

/** Minimizer of the cubic through (a, fa) with slope fpa at a, (b, fb) and (c, fc); NaN where it has none. */
export function cubicThroughThree(a: number, fa: number, fpa: number, b: number, fb: number, c: number, fc: number): number {
  const db = b - a, dc = c - a;
  const denom = (db * dc) ** 2 * (db - dc);
  const rb = fb - fa - fpa * db, rc = fc - fa - fpa * dc;
  const A = (dc ** 2 * rb - db ** 2 * rc) / denom;
  const B = (-(dc ** 3) * rb + db ** 3 * rc) / denom;
  const radical = B * B - 3 * A * fpa;
  const t = a + (-B + Math.sqrt(radical)) / (3 * A);
  return Number.isFinite(t) ? t : NaN;
}

/** Minimizer of the quadratic through (a, fa) with slope fpa at a and (b, fb); NaN where it has none. */
export function quadraticThroughTwo(a: number, fa: number, fpa: number, b: number, fb: number): number {
  const db = b - a;
  const B = (fb - fa - fpa * db) / (db * db);
  if (!Number.isFinite(B)) return NaN; // coincident points (SciPy's division by zero)
  const t = a - fpa / (2 * B);
  return Number.isFinite(t) ? t : NaN;
}

/**
 * Searches along d from x (value f0, slope gtd0 < 0) from the first trial t0. On 'ok' (and 'non-finite' at
 * f = −∞) xOut/gOut hold the accepted point; on 'failed' nothing is taken.
 */
export function bracketZoom(
  objective: SearchObjective,
  x: Float64Array,
  f0: number,
  gtd0: number,
  d: Float64Array,
  t0: number,
  o: BracketZoomOptions,
  w: LineSearchWork,
  xOut: Float64Array,
  gOut: Float64Array,
  res: LineSearchResult,
): LineSearchResult {
  res.status = 'failed';
  res.t = 0;
  res.f = f0;
  const n = d.length;
  const { c1, c2, tMax } = o;
  // evaluates x + t·d into the trial buffers; returns f, the slope into slope[0]
  const slope = new Float64Array(1);
  const evaluate = (t: number): number => {
    for (let i = 0; i < n; i++) w.xTrial[i] = x[i] + t * d[i];
    const f = objective.valueAndGrad(w.xTrial, w.gTrial);
    slope[0] = dotFused(w.gTrial, d);
    return f;
  };
  const take = (t: number, f: number): LineSearchResult => {
    xOut.set(w.xTrial);
    gOut.set(w.gTrial);
    res.status = f === -Infinity ? 'non-finite' : 'ok';
    res.t = t;
    res.f = f;
    return res;
  };
  const sufficient = (t: number, f: number): boolean => f <= f0 + c1 * t * gtd0;
  const strongCurvature = (g: number): boolean => Math.abs(g) <= -c2 * gtd0;

  // Zoom between a low end (lowest f with sufficient decrease, and its slope) and a high end: N&W Alg. 3.6
  // with SciPy's interpolation and safeguards (their margins take the sign of tHi − tLo, as SciPy's do).
  const zoom = (tLo: number, tHi: number, fLo: number, fHi: number, gLo: number): LineSearchResult => {
    let tRec = 0, fRec = f0; // the end replaced last, the cubic's third point
    for (let i = 0; i <= ZOOM_TRIALS; i++) {
      const span = tHi - tLo;
      const a = span < 0 ? tHi : tLo, b = span < 0 ? tLo : tHi;
      let t = NaN;
      if (i > 0) {
        const margin = 0.2 * span;
        t = cubicThroughThree(tLo, fLo, gLo, tHi, fHi, tRec, fRec);
        if (t > b - margin || t < a + margin) t = NaN;
      }
      if (Number.isNaN(t)) {
        const margin = 0.1 * span;
        t = quadraticThroughTwo(tLo, fLo, gLo, tHi, fHi);
        if (Number.isNaN(t) || t > b - margin || t < a + margin) t = tLo + 0.5 * span;
      }
      const f = evaluate(t);
      if (f === -Infinity) return take(t, f);
      if (!sufficient(t, f) || !(f < fLo)) {
        tRec = tHi; fRec = fHi;
        tHi = t; fHi = Number.isNaN(f) ? Infinity : f;
        continue;
      }
      const g = slope[0];
      if (strongCurvature(g) && o.accept(w.gTrial)) return take(t, f);
      if (g * (tHi - tLo) >= 0) {
        tRec = tHi; fRec = fHi;
        tHi = tLo; fHi = fLo;
      } else {
        tRec = tLo; fRec = fLo;
      }
      tLo = t; fLo = f; gLo = g;
    }
    return res;
  };

  let tPrev = 0, fPrev = f0, gPrev = gtd0;
  let t = Math.min(t0, tMax);
  let f = evaluate(t);
  for (let i = 0; i < BRACKET_TRIALS; i++) {
    if (t === 0 || tPrev === tMax) return res; // rounding left no step, or tMax reached without a point
    if (f === -Infinity) return take(t, f);
    if (!sufficient(t, f) || (i > 0 && !(f < fPrev))) return zoom(tPrev, t, fPrev, Number.isNaN(f) ? Infinity : f, gPrev);
    const g = slope[0];
    if (strongCurvature(g) && o.accept(w.gTrial)) return take(t, f);
    if (g >= 0) return zoom(t, tPrev, f, fPrev, g);
    tPrev = t; fPrev = f; gPrev = g;
    t = Math.min(2 * t, tMax);
    f = evaluate(t);
  }
  // bracketing ran out: SciPy takes the last doubled step unchecked; descent takes it only with sufficient decrease
  return f === -Infinity || sufficient(t, f) ? take(t, f) : res;
}
