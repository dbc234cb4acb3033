/**
 * Node-specific: runs the wasm kernels on several cores with worker_threads over the backend's
 * shared WebAssembly.Memory. Each worker instantiates the same compiled module on the same memory,
 * so a task is just byte addresses and sizes; nothing is copied or posted per call.
 *
 * A task (one matmul, one optimizer step) is cut into chunks that the main thread and the workers CLAIM
 * from a shared counter: the main thread writes the task's arguments once, opens the counter, bumps a
 * sequence word and notifies; workers spin briefly (a kernel call is often well under a millisecond, and
 * a futex wake-up costs tens of µs), then park in Atomics.wait; the spin budget adapts to the gaps seen,
 * so a worker on a loaded machine parks instead of burning the time slice the main thread needs. Whoever is running takes the next chunk,
 * so a worker that the OS has not scheduled (a busy machine) costs nothing: the main thread does its
 * chunks too, and waits only for chunks already begun. On a loaded 2-core machine a fixed split stalls
 * every kernel call for a time slice; claiming keeps the threaded path no slower than one thread.
 *
 * Browsers: not imported by the core; without `enableThreads` everything runs single-threaded.
 */
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { inputError } from '../errors.js';
import { getBackend, installWasmKernels, type ParallelExecutor, type StepKernel, type WasmBackend } from './backend.js';

// op 0 quits, op 1 is a matmul, ops 2.. the step kernels in this order
const OP_QUIT = 0, OP_MATMUL = 1;
const STEP_KERNELS: readonly StepKernel[] = ['adamF32', 'sgdF32', 'rmspropF32', 'adagradF32', 'adamaxF32'];
// control words: [0] sequence, [1] chunks done, [2] next chunk to claim, [3] chunks in the task, [4] OR of step result codes
const SEQ = 0, DONE = 1, NEXT = 2, CHUNKS = 3, RESULT = 4;
const CTRL_WORDS = 16;
/** NEXT between tasks: any claim lands beyond every chunk count, so a late worker cannot take a chunk of a task being written. */
const CLOSED = 1 << 30;
// task arguments (f64): [0] op, then per op — matmul: a b c m k n transA transB accumulate byRows total chunk;
// step: i0Slot n chunk, then the kernel's own arguments from slot 4
const ARGS = 40;
const STEP_ARGS = 4;
/** A worker's spin budget between tasks, in µs (adaptive between min and max; see the worker body). */
const SPIN_US = { start: 20, min: 2, max: 50 };
/**
 * SplitChooser: tasks per window, of which the first `settle` are not timed; windows per cycle; probe pairs
 * (a split and an alone window each) at the start of a cycle; the split/alone time ratio below which
 * splitting is kept. The first cycle is shorter: it runs while the JIT compiles on the other core.
 */
const CHOOSER = { window: 16, settle: 4, windows: 64, firstWindows: 16, pairs: 4, margin: 0.95 };
/** Work units of one optimizer-step element, against one multiply-add of a matmul (a step is memory-bound: ~16 B an element). */
const STEP_WORK = 8;
/** How long the main thread spins for chunks that workers have begun before it parks, in ms. */
const MAIN_SPIN_MS = 0.5;

// The worker body (CommonJS, eval'd so it needs no file next to the compiled output or tsx).
const workerSource = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, args, scratch, kernels } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory, abort() {} } }).exports;
const c = new Int32Array(memory.buffer, ctrl, ${CTRL_WORDS});
const a = new Float64Array(memory.buffer, args, ${ARGS});
// one argument list per step kernel, reused: a call allocates nothing
const fns = kernels.map((k) => ex[k]);
const lists = fns.map((f) => new Array(f.length).fill(0));
${runChunkSource('ex', 'scratch')}
let seen = 0;
// adaptive wait: spin for a budget of µs, then park. A task that arrives while spinning sets the budget
// to twice its gap (the next gap is likely alike); a park halves it. Short gaps (the kernels of one
// training step) are caught spinning; long ones (the main thread's own work, another process holding
// the core) cost one futex wake-up and no stolen CPU time.
let budget = ${SPIN_US.start};
for (;;) {
  const t0 = performance.now();
  let spins = 0, parked = false;
  while (Atomics.load(c, ${SEQ}) === seen) {
    if ((++spins & 255) === 0 && performance.now() - t0 > budget) {
      Atomics.wait(c, ${SEQ}, seen);
      parked = true;
      break;
    }
  }
  if (parked) budget = Math.max(${SPIN_US.min}, budget / 2);
  else budget = Math.min(${SPIN_US.max}, Math.max(budget, 2 * (performance.now() - t0)));
  seen = Atomics.load(c, ${SEQ});
  if (a[0] === ${OP_QUIT}) break;
  for (;;) {
    const ch = Atomics.add(c, ${NEXT}, 1);
    if (ch >= Atomics.load(c, ${CHUNKS})) break;
    runChunk(ch);
    Atomics.add(c, ${DONE}, 1);
    Atomics.notify(c, ${DONE});
  }
}
`;

/**
 * The body of one chunk, shared by the worker source and the main thread (as text for the worker, so both
 * run the same code): reads the task from the args block, computes one chunk, ORs a step result code into RESULT.
 */
function runChunkSource(ex: string, scratch: string): string {
  return `function runChunk(ch) {
  const op = a[0];
  if (op === ${OP_MATMUL}) {
    const total = a[11], chunk = a[12], r0 = Math.min(total, ch * chunk), r1 = Math.min(total, (ch + 1) * chunk);
    if (a[10]) ${ex}.matmulBlock(a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], r0, r1, 0, a[6], ${scratch});
    else ${ex}.matmulBlock(a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], 0, a[4], r0, r1, ${scratch});
    return;
  }
  const k = op - 2, list = lists[k], i0Slot = a[1], n = a[2], chunk = a[3];
  for (let j = 0; j < list.length; j++) list[j] = a[${STEP_ARGS} + j];
  list[i0Slot] = Math.min(n, ch * chunk);
  list[i0Slot + 1] = Math.min(n, (ch + 1) * chunk);
  const r = fns[k].apply(null, list);
  if (r !== 0) Atomics.or(c, ${RESULT}, 1 << r);
}`;
}

/** Work below these sizes stays on one thread: the hand-off costs more than it saves (measured, bench/). */
export const parallelThresholds = {
  /** m·k·n multiply-adds of one matmul. */
  matmulFlops: 4_000_000,
  /**
   * elements of one optimizer step. The W1 MLP's 101,770 parameters: Adam's fused step took 100–110 µs
   * alone and 74–82 µs split over 2 threads (workers parked 0.3 ms between steps, as in training).
   */
  optimElements: 50_000,
};

/**
 * Decides, from measurement, whether splitting tasks over the workers pays. On a loaded machine it may not:
 * a worker that claimed a chunk can be descheduled for a whole time slice while the main thread waits, and
 * where the scheduler gives a process (or its session: Linux autogroup) one CPU share for all its threads,
 * a spinning worker takes time from the main thread's own work between the tasks. That cost falls outside
 * the tasks, so tasks are not timed one by one: the chooser times whole windows of tasks with the work
 * between them (less the first few tasks after a switch of way, which pay for the switch). Each cycle starts with probe pairs, a split and an alone window each, in the order
 * S A, A S, S A, A S (so whichever window comes first after the previous cycle's steady way, and the JIT's
 * warm-up at the very start, falls on both ways alike). Each pair gives the ratio of their wall times per
 * unit of work (multiply-adds, elements); the rest of the cycle splits when the median ratio is below the
 * margin (below 1 when the last cycle split: no flip-flopping on ties). The median, not the pooled times: on a shared virtual machine one window in a few is slowed
 * by something else entirely (measured: pooled ratios of 0.7 and 1.7 in successive cycles of one run).
 */
export class SplitChooser {
  private i = 0;
  private cycles = 0;
  private splitNow = true;
  private splitting = false; // the last cycle's decision
  private arm = -1; // the probe window running: 1 split, 0 alone, −1 none
  private idle = true; // the machine had a core to spare at the start of this cycle
  private t0 = 0;
  private work = 0;
  private readonly rate = [0, 0]; // ms per unit of this pair's split and alone windows
  private readonly ratios = new Float64Array(CHOOSER.pairs);
  /** Tasks run split and alone since start (for the bench and the docs). */
  readonly counts = { split: 0, alone: 0 };

  /**
   * `now`: the clock in ms; `busy`: whether the machine has no core to spare (checked once a cycle). Both
   * are parameters so a test can pass its own.
   */
  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly busy: () => boolean = machineBusy,
  ) {}

  /** Whether the next task, of `work` units, splits. */
  next(work: number): boolean {
    if (splitPolicy.mode !== 'measure') return splitPolicy.mode === 'always';
    const i = this.i, at = i % CHOOSER.window;
    if (at === 0) this.boundary(i / CHOOSER.window);
    else if (at === CHOOSER.settle) {
      // a probe window is timed from here: its first tasks after a switch of way pay the switch (a worker
      // parked for a whole window wakes slowly, more so on a virtual CPU the host has descheduled)
      this.t0 = this.now();
      this.work = 0;
    }
    this.i = i + 1;
    if (this.i === CHOOSER.window * (this.cycles === 0 ? CHOOSER.firstWindows : CHOOSER.windows)) {
      this.i = 0;
      this.cycles++;
    }
    this.work += work;
    if (this.splitNow) this.counts.split++;
    else this.counts.alone++;
    return this.splitNow;
  }

  private boundary(w: number): void {
    const now = this.now();
    if (this.arm >= 0) {
      this.rate[this.arm] = (now - this.t0) / this.work;
      if (w % 2 === 0) this.ratios[w / 2 - 1] = this.rate[1] / this.rate[0]; // a pair is complete
    }
    if (w === 0) this.idle = !this.busy();
    if (!this.idle) {
      // no core to spare: split windows would borrow CPU time that the scheduler takes back later, which
      // short probes do not see, so the whole cycle runs alone and nothing is probed
      this.arm = -1;
      this.splitNow = false;
      return;
    }
    if (w < 2 * CHOOSER.pairs) {
      const splitFirst = (w >> 1) % 2 === 0;
      this.arm = (w % 2 === 0) === splitFirst ? 1 : 0;
      this.splitNow = this.arm === 1;
      return;
    }
    this.arm = -1;
    if (w === 2 * CHOOSER.pairs) {
      // the first cycle's first pair runs while the JIT warms up (its split window measured 2–3× the alone
      // one in runs that then split at 0.6): that cycle decides on the other three
      const r = this.cycles === 0 ? median(this.ratios.subarray(1)) : median(this.ratios);
      // to start splitting, splitting must win (a tie goes to the calling thread alone, which spends no
      // second core); to keep splitting, it must not lose
      this.splitNow = r < (this.splitting ? 1 : CHOOSER.margin);
      this.splitting = this.splitNow;
    }
  }
}

/** The median of 3 or 4 numbers (NaN when one is NaN): the sum less the extremes, over what is left. */
function median(xs: Float64Array): number {
  let lo = Infinity, hi = -Infinity, sum = 0;
  for (let j = 0; j < xs.length; j++) {
    lo = Math.min(lo, xs[j]);
    hi = Math.max(hi, xs[j]);
    sum += xs[j];
  }
  return (sum - lo - hi) / (xs.length - 2);
}

/**
 * Whether the machine is busy: the other processes used more than (cores − 1) + ¼ cores of CPU since the last
 * check (the machine's busy time from /proc/stat, less this process's own CPU time). On Linux with autogroup
 * (the default) a process then gets one share of the CPUs for all its threads, and a second thread cannot add
 * throughput, only take turns with the first. The 1-minute load average answers only the first check (and
 * where the CPU list is not this process's cores, e.g. a container's quota): it lags by tens of seconds, so a
 * run started right after another heavy one would otherwise stay on one thread long after the machine is free.
 */
function machineBusy(): boolean {
  const cores = availableParallelism();
  const list = cpus();
  let machine = 0;
  for (const c of list) machine += c.times.user + c.times.nice + c.times.sys + c.times.irq;
  const usage = process.cpuUsage();
  const own = (usage.user + usage.system) / 1000;
  const wall = performance.now();
  const prev = lastCpu;
  lastCpu = { machine, own, wall };
  if (prev === undefined || list.length !== cores || wall - prev.wall < 50) return loadavg()[0] >= cores + 0.25;
  const others = Math.max(0, machine - prev.machine - (own - prev.own)) / (wall - prev.wall); // in cores
  return others >= cores - 1 + 0.25;
}
/** The CPU times at the last {@link machineBusy} check (ms). */
let lastCpu: { machine: number; own: number; wall: number } | undefined;

/**
 * 'measure' (the default): SplitChooser decides; 'always' splits every task above the thresholds (the tests
 * of the threaded kernels), 'never' runs them all on the calling thread.
 */
export const splitPolicy: { mode: 'measure' | 'always' | 'never' } = { mode: 'measure' };

class NodeParallel implements ParallelExecutor {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly c: Int32Array;
  private readonly a: Float64Array;
  private readonly mainScratch: number;
  private readonly scratchBytes: number;
  private seq = 0;
  /** Whether splitting pays now (one judge for every task: the cost of splitting is process-wide). */
  readonly chooser = new SplitChooser();
  private readonly runChunk: (ch: number) => void;

  constructor(private readonly be: WasmBackend, threads: number, maxN: number) {
    this.threads = threads;
    const ctrlPtr = be.allocPinned(CTRL_WORDS * 4);
    const argsPtr = be.allocPinned(ARGS * 8);
    this.c = new Int32Array(be.memory.buffer, ctrlPtr, CTRL_WORDS);
    this.a = new Float64Array(be.memory.buffer, argsPtr, ARGS);
    Atomics.store(this.c, NEXT, CLOSED);
    this.scratchBytes = be.exports.matmulScratchBytes(maxN);
    this.mainScratch = be.allocPinned(this.scratchBytes);
    // the main thread's copy of the chunk body (the same text the workers evaluate)
    const fns = STEP_KERNELS.map((k) => be.exports[k] as (...xs: number[]) => number);
    const lists = fns.map((f) => new Array<number>(f.length).fill(0));
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    this.runChunk = new Function('a', 'c', 'ex', 'fns', 'lists', 'scratch', `${runChunkSource('ex', 'scratch')}\nreturn runChunk;`)(
      this.a, this.c, be.exports, fns, lists, this.mainScratch,
    ) as (ch: number) => void;
    for (let id = 1; id < threads; id++) {
      const scratch = be.allocPinned(this.scratchBytes);
      const w = new Worker(workerSource, {
        eval: true,
        workerData: { module: be.module, memory: be.memory, ctrl: ctrlPtr, args: argsPtr, scratch, kernels: STEP_KERNELS },
      });
      w.unref(); // parked workers must not keep the process alive
      this.workers.push(w);
    }
  }

  /**
   * Runs the task whose arguments are written: opens `chunks` chunks to claim, wakes the workers, claims
   * chunks itself until none is left, then waits for the chunks others began. Returns the OR of step results.
   */
  private run(chunks: number): number {
    const c = this.c;
    Atomics.store(c, DONE, 0);
    Atomics.store(c, RESULT, 0);
    Atomics.store(c, CHUNKS, chunks);
    Atomics.store(c, NEXT, 0); // opened last: the arguments above are complete when a claim can succeed
    this.seq = (this.seq + 1) | 0;
    Atomics.store(c, SEQ, this.seq);
    Atomics.notify(c, SEQ);
    for (;;) {
      const ch = Atomics.add(c, NEXT, 1);
      if (ch >= chunks) break;
      this.runChunk(ch);
      Atomics.add(c, DONE, 1);
    }
    // the chunks left were begun by running workers and take about a chunk's time: spin for them a little
    // (a parked main thread is woken behind every other runnable thread), then park
    const t0 = performance.now();
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(c, DONE);
      if (done >= chunks) break;
      if ((spins & 255) === 255 && performance.now() - t0 > MAIN_SPIN_MS) Atomics.wait(c, DONE, done, 1);
    }
    Atomics.store(c, NEXT, CLOSED);
    return Atomics.load(c, RESULT);
  }

  matmul(a: number, b: number, c: number, m: number, k: number, n: number, transA: boolean, transB: boolean, accumulate: boolean): boolean {
    if (m * k * n < parallelThresholds.matmulFlops) return false;
    const T = this.threads;
    // a thread's scratch is sized for the full width n, so wider products than maxN stay single-threaded
    if (this.be.exports.matmulScratchBytes(n) > this.scratchBytes) return false;
    // splitting rows makes every chunk pack all of op(B) (k·n), splitting columns all of op(A) (m·k):
    // split the longer side, so the duplicated packing is the smaller operand; one chunk per thread
    const byRows = m >= n || n < 8 * T;
    // alone: the backend's own single-thread call, exactly the path of --threads 1
    if (!this.chooser.next(m * k * n)) return false;
    const total = byRows ? m : n;
    const chunk = Math.ceil(total / T / 8) * 8; // multiples of the tile sizes
    const s = this.a;
    s[0] = OP_MATMUL; s[1] = a; s[2] = b; s[3] = c; s[4] = m; s[5] = k; s[6] = n;
    s[7] = +transA; s[8] = +transB; s[9] = +accumulate; s[10] = +byRows; s[11] = total; s[12] = chunk;
    this.run(Math.ceil(total / chunk));
    return true;
  }

  splitsStep(n: number): boolean {
    // the chooser is asked here, once per task: an alone step then costs its caller nothing extra
    return n >= parallelThresholds.optimElements && this.chooser.next(n * STEP_WORK);
  }

  step(kernel: StepKernel, args: readonly number[], n: number, i0Slot: number): number {
    if (n < parallelThresholds.optimElements) return -1;
    // elementwise: several chunks per thread (nothing is duplicated), whole cache lines each
    const chunk = Math.ceil(n / (4 * this.threads) / 16) * 16;
    const s = this.a;
    s[0] = 2 + STEP_KERNELS.indexOf(kernel); s[1] = i0Slot; s[2] = n; s[3] = chunk;
    for (let i = 0; i < args.length; i++) s[STEP_ARGS + i] = args[i];
    const bits = this.run(Math.ceil(n / chunk));
    return bits === 0 ? 0 : 31 - Math.clz32(bits); // the worst code: codes are 1 and 2, bits 1 << code
  }

  close(): void {
    this.a[0] = OP_QUIT;
    this.seq = (this.seq + 1) | 0;
    Atomics.store(this.c, SEQ, this.seq);
    Atomics.notify(this.c, SEQ);
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
