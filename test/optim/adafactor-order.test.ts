// adafactor's RMS(θ) and RMS(u) are torch's `.norm(2)`, which its CPU kernel sums in four fused-multiply-add
// lanes and a plain tail (docs/optimizers.md, adafactor). descent sums in that order for float64 tensors, so
// its trajectories are torch's bit for bit: 60 vectors of 1..70 entries over six decades, three steps each
// with given gradients (test/fixtures/optimize-tensors/adafactor-order.json, make_adafactor_order_cases.py).
// Summed sequentially instead, about one in ten of these norms rounds differently (the control below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOptimizer } from '../../src/optim/index.js';

interface Case { x0: number[]; grads: number[][]; optimizer: { lr: number; d: number; weightDecay: number }; path: number[][] }
const { cases, reference } = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'optimize-tensors', 'adafactor-order.json'), 'utf8')) as { cases: Case[]; reference: string };

test(`adafactor float64 equals ${reference} bit for bit on ${cases.length} vectors (torch's norm order)`, () => {
  let exact = 0;
  for (const [k, c] of cases.entries()) {
    const x = Float64Array.from(c.x0), g = new Float64Array(x.length);
    const opt = createOptimizer('adafactor', { params: x, grads: g }, c.optimizer);
    for (let t = 0; t < c.grads.length; t++) {
      g.set(c.grads[t]);
      opt.step();
      for (let i = 0; i < x.length; i++) assert.equal(x[i], c.path[t + 1][i], `case ${k} (n = ${x.length}) step ${t + 1} x[${i}]`);
    }
    exact++;
  }
  assert.equal(exact, cases.length);
});

test('control: a sequential sum of squares would not reproduce these norms', () => {
  // the order matters for these data: torch's norm and a left-to-right sum differ on some of the vectors
  let differ = 0;
  for (const c of cases) {
    const n = c.x0.length;
    let seq = 0;
    for (const v of c.x0) seq += v * v;
    const main = n - (n % 4), lanes = [0, 0, 0, 0];
    for (let i = 0; i < main; i++) lanes[i & 3] += c.x0[i] * c.x0[i]; // lanes without fma: the order alone
    let torchLike = ((lanes[0] + lanes[1]) + lanes[2]) + lanes[3];
    for (let i = main; i < n; i++) torchLike += c.x0[i] * c.x0[i];
    if (seq !== torchLike) differ++;
  }
  assert.ok(differ >= 3, `${differ} of ${cases.length} vectors sum differently in the two orders`);
});
