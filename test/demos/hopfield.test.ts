// The Hopfield demo's claims at fixed seeds: recall above 95% at load 0.05 and below 50% at 0.25, the
// energy (recomputed from scratch after every update) never rising, and the Hebbian rule's closed form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { capacityCurve, corrupt, hebbianWeights, hopfieldEnergy, overlap, randomPatterns, recall } from '../../src/demos/index.js';

test('Hebbian weights: W_ij = (1/N) Σ_μ ξ_i ξ_j off the diagonal, 0 on it', () => {
  const n = 5, pats = Int8Array.from([1, -1, 1, 1, -1, -1, -1, 1, 1, 1]);
  const w = hebbianWeights(pats, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const want = i === j ? 0 : (pats[i] * pats[j] + pats[n + i] * pats[n + j]) / n;
      assert.equal(w[i * n + j], want);
    }
  }
});

test('asynchronous recall never raises the energy (recomputed from scratch at every update)', () => {
  for (const [load, seed] of [[0.05, 1], [0.14, 2], [0.25, 3]] as const) {
    const rng = new Rng(seed), n = 128, p = Math.round(load * n);
    const pats = randomPatterns(p, n, rng);
    const w = hebbianWeights(pats, n);
    const s = corrupt(pats.subarray(0, n), 0.2, rng);
    let last = hopfieldEnergy(w, s), updates = 0;
    const res = recall(w, s, rng, {
      onUpdate: (_u, _i, e, state) => {
        const exact = hopfieldEnergy(w, state);
        assert.ok(Math.abs(e - exact) <= 1e-9 * Math.max(1, Math.abs(exact)), `tracked energy ${e} vs ${exact}`);
        assert.ok(exact <= last + 1e-12, `energy rose from ${last} to ${exact} at load ${load}`);
        last = exact;
        updates++;
      },
    });
    assert.ok(res.converged, `recall at load ${load} reached a fixed point`);
    assert.equal(updates, res.updates);
  }
});

test('stored patterns well below capacity are fixed points and attract their corrupted copies', () => {
  const rng = new Rng(5), n = 256, p = 6;
  const pats = randomPatterns(p, n, rng);
  const w = hebbianWeights(pats, n);
  for (let q = 0; q < p; q++) {
    const xi = pats.subarray(q * n, (q + 1) * n);
    const same = xi.slice();
    assert.equal(recall(w, same, rng).flips, 0);
    const s = corrupt(xi, 0.2, rng);
    assert.ok(Math.abs(overlap(s, xi) - (1 - 2 * Math.round(0.2 * n) / n)) < 1e-12, 'exactly round(20%) flipped');
    recall(w, s, rng);
    assert.equal(overlap(s, xi), 1);
  }
});

test('capacity: recall above 95% at P/N = 0.05 and below 50% at P/N = 0.25 (N = 256, 10% flipped, seeds 0 and 1)', () => {
  for (const seed of [0, 1]) {
    const { points } = capacityCurve({ seed, loads: [0.05, 0.25], trials: 4 });
    assert.ok(points[0].recall > 0.95, `seed ${seed}: recall ${points[0].recall} at ${points[0].load}`);
    assert.ok(points[1].recall < 0.5, `seed ${seed}: recall ${points[1].recall} at ${points[1].load}`);
  }
});
