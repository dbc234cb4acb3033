/**
 * `descent kmeans`: batch (Lloyd), online (MacQueen) and minibatch (Sculley) k-means on a dataset,
 * over several seeds, with the objective plotted against time and against examples seen.
 *   descent kmeans --data NAME|FILE.csv --k K [--method batch|online|minibatch|all] [--batch N] [--epochs N]
 *                  [--iterations N] [--init kmeans++|random] [--seed S] [--seeds N] [--target COLUMN|none]
 *                  [--standardize] [--plot FILE.svg] [--json]
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { inputError, runError } from '../../errors.js';
import { atomicWrite } from '../../io/atomic-write.js';
import { kmeans, kmeansMethods, type KMeansMethod, type KMeansResult } from '../../train/kmeans.js';
import { kmeansPlotSvg } from '../../train/kmeans-plot.js';
import { isBuiltinName } from '../../data/index.js';
import { loadData } from './train.js';
import { checkOutputFile } from '../output-paths.js';

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

const BUILTIN = ['digits', 'iris', 'breast-cancer', 'wine', 'diabetes', 'mnist'];

/** A built-in dataset through the train command's loader (data/NAME.csv, the mnist package): features, and its target as labels. */
function loadBuiltin(name: string, target: string | undefined): KMeansTable {
  if (target === 'none') throw inputError(`--target none: a built-in dataset's target is always left out of the features`);
  const { all } = loadData(name, target);
  return { x: Float64Array.from(all.x), n: all.n, d: all.d, columns: all.featureNames, labels: all.numClasses > 0 ? all.y : undefined, source: name };
}

/** Anything but a built-in name is a CSV path. */
function resolveData(name: string): string {
  if (!name.toLowerCase().endsWith('.csv')) throw inputError(`--data: expected a built-in name (${BUILTIN.join(', ')}) or a FILE.csv, got '${name}'`);
  if (!existsSync(name)) throw inputError(`--data: file '${name}' does not exist`);
  return name;
}

/** Parse a CSV with a header; every cell numeric. `target` (a column name, or 'none') is taken out of the features. */
export function parseKMeansCsv(text: string, file: string, target: string | undefined): KMeansTable {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw inputError(`--data ${file}: expected a header row and at least one data row`);
  const header = lines[0].split(',').map((s) => s.trim());
  let drop = -1;
  if (target === undefined) drop = header.findIndex((h) => h === 'label' || h === 'target');
  else if (target !== 'none') {
    drop = header.indexOf(target);
    if (drop < 0) throw inputError(`--target: no column '${target}' in ${file}; columns: ${header.join(', ')}`);
  }
  const d = header.length - (drop >= 0 ? 1 : 0);
  if (d < 1) throw inputError(`--data ${file}: expected at least one feature column`);
  const n = lines.length - 1;
  const x = new Float64Array(n * d);
  const labels = drop >= 0 ? new Float64Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1].split(',');
    if (cells.length !== header.length) throw inputError(`--data ${file}: row ${i + 1} (line ${i + 2}): expected ${header.length} columns, got ${cells.length}`);
    let t = 0;
    for (let c = 0; c < cells.length; c++) {
      const v = Number(cells[c]);
      if (cells[c].trim() === '' || !Number.isFinite(v)) throw inputError(`--data ${file}: row ${i + 1} (line ${i + 2}), column '${header[c]}': expected a number, got '${cells[c]}'`);
      if (c === drop) labels![i] = v;
      else x[i * d + t++] = v;
    }
  }
  return { x, n, d, columns: header.filter((_h, c) => c !== drop), labels, source: file };
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
  if (!Number.isInteger(x) || x < min) throw inputError(`--${name}: expected an integer >= ${min}, got '${v}'`);
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
  if (o.plot !== undefined && !o.plot.toLowerCase().endsWith('.svg')) throw inputError(`--plot: expected a file name ending in .svg, got '${o.plot}'`);
  if (o.plot !== undefined) checkOutputFile('--plot', o.plot);
  const table = isBuiltinName(o.data) ? loadBuiltin(o.data, o.target) : parseKMeansCsv(readFileSync(resolveData(o.data), 'utf8'), o.data, o.target);
  if (k > table.n) throw inputError(`--k: expected at most the number of rows (${table.n}), got ${k}`);
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
  if (o.plot !== undefined) atomicWrite(o.plot, kmeansPlotSvg(runs, title));

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
    .option('--data <name|file.csv>', `a built-in dataset (${BUILTIN.join(', ')}) or a CSV file with a header row`)
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
    .option('--plot <file.svg>', 'write the objective against time and against examples seen')
    .option('--json', 'one JSON object on stdout with every run and its history')
    .action(async (o: KMeansCliOptions) => run(o));
}
