import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kmeans, kmeansObjective, kmeansPlusPlusIndices, kmeansMethods } from '../../src/train/kmeans.js';
import { Rng } from '../../src/tensor/rng.js';

function loadCsv(path: string): { x: Float64Array; labels: Int32Array; n: number; d: number } {
  const lines = readFileSync(new URL(path, import.meta.url), 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(',').map(Number));
  const d = rows[0].length - 1;
  const x = new Float64Array(rows.length * d);
  const labels = new Int32Array(rows.length);
  rows.forEach((r, i) => { for (let t = 0; t < d; t++) x[i * d + t] = r[t]; labels[i] = r[d]; });
  return { x, labels, n: rows.length, d };
}
const digits = loadCsv('../fixtures/data/digits.csv');

/** Independent brute force: plain arrays, Math.hypot, no shared helper. */
function bruteObjective(x: ArrayLike<number>, n: number, d: number, centers: ArrayLike<number>, k: number): { j: number; labels: number[] } {
  let total = 0;
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: d }, (_v, t) => x[i * d + t]);
    const ds = Array.from({ length: k }, (_v, j) => Math.hypot(...row.map((v, t) => v - centers[j * d + t])) ** 2);
    const m = Math.min(...ds);
    labels.push(ds.indexOf(m));
    total += m;
  }
  return { j: total / n, labels };
}

/** Gaussian blobs around known centers (Box-Muller on a seeded generator). */
function blobs(trueCenters: number[][], perBlob: number, std: number, seed: number): { x: Float64Array; n: number; d: number } {
  const rng = new Rng(seed);
  const d = trueCenters[0].length;
  const n = trueCenters.length * perBlob;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = trueCenters[i % trueCenters.length];
    for (let t = 0; t < d; t++) x[i * d + t] = c[t] + std * rng.normal();
  }
  return { x, n, d };
}

test('hand-worked 1-D Lloyd: x = 0,1,9,10 from centers 0,1', () => {
  // iteration 1: {0} {1,9,10} -> centers 0, 20/3; iteration 2: {0,1} {9,10} -> 0.5, 9.5; iteration 3: no change
  const r = kmeans([0, 1, 9, 10], 4, 1, { k: 2, method: 'batch', init: [0, 1] });
  assert.deepEqual(Array.from(r.centers), [0.5, 9.5]);
  assert.deepEqual(Array.from(r.assignments), [0, 0, 1, 1]);
  assert.equal(r.converged, true);
  // J0: distances 0, 0, 64, 81 -> 145/4; J1: 0, 1, (7/3)², (10/3)²; J2: four times 0.25
  const expected = [145 / 4, (0 + 1 + 49 / 9 + 100 / 9) / 4, 0.25];
  assert.equal(r.history.length, 3);
  r.history.forEach((h, i) => assert.ok(Math.abs(h.objective - expected[i]) < 1e-12, `J${i} = ${h.objective}, expected ${expected[i]}`));
  assert.deepEqual(r.history.map((h) => h.examplesSeen), [0, 4, 8]);
  assert.equal(r.objective, 0.25);
});

test('hand-worked 1-D online (MacQueen) and minibatch (Sculley): running means, any order', () => {
  // x = 0,2,10,12 from centers 0,10. MacQueen counts the seed as one example: c0 = mean(0; 0,2) = 2/3, c1 = mean(10; 10,12) = 32/3.
  const on = kmeans([0, 2, 10, 12], 4, 1, { k: 2, method: 'online', epochs: 1, init: [0, 10], seed: 3 });
  assert.ok(Math.abs(on.centers[0] - 2 / 3) < 1e-12 && Math.abs(on.centers[1] - 32 / 3) < 1e-12, `${on.centers}`);
  assert.equal(on.examplesSeen, 4);
  // Sculley starts counts at 0: one batch of all four gives the plain means 1 and 11.
  const mb = kmeans([0, 2, 10, 12], 4, 1, { k: 2, method: 'minibatch', batchSize: 4, epochs: 1, init: [0, 10], seed: 5 });
  assert.ok(Math.abs(mb.centers[0] - 1) < 1e-12 && Math.abs(mb.centers[1] - 11) < 1e-12, `${mb.centers}`);
  // A second epoch of the same batch: counts 2 -> 4, the centers stay at the means.
  const mb2 = kmeans([0, 2, 10, 12], 4, 1, { k: 2, method: 'minibatch', batchSize: 4, epochs: 2, init: [0, 10], seed: 5 });
  assert.ok(Math.abs(mb2.centers[0] - 1) < 1e-12 && Math.abs(mb2.centers[1] - 11) < 1e-12, `${mb2.centers}`);
});

test("Lloyd matches SciPy's kmeans2 on digits from the same initial rows (centers, labels, objective)", () => {
  const ref = JSON.parse(readFileSync(new URL('../fixtures/kmeans/scipy-lloyd-digits.json', import.meta.url), 'utf8')) as {
    cases: { k: number; initRows: number[]; centers: number[]; labels: number[]; objective: number }[];
  };
  const { x, n, d } = digits;
  for (const c of ref.cases) {
    const init = new Float64Array(c.k * d);
    c.initRows.forEach((row, j) => init.set(x.subarray(row * d, row * d + d), j * d));
    const r = kmeans(x, n, d, { k: c.k, method: 'batch', init, iterations: 300 });
    assert.equal(r.converged, true);
    let maxDiff = 0;
    for (let t = 0; t < c.centers.length; t++) maxDiff = Math.max(maxDiff, Math.abs(r.centers[t] - c.centers[t]));
    assert.ok(maxDiff < 1e-9, `k=${c.k}: max center difference ${maxDiff}`);
    assert.deepEqual(Array.from(r.assignments), c.labels);
    assert.ok(Math.abs(r.objective - c.objective) < 1e-9 * c.objective, `k=${c.k}: J ${r.objective} vs ${c.objective}`);
  }
});

test("Lloyd's objective never increases (digits, random and kmeans++ init, several seeds)", () => {
  const { x, n, d } = digits;
  for (const init of ['random', 'kmeans++'] as const) {
    for (const seed of [0, 1, 2]) {
      const r = kmeans(x, n, d, { k: 10, method: 'batch', init, seed });
      assert.ok(r.history.length >= 3);
      for (let i = 1; i < r.history.length; i++) {
        assert.ok(r.history[i].objective <= r.history[i - 1].objective * (1 + 1e-12), `${init} seed ${seed}: J rose at iteration ${i}`);
        assert.ok(r.history[i].timeMs >= r.history[i - 1].timeMs);
        assert.equal(r.history[i].examplesSeen, i * n);
      }
    }
  }
});

test('reported objective equals an independent brute-force computation (all methods)', () => {
  const { x, d } = digits;
  const n = 300; // the first 300 digits keep the brute force quick
  for (const method of kmeansMethods) {
    const r = kmeans(x, n, d, { k: 7, method, seed: 4, epochs: 3, batchSize: 32 });
    const b = bruteObjective(x, n, d, r.centers, 7);
    assert.ok(Math.abs(r.objective - b.j) < 1e-9 * b.j, `${method}: ${r.objective} vs ${b.j}`);
    assert.deepEqual(Array.from(r.assignments), b.labels);
    const last = r.history[r.history.length - 1];
    assert.ok(Math.abs(last.objective - b.j) < 1e-9 * b.j, `${method}: last history point ${last.objective} vs ${b.j}`);
    assert.equal(Array.from(r.clusterSizes).reduce((a, v) => a + v, 0), n);
  }
  // kmeansObjective itself on arbitrary centers
  const centers = new Float64Array(5 * d).map((_v, t) => (t * 7) % 17);
  assert.ok(Math.abs(kmeansObjective(x, n, d, centers, 5) - bruteObjective(x, n, d, centers, 5).j) < 1e-9 * bruteObjective(x, n, d, centers, 5).j);
});

test('all three methods find the true centers of well-separated blobs', () => {
  const truth = [[0, 0], [10, 0], [0, 10], [10, 10], [5, 5]];
  const { x, n, d } = blobs(truth, 200, 0.5, 11);
  for (const method of kmeansMethods) {
    for (const seed of [0, 1]) {
      const r = kmeans(x, n, d, { k: 5, method, seed, epochs: 5, batchSize: 50 });
      for (const c of truth) {
        let best = Infinity;
        for (let j = 0; j < 5; j++) best = Math.min(best, Math.hypot(r.centers[j * 2] - c[0], r.centers[j * 2 + 1] - c[1]));
        // sample means of 200 points with std 0.5 are within ~0.1 of the truth
        assert.ok(best < 0.15, `${method} seed ${seed}: nearest center to [${c}] is ${best} away`);
      }
      // J near the noise variance per example: d * std² = 0.5
      assert.ok(r.objective > 0.4 && r.objective < 0.6, `${method} seed ${seed}: J = ${r.objective}`);
      assert.deepEqual(Array.from(r.clusterSizes).sort(), [200, 200, 200, 200, 200]);
    }
  }
});

test('kmeans++ seeding follows the D² distribution (x = 0, 1, 10; k = 2)', () => {
  // P(first = i) = 1/3; then P(second = j | first = i) = D(j)² / Σ D². Expected ordered-pair probabilities:
  const expected: Record<string, number> = {
    '0,1': 1 / 3 * 1 / 101, '0,2': 1 / 3 * 100 / 101,
    '1,0': 1 / 3 * 1 / 82, '1,2': 1 / 3 * 81 / 82,
    '2,0': 1 / 3 * 100 / 181, '2,1': 1 / 3 * 81 / 181,
  };
  const trials = 6000;
  const counts: Record<string, number> = {};
  for (let s = 0; s < trials; s++) {
    const idx = kmeansPlusPlusIndices([0, 1, 10], 3, 1, 2, new Rng(1000 + s));
    const key = `${idx[0]},${idx[1]}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  for (const key of Object.keys(counts)) assert.ok(key in expected, `impossible pair ${key}`);
  for (const [key, p] of Object.entries(expected)) {
    const got = (counts[key] ?? 0) / trials;
    const sigma = Math.sqrt(p * (1 - p) / trials);
    assert.ok(Math.abs(got - p) < 5 * sigma + 1e-3, `pair ${key}: frequency ${got}, expected ${p}`);
  }
  // Never the same point twice while distinct points remain.
  for (let s = 0; s < 200; s++) {
    const idx = kmeansPlusPlusIndices(digits.x, 50, digits.d, 10, new Rng(s));
    assert.equal(new Set(idx).size, 10);
  }
});

test('minibatch and online count examples seen; seeds reproduce; bad options are input errors', () => {
  const { x, n, d } = digits;
  const a = kmeans(x, n, d, { k: 10, method: 'minibatch', batchSize: 100, epochs: 2, seed: 9 });
  const b = kmeans(x, n, d, { k: 10, method: 'minibatch', batchSize: 100, epochs: 2, seed: 9 });
  assert.deepEqual(a.centers, b.centers);
  assert.equal(a.examplesSeen, 2 * n);
  assert.equal(a.history[a.history.length - 1].examplesSeen, 2 * n);
  const seen: number[] = [];
  const on = kmeans(x, 200, d, { k: 4, method: 'online', epochs: 1, seed: 1, evalEvery: 50, onProgress: (p) => seen.push(p.examplesSeen) });
  assert.equal(on.examplesSeen, 200);
  assert.deepEqual(seen, [0, 50, 100, 150, 200]);
  assert.deepEqual(on.history.map((h) => h.examplesSeen), seen);
  // an injected clock: time is the algorithm's only (each record() brackets the objective evaluation)
  let clock = 0;
  const timed = kmeans([0, 1, 9, 10], 4, 1, { k: 2, init: [0, 1], now: () => (clock += 1) });
  assert.ok(timed.history.every((h, i) => i === 0 || h.timeMs > timed.history[i - 1].timeMs));
  assert.throws(() => kmeans(x, n, d, { k: 0 }), /k: expected an integer >= 1/);
  assert.throws(() => kmeans(x, 5, d, { k: 6 }), /at most the number of examples/);
  assert.throws(() => kmeans(x, n, d, { k: 3, method: 'sgd' as never }), /method: expected one of batch, online, minibatch/);
  assert.throws(() => kmeans([0, NaN], 2, 1, { k: 1 }), /example 1, column 0/);
});
