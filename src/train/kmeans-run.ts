/**
 * `kmeansRuns(config)`: everything `descent kmeans` does, as a library call. A numeric table goes in (features
 * row-major, float64, optionally labels); each method runs over seeds seed..seed+seeds−1 after a warm-up (so the
 * first measured run pays no JIT compilation), and the runs come out with their objective, time, examples seen
 * and, with labels, the clusters' purity. Browser-safe: the table comes from the caller (on Node,
 * `loadKMeansTable` in descent/node reads it).
 */
import { inputError, runError } from '../errors.js';
import { kmeans, kmeansMemoryBytes, kmeansMethods, type KMeansMethod, type KMeansResult } from './kmeans.js';

/** A numeric table: features row-major, plus the dropped target column's values if any. */
export interface KMeansTable { x: Float64Array; n: number; d: number; columns: string[]; labels?: Float64Array; source: string }

/** The settings of `descent kmeans`, typed; every field but `k` has the CLI's default. */
export interface KMeansRunsConfig {
  /** The number of clusters, 1..n. */
  k: number;
  /** Default all three: batch (Lloyd), online (MacQueen), minibatch (Sculley). */
  methods?: KMeansMethod[];
  /** Minibatch size (default 100). */
  batchSize?: number;
  /** Passes over the data of online and minibatch (default 10). */
  epochs?: number;
  /** Most Lloyd iterations of batch (default 100). */
  iterations?: number;
  /** Default kmeans++. */
  init?: 'kmeans++' | 'random';
  /** The first seed (default 0) and how many per method (default 3). */
  seed?: number;
  seeds?: number;
  /** Scale the table's columns to mean 0 and standard deviation 1 first (in place). */
  standardize?: boolean;
  /** The most bytes the runs may keep; none by default. */
  memoryLimit?: { bytes: number; why: string };
}

/** One run: the method's result, its seed and, with labels, its purity. */
export type KMeansRun = KMeansResult & { seed: number; purity?: number };

/** Standardizes columns in place to mean 0, standard deviation 1 (population std; constant columns become 0). */
export function standardizeTable(t: KMeansTable): void {
  for (let c = 0; c < t.d; c++) {
    let mean = 0;
    for (let i = 0; i < t.n; i++) mean += t.x[i * t.d + c];
    mean /= t.n;
    let v = 0;
    for (let i = 0; i < t.n; i++) v += (t.x[i * t.d + c] - mean) ** 2;
    const sd = Math.sqrt(v / t.n) || 1;
    for (let i = 0; i < t.n; i++) t.x[i * t.d + c] = (t.x[i * t.d + c] - mean) / sd;
  }
}

/** Fraction of examples whose cluster's majority label is their own. */
export function clusterPurity(assign: Int32Array, labels: Float64Array, k: number): number {
  const tallies = Array.from({ length: k }, () => new Map<number, number>());
  for (let i = 0; i < assign.length; i++) tallies[assign[i]].set(labels[i], (tallies[assign[i]].get(labels[i]) ?? 0) + 1);
  let hit = 0;
  for (const m of tallies) hit += Math.max(0, ...m.values());
  return hit / assign.length;
}

/**
 * Runs k-means as `descent kmeans` does; see KMeansRunsConfig. k and the memory the runs keep are checked before
 * any run allocates; a non-finite objective is a run error that points to standardization.
 *
 * @example
 * const runs = kmeansRuns({ x, n, d, columns, source: 'blobs' }, { k: 3, methods: ['batch'], seeds: 5 });
 */
export function kmeansRuns(table: KMeansTable, config: KMeansRunsConfig): KMeansRun[] {
  const { k } = config;
  const methods = config.methods ?? [...kmeansMethods];
  const batchSize = config.batchSize ?? 100, epochs = config.epochs ?? 10, iterations = config.iterations ?? 100;
  const init = config.init ?? 'kmeans++', seed = config.seed ?? 0, seeds = config.seeds ?? 3;
  if (k > table.n) throw inputError(`--k: expected at most the number of rows (${table.n}), got ${k}`);
  // before any run allocates: every run's centers and assignments are kept for the report
  const runCount = methods.length * seeds;
  const need = kmeansMemoryBytes(table.n, table.d, k, runCount);
  const limit = config.memoryLimit;
  if (limit && need > limit.bytes) {
    throw inputError(
      `--seeds ${seeds}, --k ${k}: ${runCount} runs of ${k} centers × ${table.d} features on ${table.n} rows need about ${need} bytes (float64 centers, the assignments and the history of every run), ` +
        `over the limit of ${limit.bytes} bytes (${limit.why}); use a smaller --k, fewer --seeds or one --method`,
    );
  }
  if (config.standardize) standardizeTable(table);
  // warm-up: each method once on a few rows, so the first measured run does not pay for JIT compilation
  const few = Math.min(table.n, Math.max(k, 200));
  for (const method of methods) kmeans(table.x, few, table.d, { k, method, batchSize, epochs: 1, iterations: 2, init, seed });
  const runs: KMeansRun[] = [];
  for (const method of methods) {
    for (let s = seed; s < seed + seeds; s++) {
      const r = kmeans(table.x, table.n, table.d, { k, method, batchSize, epochs, iterations, init, seed: s });
      if (!Number.isFinite(r.objective)) throw runError(`${method} seed ${s}: the objective is not finite; check the data's scale (try --standardize)`);
      runs.push({ ...r, seed: s, purity: table.labels ? clusterPurity(r.assignments, table.labels, k) : undefined });
    }
  }
  return runs;
}
