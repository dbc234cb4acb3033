/**
 * The models of `descent train --model` as the torch.nn.Sequential PyTorch would build.
 */
import { inputError, unknownName } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import type { DType } from '../tensor/tensor.js';
import { Dropout, Linear, ReLU, Sequential, Sigmoid, Tanh, type Module } from './module.js';
import { SparseLinear } from './sparse.js';

/**
 * The model families of `descent train --model`: `linear` (least squares), `logistic` (one logit, bce),
 * `softmax` (K logits, cross-entropy), all one {@link Linear} layer; `mlp` (Linear layers with activations between).
 */
export type ModelKind = 'linear' | 'logistic' | 'softmax' | 'mlp';
/** The hidden activation of an mlp: torch.nn.ReLU, Sigmoid or Tanh. */
export type Activation = 'relu' | 'sigmoid' | 'tanh';

/**
 * What {@link buildModel} builds: the model's kind, its input and output widths, an mlp's hidden widths,
 * activation (default relu) and dropout, the dtype (default float32) and the init generator.
 */
export interface ModelSpec {
  kind: ModelKind;
  inFeatures: number;
  /** Outputs: 1 (or the number of targets) for linear/logistic, K classes for softmax and classifier MLPs. */
  outFeatures: number;
  /** Hidden widths for mlp (H1, H2, ...). */
  hidden?: number[];
  activation?: Activation;
  /** Dropout drop probability after each hidden activation (0: no Dropout layers). */
  dropout?: number;
  dtype?: DType;
  /** Draws for init and dropout masks (default seed 0). */
  rng?: Rng;
  /**
   * Refuse (input error, before allocating anything) a model whose training memory would pass this:
   * the estimate is parameters × value size × 5 (weights, gradients, up to three optimizer buffers).
   */
  memoryLimit?: MemoryBudget;
  /**
   * A sparse input layer (`--model sparse-linear|sparse-logistic|sparse-softmax`): linear, logistic and
   * softmax only; the one layer is a {@link SparseLinear} (EmbeddingBag over each row's nonzero features + bias).
   */
  sparse?: boolean;
}

/** Copies of the parameters a training run holds: weights, gradients and at most three optimizer state buffers. */
export const TRAINING_COPIES = 5;

/** Parameters of the model `spec` describes (weights and biases of every Linear layer), without building it. */
export function parameterCount(spec: Pick<ModelSpec, 'kind' | 'inFeatures' | 'outFeatures' | 'hidden'>): number {
  const widths = [spec.inFeatures, ...(spec.kind === 'mlp' ? spec.hidden ?? [] : []), spec.outFeatures];
  let p = 0;
  for (let i = 1; i < widths.length; i++) p += widths[i - 1] * widths[i] + widths[i];
  return p;
}

/** Where a memory budget comes from: bytes, and the reason for the message (src/cli/limits.ts). */
export interface MemoryBudget {
  bytes: number;
  why: string;
}

/** How a command holds a model's parameters, for `checkModelMemory`. */
export interface ModelMemoryUse {
  limit: MemoryBudget;
  /** Copies of the parameters held at the peak (TRAINING_COPIES for one training run). */
  copies: number;
  /** The flag and value at fault in the message, e.g. `--model mlp:64`. */
  what: string;
  /** What the copies are, e.g. 'to train (float32 weights, gradients and optimizer state)'. */
  holds: string;
  /** What to change, e.g. 'use smaller hidden widths'. */
  advice: string;
  dtype?: DType;
}

/**
 * Refuses, as an input error and before anything is allocated, a model whose `copies` copies of its
 * parameters would pass the budget; the message names the parameters, the bytes and the limit.
 */
export function checkModelMemory(spec: Pick<ModelSpec, 'kind' | 'inFeatures' | 'outFeatures' | 'hidden'>, use: ModelMemoryUse): void {
  const params = parameterCount(spec);
  const bytes = params * (use.dtype === 'float64' ? 8 : 4) * use.copies;
  if (bytes > use.limit.bytes) {
    throw inputError(
      `${use.what}: ${params} parameters need about ${bytes} bytes ${use.holds}, over the limit of ${use.limit.bytes} bytes (${use.limit.why}); ${use.advice}`,
    );
  }
}

function checkMemory(spec: ModelSpec, dtype: DType, what: string): void {
  if (!spec.memoryLimit) return;
  checkModelMemory(spec, {
    limit: spec.memoryLimit, copies: TRAINING_COPIES, dtype, what: `--model ${what}`,
    holds: `to train (${dtype} weights, gradients and optimizer state)`, advice: 'use smaller hidden widths',
  });
}

const activations = { relu: ReLU, sigmoid: Sigmoid, tanh: Tanh } as const;

/**
 * linear / logistic: [Linear(d, out)]; softmax: [Linear(d, K)];
 * mlp: [Linear(d, H1), Act, (Dropout), Linear(H1, H2), Act, (Dropout), ..., Linear(Hn, out)].
 * Layers are initialized in order (weight then bias), each from `rng`.
 */
export function buildModel(spec: ModelSpec): Sequential {
  const dtype = spec.dtype ?? 'float32';
  const rng = spec.rng ?? new Rng(0);
  const act = spec.activation ?? 'relu';
  if (!Object.hasOwn(activations, act)) throw unknownName('activation', act, Object.keys(activations));
  const p = spec.dropout ?? 0;
  if (!(p >= 0 && p < 1)) throw inputError(`--dropout: expected a probability in [0, 1), got ${p}`);
  const d = spec.inFeatures, out = spec.outFeatures;
  if (spec.kind === 'mlp' && (spec.hidden ?? []).every((h) => Number.isInteger(h) && h >= 1)) checkMemory(spec, dtype, `mlp:${(spec.hidden ?? []).join(',')}`);
  else if (spec.kind !== 'mlp') checkMemory(spec, dtype, spec.kind);
  switch (spec.kind) {
    case 'linear':
    case 'logistic':
    case 'softmax':
      return new Sequential(spec.sparse ? new SparseLinear(d, out, { rng, dtype }) : new Linear(d, out, { rng, dtype }));
    case 'mlp': {
      if (spec.sparse) throw inputError('--model: a sparse input layer comes with linear, logistic or softmax (sparse-linear, sparse-logistic, sparse-softmax), not mlp');
      const hidden = spec.hidden ?? [];
      if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) {
        throw inputError(`--model mlp: expected hidden widths like mlp:32,16 (positive integers), got [${hidden.join(', ')}]`);
      }
      const layers: Module[] = [];
      let prev = d;
      for (const h of hidden) {
        layers.push(new Linear(prev, h, { rng, dtype }), new activations[act](dtype));
        if (p > 0) layers.push(new Dropout(p, { rng, dtype }));
        prev = h;
      }
      layers.push(new Linear(prev, out, { rng, dtype }));
      return new Sequential(...layers);
    }
    default:
      throw unknownName('model', String(spec.kind), ['linear', 'logistic', 'softmax', 'mlp']);
  }
}

/**
 * Parses `--model` text: linear | logistic | softmax | mlp:H1,H2,... | sparse-linear | sparse-logistic |
 * sparse-softmax (the same models with a sparse input layer: `sparse` true).
 */
export function parseModelArg(text: string): { kind: ModelKind; hidden: number[]; sparse: boolean } {
  if (text === 'linear' || text === 'logistic' || text === 'softmax') return { kind: text, hidden: [], sparse: false };
  if (text === 'sparse-linear' || text === 'sparse-logistic' || text === 'sparse-softmax') {
    return { kind: text.slice('sparse-'.length) as ModelKind, hidden: [], sparse: true };
  }
  const m = /^mlp:(\d+(?:,\d+)*)$/.exec(text);
  if (m) {
    const hidden = m[1].split(',').map(Number);
    if (hidden.every((h) => h >= 1)) return { kind: 'mlp', hidden, sparse: false };
  }
  throw inputError(`--model: expected linear, logistic, softmax or mlp:H1,H2,... (positive widths), got '${text}' (sparse-linear, sparse-logistic and sparse-softmax read the features as sparse index lists)`);
}
