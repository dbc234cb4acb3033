/**
 * `descent demo NAME [--out DIR] [--seed N]`: one of the lectures' demonstrations (src/demos), written as a
 * self-contained HTML report (DIR/report.html, default reports/NAME/) with a summary.json of the measured
 * figures; prints the report's path.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { inputError } from '../../errors.js';
import { atomicWrite } from '../../io/atomic-write.js';
import { checkOutputDir, checkOutputFile } from '../output-paths.js';
import { demoSpec, runDemo } from '../../demos/index.js';
import type { DemoDatasetName } from '../../demos/index.js';
import { isBuiltinName } from '../../data/index.js';
import type { Dataset } from '../../data/index.js';
import { loadRows } from '../../node/datasets.js';

interface DemoFlags {
  out?: string;
  seed?: string;
}

function parseSeed(text: string): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v)) throw inputError(`--seed: expected an integer >= 0, got '${text}'`);
  return v;
}

/** The built-in datasets a demo needs; MNIST's small set where the build has one (the demos cap their rows anyway). */
function loadDemoData(names: readonly DemoDatasetName[]): Partial<Record<DemoDatasetName, Dataset>> {
  const out: Partial<Record<DemoDatasetName, Dataset>> = {};
  for (const n of names) {
    const source = n === 'mnist' && isBuiltinName('mnist-small') ? 'mnist-small' : n;
    out[n] = loadRows(source).all;
  }
  return out;
}

export async function runDemoCommand(name: string, flags: DemoFlags, command: string): Promise<void> {
  const spec = demoSpec(name);
  const seed = flags.seed === undefined ? 0 : parseSeed(flags.seed);
  const outDir = flags.out ?? join('reports', spec.name);
  checkOutputDir('--out', outDir);
  checkOutputFile('--out', join(outDir, 'report.html'));
  checkOutputFile('--out', join(outDir, 'summary.json'));
  const { html, summary } = runDemo(spec.name, { seed, data: loadDemoData(spec.needs) }, command, new Date().toISOString());
  const report = join(outDir, 'report.html');
  atomicWrite(join(outDir, 'summary.json'), JSON.stringify(summary, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  atomicWrite(report, html);
  process.stdout.write(`${report}\n`);
}

export function register(program: Command): void {
  program
    .command('demo <NAME>')
    .description('run one of the lectures\' demonstrations (sparse, variance, order, hopfield, boltzmann) and write its HTML report')
    .option('--out <DIR>', 'output folder (default reports/NAME)')
    .option('--seed <N>', 'seed of the data draws and the runs (default 0)')
    .action(async (name: string, flags: DemoFlags) => {
      await runDemoCommand(name, flags, 'descent ' + process.argv.slice(2).join(' '));
    });
}
