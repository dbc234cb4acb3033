/**
 * Kernel dispatch: descent's WebAssembly SIMD kernels (src/tensor/wasm/kernels.as) behind a
 * small API whose signatures match the pure-TypeScript reference kernels.
 *
 * Fast-path tensors live in ONE WebAssembly.Memory owned by this module: `allocF32(n)` etc. bump
 * an arena inside it and return ordinary typed-array views, so a kernel call passes byte offsets
 * and copies nothing. The memory is shared (SharedArrayBuffer) when the platform allows, so it can
 * grow without detaching earlier views and so worker threads (src/tensor/backend-node.ts) can
 * compute on the same tensors; otherwise a fixed-size plain memory is used (browsers without
 * cross-origin isolation), and the arena refuses to outgrow it.
 *
 * No Node-only API here: this file runs in browsers too.
 */
import { runError } from '../errors.js';
import { kernelsWasmPlain, kernelsWasmPlainRelaxed, kernelsWasmShared, kernelsWasmSharedRelaxed } from './wasm/kernels-wasm.js';
import { referenceKernels, setKernels, type Kernels } from './kernels.js';
import { setAllocator } from './alloc.js';
import type { FloatArray } from './tensor.js';

/** The raw exports of the wasm module (byte addresses into the arena memory). */
export interface WasmExports {
  heapBase(): number;
  matmulScratchBytes(n: number): number;
  matmulBlock(
    a: number, b: number, c: number, m: number, k: number, n: number,
    transA: number, transB: number, accumulate: number,
    i0: number, i1: number, j0: number, j1: number, scratch: number,
  ): void;
  biasAct(out: number, bias: number, m: number, n: number, relu: number): void;
  plane(a0: number, a1: number, a2: number, alpha: number, beta: number, out: number, len: number): void;
  relu(x: number, y: number, len: number): void;
  reluBackward(dY: number, y: number, dX: number, len: number, accumulate: number): void;
  colSum(x: number, out: number, m: number, n: number, accumulate: number): void;
  softmaxCrossEntropy(z: number, labels: number, dZ: number, m: number, n: number): number;
  allFiniteF32(x: number, i0: number, i1: number): number;
  adamF32(
    p: number, g: number, m: number, v: number, vmax: number, i0: number, i1: number,
    stepSize: number, beta1: number, beta2: number, eps: number, bc2Sqrt: number, weightDecay: number,
    maximize: number, amsgrad: number, decay: number, check: number,
  ): number;
  sgdF32(
    p: number, g: number, buf: number, i0: number, i1: number,
    lr: number, momentum: number, dampening: number, nesterov: number, weightDecay: number, maximize: number, first: number, check: number,
  ): number;
  rmspropF32(
    p: number, g: number, sq: number, gavg: number, buf: number, i0: number, i1: number,
    lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, centered: number, maximize: number, epsInside: number, check: number,
  ): number;
  adagradF32(p: number, g: number, sum: number, i0: number, i1: number, clr: number, weightDecay: number, eps: number, maximize: number, epsInside: number, check: number): number;
  adamaxF32(
    p: number, g: number, m: number, u: number, i0: number, i1: number,
    clr: number, beta1: number, beta2: number, eps: number, weightDecay: number, maximize: number, check: number,
  ): number;
}

/** The fused optimizer-step kernels: each takes (buffers..., i0, i1, scalars..., check) and returns a StepResult code. */
export type StepKernel = 'adamF32' | 'sgdF32' | 'rmspropF32' | 'adagradF32' | 'adamaxF32';

/** `check` bits of a step kernel, and its result codes (src/tensor/wasm/kernels.as). */
export const CHECK_GRADS = 1, CHECK_PARAMS = 2;
export const STEP_OK = 0, STEP_BAD_GRADS = 1, STEP_BAD_PARAMS = 2;

/**
 * A parallel executor for block-splittable kernels (installed by src/tensor/backend-node.ts on Node).
 * `matmul` returns false and `step` −1 when they decline (too small to pay); the caller then runs single-threaded.
 */
export interface ParallelExecutor {
  readonly threads: number;
  matmul(a: number, b: number, c: number, m: number, k: number, n: number, transA: boolean, transB: boolean, accumulate: boolean): boolean;
  /**
   * A step kernel over n elements split in ranges, `args` in the kernel's order with i0/i1 at `i0Slot`,
   * `i0Slot + 1` and the check bits last; returns the worst result code of the ranges, or −1 when declined
   * (n below the threshold). Call it after {@link splitsStep} said yes for this task.
   */
  step(kernel: StepKernel, args: readonly number[], n: number, i0Slot: number): number;
  /**
   * Whether the next step task of n elements splits over the threads: n is above the threshold and
   * splitting pays now (a measured choice: call it once per task, right before `step`).
   */
  splitsStep(n: number): boolean;
  close(): void;
}

type View = Float32Array | Float64Array | Int32Array;
const PAGE = 65536;

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The wasm kernels bound to their arena memory. Obtain it with `getBackend()`. */
export class WasmBackend {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  readonly exports: WasmExports;
  /** True when the memory is a SharedArrayBuffer (growable without detaching views; threads possible). */
  readonly shared: boolean;
  /** True when the relaxed-SIMD build (fused multiply-add in matmul) is in use. */
  relaxed = false;
  /** Installed by `enableThreads` (Node); null means single-threaded. */
  parallel: ParallelExecutor | null = null;
  private top: number;
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  /** release() never goes below this: the backend's own scratch and thread control blocks live under it. */
  private pinned = 0;
  private scratchPtr = 0;
  private scratchBytes = 0;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, shared: boolean) {
    this.module = module;
    this.memory = memory;
    this.shared = shared;
    const inst = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw runError('wasm kernel aborted'); } } });
    this.exports = inst.exports as unknown as WasmExports;
    this.top = align(this.exports.heapBase(), 64);
    this.buffers.add(memory.buffer);
  }

  /** Bytes handed out by the arena so far. */
  get used(): number {
    return this.top;
  }

  /** Reserves `bytes` (64-byte aligned, zero-filled) in the arena and returns its byte address. */
  allocBytes(bytes: number): number {
    const ptr = align(this.top, 64);
    const end = ptr + Math.max(bytes, 0);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      if (!this.shared) throw runError(`wasm arena full: ${end} bytes needed, ${have} reserved (a plain memory cannot grow without detaching views)`);
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch {
        throw runError(`wasm arena: cannot grow memory to ${end} bytes`);
      }
      this.buffers.add(this.memory.buffer);
    }
    this.top = end;
    // reused regions (after release) may hold old data; allocations promise zeros like `new Float32Array(n)`
    new Uint8Array(this.memory.buffer, ptr, end - ptr).fill(0);
    return ptr;
  }

  /** n zeroed float32s in the wasm memory (a view the kernels take by offset, with no copy). */
  allocF32(n: number): Float32Array {
    const ptr = this.allocBytes(n * 4); // may grow the memory: take .buffer after
    return new Float32Array(this.memory.buffer, ptr, n);
  }
  /** n zeroed float64s in the wasm memory. */
  allocF64(n: number): Float64Array {
    const ptr = this.allocBytes(n * 8); // may grow the memory: take .buffer after
    return new Float64Array(this.memory.buffer, ptr, n);
  }
  /** n zeroed int32s in the wasm memory (labels for the fused cross-entropy). */
  allocI32(n: number): Int32Array {
    const ptr = this.allocBytes(n * 4); // may grow the memory: take .buffer after
    return new Int32Array(this.memory.buffer, ptr, n);
  }

  /** Arena position, for `release`: scratch allocated after a mark is given back all at once. */
  mark(): number {
    return this.top;
  }
  /** Gives back everything allocated after `mark` (from {@link WasmBackend.mark}); views into it must no longer be used. */
  release(mark: number): void {
    const to = Math.max(mark, this.pinned);
    if (to < this.top) this.top = to;
  }

  /** Like allocBytes, for buffers the backend keeps for good (scratch, thread control): a later release() keeps them. */
  allocPinned(bytes: number): number {
    const ptr = this.allocBytes(bytes);
    this.pinned = this.top;
    return ptr;
  }

  /** Whether a typed array lives in this arena (so the wasm kernels can take it without a copy). */
  owns(v: ArrayBufferView): boolean {
    return this.buffers.has(v.buffer);
  }

  /** Byte address of a view in the arena; throws when it lives elsewhere. */
  ptr(v: View): number {
    if (!this.buffers.has(v.buffer)) throw runError('tensor is not in the wasm arena (allocate it with the backend alloc)');
    return v.byteOffset;
  }

  private readonly stage: (Float32Array | null)[] = [null, null, null];

  /**
   * A Float32Array view of n floats in pinned arena scratch, slot 0..2 (one per matmul operand):
   * operands living outside the arena are copied through these (kept and regrown by doubling, never per call).
   */
  staging(slot: number, n: number): Float32Array {
    let s = this.stage[slot];
    if (!s || s.length < n) {
      const cap = Math.max(n, (s?.length ?? 0) * 2, 1024);
      const ptr = this.allocPinned(cap * 4);
      s = new Float32Array(this.memory.buffer, ptr, cap);
      this.stage[slot] = s;
    }
    return s.length === n ? s : s.subarray(0, n);
  }

  private stageI32: Int32Array | null = null;

  /** An Int32Array view of n ints in pinned arena scratch (class labels staged for the loss kernel), regrown by doubling. */
  stagingI32(n: number): Int32Array {
    let s = this.stageI32;
    if (!s || s.length < n) {
      const cap = Math.max(n, (s?.length ?? 0) * 2, 1024);
      const ptr = this.allocPinned(cap * 4); // may grow the memory: take .buffer after
      s = new Int32Array(this.memory.buffer, ptr, cap);
      this.stageI32 = s;
    }
    return s;
  }

  /** Scratch for a single-thread matmul, grown on demand and kept (allocated once per size, not per call). */
  private matmulScratch(n: number): number {
    const need = this.exports.matmulScratchBytes(n);
    if (need > this.scratchBytes) {
      this.scratchPtr = this.allocPinned(need);
      this.scratchBytes = need;
    }
    return this.scratchPtr;
  }

  /**
   * out = op(a)·op(b) (or out += when accumulate), fp32, row-major; op(a) is m×k, op(b) is k×n.
   * Same signature and convention as the TS reference `matmul` in src/tensor/kernels.ts:
   * transA means a is stored k×m, transB means b is stored n×k (Linear: X·Wᵀ is transB, dYᵀ·X is transA).
   */
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, transA = false, transB = false, accumulate = false): void {
    if (a.length < m * k || b.length < k * n || out.length < m * n) {
      throw runError(`matmul: buffers too small for ${m}×${k}·${k}×${n} (a ${a.length}, b ${b.length}, out ${out.length})`);
    }
    const pa = this.ptr(a), pb = this.ptr(b), pc = this.ptr(out);
    if (this.parallel && this.parallel.matmul(pa, pb, pc, m, k, n, transA, transB, accumulate)) return;
    this.exports.matmulBlock(pa, pb, pc, m, k, n, +transA, +transB, +accumulate, 0, m, 0, n, this.matmulScratch(n));
  }

  /** out[i,j] = out[i,j] + bias[j], then relu when `relu` (fused, one pass over the m×n block). */
  biasAct(out: Float32Array, bias: Float32Array, m: number, n: number, relu: boolean): void {
    this.exports.biasAct(this.ptr(out), this.ptr(bias), m, n, +relu);
  }

  /** y[i] = x[i] > 0 ? x[i] : 0 (y may be x). */
  relu(x: Float32Array, y: Float32Array, len = x.length): void {
    this.exports.relu(this.ptr(x), this.ptr(y), len);
  }

  /** dX[i] = y[i] > 0 ? dY[i] : 0, or += when accumulate (relu backward through its output y); dX may be dY when overwriting. */
  reluBackward(dY: Float32Array, y: Float32Array, dX: Float32Array, len = dY.length, accumulate = false): void {
    this.exports.reluBackward(this.ptr(dY), this.ptr(y), this.ptr(dX), len, +accumulate);
  }

  /** out[j] = Σ_i x[i,j] (or += when accumulate): bias gradient. */
  colSum(x: Float32Array, out: Float32Array, m: number, n: number, accumulate = false): void {
    this.exports.colSum(this.ptr(x), this.ptr(out), m, n, +accumulate);
  }

  /**
   * Mean softmax cross-entropy of m rows of n logits against int labels (torch F.cross_entropy,
   * reduction 'mean'); writes dZ = (softmax − onehot)/m when given. Returns the loss.
   */
  softmaxCrossEntropy(z: Float32Array, labels: Int32Array, dZ: Float32Array | null, m: number, n: number): number {
    return this.exports.softmaxCrossEntropy(this.ptr(z), this.ptr(labels), dZ ? this.ptr(dZ) : 0, m, n);
  }
}

function align(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

let backend: WasmBackend | null | undefined;
let disabled = false;
/** Plain (non-shared) memory size when shared memory is unavailable. */
const PLAIN_BYTES = 512 * 1024 * 1024;

function canShare(): boolean {
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return m.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

let preferRelaxed = true;

/** The module bytes for this platform: the relaxed-SIMD build when the engine validates it (and it is not turned off). */
function pickBytes(shared: boolean): { bytes: Uint8Array<ArrayBuffer>; relaxed: boolean } {
  if (preferRelaxed) {
    const r = decodeBase64(shared ? kernelsWasmSharedRelaxed : kernelsWasmPlainRelaxed);
    if (WebAssembly.validate(r)) return { bytes: r, relaxed: true };
  }
  return { bytes: decodeBase64(shared ? kernelsWasmShared : kernelsWasmPlain), relaxed: false };
}

function create(module: WebAssembly.Module | null, shared: boolean, relaxed: boolean): WasmBackend {
  const memory = shared
    ? new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true })
    : new WebAssembly.Memory({ initial: PLAIN_BYTES / PAGE });
  let mod = module;
  if (!mod) {
    const pick = pickBytes(shared);
    mod = new WebAssembly.Module(pick.bytes);
    relaxed = pick.relaxed;
  }
  const be = new WasmBackend(mod, memory, shared);
  be.relaxed = relaxed;
  return be;
}

/**
 * Whether to use the relaxed-SIMD build when the engine supports it (default true). Its matmul uses
 * fused multiply-adds, so float32 products may differ from the plain build in the last bits (both are
 * within float32 tolerance of the reference). Takes effect when the backend is created (before first use).
 */
export function setRelaxedSimd(on: boolean): void {
  preferRelaxed = on;
}

/**
 * The process-wide wasm backend, created on first use (synchronous compile: fine in Node and in
 * workers; on a browser main thread call `initBackend()` first, since large sync compiles are refused there).
 * Returns null when disabled (`setBackendEnabled(false)`, e.g. from a CLI flag) or when
 * this platform has no WebAssembly SIMD; callers then use the pure-TS kernels.
 */
export function getBackend(): WasmBackend | null {
  if (disabled) return null;
  if (backend === undefined) {
    try {
      backend = create(null, canShare(), false);
    } catch {
      backend = null;
    }
  }
  return backend;
}

/** Async creation for browsers (WebAssembly.compile off the main thread's sync limit). */
export async function initBackend(): Promise<WasmBackend | null> {
  if (disabled) return null;
  if (backend === undefined) {
    const shared = canShare();
    try {
      const pick = pickBytes(shared);
      backend = create(await WebAssembly.compile(pick.bytes), shared, pick.relaxed);
    } catch {
      backend = null;
    }
  }
  return backend;
}

/** Turns the wasm fast path off (everything falls back to the pure-TS reference) or back on. */
export function setBackendEnabled(on: boolean): void {
  disabled = !on;
}

/** Whether the wasm fast path is in use. */
export function backendEnabled(): boolean {
  return getBackend() !== null;
}

/**
 * Float32 storage for long-lived buffers: in the wasm arena when the backend is on (so fast kernels
 * take it without copies), an ordinary Float32Array otherwise. The allocator `alloc` should route
 * float32 requests here.
 */
export function allocF32(n: number): Float32Array {
  const b = getBackend();
  return b ? b.allocF32(n) : new Float32Array(n);
}

/** Int32 storage (labels) in the arena when the backend is on. */
export function allocI32(n: number): Int32Array {
  const b = getBackend();
  return b ? b.allocI32(n) : new Int32Array(n);
}

/** Products smaller than this many multiply-adds with operands outside the arena stay on the TS loops. */
const STAGE_MIN = 4096;

/**
 * Installs the wasm kernels behind the foundation's dispatch (`setKernels`) and the wasm arena behind
 * `alloc` for float32 (`setAllocator`), so Tensor/autograd/nn code runs its float32 matmuls and fused
 * elementwise work in SIMD with no change at the call sites. Each replacement keeps the reference
 * signature and semantics and falls back to the reference kernel for anything it cannot take
 * (float64, buffers outside the arena, labels not in an arena Int32Array): float64 results are
 * therefore exactly the reference's. Returns false (and installs nothing) when the backend is off.
 * Note: the arena only grows (`mark`/`release` aside); a long process that builds many models should
 * call `uninstallWasmKernels()` when done with the fast path.
 */
export function installWasmKernels(): boolean {
  const be = getBackend();
  if (!be) return false;
  const f32 = (...xs: FloatArray[]): boolean => {
    for (const x of xs) if (!(x instanceof Float32Array) || !be.owns(x)) return false;
    return true;
  };
  const ref = referenceKernels;
  const fast: Partial<Kernels> = {
    matmul(a, b, out, m, k, n, transA = false, transB = false, accumulate = false) {
      if (f32(a, b, out)) be.matmul(a as Float32Array, b as Float32Array, out as Float32Array, m, k, n, transA, transB, accumulate);
      else if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array && m * k * n >= STAGE_MIN) {
        // float32 operands outside the arena (a data batch, a user's array): copying them in is O(mk + kn + mn)
        // against the O(mkn) product, so stage through pinned scratch rather than fall back to the TS loops
        const sa = be.owns(a) ? a : be.staging(0, m * k), sb = be.owns(b) ? b : be.staging(1, k * n);
        const so = be.owns(out) ? out : be.staging(2, m * n);
        if (sa !== a) sa.set(a.subarray(0, m * k));
        if (sb !== b) sb.set(b.subarray(0, k * n));
        if (so !== out && accumulate) so.set(out.subarray(0, m * n));
        be.matmul(sa, sb, so, m, k, n, transA, transB, accumulate);
        if (so !== out) out.set(so);
      } else ref.matmul(a, b, out, m, k, n, transA, transB, accumulate);
    },
    addRowVector(out, bias, m, n) {
      if (f32(out, bias)) be.biasAct(out as Float32Array, bias as Float32Array, m, n, false);
      else ref.addRowVector(out, bias, m, n);
    },
    colSum(x, out, m, n, accumulate = false) {
      if (f32(x, out)) be.colSum(x as Float32Array, out as Float32Array, m, n, accumulate);
      else ref.colSum(x, out, m, n, accumulate);
    },
    plane(a0, a1, a2, alpha, beta, out, len) {
      if (f32(a0, a1, a2, out)) be.exports.plane(be.ptr(a0), be.ptr(a1), be.ptr(a2), alpha, beta, be.ptr(out), len);
      else ref.plane(a0, a1, a2, alpha, beta, out, len);
    },
    relu(x, y, len) {
      if (f32(x, y)) be.relu(x as Float32Array, y as Float32Array, len);
      else ref.relu(x, y, len);
    },
    reluBackward(dY, y, dX, len) {
      // the reference accumulates into dX
      if (f32(dY, y, dX)) be.reluBackward(dY as Float32Array, y as Float32Array, dX as Float32Array, len, true);
      else ref.reluBackward(dY, y, dX, len);
    },
    softmaxCrossEntropy(z, labels, dZ, m, n) {
      if (f32(z) && (dZ === null || f32(dZ))) {
        // labels from elsewhere (a batch's Float64Array of class indices, already checked by the caller):
        // m integers copied into pinned scratch cost nothing next to the m×n exponentials
        let lab: Int32Array;
        if (labels instanceof Int32Array && be.owns(labels)) lab = labels;
        else {
          lab = be.stagingI32(m);
          for (let i = 0; i < m; i++) lab[i] = labels[i];
        }
        return be.softmaxCrossEntropy(z as Float32Array, lab, dZ as Float32Array | null, m, n);
      }
      return ref.softmaxCrossEntropy(z, labels, dZ, m, n);
    },
  };
  setKernels(fast);
  setAllocator((dtype, n) => (dtype === 'float32' ? be.allocF32(n) : new Float64Array(n)));
  return true;
}

/** Restores the pure-TS reference kernels and plain typed-array allocation. */
export function uninstallWasmKernels(): void {
  setKernels(null);
  setAllocator(null);
}
