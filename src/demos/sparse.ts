/**
 * Lecture 001's sparse features: "What happens if the feature x² is very sparse? ... ∇w² will be 0 for most
 * inputs and hence w² will not get enough updates." A logistic-regression dataset with dense features and
 * rare binary ones (each on in about 0.8% of rows, with a large true weight) is fitted by SGD, momentum,
 * Adagrad, RMSProp and Adam, each at the learning rate of a grid that gives it the lowest final training
 * loss; the rare weights' distance to their true values is tracked step by step, with each method's
 * effective per-coordinate step (|Δw_j| summed over the run / |g_j| summed over the run) on frequent and
 * rare features. Pure and browser-safe.
 */
import { Rng } from '../tensor/rng.js';
import { createOptimizer, isOptimizerName } from '../optim/index.js';
import { inputError } from '../errors.js';
import { sigmoid, softplus } from './linear-models.js';

/** The documented sparse dataset. */
export interface SparseData {
  n: number;
  /** Dense features (standard normal), then rare binary features. */
  dense: number;
  rare: number;
  /** Row-major n×(dense + rare). */
  x: Float64Array;
  /** Labels 0/1. */
  y: Float64Array;
  /** True weights (dense then rare) and bias. */
  wTrue: Float64Array;
  bTrue: number;
  /** Fraction of rows where each rare feature is on. */
  rareRate: number[];
}

/** Settings of {@link makeSparseData}: rows (default 5,000), dense and rare feature counts (default 10 each), the rare features' rate and weight, the seed. */
export interface SparseDataOptions {
  n?: number;
  dense?: number;
  rare?: number;
  /** Probability that a rare feature is on in a row (default 0.008). */
  rareProbability?: number;
  /** |true weight| of a rare feature (default 4; signs alternate). */
  rareWeight?: number;
  seed?: number;
}

/**
 * n rows (default 5,000): `dense` (default 10) features ~ N(0, 1) with true weights ~ N(0, 0.5²); `rare`
 * (default 10) binary features, each 1 with probability 0.008 independently, true weights +4, −4, +4, ...;
 * bias 0; y ~ Bernoulli(σ(w·x)).
 */
export function makeSparseData(o: SparseDataOptions = {}): SparseData {
  const n = o.n ?? 5000, dense = o.dense ?? 10, rare = o.rare ?? 10, prob = o.rareProbability ?? 0.008, big = o.rareWeight ?? 4;
  if (!(prob > 0 && prob <= 1)) throw inputError(`sparse data: expected a rare-feature probability in (0, 1], got ${prob}`);
  const rng = new Rng(o.seed ?? 0);
  const d = dense + rare;
  const wTrue = new Float64Array(d);
  for (let j = 0; j < dense; j++) wTrue[j] = rng.normal(0, 0.5);
  for (let j = 0; j < rare; j++) wTrue[dense + j] = j % 2 === 0 ? big : -big;
  const x = new Float64Array(n * d), y = new Float64Array(n);
  const on = new Array<number>(rare).fill(0);
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < dense; j++) { const v = rng.normal(); x[i * d + j] = v; z += wTrue[j] * v; }
    for (let j = 0; j < rare; j++) {
      if (rng.uniform() < prob) { x[i * d + dense + j] = 1; z += wTrue[dense + j]; on[j]++; }
    }
    y[i] = rng.uniform() < sigmoid(z) ? 1 : 0;
  }
  return { n, dense, rare, x, y, wTrue, bTrue: 0, rareRate: on.map((c) => c / n) };
}

/** Mean logistic loss on all rows at weights w (d values) and bias b. */
export function logisticLoss(data: SparseData, w: ArrayLike<number>, b: number): number {
  const d = data.dense + data.rare;
  let loss = 0;
  for (let i = 0; i < data.n; i++) {
    let z = b;
    for (let j = 0; j < d; j++) z += w[j] * data.x[i * d + j];
    loss += softplus(z) - data.y[i] * z;
  }
  return loss / data.n;
}

/**
 * The gradient of the mean logistic loss over rows order[start .. start+m) at params (d weights, then the
 * bias), written into grads; returns that loss. Allocates nothing.
 */
export function logisticBatchGrad(data: SparseData, params: Float64Array, order: ArrayLike<number>, start: number, m: number, grads: Float64Array): number {
  const d = data.dense + data.rare;
  grads.fill(0);
  let loss = 0;
  for (let q = 0; q < m; q++) {
    const r = order[start + q], xo = r * d;
    let z = params[d];
    for (let j = 0; j < d; j++) z += params[j] * data.x[xo + j];
    loss += softplus(z) - data.y[r] * z;
    const res = (sigmoid(z) - data.y[r]) / m;
    for (let j = 0; j < d; j++) grads[j] += res * data.x[xo + j];
    grads[d] += res;
  }
  return loss / m;
}

/** One contestant of the sparse race: its label, the optimizer by name and the options it runs with (lr aside). */
export interface SparseMethod {
  label: string;
  optimizer: string;
  options: Record<string, unknown>;
}

/** The race: SGD, momentum, Adagrad, RMSProp, Adam, and sparse-adam where the optimizer registry has it. */
export function sparseMethods(): SparseMethod[] {
  const m: SparseMethod[] = [
    { label: 'sgd', optimizer: 'sgd', options: {} },
    { label: 'momentum', optimizer: 'sgd', options: { momentum: 0.9 } },
    { label: 'adagrad', optimizer: 'adagrad', options: {} },
    { label: 'rmsprop', optimizer: 'rmsprop', options: {} },
    { label: 'adam', optimizer: 'adam', options: {} },
  ];
  // sparse-adam joins once the registry has it and it steps a dense flat buffer like the others
  if (isOptimizerName('sparse-adam')) {
    try {
      createOptimizer('sparse-adam', { params: new Float64Array(2), grads: new Float64Array(2) }, { lr: 0.01 }).step();
      m.push({ label: 'sparse-adam', optimizer: 'sparse-adam', options: {} });
    } catch {
      // a sparse-gradient-only API: not raced here
    }
  }
  return m;
}

/** One {@link sparseRun}: the method at one lr, its error and loss curves, the steps taken on frequent and rare weights, and whether it diverged. */
export interface SparseRun {
  label: string;
  optimizer: string;
  options: Record<string, unknown>;
  lr: number;
  /** Steps at which the curves were recorded. */
  steps: number[];
  /** RMS of (w_rare − w*_rare) at those steps. */
  rareError: number[];
  /** RMS of (w_dense − w*_dense). */
  denseError: number[];
  /** Mean training loss on all rows. */
  loss: number[];
  /** Mean |Δw_j| per step over each window, frequent (dense) and rare features. */
  frequentStep: number[];
  rareStep: number[];
  /** Σ|Δw_j| / Σ|g_j| over the run: the per-coordinate step the method actually took per unit of gradient. */
  effectiveLrFrequent: number;
  effectiveLrRare: number;
  finalLoss: number;
  diverged: boolean;
}

/** Settings of a sparse run: minibatch steps (default 3,000), batch size (default 10), points recorded, and the seed. */
export interface SparseRaceOptions {
  steps?: number;
  batch?: number;
  /** Points recorded along each run (default 50). */
  points?: number;
  seed?: number;
}

/** One method at one lr: minibatches from a fresh permutation each epoch (rng seeded by `seed`). */
export function sparseRun(data: SparseData, method: SparseMethod, lr: number, o: SparseRaceOptions = {}): SparseRun {
  const steps = o.steps ?? 3000, batch = o.batch ?? 10, points = o.points ?? 50, seed = o.seed ?? 0;
  const d = data.dense + data.rare, np = d + 1;
  const params = new Float64Array(np), grads = new Float64Array(np), before = new Float64Array(np);
  const opt = createOptimizer(method.optimizer, { params, grads }, { ...method.options, lr });
  const rng = new Rng(seed);
  const order = new Int32Array(data.n);
  let pos = data.n;
  const every = Math.max(1, Math.floor(steps / points));
  const run: SparseRun = {
    label: method.label, optimizer: method.optimizer, options: method.options, lr, steps: [], rareError: [], denseError: [], loss: [],
    frequentStep: [], rareStep: [], effectiveLrFrequent: 0, effectiveLrRare: 0, finalLoss: NaN, diverged: false,
  };
  const sumMove = [0, 0], sumGrad = [0, 0];
  let winMove = [0, 0];
  const record = (t: number) => {
    let re = 0, de = 0;
    for (let j = 0; j < data.dense; j++) de += (params[j] - data.wTrue[j]) ** 2;
    for (let j = 0; j < data.rare; j++) re += (params[data.dense + j] - data.wTrue[data.dense + j]) ** 2;
    run.steps.push(t);
    run.rareError.push(Math.sqrt(re / data.rare));
    run.denseError.push(Math.sqrt(de / data.dense));
    run.loss.push(logisticLoss(data, params, params[d]));
    const span = t === 0 ? 1 : every;
    run.frequentStep.push(winMove[0] / (data.dense * span));
    run.rareStep.push(winMove[1] / (data.rare * span));
    winMove = [0, 0];
  };
  record(0);
  for (let t = 1; t <= steps; t++) {
    if (pos + batch > data.n) {
      for (let i = 0; i < data.n; i++) order[i] = i;
      rng.shuffle(order);
      pos = 0;
    }
    logisticBatchGrad(data, params, order, pos, batch, grads);
    pos += batch;
    before.set(params);
    opt.step();
    for (let j = 0; j < d; j++) {
      const g = j < data.dense ? 0 : 1;
      const move = Math.abs(params[j] - before[j]);
      sumMove[g] += move;
      winMove[g] += move;
      sumGrad[g] += Math.abs(grads[j]);
    }
    if (!Number.isFinite(params[0]) || !params.every(Number.isFinite)) { run.diverged = true; break; }
    if (t % every === 0 || t === steps) record(t);
  }
  run.effectiveLrFrequent = sumMove[0] / sumGrad[0];
  run.effectiveLrRare = sumMove[1] / sumGrad[1];
  run.finalLoss = run.diverged ? Infinity : run.loss[run.loss.length - 1];
  return run;
}

/** The learning-rate grid every method is tried at. */
export const SPARSE_LR_GRID = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];

/** What {@link sparseRace} measured: the data, every method at its best lr, and every (method, lr) of {@link SPARSE_LR_GRID}. */
export interface SparseRace {
  data: SparseData;
  /** Each method at its best lr (lowest final training loss). */
  best: SparseRun[];
  /** Final loss of every (method, lr) of the grid. */
  grid: { label: string; lr: number; finalLoss: number; finalRareError: number }[];
  steps: number;
  batch: number;
}

/** The whole race: every method at every lr of the grid, the same minibatch sequence for all. */
export function sparseRace(o: SparseRaceOptions & { data?: SparseDataOptions; lrs?: number[] } = {}): SparseRace {
  const seed = o.seed ?? 0;
  const data = makeSparseData({ ...o.data, seed: o.data?.seed ?? seed });
  const lrs = o.lrs ?? SPARSE_LR_GRID;
  const best: SparseRun[] = [];
  const grid: SparseRace['grid'] = [];
  for (const m of sparseMethods()) {
    let pick: SparseRun | null = null;
    for (const lr of lrs) {
      const r = sparseRun(data, m, lr, { ...o, seed: seed + 1 });
      grid.push({ label: m.label, lr, finalLoss: r.finalLoss, finalRareError: r.diverged ? Infinity : r.rareError[r.rareError.length - 1] });
      if (!pick || r.finalLoss < pick.finalLoss) pick = r;
    }
    best.push(pick as SparseRun);
  }
  return { data, best, grid, steps: o.steps ?? 3000, batch: o.batch ?? 10 };
}
