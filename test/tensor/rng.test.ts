import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Rng } from '../../src/tensor/rng.js';

// independent Python port of the published xoshiro128** C code (test/fixtures/tools/rng_reference.py)
const ref = JSON.parse(readFileSync(new URL('../fixtures/rng/expected.json', import.meta.url), 'utf8'));

test('xoshiro128** from state {1,2,3,4} gives the published sequence', () => {
  const g = Rng.fromState({ s: [1, 2, 3, 4], spare: null });
  const got = Array.from({ length: 10 }, () => g.nextUint32());
  assert.deepEqual(got, ref.state1234);
});

test('seeding (splitmix32) and uniform() match the reference for several seeds, 2^40+7 included', () => {
  for (const [seed, e] of Object.entries(ref.seeds) as [string, { state: number[]; uint32: number[]; uniform: number[] }][]) {
    const g = new Rng(Number(seed));
    assert.deepEqual(g.getState().s, e.state, `seed ${seed} state`);
    assert.deepEqual(Array.from({ length: 5 }, () => g.nextUint32()), e.uint32, `seed ${seed} uint32`);
    assert.deepEqual(Array.from({ length: 5 }, () => g.uniform()), e.uniform, `seed ${seed} uniform`);
  }
});

test('same seed, same numbers; state round-trips mid-stream including the cached normal', () => {
  const a = new Rng(7), b = new Rng(7);
  for (let i = 0; i < 100; i++) assert.equal(a.normal(), b.normal());
  a.normal(); // leaves a spare cached
  const saved = JSON.parse(JSON.stringify(a.getState()));
  const x = [a.normal(), a.uniform(), a.int(10)];
  const c = Rng.fromState(saved);
  assert.deepEqual([c.normal(), c.uniform(), c.int(10)], x);
});

test('uniform in [0,1) with mean 1/2 and variance 1/12; normal with mean 0 and variance 1', () => {
  const g = new Rng(3), n = 200_000;
  let s = 0, s2 = 0, z = 0, z2 = 0;
  for (let i = 0; i < n; i++) {
    const u = g.uniform();
    assert.ok(u >= 0 && u < 1);
    s += u; s2 += u * u;
    const v = g.normal();
    z += v; z2 += v * v;
  }
  // standard errors: sqrt(1/12/n) ≈ 6.5e-4 for the uniform mean, sqrt(2/n) ≈ 3.2e-3 for the normal variance
  assert.ok(Math.abs(s / n - 0.5) < 4e-3);
  assert.ok(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12) < 2e-3);
  assert.ok(Math.abs(z / n) < 1e-2);
  assert.ok(Math.abs(z2 / n - 1) < 2e-2);
});

test('int(n) covers [0, n) evenly; permutation is a permutation; bad arguments are input errors', () => {
  const g = new Rng(5), counts = new Array(6).fill(0);
  for (let i = 0; i < 60_000; i++) counts[g.int(6)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `count ${c}`); // sd ≈ 91
  const p = g.permutation(1000);
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  assert.notDeepEqual([...p], Array.from({ length: 1000 }, (_, i) => i));
  assert.throws(() => g.int(0), /int\(n\)/);
  assert.throws(() => new Rng(-1), /seed/);
  assert.throws(() => g.setState({ s: [0, 0, 0, 0], spare: null }), /all-zero/);
});
