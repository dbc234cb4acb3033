/**
 * `descent kmeans`: batch (Lloyd), online (MacQueen) and minibatch (Sculley) k-means on a dataset,
 * over several seeds, with the objective plotted against time and against examples seen.
 *   descent kmeans --data NAME|FILE.csv --k K [--method batch|online|minibatch|all] [--batch N] [--epochs N]
 *                  [--iterations N] [--init kmeans++|random] [--seed S] [--seeds N] [--target COLUMN|none]
 *                  [--standardize] [--plot FILE.svg|FILE.png] [--json]
 */
import type { Command } from 'commander';
import { inputError, runError } from '../../errors.js';
import { kmeans, kmeansMemoryBytes, kmeansMethods, type KMeansMethod, type KMeansResult } from '../../train/kmeans.js';
import { kmeansPlotSvg } from '../../viz/kmeans-plot.js';
import { builtinDatasets, isBuiltinName } from '../../data/index.js';
import { loadRows } from '../../node/datasets.js';
import { existsSync } from 'node:fs';
import { checkOutputFile } from '../output-paths.js';
import { checkDistinctFiles } from '../../io/output-policy.js';
import { heapMemoryLimit, memoryLimit } from '../limits.js';
import { checkFigureName, writeFigure } from '../png.js';

interface KMeansCliOptions {
  data?: string;
  k?: string;
  method: string;
  batch: string;
  epochs: string;
  iterations: string;
  init: string;
  seed: string;
  seeds: string;
  target?: string;
  standardize?: boolean;
  plot?: string;
  json?: boolean;
}

/** A numeric table: features row-major, plus the dropped target column's values if any. */
export interface KMeansTable { x: Float64Array; n: number; d: number; columns: string[]; labels?: Float64Array; source: string }

/**
 * The data through the CLI's one CSV reader (the library's loadRows: streamed, rows and columns named in errors,
 * the memory limit): built-ins with their target as labels; a CSV file with float64 features and, as the
 * target left out of the features, --target COLUMN, else a column named 'label' or 'target', else none.
 */
function loadTable(name: string, target: string | undefined): KMeansTable {
  if (isBuiltinName(name)) {
    if (target === 'none') throw inputError(`--target none: a built-in dataset's target is always left out of the features`);
    const { all } = loadRows(name, { target, memoryLimit: memoryLimit() });
    return { x: Float64Array.from(all.x), n: all.n, d: all.d, columns: all.featureNames, labels: all.numClasses > 0 ? all.y : undefined, source: name };
  }
  const labelColumn = (header: readonly string[]) => header.find((h) => h === 'label' || h === 'target') ?? null;
  const { all } = loadRows(name, { target: target === 'none' ? undefined : target, float64: true, noTarget: target === 'none', defaultTarget: labelColumn, memoryLimit: memoryLimit() });
  return { x: all.x as Float64Array, n: all.n, d: all.d, columns: all.featureNames, labels: all.targetName !== '' ? all.y : undefined, source: name };
}

/** Standardize columns in place to mean 0, standard deviation 1 (constant columns become 0). */
function standardize(t: KMeansTable): void {
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

/** Fraction of examples whose cluster's majority label is their own (only when the data has labels). */
function purity(assign: Int32Array, labels: Float64Array, k: number): number {
  const tallies = Array.from({ length: k }, () => new Map<number, number>());
  for (let i = 0; i < assign.length; i++) tallies[assign[i]].set(labels[i], (tallies[assign[i]].get(labels[i]) ?? 0) + 1);
  let hit = 0;
  for (const m of tallies) hit += Math.max(0, ...m.values());
  return hit / assign.length;
}

function intFlag(name: string, v: string, min: number): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isInteger(x) || x < min) throw inputError(`--${name}: expected an integer >= ${min}, got '${v}'`);
  return x;
}

function meanSd(v: number[]): string {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  return v.length > 1 ? `${m.toPrecision(5)} ± ${sd.toPrecision(2)}` : m.toPrecision(5);
}

async function run(o: KMeansCliOptions): Promise<void> {
  if (o.data === undefined) throw inputError('--data: required (a built-in name or FILE.csv)');
  if (o.k === undefined) throw inputError('--k: required (the number of clusters, an integer >= 1)');
  const k = intFlag('k', o.k, 1);
  const methods: KMeansMethod[] = o.method === 'all' ? [...kmeansMethods] : [o.method as KMeansMethod];
  if (o.method !== 'all' && !kmeansMethods.includes(o.method as KMeansMethod)) throw inputError(`--method: expected one of batch, online, minibatch, all, got '${o.method}'`);
  const batchSize = intFlag('batch', o.batch, 1);
  const epochs = intFlag('epochs', o.epochs, 1);
  const iterations = intFlag('iterations', o.iterations, 1);
  const seed = intFlag('seed', o.seed, 0);
  const seeds = intFlag('seeds', o.seeds, 1);
  if (o.init !== 'kmeans++' && o.init !== 'random') throw inputError(`--init: expected kmeans++ or random, got '${o.init}'`);
  if (o.plot !== undefined) checkFigureName('--plot', o.plot);
  if (o.plot !== undefined) {
    checkOutputFile('--plot', o.plot);
    // before the data is read: --plot naming the data file (a link, or a second name) would destroy it
    if (existsSync(o.data)) checkDistinctFiles([{ flag: '--plot', path: o.plot }], [{ flag: '--data', path: o.data }]);
  }
  const table = loadTable(o.data, o.target);
  if (k > table.n) throw inputError(`--k: expected at most the number of rows (${table.n}), got ${k}`);
  // before any run allocates: every run's centers and assignments are kept for the report
  const runCount = methods.length * seeds;
  const need = kmeansMemoryBytes(table.n, table.d, k, runCount);
  // the runs are JavaScript objects: V8's heap limit bounds them before the machine's memory does
  const limit = heapMemoryLimit();
  if (need > limit.bytes) {
    throw inputError(
      `--seeds ${seeds}, --k ${k}: ${runCount} runs of ${k} centers × ${table.d} features on ${table.n} rows need about ${need} bytes (float64 centers, the assignments and the history of every run), ` +
        `over the limit of ${limit.bytes} bytes (${limit.why}); use a smaller --k, fewer --seeds or one --method`,
    );
  }
  if (o.standardize) standardize(table);

  // warm-up: each method once on a few rows, so the first measured run does not pay for JIT compilation
  const few = Math.min(table.n, Math.max(k, 200));
  for (const method of methods) kmeans(table.x, few, table.d, { k, method, batchSize, epochs: 1, iterations: 2, init: o.init, seed });
  const runs: (KMeansResult & { seed: number; purity?: number })[] = [];
  for (const method of methods) {
    for (let s = seed; s < seed + seeds; s++) {
      const r = kmeans(table.x, table.n, table.d, { k, method, batchSize, epochs, iterations, init: o.init, seed: s });
      if (!Number.isFinite(r.objective)) throw runError(`${method} seed ${s}: the objective is not finite; check the data's scale (try --standardize)`);
      runs.push({ ...r, seed: s, purity: table.labels ? purity(r.assignments, table.labels, k) : undefined });
    }
  }
  const title = `k-means on ${o.data} (n = ${table.n}, d = ${table.d}, k = ${k}${o.standardize ? ', standardized' : ''})`;
  if (o.plot !== undefined) writeFigure(o.plot, kmeansPlotSvg(runs, title));

  if (o.json) {
    const out = {
      data: o.data, n: table.n, d: table.d, k, standardized: !!o.standardize, init: o.init,
      runs: runs.map((r) => ({
        method: r.method, seed: r.seed, objective: r.objective, timeMs: r.timeMs, examplesSeen: r.examplesSeen,
        converged: r.method === 'batch' ? r.converged : undefined, purity: r.purity,
        clusterSizes: Array.from(r.clusterSizes), centers: Array.from(r.centers), history: r.history,
      })),
    };
    process.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  const lines = [title, `init ${o.init}, seeds ${seed}..${seed + seeds - 1}`];
  for (const method of methods) {
    const rs = runs.filter((r) => r.method === method);
    const detail = method === 'batch' ? `up to ${iterations} Lloyd iterations` : `${epochs} epochs${method === 'minibatch' ? `, batch ${Math.min(batchSize, table.n)}` : ''}`;
    let line = `  ${method.padEnd(9)} J = ${meanSd(rs.map((r) => r.objective))}  time ${meanSd(rs.map((r) => r.timeMs))} ms  examples seen ${meanSd(rs.map((r) => r.examplesSeen))}  (${detail})`;
    if (table.labels) line += `  purity ${meanSd(rs.map((r) => r.purity ?? 0))}`;
    lines.push(line);
  }
  if (o.plot !== undefined) lines.push(`plot: ${o.plot}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  program
    .command('kmeans')
    .description('K-means: batch (Lloyd), online (MacQueen) and minibatch (Sculley), objective vs time and examples seen')
    .option('--data <name|file.csv>', `a built-in dataset (${Object.keys(builtinDatasets).join(', ')}) or a CSV file with a header row`)
    .option('--k <K>', 'number of clusters')
    .option('--method <name>', 'batch, online, minibatch, or all', 'all')
    .option('--batch <N>', 'minibatch size (minibatch)', '100')
    .option('--epochs <N>', 'passes over the data (online, minibatch)', '10')
    .option('--iterations <N>', 'maximum Lloyd iterations (batch)', '100')
    .option('--init <kind>', 'kmeans++ or random', 'kmeans++')
    .option('--seed <S>', 'first seed', '0')
    .option('--seeds <N>', 'number of seeds per method (S, S+1, ...)', '3')
    .option('--target <column>', "column left out of the features (default: one named 'label' or 'target'; 'none' keeps all)")
    .option('--standardize', 'scale every feature to mean 0 and standard deviation 1 first')
    .option('--plot <file.svg|file.png>', 'write the objective against time and against examples seen (SVG, or PNG by the name)')
    .option('--json', 'one JSON object on stdout with every run and its history')
    .action(async (o: KMeansCliOptions) => run(o));
}
