// Rprop on float32 parameters against torch 1.13 (test/fixtures/rprop-float32, made by
// test/fixtures/tools/make_rprop_float32_case.py): torch forms g·g_prev and Δ·η in float32, so a product
// of two tiny gradients underflows to 0 (η = 1, the step size stays and the step is taken) where a float64
// product keeps its sign. Found by the train fuzzer (softmax on raw iris, batch 1, gradients near 1e-25).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rpropInit, rpropUpdate, rpropDefaults } from '../../src/optim/rprop.js';

interface Case { lr: number; etas: [number, number]; stepSizes: [number, number]; path: { params: number[]; stepSize: number[] }[] }
const fx = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'rprop-float32', 'case.json'), 'utf8')) as
  { x0: number[]; grads: number[][]; cases: Case[] };

for (const c of fx.cases) {
  test(`rprop float32, etas ${c.etas}, step sizes ${c.stepSizes}: every step equals torch's bit for bit`, () => {
    const o = { ...rpropDefaults, lr: c.lr, etas: c.etas, stepSizes: c.stepSizes };
    const params = Float32Array.from(fx.x0);
    const state = rpropInit(params.length, Float32Array, o);
    fx.grads.forEach((g, t) => {
      rpropUpdate(params, Float32Array.from(g), state, o);
      // torch's float32 values, exactly (both sides round every product to float32)
      assert.deepEqual([...params], c.path[t].params, `step ${t + 1}: params`);
      assert.deepEqual([...state.stepSize], c.path[t].stepSize, `step ${t + 1}: step sizes`);
    });
  });
}

test('rprop float32: an underflowing g·g_prev leaves the step size as it is (the case the fixture turns on)', () => {
  const o = { ...rpropDefaults, lr: 0.01 };
  const params = new Float32Array([0]);
  const state = rpropInit(1, Float32Array, o);
  rpropUpdate(params, new Float32Array([1e-25]), state, o);
  rpropUpdate(params, new Float32Array([1e-25]), state, o);
  // 1e-50 is 0 in float32: η = 1, not etaplus 1.2; both steps move by the full 0.01 (float32)
  assert.equal(state.stepSize[0], Math.fround(0.01));
  assert.equal(params[0], Math.fround(Math.fround(-0.01) - Math.fround(0.01)));
});
