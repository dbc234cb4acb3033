/**
 * `descent eval --model FILE.safetensors --data NAME|FILE.csv`: the loss and accuracy of a saved model.
 * A model saved by `descent train --save` carries its architecture, loss and standardization in the
 * file's metadata; for a file from elsewhere (PyTorch) give --arch, --activation and --loss.
 */
import type { Command } from 'commander';
import { inputError, runError } from '../../errors.js';
import { applyStandardizer, splitTail, type Dataset } from '../../data/index.js';
import { buildModel, checkModelMemory, lossByName, parseModelArg, type Activation, type LossName } from '../../nn/index.js';
import { memoryLimit } from '../limits.js';
import { evaluate } from '../../train/trainer.js';
import { loadRows } from '../../node/datasets.js';
import { readModelFile } from '../model-file.js';

type Opts = Record<string, string | boolean | undefined>;

/** Float32 copies of the parameters while a model is built: weights, gradients and the float64 initial values (two). */
const EVAL_COPIES = 4;

async function runEval(o: Opts): Promise<void> {
  if (o.model === undefined) throw inputError('--model: required; a .safetensors file written by descent train --save (or PyTorch, with --arch)');
  if (o.data === undefined) throw inputError('--data: required; a built-in name or a CSV file');
  const file = o.model as string;
  const { tensors, meta } = readModelFile(file, 'model');
  const arch = (o.arch as string | undefined) ?? meta?.model;
  if (arch === undefined) throw inputError(`--arch: ${file} has no descent metadata; give --arch linear|logistic|softmax|mlp:H1,... (and --activation, --loss)`);
  const { kind, hidden } = parseModelArg(arch);
  const activation = ((o.activation as string | undefined) ?? meta?.activation ?? 'relu') as Activation;
  const lossName = ((o.loss as string | undefined) ?? meta?.loss ?? (kind === 'linear' ? 'mse' : kind === 'logistic' ? 'bce' : 'ce')) as LossName;
  lossByName(lossName);
  const data = loadRows(o.data as string, { target: o.target as string | undefined, memoryLimit: memoryLimit() });
  // which rows: --all, --val F, else the held-out rows the model was trained without (same data), else all
  let rows: Dataset = data.all;
  let which = 'all rows';
  const sameData = meta?.data === data.name;
  const valRaw = o.val as string | undefined;
  const frac = valRaw !== undefined ? Number(valRaw) : o.all ? 0 : sameData ? meta!.val : data.builtin?.val ?? 0;
  if (!(frac >= 0 && frac < 1) || valRaw?.trim() === '') throw inputError(`--val: expected a fraction in [0, 1), got '${valRaw}'`);
  if (frac > 0) {
    const { val } = splitTail(data.all, frac);
    if (val) { rows = val; which = `the last ${val.n} rows (--val ${frac})`; }
  }
  if (o.standardize !== undefined && o.standardize !== 'true' && o.standardize !== 'false') throw inputError(`--standardize: expected true or false, got '${String(o.standardize)}'`);
  if (meta?.standardize && o.standardize !== 'false') {
    if (meta.standardize.mean.length !== rows.d) throw inputError(`--data: ${data.name} has ${rows.d} features, the model's standardization ${meta.standardize.mean.length}`);
    rows = applyStandardizer(rows, { mean: Float64Array.from(meta.standardize.mean), std: Float64Array.from(meta.standardize.std) });
  }
  const w0 = tensors['0.weight'];
  if (!w0) throw inputError(`--model ${file}: no tensor '0.weight'; expected torch Sequential state_dict names`);
  if (w0.shape[1] !== rows.d) throw inputError(`--model ${file}: '0.weight' takes ${w0.shape[1]} features, --data ${data.name} has ${rows.d}`);
  const last = Object.entries(tensors).filter(([k]) => k.endsWith('.weight')).sort((a, b) => parseInt(a[0]) - parseInt(b[0])).pop()!;
  const outFeatures = last[1].shape[0];
  checkTargets(lossName, outFeatures, rows, data.all.n - rows.n, data.name, file);
  // before building: a wrong --arch (mlp:100000000) would otherwise allocate its layers before the shapes are compared
  checkModelMemory({ kind, hidden, inFeatures: rows.d, outFeatures }, {
    limit: memoryLimit(), copies: EVAL_COPIES, what: `--arch ${arch}`,
    holds: 'to evaluate (float32 weights and gradients, and their float64 initial values while the layers are built)',
    advice: `expected the architecture of the tensors in ${file}`,
  });
  const model = buildModel({ kind, hidden, activation, inFeatures: rows.d, outFeatures });
  model.loadStateDict(tensors, `--model ${file}`);
  const r = evaluate(model, lossName, rows);
  // finite weights and data can still overflow: a NaN loss is a failure, never `"loss": null` and exit 0
  if (!Number.isFinite(r.loss)) throw runError(`--model ${file}: the ${lossName} loss on ${data.name} is ${r.loss} (the outputs overflow); check the data's scale and --standardize`);
  const out = { n: rows.n, loss: r.loss, ...(r.accuracy !== undefined ? { accuracy: r.accuracy } : {}) };
  if (o.json) process.stdout.write(JSON.stringify(out) + '\n');
  else {
    process.stdout.write(`${file} on ${data.name}, ${which}${meta?.standardize ? ', standardized with the training statistics' : ''}:\n`);
    process.stdout.write(`  loss (${lossName}) ${r.loss.toPrecision(5)}${r.accuracy !== undefined ? `, accuracy ${(100 * r.accuracy).toFixed(2)}% (${Math.round(r.accuracy * rows.n)} of ${rows.n})` : ''}\n`);
  }
}

/** The loss must fit the model's outputs, and every target the loss: class indices below K, 0/1 for bce. Rows are the scored tail, `firstRow` rows into the file. */
function checkTargets(lossName: LossName, out: number, rows: Dataset, firstRow: number, dataName: string, file: string): void {
  const classes = lossName === 'ce' || lossName === 'hinge';
  if (classes && out < 2) throw inputError(`--loss ${lossName}: the model in ${file} has ${out} output; ${lossName} needs one per class (use --loss ${out === 1 ? 'bce or mse' : 'mse'})`);
  if (!classes && out !== 1) throw inputError(`--loss ${lossName}: the model in ${file} has ${out} outputs; ${lossName} needs 1 (use --loss ce or hinge for ${out} classes)`);
  for (let i = 0; i < rows.n; i++) {
    const v = rows.y[i];
    const ok = classes ? Number.isInteger(v) && v >= 0 && v < out : lossName === 'bce' ? v === 0 || v === 1 : true;
    if (!ok) {
      const expected = classes ? `a class index 0..${out - 1} (the model has ${out} outputs)` : '0 or 1';
      throw inputError(`--data ${dataName}: row ${firstRow + i + 1}, target '${rows.targetName}': expected ${expected}, got ${v}`);
    }
  }
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('loss and accuracy of a saved model on a dataset; --json prints {n, loss, accuracy}')
    .option('--model <file.safetensors>', 'a model written by descent train --save (or PyTorch, with --arch)')
    .option('--data <name|file.csv>', 'a built-in dataset or a CSV file')
    .option('--target <column>', 'target column of a CSV file (default: the last)')
    .option('--val <fraction>', 'score the last FRACTION of the rows (default: the rows held out when the model was trained on this data)')
    .option('--all', 'score every row')
    .option('--arch <kind>', 'linear | logistic | softmax | mlp:H1,... (default: from the model file)')
    .option('--activation <name>', 'relu | sigmoid | tanh (default: from the model file)')
    .option('--loss <name>', 'mse | bce | ce | hinge (default: from the model file)')
    .option('--standardize <bool>', 'false: skip the standardization stored in the model file')
    .option('--json', 'print {n, loss, accuracy}')
    .action(async (opts: Opts) => runEval(opts));
}
