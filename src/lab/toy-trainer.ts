/**
 * Dataset mode's engine: an MLP (nn.buildModel) trained full-batch on a 2-D toy set with
 * softmax cross-entropy, an optional L2 penalty on the weight matrices and dropout, by a torch
 * optimizer over the model's one contiguous parameter buffer. Pure (no DOM).
 */
import { add, tensor, withArena, noGrad } from '../autograd/index.js';
import { buildModel, crossEntropy, l2Penalty, type Sequential } from '../nn/index.js';
import { createOptimizer, type Optimizer } from '../optim/index.js';
import { Arena, Rng } from '../tensor/index.js';
import type { DataState } from './state.js';
import { makeToyData, type ToyData } from './toy-data.js';

/** Points in a toy set (as in TensorFlow Playground's default). */
export const TOY_POINTS = 200;

export class ToyTrainer {
  readonly data: ToyData;
  readonly model: Sequential;
  readonly optimizer: Optimizer;
  /** Full-batch training loss (data term + L2) before each step taken so far. */
  readonly losses: number[] = [];
  steps = 0;
  private readonly arena = new Arena();
  private readonly xs: Float32Array;

  constructor(readonly state: DataState) {
    this.data = makeToyData(state.dataset, { n: TOY_POINTS, noise: state.noise, seed: state.seed });
    this.model = buildModel({
      kind: 'mlp', inFeatures: 2, outFeatures: 2, hidden: Array.from({ length: state.depth }, () => state.width),
      activation: state.activation, dropout: state.dropout, dtype: 'float32', rng: new Rng(state.seed),
    });
    this.optimizer = createOptimizer(state.opt, { params: this.model.params, grads: this.model.grads }, { lr: state.lr });
    this.xs = Float32Array.from(this.data.x);
  }

  /** Applies the current lr (a slider) from the next step on. */
  applyOptions(): void {
    this.optimizer.paramGroups[0].options.lr = this.state.lr;
  }

  /** One full-batch step; returns the loss before it. */
  step(): number {
    const { model, state } = this;
    model.train();
    model.zeroGrad();
    const loss = withArena(this.arena, () => {
      let l = crossEntropy(model.forward(tensor(this.xs, [this.data.n, 2])), this.data.y);
      if (state.l2 > 0) l = add(l, l2Penalty(model.parameters().filter((p) => p.isWeight).map((p) => p.var), state.l2));
      l.backward();
      return l.item();
    });
    this.arena.reset();
    this.optimizer.step();
    this.losses.push(loss);
    this.steps++;
    return loss;
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

  /** Fraction of the toy points classified correctly (p ≥ 0.5 → class 1). */
  accuracy(): number {
    const p = this.predict(this.xs, new Float32Array(this.data.n));
    let right = 0;
    for (let i = 0; i < this.data.n; i++) if ((p[i] >= 0.5 ? 1 : 0) === this.data.y[i]) right++;
    return right / this.data.n;
  }
}
