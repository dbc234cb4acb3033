// The softmax cross-entropy gradient of a confidently right row: the label's (p − 1)/m is −(Σ_{j≠y} e_j)/(s·m),
// a small number that p − 1 would round to a multiple of an ulp of 1 (6e-8 in float32) or to 0. The train
// fuzzer found Rprop following the sign of such a gradient off torch (iris, linear, ce, batch 9: descent
// +3.2e-9 where torch and its float64 run give −3.4e-9). Checked on the reference and the wasm kernels,
// float32 and float64, against the closed form in float64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/autograd/index.js';
import { crossEntropy } from '../../src/nn/index.js';
import { getBackend, installWasmKernels, uninstallWasmKernels } from '../../src/tensor/backend.js';
import type { DType } from '../../src/tensor/tensor.js';

// label 0 leads the other logits by `gap`: p_0 = 1 − (about e^−gap)
const gaps = [5, 10, 14, 17, 20, 30];
const others = [0, -1.5, -4];
const k = 1 + others.length, m = gaps.length;

const kernelSets = [{ label: 'reference kernels', wasm: false }];
if (getBackend()) kernelSets.push({ label: 'wasm kernels', wasm: true });

for (const { label, wasm } of kernelSets) {
  for (const dtype of ['float32', 'float64'] as DType[]) {
    test(`cross-entropy gradient of confident rows (${dtype}, ${label}): the label's entry is −Σ_{j≠y} e_j/(s·m), not a rounded p − 1`, () => {
      if (wasm) installWasmKernels(); else uninstallWasmKernels();
      const round = dtype === 'float32' ? Math.fround : (v: number) => v;
      const z = gaps.flatMap((g) => [g, ...others].map(round));
      const fast = wasm && dtype === 'float32';
      const data = fast ? getBackend()!.allocF32(z.length) : z;
      if (fast) (data as Float32Array).set(z);
      const x = tensor(data, [m, k], { dtype, requiresGrad: true });
      const y = fast ? getBackend()!.allocI32(m) : new Int32Array(m); // label 0 in every row
      crossEntropy(x, y).backward();
      for (let i = 0; i < m; i++) {
        const row = z.slice(i * k, (i + 1) * k);
        const e = row.map((v) => Math.exp(v - row[0])); // float64 closed form from the (rounded) logits
        const rest = e.slice(1).reduce((a, b) => a + b, 0), s = 1 + rest;
        const want = -rest / s / m;
        const got = x.grad![i * k];
        assert.ok(got < 0, `gap ${gaps[i]}: ${got} (the label's gradient must stay negative)`);
        assert.ok(Math.abs(got - want) <= 1e-5 * Math.abs(want), `gap ${gaps[i]}: ${got} vs ${want} (rel ${Math.abs(got - want) / Math.abs(want)})`);
        for (let j = 1; j < k; j++) {
          const wj = e[j] / s / m;
          assert.ok(Math.abs(x.grad![i * k + j] - wj) <= 1e-5 * wj, `gap ${gaps[i]} [${j}]: ${x.grad![i * k + j]} vs ${wj}`);
        }
      }
    });
  }
}
