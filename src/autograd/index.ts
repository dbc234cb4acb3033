/**
 * descent/autograd: reverse-mode automatic differentiation over whole tensors.
 *
 * API overview
 * - `Var` (extends `Tensor`): `data`, `shape`, `grad` (FloatArray | null), `requiresGrad`,
 *   `backward()`, `item()`. Make leaves with `tensor(values, shape, {dtype, requiresGrad})`;
 *   a model's parameters are `parameter(dataView, gradView, shape, name)` leaves whose `grad`
 *   is a view into the model's one gradient buffer.
 * - `backward(root, gradOutput?)`: iterative topological sort, then each primitive's backward
 *   closure adds (+=) into its parents' gradients. Leaf gradients accumulate until zeroed.
 * - `noGrad(fn)`: evaluate without recording (like `torch.no_grad()`).
 * - `withArena(arena, fn)`: intermediates (values and gradients) come from a reusable
 *   `Arena` (descent/tensor); call `arena.reset()` once per step after reading the loss, and a
 *   steady-state step allocates no typed arrays.
 * - Primitives (forward and backward side by side in ops.ts): add, sub, mul, div (NumPy
 *   broadcasting), addScalar, mulScalar, neg, exp, log, sqrt, abs, sign, pow, square, relu,
 *   sigmoid, tanh, softmax, logSoftmax, logSumExp, sum, mean (all or one axis), matmul,
 *   linear (X·Wᵀ + b), transpose, reshape, gather (by label), mulMask (dropout),
 *   softmaxCrossEntropy, bceWithLogits.
 * - New primitives: `record(data, shape, parents, backwardFn, op)` with `scratch(dtype, n)` for the
 *   value and `gradOf(parent)` for the buffer a backward closure adds into (see ops.ts).
 * - `gradcheck(fn, inputs, {eps, atol, rtol})` like torch.autograd.gradcheck;
 *   `numericGradient(f, x, eps)` central differences of a scalar function.
 * - Second derivatives (second-order.ts): f written over `Scalar`s is recorded on a `Tape`; a reverse sweep
 *   gives ∇f, forward-over-reverse gives ∇²f·u and the Hessian (`hessianOf`, `hessianVectorProductOf`,
 *   `tape.replay(x)` for f whose operations do not depend on x). Newton's Hessians come from here.
 *
 * @example
 * const w = tensor([1, 2], [2], { dtype: 'float64', requiresGrad: true });
 * const loss = sum(square(w)); // 5
 * loss.backward();             // w.grad = [2, 4]
 */
export { Var, tensor, parameter, backward, noGrad, isGradEnabled, withArena, topoSort, record, gradOf, scratch } from './var.js';
export {
  add, sub, mul, div, addScalar, mulScalar, neg, exp, log, sqrt, abs, sign, pow, square, relu, sigmoid, tanh,
  softmax, logSoftmax, logSumExp, sum, mean, matmul, linear, transpose, reshape, gather, mulMask,
  softmaxCrossEntropy, bceWithLogits, checkLabels,
} from './ops.js';
export { gradcheck, numericGradient } from './gradcheck.js';
export type { GradcheckOptions } from './gradcheck.js';
export { Tape, Scalar, sumOf, linearCombination, hessianOf, hessianVectorProductOf } from './second-order.js';
export type { ScalarFunction } from './second-order.js';
