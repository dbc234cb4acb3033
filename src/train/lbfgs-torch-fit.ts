/**
 * `descent train --opt lbfgs-torch`: torch.optim.LBFGS in a PyTorch training loop. Each batch (any size,
 * `full` included) is one `opt.step(closure)` whose closure zeroes the gradients, runs the model forward on
 * that batch, adds the penalties (l1, l2 on the weight matrices) and runs backward, as
 *   def closure(): opt.zero_grad(); loss = crit(net(xb), yb) + penalties; loss.backward(); return loss
 * A step calls the closure up to maxEval times (line-search trials included). trainLoss is the contract's:
 * the mean, weighted by batch size, of each batch's data loss at the step's first closure call, the loss
 * before that batch's update (without the penalties, which only enter the gradient).
 */
import { runError } from '../errors.js';
import { tensor, withArena, type Var } from '../autograd/index.js';
import { add } from '../autograd/ops.js';
import { Arena } from '../tensor/arena.js';
import { alloc } from '../tensor/alloc.js';
import type { Rng } from '../tensor/rng.js';
import { lossByName, l1Penalty, l2Penalty, type LossName, type Sequential } from '../nn/index.js';
import { epochOrder, gatherBatch } from '../data/batches.js';
import type { Dataset } from '../data/dataset.js';
import { LbfgsTorch } from '../search/lbfgs-torch.js';
import { evaluate, type EpochMetrics } from './trainer.js';

/**
 * What {@link fitLbfgsTorch} trains: the model, loss and data, the batches (one torch.optim.LBFGS `step(closure)` per
 * batch), epochs, L1/L2 penalties and the optimizer's options ({@link search!LbfgsTorchOptions | LbfgsTorchOptions}).
 */
export interface LbfgsTorchFitOptions {
  model: Sequential;
  loss: LossName;
  train: Dataset;
  val?: Dataset;
  /** Rows per step, or 'full'. */
  batch: number | 'full';
  /** A seeded permutation each epoch (drawn from `rng`, the first when training starts), or file order. */
  shuffle: boolean;
  rng: Rng;
  epochs: number;
  l1?: number;
  l2?: number;
  /** lbfgs-torch options (lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn). */
  optimizer: Record<string, unknown>;
  /** Each epoch's metrics as it closes. */
  onEpoch?: (m: EpochMetrics) => void;
}

/** What {@link fitLbfgsTorch} returns: each epoch's metrics, the closure calls, and the optimizer (its state, for a checkpoint). */
export interface LbfgsTorchFitResult {
  history: EpochMetrics[];
  /** Closure calls over the run (torch's func_evals). */
  evaluations: number;
  optimizer: LbfgsTorch;
}

/** Trains `model` in place. A non-finite loss or parameter stops the run with a run error naming the step. */
export function fitLbfgsTorch(o: LbfgsTorchFitOptions): LbfgsTorchFitResult {
  const { model, train, val } = o;
  const opt = new LbfgsTorch(model.params, model.grads, o.optimizer);
  const n = train.n, d = train.d;
  const batchSize = o.batch === 'full' ? n : Math.min(o.batch, n);
  const batches = Math.ceil(n / batchSize);
  const order = new Int32Array(n);
  const xb = alloc(train.x instanceof Float32Array ? 'float32' : 'float64', batchSize * d);
  const yb = new Float64Array(batchSize);
  const lossFn = lossByName(o.loss);
  const weights: Var[] = model.parameters().filter((p) => p.isWeight).map((p) => p.var);
  const arena = new Arena();
  const history: EpochMetrics[] = [];
  let m = 0;
  let firstDataLoss = NaN, firstCall = true;
  const closure = () => {
    model.zeroGrad();
    const total = withArena(arena, () => {
      const dl = lossFn(model.forward(tensor(xb.subarray(0, m * d), [m, d])), yb.subarray(0, m));
      if (firstCall) firstDataLoss = dl.item();
      firstCall = false;
      let t = dl;
      if (o.l1) t = add(t, l1Penalty(weights, o.l1));
      if (o.l2) t = add(t, l2Penalty(weights, o.l2));
      t.backward();
      return t.item();
    });
    arena.reset();
    return total;
  };
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    epochOrder(order, o.rng, o.shuffle);
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      m = gatherBatch(train, order, b * batchSize, batchSize, xb, yb);
      firstCall = true;
      opt.step(closure);
      const step = (epoch - 1) * batches + b + 1;
      const where = `diverged at step ${step} (epoch ${epoch}, batch ${b + 1})`;
      if (!Number.isFinite(firstDataLoss)) throw runError(`${where}: loss is ${firstDataLoss}; try --lr ${opt.options.lr / 10} or lower, or --line-search-fn strong_wolfe`);
      for (let i = 0; i < model.params.length; i++) {
        if (!Number.isFinite(model.params[i])) throw runError(`${where}: the parameters are not finite after the update; try --lr ${opt.options.lr / 10} or lower, or --line-search-fn strong_wolfe`);
      }
      lossSum += m * firstDataLoss; // float64, as the first-order loop sums
    }
    const metrics: EpochMetrics = { epoch, trainLoss: lossSum / n, lr: opt.options.lr };
    if (val) {
      const v = evaluate(model, o.loss, val);
      metrics.valLoss = v.loss;
      if (v.accuracy !== undefined) metrics.valAccuracy = v.accuracy;
    }
    history.push(metrics);
    o.onEpoch?.(metrics);
  }
  return { history, evaluations: opt.funcEvals, optimizer: opt };
}
