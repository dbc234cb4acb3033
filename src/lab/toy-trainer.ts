/**
 * Dataset mode's engine: an MLP (nn.buildModel) trained full-batch on a 2-D toy set with
 * softmax cross-entropy, an optional L2 penalty on the weight matrices and dropout, by a torch
 * optimizer over the model's one contiguous parameter buffer. Pure (no DOM).
 */
import { add, tensor, withArena, noGrad, type Var } from '../autograd/index.js';
import { buildModel, crossEntropy, l2Penalty, type Sequential } from '../nn/index.js';
import { createOptimizer, optimizers, resolveOptions, type Optimizer, type ParamGroupSpec } from '../optim/index.js';
import { muonGroups, trainableGroups } from '../train/ensemble-fit.js';
import { Arena, Rng } from '../tensor/index.js';
import { inputError } from '../errors.js';
import { dataOptimizerRefusal, type DataState } from './state.js';
import { makeToyData, type ToyData } from './toy-data.js';

/** Training points in a toy set; as many again are drawn for the held-out test set. */
export const TOY_POINTS = 200;

export class ToyTrainer {
  /** The training set (the first TOY_POINTS rows drawn). */
  readonly data: ToyData;
  /** The held-out test set (the next TOY_POINTS rows, same seed and distribution). */
  readonly test: ToyData;
  readonly model: Sequential;
  readonly optimizer: Optimizer;
  /** Full-batch training loss (data term + L2) before each step taken so far. */
  readonly losses: number[] = [];
  /** Test cross-entropy (no penalty, dropout off) at the same parameters as each entry of `losses`. */
  readonly testLosses: number[] = [];
  steps = 0;
  private readonly arena = new Arena();
  private readonly xs: Float32Array;
  private readonly xsTest: Float32Array;
  /** The weight matrices' autograd leaves (views of model.params), looked up once for the L2 term. */
  private readonly weights: Var[];

  /** `own`: the reader's data (a dropped CSV, csv-data.ts) in place of the state's toy set. */
  constructor(readonly state: DataState, own?: { train: ToyData; test: ToyData }) {
    if (own) {
      this.data = own.train;
      this.test = own.test;
    } else {
      const all = makeToyData(state.dataset, { n: 2 * TOY_POINTS, noise: state.noise, seed: state.seed });
      const half = (from: number): ToyData => ({
        x: all.x.slice(2 * from, 2 * (from + TOY_POINTS)), y: all.y.slice(from, from + TOY_POINTS), n: TOY_POINTS,
      });
      this.data = half(0);
      this.test = half(TOY_POINTS);
    }
    this.model = buildModel({
      kind: 'mlp', inFeatures: 2, outFeatures: 2, hidden: Array.from({ length: state.depth }, () => state.width),
      activation: state.activation, dropout: state.dropout, dtype: 'float32', rng: new Rng(state.seed),
    });
    this.optimizer = createOptimizer(state.opt, toyGroups(this.model, state), { lr: state.lr });
    this.xs = Float32Array.from(this.data.x);
    this.xsTest = Float32Array.from(this.test.x);
    this.weights = this.model.parameters().filter((p) => p.isWeight).map((p) => p.var);
  }

  /** Applies the current lr (a slider) from the next step on (to every group: muon's AdamW groups take the run's lr too). */
  applyOptions(): void {
    for (const g of this.optimizer.paramGroups) g.options.lr = this.state.lr;
  }

  /** One full-batch step; returns the training loss before it (and records the test loss there). */
  step(): number {
    const { model, state } = this;
    model.eval();
    this.testLosses.push(
      withArena(this.arena, () => noGrad(() => crossEntropy(model.forward(tensor(this.xsTest, [this.test.n, 2])), this.test.y).item())),
    );
    this.arena.reset();
    model.train();
    model.zeroGrad();
    const loss = withArena(this.arena, () => {
      let l = crossEntropy(model.forward(tensor(this.xs, [this.data.n, 2])), this.data.y);
      if (state.l2 > 0) l = add(l, l2Penalty(this.weights, state.l2));
      l.backward();
      return l.item();
    });
    this.arena.reset();
    this.optimizer.step();
    this.losses.push(loss);
    this.steps++;
    return loss;
  }

  /** True once a training loss was NaN or infinite (the run cannot recover; the page stops it). */
  diverged(): boolean {
    return this.losses.length > 0 && !Number.isFinite(this.losses[this.losses.length - 1]);
  }

  /**
   * P(class 1) at each point of `xy` (row-major k×2), written into `out` (length k), dropout off.
   * p = σ(z₁ − z₀), the two-class softmax.
   */
  predict(xy: Float32Array, out: Float32Array): Float32Array {
    const k = xy.length / 2;
    this.model.eval();
    withArena(this.arena, () =>
      noGrad(() => {
        const z = this.model.forward(tensor(xy, [k, 2])).data;
        for (let i = 0; i < k; i++) out[i] = 1 / (1 + Math.exp(z[2 * i] - z[2 * i + 1]));
      }),
    );
    this.arena.reset();
    return out;
  }

  /** Fraction of the training (or test) points classified correctly (p ≥ 0.5 → class 1). */
  accuracy(which: 'train' | 'test' = 'train'): number {
    const set = which === 'train' ? this.data : this.test;
    const p = this.predict(which === 'train' ? this.xs : this.xsTest, new Float32Array(set.n));
    let right = 0;
    for (let i = 0; i < set.n; i++) if ((p[i] >= 0.5 ? 1 : 0) === set.y[i]) right++;
    return right / set.n;
  }
}

/**
 * The optimizer's param groups, as `descent train` builds them: the whole contiguous buffer for an elementwise
 * rule; each tensor with its shape for a per-tensor one (adafactor factors a weight matrix's second moment);
 * for muon, the hidden layers' 2-D weights by Muon and the biases and output layer by AdamW (muonGroups).
 * A rule dataset mode cannot run (state.ts's dataOptimizerRefusal) is refused with its reason.
 */
function toyGroups(model: Sequential, state: DataState): ParamGroupSpec | ParamGroupSpec[] {
  const why = dataOptimizerRefusal(state.opt);
  if (why) throw inputError(`${state.opt}: ${why}`);
  if (state.opt === 'muon') {
    const o = resolveOptions(optimizers.muon, { lr: state.lr });
    return muonGroups(model, new Set(), { lr: o.lr, weightDecay: o.weightDecay }).groups;
  }
  const perTensor = (optimizers[state.opt] as { perTensor?: boolean }).perTensor === true;
  return trainableGroups(model, new Set(), perTensor);
}
