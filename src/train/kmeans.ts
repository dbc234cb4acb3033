/**
 * K-means three ways, as the lectures compare them:
 *  - `batch`: Lloyd's algorithm. Assign every example to its nearest center, then move each center to
 *    the mean of its examples. The objective never increases (each half-step minimizes it in one block).
 *  - `online`: MacQueen (1967), stochastic gradient descent on the objective one example at a time:
 *    c ← c + (x − c)/n_c with n_c the number of examples center c has absorbed, counting its seed as one.
 *    With that step each center is exactly the running mean of what it absorbed.
 *  - `minibatch`: Sculley (2010), "Web-scale k-means clustering": per batch, cache the nearest center of
 *    every example (against the centers at the start of the batch), then for each example v[c] += 1,
 *    η = 1/v[c], c ← (1 − η)c + ηx. Counts start at 0 as in the paper's Algorithm 1.
 *
 * The objective reported is the mean squared distance of the examples to their nearest center,
 * J = (1/n) Σ_i min_j ‖x_i − c_j‖², which is scikit-learn's inertia divided by n.
 *
 * Data is row-major n×d in a flat typed array. Pure: no Node-only APIs; time comes from
 * `performance.now()` (or `options.now`), and the time spent evaluating J for the history is excluded.
 */
import { inputError } from '../errors.js';
import { Rng } from '../tensor/rng.js';

/** The k-means algorithm: Lloyd's `batch` (sklearn's KMeans), MacQueen's `online`, Sculley's `minibatch` (sklearn's MiniBatchKMeans). */
export type KMeansMethod = 'batch' | 'online' | 'minibatch';
/** Every {@link KMeansMethod}, in the order `descent kmeans --method` lists them. */
export const kmeansMethods: readonly KMeansMethod[] = ['batch', 'online', 'minibatch'];

/** One point of the objective history. */
export interface KMeansHistoryPoint {
  /** Lloyd iterations (batch), examples (online) or minibatches (minibatch) done so far. */
  step: number;
  /** Examples the algorithm has looked at so far (n per Lloyd iteration, 1 per online update, batchSize per minibatch). */
  examplesSeen: number;
  /** Milliseconds of algorithm time since the start (initialization included, objective evaluation excluded). */
  timeMs: number;
  /** J = mean squared distance to the nearest center, over all n examples. */
  objective: number;
}

export interface KMeansProgress extends KMeansHistoryPoint {
  method: KMeansMethod;
}

/** Options of {@link kmeans}: the number of clusters, the algorithm and its budget, the initialization and the seed. */
export interface KMeansOptions {
  /** Clusters (k ≥ 1, at most the number of examples). */
  k: number;
  /** Default 'batch'. */
  method?: KMeansMethod;
  /** Minibatch size (minibatch only), default 100 (capped at n). */
  batchSize?: number;
  /** batch: maximum Lloyd iterations (default 100; it stops earlier when no assignment changes). */
  iterations?: number;
  /** online / minibatch: passes over the data (default 10). Each pass is a fresh seeded permutation. */
  epochs?: number;
  /** 'kmeans++' (default, Arthur & Vassilvitskii 2007), 'random' (k distinct examples), or explicit k×d centers. */
  init?: 'random' | 'kmeans++' | ArrayLike<number>;
  seed?: number;
  /** online / minibatch: record J every this many examples seen (default: about 20 points per epoch). */
  evalEvery?: number;
  /** Called at each point of the objective history, as it is recorded. */
  onProgress?: (p: KMeansProgress) => void;
  /** Clock in milliseconds; default performance.now. */
  now?: () => number;
}

/** What {@link kmeans} returns: the centers, each example's cluster, the final objective J and its history. */
export interface KMeansResult {
  method: KMeansMethod;
  k: number;
  d: number;
  /** k×d, row-major. */
  centers: Float64Array;
  /** Nearest center of each example under the final centers. */
  assignments: Int32Array;
  /** Final J. */
  objective: number;
  history: KMeansHistoryPoint[];
  /** Examples in each cluster under the final assignments. */
  clusterSizes: Int32Array;
  examplesSeen: number;
  timeMs: number;
  /** batch only: whether Lloyd stopped because no assignment changed. */
  converged: boolean;
}

/** Bytes a k-means run costs beyond its centers and assignments (history points, cluster sizes, objects): measured, rounded up. */
export const KMEANS_RUN_OVERHEAD = 16 * 1024;

/**
 * Bytes k-means holds beyond the data for `runs` runs on n×d data: each run's float64 k×d centers and int32
 * assignments (kept for the report), and one run's working arrays (float64 distances per row, int32
 * assignments, float64 center sums).
 */
export function kmeansMemoryBytes(n: number, d: number, k: number, runs: number): number {
  // + KMEANS_RUN_OVERHEAD per run: its history, cluster sizes and objects, measured (100,000 seeds × 2
  // methods of iris, k 3, took 2.9 GB: about 14 KB a run where the arrays alone are 0.7 KB)
  return runs * (8 * k * d + 4 * n + KMEANS_RUN_OVERHEAD) + (8 + 4) * n + 2 * 8 * k * d;
}

type Data = ArrayLike<number>;

/** Squared Euclidean distance between row i of x and row j of c (both with d columns). */
function dist2(x: Data, i: number, c: Float64Array, j: number, d: number): number {
  let s = 0;
  const xo = i * d, co = j * d;
  for (let t = 0; t < d; t++) {
    const diff = x[xo + t] - c[co + t];
    s += diff * diff;
  }
  return s;
}

/** Index of the nearest center to row i (ties go to the lower index, as in scikit-learn). */
export function nearestCenter(x: Data, i: number, centers: Float64Array, k: number, d: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let j = 0; j < k; j++) {
    const dj = dist2(x, i, centers, j, d);
    if (dj < bestD) { bestD = dj; best = j; }
  }
  return best;
}

/**
 * J(C) = (1/n) Σ_i min_j ‖x_i − c_j‖², optionally writing each example's nearest center into `assign`.
 */
export function kmeansObjective(x: Data, n: number, d: number, centers: Float64Array, k: number, assign?: Int32Array): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestD = Infinity;
    for (let j = 0; j < k; j++) {
      const dj = dist2(x, i, centers, j, d);
      if (dj < bestD) { bestD = dj; best = j; }
    }
    if (assign) assign[i] = best;
    total += bestD;
  }
  return total / n;
}

/**
 * k-means++ seeding (Arthur & Vassilvitskii 2007): the first center is a uniformly random example; each
 * next one is example i with probability D(x_i)² / Σ D², D the distance to the nearest center chosen so far.
 * Returns the chosen row indices (k of them); if fewer than k distinct points exist, D² sums to 0 and the
 * remaining centers are uniform picks.
 */
export function kmeansPlusPlusIndices(x: Data, n: number, d: number, k: number, rng: Rng): Int32Array {
  const chosen = new Int32Array(k);
  const d2 = new Float64Array(n).fill(Infinity);
  chosen[0] = rng.int(n);
  for (let c = 1; c <= k; c++) {
    // update D² against the center added last
    const last = chosen[c - 1];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = x[i * d + t] - x[last * d + t];
        s += diff * diff;
      }
      if (s < d2[i]) d2[i] = s;
      sum += d2[i];
    }
    if (c === k) break;
    if (!(sum > 0)) { chosen[c] = rng.int(n); continue; }
    let u = rng.uniform() * sum;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      u -= d2[i];
      if (u < 0) { pick = i; break; }
    }
    // guard against rounding picking a zero-weight row at the end
    while (d2[pick] === 0 && pick > 0) pick--;
    chosen[c] = pick;
  }
  return chosen;
}

function initCenters(x: Data, n: number, d: number, k: number, init: KMeansOptions['init'], rng: Rng): Float64Array {
  const centers = new Float64Array(k * d);
  if (init !== undefined && typeof init !== 'string') {
    if (init.length !== k * d) throw inputError(`kmeans init: expected ${k}×${d} = ${k * d} numbers, got ${init.length}`);
    for (let t = 0; t < k * d; t++) centers[t] = init[t];
    return centers;
  }
  let rows: ArrayLike<number>;
  if (init === undefined || init === 'kmeans++') rows = kmeansPlusPlusIndices(x, n, d, k, rng);
  else if (init === 'random') rows = rng.permutation(n).subarray(0, k);
  else throw inputError(`kmeans init: expected 'random' or 'kmeans++', got '${String(init)}'`);
  for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) centers[j * d + t] = x[rows[j] * d + t];
  return centers;
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw inputError(`kmeans ${name}: expected an integer >= 1, got ${v}`);
  return v;
}

/**
 * Cluster n examples of dimension d into k clusters with Lloyd (batch), MacQueen (online) or
 * Sculley (minibatch) k-means. See the module comment for the update rules.
 */
export function kmeans(x: Data, n: number, d: number, options: KMeansOptions): KMeansResult {
  const method = options.method ?? 'batch';
  if (!kmeansMethods.includes(method)) throw inputError(`kmeans method: expected one of ${kmeansMethods.join(', ')}, got '${String(method)}'`);
  const k = positiveInt('k', options.k, 0);
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(d) || d < 1) throw inputError(`kmeans: expected n >= 1 and d >= 1, got n = ${n}, d = ${d}`);
  if (x.length < n * d) throw inputError(`kmeans: expected ${n}×${d} = ${n * d} numbers, got ${x.length}`);
  if (k > n) throw inputError(`kmeans k: expected at most the number of examples (${n}), got ${k}`);
  for (let t = 0; t < n * d; t++) if (!Number.isFinite(x[t])) throw inputError(`kmeans: example ${Math.floor(t / d)}, column ${t % d} is not a finite number`);
  const now = options.now ?? (() => performance.now());
  const rng = new Rng(options.seed ?? 0);
  const history: KMeansHistoryPoint[] = [];
  const assign = new Int32Array(n);

  // Algorithm time accumulates between marks; objective evaluation for the history is not counted.
  let elapsed = 0;
  let mark = now();
  let examplesSeen = 0;
  let step = 0;
  const record = (): number => {
    elapsed += now() - mark;
    const objective = kmeansObjective(x, n, d, centers, k);
    const p = { step, examplesSeen, timeMs: elapsed, objective };
    history.push(p);
    options.onProgress?.({ method, ...p });
    mark = now();
    return objective;
  };

  const centers = initCenters(x, n, d, k, options.init, rng);
  let converged = false;
  record();

  if (method === 'batch') {
    const iterations = positiveInt('iterations', options.iterations, 100);
    const sums = new Float64Array(k * d);
    const counts = new Int32Array(k);
    assign.fill(-1);
    for (let it = 0; it < iterations; it++) {
      // assignment step
      let changed = 0;
      for (let i = 0; i < n; i++) {
        const j = nearestCenter(x, i, centers, k, d);
        if (j !== assign[i]) { assign[i] = j; changed++; }
      }
      if (changed === 0) { converged = true; break; }
      // update step: each center to the mean of its examples; an empty cluster keeps its center
      sums.fill(0);
      counts.fill(0);
      for (let i = 0; i < n; i++) {
        const j = assign[i];
        counts[j]++;
        for (let t = 0; t < d; t++) sums[j * d + t] += x[i * d + t];
      }
      for (let j = 0; j < k; j++) {
        if (counts[j] === 0) continue;
        const inv = 1 / counts[j];
        for (let t = 0; t < d; t++) centers[j * d + t] = sums[j * d + t] * inv;
      }
      step++;
      examplesSeen += n;
      record();
    }
  } else {
    const epochs = positiveInt('epochs', options.epochs, 10);
    const batchSize = Math.min(n, positiveInt('batchSize', options.batchSize, method === 'online' ? 1 : 100));
    const per = method === 'online' ? 1 : batchSize;
    const evalEvery = positiveInt('evalEvery', options.evalEvery, Math.max(per, Math.ceil(n / 20 / per) * per));
    // MacQueen counts each seed as one absorbed example; Sculley starts from v = 0.
    const counts = new Float64Array(k).fill(method === 'online' ? 1 : 0);
    const cached = new Int32Array(batchSize);
    let sinceEval = 0;
    for (let e = 0; e < epochs; e++) {
      const order = rng.permutation(n);
      for (let start = 0; start < n; start += per) {
        const end = Math.min(n, start + per);
        if (method === 'online') {
          const i = order[start];
          const j = nearestCenter(x, i, centers, k, d);
          const eta = 1 / ++counts[j];
          for (let t = 0; t < d; t++) centers[j * d + t] += eta * (x[i * d + t] - centers[j * d + t]);
        } else {
          // Sculley: nearest centers of the whole batch first, then the per-center-rate gradient steps
          for (let b = start; b < end; b++) cached[b - start] = nearestCenter(x, order[b], centers, k, d);
          for (let b = start; b < end; b++) {
            const i = order[b];
            const j = cached[b - start];
            const eta = 1 / ++counts[j];
            for (let t = 0; t < d; t++) centers[j * d + t] = (1 - eta) * centers[j * d + t] + eta * x[i * d + t];
          }
        }
        step++;
        examplesSeen += end - start;
        sinceEval += end - start;
        if (sinceEval >= evalEvery || (e === epochs - 1 && end === n)) { sinceEval = 0; record(); }
      }
    }
  }

  const objective = kmeansObjective(x, n, d, centers, k, assign);
  const clusterSizes = new Int32Array(k);
  for (let i = 0; i < n; i++) clusterSizes[assign[i]]++;
  return { method, k, d, centers, assignments: assign, objective, history, clusterSizes, examplesSeen, timeMs: elapsed, converged };
}
