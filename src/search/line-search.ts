/**
 * Line searches along a descent direction d from x: backtracking (Armijo) and strong Wolfe
 * (bracketing + zoom with safeguarded cubic interpolation, Nocedal & Wright, Numerical Optimization,
 * 2nd ed., Algorithms 3.5 and 3.6). Both evaluate f and ∇f together at each trial point (one counted
 * evaluation each), write the accepted point into caller-owned buffers and allocate nothing.
 *
 * Non-finite trial values: f = −∞ means the objective is unbounded below along d, reported as
 * 'non-finite'; NaN or +∞ (overflow past a good region) is treated as "too long a step" and shrinks.
 */
import type { SearchObjective } from './counted.js';

/** How a line search ended: 'ok' with a point of sufficient decrease, 'failed' with none, 'non-finite' at f = −∞. */
export type LineSearchStatus = 'ok' | 'failed' | 'non-finite';

export interface LineSearchResult {
  status: LineSearchStatus;
  /** The accepted step length (0 when failed). */
  t: number;
  /** f(x + t·d) (f(x) when failed). */
  f: number;
}

/** Armijo backtracking options: accept t when f(x + t d) ≤ f(x) + c1·t·∇fᵀd, else t ← shrink·t. */
export interface BacktrackingOptions {
  c1: number;
  shrink: number;
  t0: number;
}

/** Strong Wolfe options: f(x + t d) ≤ f + c1·t·∇fᵀd and |∇f(x + t d)ᵀd| ≤ c2·|∇fᵀd|. */
export interface StrongWolfeOptions {
  c1: number;
  c2: number;
  /** The most trial points (evaluations) one search may take. */
  maxEvals: number;
}

/** Scratch buffers of one run (n each), made once: trial point and best point so far with their gradients. */
export class LineSearchWork {
  xTrial: Float64Array;
  gTrial: Float64Array;
  xLow: Float64Array;
  gLow: Float64Array;
  constructor(n: number) {
    this.xTrial = new Float64Array(n);
    this.gTrial = new Float64Array(n);
    this.xLow = new Float64Array(n);
    this.gLow = new Float64Array(n);
  }
  /** The trial point becomes the best point: swap buffers instead of copying. */
  keepTrial(): void {
    let t = this.xLow;
    this.xLow = this.xTrial;
    this.xTrial = t;
    t = this.gLow;
    this.gLow = this.gTrial;
    this.gTrial = t;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** xOut ← x + t·d; returns whether any component changed (false: the step is below rounding). */
function stepTo(x: Float64Array, t: number, d: Float64Array, xOut: Float64Array): boolean {
  let moved = false;
  for (let i = 0, n = x.length; i < n; i++) {
    const v = x[i] + t * d[i];
    if (v !== x[i]) moved = true;
    xOut[i] = v;
  }
  return moved;
}

/**
 * Backtracking line search with the Armijo condition: t = t0, t0·β, t0·β², ... until
 * f(x + t d) ≤ f(x) + c1·t·gᵀd (the lectures' α = c1, β = shrink). Fails when the step no longer
 * changes x in floating point. On 'ok' and 'non-finite', xOut/gOut hold the new point and its gradient.
 */
export function backtracking(
  objective: SearchObjective,
  x: Float64Array,
  f0: number,
  gtd0: number,
  d: Float64Array,
  o: BacktrackingOptions,
  xOut: Float64Array,
  gOut: Float64Array,
  res: LineSearchResult = { status: 'failed', t: 0, f: 0 },
): LineSearchResult {
  let t = o.t0;
  for (;;) {
    if (!stepTo(x, t, d, xOut)) return setResult(res, 'failed', 0, f0);
    const f = objective.valueAndGrad(xOut, gOut);
    if (f === -Infinity) return setResult(res, 'non-finite', t, f);
    // NaN/+∞ fail the comparison and shrink, like any too-long step
    if (f <= f0 + o.c1 * t * gtd0 && finiteVector(gOut)) return setResult(res, 'ok', t, f);
    t *= o.shrink;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Fills a caller-owned result (`res` lets a run reuse one object for every search). */
function setResult(res: LineSearchResult, status: LineSearchStatus, t: number, f: number): LineSearchResult {
  res.status = status;
  res.t = t;
  res.f = f;
  return res;
}

function acceptInto(
  res: LineSearchResult,
  t: number,
  f: number,
  xs: Float64Array,
  gs: Float64Array,
  xOut: Float64Array,
  gOut: Float64Array,
): LineSearchResult {
  xOut.set(xs);
  gOut.set(gs);
  return setResult(res, Number.isFinite(f) ? 'ok' : 'non-finite', t, f);
}

function finiteVector(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/**
 * The minimizer of the cubic matching f and f' at t1 and t2 (Nocedal & Wright eq. 3.59);
 * NaN when the cubic has no minimizer there (the caller then bisects or extrapolates).
 */
export function cubicMinimizer(t1: number, f1: number, g1: number, t2: number, f2: number, g2: number): number {
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (t1 - t2);
  const disc = d1 * d1 - g1 * g2;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(t2 - t1) * Math.sqrt(disc);
  return t2 - ((t2 - t1) * (g2 + d2 - d1)) / (g2 - g1 + 2 * d2);
}

/**
 * Strong Wolfe line search (Nocedal & Wright Alg. 3.5 bracketing, Alg. 3.6 zoom). Bracketing
 * extrapolates with the cubic through the last two points, kept within [t + 1.1Δ, t + 4Δ]
 * (Δ = t − t_prev, the MINPACK dcsrch interval); zoom takes the cubic minimizer of the bracket
 * ends (or, as MINPACK's dcstep does, halfway to the quadratic step), kept 0.1% of the bracket away
 * from either end; it bisects where the cubic is undefined (an end at NaN/+∞) and, as dcsrch does, when
 * two trials have not shrunk the bracket below 66% of its width. If the evaluations run out, the lowest
 * point with sufficient decrease is accepted ('ok', like torch.optim.LBFGS); with none, 'failed'.
 */
export function strongWolfe(
  objective: SearchObjective,
  x: Float64Array,
  f0: number,
  g0: Float64Array,
  gtd0: number,
  d: Float64Array,
  t: number,
  o: StrongWolfeOptions,
  w: LineSearchWork,
  xOut: Float64Array,
  gOut: Float64Array,
  res: LineSearchResult = { status: 'failed', t: 0, f: 0 },
): LineSearchResult {
  let dmax = 0;
  const n = d.length; // read once: V8's typed-array length getter can box its result
  for (let i = 0; i < n; i++) {
    const v = Math.abs(d[i]);
    if (v > dmax) dmax = v;
  }
  // "low": the best point with sufficient decrease so far (t = 0 is x itself)
  let tLo = 0, fLo = f0, gtdLo = gtd0;
  w.xLow.set(x);
  w.gLow.set(g0);
  let tPrev = 0, fPrev = f0, gtdPrev = gtd0;
  let tHi = 0, fHi = 0, gtdHi = 0;
  let evals = 0;
  // conditions written inline below (no closures: nothing is allocated per search)
  const c1g = o.c1 * gtd0; // Armijo: f ≤ f0 + t·c1g
  const c2g = -o.c2 * gtd0; // curvature: |gtd| ≤ c2g
  // Hager & Zhang's approximate Wolfe test: near a minimizer f stops resolving decrease of order
  // t·gtd0, so also accept f ≤ f0 + ε|f0| with (2c1 − 1)·gtd0 ≥ gtd ≥ c2·gtd0 (a flat enough slope).
  const fTol = f0 + 1e-12 * Math.abs(f0);
  const slopeLo = o.c2 * gtd0, slopeHi = (2 * o.c1 - 1) * gtd0;
  let zoom = false;
  // Bracketing: grow t until the interval [tLo, tHi] must contain a strong Wolfe point.
  while (evals < o.maxEvals) {
    if (!stepTo(x, t, d, w.xTrial)) break;
    const f = objective.valueAndGrad(w.xTrial, w.gTrial);
    evals++;
    if (f === -Infinity) return acceptInto(res, t, f, w.xTrial, w.gTrial, xOut, gOut);
    let gtd = 0; // ∇f(x + t d)ᵀd, written out: a non-inlined call returning a double boxes it
    for (let i = 0; i < n; i++) gtd += w.gTrial[i] * d[i];
    if (f <= fTol && gtd >= slopeLo && gtd <= slopeHi) return acceptInto(res, t, f, w.xTrial, w.gTrial, xOut, gOut);
    if (!Number.isFinite(f) || !Number.isFinite(gtd) || !(f <= f0 + t * c1g) || (evals > 1 && f >= fPrev)) {
      tHi = t; fHi = Number.isFinite(f) && Number.isFinite(gtd) ? f : Infinity; gtdHi = gtd;
      zoom = true;
      break;
    }
    if (Math.abs(gtd) <= c2g) return acceptInto(res, t, f, w.xTrial, w.gTrial, xOut, gOut);
    // t has sufficient decrease and is below every earlier point: it is the new low
    tHi = tLo; fHi = fLo; gtdHi = gtdLo;
    tLo = t; fLo = f; gtdLo = gtd;
    w.keepTrial();
    if (gtd >= 0) {
      // f turns upward before t: the minimizer lies between the previous point and t
      zoom = true;
      break;
    }
    const span = t - tPrev;
    let next = cubicMinimizer(tPrev, fPrev, gtdPrev, t, f, gtd);
    const lo = t + 1.1 * span, hi = t + 4 * span;
    next = Number.isNaN(next) ? hi : clamp(next, lo, hi);
    tPrev = t; fPrev = f; gtdPrev = gtd;
    t = next;
  }
  // Zoom: [tLo, tHi] (either order) holds a strong Wolfe point; tLo has the lowest f with sufficient decrease.
  let widthBefore1 = Infinity, widthBefore2 = Infinity;
  while (zoom && evals < o.maxEvals) {
    // comparisons rather than Math.min/max: V8 boxes their mixed-type results here (a heap number per call)
    const a = tLo < tHi ? tLo : tHi, b = tLo < tHi ? tHi : tLo, width = b - a;
    const scale = Math.abs(tLo) * dmax;
    if (width * dmax <= 1e-16 * (scale > 1 ? scale : 1)) break;
    let tc = Number.isFinite(fHi) ? cubicMinimizer(tLo, fLo, gtdLo, tHi, fHi, gtdHi) : NaN;
    // MINPACK dcstep's choice when the far end is higher: the cubic step if it is nearer the low
    // end than the quadratic (f_lo, f'_lo, f_hi) step, else their midpoint
    if (Number.isFinite(fHi) && fHi > fLo) {
      const span = tHi - tLo;
      const tq = tLo + (gtdLo / ((fLo - fHi) / span + gtdLo) / 2) * span;
      if (!Number.isNaN(tc) && Math.abs(tc - tLo) >= Math.abs(tq - tLo)) tc = tc + (tq - tc) / 2;
      else if (Number.isNaN(tc)) tc = tq;
    }
    if (Number.isNaN(tc)) tc = a + 0.5 * width;
    // MINPACK's safeguard: bisect when two trials have not shrunk the bracket to 66% of its width
    if (width > 0.66 * widthBefore2) tc = a + 0.5 * width;
    widthBefore2 = widthBefore1;
    widthBefore1 = width;
    // keep off the ends by 0.1% of the bracket: a trial at an end would teach nothing new
    tc = clamp(tc, a + 1e-3 * width, b - 1e-3 * width);
    if (!stepTo(x, tc, d, w.xTrial)) break;
    const f = objective.valueAndGrad(w.xTrial, w.gTrial);
    evals++;
    if (f === -Infinity) return acceptInto(res, tc, f, w.xTrial, w.gTrial, xOut, gOut);
    let gtd = 0; // ∇f(x + t d)ᵀd, written out: a non-inlined call returning a double boxes it
    for (let i = 0; i < n; i++) gtd += w.gTrial[i] * d[i];
    if (f <= fTol && gtd >= slopeLo && gtd <= slopeHi) return acceptInto(res, tc, f, w.xTrial, w.gTrial, xOut, gOut);
    if (!Number.isFinite(f) || !Number.isFinite(gtd) || !(f <= f0 + tc * c1g) || f >= fLo) {
      tHi = tc; fHi = Number.isFinite(f) && Number.isFinite(gtd) ? f : Infinity; gtdHi = gtd;
      continue;
    }
    if (Math.abs(gtd) <= c2g) return acceptInto(res, tc, f, w.xTrial, w.gTrial, xOut, gOut);
    if (gtd * (tHi - tLo) >= 0) {
      tHi = tLo; fHi = fLo; gtdHi = gtdLo;
    }
    tLo = tc; fLo = f; gtdLo = gtd;
    w.keepTrial();
  }
  if (tLo > 0) return acceptInto(res, tLo, fLo, w.xLow, w.gLow, xOut, gOut);
  return setResult(res, 'failed', 0, f0);
}
