/**
 * `descent ensemble`: bagging or a snapshot ensemble of classifiers, scored on the held-out rows against
 * every single member and their mean.
 *   descent ensemble --data NAME|FILE.csv (--bagging K | --snapshots M) [--val F] [--standardize [bool]] [--target COLUMN]
 *                    [--model softmax|mlp:H1,...] [--activation A] [--dropout P] [--opt NAME] [--lr X] [--HYPER V ...]
 *                    [--batch N] [--epochs N] [--seed S] [--init FILE.safetensors [--new-head]] [--freeze 0,2] [--out DIR] [--json]
 * Flags → an EnsembleConfig → the library's `ensemble()` (src/train/ensemble-run.ts) → the report.
 */
import type { Command } from 'commander';
import { inputError } from '../../errors.js';
import type { Activation } from '../../nn/index.js';
import { computeReport, startFastPath, threadsHelp } from '../fast-path.js';
import { isOptimizerName } from '../../optim/index.js';
import { ensembleDefaults, type EnsembleReport } from '../../train/ensemble.js';
import { ensemble } from '../../train/ensemble-run.js';
import { nodeRunFiles } from '../../node/files.js';
import { addHyperparameterFlags, knownOptimizerNames, optimizerFromFlags } from './optimize.js';
import { readModelFile } from '../model-file.js';
import { datasetFromFlags } from '../data-flags.js';
import { checkOutputDir } from '../output-paths.js';
import { checkFolderOutputs, type RunFile } from '../../io/output-policy.js';
import { modelMemoryLimit } from '../limits.js';

type Opts = Record<string, string | boolean | undefined>;

function intFlag(name: string, raw: string | boolean | undefined, min: number, dflt: number): number {
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(v) || v < min) throw inputError(`--${name}: expected an integer >= ${min}, got '${String(raw)}'`);
  return v;
}


/** The text report: one line per member, their mean, the ensemble. */
export function ensembleText(r: EnsembleReport, heldOut: number): string {
  const pct = (a: number) => `${(100 * a).toFixed(2)}%`;
  const what = r.method === 'bagging' ? 'model' : 'snapshot';
  const lines = r.members.map((m, i) => `  ${what} ${i + 1}: accuracy ${pct(m.accuracy)}  loss ${m.loss.toFixed(4)}`);
  lines.push(`  mean single ${what}: accuracy ${pct(r.meanSingleAccuracy)}  loss ${r.meanSingleLoss.toFixed(4)}`);
  if (r.sameBudgetSingle) lines.push(`  single model, same budget (one cosine cycle, no restarts): accuracy ${pct(r.sameBudgetSingle.accuracy)}  loss ${r.sameBudgetSingle.loss.toFixed(4)}`);
  lines.push(`  ensemble (${r.members.length} averaged): accuracy ${pct(r.ensembleAccuracy)}  loss ${r.ensembleLoss.toFixed(4)}  (ensemble − mean single: ${r.ensembleAccuracy >= r.meanSingleAccuracy ? '+' : ''}${(100 * (r.ensembleAccuracy - r.meanSingleAccuracy)).toFixed(2)} points, on ${heldOut} held-out rows)`);
  return lines.join('\n') + '\n';
}

async function run(o: Opts, hyperKeys: string[]): Promise<void> {
  if ((o.bagging === undefined) === (o.snapshots === undefined)) throw inputError('ensemble: give exactly one of --bagging K or --snapshots M');
  const method = o.bagging !== undefined ? 'bagging' : 'snapshot';
  const members = method === 'bagging' ? intFlag('bagging', o.bagging, 1, 0) : intFlag('snapshots', o.snapshots, 1, 0);
  if (o.out !== undefined) {
    checkOutputDir('--out', o.out as string);
    // before the data is read or a member trained: a member file or ensemble.json that is the --data or
    // --init file (a rerun with --init out/model-1.safetensors) would destroy that input at the end
    const member = method === 'bagging' ? /^model-([1-9]\d*)\.safetensors$/ : /^snapshot-([1-9]\d*)\.safetensors$/;
    const writes = (name: string) => name === 'ensemble.json' || Number(member.exec(name)?.[1] ?? Infinity) <= members;
    const inputs: RunFile[] = [];
    if (typeof o.data === 'string') inputs.push({ flag: '--data', path: o.data });
    if (typeof o.init === 'string') inputs.push({ flag: '--init', path: o.init });
    checkFolderOutputs('--out', o.out as string, writes, inputs);
  }
  const data = datasetFromFlags(o);
  startFastPath(o.threads);
  const defaults = method === 'bagging' ? ensembleDefaults.bagging : ensembleDefaults.snapshot;
  const pretrained = o.init !== undefined ? readModelFile(o.init as string, 'init') : undefined;
  if (o.dropout !== undefined) {
    const p = Number(o.dropout);
    if (typeof o.dropout !== 'string' || o.dropout.trim() === '' || !(p >= 0 && p < 1)) throw inputError(`--dropout: expected a probability in [0, 1), got '${String(o.dropout)}'`);
  }
  // snapshots: epochs in all, by default 10 per cycle. At least 1: only descent train takes 0 (the initial model)
  if (typeof o.epochs === 'string' && /^\s*0+\s*$/.test(o.epochs)) {
    throw inputError(`--epochs: expected an integer >= 1, got '${o.epochs}'; an ensemble of untrained members has nothing to compare (for the initial weights alone, descent train --epochs 0 --save FILE)`);
  }
  const optName = (o.opt as string | undefined) ?? defaults.opt;
  if (!isOptimizerName(optName)) throw inputError(`--opt: expected a first-order optimizer (${knownOptimizerNames().filter(isOptimizerName).join(', ')}), got '${optName}'`);
  const { name: _n, ...hyper } = optimizerFromFlags(optName, o, hyperKeys);
  void _n;
  const r = await ensemble({
    data, method, members,
    model: o.model as string | undefined,
    activation: o.activation as Activation | undefined,
    dropout: o.dropout === undefined ? undefined : Number(o.dropout),
    optimizer: { name: optName, ...hyper },
    seed: intFlag('seed', o.seed, 0, 0),
    epochs: o.epochs === undefined ? undefined : intFlag('epochs', o.epochs, 1, 0),
    batch: o.batch === undefined ? undefined : intFlag('batch', o.batch, 1, 0),
    init: pretrained ? { tensors: pretrained.tensors, meta: pretrained.meta, source: `--init ${String(o.init)}`, newHead: o.newHead === true } : undefined,
    freeze: o.freeze as string | undefined,
    memoryLimit: modelMemoryLimit,
    out: o.out as string | undefined,
  }, { files: nodeRunFiles });
  const { report, settings: st } = r;
  const { train, val } = data;
  if (o.json) {
    process.stdout.write(JSON.stringify({ data: data.name, train: train.n, heldOut: val!.n, ...st, ...report, compute: computeReport() }) + '\n');
    return;
  }
  process.stdout.write(`${data.note}\n`);
  for (const n of r.notes) process.stdout.write(`${n}\n`);
  const lr = st.opt.lr;
  process.stdout.write(`${method === 'bagging' ? `bagging: ${members} models, each on its own bootstrap resample of the ${train.n} training rows` : `snapshot ensemble: ${members} snapshots of one run, cyclic cosine lr from ${String(lr)} (cycles of ${Math.ceil(st.epochs / members)} epochs)`}; ${st.model}${st.dropout > 0 ? ` dropout ${st.dropout}` : ''}, ${optName} lr ${String(lr ?? 'default')}, ${st.epochs} epochs${method === 'bagging' ? ' each' : ' in all'}, batch ${st.batch}, seed ${st.seed}\n`);
  process.stdout.write(ensembleText(report, val!.n));
  if (o.out !== undefined) process.stdout.write(`wrote ${r.written.length} models and ensemble.json to ${String(o.out)}\n`);
}

export function register(program: Command): void {
  const cmd = program
    .command('ensemble')
    .description('bagging (--bagging K) or a snapshot ensemble (--snapshots M): held-out accuracy of the ensemble vs each single model')
    .option('--data <name|file.csv>', 'dataset, as for descent train')
    .option('--target <column>', 'target column of a CSV file (default: the last)')
    .option('--val <fraction>', 'held-out fraction (the last rows, as for descent train); required where the dataset has no default')
    .option('--standardize [bool]', 'as for descent train')
    .option('--bagging <K>', 'K models, each trained on a seeded bootstrap resample; probabilities averaged')
    .option('--snapshots <M>', 'one run with M cycles of cosine annealing with restarts; the M end-of-cycle snapshots averaged, and compared with one model trained for the same budget without restarts')
    .option('--model <kind>', 'softmax | mlp:H1,H2,... (default mlp:128; with --init, the pretrained file\'s)')
    .option('--activation <name>', 'relu | sigmoid | tanh (default relu)')
    .option('--dropout <p>', 'dropout after each hidden activation (default 0.2; with --init, the pretrained file\'s)')
    .option('--opt <name>', 'first-order optimizer (default adam)')
    .option('--lr <x>', 'learning rate; for snapshots the lr0 of every cycle (default: bagging 0.01, snapshots 0.02, with adam; snapshots with sgd 0.1 and momentum 0.9; another optimizer its own)')
    .option('--epochs <n>', 'epochs per model (bagging, default 20) or in all (snapshots, default 10 per cycle: 10·M); at least 1')
    .option('--batch <n>', 'rows per batch (default 32)')
    .option('--seed <n>', 'seed of initializations, bootstrap draws and shuffles (default 0)')
    .option('--threads <n>', threadsHelp)
    .option('--init <file.safetensors>', 'start every member from these weights (torch state_dict names and shapes of this model)')
    .option('--new-head', 'with --init: load every layer but the output layer, which starts fresh (any width)')
    .option('--freeze <layers>', 'layer indices or parameter names kept fixed, e.g. 0,2')
    .option('--out <dir>', 'write each member (model-I.safetensors or snapshot-I.safetensors, for descent eval) and ensemble.json')
    .option('--json', 'one JSON object: members, meanSingleAccuracy, ensembleAccuracy, losses');
  const hyperKeys = addHyperparameterFlags(cmd, { firstOrderOnly: true }).filter((k) => k !== 'lr');
  cmd.action(async (opts: Opts) => {
    const o: Opts = {};
    for (const [k, v] of Object.entries(opts)) o[k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())] = v;
    await run(o, hyperKeys);
  });
}
