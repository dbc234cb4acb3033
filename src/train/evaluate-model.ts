/**
 * `evaluateModel(config)`: everything `descent eval` does, as a library call. A saved model's tensors and metadata
 * (`parseModelFile`) and the rows (`loadRows`) go in; the rows are chosen as the model was trained (its held-out
 * tail on the same data, else every row), standardized with the training statistics the file carries, checked
 * against the model's inputs, outputs and loss, and scored. Browser-safe: the caller reads the files.
 */
import { inputError, runError } from '../errors.js';
import { applyStandardizer, splitTail, type Dataset } from '../data/index.js';
import type { LoadedRows } from '../data/load-dataset.js';
import { buildModel, checkModelMemory, lossByName, parseModelArg, type Activation, type LossName, type MemoryBudget } from '../nn/index.js';
import { evaluate } from './trainer.js';
import type { ModelMeta } from './model-file.js';
import type { StateTensors } from './train.js';

/** Float32 copies of the parameters while a model is built: weights, gradients and the float64 initial values (two). */
const EVAL_COPIES = 4;

/** What `descent eval` takes, typed. */
export interface EvaluateModelConfig {
  /** The model's tensors by state_dict name, and the descent metadata saved beside them (null for a file from elsewhere). */
  tensors: StateTensors;
  meta: ModelMeta | null;
  /** Names the model in messages (the file). */
  source: string;
  /** The rows, as read (`loadRows`). */
  data: LoadedRows;
  /** Score the last fraction of the rows (default: the rows held out in training on the same data, else the built-in's, else all). */
  val?: number;
  /** Score every row. */
  all?: boolean;
  /** The architecture, activation and loss (default: the metadata's). */
  arch?: string;
  activation?: Activation;
  loss?: LossName;
  /** false: skip the standardization stored in the metadata (default true). */
  standardize?: boolean;
  /** The largest model accepted; none by default. */
  memoryLimit?: MemoryBudget;
}

/** The score: rows, loss and (for classes) accuracy, with what was scored. */
export interface EvaluateModelResult {
  n: number;
  loss: number;
  accuracy?: number;
  lossName: LossName;
  /** Which rows: 'all rows' or 'the last N rows (--val F)'. */
  which: string;
  /** Whether the metadata's standardization was applied. */
  standardized: boolean;
}

/**
 * Scores a saved model on rows as `descent eval` does; see EvaluateModelConfig. Shapes, targets and memory are
 * checked before the model is built; a non-finite loss is a run error, never a null score.
 *
 * @example
 * const { tensors, meta } = parseModelFile(bytes, 'model.safetensors');
 * const r = evaluateModel({ tensors, meta, source: 'model.safetensors', data: loadRows('iris') });
 */
export function evaluateModel(config: EvaluateModelConfig): EvaluateModelResult {
  const { tensors, meta, data, source: file } = config;
  const arch = config.arch ?? meta?.model;
  if (arch === undefined) throw inputError(`--arch: ${file} has no descent metadata; give --arch linear|logistic|softmax|mlp:H1,... (and --activation, --loss)`);
  const { kind, hidden, sparse } = parseModelArg(arch);
  const activation = (config.activation ?? meta?.activation ?? 'relu') as Activation;
  const lossName = (config.loss ?? meta?.loss ?? (kind === 'linear' ? 'mse' : kind === 'logistic' ? 'bce' : 'ce')) as LossName;
  lossByName(lossName);
  // which rows: all, val F, else the held-out rows the model was trained without (same data), else all
  let rows: Dataset = data.all;
  let which = 'all rows';
  const sameData = meta?.data === data.name;
  const frac = config.val !== undefined ? config.val : config.all ? 0 : sameData ? meta!.val : data.builtin?.val ?? 0;
  if (!(frac >= 0 && frac < 1)) throw inputError(`--val: expected a fraction in [0, 1), got '${frac}'`);
  if (frac > 0) {
    const { val } = splitTail(data.all, frac);
    if (val) { rows = val; which = `the last ${val.n} rows (--val ${frac})`; }
  }
  const standardized = !!meta?.standardize && config.standardize !== false;
  if (meta?.standardize && standardized) {
    if (meta.standardize.mean.length !== rows.d) throw inputError(`--data: ${data.name} has ${rows.d} features, the model's standardization ${meta.standardize.mean.length}`);
    rows = applyStandardizer(rows, { mean: Float64Array.from(meta.standardize.mean), std: Float64Array.from(meta.standardize.std) });
  }
  const w0 = tensors['0.weight'];
  if (!w0) throw inputError(`--model ${file}: no tensor '0.weight'; expected torch Sequential state_dict names`);
  // a sparse input layer keeps EmbeddingBag's layout [in, out]; Linear's is [out, in]
  const inAxis = sparse ? 0 : 1;
  if (w0.shape[inAxis] !== rows.d) throw inputError(`--model ${file}: '0.weight' takes ${w0.shape[inAxis]} features, --data ${data.name} has ${rows.d}`);
  const last = Object.entries(tensors).filter(([k]) => k.endsWith('.weight')).sort((a, b) => parseInt(a[0]) - parseInt(b[0])).pop()!;
  const outFeatures = last[1].shape[sparse ? 1 : 0];
  checkTargets(lossName, outFeatures, rows, data.all.n - rows.n, data.name, file);
  // before building: a wrong --arch (mlp:100000000) would otherwise allocate its layers before the shapes are compared
  if (config.memoryLimit) {
    checkModelMemory({ kind, hidden, inFeatures: rows.d, outFeatures }, {
      limit: config.memoryLimit, copies: EVAL_COPIES, what: `--arch ${arch}`,
      holds: 'to evaluate (float32 weights and gradients, and their float64 initial values while the layers are built)',
      advice: `expected the architecture of the tensors in ${file}`,
    });
  }
  const model = buildModel({ kind, hidden, sparse, activation, inFeatures: rows.d, outFeatures });
  model.loadStateDict(tensors, `--model ${file}`);
  const r = evaluate(model, lossName, rows);
  // finite weights and data can still overflow: a NaN loss is a failure, never `"loss": null` and exit 0
  if (!Number.isFinite(r.loss)) throw runError(`--model ${file}: the ${lossName} loss on ${data.name} is ${r.loss} (the outputs overflow); check the data's scale and --standardize`);
  return { n: rows.n, loss: r.loss, ...(r.accuracy !== undefined ? { accuracy: r.accuracy } : {}), lossName, which, standardized };
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
