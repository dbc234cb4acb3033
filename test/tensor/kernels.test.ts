import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matmul, colSum, addRowVector, softmaxRows, logSoftmaxRows, logSumExpRows, softmaxCrossEntropy, kernels, setKernels, referenceKernels } from '../../src/tensor/kernels.js';
import { Rng } from '../../src/tensor/rng.js';

/** Naive triple loop over explicit index functions: the independent reference. */
function naive(a: Float64Array, b: Float64Array, m: number, k: number, n: number, tA: boolean, tB: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
    out[i * n + j] = s;
  }
  return out;
}

test('matmul equals the naive product for every transpose combination, across block edges, with accumulate', () => {
  const g = new Rng(1);
  for (const [m, k, n] of [[1, 1, 1], [3, 5, 2], [70, 130, 300], [17, 64, 257]]) {
    const a = g.fillNormal(new Float64Array(m * k)) as Float64Array, b = g.fillNormal(new Float64Array(k * n)) as Float64Array;
    for (const tA of [false, true]) for (const tB of [false, true]) {
      const want = naive(a, b, m, k, n, tA, tB);
      const out = new Float64Array(m * n).fill(99);
      matmul(a, b, out, m, k, n, tA, tB, false);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(out[i] - want[i]) < 1e-10 * (1 + Math.abs(want[i])), `${m}x${k}x${n} ${tA} ${tB} at ${i}`);
      const acc = new Float64Array(m * n).fill(1);
      matmul(a, b, acc, m, k, n, tA, tB, true);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(acc[i] - 1 - want[i]) < 1e-9 * (1 + Math.abs(want[i])));
    }
  }
});

test('colSum and addRowVector', () => {
  const x = Float64Array.from([1, 2, 3, 4, 5, 6]);
  const s = new Float64Array(3);
  colSum(x, s, 2, 3);
  assert.deepEqual([...s], [5, 7, 9]);
  colSum(x, s, 2, 3, true);
  assert.deepEqual([...s], [10, 14, 18]);
  addRowVector(x, Float64Array.from([10, 20, 30]), 2, 3);
  assert.deepEqual([...x], [11, 22, 33, 14, 25, 36]);
});

test('softmax, log-softmax and log-sum-exp are exact on small rows and stable on huge ones', () => {
  const x = Float64Array.from([1, 2, 3, 1000, 1001, 1002, -1000, -1000, -1000]);
  const lse = new Float64Array(3), sm = new Float64Array(9), ls = new Float64Array(9);
  logSumExpRows(x, lse, 3, 3);
  softmaxRows(x, sm, 3, 3);
  logSoftmaxRows(x, ls, 3, 3);
  const l0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
  assert.ok(Math.abs(lse[0] - l0) < 1e-14);
  assert.ok(Math.abs(lse[1] - (l0 + 999)) < 1e-12); // shift invariance: lse(x + c) = lse(x) + c
  assert.ok(Math.abs(lse[2] - (-1000 + Math.log(3))) < 1e-12);
  for (let j = 0; j < 3; j++) {
    assert.ok(Math.abs(sm[j] - Math.exp(j + 1 - l0)) < 1e-15);
    assert.ok(Math.abs(sm[3 + j] - sm[j]) < 1e-15);
    assert.ok(Math.abs(sm[6 + j] - 1 / 3) < 1e-15);
    assert.ok(Math.abs(ls[j] - (j + 1 - l0)) < 1e-14);
  }
});

test('softmaxCrossEntropy gives the mean of lse − z_y and (softmax − onehot)/m', () => {
  const z = Float64Array.from([1, 2, 3, 0, 0, 0]);
  const dz = new Float64Array(6);
  const loss = softmaxCrossEntropy(z, [2, 0], dz, 2, 3);
  const l0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, l1 = Math.log(3);
  assert.ok(Math.abs(loss - (l0 + l1) / 2) < 1e-15);
  assert.ok(Math.abs(dz[3] - (1 / 3 - 1) / 2) < 1e-15);
  assert.ok(Math.abs(dz[4] - 1 / 6) < 1e-15);
});

test('setKernels swaps an implementation and null restores the reference', () => {
  let calls = 0;
  setKernels({ colSum: (...args) => { calls++; referenceKernels.colSum(...args); } });
  kernels.colSum(new Float64Array(4), new Float64Array(2), 2, 2);
  setKernels(null);
  kernels.colSum(new Float64Array(4), new Float64Array(2), 2, 2);
  assert.equal(calls, 1);
  assert.equal(kernels.colSum, referenceKernels.colSum);
});
