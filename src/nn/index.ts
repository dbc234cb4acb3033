/**
 * descent/nn: layers, the Sequential container, the model builder, losses and penalties.
 *
 * API overview
 * - `new Linear(in, out, {rng, dtype, bias})` (torch init: W, b ~ U(−1/√in, 1/√in)),
 *   `new ReLU()`, `new Sigmoid()`, `new Tanh()`, `new Dropout(p, {rng})` (p = drop probability,
 *   inverted dropout), `new Sequential(...layers)`.
 * - Every module: `forward(x: Var): Var`, `params` / `grads` (ONE contiguous FloatArray each,
 *   every parameter a view), `parameters()` → [{name, shape, data, grad, offset, size, isWeight, var}]
 *   in torch state_dict order ("0.weight" [out, in], "0.bias", "2.weight", ...), `zeroGrad()`
 *   (one fill), `train()` / `eval()`, `stateDict()` / `loadStateDict(dict)` (accepts the result
 *   of `parseSafetensors`).
 * - `buildModel({kind: 'linear'|'logistic'|'softmax'|'mlp', inFeatures, outFeatures, hidden,
 *   activation, dropout, dtype, rng})` and `parseModelArg('mlp:32,16')`.
 * - Losses (batch means): `mse`, `bceWithLogits`, `crossEntropy`, `multiclassHinge`;
 *   `losses` / `lossByName('ce')`; penalties `l1Penalty(weights, λ)`, `l2Penalty(weights, λ)`.
 *
 * A training step (see src/train):
 * @example
 * const model = buildModel({ kind: 'mlp', inFeatures: 4, outFeatures: 3, hidden: [16], rng: new Rng(1) });
 * const arena = new Arena();
 * model.zeroGrad();
 * const loss = withArena(arena, () => {
 *   const l = crossEntropy(model.forward(tensor(xBatch, [m, 4])), yBatch);
 *   l.backward();
 *   return l.item();
 * });
 * arena.reset();
 * // model.grads now holds dL/dparams; update model.params in one loop.
 */
export { Module, Linear, ReLU, Sigmoid, Tanh, Dropout, Sequential } from './module.js';
export type { ParamInfo, ParamSpec, StateEntry, LinearOptions } from './module.js';
export { EmbeddingBag, SparseLinear, SparseRows, embeddingBag, checkSparseBatch } from './sparse.js';
export type { SparseBatch, EmbeddingBagOptions, SparseLinearOptions } from './sparse.js';
export { buildModel, parseModelArg, parameterCount, checkModelMemory, TRAINING_COPIES } from './build.js';
export type { ModelSpec, ModelKind, Activation, MemoryBudget, ModelMemoryUse } from './build.js';
export { mse, bceWithLogits, crossEntropy, multiclassHinge, l1Penalty, l2Penalty, losses, lossByName, isClassificationLoss } from './losses.js';
export type { LossFn, LossName, Targets } from './losses.js';
