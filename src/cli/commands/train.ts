/**
 * `descent train` (the contract's section): flags → a typed TrainConfig → `train()` (src/train/train.ts) → output.
 * The data comes through `loadDataset` (src/data, read by src/node/datasets.ts); files are written atomically
 * (src/node/files.ts); Ctrl-C ends the run with a checkpoint; a progress bar runs on a terminal.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { inputError, quoteValue } from '../../errors.js';
import { builtinDatasets, parseBatchArg } from '../../data/index.js';
import { nodeRunFiles } from '../../node/files.js';
import type { Activation, LossName } from '../../nn/index.js';
import { parseCheckpoint } from '../../train/checkpoint.js';
import { train, type TrainConfig } from '../../train/train.js';
import type { EpochMetrics } from '../../train/trainer.js';
import { createProgress, createCountProgress } from '../progress.js';
import { computeReport, startFastPath, threadsHelp } from '../fast-path.js';
import { LANDSCAPE_ROWS, lossLandscape } from '../../train/landscape.js';
import { landscapePageHtml } from '../../viz/landscape.js';
import { modelMemoryLimit } from '../limits.js';
import { datasetFromFlags, landscapeRows, parseBool, parseNumber, parseProbability } from '../data-flags.js';
import { readModelFile } from '../model-file.js';
import { addHyperparameterFlags, knownOptimizerNames, optimizerFromFlags } from './optimize.js';
import { RUN_FOLDER_FILES, checkOutputFile, checkRunFolder, freeInterruptPath, interruptFolder, lockRunFolder } from '../output-paths.js';
import { checkDistinctFiles, allowOverwrite, type RunFile } from '../../io/output-policy.js';
import { digestOf } from '../../node/csv-file.js';
import { averagingFromFlags } from '../averaging-flags.js';

type Opts = Record<string, string | boolean | undefined>;

/** The flags as a typed config; every value checked here names its flag. */
export function trainConfigFromFlags(o: Opts, hyperKeys: string[]): TrainConfig {
  const dtype = o.dtype as string | undefined;
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') throw inputError(`--dtype: expected float32 or float64, got '${dtype}'`);
  const data = datasetFromFlags(o);
  const optName = (o.opt as string | undefined) ?? 'adam';
  const { name: _n, ...options } = optimizerFromFlags(optName, o, hyperKeys);
  void _n;
  const onNonfinite = o.onNonfinite as string | undefined;
  if (onNonfinite !== undefined && onNonfinite !== 'stop' && onNonfinite !== 'skip-batch') throw inputError(`--on-nonfinite: expected stop or skip-batch, got '${onNonfinite}'`);
  const scheduleEvery = o.scheduleEvery as string | undefined;
  if (scheduleEvery !== undefined && scheduleEvery !== 'epoch' && scheduleEvery !== 'batch') throw inputError(`--schedule-every: expected epoch or batch, got '${scheduleEvery}'`);
  const config: TrainConfig = {
    data,
    model: o.model as string | undefined,
    activation: o.activation as Activation | undefined,
    dropout: parseProbability('dropout', o.dropout),
    loss: o.loss as LossName | undefined,
    l1: parseNumber('l1', o.l1, 0),
    l2: parseNumber('l2', o.l2, 0),
    // no --opt: the name stays open, so a built-in's default recipe can apply
    optimizer: { ...(o.opt !== undefined ? { name: optName } : {}), ...options },
    schedule: o.schedule as string | undefined,
    scheduleEvery: scheduleEvery as TrainConfig['scheduleEvery'],
    averaging: averagingFromFlags(o),
    seed: parseNumber('seed', o.seed, 0, 2 ** 32 - 1, true),
    batch: o.batch === undefined ? undefined : parseBatchArg(o.batch as string),
    // 0 is allowed: it writes the initialized model (--save), which transfer workflows use
    epochs: parseNumber('epochs', o.epochs, 0, Infinity, true),
    shuffle: o.shuffle !== false,
    clipNorm: parseNumber('clip-norm', o.clipNorm, 0),
    clipValue: parseNumber('clip-value', o.clipValue, 0),
    earlyStopping: parseNumber('early-stopping', o.earlyStopping, 1, Infinity, true),
    onNonfinite: onNonfinite as TrainConfig['onNonfinite'],
    freeze: o.freeze as string | undefined,
    dtype: dtype as TrainConfig['dtype'],
    memoryLimit: modelMemoryLimit,
    save: o.save as string | undefined,
    out: o.out as string | undefined,
    checkpoint: o.checkpoint as string | undefined,
  };
  if (o.init !== undefined) config.init = { tensors: readModelFile(o.init as string, 'init').tensors, source: `--init ${o.init}`, newHead: o.newHead === true };
  else if (o.newHead) throw inputError('--new-head: needs --init FILE.safetensors (the pretrained body)');
  if (o.resume !== undefined) {
    const file = o.resume as string;
    const read = () => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(file));
      } catch {
        throw inputError(`--resume: cannot read '${file}'; expected a checkpoint written by --checkpoint`);
      }
      return parseCheckpoint(bytes, `--resume ${file}`);
    };
    config.resume = { checkpoint: read, source: `--resume ${file}` };
  }
  return config;
}

async function runTrain(o: Opts, hyperKeys: string[]): Promise<void> {
  // the fast path, chosen once where the backend starts: wasm kernels, relaxed SIMD, threads (--threads, DESCENT_THREADS)
  startFastPath(o.threads);
  const config = trainConfigFromFlags(o, hyperKeys);
  // every output path is checked before any work is done: an unwritable one is bad input, not a failed run
  if (config.save !== undefined) checkOutputFile('--save', config.save);
  if (config.checkpoint !== undefined) checkOutputFile('--checkpoint', config.checkpoint);
  if (config.out !== undefined) checkRunFolder('--out', config.out);
  checkRunFiles(o);
  // the checkpoint records the data file's size and SHA-256 (taken while it streamed in); --resume checks them
  if (typeof o.data === 'string') config.dataFile = digestOf(o.data);
  // Ctrl-C without a checkpoint path: a free name beside --save (or here), its folder checked now, not after the work
  if (config.checkpoint === undefined && config.out === undefined) {
    const fallback = interruptFolder(config.save);
    config.interruptCheckpoint = () => (fallback.writable ? freeInterruptPath(fallback.dir) : null);
    if (!fallback.writable && o.json !== true) process.stderr.write(`descent: note: ${quoteValue(fallback.dir)} is not writable, so Ctrl-C would save no checkpoint; add --checkpoint FILE to keep one\n`);
  }
  // one run per folder: the folder is locked when the run creates it, after every setting is checked
  const files: typeof nodeRunFiles = {
    ...nodeRunFiles,
    mkdir: (path) => {
      nodeRunFiles.mkdir(path);
      if (path === config.out) lockRunFolder('--out', path);
    },
  };
  const landscape = landscapeFlags(o);
  const json = o.json === true;
  // the weight iterates for the landscape's PCA plane: the start, then the weights after every epoch
  const iterates: Float32Array[] = [];
  const keep = (model: { params: ArrayLike<number> }) => { if (landscape) iterates.push(Float32Array.from(model.params)); };
  let trained: { params: ArrayLike<number> } | undefined;
  const out = (s: string) => process.stdout.write(s);
  let interrupted = false;
  const onSigint = () => { interrupted = true; };
  process.on('SIGINT', onSigint);
  const progress = createProgress(!json);
  let r: Awaited<ReturnType<typeof train>>;
  try {
    r = await train(config, {
      files,
      onNote: (line) => process.stderr.write(`descent: note: ${line}\n`),
      onStart: (s) => {
        trained = s.model;
        keep(s.model);
        // the README's resume line names no output: say so (once the checkpoint has loaded) rather than finish with nothing written
        if (s.resumed && config.checkpoint === undefined && config.save === undefined && config.out === undefined) {
          process.stderr.write(`descent: note: no --checkpoint, --save or --out: this run writes no file (${o.resume as string} stays as it was); add --checkpoint ${o.resume as string} to keep it updated\n`);
        }
        if (json) return;
        out(`${s.dataNote}\n${s.modelNote}\n`);
        for (const n of s.transferNotes) out(`${n}\n`);
        if (s.resumed) out(`resumed from ${o.resume as string} after epoch ${s.resumed.epoch}${s.resumed.batchInEpoch ? `, batch ${s.resumed.batchInEpoch}` : ''}\n`);
      },
      onEpochStart: (epoch, epochs, batches) => progress.startEpoch(epoch, epochs, batches),
      onProgress: (batch, loss, rate) => progress.update(batch, loss, rate),
      onEpoch: (m, epochs) => {
        if (trained) keep(trained);
        progress.stop();
        out((json ? JSON.stringify(m) : epochText(m, epochs)) + '\n');
      },
      yield: () => new Promise((resolve) => setImmediate(resolve)),
      interrupted: () => interrupted,
    });
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSigint);
  }
  if (r.interrupted) {
    const i = r.interrupted;
    if (i.checkpoint === null) {
      process.stderr.write(`descent: interrupted after epoch ${i.epoch}, batch ${i.batchInEpoch}; no checkpoint written (its folder is not writable)\n`);
      process.exitCode = 130;
      return;
    }
    process.stderr.write(`descent: interrupted after epoch ${i.epoch}, batch ${i.batchInEpoch}; checkpoint written to ${i.checkpoint} (continue with --resume ${i.checkpoint})\n`);
    process.exitCode = 130;
    return;
  }
  if (landscape) {
    // the loss around the trained weights and along the path, one forward pass per grid point, with a bar
    const bar = createCountProgress(!json, 'landscape');
    const l = lossLandscape(r.model, r.meta.loss, config.data.train, iterates, { resolution: landscape.grid, rows: landscape.rows, onProgress: (done, total) => bar.update(done, total) });
    bar.stop();
    const title = `${r.meta.model} on ${r.meta.data}`;
    const body = landscape.file.toLowerCase().endsWith('.json')
      ? JSON.stringify({ ...l, random: { ...l.random, loss: Array.from(l.random.loss) }, pca: l.pca ? { ...l.pca, loss: Array.from(l.pca.loss) } : undefined }) + '\n'
      : landscapePageHtml(l, title, `descent ${process.argv.slice(2).join(' ')}`);
    nodeRunFiles.write(landscape.file, body);
    if (!json) out(`  landscape: ${landscape.file} (${l.resolution}×${l.resolution} grid${l.pca ? 's, random slice and PCA plane' : ', random slice'}, ${l.rows} rows, ${l.seconds.toFixed(1)} s)\n`);
  }
  if (json) {
    out(JSON.stringify({ ...r.summary, compute: computeReport() }) + '\n');
    return;
  }
  const seconds = r.seconds;
  if (r.kind === 'search') {
    const s = r.search!;
    out(`done: ${s.method} ${s.nit} iterations, ${s.evaluations} evaluations (${s.reason}); loss ${s.fun.toPrecision(5)}\n`);
    return;
  }
  const last = r.history[r.history.length - 1];
  const fv = r.final;
  if (r.kind === 'lbfgs-torch') {
    out(`done: lbfgs-torch ${r.history.length} epochs, ${r.search!.evaluations} evaluations in ${seconds < 1 ? seconds.toFixed(3) : seconds.toFixed(1)} s` +
      (last ? `; train loss ${last.trainLoss.toPrecision(5)}` : '') + (fv ? `; validation loss ${fv.loss.toPrecision(5)}` : '') + '\n');
  } else {
    const skipped = r.summary.skippedBatches as number;
    out(`done: ${r.summary.epochs as number} epochs in ${seconds < 1 ? seconds.toFixed(3) : seconds.toFixed(1)} s (${r.samplesPerSecond} samples/s)` +
      (last ? `; train loss ${last.trainLoss.toPrecision(5)}` : '') +
      (fv ? `; validation loss ${fv.loss.toPrecision(5)}${fv.accuracy !== undefined ? `, accuracy ${(100 * fv.accuracy).toFixed(2)}% of ${config.data.val!.n}` : ''}` : '') +
      (r.stoppedEarly ? `; stopped early, best epoch ${r.summary.bestEpoch as number}${r.restoredBest ? ' (its weights kept)' : ''}` : '') +
      (skipped ? `; ${skipped} batches skipped (non-finite loss or gradient)` : '') + '\n');
  }
  if (config.save !== undefined) out(`  model: ${config.save}\n`);
  if (config.out !== undefined) out(`  run folder: ${config.out}\n`);
}

/**
 * No output of the run may be one of its inputs (`--data d.csv --save d.csv` would destroy the data),
 * nor two outputs one file; the one pair meant to be one file is a resumed checkpoint that the run keeps
 * updating (`--resume ck --checkpoint ck`, or the run folder's own checkpoint).
 */
function checkRunFiles(o: Opts): void {
  const outputs: RunFile[] = [];
  if (o.save !== undefined) outputs.push({ flag: '--save', path: o.save as string });
  if (o.checkpoint !== undefined) outputs.push({ flag: '--checkpoint', path: o.checkpoint as string });
  // the run folder's checkpoint.safetensors is written only when --checkpoint names no other file
  if (o.out !== undefined) for (const n of RUN_FOLDER_FILES) if (n !== 'checkpoint.safetensors' || o.checkpoint === undefined) outputs.push({ flag: '--out', path: join(o.out as string, n) });
  if (o.landscape !== undefined) outputs.push({ flag: '--landscape', path: String(o.landscape) });
  const inputs: RunFile[] = [];
  if (typeof o.data === 'string' && existsSync(o.data)) inputs.push({ flag: '--data', path: o.data });
  if (o.init !== undefined) inputs.push({ flag: '--init', path: o.init as string });
  if (o.resume !== undefined) inputs.push({ flag: '--resume', path: o.resume as string });
  const continues = (out: RunFile, inp: RunFile) => inp.flag === '--resume' && (out.flag === '--checkpoint' || (out.flag === '--out' && out.path.endsWith('checkpoint.safetensors')));
  checkDistinctFiles(outputs, inputs, continues);
  if (o.resume !== undefined) allowOverwrite(o.resume as string);
}

/** --landscape FILE (.html page or .json numbers), --landscape-grid N and --landscape-rows N|all, checked before training. */
function landscapeFlags(o: Opts): { file: string; grid: number; rows: number } | null {
  if (o.landscape === undefined) {
    if (o.landscapeGrid !== undefined) throw inputError('--landscape-grid: needs --landscape FILE');
    if (o.landscapeRows !== undefined) throw inputError('--landscape-rows: needs --landscape FILE');
    return null;
  }
  const file = String(o.landscape);
  if (!/\.(html|json)$/i.test(file)) throw inputError(`--landscape: expected a file name ending in .html or .json, got '${file}'`);
  checkOutputFile('--landscape', file);
  const grid = o.landscapeGrid === undefined ? 41 : Number(o.landscapeGrid);
  if (!Number.isInteger(grid) || grid < 3 || grid > 201) throw inputError(`--landscape-grid: expected an integer in [3, 201], got '${String(o.landscapeGrid)}'`);
  return { file, grid, rows: landscapeRows(o.landscapeRows) };
}

function epochText(m: EpochMetrics, epochs: number): string {
  let s = `epoch ${m.epoch}/${epochs}: train loss ${m.trainLoss.toPrecision(5)}, lr ${Number(m.lr.toPrecision(4))}`;
  if (m.valLoss !== undefined) s += `, val loss ${m.valLoss.toPrecision(5)}`;
  if (m.valAccuracy !== undefined) s += `, val accuracy ${(100 * m.valAccuracy).toFixed(2)}%`;
  if (m.skippedBatches) s += `, ${m.skippedBatches} batches skipped (non-finite)`;
  return s;
}

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('fit a model to data (float32, or --dtype float64); --json prints one line per epoch and a final {"done": true, ...}')
    .option('--data <name|file.csv>', `dataset: ${Object.keys(builtinDatasets).join(', ')}, or a CSV file with a header row`)
    .option('--target <column>', 'target column of a CSV file (default: the last)')
    .option('--val <fraction>', 'hold out the last FRACTION of the rows (file order) for validation; default 0 for CSV files, per dataset for built-ins (mnist 0.2 = its 2,000 held out)')
    .option('--standardize [bool]', 'standardize features with the training rows\' mean and std; default off for CSV files and mnist, on for the other built-ins')
    .option('--model <kind>', 'linear | logistic | softmax | mlp:H1,H2,... | sparse-linear | sparse-logistic | sparse-softmax (default per dataset; mnist mlp:512,256 with dropout 0.3); sparse-*: the features are read as index lists of each row\'s nonzeros (EmbeddingBag sum with per-sample values, + bias), whose gradient is sparse: with --opt sparse-adam, sparse-adam steps that weight and Adam (same lr, betas, eps) the bias')
    .option('--activation <name>', 'relu | sigmoid | tanh (mlp; default relu)')
    .option('--dropout <p>', 'dropout probability after each hidden activation (train mode only; default 0)')
    .option('--loss <name>', 'mse | bce | ce | hinge (default: linear → mse, logistic → bce, others → ce)')
    .option('--l1 <lambda>', 'add λ·Σ|W| over weight matrices to the loss for the gradient (not to trainLoss)')
    .option('--l2 <lambda>', 'add λ·ΣW² over weight matrices to the loss for the gradient (not to trainLoss)')
    .option('--opt <name>', `optimizer (default adam): ${knownOptimizerNames().join(', ')}; line-search methods need --batch full`)
    .option('--lr <x>', 'learning rate (default: the optimizer\'s; 0.002 in mnist\'s default recipe)')
    .option('--schedule <spec>', 'learning-rate schedule NAME:KEY=VALUE,..., stepped once per epoch (plateau on the validation loss, or the train loss without validation); mnist\'s default recipe adds cosine over the epochs (and lr 0.002) unless --model, --opt or --lr is given')
    .option('--schedule-every <epoch|batch>', 'step the schedule once per epoch (default, the contract) or after every batch (its counts are then in steps)')
    .option('--batch <n|full>', 'rows per batch, or full (default 64 for built-ins, 32 for CSV files)')
    .option('--epochs <n>', 'epochs in all, counting those of a resumed run (default 20; mnist 10); 0 writes the initial model (--save, --out) without training')
    .option('--seed <n>', 'seed of the initialization, dropout masks and the shuffles (default 0)')
    .option('--threads <n>', threadsHelp)
    .option('--no-shuffle', 'batches in file order (default: a fresh seeded permutation each epoch)')
    .option('--early-stopping <patience>', 'stop after PATIENCE epochs without a lower validation loss; the best epoch\'s weights are kept')
    .option('--clip-norm <max>', 'rescale the gradient to global L2 norm MAX when larger')
    .option('--clip-value <max>', 'clamp each gradient component to [-MAX, MAX]')
    .option('--init <file.safetensors>', 'initial weights (torch state_dict names and shapes of this model)')
    .option('--new-head', 'with --init: load every layer but the output layer, which starts fresh (any width; transfer learning)')
    .option('--freeze <layers>', 'layer indices or parameter names kept fixed (left out of the optimizer), e.g. 0,2')
    .option('--save <file.safetensors>', 'write the final model (torch state_dict names, F32)')
    .option('--out <dir>', 'run folder: config.json, metrics.jsonl, model.safetensors, loss-curve.svg, checkpoint.safetensors on Ctrl-C')
    .option('--checkpoint <file>', 'write model, optimizer, schedule and RNG state after every epoch (and on Ctrl-C)')
    .option('--resume <file>', 'continue a run from its checkpoint, with the same settings; --epochs counts all epochs')
    .option('--on-nonfinite <stop|skip-batch>', 'a batch with a NaN or infinite loss or gradient: stop the run (default; exit 1, the weights and checkpoint of the last good step kept) or skip it (no update; counted and reported; an epoch of only skipped batches stops the run)')
    .option('--dtype <float32|float64>', 'precision of the model, gradients, optimizer state and data (default float32; float64 as torch\'s model.double(), on the TypeScript kernels: full-batch quasi-Newton fits to the optimum)')
    .option('--ema <decay>', 'keep an exponential moving average of the weights, updated after every step (torch AveragedModel + get_ema_multi_avg_fn); validation and the saved model use it')
    .option('--swa-start <epoch>', 'stochastic weight averaging: from the end of this epoch (counted from 1) on, average the weights every epoch and step SWALR instead of --schedule')
    .option('--swa-lr <x>', 'with --swa-start: the lr SWALR anneals to')
    .option('--swa-anneal-epochs <n>', 'with --swa-start: epochs of SWALR\'s annealing (default 10; 0: at once)')
    .option('--swa-anneal <cos|linear>', 'with --swa-start: SWALR\'s annealing shape (default cos)')
    .option('--landscape <file.html|file.json>', 'after training, the loss landscape (Li et al. 2018): a random filter-normalized slice around the trained weights and the PCA plane of the weight path, as a page or numbers')
    .option('--landscape-grid <n>', 'grid points per axis of each landscape slice (default 41)')
    .option('--landscape-rows <n|all>', `training rows each landscape point evaluates: a seeded subset, the same at every point, or all (default ${LANDSCAPE_ROWS})`)
    .option('--json', 'one JSON object per epoch, then {"done": true, ...}');
  const hyperKeys = addHyperparameterFlags(cmd);
  cmd.action(async (opts: Opts) => {
    const o: Opts = {};
    for (const [k, v] of Object.entries(opts)) o[k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())] = v;
    await runTrain(o, hyperKeys);
  });
}
