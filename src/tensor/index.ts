/**
 * descent/tensor: shapes over flat typed arrays, the allocator for long-lived buffers, the
 * kernels (pure-TS reference behind a dispatch object) and the seeded PRNG.
 *
 * - `Tensor` (shape + row-major `data`), `DType` ('float32' | 'float64'), `FloatArray`.
 * - `alloc(dtype, n)`: every long-lived buffer; `setAllocator` lets the wasm layer place them.
 * - `kernels.matmul(a, b, out, m, k, n, transA, transB, accumulate)` and friends; `setKernels`.
 * - `Rng` (xoshiro128**): uniform, normal, int, permutation, shuffle, getState/setState.
 */
export { Tensor, sizeOf, dtypeOf, newArray } from './tensor.js';
export type { DType, FloatArray } from './tensor.js';
export { alloc, setAllocator } from './alloc.js';
export type { Allocator } from './alloc.js';
export {
  kernels, referenceKernels, setKernels, matmul, addRowVector, colSum, relu, reluBackward,
  logSumExpRows, softmaxRows, logSoftmaxRows, softmaxCrossEntropy, axpy,
} from './kernels.js';
export type { Kernels } from './kernels.js';
export { Rng } from './rng.js';
export type { RngState } from './rng.js';
export { Arena } from './arena.js';
