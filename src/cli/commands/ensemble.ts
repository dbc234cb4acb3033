/**
 * `descent ensemble`: bagging or a snapshot ensemble of classifiers, scored on the held-out rows against
 * every single member and their mean.
 *   descent ensemble --data NAME|FILE.csv (--bagging K | --snapshots M) [--val F] [--standardize [bool]] [--target COLUMN]
 *                    [--model softmax|mlp:H1,...] [--activation A] [--dropout P] [--opt NAME] [--lr X] [--HYPER V ...]
 *                    [--batch N] [--epochs N] [--seed S] [--init FILE.safetensors [--new-head]] [--freeze 0,2] [--out DIR] [--json]
 * Data loading, splitting and standardization are the library's loadDataset (src/cli/data-flags.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { atomicWrite } from '../../io/atomic-write.js';
import { inputError } from '../../errors.js';
import { buildModel, checkModelMemory, parameterCount, parseModelArg, TRAINING_COPIES, type Activation, type Sequential } from '../../nn/index.js';
import { Rng } from '../../tensor/rng.js';
import { computeReport, startFastPath, threadsHelp } from '../fast-path.js';
import { isOptimizerName } from '../../optim/index.js';
import type { Dataset } from '../../data/index.js';
import { bagging, ensembleDefaults, sameBudgetSingle, snapshotEnsemble, type EnsembleReport } from '../../train/ensemble.js';
import type { ClassData, FitOptions } from '../../train/ensemble-fit.js';
import { initFrom, parseFreeze } from '../../train/transfer.js';
import { addHyperparameterFlags, knownOptimizerNames, optimizerFromFlags } from './optimize.js';
import { modelBytes, type ModelMeta } from '../../train/model-file.js';
import { readModelFile } from '../model-file.js';
import { datasetFromFlags } from '../data-flags.js';
import { checkOutputDir } from '../output-paths.js';
import { modelMemoryLimit, type MemoryLimit } from '../limits.js';

/**
 * Bytes a bagging member holds besides its float32 weights and gradients: its bootstrap rows' index,
 * its layers' objects and its share of the kernels' arena. Measured: 2,000 iris members (1,027
 * parameters each) took 585 MB, 10,000 took 2.5 GB; about 250 KB a member, rounded up.
 */
export const BAGGING_MEMBER_OVERHEAD = 288 * 1024;

/** Refuses (exit 2, naming --bagging and the largest count that fits) more members than the memory budget holds. */
function checkBaggingMembers(members: number, params: number, train: { n: number; d: number }, limit: MemoryLimit): void {
  const perMember = 2 * 4 * params + 8 * train.n + BAGGING_MEMBER_OVERHEAD;
  if (members * perMember <= limit.bytes) return;
  throw inputError(
    `--bagging ${members}: ${members} members need about ${members * perMember} bytes (${perMember} each: float32 weights and gradients of ${params} parameters, ` +
      `the bootstrap rows and the member's buffers), over the limit of ${limit.bytes} bytes (${limit.why}); expected --bagging ${Math.floor(limit.bytes / perMember)} or fewer`,
  );
}

type Opts = Record<string, string | boolean | undefined>;

function intFlag(name: string, raw: string | boolean | undefined, min: number, dflt: number): number {
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(v) || v < min) throw inputError(`--${name}: expected an integer >= ${min}, got '${String(raw)}'`);
  return v;
}

function classData(ds: Dataset): ClassData {
  return { x: ds.x instanceof Float32Array ? ds.x : Float32Array.from(ds.x), y: Int32Array.from(ds.y), n: ds.n, d: ds.d };
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
  if (o.out !== undefined) checkOutputDir('--out', o.out as string);
  const data = datasetFromFlags(o);
  const { train, val } = data;
  if (!val) throw inputError(`--val: the ensemble is scored on held-out rows; ${data.name} has none by default, give --val F (e.g. --val 0.2)`);
  const K = data.all.numClasses;
  if (K < 2) throw inputError(`--data ${data.name}: ensembles here are for classification; target '${data.all.targetName}' must hold class indices 0..K-1`);
  const wasm = startFastPath(o.threads).wasm;
  const defaults = method === 'bagging' ? ensembleDefaults.bagging : ensembleDefaults.snapshot;
  const pretrained = o.init !== undefined ? readModelFile(o.init as string, 'init') : undefined;
  // with --init the architecture defaults to the pretrained file's (its dropout layers shift the state_dict indices)
  const arch = pretrained?.meta ?? { model: defaults.model, activation: 'relu' as Activation, dropout: defaults.dropout };
  const modelArg = (o.model as string | undefined) ?? arch.model;
  const { kind, hidden } = parseModelArg(modelArg);
  const from = o.model === undefined && pretrained?.meta ? ` (the model of --init ${String(o.init)})` : '';
  if (kind !== 'softmax' && kind !== 'mlp') throw inputError(`--model: expected softmax or mlp:H1,... for a K-class ensemble, got '${modelArg}'${from}`);
  const activation = ((o.activation as string | undefined) ?? arch.activation ?? 'relu') as Activation;
  const dropout = o.dropout === undefined ? (arch.dropout ?? 0) : Number(o.dropout);
  if (!(dropout >= 0 && dropout < 1) || (typeof o.dropout === 'string' && o.dropout.trim() === '')) throw inputError(`--dropout: expected a probability in [0, 1), got '${String(o.dropout)}'`);
  const seed = intFlag('seed', o.seed, 0, 0);
  // snapshots: epochs in all, by default 10 per cycle. At least 1: only descent train takes 0 (the initial model)
  if (typeof o.epochs === 'string' && /^\s*0+\s*$/.test(o.epochs)) {
    throw inputError(`--epochs: expected an integer >= 1, got '${o.epochs}'; an ensemble of untrained members has nothing to compare (for the initial weights alone, descent train --epochs 0 --save FILE)`);
  }
  const epochs = intFlag('epochs', o.epochs, 1, method === 'snapshot' ? ensembleDefaults.snapshot.epochsPerCycle * members : ensembleDefaults.bagging.epochs);
  const batchSize = intFlag('batch', o.batch, 1, defaults.batchSize);
  // before any member is built: bagging keeps every member (weights and gradients) and trains one at a time;
  // a snapshot run keeps its M snapshots beside the model it trains, and then a same-budget single model
  checkModelMemory({ kind, hidden, inFeatures: train.d, outFeatures: K }, {
    limit: modelMemoryLimit(wasm),
    copies: method === 'bagging' ? 2 * members + TRAINING_COPIES - 2 : TRAINING_COPIES + members + 2,
    what: `--model ${modelArg}`,
    holds: method === 'bagging'
      ? `for ${members} members (float32 weights and gradients of each, and optimizer state while one trains)`
      : `for ${members} snapshots beside the trained model and a same-budget single model (float32 weights, gradients, optimizer state)`,
    advice: `use smaller hidden widths or fewer ${method === 'bagging' ? 'members (--bagging)' : 'snapshots (--snapshots)'}`,
  });
  if (method === 'bagging') checkBaggingMembers(members, parameterCount({ kind, hidden, inFeatures: train.d, outFeatures: K }), train, modelMemoryLimit(wasm));
  const optName = (o.opt as string | undefined) ?? defaults.opt;
  if (!isOptimizerName(optName)) throw inputError(`--opt: expected a first-order optimizer (${knownOptimizerNames().filter(isOptimizerName).join(', ')}), got '${optName}'`);
  const { name: _n, ...hyper } = optimizerFromFlags(optName, o, hyperKeys);
  void _n;
  // the method's lr with its optimizer (adam: bagging 1e-2, snapshot cycles restarting at 2e-2); snapshots with
  // sgd restart at 0.1 with momentum 0.9 (Huang et al.); any other optimizer starts from its own default lr
  if (hyper.lr === undefined && optName === defaults.opt) hyper.lr = defaults.hyper.lr;
  if (method === 'snapshot' && optName === 'sgd') {
    hyper.lr ??= ensembleDefaults.snapshotSgd.lr;
    hyper.momentum ??= ensembleDefaults.snapshotSgd.momentum;
  }
  const notes: string[] = [];
  const build = (i: number): Sequential => {
    const m = buildModel({ kind, hidden, activation, dropout, inFeatures: train.d, outFeatures: K, rng: new Rng(seed + 1000 * i) });
    if (pretrained && o.newHead) {
      // the body must match by name and shape; the output head is fresh whatever its width
      const r = initFrom(m, pretrained.tensors, { newHead: true, requireBody: true, source: `--init ${String(o.init)}` });
      if (notes.length === 0) notes.push(`--init: loaded ${r.loaded.join(', ')}; new head: ${r.reinitialized.join(', ')}`);
    } else if (pretrained) {
      m.loadStateDict(pretrained.tensors, `--init ${String(o.init)}`);
    }
    return m;
  };
  const frozenOf = (m: Sequential) => (o.freeze !== undefined ? parseFreeze(o.freeze as string, m) : undefined);
  const tr = classData(train), te = classData(val);
  const fit: FitOptions = { opt: optName, hyper, epochs, batchSize, seed, loss: 'ce' };
  let report: EnsembleReport;
  // every member as a model file `descent eval` can score (same metadata as `descent train --save`)
  const outDir = o.out as string | undefined;
  const meta: ModelMeta = {
    model: modelArg, activation, dropout, loss: 'ce', numClasses: K, data: data.name, target: data.all.targetName, val: data.valFraction,
    standardize: data.standardizer ? { mean: Array.from(data.standardizer.mean), std: Array.from(data.standardizer.std) } : undefined,
  };
  const written: string[] = [];
  const save = (m: Sequential, i: number) => {
    if (outDir === undefined) return;
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `${method === 'bagging' ? 'model' : 'snapshot'}-${i + 1}.safetensors`);
    atomicWrite(file, modelBytes(m, meta));
    written.push(file);
  };
  if (method === 'bagging') {
    const probe = build(0);
    const r = bagging(build, tr, te, K, members, { ...fit, frozen: frozenOf(probe) });
    r.models.forEach(save);
    report = r.report;
  } else {
    const m = build(0);
    const r = snapshotEnsemble(m, tr, te, K, members, { ...fit, frozen: frozenOf(m) });
    r.snapshots.forEach((snap, i) => { m.params.set(snap); save(m, i); });
    // the paper's comparison: one model from the same initialization, the same steps, no restarts
    const single = build(0);
    report = { ...r.report, sameBudgetSingle: sameBudgetSingle(single, tr, te, K, { ...fit, frozen: frozenOf(single) }) };
  }
  if (outDir !== undefined) atomicWrite(join(outDir, 'ensemble.json'), JSON.stringify({ data: data.name, files: written, ...report }, null, 2) + '\n');
  if (o.json) {
    process.stdout.write(JSON.stringify({ data: data.name, train: train.n, heldOut: val.n, model: modelArg, activation, dropout, opt: { name: optName, ...hyper }, epochs, batch: batchSize, seed, ...report, compute: computeReport() }) + '\n');
    return;
  }
  process.stdout.write(`${data.note}\n`);
  for (const n of notes) process.stdout.write(`${n}\n`);
  process.stdout.write(`${method === 'bagging' ? `bagging: ${members} models, each on its own bootstrap resample of the ${train.n} training rows` : `snapshot ensemble: ${members} snapshots of one run, cyclic cosine lr from ${String(hyper.lr)} (cycles of ${Math.ceil(epochs / members)} epochs)`}; ${modelArg}${dropout > 0 ? ` dropout ${dropout}` : ''}, ${optName} lr ${String(hyper.lr ?? 'default')}, ${epochs} epochs${method === 'bagging' ? ' each' : ' in all'}, batch ${batchSize}, seed ${seed}\n`);
  process.stdout.write(ensembleText(report, val.n));
  if (outDir !== undefined) process.stdout.write(`wrote ${written.length} models and ensemble.json to ${outDir}\n`);
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
