/**
 * The one allocator for long-lived buffers (parameters, gradients, optimizer state, layer
 * scratch, the autograd arena's buffers). By default an ordinary typed array; the
 * performance layer installs an allocator that places float32 buffers in WebAssembly memory
 * (`setAllocator`), so its SIMD kernels can take them without copies. Short-lived values
 * (a printed result, a test's input) use `new Float32Array` directly.
 */
import type { DType, FloatArray } from './tensor.js';

/** Returns a zero-filled array of n elements of a dtype. */
export type Allocator = (dtype: DType, n: number) => FloatArray;

const defaultAllocator: Allocator = (dtype, n) => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
let current: Allocator = defaultAllocator;

/** A zero-filled long-lived buffer of n elements of `dtype`, from the installed allocator. */
export function alloc(dtype: DType, n: number): FloatArray {
  return current(dtype, n);
}

/** Installs an allocator (e.g. the wasm arena for float32); `null` restores plain typed arrays. */
export function setAllocator(a: Allocator | null): void {
  current = a ?? defaultAllocator;
}
