/**
 * The lectures' transfer-learning example on digits, as a function: pretrain an MLP on the digits 0–4,
 * then learn 5–9 from a few examples (default 50) four ways, and score each on held-out 5–9:
 *   scratch     a fresh MLP trained on the few examples;
 *   head        pretrained body frozen (`--freeze 0,2`), only a new linear head trained;
 *   top         layer 0 frozen, layer 2 fine-tuned and the new head trained;
 *   all         every layer fine-tuned from the pretrained weights, with a new head.
 * Pure: data in, numbers out (docs/transfer.md reports them; test/train/transfer.test.ts checks them).
 */
import { buildModel, type Sequential } from '../nn/index.js';
import { Rng } from '../tensor/rng.js';
import { accuracyOf, fitClassifier, predictProba, type ClassData } from './ensemble-fit.js';
import { initFrom, parseFreeze } from './transfer.js';

/**
 * Settings of {@link digitsTransferExample}: the new task's training rows, seed, the mlp's hidden widths
 * (default [256, 128]), epochs of pretraining (default 20) and of the new task (default 100), learning rates,
 * activation and dropout.
 */
export interface TransferExampleOptions {
  /** Training examples of the new task (digits 5–9). Default 50. */
  small?: number;
  seed?: number;
  hidden?: number[];
  pretrainEpochs?: number;
  epochs?: number;
  /** Adam lr for scratch and the head (default 1e-2) and for fine-tuning pretrained layers (default 1e-3). */
  lr?: number;
  fineTuneLr?: number;
  /** Hidden activation (default relu). */
  activation?: 'relu' | 'sigmoid' | 'tanh';
  /** Dropout after each hidden activation (default 0). */
  dropout?: number;
}

/**
 * {@link digitsTransferExample}'s figures: the pretrained model's accuracy on digits 0–4, the new task's
 * training and held-out rows, and held-out accuracy on digits 5–9 four ways: from scratch, head only (body
 * frozen), the first layer frozen (`top`: every layer above it fine-tuned), and everything fine-tuned.
 */
export interface TransferExampleResult {
  pretrainAccuracy: number;
  small: number;
  heldOut: number;
  accuracy: { scratch: number; head: number; top: number; all: number };
}

/** Rows with label in [lo, lo+5), labels shifted to 0..4; at most `limit` of them, in order. */
function subset(data: ClassData, lo: number, limit = Infinity): ClassData {
  const idx: number[] = [];
  for (let i = 0; i < data.n && idx.length < limit; i++) if (data.y[i] >= lo && data.y[i] < lo + 5) idx.push(i);
  const x = new Float32Array(idx.length * data.d), y = new Int32Array(idx.length);
  idx.forEach((i, r) => { x.set(data.x.subarray(i * data.d, (i + 1) * data.d), r * data.d); y[r] = data.y[i] - lo; });
  return { x, y, n: idx.length, d: data.d };
}

/** `train` and `test` are digits with labels 0–9 (features scaled, e.g. pixels / 16). */
export function digitsTransferExample(train: ClassData, test: ClassData, o: TransferExampleOptions = {}): TransferExampleResult {
  const seed = o.seed ?? 0, hidden = o.hidden ?? [256, 128], epochs = o.epochs ?? 100, small = o.small ?? 50;
  const make = (s: number): Sequential => buildModel({ kind: 'mlp', hidden, inFeatures: train.d, outFeatures: 5, dropout: o.dropout ?? 0, activation: o.activation ?? 'relu', rng: new Rng(s) });
  const pre = subset(train, 0), preTest = subset(test, 0);
  const newTrain = subset(train, 5, small), newTest = subset(test, 5);

  const base = make(1000 + seed);
  fitClassifier(base, pre, { opt: 'adam', hyper: { lr: 1e-3 }, epochs: o.pretrainEpochs ?? 20, batchSize: 32, seed });
  const pretrainAccuracy = accuracyOf(predictProba(base, preTest.x, preTest.n, preTest.d), preTest.y, 5);
  const pretrained = base.stateDict();

  const score = (m: Sequential) => accuracyOf(predictProba(m, newTest.x, newTest.n, newTest.d), newTest.y, 5);
  const run = (fromPretrained: boolean, freeze: string | null, lr: number): number => {
    const m = make(2000 + seed);
    if (fromPretrained) initFrom(m, pretrained, { newHead: true });
    const frozen = freeze ? parseFreeze(freeze, m) : undefined;
    fitClassifier(m, newTrain, { opt: 'adam', hyper: { lr }, epochs, batchSize: 10, seed, frozen });
    return score(m);
  };
  // the layers with parameters (the Linears); the body is all of them but the head, the first is the input layer
  const linears = base.layers.map((l, i) => (l.parameters().length > 0 ? i : -1)).filter((i) => i >= 0);
  const body = linears.slice(0, -1).join(',');
  const first = String(linears[0]);
  return {
    pretrainAccuracy,
    small: newTrain.n,
    heldOut: newTest.n,
    accuracy: {
      scratch: run(false, null, o.lr ?? 1e-2),
      head: run(true, body, o.lr ?? 1e-2),
      top: run(true, first, o.fineTuneLr ?? 1e-3),
      all: run(true, null, o.fineTuneLr ?? 1e-3),
    },
  };
}
