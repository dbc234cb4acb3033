// The Trainer's fused step for MLPs of Linear, ReLU, Sigmoid, Tanh and Dropout layers on cross-entropy, with
// and without L1/L2 penalties (src/train/fused-mlp.ts), against the same Trainer recording the autograd graph: every parameter after two
// epochs (with a validation pass switching dropout off and on each epoch), and every batch loss, bit for bit,
// on the reference kernels (float32 and float64) and on the wasm kernels; the models it must leave to the graph.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel, Sequential, Linear, ReLU, Sigmoid, Tanh, Dropout } from '../../src/nn/index.js';
import { createOptimizer } from '../../src/optim/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { Trainer } from '../../src/train/index.js';
import { installWasmKernels, uninstallWasmKernels } from '../../src/tensor/backend.js';
import { gaussianClasses } from '../helpers/toy-data.ts';
import type { Dataset } from '../../src/data/index.js';
import type { DType } from '../../src/tensor/tensor.js';

after(() => uninstallWasmKernels());

function asDtype(ds: Dataset, dtype: DType): Dataset {
  return { ...ds, x: dtype === 'float64' ? Float64Array.from(ds.x) : Float32Array.from(ds.x) };
}

type Build = (dtype: DType) => Sequential;
interface Penalties { l1?: number; l2?: number; loss?: 'ce' | 'mse' | 'bce' | 'hinge' }
const models: [string, Build, Penalties?][] = [
  ['mlp 6-8-5-3 relu', (dtype) => buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [8, 5], activation: 'relu', rng: new Rng(2), dtype })],
  ['linear softmax 6-3', (dtype) => buildModel({ kind: 'linear', inFeatures: 6, outFeatures: 3, rng: new Rng(3), dtype })],
  ['no biases, ReLU on the logits', (dtype) => new Sequential(new Linear(6, 7, { bias: false, rng: new Rng(4), dtype }), new ReLU(dtype), new Linear(7, 3, { bias: false, rng: new Rng(5), dtype }), new ReLU(dtype))],
  ['mlp 6-8-5-3 sigmoid', (dtype) => buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [8, 5], activation: 'sigmoid', rng: new Rng(6), dtype })],
  ['mlp 6-8-5-3 tanh, dropout 0.3', (dtype) => buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [8, 5], activation: 'tanh', dropout: 0.3, rng: new Rng(7), dtype })],
  ['dropout before and after a ReLU, two ReLUs, tanh on the logits', (dtype) => new Sequential(
    new Linear(6, 7, { rng: new Rng(8), dtype }), new Dropout(0.25, { rng: new Rng(9), dtype }), new ReLU(dtype), new ReLU(dtype),
    new Dropout(0.5, { rng: new Rng(10), dtype }), new Linear(7, 4, { rng: new Rng(11), dtype }), new Sigmoid(dtype),
    new Linear(4, 3, { rng: new Rng(12), dtype }), new Tanh(dtype))],
  ['dropout p = 0 and p = 1', (dtype) => new Sequential(
    new Linear(6, 5, { rng: new Rng(13), dtype }), new Dropout(0, { rng: new Rng(14), dtype }), new Tanh(dtype),
    new Linear(5, 4, { rng: new Rng(15), dtype }), new Dropout(1, { rng: new Rng(16), dtype }), new Linear(4, 3, { rng: new Rng(17), dtype }))],
  ['mlp 6-8-5-3 relu, L2 0.01', (dtype) => buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [8, 5], activation: 'relu', rng: new Rng(18), dtype }), { l2: 0.01 }],
  ['mlp 6-8-3 tanh, L1 0.003', (dtype) => buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [8], activation: 'tanh', rng: new Rng(19), dtype }), { l1: 0.003 }],
  ['mlp 6-8-3 sigmoid, dropout 0.2, L1 0.002 and L2 0.03 (λ not a float32)', (dtype) => buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [8], activation: 'sigmoid', dropout: 0.2, rng: new Rng(20), dtype }), { l1: 0.002, l2: 0.03 }],
  ['no biases, L2 0.1', (dtype) => new Sequential(new Linear(6, 7, { bias: false, rng: new Rng(21), dtype }), new ReLU(dtype), new Linear(7, 3, { bias: false, rng: new Rng(22), dtype })), { l2: 0.1 }],
  ['linear regression 6-1, mse', (dtype) => buildModel({ kind: 'linear', inFeatures: 6, outFeatures: 1, rng: new Rng(23), dtype }), { loss: 'mse' }],
  ['mlp 6-8-1 tanh, dropout 0.1, mse, L2 0.01', (dtype) => buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 1, hidden: [8], activation: 'tanh', dropout: 0.1, rng: new Rng(24), dtype }), { loss: 'mse', l2: 0.01 }],
  ['logistic regression 6-1, bce', (dtype) => buildModel({ kind: 'logistic', inFeatures: 6, outFeatures: 1, rng: new Rng(25), dtype }), { loss: 'bce' }],
  ['mlp 6-8-1 relu, bce, L1 0.001', (dtype) => buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 1, hidden: [8], rng: new Rng(26), dtype }), { loss: 'bce', l1: 0.001 }],
  ['linear SVM 6-3, hinge', (dtype) => buildModel({ kind: 'linear', inFeatures: 6, outFeatures: 3, rng: new Rng(27), dtype }), { loss: 'hinge' }],
  ['mlp 6-8-4 tanh, dropout 0.2, hinge, L2 0.01', (dtype) => buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 4, hidden: [8], activation: 'tanh', dropout: 0.2, rng: new Rng(28), dtype }), { loss: 'hinge', l2: 0.01 }],
];

/** The toy classes as the loss wants its targets: class indices (ce), class 0 against the rest (bce), a smooth function of x plus the class (mse). */
function targetsFor(ds: Dataset, loss: 'ce' | 'mse' | 'bce' | 'hinge'): Dataset {
  if (loss === 'ce' || loss === 'hinge') return ds;
  const y = new Float64Array(ds.n);
  for (let i = 0; i < ds.n; i++) y[i] = loss === 'bce' ? (ds.y[i] === 0 ? 1 : 0) : Math.sin(ds.x[i * ds.d]) + 0.5 * ds.x[i * ds.d + 1] + ds.y[i];
  return { ...ds, y, numClasses: loss === 'bce' ? 2 : 0 };
}

function run(build: Build, dtype: DType, fusedStep: boolean, penalties: Penalties = {}): { initial: number[]; params: number[]; losses: number[]; fused: boolean } {
  const model = build(dtype);
  const initial = Array.from(model.params);
  const { loss = 'ce', ...lambdas } = penalties;
  const train = asDtype(targetsFor(gaussianClasses(47, 6, 3, 9), loss), dtype); // 47 rows, batch 10: a last batch of 7
  const val = asDtype(targetsFor(gaussianClasses(12, 6, 3, 10), loss), dtype); // evaluated each epoch, in eval mode (dropout off)
  const optimizer = createOptimizer('adam', { params: model.params, grads: model.grads }, { lr: 0.01 });
  const trainer = new Trainer({ model, optimizer, train, val, batch: 10, shuffle: true, rng: new Rng(7), fusedStep, loss, ...lambdas });
  const losses: number[] = [];
  for (let e = 0; e < 2; e++) {
    while (trainer.epochUnfinished) losses.push(trainer.step());
    trainer.endEpoch();
  }
  return { initial, params: Array.from(model.params), losses, fused: (trainer as unknown as { fused: unknown }).fused !== null };
}

for (const wasm of [false, true]) {
  for (const dtype of (wasm ? ['float32'] : ['float32', 'float64']) as DType[]) {
    for (const [name, build, penalties] of models) {
      test(`fused MLP step = the autograd graph, bit for bit: ${name}, ${dtype}, ${wasm ? 'wasm' : 'reference'} kernels`, () => {
        if (wasm) assert.ok(installWasmKernels(), 'the wasm kernels load');
        else uninstallWasmKernels();
        const graph = run(build, dtype, false, penalties), fused = run(build, dtype, true, penalties);
        assert.equal(graph.fused, false);
        assert.equal(fused.fused, true, 'takes the fused step');
        assert.deepEqual(fused.losses, graph.losses);
        assert.deepEqual(fused.params, graph.params);
        assert.ok(graph.losses.every(Number.isFinite), 'finite losses');
        assert.notDeepEqual(graph.params, graph.initial, 'it trains');
      });
    }
  }
}

test('fused MLP step: a model that does not start with a Linear, and mse or bce on several outputs, take the graph', () => {
  uninstallWasmKernels();
  const train = gaussianClasses(20, 6, 3, 1);
  const cases: [Sequential, 'ce' | 'mse' | 'bce'][] = [
    [new Sequential(new ReLU(), new Linear(6, 3, { rng: new Rng(2) })), 'ce'],
    [new Sequential(new Dropout(0.5, { rng: new Rng(3) }), new Linear(6, 3, { rng: new Rng(2) })), 'ce'],
    // mse and bce on 3 outputs against one target a row: the graph's step gives the error
    [buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [4], rng: new Rng(1) }), 'mse'],
    [buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [4], rng: new Rng(1) }), 'bce'],
  ];
  for (const [model, loss] of cases) {
    const optimizer = createOptimizer('sgd', { params: model.params, grads: model.grads }, { lr: 0.1 });
    const trainer = new Trainer({ model, loss, optimizer, train, batch: 5, shuffle: false, rng: new Rng(1) });
    assert.equal((trainer as unknown as { fused: unknown }).fused, null);
  }
});

test('fused MLP step: a label outside the classes is refused with the graph\'s message (ce and hinge)', () => {
  uninstallWasmKernels();
  const train = gaussianClasses(10, 6, 3, 1);
  train.y[3] = 5;
  for (const loss of ['ce', 'hinge'] as const) {
    const messages = [true, false].map((fusedStep) => {
      const model = buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [4], rng: new Rng(1) });
      const optimizer = createOptimizer('sgd', { params: model.params, grads: model.grads }, { lr: 0.1 });
      const trainer = new Trainer({ model, loss, optimizer, train, batch: 10, shuffle: false, rng: new Rng(1), fusedStep });
      try {
        trainer.step();
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    });
    assert.match(messages[0], /label 5 in row 3 is not a class index in 0\.\.2/, loss);
    assert.equal(messages[0], messages[1], loss);
  }
});
