/**
 * The Trainer's step for the commonest model without the autograd graph: a Sequential of Linear layers,
 * each optionally followed by a ReLU, trained on softmax cross-entropy with no L1/L2 penalty. It makes
 * the same kernel calls with the same arguments, in an order with the same values, as the graph would
 * (forward Linear = X·Wᵀ then the bias row, ReLU, the loss kernel with its gradient; backward dX = G·W,
 * dW = Gᵀ·X, db = Σ G, ReLU's mask), so the gradients are bit-identical to autograd's (a test holds it)
 * while the step records no nodes and takes no scratch: every buffer is allocated once, for the largest
 * batch. On the W1 MLP the graph cost about 10% of a step (recording, replaying the closures, the arena).
 * Any other model or loss takes the graph.
 */
import { checkLabels } from '../autograd/ops.js';
import { kernels } from '../tensor/kernels.js';
import { alloc } from '../tensor/alloc.js';
import { Linear, ReLU, type Sequential } from '../nn/module.js';
import type { FloatArray } from '../tensor/tensor.js';
import type { LossName } from '../nn/losses.js';

interface Layer {
  w: FloatArray;
  b: FloatArray | null;
  gw: FloatArray;
  gb: FloatArray | null;
  inF: number;
  outF: number;
  relu: boolean;
  /** X·Wᵀ + b for the batch (m × outF). */
  pre: FloatArray;
  /** relu(pre), when this layer has a ReLU. */
  act: FloatArray | null;
  /** d loss / d (this layer's output) and, with a ReLU, d loss / d pre. */
  gOut: FloatArray;
  gPre: FloatArray | null;
}

export class FusedMlpStep {
  private readonly layers: Layer[];
  private readonly dz: FloatArray;
  private readonly k: number;
  private readonly single: boolean;

  private constructor(layers: Layer[], dz: FloatArray, k: number) {
    this.layers = layers;
    this.dz = dz;
    this.k = k;
    this.single = dz instanceof Float32Array;
  }

  /** The fused step for `model`, or null where the graph is needed (other layers, losses, a penalty). */
  static for(model: Sequential, loss: LossName, penalty: boolean, maxBatch: number, features: number): FusedMlpStep | null {
    if (loss !== 'ce' || penalty) return null;
    const layers: Layer[] = [];
    for (const l of model.layers) {
      if (l instanceof Linear) {
        const b = l.bias;
        const inF = l.weight.shape[1], outF = l.weight.shape[0];
        layers.push({
          w: l.weight.data, b: b ? b.data : null, gw: l.weight.grad!, gb: b ? b.grad! : null, inF, outF, relu: false,
          pre: alloc(model.dtype, maxBatch * outF), act: null, gOut: alloc(model.dtype, maxBatch * outF), gPre: null,
        });
      } else if (l instanceof ReLU) {
        const last = layers[layers.length - 1];
        if (!last || last.relu) return null;
        last.relu = true;
        last.act = alloc(model.dtype, maxBatch * last.outF);
        last.gPre = alloc(model.dtype, maxBatch * last.outF);
      } else return null;
    }
    // a mismatch of sizes is left to the graph, whose error names it
    if (layers.length === 0 || layers[0].inF !== features) return null;
    for (let i = 1; i < layers.length; i++) if (layers[i].inF !== layers[i - 1].outF) return null;
    const k = layers[layers.length - 1].outF;
    return new FusedMlpStep(layers, alloc(model.dtype, maxBatch * k), k);
  }

  /**
   * Forward and backward for the first m rows of x (m × features) and labels y: writes every parameter
   * gradient (overwriting it) and returns the mean loss. A loss that is not finite returns before the
   * backward with the gradients zeroed, as the graph's step leaves them.
   */
  run(x: FloatArray, y: Float64Array, m: number, grads: FloatArray): number {
    const { layers, k } = this;
    for (let i = 0; i < m; i++) {
      const c = y[i];
      if (!Number.isInteger(c) || c < 0 || c >= k) checkLabels('crossEntropy', y.subarray(0, m), m, k);
    }
    let input = x;
    for (const L of layers) {
      kernels.matmul(input, L.w, L.pre, m, L.inF, L.outF, false, true, false);
      if (L.b) kernels.addRowVector(L.pre, L.b, m, L.outF);
      if (L.act) kernels.relu(L.pre, L.act, m * L.outF);
      input = L.act ?? L.pre;
    }
    const out = layers[layers.length - 1];
    // stored in the model's dtype, as the graph's scalar loss tensor holds it (a float32 overflow included)
    const raw = kernels.softmaxCrossEntropy(input, y, this.dz, m, k);
    const loss = this.single ? Math.fround(raw) : raw;
    if (!Number.isFinite(loss)) {
      grads.fill(0);
      return loss;
    }
    // d loss / d logits: the graph adds 1·dz into a zeroed gradient
    const gz = out.gOut;
    gz.fill(0, 0, m * k);
    kernels.axpy(1, this.dz, gz, m * k);
    for (let li = layers.length - 1; li >= 0; li--) {
      const L = layers[li];
      let g = L.gOut;
      if (L.gPre) {
        L.gPre.fill(0, 0, m * L.outF);
        kernels.reluBackward(L.gOut, L.act!, L.gPre, m * L.outF);
        g = L.gPre;
      }
      const prev = li > 0 ? layers[li - 1] : null;
      const inData = prev ? (prev.act ?? prev.pre) : x;
      if (prev) {
        prev.gOut.fill(0, 0, m * L.inF);
        kernels.matmul(g, L.w, prev.gOut, m, L.outF, L.inF, false, false, true);
      }
      kernels.matmul(g, inData, L.gw, L.outF, m, L.inF, true, false, false);
      if (L.gb) kernels.colSum(g, L.gb, m, L.outF, false);
    }
    return loss;
  }
}
