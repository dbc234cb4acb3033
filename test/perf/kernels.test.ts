// Every wasm SIMD kernel against an independent float64 reference written out here (naive loops and
// closed forms), on random shapes including sizes that are not multiples of the 4×8 register tile or
// the 128/256 cache blocks; single-threaded and split across worker threads. No timing assertions.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend, WasmBackend } from '../../src/tensor/backend.ts';
import { enableThreads, disableThreads, parallelThresholds, enableRelaxedSimdFlag, splitPolicy, SplitChooser } from '../../src/tensor/backend-node.ts';
import { kernelsWasmPlain, kernelsWasmSharedRelaxed } from '../../src/tensor/wasm/kernels-wasm.ts';
import { installWasmKernels, uninstallWasmKernels } from '../../src/tensor/backend.ts';
import { kernels, referenceKernels } from '../../src/tensor/kernels.ts';
import { alloc } from '../../src/tensor/alloc.ts';

const be = getBackend();
assert.ok(be, 'the wasm backend loads in Node');

let seed = 12345;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296 - 0.5;
};

function refMatmul(a: Float32Array, b: Float32Array, c0: Float32Array, m: number, k: number, n: number, tA: boolean, tB: boolean, acc: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = acc ? c0[i * n + j] : 0;
      for (let p = 0; p < k; p++) s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

// float32 accumulation over k terms of size ≤ 0.25: error grows like k·ε
const tol = (k: number) => 1e-6 * (k + 8);

function checkMatmul(b: WasmBackend, m: number, k: number, n: number, tA: boolean, tB: boolean, acc: boolean): void {
  const mark = b.mark();
  const A = b.allocF32(m * k), B = b.allocF32(k * n), C = b.allocF32(m * n);
  for (let i = 0; i < A.length; i++) A[i] = rand();
  for (let i = 0; i < B.length; i++) B[i] = rand();
  for (let i = 0; i < C.length; i++) C[i] = rand();
  const want = refMatmul(A, B, C, m, k, n, tA, tB, acc);
  b.matmul(A, B, C, m, k, n, tA, tB, acc);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(C[i] - want[i]));
  assert.ok(worst <= tol(k), `matmul ${m}×${k}×${n} tA=${tA} tB=${tB} acc=${acc}: max error ${worst}`);
  b.release(mark);
}

const shapes: [number, number, number][] = [
  [1, 1, 1], [1, 7, 1], [3, 5, 7], [4, 8, 8], [5, 9, 9], [13, 300, 9], [64, 784, 10], [17, 257, 33], [130, 70, 131], [129, 513, 12],
];

test('matmul: all four transpose variants, overwrite and accumulate, edge sizes', () => {
  for (const [m, k, n] of shapes)
    for (const tA of [false, true]) for (const tB of [false, true]) for (const acc of [false, true]) checkMatmul(be!, m, k, n, tA, tB, acc);
});

test('matmul: the Linear shapes (X·Wᵀ, dY·W, dYᵀ·X) of a 784-128-10 MLP at batch 64', () => {
  checkMatmul(be!, 64, 784, 128, false, true, false); // forward X·W1ᵀ
  checkMatmul(be!, 64, 10, 128, false, false, false); // dZ·W2
  checkMatmul(be!, 128, 64, 784, true, false, false); // dHᵀ·X
  checkMatmul(be!, 10, 64, 128, true, false, true); // accumulate into a gradient
});

test('matmul: k = 0 gives zeros (or leaves C when accumulating); undersized buffers are refused', () => {
  const C = be!.allocF32(6).fill(3);
  be!.matmul(be!.allocF32(0), be!.allocF32(0), C, 2, 0, 3, false, false, true);
  assert.deepEqual(Array.from(C), [3, 3, 3, 3, 3, 3]);
  be!.matmul(be!.allocF32(0), be!.allocF32(0), C, 2, 0, 3);
  assert.deepEqual(Array.from(C), [0, 0, 0, 0, 0, 0]);
  assert.throws(() => be!.matmul(be!.allocF32(3), be!.allocF32(6), C, 2, 3, 3), /too small/);
  assert.throws(() => be!.matmul(new Float32Array(6), be!.allocF32(6), C, 2, 3, 2), /not in the wasm arena/);
});

test('matmul split across 2 worker threads (rows and columns) matches the reference', () => {
  const saved = parallelThresholds.matmulFlops;
  parallelThresholds.matmulFlops = 0; // force the threaded path on small shapes
  splitPolicy.mode = 'always'; // every task split, whatever the chooser would measure
  try {
    assert.equal(enableThreads(2, 1024), 2);
    for (const [m, k, n] of [[130, 70, 131], [9, 300, 257], [64, 784, 128], [3, 5, 7]] as [number, number, number][])
      for (const tA of [false, true]) for (const tB of [false, true]) checkMatmul(be!, m, k, n, tA, tB, tA);
  } finally {
    parallelThresholds.matmulFlops = saved;
    splitPolicy.mode = 'measure';
    disableThreads();
  }
});

test('biasAct: bias add with and without relu', () => {
  for (const [m, n] of [[1, 1], [3, 7], [5, 128], [2, 10]]) {
    for (const relu of [false, true]) {
      const out: Float32Array = be!.allocF32(m * n), bias: Float32Array = be!.allocF32(n);
      for (let i = 0; i < out.length; i++) out[i] = rand();
      for (let j = 0; j < n; j++) bias[j] = rand();
      const want: number[] = Array.from(out, (v: number, i: number) => { const s = Math.fround(v + bias[i % n]); return relu ? Math.max(s, 0) : s; });
      be!.biasAct(out, bias, m, n, relu);
      assert.deepEqual(Array.from(out), want); // one f32 add (and max): exact
    }
  }
});

test('reluBackward and colSum', () => {
  const len = 103, m = 9, n = 13;
  const dY = be!.allocF32(len), y = be!.allocF32(len), dX = be!.allocF32(len);
  for (let i = 0; i < len; i++) { dY[i] = rand(); y[i] = i % 5 === 0 ? 0 : rand(); }
  be!.reluBackward(dY, y, dX);
  assert.deepEqual(Array.from(dX), Array.from(dY, (g, i) => (y[i] > 0 ? g : 0)));
  const base = Array.from(dX, (_, i) => i * 0.25); // exact in f32, so the sum below is one rounding
  dX.set(base);
  be!.reluBackward(dY, y, dX, len, true);
  assert.deepEqual(Array.from(dX), base.map((b, i) => Math.fround(b + (y[i] > 0 ? dY[i] : 0))));
  const x = be!.allocF32(m * n), s = be!.allocF32(n);
  for (let i = 0; i < x.length; i++) x[i] = rand();
  for (const acc of [false, true]) {
    const before = Array.from(s);
    be!.colSum(x, s, m, n, acc);
    for (let j = 0; j < n; j++) {
      let want = acc ? before[j] : 0;
      for (let i = 0; i < m; i++) want += x[i * n + j];
      assert.ok(Math.abs(s[j] - want) < 1e-6, `colSum column ${j}`);
    }
  }
});

test('plane: out = a0 + α·a1 + β·a2 summed in float64 and rounded once, bit for bit, through the dispatch too', () => {
  // 103: not a multiple of the 4-lane vector, so the scalar tail runs as well
  const len = 103, alpha = -0.37, beta = 1.9;
  const a0 = be!.allocF32(len), a1 = be!.allocF32(len), a2 = be!.allocF32(len), out = be!.allocF32(len);
  for (let i = 0; i < len; i++) { a0[i] = rand(); a1[i] = rand() * 3; a2[i] = rand() / 7; }
  const want = Array.from(a0, (v, i) => Math.fround(v + alpha * a1[i] + beta * a2[i]));
  be!.exports.plane(be!.ptr(a0), be!.ptr(a1), be!.ptr(a2), alpha, beta, be!.ptr(out), len);
  assert.deepEqual(Array.from(out), want);
  installWasmKernels();
  try {
    out.fill(0);
    kernels.plane(a0, a1, a2, alpha, beta, out, len);
    assert.deepEqual(Array.from(out), want);
    // float64 and buffers outside the arena take the reference loop
    const o64 = new Float64Array(len);
    kernels.plane(Float64Array.from(a0), Float64Array.from(a1), Float64Array.from(a2), alpha, beta, o64, len);
    assert.deepEqual(Array.from(o64), Array.from(a0, (v, i) => v + alpha * a1[i] + beta * a2[i]));
    const plain = new Float32Array(len);
    kernels.plane(Float32Array.from(a0), a1, a2, alpha, beta, plain, len);
    assert.deepEqual(Array.from(plain), want);
  } finally {
    uninstallWasmKernels();
  }
});

test('softmaxCrossEntropy: mean loss and gradient (softmax − onehot)/m against the closed form', () => {
  const m = 7, n = 10;
  const z = be!.allocF32(m * n), dz = be!.allocF32(m * n), y = be!.allocI32(m);
  for (let i = 0; i < z.length; i++) z[i] = rand() * 20; // large logits: the max shift must keep exp finite
  for (let i = 0; i < m; i++) y[i] = (i * 3) % n;
  const loss = be!.softmaxCrossEntropy(z, y, dz, m, n);
  let want = 0;
  for (let i = 0; i < m; i++) {
    const row = Array.from(z.subarray(i * n, (i + 1) * n));
    const mx = Math.max(...row);
    const s = row.reduce((a, v) => a + Math.exp(v - mx), 0);
    want += mx + Math.log(s) - row[y[i]];
    for (let j = 0; j < n; j++) {
      const g = (Math.exp(row[j] - mx) / s - (j === y[i] ? 1 : 0)) / m;
      assert.ok(Math.abs(dz[i * n + j] - g) < 1e-6, `dZ[${i},${j}]`);
    }
  }
  assert.ok(Math.abs(loss - want / m) < 1e-5, `loss ${loss} vs ${want / m}`);
  // a numeric derivative of the returned loss confirms the gradient's scale (1/m)
  const h = 1e-2, i0 = 3;
  const zp = be!.allocF32(m * n); zp.set(z); zp[i0] += h;
  const zm = be!.allocF32(m * n); zm.set(z); zm[i0] -= h;
  const num = (be!.softmaxCrossEntropy(zp, y, null, m, n) - be!.softmaxCrossEntropy(zm, y, null, m, n)) / (2 * h);
  assert.ok(Math.abs(num - dz[i0]) < 1e-4, `numeric ${num} vs ${dz[i0]}`);
});

test('the plain-memory build (browsers without cross-origin isolation) computes the same', () => {
  const bytes = Uint8Array.from(atob(kernelsWasmPlain), (c) => c.charCodeAt(0));
  const plain = new WasmBackend(new WebAssembly.Module(bytes), new WebAssembly.Memory({ initial: 64 }), false);
  assert.equal(plain.shared, false);
  checkMatmul(plain, 17, 257, 33, false, true, false);
  checkMatmul(plain, 33, 20, 9, true, false, true);
  assert.throws(() => plain.allocF32(1 << 24), /arena full/);
});

test('the relaxed-SIMD build (fused multiply-add matmul) matches the reference too', () => {
  assert.equal(enableRelaxedSimdFlag(), true, 'relaxed SIMD available (flag set at run time on Node 20)');
  const bytes = Uint8Array.from(atob(kernelsWasmSharedRelaxed), (c) => c.charCodeAt(0));
  const mem = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  const fma = new WasmBackend(new WebAssembly.Module(bytes), mem, true);
  for (const [m, k, n] of [[17, 257, 33], [64, 784, 10], [5, 9, 9]] as [number, number, number][])
    for (const tA of [false, true]) for (const tB of [false, true]) checkMatmul(fma, m, k, n, tA, tB, tB);
});

test('arena: 64-byte aligned, zero-filled, survives memory growth (shared memory keeps old views)', () => {
  const a = be!.allocF32(5);
  a.set([1, 2, 3, 4, 5]);
  assert.equal(a.byteOffset % 64, 0);
  const mark = be!.mark();
  const big = be!.allocF32(40_000_000); // 160 MB: forces memory.grow
  assert.equal(big[big.length - 1], 0);
  assert.deepEqual(Array.from(a), [1, 2, 3, 4, 5]);
  be!.release(mark);
  const again = be!.allocF32(4);
  assert.deepEqual(Array.from(again), [0, 0, 0, 0]);
});

test('installWasmKernels: the dispatch object runs wasm on arena float32 and is exactly the reference otherwise', () => {
  assert.equal(installWasmKernels(), true);
  try {
    const m = 23, k = 37, n = 19;
    const a = alloc('float32', m * k) as Float32Array, b = alloc('float32', n * k) as Float32Array;
    assert.ok(be!.owns(a), 'alloc places float32 in the arena');
    for (let i = 0; i < a.length; i++) a[i] = rand();
    for (let i = 0; i < b.length; i++) b[i] = rand();
    const fast = alloc('float32', m * n), slow = new Float32Array(m * n);
    kernels.matmul(a, b, fast, m, k, n, false, true);
    referenceKernels.matmul(Float32Array.from(a), Float32Array.from(b), slow, m, k, n, false, true);
    for (let i = 0; i < slow.length; i++) assert.ok(Math.abs(fast[i] - slow[i]) < tol(k));
    // relu backward and bias add/col sums keep the reference's accumulate semantics
    const dY = alloc('float32', 50), y = alloc('float32', 50), d1 = alloc('float32', 50), d2 = new Float32Array(50);
    for (let i = 0; i < 50; i++) { dY[i] = rand(); y[i] = rand(); d1[i] = d2[i] = 1; }
    const r1 = alloc('float32', 50), r2 = new Float32Array(50);
    y[3] = Number.NaN; y[4] = -0; // the reference maps NaN and -0 to 0
    kernels.relu(y, r1, 50);
    referenceKernels.relu(Float32Array.from(y), r2, 50);
    assert.deepEqual(Array.from(r1), Array.from(r2));
    y[3] = 0.5;
    kernels.reluBackward(dY, y, d1, 50);
    referenceKernels.reluBackward(Float32Array.from(dY), Float32Array.from(y), d2, 50);
    assert.deepEqual(Array.from(d1), Array.from(d2));
    const z = alloc('float32', 30), dz = alloc('float32', 30), lab = be!.allocI32(3);
    for (let i = 0; i < 30; i++) z[i] = rand() * 4;
    lab.set([1, 9, 0]);
    const dz2 = new Float32Array(30);
    const l1 = kernels.softmaxCrossEntropy(z, lab, dz, 3, 10), l2 = referenceKernels.softmaxCrossEntropy(Float32Array.from(z), [1, 9, 0], dz2, 3, 10);
    assert.ok(Math.abs(l1 - l2) < 1e-6);
    for (let i = 0; i < 30; i++) assert.ok(Math.abs(dz[i] - dz2[i]) < 1e-7);
    // float32 operands outside the arena are staged through it (results as the wasm kernel gives them)
    const xa = Float32Array.from(a), xo = new Float32Array(m * n).fill(0.5), xo2 = new Float32Array(m * n).fill(0.5);
    kernels.matmul(xa, b, xo, m, k, n, false, true, true);
    referenceKernels.matmul(xa, Float32Array.from(b), xo2, m, k, n, false, true, true);
    for (let i = 0; i < xo.length; i++) assert.ok(Math.abs(xo[i] - xo2[i]) < tol(k), `staged ${i}`);
    assert.ok(!be!.owns(xo));
    // float64 stays on the reference path: bit for bit
    const a64 = alloc('float64', m * k), b64 = alloc('float64', k * n);
    assert.ok(a64 instanceof Float64Array);
    for (let i = 0; i < a64.length; i++) a64[i] = rand();
    for (let i = 0; i < b64.length; i++) b64[i] = rand();
    const o1 = new Float64Array(m * n), o2 = new Float64Array(m * n);
    kernels.matmul(a64, b64, o1, m, k, n);
    referenceKernels.matmul(a64, b64, o2, m, k, n);
    assert.deepEqual(o1, o2);
  } finally {
    uninstallWasmKernels();
  }
  assert.equal(kernels.matmul, referenceKernels.matmul);
  assert.ok(!(alloc('float32', 4).buffer instanceof SharedArrayBuffer));
});

after(() => disableThreads());

// the chooser's cycles: the first 16 windows of 16 tasks (it runs during the JIT's warm-up), then 64 windows
const FIRST = 16 * 16, CYCLE = 16 * 64;

/**
 * Runs `tasks` tasks through a chooser on a fake clock that each task advances by cost(t, split, work);
 * returns the way each task ran (and the chooser).
 */
function simulate(tasks: number, cost: (t: number, split: boolean, work: number) => number, work: (t: number) => number = () => 1): { ways: boolean[]; ch: SplitChooser } {
  let clock = 0;
  const ch = new SplitChooser(() => clock, () => false);
  const ways: boolean[] = [];
  for (let t = 0; t < tasks; t++) {
    const w = work(t);
    const split = ch.next(w);
    ways.push(split);
    clock += cost(t, split, w);
  }
  return { ways, ch };
}

test('SplitChooser keeps splitting where split windows take less wall time per unit of work, and stops where they take more', () => {
  // a fake clock: each task advances it by its work times the cost of the way it ran
  // a split that is not clearly faster (0.97 of the time alone) is not worth a second core
  for (const [splitCost, aloneCost, want] of [[0.6, 1, true], [0.9, 1, true], [1.7, 1, false], [0.97, 1, false]] as const) {
    // two shapes alternating, as a forward and a backward matmul
    const { ways, ch } = simulate(FIRST + CYCLE, (_t, split, work) => work * (split ? splitCost : aloneCost), (t) => 1 + (t % 2));
    // each cycle: 4 probe pairs of windows of 16 (split alone, alone split, split alone, alone split), then
    // 56 windows the faster way
    const cycle2 = ways.slice(FIRST, FIRST + CYCLE);
    const pattern = [true, false, false, true, true, false, false, true];
    assert.deepEqual(cycle2.slice(0, 128).map((s, i) => s === pattern[(i / 16) | 0]), new Array(128).fill(true), 'probe pairs S A, A S, S A, A S');
    assert.ok(cycle2.slice(128).every((s) => s === want), `${splitCost}/${aloneCost}: expected ${want ? 'split' : 'alone'}`);
    assert.equal(ch.counts.split + ch.counts.alone, ways.length);
  }
});

test('SplitChooser: one disturbed probe window does not decide the cycle (the median of the pairs)', () => {
  // splitting halves the time, but one split window of a later cycle (pair 1: alone, then split) is slowed
  // tenfold by something else: the pooled time would say alone, the median of the pair ratios says split
  const { ways } = simulate(FIRST + CYCLE, (t, split) => (split ? (t - FIRST >= 48 && t - FIRST < 64 ? 5 : 0.5) : 1));
  assert.ok(ways.slice(FIRST + 128).every((s) => s), 'splits after the probes');
});

test('SplitChooser: the first cycle decides without its first pair (the JIT warms up under it)', () => {
  // the first split window and pair 2's split window are slow: with the first pair counted, the median of
  // (10, 0.5, 10, 0.5) would say alone; the first cycle's decision uses pairs 1–3: (0.5, 10, 0.5)
  const { ways } = simulate(FIRST, (t, split) => (split ? (t < 16 || (t >= 64 && t < 80) ? 10 : 0.5) : 1));
  assert.ok(ways.slice(128).every((s) => s), 'splits after the probes');
});

test('SplitChooser: a cycle that split keeps splitting on a tie; one that ran alone needs a clear win', () => {
  for (const [firstCost, want] of [[0.5, true], [1.2, false]] as const) {
    // then a near tie: 0.97 of the time alone
    const { ways } = simulate(FIRST + CYCLE, (t, split) => (split ? (t < FIRST ? firstCost : 0.97) : 1));
    assert.ok(ways.slice(FIRST + 128).every((s) => s === want), `after a cycle at ${firstCost}: ${want ? 'split' : 'alone'}`);
  }
});

test('SplitChooser: the first tasks after a switch of way are not timed (they pay for waking the workers)', () => {
  // split tasks cost half, but the first two after alone ones cost 8 (a parked worker's slow wake-up):
  // timing whole windows would say alone (16·0.5 + 2·7.5 > 16), the settled part of each says split
  let last = false, sinceSwitch = 0;
  const { ways } = simulate(FIRST, (_t, split) => {
    sinceSwitch = split === last ? sinceSwitch + 1 : 0;
    last = split;
    return split ? (sinceSwitch < 2 ? 8 : 0.5) : 1;
  });
  assert.ok(ways.slice(128).every((s) => s), 'splits after the probes');
});

test('SplitChooser: on a busy machine (no core to spare) every task runs alone and nothing is probed', () => {
  let clock = 0, busy = true;
  const ch = new SplitChooser(() => clock, () => busy);
  const ways: boolean[] = [];
  for (let t = 0; t < FIRST + CYCLE; t++) {
    ways.push(ch.next(1));
    clock += 0.5; // splitting would look twice as fast: the load decides first
    if (t === FIRST + 5) busy = false; // a change of load is seen at the next cycle, not mid-cycle
  }
  assert.ok(ways.every((s) => !s));
  assert.deepEqual(ch.counts, { split: 0, alone: FIRST + CYCLE });
  ways.length = 0;
  for (let t = 0; t < CYCLE; t++) ways.push(ch.next(1));
  assert.equal(ways[0], true, 'an idle machine: the next cycle probes again, split first');
});
