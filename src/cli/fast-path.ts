/**
 * The commands' one start of the compute backend (design item 13: fast paths are the defaults, chosen once
 * where the backend starts): wasm kernels and arena, relaxed SIMD where the engine validates it, worker
 * threads on the machine's cores unless `--threads N` or DESCENT_THREADS says otherwise (1: none).
 */
import { resolveThreads, startNodeFastPath, type FastPathInfo } from '../tensor/backend-node.js';

/** The `--threads` flag's help text, shared by the commands that train. */
export const threadsHelp = 'worker threads for the float32 kernels (default: DESCENT_THREADS, else the machine\'s cores; 1: none)';

/** Starts the fast path with `--threads` (a raw flag value) or the defaults; a bad value is an input error. */
export function startFastPath(threadsFlag?: unknown): FastPathInfo {
  return startNodeFastPath(resolveThreads(threadsFlag as string | number | undefined));
}
