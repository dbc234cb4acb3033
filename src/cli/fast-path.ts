/**
 * The commands' one start of the compute backend (design item 13: fast paths are the defaults, chosen once
 * where the backend starts): wasm kernels and arena, relaxed SIMD where the engine validates it, worker
 * threads on the machine's cores unless `--threads N` or DESCENT_THREADS says otherwise (1: none).
 */
import { fastPathInfo, resolveThreads, startNodeFastPath, type FastPathInfo } from '../tensor/backend-node.js';
import { optimizerStepCounts } from '../optim/optimizer.js';

/** The `--threads` flag's help text, shared by the commands that train. */
export const threadsHelp = 'worker threads for the float32 kernels (default: DESCENT_THREADS, else the machine\'s cores; 1: none)';

/** Starts the fast path with `--threads` (a raw flag value) or the defaults, and zeroes the step counts; a bad value is an input error. */
export function startFastPath(threadsFlag?: unknown): FastPathInfo {
  const info = startNodeFastPath(resolveThreads(threadsFlag as string | number | undefined));
  // the step counts of computeReport() are this command's: a process that runs several (a sweep worker) starts each at 0
  optimizerStepCounts.fused = 0;
  optimizerStepCounts.ts = 0;
  return info;
}

/**
 * What computed this run, for the `--json` outputs: the kernels (wasm or the TS reference), relaxed SIMD,
 * the threads, and how many optimizer steps took a fused kernel vs the TypeScript rule.
 */
export function computeReport(): { kernels: 'wasm' | 'typescript'; relaxedSimd: boolean; threads: number; fusedSteps: number; tsSteps: number } {
  const info = fastPathInfo();
  return { kernels: info.wasm ? 'wasm' : 'typescript', relaxedSimd: info.relaxed, threads: info.threads, fusedSteps: optimizerStepCounts.fused, tsSteps: optimizerStepCounts.ts };
}
