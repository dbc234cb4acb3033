/**
 * The package's entry in Node (package.json exports "." → "node"): everything of the core entry, with the
 * fast path started at import (design item 13: chosen once where the backend starts, not a flag a user must
 * find). Float32 models built afterwards live in the wasm arena, so every Optimizer takes the fused SIMD
 * steps and the matmuls run in wasm, relaxed SIMD where the engine validates it, on worker threads on the
 * machine's cores (DESCENT_THREADS overrides; 1 = none; the workers never keep the process alive).
 * Float64 work is unchanged (the exact TS path). Browsers and bundlers get dist/index.js, which starts nothing. (src/node: the Node-only layer.)
 */
import { startNodeFastPath } from '../tensor/backend-node.js';

export * from '../index.js';
export { startNodeFastPath, resolveThreads, fastPathInfo, enableThreads, disableThreads } from '../tensor/backend-node.js';
export type { FastPathInfo } from '../tensor/backend-node.js';

startNodeFastPath();
