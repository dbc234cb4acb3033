/**
 * Node-specific: runs the wasm kernels on several cores with worker_threads over the backend's
 * shared WebAssembly.Memory. Each worker instantiates the same compiled module on the same memory,
 * so a task is just byte addresses and sizes; nothing is copied or posted per call.
 *
 * Synchronisation is a control block of Int32 words in the arena: the main thread writes each
 * worker's arguments, bumps a sequence word and notifies; workers spin briefly (a kernel call is
 * often well under a millisecond, and a futex wake-up costs tens of µs), then park in Atomics.wait.
 * The main thread computes its own share, then waits for the done counter.
 *
 * Browsers: not imported by the core; without `enableThreads` everything runs single-threaded.
 */
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { availableParallelism } from 'node:os';
import { inputError } from '../errors.js';
import { getBackend, installWasmKernels, type ParallelExecutor, type StepKernel, type WasmBackend } from './backend.js';

// op 0 quits, op 1 is a matmul block, ops 2.. the step kernels in this order
const OP_QUIT = 0, OP_MATMUL = 1;
const STEP_KERNELS: readonly StepKernel[] = ['adamF32', 'sgdF32', 'rmspropF32', 'adagradF32', 'adamaxF32'];
const ARGS = 32; // f64 argument slots per thread; the last holds a step kernel's result code
// control words: [0] sequence, [1] done count
const CTRL_WORDS = 16;

// The worker body (CommonJS, eval'd so it needs no file next to the compiled output or tsx).
const workerSource = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, args, id, scratch, kernels } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory, abort() {} } }).exports;
const c = new Int32Array(memory.buffer, ctrl, ${CTRL_WORDS});
const a = new Float64Array(memory.buffer, args + id * ${ARGS * 8}, ${ARGS});
// one argument list per step kernel, reused: a call allocates nothing
const fns = kernels.map((k) => ex[k]);
const lists = fns.map((f) => new Array(f.length).fill(0));
let seen = 0;
for (;;) {
  let spins = 0;
  while (Atomics.load(c, 0) === seen) {
    if (++spins > 200000) { Atomics.wait(c, 0, seen); spins = 0; }
  }
  seen = Atomics.load(c, 0);
  const op = a[0];
  if (op === ${OP_QUIT}) break;
  if (op === ${OP_MATMUL}) ex.matmulBlock(a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], scratch);
  else {
    const k = op - 2, list = lists[k];
    for (let j = 0; j < list.length; j++) list[j] = a[1 + j];
    a[${ARGS - 1}] = fns[k].apply(null, list);
  }
  Atomics.add(c, 1, 1);
  Atomics.notify(c, 1);
}
`;

/** Work below these sizes stays on one thread: the hand-off costs more than it saves (measured, bench/). */
export const parallelThresholds = {
  /** m·k·n multiply-adds of one matmul. */
  matmulFlops: 4_000_000,
  /** elements of one optimizer step. */
  optimElements: 200_000,
};

class NodeParallel implements ParallelExecutor {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array; // threads × ARGS slots; slot block 0 is unused by workers (main thread)
  private readonly mainScratch: number;
  private readonly scratchBytes: number;
  private seq = 0;

  constructor(private readonly be: WasmBackend, threads: number, maxN: number) {
    this.threads = threads;
    const ctrlPtr = be.allocPinned(CTRL_WORDS * 4);
    const argsPtr = be.allocPinned(threads * ARGS * 8);
    this.ctrl = new Int32Array(be.memory.buffer, ctrlPtr, CTRL_WORDS);
    this.args = new Float64Array(be.memory.buffer, argsPtr, threads * ARGS);
    this.scratchBytes = be.exports.matmulScratchBytes(maxN);
    this.mainScratch = be.allocPinned(this.scratchBytes);
    for (let id = 1; id < threads; id++) {
      const scratch = be.allocPinned(this.scratchBytes);
      const w = new Worker(workerSource, {
        eval: true,
        workerData: { module: be.module, memory: be.memory, ctrl: ctrlPtr, args: argsPtr, id, scratch, kernels: STEP_KERNELS },
      });
      w.unref(); // parked workers must not keep the process alive
      this.workers.push(w);
    }
  }

  /** Wakes the workers for the arguments already written; the caller then does its share and calls join(). */
  private start(): void {
    Atomics.store(this.ctrl, 1, 0);
    this.seq = (this.seq + 1) | 0;
    Atomics.store(this.ctrl, 0, this.seq);
    Atomics.notify(this.ctrl, 0);
  }

  /** Waits until every worker has finished the current task. */
  private join(): void {
    const want = this.threads - 1;
    for (;;) {
      const done = Atomics.load(this.ctrl, 1);
      if (done >= want) break;
      Atomics.wait(this.ctrl, 1, done, 1);
    }
  }

  matmul(a: number, b: number, c: number, m: number, k: number, n: number, transA: boolean, transB: boolean, accumulate: boolean): boolean {
    if (m * k * n < parallelThresholds.matmulFlops) return false;
    const T = this.threads;
    // a thread's scratch is sized for the full width n, so wider products than maxN stay single-threaded
    if (this.be.exports.matmulScratchBytes(n) > this.scratchBytes) return false;
    // splitting rows makes every thread pack all of op(B) (k·n), splitting columns all of op(A) (m·k):
    // split the longer side, so the duplicated packing is the smaller operand
    const byRows = m >= n || n < 8 * T;
    const total = byRows ? m : n;
    const chunk = Math.ceil(total / T / 8) * 8; // multiples of the tile sizes
    for (let t = 1; t < T; t++) {
      const o = t * ARGS, s = this.args;
      const r0 = Math.min(total, t * chunk), r1 = Math.min(total, (t + 1) * chunk);
      s[o] = OP_MATMUL; s[o + 1] = a; s[o + 2] = b; s[o + 3] = c; s[o + 4] = m; s[o + 5] = k; s[o + 6] = n;
      s[o + 7] = +transA; s[o + 8] = +transB; s[o + 9] = +accumulate;
      s[o + 10] = byRows ? r0 : 0; s[o + 11] = byRows ? r1 : m; s[o + 12] = byRows ? 0 : r0; s[o + 13] = byRows ? n : r1;
    }
    const r1 = Math.min(total, chunk);
    this.start();
    this.be.exports.matmulBlock(a, b, c, m, k, n, +transA, +transB, +accumulate,
      0, byRows ? r1 : m, 0, byRows ? n : r1, this.mainScratch);
    this.join();
    return true;
  }

  // reused by the main thread's share of a step: no array per call
  private readonly mainArgs: number[] = new Array(ARGS).fill(0);

  splitsStep(n: number): boolean {
    return n >= parallelThresholds.optimElements;
  }

  step(kernel: StepKernel, args: readonly number[], n: number, i0Slot: number): number {
    if (!this.splitsStep(n)) return -1;
    const T = this.threads;
    const op = 2 + STEP_KERNELS.indexOf(kernel);
    const chunk = Math.ceil(n / T / 16) * 16; // whole cache lines per thread
    for (let t = 1; t < T; t++) {
      const base = t * ARGS;
      this.args[base] = op;
      for (let i = 0; i < args.length; i++) this.args[base + 1 + i] = args[i];
      this.args[base + 1 + i0Slot] = Math.min(n, t * chunk);
      this.args[base + 1 + i0Slot + 1] = Math.min(n, (t + 1) * chunk);
    }
    const mine = this.mainArgs;
    mine.length = args.length;
    for (let i = 0; i < args.length; i++) mine[i] = args[i];
    mine[i0Slot] = 0;
    mine[i0Slot + 1] = Math.min(n, chunk);
    this.start();
    let worst = (this.be.exports[kernel] as (...xs: number[]) => number).apply(null, mine);
    this.join();
    for (let t = 1; t < T; t++) worst = Math.max(worst, this.args[t * ARGS + ARGS - 1]);
    return worst;
  }

  close(): void {
    for (let t = 1; t < this.threads; t++) this.args[t * ARGS] = OP_QUIT;
    this.seq = (this.seq + 1) | 0;
    Atomics.store(this.ctrl, 0, this.seq);
    Atomics.notify(this.ctrl, 0);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

/**
 * Uses `threads` cores (default: all available) for large matmuls and optimizer steps of the wasm
 * backend. `maxN` bounds the output width a threaded matmul may have (scratch is sized once for it).
 * Returns the thread count in use (1 when the backend is off or its memory is not shared).
 */
export function enableThreads(threads = availableParallelism(), maxN = 4096): number {
  const be = getBackend();
  if (!be || !be.shared || threads < 2) return 1;
  if (be.parallel) {
    if (be.parallel.threads === threads) return threads;
    be.parallel.close();
  }
  be.parallel = new NodeParallel(be, threads, maxN);
  return threads;
}

/** Stops the workers; kernels run on the calling thread again. */
export function disableThreads(): void {
  const be = getBackend();
  if (be?.parallel) {
    be.parallel.close();
    be.parallel = null;
  }
}

/**
 * Node 20 ships WebAssembly relaxed SIMD (fused multiply-add) behind a V8 flag; Node ≥ 22 and Chrome ≥ 114
 * have it on. Setting the flag at run time works as long as it happens before the backend compiles its
 * module (call this before the first `getBackend()`). Returns whether relaxed SIMD validates afterwards.
 */
export function enableRelaxedSimdFlag(): boolean {
  // (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
  const probe = Uint8Array.from([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0,
    10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
  ]);
  if (WebAssembly.validate(probe)) return true;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return WebAssembly.validate(probe);
}

/** What `startNodeFastPath` set up: for the bench, the tests and `--json` consumers who want to know. */
export interface FastPathInfo {
  /** The wasm kernels and arena are installed (false: no WebAssembly SIMD here; the TS kernels run). */
  wasm: boolean;
  /** The relaxed-SIMD build (fused multiply-add in matmul) is in use. */
  relaxed: boolean;
  /** Threads computing (1: the calling thread only). */
  threads: number;
}

/**
 * The thread count to use: `requested` (a `--threads` value), else DESCENT_THREADS, else the machine's
 * cores. A bad value is an input error naming where it came from.
 */
export function resolveThreads(requested?: string | number): number {
  const parse = (raw: string | number, where: string): number => {
    const t = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isInteger(t) || t < 1 || t > 256 || (typeof raw === 'string' && raw.trim() === '')) {
      throw inputError(`${where}: expected an integer from 1 to 256 (1: no worker threads), got '${String(raw)}'`);
    }
    return t;
  };
  if (requested !== undefined) return parse(requested, '--threads');
  const env = process.env.DESCENT_THREADS;
  if (env !== undefined && env !== '') return parse(env, 'DESCENT_THREADS');
  return availableParallelism();
}

/**
 * Node's default fast path, chosen once where the backend starts: relaxed SIMD when the engine validates
 * it (on Node 20 by setting V8's flag before the module compiles), the wasm kernels and arena behind the
 * tensor dispatch and `alloc` (so float32 models live in the arena and every Optimizer takes the fused
 * steps), and worker threads on `threads` cores (`resolveThreads`: --threads, DESCENT_THREADS, the machine's
 * cores; 1 = none). Float64 work is untouched: every kernel falls back to the exact TS reference for it.
 * Idempotent; a later call with another thread count restarts the workers.
 */
export function startNodeFastPath(threads: number = resolveThreads()): FastPathInfo {
  // before getBackend() compiles the module: afterwards the flag would come too late for this process
  enableRelaxedSimdFlag();
  const be = getBackend();
  if (!be) return { wasm: false, relaxed: false, threads: 1 };
  installWasmKernels();
  let used = 1;
  if (threads > 1) used = enableThreads(threads);
  else disableThreads();
  return { wasm: true, relaxed: be.relaxed, threads: used };
}

/** The state of the fast path now (what startNodeFastPath set up, or less). */
export function fastPathInfo(): FastPathInfo {
  const be = getBackend();
  return { wasm: be !== null, relaxed: be?.relaxed ?? false, threads: be?.parallel?.threads ?? 1 };
}
