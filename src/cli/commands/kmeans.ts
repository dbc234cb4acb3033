/**
 * `descent kmeans`: batch (Lloyd), online (MacQueen) and minibatch (Sculley) k-means on a dataset,
 * over several seeds, with the objective plotted against time and against examples seen.
 *   descent kmeans --data NAME|FILE.csv --k K [--method batch|online|minibatch|all] [--batch N] [--epochs N]
 *                  [--iterations N] [--init kmeans++|random] [--seed S] [--seeds N] [--target COLUMN|none]
 *                  [--standardize] [--plot FILE.svg|FILE.png] [--json]
 * Flags → a KMeansRunsConfig → the library's `kmeansRuns()` (src/train/kmeans-run.ts) → the table, plot or JSON.
 */
import type { Command } from 'commander';
import { inputError } from '../../errors.js';
import { kmeansMethods, type KMeansMethod } from '../../train/kmeans.js';
import { kmeansRuns } from '../../train/kmeans-run.js';
import { kmeansPlotSvg } from '../../viz/kmeans-plot.js';
import { builtinDatasets } from '../../data/index.js';
import { loadKMeansTable } from '../../node/datasets.js';
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
  const table = loadKMeansTable(o.data, o.target, memoryLimit());
  // the runs are JavaScript objects: V8's heap limit bounds them before the machine's memory does
  const runs = kmeansRuns(table, { k, methods, batchSize, epochs, iterations, init: o.init, seed, seeds, standardize: o.standardize, memoryLimit: heapMemoryLimit() });
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
