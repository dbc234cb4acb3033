// Centered RMSprop on float32 parameters against torch 1.13 (test/fixtures/rmsprop-float32, made by
// test/fixtures/tools/make_rmsprop_float32_case.py): with a gradient near 1e-30 the squared average
// underflows to 0 in float32 while the gradient average does not; torch's float32 v − ḡ² is then 0 (ḡ²
// underflows as well) and the step is finite. Found by the train fuzzer: descent formed ḡ² in float64,
// took √ of −1e-64 and stopped the run as diverged at step 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rmspropInit, rmspropUpdate, rmspropDefaults } from '../../src/optim/rmsprop.js';

const fx = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'rmsprop-float32', 'case.json'), 'utf8')) as
  { x0: number[]; grads: number[][]; cases: { options: Record<string, number | boolean>; path: number[][] }[] };

for (const c of fx.cases) {
  test(`centered rmsprop float32 ${JSON.stringify(c.options)}: finite, and torch's values step by step`, () => {
    const o = { ...rmspropDefaults, ...c.options };
    const params = Float32Array.from(fx.x0);
    const state = rmspropInit(params.length, Float32Array);
    fx.grads.forEach((g, t) => {
      rmspropUpdate(params, Float32Array.from(g), state, o);
      params.forEach((p, i) => {
        const want = c.path[t][i];
        assert.ok(Number.isFinite(p), `step ${t + 1}, param ${i}: ${p}`);
        assert.ok(Math.abs(p - want) <= 1e-6 * Math.max(1, Math.abs(want)), `step ${t + 1}, param ${i}: ${p} vs torch ${want}`);
      });
    });
  });
}
