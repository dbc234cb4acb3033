/**
 * Lecture 002's sample order and data clotting. "If we loop through the samples in the same order, we may
 * get cyclic behavior": SGD on softmax regression visits the training rows in a fixed cyclic order (one
 * permutation drawn once and reused every epoch), in class order (all 0s, then all 1s, ...), or in a fresh
 * random permutation each epoch. "Extreme instance of data clotting: all the training instances are exactly
 * the same": with every row repeated k times, full-batch gradient descent computes the same gradient as on
 * the original rows at k times the cost, while incremental updates take k times as many steps per epoch.
 * Pure and browser-safe.
 */
import { Rng } from '../tensor/rng.js';
import { createOptimizer } from '../optim/index.js';
import { iota, softmaxAccuracy, softmaxLossGrad, softmaxParamCount } from './linear-models.js';
import type { ClassData } from './linear-models.js';

/** The order SGD visits the rows in: one permutation reused every epoch (`cyclic`), class order (`sorted`), or a fresh permutation each epoch (`random`, what shuffle=True in a torch DataLoader does). */
export type OrderKind = 'cyclic' | 'sorted' | 'random';
/** Every {@link OrderKind}, in the order the demo reports them. */
export const ORDER_KINDS: readonly OrderKind[] = ['cyclic', 'sorted', 'random'];

/** One {@link orderRun}: its order and seed, the loss curves, and the final training and held-out figures. */
export interface OrderRun {
  order: OrderKind;
  seed: number;
  /** Training loss (all rows) at `curveSteps`. */
  curveSteps: number[];
  curve: number[];
  /** Loss of the example just used, at every step of the first `traceEpochs` epochs. */
  stepLoss: number[];
  /** Training loss at the end of each epoch. */
  epochLoss: number[];
  finalLoss: number;
  finalAccuracy: number;
  /** Held-out loss and accuracy at the end. */
  valLoss: number;
  valAccuracy: number;
}

/** Settings of {@link orderRun}: the order, epochs, the SGD lr, the seed, and how finely the first epochs are traced. */
export interface OrderOptions {
  order: OrderKind;
  epochs: number;
  lr: number;
  seed: number;
  /** Evaluations of the training loss per epoch during the first `traceEpochs` epochs (default 40). */
  perEpoch?: number;
  traceEpochs?: number;
}

/** The visiting order of `kind` for one epoch, written into `order`. */
function fillOrder(kind: OrderKind, order: Int32Array, fixed: Int32Array, sorted: Int32Array, rng: Rng): void {
  if (kind === 'sorted') order.set(sorted);
  else if (kind === 'cyclic') order.set(fixed);
  else {
    for (let i = 0; i < order.length; i++) order[i] = i;
    rng.shuffle(order);
  }
}

/** Single-example SGD from zero weights on `train`, in the order `kind`; evaluated on `val`. */
export function orderRun(train: ClassData, val: ClassData, o: OrderOptions): OrderRun {
  const rng = new Rng(o.seed);
  const np = softmaxParamCount(train.d, train.k);
  const params = new Float64Array(np), grads = new Float64Array(np), scratch = new Float64Array(train.k);
  const opt = createOptimizer('sgd', { params, grads }, { lr: o.lr });
  const fixed = rng.permutation(train.n);
  const sorted = Int32Array.from(iota(train.n)).sort((a, b) => train.y[a] - train.y[b] || a - b);
  const all = iota(train.n), valIdx = iota(val.n);
  const order = new Int32Array(train.n);
  const perEpoch = o.perEpoch ?? 40, traceEpochs = o.traceEpochs ?? 3;
  const every = Math.max(1, Math.floor(train.n / perEpoch));
  const run: OrderRun = { order: o.order, seed: o.seed, curveSteps: [0], curve: [softmaxLossGrad(params, train, all, 0, train.n, null, scratch)], stepLoss: [], epochLoss: [], finalLoss: NaN, finalAccuracy: NaN, valLoss: NaN, valAccuracy: NaN };
  let step = 0;
  for (let e = 0; e < o.epochs; e++) {
    fillOrder(o.order, order, fixed, sorted, rng);
    for (let t = 0; t < train.n; t++) {
      const loss = softmaxLossGrad(params, train, order, t, 1, grads, scratch);
      opt.step();
      step++;
      if (e < traceEpochs) {
        run.stepLoss.push(loss);
        if (step % every === 0) { run.curveSteps.push(step); run.curve.push(softmaxLossGrad(params, train, all, 0, train.n, null, scratch)); }
      }
    }
    run.epochLoss.push(softmaxLossGrad(params, train, all, 0, train.n, null, scratch));
  }
  run.finalLoss = run.epochLoss[run.epochLoss.length - 1];
  run.finalAccuracy = softmaxAccuracy(params, train, all, 0, train.n);
  run.valLoss = softmaxLossGrad(params, val, valIdx, 0, val.n, null, scratch);
  run.valAccuracy = softmaxAccuracy(params, val, valIdx, 0, val.n);
  return run;
}

/** `data` with every row repeated k times in a row (row i becomes rows k·i .. k·i + k − 1). */
export function repeatRows(data: ClassData, k: number): ClassData {
  const x = new Float64Array(data.n * k * data.d), y = new Float64Array(data.n * k);
  for (let i = 0; i < data.n; i++) {
    for (let r = 0; r < k; r++) {
      for (let j = 0; j < data.d; j++) x[(i * k + r) * data.d + j] = data.x[i * data.d + j];
      y[i * k + r] = data.y[i];
    }
  }
  return { ...data, x, y, n: data.n * k };
}

/** One {@link clottingRun}: the method, the repeat count k, the lr, and the loss against examples seen per epoch. */
export interface ClotRun {
  method: 'full-batch' | 'incremental';
  k: number;
  lr: number;
  /** After each epoch (epoch 0 = the start): loss on the original rows, examples seen so far. */
  loss: number[];
  examples: number[];
}

/**
 * Full-batch gradient descent and incremental (single-example, fresh permutation each epoch) SGD on `data`
 * with every row repeated k times, `epochs` passes each; the loss is measured on the original rows (the
 * repeated set has the same mean loss).
 */
export function clottingRun(data: ClassData, k: number, method: ClotRun['method'], o: { epochs: number; lr: number; seed: number }): ClotRun {
  const rep = repeatRows(data, k);
  const rng = new Rng(o.seed);
  const np = softmaxParamCount(data.d, data.k);
  const params = new Float64Array(np), grads = new Float64Array(np), scratch = new Float64Array(data.k);
  const opt = createOptimizer('sgd', { params, grads }, { lr: o.lr });
  const all = iota(data.n), order = iota(rep.n);
  const run: ClotRun = { method, k, lr: o.lr, loss: [softmaxLossGrad(params, data, all, 0, data.n, null, scratch)], examples: [0] };
  for (let e = 1; e <= o.epochs; e++) {
    if (method === 'full-batch') {
      softmaxLossGrad(params, rep, order, 0, rep.n, grads, scratch);
      opt.step();
    } else {
      rng.shuffle(order);
      for (let t = 0; t < rep.n; t++) {
        softmaxLossGrad(params, rep, order, t, 1, grads, scratch);
        opt.step();
      }
    }
    run.loss.push(softmaxLossGrad(params, data, all, 0, data.n, null, scratch));
    run.examples.push(e * rep.n);
  }
  return run;
}
