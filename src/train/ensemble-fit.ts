/**
 * A compact minibatch fit loop for classifiers, used by the ensembles (bagging, snapshots) and transfer
 * learning: seeded reshuffle each epoch, rows optionally drawn through an index (a bootstrap sample),
 * a per-step learning rate (cyclic cosine for snapshot ensembles), and frozen parameters that the
 * optimizer never sees. Batches are copied into buffers allocated once.
 */
import { inputError, runError } from '../errors.js';
import { noGrad, tensor, withArena } from '../autograd/index.js';
import { lossByName, SparseLinear, type LossName, type Sequential } from '../nn/index.js';
import { createOptimizer, isOptimizerName, optimizers, resolveOptions, type Optimizer, type ParamGroupSpec } from '../optim/index.js';
import { Arena } from '../tensor/arena.js';
import { Rng } from '../tensor/rng.js';
import { headLayerIndex } from './transfer.js';

/** Classification data: x row-major n×d (float32, as the models), integer labels 0..K−1. */
export interface ClassData {
  x: Float32Array;
  y: Int32Array;
  n: number;
  d: number;
}

/** How {@link fitClassifier} trains one model (an ensemble member): the optimizer, epochs, batches, rows and hooks. */
export interface FitOptions {
  /** Optimizer name (torch.optim semantics) and its hyperparameters (lr included). Default adam, lr 1e-3. */
  opt?: string;
  hyper?: Record<string, unknown>;
  epochs: number;
  batchSize: number;
  /** Seed of the per-epoch shuffles. */
  seed?: number;
  /** Rows to train on (repeats allowed: a bootstrap sample); default all n. */
  rows?: Int32Array;
  /** Loss (default 'ce'). */
  loss?: LossName;
  /** lr for optimizer step t = 1, 2, ... (overrides the group lr before each step). */
  lrAt?: (t: number) => number;
  /** Parameter names (state_dict names) that stay fixed: left out of the optimizer. */
  frozen?: ReadonlySet<string>;
  /** Called after each optimizer step t (1-based), e.g. to take a snapshot. */
  onStep?: (t: number) => void;
  /** Called after each epoch (`epoch` counts from 0) with its mean training loss. */
  onEpoch?: (epoch: number, trainLoss: number) => void;
}

/** The optimizer's param groups: one per trainable parameter (views into the model's buffers), or the whole buffer when nothing is frozen. */
export function trainableGroups(model: Sequential, frozen: ReadonlySet<string> = new Set(), perTensor = false): ParamGroupSpec[] {
  // nothing frozen: the whole contiguous buffer as one group (one pass per optimizer step), unless the rule
  // works per tensor (adafactor, muon: OptimizerRule.perTensor), which takes each tensor with its shape
  if (frozen.size === 0 && !perTensor) return [{ params: model.params, grads: model.grads }];
  const groups = model.parameters().filter((p) => !frozen.has(p.name)).map((p) => ({ params: p.data, grads: p.grad, shape: p.shape }));
  if (groups.length === 0) throw inputError('--freeze: every parameter is frozen; nothing left to train');
  return groups;
}

/**
 * The usual Muon split (torch.optim.Muon's docs): muon for the hidden layers' 2-D weights, AdamW for the
 * biases and the output layer, with the run's lr and muon's weightDecay (AdamW's other settings its
 * defaults). Each tensor is its own group with its shape. Also returns which parameters went where.
 */
export function muonGroups(model: Sequential, frozen: ReadonlySet<string>, options: { lr: number; weightDecay: number }): { groups: ParamGroupSpec[]; muon: string[]; adamw: string[] } {
  const head = `${headLayerIndex(model)}.`;
  const muon: string[] = [], adamw: string[] = [];
  const groups: ParamGroupSpec[] = [];
  for (const p of model.parameters()) {
    if (frozen.has(p.name)) continue;
    if (p.shape.length === 2 && !p.name.startsWith(head)) {
      muon.push(p.name);
      groups.push({ params: p.data, grads: p.grad, shape: p.shape });
    } else {
      adamw.push(p.name);
      groups.push({ params: p.data, grads: p.grad, shape: p.shape, optimizer: 'adamw', options: { lr: options.lr, weightDecay: options.weightDecay } });
    }
  }
  if (groups.length === 0) throw inputError('--freeze: every parameter is frozen; nothing left to train');
  return { groups, muon, adamw };
}

/**
 * The two optimizers one uses in PyTorch for a model with a sparse input layer under SparseAdam
 * (torch.optim.SparseAdam takes only sparse gradients): sparse-adam for each {@link SparseLinear}'s weight,
 * with its touched rows, and Adam with the same lr, betas, eps and maximize for every other parameter (biases,
 * later layers). Each tensor is its own group. Also returns which parameters went where. A model without a
 * sparse input layer gives null (sparse-adam then steps the dense gradient's nonzeros, as `grad.to_sparse()`).
 */
export function sparseAdamGroups(
  model: Sequential, frozen: ReadonlySet<string>, options: { lr: number; betas: [number, number]; eps: number; maximize: boolean },
): { groups: ParamGroupSpec[]; sparseAdam: string[]; adam: string[] } | null {
  const bags = new Map<string, SparseLinear>();
  model.layers.forEach((l, i) => { if (l instanceof SparseLinear) bags.set(`${i}.weight`, l); });
  if (bags.size === 0) return null;
  const sparseAdam: string[] = [], adam: string[] = [];
  const groups: ParamGroupSpec[] = [];
  for (const p of model.parameters()) {
    if (frozen.has(p.name)) continue;
    const bag = bags.get(p.name);
    if (bag) {
      sparseAdam.push(p.name);
      groups.push({ params: p.data, grads: p.grad, shape: p.shape, sparse: bag.sparseRows });
    } else {
      adam.push(p.name);
      groups.push({ params: p.data, grads: p.grad, shape: p.shape, optimizer: 'adam', options: { ...options } });
    }
  }
  if (groups.length === 0) throw inputError('--freeze: every parameter is frozen; nothing left to train');
  return { groups, sparseAdam, adam };
}

/**
 * Trains `model` in place; returns the mean training loss of each epoch (weighted by batch size,
 * each batch's loss taken before its update, as the contract's trainLoss). Layers before the first
 * trainable one run under noGrad, so a frozen feature extractor costs no backward pass.
 */
export function fitClassifier(model: Sequential, data: ClassData, o: FitOptions): { trainLoss: number[]; steps: number; optimizer: Optimizer } {
  const { x, y, d } = data;
  const rows = o.rows ?? Int32Array.from({ length: data.n }, (_v, i) => i);
  const m = rows.length;
  const bs = Math.min(o.batchSize, m);
  const frozen = o.frozen ?? new Set<string>();
  const optName = o.opt ?? 'adam';
  const perTensor = isOptimizerName(optName) && (optimizers[optName] as { perTensor?: boolean }).perTensor === true;
  const hyper = o.hyper ?? { lr: 1e-3 };
  const sparseSplit = optName === 'sparse-adam' ? sparseAdamGroups(model, frozen, resolveOptions(optimizers['sparse-adam'], hyper)) : null;
  const opt = createOptimizer(optName, sparseSplit?.groups ?? trainableGroups(model, frozen, perTensor), hyper);
  const loss = lossByName(o.loss ?? 'ce');
  // the frozen prefix: layers with no trainable parameter before the first layer that has one
  let prefix = 0;
  while (prefix < model.layers.length && model.layers[prefix].parameters().every((p) => frozen.has(`${prefix}.${p.name}`))) prefix++;
  const rng = new Rng(o.seed ?? 0);
  const xb = new Float32Array(bs * d);
  const yb = new Int32Array(bs);
  const arena = new Arena();
  const trainLoss: number[] = [];
  let t = 0;
  model.train();
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = rng.permutation(m);
    let total = 0;
    for (let start = 0; start < m; start += bs) {
      const b = Math.min(bs, m - start);
      for (let r = 0; r < b; r++) {
        const i = rows[order[start + r]];
        xb.set(x.subarray(i * d, i * d + d), r * d);
        yb[r] = y[i];
      }
      t++;
      if (o.lrAt) {
        const lr = o.lrAt(t);
        for (const g of opt.paramGroups) g.options.lr = lr;
      }
      model.zeroGrad();
      const value = withArena(arena, () => {
        let h = tensor(xb.subarray(0, b * d), [b, d]);
        if (prefix > 0) h = noGrad(() => { let z = h; for (let l = 0; l < prefix; l++) z = model.layers[l].forward(z); return z; });
        for (let l = prefix; l < model.layers.length; l++) h = model.layers[l].forward(h);
        const lv = loss(h, yb.subarray(0, b));
        lv.backward();
        return lv.item();
      });
      arena.reset();
      // the same form as descent train's: the step, what is not finite, a smaller lr (checked before the update)
      const lr = opt.paramGroups[0].options.lr as number;
      const diverged = (what: string) => runError(`diverged at step ${t} (epoch ${epoch + 1}): ${what}; try --lr ${Number((lr / 10).toPrecision(2))} or lower`);
      if (!Number.isFinite(value)) throw diverged(`loss is ${value}`);
      total += b * value;
      opt.step();
      let acc = 0;
      for (const g of opt.paramGroups) for (let i = 0; i < g.params.length; i++) acc += g.params[i] * 0; // NaN when any is not finite
      if (acc !== 0) throw diverged('the parameters are not finite after the update');
      o.onStep?.(t);
    }
    trainLoss.push(total / m);
    o.onEpoch?.(epoch, total / m);
  }
  model.eval();
  return { trainLoss, steps: t, optimizer: opt };
}

/** Softmax probabilities n×K (float64) in evaluation mode, computed in chunks under noGrad. */
export function predictProba(model: Sequential, x: Float32Array, n: number, d: number, chunk = 512): Float64Array {
  const wasTraining = model.training;
  model.eval();
  let out: Float64Array | null = null;
  let k = 0;
  const arena = new Arena();
  for (let s = 0; s < n; s += chunk) {
    const b = Math.min(chunk, n - s);
    withArena(arena, () => noGrad(() => {
      const z = model.forward(tensor(x.subarray(s * d, (s + b) * d), [b, d]));
      k = z.shape[1];
      out ??= new Float64Array(n * k);
      for (let r = 0; r < b; r++) {
        // stable softmax in float64
        let mx = -Infinity;
        for (let j = 0; j < k; j++) mx = Math.max(mx, z.data[r * k + j]);
        let sum = 0;
        for (let j = 0; j < k; j++) sum += Math.exp(z.data[r * k + j] - mx);
        for (let j = 0; j < k; j++) out[(s + r) * k + j] = Math.exp(z.data[r * k + j] - mx) / sum;
      }
    }));
    arena.reset();
  }
  model.train(wasTraining);
  return out ?? new Float64Array(0);
}

/** Accuracy of argmax predictions from n×K probabilities (ties to the lower class). */
export function accuracyOf(proba: ArrayLike<number>, y: ArrayLike<number>, k: number): number {
  const n = y.length;
  let hit = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (proba[i * k + j] > proba[i * k + best]) best = j;
    if (best === y[i]) hit++;
  }
  return hit / n;
}

/** Mean negative log-likelihood of the true labels under n×K probabilities (clamped at 1e-12). */
export function nllOf(proba: ArrayLike<number>, y: ArrayLike<number>, k: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s -= Math.log(Math.max(1e-12, proba[i * k + y[i]]));
  return s / y.length;
}
