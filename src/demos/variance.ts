/**
 * Lecture 002's gradient noise: the minibatch gradient g_B (the mean of B per-example gradients drawn
 * without replacement from N) is an unbiased estimate of the full gradient g with
 *   E‖g_B − g‖² = (N − B)/(N − 1) · σ²/B,   σ² = (1/N) Σ_i ‖g_i − g‖²,
 * the finite-population form of var/B. Here it is measured for softmax regression at fixed weights by
 * drawing many minibatches per B, and set beside the formula; and batch, minibatch and single-example
 * SGD are raced at equal budgets of examples. Pure and browser-safe.
 */
import { Rng } from '../tensor/rng.js';
import { createOptimizer } from '../optim/index.js';
import { inputError } from '../errors.js';
import { iota, softmaxLossGrad, softmaxParamCount } from './linear-models.js';
import type { ClassData } from './linear-models.js';
import { fitLine, mean, sampleStd } from './stats.js';

/** Per-example residuals r_i = softmax(W x_i + b) − onehot(y_i) (n×K) at fixed params. */
export function residuals(params: Float64Array, data: ClassData): Float64Array {
  const { x, y, n, d, k } = data;
  const r = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let z = params[k * d + c];
      for (let j = 0; j < d; j++) z += params[c * d + j] * x[i * d + j];
      r[i * k + c] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(r[i * k + c] - max);
    for (let c = 0; c < k; c++) r[i * k + c] = Math.exp(r[i * k + c] - max) / sum - (c === y[i] ? 1 : 0);
  }
  return r;
}

/** One batch size B of a {@link noiseCurve}: E‖g_B − g‖² measured over the draws, its standard error, and the theory. */
export interface NoisePoint {
  batch: number;
  draws: number;
  /** Mean of ‖g_B − g‖² over the draws. */
  measured: number;
  /** Standard error of that mean (sample std / √draws). */
  stdError: number;
  /** (N − B)/(N − 1) · σ²/B. */
  theory: number;
  /** σ²/B, without the finite-population correction. */
  naive: number;
}

/** What {@link noiseCurve} measured at fixed weights: σ², ‖g‖², a point per batch size and the log-log slope (−1 in theory for B ≪ N). */
export interface NoiseCurve {
  n: number;
  /** σ² = (1/N) Σ ‖g_i − g‖². */
  sigma2: number;
  /** ‖g‖². */
  gradNorm2: number;
  points: NoisePoint[];
  /** Least-squares slope of log measured against log B over the points with B ≤ N/50. */
  slope: number;
  /** Largest B in that fit. */
  fitUpTo: number;
}

/** Minibatches drawn per B by default: 256 up to B = 32, then 8192/B (at least 24), so every B costs about the same. */
export function defaultDraws(batch: number): number {
  return Math.max(24, Math.min(256, Math.round(8192 / batch)));
}

/**
 * E‖g_B − g‖² at fixed params for each B, from draws(B) minibatches per B (each a fresh sample without
 * replacement: a partial Fisher–Yates shuffle). Per-example gradients of softmax regression are r_i ⊗ [x_i, 1],
 * so a minibatch gradient sums B outer products; zero pixels are skipped.
 */
export function noiseCurve(params: Float64Array, data: ClassData, batches: number[], draws: (batch: number) => number, rng: Rng): NoiseCurve {
  const { x, n, d, k } = data;
  if (batches.some((b) => !(Number.isInteger(b) && b >= 1 && b <= n))) throw inputError(`noise curve: batch sizes must be integers in 1..${n}`);
  const r = residuals(params, data);
  // the row's nonzero features, so a row costs K·nnz rather than K·d
  const nzStart = new Int32Array(n + 1);
  const nzIdx: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) if (x[i * d + j] !== 0) nzIdx.push(j);
    nzStart[i + 1] = nzIdx.length;
  }
  const nz = Int32Array.from(nzIdx);
  const np = softmaxParamCount(d, k);
  const g = new Float64Array(np);
  let meanSq = 0;
  for (let i = 0; i < n; i++) {
    let xx = 1, rr = 0;
    for (let t = nzStart[i]; t < nzStart[i + 1]; t++) xx += x[i * d + nz[t]] ** 2;
    for (let c = 0; c < k; c++) {
      const rc = r[i * k + c];
      rr += rc * rc;
      for (let t = nzStart[i]; t < nzStart[i + 1]; t++) g[c * d + nz[t]] += rc * x[i * d + nz[t]] / n;
      g[k * d + c] += rc / n;
    }
    meanSq += (rr * xx) / n;
  }
  let gn2 = 0;
  for (let p = 0; p < np; p++) gn2 += g[p] * g[p];
  const sigma2 = meanSq - gn2;
  const perm = iota(n);
  const acc = new Float64Array(np);
  const points: NoisePoint[] = [];
  for (const b of batches) {
    const m = draws(b);
    const errs = new Float64Array(m);
    for (let q = 0; q < m; q++) {
      acc.fill(0);
      for (let t = 0; t < b; t++) {
        const u = t + rng.int(n - t);
        const tmp = perm[t]; perm[t] = perm[u]; perm[u] = tmp;
        const i = perm[t];
        for (let c = 0; c < k; c++) {
          const rc = r[i * k + c];
          for (let s = nzStart[i]; s < nzStart[i + 1]; s++) acc[c * d + nz[s]] += rc * x[i * d + nz[s]];
          acc[k * d + c] += rc;
        }
      }
      let e = 0;
      for (let p = 0; p < np; p++) e += (acc[p] / b - g[p]) ** 2;
      errs[q] = e;
    }
    points.push({ batch: b, draws: m, measured: mean(errs), stdError: sampleStd(errs) / Math.sqrt(m), theory: ((n - b) / (n - 1)) * sigma2 / b, naive: sigma2 / b });
  }
  const fit = points.filter((p) => p.batch <= n / 50 && p.measured > 0);
  const { slope } = fitLine(fit.map((p) => Math.log(p.batch)), fit.map((p) => Math.log(p.measured)));
  return { n, sigma2, gradNorm2: gn2, points, slope, fitUpTo: Math.max(...fit.map((p) => p.batch)) };
}

/** Minibatch SGD on softmax regression from `params` in place: `steps` steps of B rows, a fresh permutation each epoch. */
export function trainSoftmax(params: Float64Array, data: ClassData, o: { lr: number; batch: number; steps: number; rng: Rng }): void {
  const grads = new Float64Array(params.length), scratch = new Float64Array(data.k);
  const opt = createOptimizer('sgd', { params, grads }, { lr: o.lr });
  const order = iota(data.n);
  let pos = data.n;
  for (let t = 0; t < o.steps; t++) {
    if (pos + o.batch > data.n) { o.rng.shuffle(order); pos = 0; }
    softmaxLossGrad(params, data, order, pos, o.batch, grads, scratch);
    opt.step();
    pos += o.batch;
  }
}

/** One method of {@link budgetRace} at its best lr: the loss against examples seen and against training seconds. */
export interface BudgetRun {
  label: string;
  batch: number;
  lr: number;
  examples: number[];
  seconds: number[];
  loss: number[];
  finalLoss: number;
}

/** Settings of {@link budgetRace}: the budget in epochs, the minibatch size, each method's lr grid, curve points, evaluation rows, seed. */
export interface BudgetOptions {
  epochs: number;
  minibatch: number;
  /** The lr grid of each method: batch, minibatch, single-example. */
  lrs: { batch: number[]; minibatch: number[]; sgd: number[] };
  points?: number;
  evalRows?: number;
  seed: number;
}

/**
 * Batch (B = N), minibatch and single-example SGD for the same number of examples, each at the lr of `lrs`
 * with the lowest final loss. The loss curve is the mean cross-entropy on `evalRows` fixed rows (all rows
 * when N is smaller), taken at about `points` evenly spaced budgets; wall time counts the training only.
 */
export function budgetRace(data: ClassData, o: BudgetOptions): BudgetRun[] {
  const budget = o.epochs * data.n, points = o.points ?? 20;
  const evalIdx = iota(Math.min(data.n, o.evalRows ?? 2000));
  const all = iota(data.n);
  const scratch = new Float64Array(data.k);
  const out: BudgetRun[] = [];
  for (const [label, batch, lrs] of [['batch (B = N)', data.n, o.lrs.batch], [`minibatch (B = ${o.minibatch})`, o.minibatch, o.lrs.minibatch], ['SGD (B = 1)', 1, o.lrs.sgd]] as [string, number, number[]][]) {
    let best: BudgetRun | null = null;
    for (const lr of lrs) {
      const params = new Float64Array(softmaxParamCount(data.d, data.k));
      const grads = new Float64Array(params.length);
      const opt = createOptimizer('sgd', { params, grads }, { lr });
      const rng = new Rng(o.seed);
      const order = iota(data.n);
      const run: BudgetRun = { label, batch, lr, examples: [0], seconds: [0], loss: [softmaxLossGrad(params, data, evalIdx, 0, evalIdx.length, null, scratch)], finalLoss: NaN };
      let pos = data.n, seen = 0, seconds = 0, next = budget / points;
      while (seen < budget) {
        const t0 = performance.now();
        if (pos + batch > data.n) { if (batch < data.n) rng.shuffle(order); pos = 0; }
        softmaxLossGrad(params, data, order, pos, batch, grads, scratch);
        opt.step();
        pos += batch;
        seen += batch;
        seconds += (performance.now() - t0) / 1000;
        if (seen >= next || seen >= budget) {
          if (batch > budget / points) {
            // a step longer than the recording interval: the loss holds until the step lands (a staircase, not a slope)
            run.examples.push(seen);
            run.seconds.push(seconds);
            run.loss.push(run.loss[run.loss.length - 1]);
          }
          run.examples.push(seen);
          run.seconds.push(seconds);
          run.loss.push(softmaxLossGrad(params, data, evalIdx, 0, evalIdx.length, null, scratch));
          while (next <= seen) next += budget / points;
        }
      }
      run.finalLoss = softmaxLossGrad(params, data, all, 0, data.n, null, scratch);
      if (!Number.isFinite(run.finalLoss)) run.finalLoss = Infinity;
      if (!best || run.finalLoss < best.finalLoss) best = run;
    }
    out.push(best as BudgetRun);
  }
  return out;
}
