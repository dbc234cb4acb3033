/**
 * torch.optim.LBFGS (PyTorch 1.13) over one flat parameter buffer: `step(closure)` runs up to `maxIter`
 * L-BFGS iterations, and the curvature memory, direction and step length carry over to the next call, as
 * torch keeps them in the optimizer state. Unlike the SciPy-style `lbfgs` of minimize.ts this is torch's
 * algorithm to the letter: the first direction −∇f with step min(1, 1/‖∇f‖₁)·lr (only on the very first
 * iteration of the optimizer's life), pairs kept when yᵀs > 1e-10, H₀ = (yᵀs / yᵀy)·I of the newest kept
 * pair, a fixed step `lr` or torch's own strong-Wolfe search (c1 1e-4, c2 0.9, at most maxEval less the evaluations made so far, as torch 2.x, its cubic
 * interpolation and zoom), and its stopping tests per step (toleranceGrad on max|∇f|, toleranceChange on
 * the step, on the loss change and on the directional derivative, maxEval evaluations).
 *
 * Rounding follows torch's CPU kernels: `add_(v, alpha=a)` is a fused multiply-add (fusedMultiplyAdd in
 * float64); a float64 dot product is accumulated with fused multiply-adds in index order (OpenBLAS's ddot
 * on short vectors, measured bit for bit up to n = 13). In float32 every vector operation rounds to float32
 * as torch's float32 tensors do, scalars that torch holds as float32 tensors (yᵀs, ρ, H₀, the two-loop
 * coefficients, gᵀd) are rounded to float32, and a dot product is summed in float64 and rounded once
 * (torch's sdot has its own SIMD order, which no fixed order matches; the float64 sum is the closest).
 * Buffers, the history ring included, are allocated when the optimizer is built, never per step, and scalars
 * pass between the step's methods through fields, never as arguments or results V8 would box: once optimized,
 * a step allocates nothing (test/search/lbfgs-torch-no-allocation.test.ts).
 */
import { inputError } from '../errors.js';
import { fusedMultiplyAdd } from '../optim/fused-multiply-add.js';

type FloatArray = Float32Array | Float64Array;

/**
 * torch.optim.LBFGS's `line_search_fn`: `'strong_wolfe'` (torch's cubic-interpolating strong Wolfe search) or
 * null (a fixed step lr, torch's default).
 */
export type LbfgsTorchLineSearch = 'strong_wolfe' | null;

/**
 * torch.optim.LBFGS's arguments in camelCase: `lr` the step scale, `maxIter` iterations per `step()`,
 * `maxEval` closure calls per `step()`, `toleranceGrad` (stop when max |g| ≤ it), `toleranceChange` (stop when
 * a step or the change in f is below it), `historySize` the (s, y) pairs kept, `lineSearchFn`.
 * Defaults: {@link lbfgsTorchDefaults}.
 */
export interface LbfgsTorchOptions {
  /** The step scale (torch's lr, default 1); the first iteration steps lr·min(1, 1/‖g‖₁), as torch does. */
  lr: number;
  /** Iterations per `step()` (default 20). */
  maxIter: number;
  /** Evaluations per step; default ⌊maxIter·5/4⌋ as torch computes it. */
  maxEval: number;
  /** Stop when max |g_i| ≤ toleranceGrad (default 1e-7). */
  toleranceGrad: number;
  /** Stop when a step's largest component or the change in f is ≤ toleranceChange (default 1e-9). */
  toleranceChange: number;
  /** Curvature pairs (s, y) kept (default 100). */
  historySize: number;
  /** The line search, or null for fixed steps (default null). */
  lineSearchFn: LbfgsTorchLineSearch;
}

/** torch 2.13's defaults, as 1.13's (maxEval follows maxIter unless given). */
export const lbfgsTorchDefaults: Readonly<Omit<LbfgsTorchOptions, 'maxEval'>> = {
  lr: 1, maxIter: 20, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null,
};

/** The option names, for error messages and the CLI. */
export const lbfgsTorchOptionNames = ['lr', 'maxIter', 'maxEval', 'toleranceGrad', 'toleranceChange', 'historySize', 'lineSearchFn'] as const;

/** Checks given options (camelCase; lineSearchFn null, 'none' or 'strong_wolfe') and fills in torch's defaults. */
export function resolveLbfgsTorchOptions(given: Record<string, unknown> = {}): LbfgsTorchOptions {
  for (const k of Object.keys(given)) {
    if (!(lbfgsTorchOptionNames as readonly string[]).includes(k)) throw inputError(`lbfgs-torch: unknown option '${k}'; expected one of: ${lbfgsTorchOptionNames.join(', ')}`);
  }
  const num = (key: string, fallback: number, ok: (x: number) => boolean, what: string): number => {
    const v = given[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !ok(v)) throw inputError(`${key}: expected ${what}, got ${JSON.stringify(v)}`);
    return v;
  };
  const lr = num('lr', lbfgsTorchDefaults.lr, (x) => Number.isFinite(x) && x > 0, 'a number > 0');
  const maxIter = num('maxIter', lbfgsTorchDefaults.maxIter, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
  const maxEval = given.maxEval === null ? Math.floor((maxIter * 5) / 4) : num('maxEval', Math.floor((maxIter * 5) / 4), (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
  const toleranceGrad = num('toleranceGrad', lbfgsTorchDefaults.toleranceGrad, (x) => Number.isFinite(x) && x >= 0, 'a number >= 0');
  const toleranceChange = num('toleranceChange', lbfgsTorchDefaults.toleranceChange, (x) => Number.isFinite(x) && x >= 0, 'a number >= 0');
  const historySize = num('historySize', lbfgsTorchDefaults.historySize, (x) => Number.isInteger(x) && x >= 1 && x <= 100000, 'an integer in [1, 100000]');
  const ls = given.lineSearchFn;
  // the text 'null' is JSON's null after a spec has been flattened to key=value form (compare --spec)
  if (ls !== undefined && ls !== null && ls !== 'none' && ls !== 'null' && ls !== 'strong_wolfe') {
    throw inputError(`lineSearchFn: expected strong_wolfe or none, got ${JSON.stringify(ls)}`);
  }
  return { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn: ls === 'strong_wolfe' ? 'strong_wolfe' : null };
}

/** Everything `step` carries between calls, as torch's `state_dict()['state']` holds it (history oldest first). */
export interface LbfgsTorchStateDict {
  name: 'lbfgs-torch';
  options: LbfgsTorchOptions;
  /** Total closure calls and iterations over the optimizer's life (torch's func_evals, n_iter). */
  funcEvals: number;
  nIter: number;
  /** Absent before the first iteration. */
  d?: number[];
  t?: number;
  hDiag?: number;
  prevFlatGrad?: number[];
  prevLoss?: number;
  /** old_dirs (y), old_stps (s) and ro, oldest first. */
  oldDirs?: number[][];
  oldStps?: number[][];
  ro?: number[];
}

const C1 = 1e-4, C2 = 0.9, LS_TOLERANCE_CHANGE = 1e-9; // torch's _strong_wolfe defaults (LBFGS passes none of them)

/**
 * torch's `_cubic_interpolate`: the minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped
 * to the bounds (default: the interval between the points); the middle of the bounds when the cubic has none.
 */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, lo?: number, hi?: number): number {
  const p = cubicScratch;
  p[0] = x1; p[1] = f1; p[2] = g1; p[3] = x2; p[4] = f2; p[5] = g2;
  const bounded = lo !== undefined && hi !== undefined;
  if (bounded) { p[6] = lo; p[7] = hi; }
  cubicMinimizer(p, bounded);
  return p[8];
}
const cubicScratch = new Float64Array(9);

/**
 * cubicInterpolate on p = [x1, f1, g1, x2, f2, g2, lo, hi], the result left in p[8]: the step's form,
 * which passes no double to or from a call (V8 boxes those where it does not inline the call).
 */
function cubicMinimizer(p: Float64Array, bounded: boolean): void {
  const x1 = p[0], f1 = p[1], g1 = p[2], x2 = p[3], f2 = p[4], g2 = p[5];
  const xmin = bounded ? p[6] : x1 <= x2 ? x1 : x2, xmax = bounded ? p[7] : x1 <= x2 ? x2 : x1;
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    // Python's min(max(p, lo), hi): a NaN p compares false and so stays p, as torch keeps it
    const m = minPos < xmin ? xmin : minPos;
    p[8] = xmax < m ? xmax : m;
  } else p[8] = (xmin + xmax) / 2;
}

/**
 * `new LbfgsTorch(params, grads, options)`; `step(closure)` where `closure()` evaluates f at the current
 * `params`, writes ∂f/∂params into `grads`, and returns f. Returns the first f of the step (torch's
 * `orig_loss`), the loss before the update.
 *
 * @example
 * const x = Float64Array.of(-1.5, 2), g = new Float64Array(2);
 * const opt = new LbfgsTorch(x, g, { lineSearchFn: 'strong_wolfe' });
 * for (let k = 0; k < 5; k++) opt.step(() => rosenbrock.valueAndGrad(x, g));
 */
export class LbfgsTorch {
  readonly params: FloatArray;
  readonly grads: FloatArray;
  options: LbfgsTorchOptions;
  /** Closure calls and iterations so far, over every step (torch's state func_evals, n_iter). */
  funcEvals = 0;
  nIter = 0;

  private readonly n: number;
  private readonly f32: boolean;
  private readonly flatGrad: FloatArray;
  private readonly d: FloatArray;
  private readonly prevFlatGrad: FloatArray;
  private hasPrev = false;
  private t = 0;
  private hDiag = 1;
  private prevLoss = 0;
  // the history ring: logical pair i (0 oldest) lives at (start + i) % capacity
  private readonly ys: FloatArray[];
  private readonly ss: FloatArray[];
  private readonly ro: Float64Array;
  private readonly al: Float64Array;
  private start = 0;
  private count = 0;
  private yNew: FloatArray;
  private sNew: FloatArray;
  // line-search buffers: the start point, the initial gradient, the previous and two bracket gradients
  private readonly xInit: FloatArray;
  private readonly g0: FloatArray;
  private readonly gPrev: FloatArray;
  private readonly bracketG: [FloatArray, FloatArray];
  // the bracket's steps, values and slopes (index 0 and 1), and the search's result: kept here, so a step allocates nothing
  private readonly bt = new Float64Array(2);
  private readonly bf = new Float64Array(2);
  private readonly bgtd = new Float64Array(2);
  private readonly cubic = new Float64Array(9); // cubicMinimizer's arguments and result
  private lsT = 0;
  private lsF = 0;
  private lsGtd = 0;
  /** The evaluations the strong-Wolfe search may make: torch 2.x passes max_ls = maxEval − evaluations so far. */
  private maxLs = 25;
  private lsEvals = 0;
  // Scalars cross the calls of a step through these fields, never as arguments or return values: V8
  // boxes a double (a 16-byte heap number) passed to or returned from a call it does not inline, whereas
  // a store into a number field overwrites the field's own box.
  /** The scalar result of dot and maxAbs; axpy's coefficient; f of the last closure call; the step's first f. */
  private out = 0;
  private alpha = 0;
  private fEval = 0;
  private origLoss = 0;

  constructor(params: FloatArray, grads: FloatArray, options: Record<string, unknown> = {}) {
    if (params.length !== grads.length) throw inputError(`lbfgs-torch: params has ${params.length} values but grads has ${grads.length}`);
    if ((params instanceof Float32Array) !== (grads instanceof Float32Array)) throw inputError('lbfgs-torch: params and grads must share one precision');
    this.params = params;
    this.grads = grads;
    this.options = resolveLbfgsTorchOptions(options);
    const n = (this.n = params.length);
    this.f32 = params instanceof Float32Array;
    const make = (): FloatArray => (this.f32 ? new Float32Array(n) : new Float64Array(n));
    this.flatGrad = make();
    this.d = make();
    this.prevFlatGrad = make();
    const h = this.options.historySize;
    this.ys = Array.from({ length: h }, make);
    this.ss = Array.from({ length: h }, make);
    this.ro = new Float64Array(h);
    this.al = new Float64Array(h);
    this.yNew = make();
    this.sNew = make();
    this.xInit = make();
    this.g0 = make();
    this.gPrev = make();
    this.bracketG = [make(), make()];
  }

  /** A scalar as torch holds it: a float32 0-d tensor in float32 runs. */
  private r(x: number): number {
    return this.f32 ? Math.fround(x) : x;
  }

  /**
   * out ← a·b, torch's dot. float64: torch 2.13's MKL ddot as measured (test/fixtures/tools/torch_optim.py
   * docs): two partial sums, even and odd indices, without fused multiply-adds, added at the end (exact for
   * every n ≤ 8 on 500 random draws each; torch 1.13's was a chain of fma in index order). float32: summed
   * in float64, rounded once.
   */
  private dot(a: FloatArray, b: FloatArray): void {
    const n = this.n;
    let s = 0;
    if (this.f32) {
      for (let i = 0; i < n; i++) s += a[i] * b[i];
      this.out = Math.fround(s);
      return;
    }
    let s1 = 0;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      s += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
    }
    if (i < n) s += a[i] * b[i];
    this.out = s + s1;
  }

  /** v ← v + alpha·u, torch's `v.add_(u, alpha=alpha)` (fused in float64; alpha rounded to float32 in float32). */
  private axpy(v: FloatArray, u: FloatArray): void {
    const n = this.n, a = this.alpha;
    if (this.f32) {
      const af = Math.fround(a);
      for (let i = 0; i < n; i++) v[i] = v[i] + af * u[i];
    } else for (let i = 0; i < n; i++) v[i] = fusedMultiplyAdd(u[i], a, v[i]);
  }

  /** out ← max|v| (times the step t where `byStep`, each product rounded as torch's tensor is). */
  private maxAbs(v: FloatArray, byStep: boolean): void {
    let m = 0;
    const s = this.r(byStep ? this.t : 1);
    for (let i = 0; i < this.n; i++) {
      const a = Math.abs(this.r(v[i] * s));
      if (a > m || a !== a) m = a; // NaN propagates as torch's max does
    }
    this.out = m;
  }

  /**
   * Calls the closure, leaves f in `fEval` and copies the gradient into `into`. Kept this short (under V8's
   * 27 bytecode bytes for "small" functions) so that V8 inlines it wherever it is called, whatever else the
   * caller inlines; a closure as short is inlined into it in turn, and its f then never becomes a heap number.
   */
  private evaluate(closure: () => number, into: FloatArray): void {
    this.fEval = closure();
    into.set(this.grads);
  }

  /** f (into `fEval`) and ∇f at xInit + alpha·d, params restored to xInit afterwards (torch's `_directional_evaluate`). */
  private directional(closure: () => number, into: FloatArray): void {
    this.axpy(this.params, this.d);
    this.evaluate(closure, into);
    this.params.set(this.xInit);
  }

  /**
   * One `optimizer.step(closure)`. Returns the loss at the start of the step. Small enough for V8 to
   * inline into the caller's loop, so that the returned double is not boxed (the work is in `iterate`).
   */
  step(closure: () => number): number {
    this.iterate(closure);
    return this.origLoss;
  }

  private iterate(closure: () => number): void {
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn } = this.options;
    const { n, d, flatGrad, prevFlatGrad } = this;
    this.evaluate(closure, flatGrad);
    this.origLoss = this.fEval;
    let loss = this.fEval;
    let currentEvals = 1;
    this.funcEvals++;
    this.maxAbs(flatGrad, false);
    if (this.out <= toleranceGrad) return;

    let iter = 0;
    while (iter < maxIter) {
      iter++;
      this.nIter++;
      if (this.nIter === 1) {
        for (let i = 0; i < n; i++) d[i] = -flatGrad[i];
        this.count = 0;
        this.start = 0;
        this.hDiag = 1;
      } else {
        const y = this.yNew, s = this.sNew;
        for (let i = 0; i < n; i++) y[i] = flatGrad[i] - prevFlatGrad[i];
        const tr = this.r(this.t);
        for (let i = 0; i < n; i++) s[i] = d[i] * tr;
        this.dot(y, s);
        const ys = this.out;
        if (ys > 1e-10) {
          // the new pair takes the ring slot after the newest (the oldest's, once full)
          if (this.count === historySize) this.start = (this.start + 1) % historySize;
          else this.count++;
          const slot = (this.start + this.count - 1) % historySize;
          // the pair's buffers change places with the slot's old ones (no copy, no allocation)
          this.yNew = this.ys[slot];
          this.ys[slot] = y;
          this.sNew = this.ss[slot];
          this.ss[slot] = s;
          this.ro[slot] = this.r(1 / ys);
          this.dot(y, y);
          this.hDiag = this.r(ys / this.out);
        }
        // two-loop recursion, torch's order and roundings: q = −g, then r = H₀q, written into d
        for (let i = 0; i < n; i++) d[i] = -flatGrad[i];
        for (let k = this.count - 1; k >= 0; k--) {
          const j = (this.start + k) % historySize;
          this.dot(this.ss[j], d);
          const a = this.r(this.out * this.ro[j]);
          this.al[k] = a;
          this.alpha = -a;
          this.axpy(d, this.ys[j]);
        }
        const h = this.hDiag;
        for (let i = 0; i < n; i++) d[i] = d[i] * h;
        for (let k = 0; k < this.count; k++) {
          const j = (this.start + k) % historySize;
          this.dot(this.ys[j], d);
          const be = this.r(this.out * this.ro[j]);
          this.alpha = this.r(this.al[k] - be);
          this.axpy(d, this.ss[j]);
        }
      }
      prevFlatGrad.set(flatGrad);
      this.hasPrev = true;
      this.prevLoss = loss;

      if (this.nIter === 1) {
        let l1 = 0;
        for (let i = 0; i < n; i++) l1 += Math.abs(flatGrad[i]);
        const inv = this.r(1 / this.r(l1));
        this.t = inv < 1 ? this.r(inv * lr) : lr;
      } else this.t = lr;

      this.dot(flatGrad, d);
      const gtd = this.out;
      if (gtd > -toleranceChange) break;

      let lsEvals = 0;
      let optCond = false;
      if (lineSearchFn === 'strong_wolfe') {
        this.xInit.set(this.params);
        this.lsF = loss;
        this.lsGtd = gtd;
        // torch 2.x caps the search by what is left of maxEval (1.13: always 25 evaluations)
        this.maxLs = maxEval - currentEvals;
        this.strongWolfe(closure);
        loss = this.lsF;
        this.t = this.lsT;
        lsEvals = this.lsEvals;
        this.alpha = this.t;
        this.axpy(this.params, d);
        this.maxAbs(flatGrad, false);
        optCond = this.out <= toleranceGrad;
      } else {
        this.alpha = this.t;
        this.axpy(this.params, d);
        if (iter !== maxIter) {
          // torch skips the evaluation after the last iteration (the next step makes its own)
          this.evaluate(closure, flatGrad);
          loss = this.fEval;
          this.maxAbs(flatGrad, false);
          optCond = this.out <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      this.funcEvals += lsEvals;

      if (iter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      this.maxAbs(d, true);
      if (this.out <= toleranceChange) break;
      if (Math.abs(loss - this.prevLoss) < toleranceChange) break;
    }
  }

  /**
   * torch's `_strong_wolfe` from `xInit` along `d`, from the step `t`, with f `lsF` and slope `lsGtd` at
   * xInit: bracketing with cubic extrapolation, then the zoom. Leaves the accepted point's gradient in
   * `flatGrad`, its step in `lsT`, its f in `lsF` and the evaluations made in `lsEvals`.
   */
  private strongWolfe(closure: () => number): void {
    const { d, flatGrad, g0, gPrev, bracketG, bt, bf, bgtd, cubic } = this;
    const f = this.lsF, gtd = this.lsGtd, maxLs = this.maxLs;
    const gNew = this.yNew; // free between iterations: scratch for the trial gradients
    this.maxAbs(d, false);
    const dNorm = this.out;
    // torch's f_new > f + c1·t·gtd (float32 tensor arithmetic in float32 runs): the sufficient decrease fails
    const rf = this.r(f), curvatureBound = this.r(-C2 * gtd);
    g0.set(flatGrad);
    let t = this.t;
    this.alpha = t;
    this.directional(closure, gNew);
    let fNew = this.fEval;
    let evals = 1;
    this.dot(gNew, d);
    let gtdNew = this.out;
    let tPrev = 0, fPrev = f, gtdPrev = gtd;
    gPrev.set(g0);
    let done = false;
    let lsIter = 0;
    while (lsIter < maxLs) {
      if (this.r(fNew) > this.r(rf + this.r(this.r(C1 * t) * gtd)) || (lsIter > 1 && fNew >= fPrev)) {
        bt[0] = tPrev; bt[1] = t; bf[0] = fPrev; bf[1] = fNew; bgtd[0] = gtdPrev; bgtd[1] = gtdNew;
        bracketG[0].set(gPrev); bracketG[1].set(gNew);
        break;
      }
      if (Math.abs(gtdNew) <= curvatureBound) {
        bt[0] = bt[1] = t; bf[0] = bf[1] = fNew;
        bracketG[0].set(gNew);
        done = true;
        break;
      }
      if (gtdNew >= 0) {
        bt[0] = tPrev; bt[1] = t; bf[0] = fPrev; bf[1] = fNew; bgtd[0] = gtdPrev; bgtd[1] = gtdNew;
        bracketG[0].set(gPrev); bracketG[1].set(gNew);
        break;
      }
      // extrapolate: the cubic's minimizer within [t + 0.01·(t − tPrev), 10·t]
      cubic[0] = tPrev; cubic[1] = fPrev; cubic[2] = gtdPrev; cubic[3] = t; cubic[4] = fNew; cubic[5] = gtdNew;
      cubic[6] = t + 0.01 * (t - tPrev); cubic[7] = t * 10;
      cubicMinimizer(cubic, true);
      tPrev = t; fPrev = fNew; gtdPrev = gtdNew;
      t = this.r(cubic[8]);
      gPrev.set(gNew);
      this.alpha = t;
      this.directional(closure, gNew);
      fNew = this.fEval;
      evals++;
      this.dot(gNew, d);
      gtdNew = this.out;
      lsIter++;
    }
    if (lsIter === maxLs) {
      bt[0] = 0; bt[1] = t; bf[0] = f; bf[1] = fNew;
      bracketG[0].set(g0); bracketG[1].set(gNew);
    }

    let insufProgress = false;
    let low = bf[0] <= bf[1] ? 0 : 1, high = 1 - low;
    while (!done && lsIter < maxLs) {
      if (Math.abs(bt[1] - bt[0]) * dNorm < LS_TOLERANCE_CHANGE) break;
      cubic[0] = bt[0]; cubic[1] = bf[0]; cubic[2] = bgtd[0]; cubic[3] = bt[1]; cubic[4] = bf[1]; cubic[5] = bgtd[1];
      cubicMinimizer(cubic, false);
      t = this.r(cubic[8]);
      const bmax = bt[0] > bt[1] ? bt[0] : bt[1], bmin = bt[0] < bt[1] ? bt[0] : bt[1];
      const eps = 0.1 * (bmax - bmin);
      if (Math.min(bmax - t, t - bmin) < eps) {
        if (insufProgress || t >= bmax || t <= bmin) {
          t = Math.abs(t - bmax) < Math.abs(t - bmin) ? bmax - eps : bmin + eps;
          insufProgress = false;
        } else insufProgress = true;
      } else insufProgress = false;

      this.alpha = t;
      this.directional(closure, gNew);
      fNew = this.fEval;
      evals++;
      this.dot(gNew, d);
      gtdNew = this.out;
      lsIter++;

      if (this.r(fNew) > this.r(rf + this.r(this.r(C1 * t) * gtd)) || fNew >= bf[low]) {
        bt[high] = t; bf[high] = fNew; bgtd[high] = gtdNew;
        bracketG[high].set(gNew);
        low = bf[0] <= bf[1] ? 0 : 1;
        high = 1 - low;
      } else {
        if (Math.abs(gtdNew) <= curvatureBound) done = true;
        else if (gtdNew * (bt[high] - bt[low]) >= 0) {
          bt[high] = bt[low]; bf[high] = bf[low]; bgtd[high] = bgtd[low];
          bracketG[high].set(bracketG[low]);
        }
        bt[low] = t; bf[low] = fNew; bgtd[low] = gtdNew;
        bracketG[low].set(gNew);
      }
    }
    flatGrad.set(bracketG[low]);
    this.lsT = bt[low];
    this.lsF = bf[low];
    this.lsEvals = evals;
  }

  /** A deep copy of the options and the state; `loadStateDict` of it continues the identical trajectory. */
  stateDict(): LbfgsTorchStateDict {
    const sd: LbfgsTorchStateDict = { name: 'lbfgs-torch', options: { ...this.options }, funcEvals: this.funcEvals, nIter: this.nIter };
    if (this.nIter === 0) return sd;
    const order = Array.from({ length: this.count }, (_v, k) => (this.start + k) % this.options.historySize);
    return {
      ...sd,
      d: Array.from(this.d), t: this.t, hDiag: this.hDiag,
      ...(this.hasPrev ? { prevFlatGrad: Array.from(this.prevFlatGrad), prevLoss: this.prevLoss } : {}),
      oldDirs: order.map((j) => Array.from(this.ys[j])),
      oldStps: order.map((j) => Array.from(this.ss[j])),
      ro: order.map((j) => this.ro[j]),
    };
  }

  /** Restores a `stateDict()` (options included) into this optimizer's buffers; checks sizes. */
  loadStateDict(sd: LbfgsTorchStateDict): void {
    if (sd.name !== 'lbfgs-torch') throw inputError(`optimizer state: saved for '${String(sd.name)}', loading into 'lbfgs-torch'`);
    const options = resolveLbfgsTorchOptions({ ...sd.options });
    if (options.historySize !== this.options.historySize) throw inputError(`optimizer state: historySize ${options.historySize}, this optimizer has ${this.options.historySize}`);
    const n = this.n;
    const vec = (v: number[] | undefined, what: string) => {
      if (!Array.isArray(v) || v.length !== n) throw inputError(`optimizer state: '${what}' expected ${n} values`);
      return v;
    };
    const pairs = sd.oldDirs?.length ?? 0;
    if (pairs > options.historySize || (sd.oldStps?.length ?? 0) !== pairs || (sd.ro?.length ?? 0) !== pairs) throw inputError('optimizer state: oldDirs, oldStps and ro must hold the same number of pairs, at most historySize');
    if (sd.nIter > 0) {
      this.d.set(vec(sd.d, 'd'));
      for (let k = 0; k < pairs; k++) {
        this.ys[k].set(vec(sd.oldDirs![k], 'oldDirs'));
        this.ss[k].set(vec(sd.oldStps![k], 'oldStps'));
        this.ro[k] = sd.ro![k];
      }
      this.t = sd.t ?? 0;
      this.hDiag = sd.hDiag ?? 1;
      this.hasPrev = sd.prevFlatGrad !== undefined;
      if (this.hasPrev) this.prevFlatGrad.set(vec(sd.prevFlatGrad, 'prevFlatGrad'));
      this.prevLoss = sd.prevLoss ?? 0;
    }
    this.start = 0;
    this.count = pairs;
    this.options = options;
    this.funcEvals = sd.funcEvals;
    this.nIter = sd.nIter;
  }
}
