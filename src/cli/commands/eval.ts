/**
 * `descent eval --model FILE.safetensors --data NAME|FILE.csv`: the loss and accuracy of a saved model.
 * A model saved by `descent train --save` carries its architecture, loss and standardization in the
 * file's metadata; for a file from elsewhere (PyTorch) give --arch, --activation and --loss.
 * Flags → an EvaluateModelConfig → the library's `evaluateModel()` (src/train/evaluate-model.ts) → output.
 */
import type { Command } from 'commander';
import { inputError } from '../../errors.js';
import type { Activation, LossName } from '../../nn/index.js';
import { memoryLimit } from '../limits.js';
import { evaluateModel } from '../../train/evaluate-model.js';
import { loadRows } from '../../node/datasets.js';
import { readModelFile } from '../model-file.js';

type Opts = Record<string, string | boolean | undefined>;

async function runEval(o: Opts): Promise<void> {
  if (o.model === undefined) throw inputError('--model: required; a .safetensors file written by descent train --save (or PyTorch, with --arch)');
  if (o.data === undefined) throw inputError('--data: required; a built-in name or a CSV file');
  const file = o.model as string;
  const { tensors, meta } = readModelFile(file, 'model');
  const valRaw = o.val as string | undefined;
  const val = valRaw === undefined ? undefined : Number(valRaw);
  if (val !== undefined && (!(val >= 0 && val < 1) || valRaw!.trim() === '')) throw inputError(`--val: expected a fraction in [0, 1), got '${valRaw}'`);
  if (o.standardize !== undefined && o.standardize !== 'true' && o.standardize !== 'false') throw inputError(`--standardize: expected true or false, got '${String(o.standardize)}'`);
  const data = loadRows(o.data as string, { target: o.target as string | undefined, memoryLimit: memoryLimit() });
  const r = evaluateModel({
    tensors, meta, source: file, data, val, all: o.all === true,
    arch: o.arch as string | undefined, activation: o.activation as Activation | undefined, loss: o.loss as LossName | undefined,
    standardize: o.standardize !== 'false', memoryLimit: memoryLimit(),
  });
  const out = { n: r.n, loss: r.loss, ...(r.accuracy !== undefined ? { accuracy: r.accuracy } : {}) };
  if (o.json) process.stdout.write(JSON.stringify(out) + '\n');
  else {
    process.stdout.write(`${file} on ${data.name}, ${r.which}${meta?.standardize ? ', standardized with the training statistics' : ''}:\n`);
    process.stdout.write(`  loss (${r.lossName}) ${r.loss.toPrecision(5)}${r.accuracy !== undefined ? `, accuracy ${(100 * r.accuracy).toFixed(2)}% (${Math.round(r.accuracy * r.n)} of ${r.n})` : ''}\n`);
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
