/**
 * How much memory a run may ask for, so that a model or dataset too large fails at once with a
 * clear line instead of an allocation failure (or the machine swapping) minutes in.
 * Node-only (os.totalmem); the checks themselves are pure (src/data/csv.ts, src/nn/build.ts).
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { inputError } from '../errors.js';

/** The wasm arena is one WebAssembly memory: at most 65,536 pages of 64 KiB. */
export const WASM_ARENA_BYTES = 65536 * 65536;

export interface MemoryLimit {
  bytes: number;
  /** Where the number comes from, for the message. */
  why: string;
}

/**
 * The budget for one dataset or one model: DESCENT_MEMORY_LIMIT (bytes) when set, else half of this
 * machine's memory.
 */
export function memoryLimit(): MemoryLimit {
  const env = process.env.DESCENT_MEMORY_LIMIT;
  if (env !== undefined && env !== '') {
    const b = Number(env);
    if (!Number.isSafeInteger(b) || b < 1) throw inputError(`DESCENT_MEMORY_LIMIT: expected a number of bytes (a positive integer), got '${env}'`);
    return { bytes: b, why: 'DESCENT_MEMORY_LIMIT' };
  }
  const total = totalmem();
  return { bytes: Math.floor(total / 2), why: `half of this machine's ${(total / 2 ** 30).toFixed(1)} GiB` };
}

/** The budget for a model's tensors: within memoryLimit(), and within the wasm arena when the fast kernels hold them. */
export function modelMemoryLimit(wasm: boolean): MemoryLimit {
  const m = memoryLimit();
  if (wasm && WASM_ARENA_BYTES < m.bytes) return { bytes: WASM_ARENA_BYTES, why: 'the 4 GiB of the wasm arena that holds the weights' };
  return m;
}

/**
 * The budget for results kept as JavaScript objects and arrays (kmeans' runs with their histories,
 * compare's curves): within memoryLimit(), and within what V8's heap may still grow by, since past
 * its limit (about 4 GiB by default, `node --max-old-space-size`) Node dies with "heap out of memory"
 * and a native trace, whatever the machine's memory (or DESCENT_MEMORY_LIMIT) allows.
 */
export function heapMemoryLimit(): MemoryLimit {
  const m = memoryLimit();
  const heap = getHeapStatistics();
  const room = Math.max(0, heap.heap_size_limit - heap.used_heap_size);
  if (room >= m.bytes) return m;
  return { bytes: room, why: `the JavaScript heap's limit of ${(heap.heap_size_limit / 2 ** 30).toFixed(1)} GiB, less ${(heap.used_heap_size / 2 ** 20).toFixed(0)} MiB in use (node --max-old-space-size raises it)` };
}
