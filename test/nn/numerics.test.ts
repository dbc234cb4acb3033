// Numerics at the extremes: log-sum-exp, softmax cross-entropy, sigmoid and BCE on logits, with their
// gradients, are finite and equal closed forms for logits with |z| up to 1e4, in float64 and float32,
// on the reference kernels and on the wasm SIMD fast path (the only one of these ops it has is the fused
// softmax cross-entropy). References come from the shift identity lse(c + a) = c + log Σ e^{a_j}
// with small offsets a, and from softplus/sigmoid evaluated where they cannot overflow. Also the float32
// reductions that accumulate in float64 (docs/numerics.md).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, logSumExp, logSoftmax, softmax, sigmoid, sum, mean, mulScalar, backward, linear } from '../../src/autograd/index.js';
import { bceWithLogits, crossEntropy } from '../../src/nn/index.js';
import { kernels } from '../../src/tensor/kernels.js';
import { getBackend, installWasmKernels, uninstallWasmKernels } from '../../src/tensor/backend.js';
import type { DType } from '../../src/tensor/tensor.js';

after(() => uninstallWasmKernels());

const dtypes: DType[] = ['float64', 'float32'];
const round = (dtype: DType) => (v: number) => (dtype === 'float32' ? Math.fround(v) : v);
/** Relative tolerance of a value the op stores in `dtype`, with an absolute floor for values near 0. */
function close(got: number, want: number, dtype: DType, what: string, rel = dtype === 'float32' ? 2e-7 : 1e-13, abs = dtype === 'float32' ? 1e-7 : 1e-15): void {
  assert.ok(Number.isFinite(got), `${what}: ${got} is not finite`);
  assert.ok(Math.abs(got - want) <= rel * Math.abs(want) + abs, `${what}: ${got}, want ${want}`);
}

/** Rows c + a (the offsets small and exact in float32), with a far entry that must contribute nothing. */
const rows: { c: number; a: number[] }[] = [
  { c: 1e4, a: [0, -1, -2.5, 3] },
  { c: -1e4, a: [0.5, 0, -4, 1] },
  { c: 0, a: [2, -1, 0, 0.25] },
  { c: 1e4 - 7, a: [0, 0, 0, 0] },
];
const FAR = -2e4; // e^(−2e4 − c) underflows to exactly 0 against every row's terms
const lseOffsets = (a: number[]) => Math.log(a.reduce((s, v) => s + Math.exp(v), 0));

/** The logits [rows, 5]: c + a_j, then the far entry; the reference lse and softmax from the offsets alone. */
function logits() {
  const z: number[] = [], lse: number[] = [], soft: number[][] = [];
  for (const { c, a } of rows) {
    z.push(...a.map((v) => c + v), FAR);
    const l = lseOffsets(a);
    lse.push(c + l);
    soft.push([...a.map((v) => Math.exp(v - l)), 0]);
  }
  return { z, lse, soft, m: rows.length, k: 5 };
}

function wasmCases(): { label: string; wasm: boolean }[] {
  const cases = [{ label: 'reference kernels', wasm: false }];
  if (getBackend()) cases.push({ label: 'wasm kernels', wasm: true });
  return cases;
}

/** Float32 data in the wasm arena when the fast path is on, so its kernels (not the fallback) run. */
function leaf(values: number[], shape: number[], dtype: DType, wasm: boolean) {
  if (wasm && dtype === 'float32') {
    const data = getBackend()!.allocF32(values.length);
    data.set(values);
    return tensor(data, shape, { dtype, requiresGrad: true });
  }
  return tensor(values, shape, { dtype, requiresGrad: true });
}

for (const { label, wasm } of wasmCases()) {
  for (const dtype of dtypes) {
    test(`log-sum-exp, log-softmax and softmax at |z| = 1e4 (${dtype}, ${label}): values and gradients match the shift identity`, () => {
      if (wasm) installWasmKernels(); else uninstallWasmKernels();
      const { z, lse, soft, m, k } = logits();
      const x = leaf(z.map(round(dtype)), [m, k], dtype, wasm);
      const out = logSumExp(x, -1);
      rows.forEach((_, i) => close(out.data[i], round(dtype)(lse[i]), dtype, `lse row ${i}`));
      // d lse / dz = softmax: sum the rows' lse so every row's gradient is its softmax
      backward(sum(out));
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) close(x.grad![i * k + j], soft[i][j], dtype, `d lse row ${i}[${j}]`, 1e-6, 1e-7);
      const ls = logSoftmax(leaf(z.map(round(dtype)), [m, k], dtype, wasm));
      const sm = softmax(leaf(z.map(round(dtype)), [m, k], dtype, wasm));
      rows.forEach(({ a }, i) => {
        const l = lseOffsets(a);
        a.forEach((v, j) => {
          close(ls.data[i * k + j], v - l, dtype, `logSoftmax row ${i}[${j}]`, 1e-6, 1e-6);
          close(sm.data[i * k + j], soft[i][j], dtype, `softmax row ${i}[${j}]`, 1e-6, 1e-7);
        });
        assert.equal(sm.data[i * k + 4], 0);
        assert.ok(ls.data[i * k + 4] < -9e3 && Number.isFinite(ls.data[i * k + 4]));
      });
    });

    test(`softmax cross-entropy at |z| = 1e4 (${dtype}, ${label}): loss log Σe^a − a_y and gradient (softmax − onehot)/m`, () => {
      if (wasm) installWasmKernels(); else uninstallWasmKernels();
      const { z, soft, m, k } = logits();
      const labels = [2, 0, 4, 1]; // row 2's label is the far entry: a loss near 2e4, still finite
      const want = rows.reduce((s, { c, a }, i) => s + lseOffsets(a) - (labels[i] === 4 ? FAR - c : a[labels[i]]), 0) / m;
      const x = leaf(z.map(round(dtype)), [m, k], dtype, wasm);
      // the wasm kernel takes Int32 labels in its arena (as the fast trainer passes them)
      const y = wasm && dtype === 'float32' ? getBackend()!.allocI32(m) : new Int32Array(m);
      y.set(labels);
      const loss = crossEntropy(x, y);
      close(loss.item(), want, dtype, 'mean cross-entropy', dtype === 'float32' ? 1e-6 : 1e-13);
      loss.backward();
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < k; j++) close(x.grad![i * k + j], (soft[i][j] - (j === labels[i] ? 1 : 0)) / m, dtype, `dCE row ${i}[${j}]`, 1e-6, 1e-7);
      }
      // the kernel itself, called as the dispatch calls it (the wasm one when installed and the buffers are in its arena)
      const dz = wasm && dtype === 'float32' ? getBackend()!.allocF32(m * k) : dtype === 'float32' ? new Float32Array(m * k) : new Float64Array(m * k);
      const direct = kernels.softmaxCrossEntropy(x.data, y, dz, m, k);
      close(direct, want, dtype, 'kernel loss', dtype === 'float32' ? 1e-6 : 1e-13);
      // row by row (m = 1), so no row's error hides in the mean: each loss is log Σe^a − a_y, of order 1
      rows.forEach(({ a }, i) => {
        const want1 = lseOffsets(a) - (labels[i] === 4 ? FAR - rows[i].c : a[labels[i]]);
        const got = kernels.softmaxCrossEntropy(x.data.subarray(i * k, (i + 1) * k), y.subarray(i, i + 1), dz.subarray(0, k), 1, k);
        close(got, want1, dtype, `kernel loss row ${i}`, dtype === 'float32' ? 1e-6 : 1e-13);
      });
    });
  }
}

for (const dtype of dtypes) {
  const zs = [1e4, -1e4, 1e3, -1e3, 100, -100, 30, -30, 1, -1, 0];
  // σ(z) = 1/(1 + e^{−z}) never overflows for z ≥ 0; for z < 0, e^{z}/(1 + e^{z}) — evaluated here in
  // float64 from the definition, with e^{−1e4} = 0 exactly
  const sig = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
  /** softplus(t) = log(1 + e^t): = t for t ≥ 40 (e^{−t} < 2^−57), = e^t for t ≤ −40, the definition between. */
  const softplus = (t: number) => (t >= 40 ? t : t <= -40 ? Math.exp(t) : Math.log(1 + Math.exp(t)));

  test(`sigmoid for z in ±{1e4, 1e3, 100, 30, 1, 0} (${dtype}): values in [0, 1], gradient σ(1 − σ), all finite`, () => {
    uninstallWasmKernels();
    const x = tensor(zs, [zs.length], { dtype, requiresGrad: true });
    const y = sigmoid(x);
    zs.forEach((z, i) => {
      close(y.data[i], round(dtype)(sig(z)), dtype, `σ(${z})`, 1e-7, dtype === 'float32' ? 1e-44 : 1e-300);
      assert.ok(y.data[i] >= 0 && y.data[i] <= 1);
    });
    backward(sum(y));
    zs.forEach((z, i) => close(x.grad![i], sig(z) * (1 - sig(z)), dtype, `σ'(${z})`, 1e-6, dtype === 'float32' ? 1e-12 : 1e-300));
    assert.equal(y.data[0], 1);
    assert.equal(y.data[1], 0);
  });

  test(`BCE with logits for z in ±{1e4, 1e3, 100, 30, 1, 0} and y in {0, 1} (${dtype}): loss = mean softplus(±z), gradient (σ(z) − y)/n`, () => {
    uninstallWasmKernels();
    const z = [...zs, ...zs], y = [...zs.map(() => 0), ...zs.map(() => 1)];
    const n = z.length;
    // y = 0: log(1 + e^z); y = 1: log(1 + e^{−z})
    const want = z.reduce((s, v, i) => s + softplus(y[i] === 1 ? -v : v), 0) / n;
    const x = tensor(z, [n, 1], { dtype, requiresGrad: true });
    const loss = bceWithLogits(x, y);
    close(loss.item(), round(dtype)(want), dtype, 'mean BCE', 1e-7, 0);
    loss.backward();
    z.forEach((v, i) => close(x.grad![i], (sig(v) - y[i]) / n, dtype, `dBCE/dz(${v}, y=${y[i]})`, 1e-6, 1e-9));
  });
}

for (const { label, wasm } of wasmCases()) {
  test(`float32 reductions accumulate in float64 (${label}): sum and mean of 10^6 values of 0.1, and a linear layer's bias gradient`, () => {
    if (wasm) installWasmKernels(); else uninstallWasmKernels();
    const n = 1_000_000;
    const v = Math.fround(0.1);
    const data = wasm ? getBackend()!.allocF32(n) : new Float32Array(n);
    data.fill(v);
    // exact: n · fround(0.1); a float32 running sum would drift to 100958.34 (1% off)
    const exact = n * v;
    const x = tensor(data, [n, 1], { dtype: 'float32' });
    assert.equal(sum(x).data[0], Math.fround(exact));
    assert.equal(sum(x, 0).data[0], Math.fround(exact));
    assert.equal(mean(x, 0).data[0], Math.fround(exact / n));
    assert.equal(mean(x).data[0], Math.fround(exact / n));
    // the bias gradient of a linear layer is a column sum over the batch rows (colSum, the wasm kernel on
    // the fast path): upstream gradients of 0.1, in 5 columns so the SIMD lanes and the scalar tail both run
    const k = 5;
    const w = leaf(Array.from({ length: k }, () => 1), [k, 1], 'float32', wasm);
    const b = leaf(Array.from({ length: k }, () => 0), [k], 'float32', wasm);
    backward(mulScalar(sum(linear(x, w, b)), v));
    for (let j = 0; j < k; j++) assert.equal(b.grad![j], Math.fround(exact), `bias gradient ${j}`);
    // and the kernel directly, accumulating onto a previous gradient of 1 in each column
    const g = wasm ? getBackend()!.allocF32(n * k) : new Float32Array(n * k);
    g.fill(v);
    const out = wasm ? getBackend()!.allocF32(k) : new Float32Array(k);
    out.fill(1);
    kernels.colSum(g, out, n, k, true);
    for (let j = 0; j < k; j++) assert.equal(out[j], Math.fround(1 + exact), `colSum column ${j}`);
  });
}
