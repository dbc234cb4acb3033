// The loss grid on the wasm fast path (float32 arena, SIMD kernels): each loss against the model evaluated
// with the TypeScript reference kernels at the moved weights, over rows that span two chunks (1,024 + 276),
// and no buffer allocated per grid point (the wasm arena grows by the same bytes for a 3×3 and a 9×9 grid).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../src/nn/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { getBackend, installWasmKernels, uninstallWasmKernels } from '../../src/tensor/backend.js';
import { evaluate } from '../../src/train/trainer.js';
import { filterNormalizedDirection, linspace, lossGrid } from '../../src/train/landscape.js';
import type { Dataset } from '../../src/data/dataset.js';
import { gaussianClasses } from '../helpers/toy-data.js';

const be = getBackend();
assert.ok(be, 'the wasm backend loads in Node');

const data = (n: number, d: number, k: number): Dataset => gaussianClasses(n, d, k, 7);

const spec = { kind: 'mlp' as const, inFeatures: 12, outFeatures: 4, hidden: [24, 16], activation: 'relu' as const };

test('on the wasm path every grid loss is the reference-kernel loss at θ + α·d₁ + β·d₂ (two row chunks), weights restored', () => {
  const ds = data(1300, 12, 4);
  const alphas = [-1, 0, 0.4], betas = [-0.6, 0.25, 1];
  let got: Float64Array, center: Float64Array, d1: Float64Array, d2: Float64Array;
  installWasmKernels();
  try {
    const model = buildModel({ ...spec, rng: new Rng(11) });
    assert.ok(be!.owns(model.params), 'the float32 model lives in the wasm arena');
    const rng = new Rng(2);
    d1 = filterNormalizedDirection(model, rng);
    d2 = filterNormalizedDirection(model, rng);
    // bias components too: the first-layer planes must carry them
    for (let k = 0; k < d2.length; k++) d2[k] += 0.05 * Math.cos(k);
    center = Float64Array.from(model.params);
    const before = model.params.slice();
    got = lossGrid(model, 'ce', ds, center, d1, d2, alphas, betas).loss;
    assert.deepEqual(model.params, before);
  } finally {
    uninstallWasmKernels();
  }
  const probe = buildModel({ ...spec, rng: new Rng(11) });
  assert.ok(!be!.owns(probe.params), 'the probe runs the TypeScript reference');
  for (const [j, b] of betas.entries()) for (const [i, a] of alphas.entries()) {
    for (let k = 0; k < center.length; k++) probe.params[k] = center[k] + a * d1[k] + b * d2[k];
    const want = evaluate(probe, 'ce', ds).loss;
    const g = got[j * alphas.length + i];
    assert.ok(Math.abs(g - want) <= 1e-5 * Math.abs(want), `(${a}, ${b}): ${g} vs ${want}`);
  }
});

test('on the wasm path a grid point allocates nothing: a 9×9 grid grows the arena exactly as much as a 3×3 one', () => {
  installWasmKernels();
  try {
    const ds = data(1300, 12, 4);
    const model = buildModel({ ...spec, rng: new Rng(5) });
    const rng = new Rng(3);
    const d1 = filterNormalizedDirection(model, rng), d2 = filterNormalizedDirection(model, rng);
    const center = Float64Array.from(model.params);
    const grown = (n: number) => {
      const m0 = be!.mark();
      lossGrid(model, 'ce', ds, center, d1, d2, linspace(-1, 1, n), linspace(-1, 1, n));
      return be!.mark() - m0;
    };
    grown(3); // the first call may size the backend's pinned staging and scratch
    const small = grown(3), large = grown(9);
    assert.ok(small > 0, 'a grid takes its planes and arena buffers from the wasm memory');
    assert.equal(large, small);
  } finally {
    uninstallWasmKernels();
  }
});
