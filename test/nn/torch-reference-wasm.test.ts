// The same torch references with the WebAssembly SIMD kernels and the wasm arena allocator installed
// (src/tensor/backend.ts): the fast path must agree with torch as closely as the reference does. Float64 and
// buffers outside the arena (the CSV batch) fall back to the reference kernels inside the same model.
import { after } from 'node:test';
import { installWasmKernels, uninstallWasmKernels } from '../../src/tensor/backend.js';
import { defineTorchReferenceTests } from './torch-cases.js';

if (installWasmKernels()) {
  after(() => uninstallWasmKernels());
  defineTorchReferenceTests('wasm kernels');
}
