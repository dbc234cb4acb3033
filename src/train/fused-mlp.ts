/**
 * The Trainer's step for the commonest models without the autograd graph: a Sequential of Linear layers,
 * each followed by any of ReLU, Sigmoid, Tanh and Dropout, trained on any of the Trainer's losses (softmax
 * cross-entropy, the multiclass hinge, mse or bce on logits on one output), with or without L1/L2
 * penalties on the weight matrices. It makes the same kernel calls with the same arguments, in an order
 * with the same values, as the graph would: forward, Linear = X·Wᵀ then the bias row, the elementwise
 * layers as their ops compute them (dropout's mask drawn from the layer's generator in the same order),
 * the loss as its kernel or ops compute it; backward, each elementwise layer's derivative added into a
 * zeroed gradient, the penalties' gradient first (the graph's reverse topological order reaches them
 * before the data term), then dX = G·W, dW = Gᵀ·X added to it, db = Σ G. So the gradients are
 * bit-identical to autograd's (a test holds it), while the step records no nodes and takes no scratch:
 * every buffer is allocated once, for the largest batch. On the W1 MLP the graph cost about 10% of a step
 * (recording, replaying the closures, the arena). Any other model takes the graph.
 */
import { checkLabels, sigmoidOf } from '../autograd/ops.js';
import { kernels } from '../tensor/kernels.js';
import { alloc } from '../tensor/alloc.js';
import { Dropout, Linear, ReLU, Sigmoid, Tanh, type Sequential } from '../nn/module.js';
import type { FloatArray } from '../tensor/tensor.js';
import type { LossName } from '../nn/losses.js';

/** An elementwise layer after a Linear: its output and the gradient with respect to its input. */
interface Stage {
  kind: 'relu' | 'sigmoid' | 'tanh' | 'dropout';
  out: FloatArray;
  gIn: FloatArray;
  /** Dropout: the layer (its p, generator and training flag) and the batch's scaled keep-mask. */
  dropout: Dropout | null;
  mask: FloatArray | null;
  /** Whether this step applied it (a dropout in evaluation mode or with p = 0 is the identity, as in the graph). */
  active: boolean;
}

/** The losses the fused step computes: all of the Trainer's. */
type FusedLoss = 'ce' | 'mse' | 'bce' | 'hinge';

interface Layer {
  w: FloatArray;
  b: FloatArray | null;
  gw: FloatArray;
  gb: FloatArray | null;
  inF: number;
  outF: number;
  /** X·Wᵀ + b for the batch (m × outF). */
  pre: FloatArray;
  /** The elementwise layers that follow, in order. */
  stages: Stage[];
  /** The block's output this step: pre, or the last active stage's out. */
  output: FloatArray;
  /** d loss / d (the block's output). */
  gOut: FloatArray;
}

export class FusedMlpStep {
  private readonly layers: Layer[];
  private readonly dz: FloatArray;
  private readonly k: number;
  private readonly single: boolean;
  private readonly loss: FusedLoss;
  /** mse and bce: the batch's targets in the model's dtype. */
  private readonly t: FloatArray;
  private readonly hinge: HingeLoss | null;
  /** λ of the L1 and L2 penalties as the graph's scalar gradient holds them (rounded to the model's dtype). */
  private readonly l1: number;
  private readonly l2: number;

  private constructor(layers: Layer[], dz: FloatArray, k: number, loss: FusedLoss, l1: number, l2: number) {
    this.layers = layers;
    this.dz = dz;
    this.k = k;
    this.loss = loss;
    this.single = dz instanceof Float32Array;
    const rows = dz.length / k, dtype = this.single ? 'float32' : 'float64';
    this.t = alloc(dtype, loss === 'ce' ? 0 : rows);
    this.hinge = loss === 'hinge' ? new HingeLoss(dtype, rows, k) : null;
    this.l1 = this.single ? Math.fround(l1) : l1;
    this.l2 = this.single ? Math.fround(l2) : l2;
  }

  /**
   * The fused step for `model` with penalties λ·Σ|W| (`l1`) and λ·ΣW² (`l2`, 0 for none) over its weight
   * matrices, or null where the graph is needed (other layers or losses).
   */
  static for(model: Sequential, loss: LossName, l1: number, l2: number, maxBatch: number, features: number): FusedMlpStep | null {
    if (loss !== 'ce' && loss !== 'mse' && loss !== 'bce' && loss !== 'hinge') return null;
    const dtype = model.dtype;
    const layers: Layer[] = [];
    for (const l of model.layers) {
      if (l instanceof Linear) {
        const b = l.bias;
        const inF = l.weight.shape[1], outF = l.weight.shape[0];
        const pre = alloc(dtype, maxBatch * outF);
        layers.push({
          w: l.weight.data, b: b ? b.data : null, gw: l.weight.grad!, gb: b ? b.grad! : null, inF, outF,
          pre, stages: [], output: pre, gOut: alloc(dtype, maxBatch * outF),
        });
        continue;
      }
      const kind = l instanceof ReLU ? 'relu' : l instanceof Sigmoid ? 'sigmoid' : l instanceof Tanh ? 'tanh' : l instanceof Dropout ? 'dropout' : null;
      const last = layers[layers.length - 1];
      if (kind === null || !last || l.dtype !== dtype) return null;
      const size = maxBatch * last.outF;
      last.stages.push({
        kind, out: alloc(dtype, size), gIn: alloc(dtype, size), dropout: kind === 'dropout' ? (l as Dropout) : null,
        mask: kind === 'dropout' ? alloc(dtype, size) : null, active: true,
      });
    }
    // a mismatch of sizes is left to the graph, whose error names it
    if (layers.length === 0 || layers[0].inF !== features) return null;
    for (let i = 1; i < layers.length; i++) if (layers[i].inF !== layers[i - 1].outF) return null;
    const k = layers[layers.length - 1].outF;
    // mse and bce: one target per row (the Trainer's batches hold one); other widths are the graph's error to give
    if ((loss === 'mse' || loss === 'bce') && k !== 1) return null;
    return new FusedMlpStep(layers, alloc(dtype, maxBatch * k), k, loss, l1, l2);
  }

  /**
   * Forward and backward for the first m rows of x (m × features) and labels y: writes every parameter
   * gradient (overwriting it) and returns the mean loss. A loss that is not finite returns before the
   * backward with the gradients zeroed, as the graph's step leaves them.
   */
  run(x: FloatArray, y: Float64Array, m: number, grads: FloatArray): number {
    const { layers, k } = this;
    if (this.loss === 'ce' || this.loss === 'hinge') {
      // the graph's check and message, called (with its view of y) only for a bad label
      for (let i = 0; i < m; i++) {
        const c = y[i];
        if (!Number.isInteger(c) || c < 0 || c >= k) checkLabels(this.loss === 'ce' ? 'crossEntropy' : 'hinge', y.subarray(0, m), m, k);
      }
    }
    let input = x;
    for (const L of layers) {
      kernels.matmul(input, L.w, L.pre, m, L.inF, L.outF, false, true, false);
      if (L.b) kernels.addRowVector(L.pre, L.b, m, L.outF);
      let cur = L.pre;
      for (const S of L.stages) {
        S.active = forwardStage(S, cur, m * L.outF);
        if (S.active) cur = S.out;
      }
      L.output = cur;
      input = cur;
    }
    const out = layers[layers.length - 1];
    const loss = this.forwardLoss(input, y, m);
    if (!Number.isFinite(loss)) {
      grads.fill(0);
      return loss;
    }
    const penalized = this.l2 !== 0 || this.l1 !== 0;
    if (penalized) for (const L of layers) this.penaltyGradient(L.w, L.gw);
    this.outputGradient(input, y, out.gOut, m);
    for (let li = layers.length - 1; li >= 0; li--) {
      const L = layers[li];
      const n = m * L.outF;
      let g = L.gOut;
      for (let si = L.stages.length - 1; si >= 0; si--) {
        const S = L.stages[si];
        if (!S.active) continue;
        backwardStage(S, g, n);
        g = S.gIn;
      }
      const prev = li > 0 ? layers[li - 1] : null;
      const inData = prev ? prev.output : x;
      if (prev) {
        prev.gOut.fill(0, 0, m * L.inF);
        kernels.matmul(g, L.w, prev.gOut, m, L.outF, L.inF, false, false, true);
      }
      kernels.matmul(g, inData, L.gw, L.outF, m, L.inF, true, false, penalized);
      if (L.gb) kernels.colSum(g, L.gb, m, L.outF, false);
    }
    return loss;
  }

  /**
   * The batch's mean loss on the network's output z (m × k), stored in the model's dtype as the graph's
   * scalar loss tensor holds it (a float32 overflow included). ce leaves d loss / d z in dz (its kernel
   * computes both at once); mse leaves the differences z − t in dz, and mse and bce the targets, in the
   * model's dtype as the graph's target tensor holds them, in t.
   */
  private forwardLoss(z: FloatArray, y: Float64Array, m: number): number {
    const { dz, t } = this;
    let raw: number;
    if (this.loss === 'ce') raw = kernels.softmaxCrossEntropy(z, y, dz, m, this.k);
    else if (this.hinge) raw = this.hinge.forward(z, y, m);
    else {
      for (let i = 0; i < m; i++) t[i] = y[i];
      let s = 0;
      if (this.loss === 'mse') {
        // mean(square(sub(z, t))): each op's result rounded to the dtype, the mean's sum in float64
        for (let i = 0; i < m; i++) {
          dz[i] = z[i] - t[i];
          const sq = dz[i] * dz[i];
          s += this.single ? Math.fround(sq) : sq;
        }
        raw = s * (1 / m);
      } else {
        // bceWithLogits: max(z, 0) − z·t + log(1 + e^{−|z|}), summed in float64
        for (let i = 0; i < m; i++) {
          const v = z[i];
          s += Math.max(v, 0) - v * t[i] + Math.log1p(Math.exp(-Math.abs(v)));
        }
        raw = s / m;
      }
    }
    return this.single ? Math.fround(raw) : raw;
  }

  /** gz ← d loss / d z for the m rows, as the graph's backward writes it into a zeroed gradient. */
  private outputGradient(z: FloatArray, y: Float64Array, gz: FloatArray, m: number): void {
    const { dz, t } = this;
    if (this.loss === 'ce') {
      // the graph adds 1·dz into a zeroed gradient
      gz.fill(0, 0, m * this.k);
      kernels.axpy(1, dz, gz, m * this.k);
    } else if (this.hinge) this.hinge.backward(gz, y, m);
    else if (this.loss === 'mse') {
      // mean's backward stores 1/m in the squares' gradient (in the dtype); square's adds it times 2d
      const c = this.single ? Math.fround(1 / m) : 1 / m;
      for (let i = 0; i < m; i++) gz[i] = 0 + c * (2 * dz[i]);
    } else {
      const c = 1 / m;
      for (let i = 0; i < m; i++) gz[i] = 0 + c * (sigmoidOf(z[i]) - t[i]);
    }
  }

  /**
   * gw ← the penalties' gradient at w, as the graph's backward leaves it before the data gradient is added:
   * the L2 term's c₂·2w, then the L1 term's c₁·sign(w) added, each sum rounded to the dtype as its op stores it.
   */
  private penaltyGradient(w: FloatArray, gw: FloatArray): void {
    const { l1, l2 } = this, n = w.length;
    gw.fill(0);
    if (l2 !== 0) for (let i = 0; i < n; i++) gw[i] += l2 * (2 * w[i]);
    if (l1 !== 0) {
      for (let i = 0; i < n; i++) {
        const x = w[i];
        gw[i] += l1 * (x > 0 ? 1 : x < 0 ? -1 : 0);
      }
    }
  }
}

/** A stage's forward on n values of `x` into S.out, as its op computes it; false where it is the identity this step. */
function forwardStage(S: Stage, x: FloatArray, n: number): boolean {
  const out = S.out;
  switch (S.kind) {
    case 'relu':
      kernels.relu(x, out, n);
      return true;
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = sigmoidOf(x[i]);
      return true;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      return true;
    case 'dropout': {
      const d = S.dropout!, mask = S.mask!;
      if (!d.training || d.p === 0) return false;
      // Dropout.forward's mask, draw for draw, then mulMask
      if (d.p < 1) {
        const scale = 1 / (1 - d.p);
        for (let i = 0; i < n; i++) mask[i] = d.rng.uniform() < d.p ? 0 : scale;
      } else mask.fill(0, 0, n);
      for (let i = 0; i < n; i++) out[i] = x[i] * mask[i];
      return true;
    }
  }
}

/**
 * S.gIn ← d loss / d (the stage's input) from g = d loss / d (its output), added into zeros as the graph
 * does; each derivative reads the stage's output or mask, never its input.
 */
function backwardStage(S: Stage, g: FloatArray, n: number): void {
  const gIn = S.gIn, out = S.out;
  gIn.fill(0, 0, n);
  switch (S.kind) {
    case 'relu':
      kernels.reluBackward(g, out, gIn, n);
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const v = out[i];
        gIn[i] += g[i] * (v * (1 - v));
      }
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) {
        const v = out[i];
        gIn[i] += g[i] * (1 - v * v);
      }
      break;
    case 'dropout': {
      const mask = S.mask!;
      for (let i = 0; i < n; i++) gIn[i] += g[i] * mask[i];
      break;
    }
  }
}

/**
 * The multiclass hinge as multiclassHinge (src/nn/losses.ts) computes it from ops, each op's result stored
 * in the dtype: s_y gathered, the margins relu(s − s_y + 1), the label's masked out, summed in float64,
 * times 1/m. Its backward runs the ops' backwards in the graph's order: mulScalar, sum, mulMask, relu,
 * addScalar, the broadcast sub (d s, and d s_y summed along each row), reshape, then gather's addition
 * into d s at the labels.
 */
class HingeLoss {
  private readonly single: boolean;
  private readonly k: number;
  /** s_y per row, and d loss / d s_y. */
  private readonly sy: FloatArray;
  private readonly gsy: FloatArray;
  /** s − s_y, then + 1, in place; relu of it; the label mask; their gradients (m × k). */
  private readonly plus: FloatArray;
  private readonly margins: FloatArray;
  private readonly mask: FloatArray;
  private readonly gMargins: FloatArray;
  private readonly gPlus: FloatArray;

  constructor(dtype: 'float32' | 'float64', rows: number, k: number) {
    this.single = dtype === 'float32';
    this.k = k;
    this.sy = alloc(dtype, rows);
    this.gsy = alloc(dtype, rows);
    const n = rows * k;
    this.plus = alloc(dtype, n);
    this.margins = alloc(dtype, n);
    this.mask = alloc(dtype, n);
    this.gMargins = alloc(dtype, n);
    this.gPlus = alloc(dtype, n);
  }

  /** The loss before its final rounding to the dtype: (1/m)·Σ. */
  forward(z: FloatArray, y: Float64Array, m: number): number {
    const { k, sy, plus, margins, mask } = this, n = m * k;
    for (let i = 0; i < m; i++) sy[i] = z[i * k + y[i]];
    for (let i = 0, o = 0; i < m; i++) for (let j = 0; j < k; j++, o++) plus[o] = z[o] - sy[i];
    for (let o = 0; o < n; o++) plus[o] = plus[o] + 1;
    kernels.relu(plus, margins, n);
    mask.fill(1, 0, n);
    for (let i = 0; i < m; i++) mask[i * k + y[i]] = 0;
    // mulMask's products are exact (the mask is 0 or 1); the sum is stored in the dtype before the 1/m
    let s = 0;
    for (let o = 0; o < n; o++) s += margins[o] * mask[o];
    return (1 / m) * (this.single ? Math.fround(s) : s);
  }

  /** gz ← d loss / d z (m × k). */
  backward(gz: FloatArray, y: Float64Array, m: number): void {
    const { k, gsy, margins, mask, gMargins, gPlus } = this, n = m * k;
    // mulScalar's backward leaves 1/m (in the dtype) as the sum's gradient; sum's spreads it to every term
    const g = this.single ? Math.fround(1 / m) : 1 / m;
    for (let o = 0; o < n; o++) gMargins[o] = 0 + g * mask[o];
    gPlus.fill(0, 0, n);
    kernels.reluBackward(gMargins, margins, gPlus, n);
    gsy.fill(0, 0, m);
    for (let i = 0, o = 0; i < m; i++) {
      for (let j = 0; j < k; j++, o++) {
        const gd = 0 + gPlus[o]; // addScalar's backward: the difference's gradient, added into zeros
        gz[o] = gd;
        gsy[i] += -gd;
      }
    }
    // reshape's backward adds d s_y into the gathered values' zeroed gradient (0 +), gather's adds that at the labels
    for (let i = 0; i < m; i++) gz[i * k + y[i]] += 0 + gsy[i];
  }
}
