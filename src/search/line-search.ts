/**
 * Line searches along a descent direction d from x: backtracking (Armijo), strong Wolfe by Moré and
 * Thuente (MINPACK-2 dcsrch/dcstep, the search of SciPy's BFGS and of L-BFGS-B) and strong Wolfe by
 * bracketing + zoom with safeguarded cubic interpolation (Nocedal & Wright, Numerical Optimization,
 * 2nd ed., Algorithms 3.5 and 3.6). Both evaluate f and ∇f together at each trial point (one counted
 * evaluation each), write the accepted point into caller-owned buffers and allocate nothing.
 *
 * Non-finite trial values: f = −∞ means the objective is unbounded below along d, reported as
 * 'non-finite'; NaN or +∞ (overflow past a good region) is treated as "too long a step" and shrinks.
 */
import type { SearchObjective } from './counted.js';
import { dotFused } from './direction.js';

/** How a line search ended: 'ok' with a point of sufficient decrease, 'failed' with none, 'non-finite' at f = −∞. */
export type LineSearchStatus = 'ok' | 'failed' | 'non-finite';

/** What a line search returns: how it ended, the step length t accepted and f there. */
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
  /**
   * Where f cannot resolve the decrease (the whole predicted decrease t·|∇fᵀd| at most approxEps·|f|), also
   * accept a trial with f ≤ f + approxEps·|f| whose gradient is smaller, max|∇f(x + t d)| < gmax0: near a
   * minimizer with f* ≠ 0 the Armijo test then compares rounding noise (Newton's full steps were refused
   * and it crawled for thousands of iterations). 0 or absent: Armijo alone.
   */
  approxEps?: number;
  /** max|∇f(x)| at the start of the search (read when approxEps > 0). */
  gmax0?: number;
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
  /** The interval state of a Moré–Thuente search (see `dcstep`). */
  moreThuente = new Float64Array(8);
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
    const eps = o.approxEps ?? 0;
    if (eps > 0 && -t * gtd0 <= eps * Math.abs(f0) && f <= f0 + eps * Math.abs(f0) && maxAbsBelow(gOut, o.gmax0 ?? 0)) {
      return setResult(res, 'ok', t, f);
    }
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

/** max|v_i| < bound (false for any NaN). */
function maxAbsBelow(v: Float64Array, bound: number): boolean {
  for (let i = 0; i < v.length; i++) if (!(Math.abs(v[i]) < bound)) return false;
  return true;
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

/**
 * Moré–Thuente options (MINPACK-2 `dcsrch`): c1 is its ftol (sufficient decrease), c2 its gtol
 * (curvature), xtol the relative width of the bracket below which the search gives up, stpMin/stpMax the
 * step bounds, maxEvals the most trial points.
 */
export interface MoreThuenteOptions {
  c1: number;
  c2: number;
  xtol: number;
  stpMin: number;
  stpMax: number;
  maxEvals: number;
  /**
   * Hager and Zhang's approximate Wolfe test where f cannot resolve the decrease: when the whole predicted
   * decrease t·|∇fᵀd| is at most approxEps·|f|, also accept f ≤ f0 + approxEps·|f0| with a slope in
   * [c2·∇fᵀd, (2c1 − 1)·∇fᵀd]. 0 turns it off (dcsrch as published).
   */
  approxEps: number;
  /** Slopes ∇fᵀd accumulated with fused multiply-adds (`dotFused`, NumPy's rounding; cg); absent: plain sums. */
  fusedSlopes?: boolean;
}

/**
 * How a Moré–Thuente search ended: 'ok' at a point that satisfies both strong Wolfe conditions;
 * 'warning' where dcsrch stops short of them (rounding prevents progress, the bracket is below xtol, or the
 * step sits at stpMin/stpMax) with the last trial point in xOut/gOut, which the caller may take or refuse
 * (L-BFGS-B takes it, SciPy's BFGS does not); 'failed' with nothing taken (evaluations ran out, or the
 * search could not start); 'non-finite' at f = −∞.
 */
export type MoreThuenteStatus = 'ok' | 'warning' | 'failed' | 'non-finite';

export interface MoreThuenteResult {
  status: MoreThuenteStatus;
  t: number;
  f: number;
  /** Trial points evaluated by this search. */
  evaluations: number;
}

// Slots of the interval state dcstep updates in place (LineSearchWork.moreThuente: nothing is allocated per search).
const STX = 0, FX = 1, DX = 2, STY = 3, FY = 4, DY = 5, STP = 6, BRACKT = 7;

/**
 * One safeguarded step of Moré and Thuente (1994), MINPACK-2's `dcstep`: from the interval end with the
 * lowest f so far (stx, fx, dx), the other end (sty, fy, dy) and the trial (stp, fp, dp) — f and f' along
 * the line — picks the next trial step and updates the interval. Four cases, by what the trial shows:
 *  1. fp > fx: the minimizer is bracketed; the cubic step if it lies nearer stx than the quadratic
 *     (fx, dx, fp) step, else halfway between them.
 *  2. the derivative changes sign: bracketed; the cubic or the secant step, whichever is farther from stp.
 *  3. |dp| < |dx| with the same sign: the cubic step when the cubic tends to +∞ in the step's direction and its
 *     minimizer lies beyond stp, else stpMax/stpMin; kept within 66% of the way to sty once bracketed.
 *  4. |dp| ≥ |dx| with the same sign: the cubic step through (stp, sty) if bracketed, else stpMax/stpMin.
 * `s` holds stx, fx, dx, sty, fy, dy, stp, brackt (0/1) and is updated in place.
 */
export function dcstep(s: Float64Array, fp: number, dp: number, stpMin: number, stpMax: number): void {
  const stx = s[STX], fx = s[FX], dx = s[DX], sty = s[STY], fy = s[FY], dy = s[DY], stp = s[STP];
  const brackt = s[BRACKT] !== 0;
  const sgnd = dp * (dx / Math.abs(dx));
  let stpf: number;
  if (fp > fx) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sc = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sc * Math.sqrt((theta / sc) * (theta / sc) - (dx / sc) * (dp / sc));
    if (stp < stx) gamma = -gamma;
    const p = gamma - dx + theta;
    const q = gamma - dx + gamma + dp;
    const stpc = stx + (p / q) * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    s[BRACKT] = 1;
  } else if (sgnd < 0) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sc = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sc * Math.sqrt((theta / sc) * (theta / sc) - (dx / sc) * (dp / sc));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dx;
    const stpc = stp + (p / q) * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    s[BRACKT] = 1;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sc = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    // the cubic may have no minimizer here: max(0, ·) keeps gamma real
    let gamma = sc * Math.sqrt(Math.max(0, (theta / sc) * (theta / sc) - (dx / sc) * (dp / sc)));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma + (dx - dp) + gamma;
    const r = p / q;
    let stpc: number;
    if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
    else stpc = stp > stx ? stpMax : stpMin;
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (brackt) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
      stpf = stp > stx ? Math.min(stp + 0.66 * (sty - stp), stpf) : Math.max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      stpf = Math.max(stpMin, Math.min(stpMax, stpf));
    }
  } else if (brackt) {
    const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
    const sc = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
    let gamma = sc * Math.sqrt((theta / sc) * (theta / sc) - (dy / sc) * (dp / sc));
    if (stp > sty) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dy;
    stpf = stp + (p / q) * (sty - stp);
  } else {
    stpf = stp > stx ? stpMax : stpMin;
  }
  // the new interval: the trial replaces the end it is worse than, or becomes the best end
  if (fp > fx) {
    s[STY] = stp; s[FY] = fp; s[DY] = dp;
  } else {
    if (sgnd < 0) {
      s[STY] = stx; s[FY] = fx; s[DY] = dx;
    }
    s[STX] = stp; s[FX] = fp; s[DX] = dp;
  }
  s[STP] = stpf;
}

/**
 * Moré–Thuente line search (MINPACK-2 `dcsrch`, "Line search algorithms with guaranteed sufficient
 * decrease", ACM TOMS 20, 1994), the search of SciPy's BFGS (`line_search_wolfe1`) and of L-BFGS-B.
 * It looks for t with f(x + t d) ≤ f + c1·t·∇fᵀd and |∇f(x + t d)ᵀd| ≤ c2·|∇fᵀd|. Stage 1 works on the
 * auxiliary ψ(t) = f(x + t d) − f − c1·t·∇fᵀd until a trial has ψ ≤ 0 and f' ≥ 0, then on f itself; each
 * trial comes from `dcstep`. Until the minimizer is bracketed the trial is kept within
 * [t + 1.1(t − stx), t + 4(t − stx)]; once bracketed, a bisection is forced whenever two trials have not
 * shrunk the bracket below 66% of its width, and the search stops with a warning when rounding leaves no room
 * (the trial at an end of the bracket) or the bracket is narrower than xtol·stmax.
 *
 * A trial with f NaN or +∞ (past an overflow) is not part of dcsrch: the step is halved towards the best
 * point and capped below that trial from then on.
 */
export function moreThuente(
  objective: SearchObjective,
  x: Float64Array,
  f0: number,
  gtd0: number,
  d: Float64Array,
  t0: number,
  o: MoreThuenteOptions,
  w: LineSearchWork,
  xOut: Float64Array,
  gOut: Float64Array,
  res: MoreThuenteResult,
): MoreThuenteResult {
  res.evaluations = 0;
  res.t = 0;
  res.f = f0;
  res.status = 'failed';
  let stpMax = o.stpMax;
  const stpMin = o.stpMin;
  if (!(t0 >= stpMin && t0 <= stpMax) || !(gtd0 < 0)) return res;
  const s = w.moreThuente;
  const n = d.length;
  const gtest = o.c1 * gtd0;
  const curvature = o.c2 * -gtd0;
  const approxTol = o.approxEps * Math.abs(f0);
  let stage1 = true;
  let width = stpMax - stpMin, width1 = width / 0.5;
  s[STX] = 0; s[FX] = f0; s[DX] = gtd0;
  s[STY] = 0; s[FY] = f0; s[DY] = gtd0;
  s[STP] = t0; s[BRACKT] = 0;
  let stmin = 0, stmax = t0 + 4 * t0;
  for (;;) {
    if (res.evaluations >= o.maxEvals) return res;
    const stp = s[STP];
    stepTo(x, stp, d, w.xTrial);
    const f = objective.valueAndGrad(w.xTrial, w.gTrial);
    res.evaluations++;
    if (f === -Infinity) return acceptMT(res, 'non-finite', stp, f, w, xOut, gOut);
    let g = 0;
    if (o.fusedSlopes) g = dotFused(w.gTrial, d);
    else for (let i = 0; i < n; i++) g += w.gTrial[i] * d[i];
    if (!Number.isFinite(f) || !Number.isFinite(g)) {
      // overflow past a good region: halve towards the best point, never to return beyond this trial
      stpMax = stp;
      s[STP] = s[STX] + 0.5 * (stp - s[STX]);
      if (stmax > stp) stmax = stp;
      continue;
    }
    if (stp * -gtd0 <= approxTol && f <= f0 + approxTol && g >= o.c2 * gtd0 && g <= (2 * o.c1 - 1) * gtd0) {
      return acceptMT(res, 'ok', stp, f, w, xOut, gOut);
    }
    const ftest = f0 + stp * gtest;
    if (stage1 && f <= ftest && g >= 0) stage1 = false;
    const brackt = s[BRACKT] !== 0;
    let warning = false;
    if (brackt && (stp <= stmin || stp >= stmax)) warning = true; // rounding errors prevent progress
    if (brackt && stmax - stmin <= o.xtol * stmax) warning = true; // the bracket is below xtol
    if (stp === stpMax && f <= ftest && g <= gtest) warning = true;
    if (stp === stpMin && (f > ftest || g >= gtest)) warning = true;
    if (f <= ftest && Math.abs(g) <= curvature) return acceptMT(res, 'ok', stp, f, w, xOut, gOut);
    if (warning) return acceptMT(res, 'warning', stp, f, w, xOut, gOut);
    if (stage1 && f <= s[FX] && f > ftest) {
      // stage 1 with a point of decrease but not sufficient decrease: step on ψ (f − c1·t·f'(0))
      const fx = s[FX], fy = s[FY], stx = s[STX], sty = s[STY];
      s[FX] = fx - stx * gtest; s[FY] = fy - sty * gtest;
      s[DX] -= gtest; s[DY] -= gtest;
      dcstep(s, f - stp * gtest, g - gtest, stmin, stmax);
      s[FX] += s[STX] * gtest; s[FY] += s[STY] * gtest;
      s[DX] += gtest; s[DY] += gtest;
    } else {
      dcstep(s, f, g, stmin, stmax);
    }
    let next = s[STP];
    const nowBrackt = s[BRACKT] !== 0;
    const stx = s[STX], sty = s[STY];
    if (nowBrackt) {
      // force a bisection when two trials have not shrunk the bracket enough
      if (Math.abs(sty - stx) >= 0.66 * width1) next = stx + 0.5 * (sty - stx);
      width1 = width;
      width = Math.abs(sty - stx);
      stmin = Math.min(stx, sty);
      stmax = Math.max(stx, sty);
    } else {
      stmin = next + 1.1 * (next - stx);
      stmax = next + 4 * (next - stx);
    }
    next = Math.min(Math.max(next, stpMin), stpMax);
    // with no room left, take the best point: the next test then stops with a warning
    if (nowBrackt && (next <= stmin || next >= stmax || stmax - stmin <= o.xtol * stmax)) next = stx;
    s[STP] = next;
  }
}

function acceptMT(
  res: MoreThuenteResult,
  status: MoreThuenteStatus,
  t: number,
  f: number,
  w: LineSearchWork,
  xOut: Float64Array,
  gOut: Float64Array,
): MoreThuenteResult {
  xOut.set(w.xTrial);
  gOut.set(w.gTrial);
  res.status = status;
  res.t = t;
  res.f = f;
  return res;
}
