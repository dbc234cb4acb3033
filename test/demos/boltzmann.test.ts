// The RBM of the boltzmann demo: on a 4×3 machine the exact gradient of the mean negative log-likelihood
// (model expectations by enumeration) against central differences of the NLL computed from the energy
// E(v, h) = −vᵀWh − bᵀv − cᵀh by summing over all 2^7 joint states; CD-k with a long chain averaging to that
// gradient; the pseudo-log-likelihood against brute-force conditionals; and on digits the reconstruction
// error falling epoch after epoch under CD-1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { binarize, runBoltzmannDemo, cdGradient, classData, createCd, createRbm, exactGradient, firstRowsOf, iota, pseudoLogLikelihood, trainRbm } from '../../src/demos/index.js';
import type { Rbm } from '../../src/demos/index.js';
import { loadRows as loadData } from '../../src/node/datasets.js';

const V = 4, H = 3;
const data = Float64Array.from([1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0]);
const rows = 5;

/** E(v, h) straight from the definition. */
function energy(rbm: Rbm, v: number[], h: number[]): number {
  const p = rbm.params;
  let e = 0;
  for (let i = 0; i < V; i++) for (let j = 0; j < H; j++) e -= v[i] * p[i * H + j] * h[j];
  for (let i = 0; i < V; i++) e -= p[V * H + i] * v[i];
  for (let j = 0; j < H; j++) e -= p[V * H + V + j] * h[j];
  return e;
}
const bits = (s: number, n: number) => Array.from({ length: n }, (_v, i) => (s >> i) & 1);

/** Mean NLL by enumerating every (v, h): −log Σ_h e^{−E(v,h)} + log Σ_{v,h} e^{−E(v,h)}. */
function nllByJointEnumeration(rbm: Rbm): number {
  let z = 0;
  for (let sv = 0; sv < 2 ** V; sv++) for (let sh = 0; sh < 2 ** H; sh++) z += Math.exp(-energy(rbm, bits(sv, V), bits(sh, H)));
  let s = 0;
  for (let r = 0; r < rows; r++) {
    const v = Array.from(data.subarray(r * V, (r + 1) * V));
    let pv = 0;
    for (let sh = 0; sh < 2 ** H; sh++) pv += Math.exp(-energy(rbm, v, bits(sh, H)));
    s -= Math.log(pv);
  }
  return s / rows + Math.log(z);
}

function tinyRbm(): Rbm {
  const rbm = createRbm(V, H, new Rng(2), 0.8);
  const rng = new Rng(9);
  for (let i = V * H; i < rbm.params.length; i++) rbm.params[i] = rng.normal(0, 0.5);
  return rbm;
}

test('4×3 RBM: the exact gradient against central differences of the NLL from full enumeration of the partition function', () => {
  const rbm = tinyRbm();
  const g = exactGradient(rbm, data, rows, new Float64Array(rbm.params.length));
  for (let p = 0; p < rbm.params.length; p++) {
    const save = rbm.params[p], h = 1e-5;
    rbm.params[p] = save + h;
    const up = nllByJointEnumeration(rbm);
    rbm.params[p] = save - h;
    const down = nllByJointEnumeration(rbm);
    rbm.params[p] = save;
    const fd = (up - down) / (2 * h);
    assert.ok(Math.abs(fd - g[p]) < 1e-8, `parameter ${p}: finite difference ${fd}, exact ${g[p]}`);
  }
});

test('4×3 RBM: CD-k with long chains averages to the exact gradient', () => {
  const rbm = tinyRbm();
  const exact = exactGradient(rbm, data, rows, new Float64Array(rbm.params.length));
  const rng = new Rng(4), cd = createCd(rbm, 30, false, rows, rng);
  const g = new Float64Array(rbm.params.length), sum = new Float64Array(rbm.params.length);
  const reps = 4000;
  for (let t = 0; t < reps; t++) {
    cdGradient(rbm, cd, data, iota(rows), 0, rows, g, rng);
    for (let p = 0; p < g.length; p++) sum[p] += g[p] / reps;
  }
  for (let p = 0; p < g.length; p++) assert.ok(Math.abs(sum[p] - exact[p]) < 0.02, `parameter ${p}: CD ${sum[p]}, exact ${exact[p]}`);
});

test('pseudo-log-likelihood equals Σ_i log p(v_i | v_−i) from joint enumeration', () => {
  const rbm = tinyRbm();
  let want = 0;
  const marginal = (v: number[]) => { let s = 0; for (let sh = 0; sh < 2 ** H; sh++) s += Math.exp(-energy(rbm, v, bits(sh, H))); return s; };
  for (let r = 0; r < rows; r++) {
    const v = Array.from(data.subarray(r * V, (r + 1) * V));
    for (let i = 0; i < V; i++) {
      const f = [...v];
      f[i] = 1 - f[i];
      want += Math.log(marginal(v) / (marginal(v) + marginal(f)));
    }
  }
  assert.ok(Math.abs(pseudoLogLikelihood(rbm, data, rows) - want / (rows * V)) < 1e-12);
});

test('digits: CD-1 lowers the reconstruction error every epoch (seed 0)', () => {
  const bin = binarize(classData(loadData('digits').all, 16));
  const train = firstRowsOf(bin, 1000), held = { ...bin, n: 300, x: (bin.x as Float64Array).subarray(1000 * 64, 1300 * 64), y: (bin.y as Float64Array).subarray(1000, 1300) };
  const r = trainRbm(train, held, { label: 'CD-1', hidden: 32, k: 1, persistent: false, epochs: 6, batch: 20, lr: 0.05, seed: 0 });
  for (let e = 1; e < r.reconstruction.length; e++) assert.ok(r.reconstruction[e] < r.reconstruction[e - 1], `epoch ${e}: ${r.reconstruction[e]} vs ${r.reconstruction[e - 1]}`);
  assert.ok(r.reconstruction[6] < 0.5 * r.reconstruction[0]);
  assert.ok(r.heldOutPll[6] > r.heldOutPll[0]);
  // the schedule stepped the optimizer's lr: cosine from 0.05 downwards
  assert.equal(r.lr[0], 0.05);
  assert.ok(r.lr[5] < r.lr[1]);
});

test('the whole demo at seed 0: what docs/lectures.md reports (CD-1 features against raw pixels, falling reconstruction error)', () => {
  const r = runBoltzmannDemo({ data: classData(loadData('digits').all, 16), seed: 0 });
  const by = (input: string) => r.classifiers.find((c) => c.input.startsWith(input))!;
  const raw = by('raw'), cd1 = by('CD-1 '), pcd1 = by('PCD-1 ');
  assert.equal(raw.input, 'raw binarized pixels');
  // docs/lectures.md: CD-5 features 84.7%, CD-1 84.4%, raw pixels 83.6% on the 360 test rows; PCD-1 features 79.4%
  const cd5 = by('CD-5 ');
  assert.ok(Math.abs(cd1.testAccuracy - 0.8444) < 0.001 && Math.abs(cd5.testAccuracy - 0.8472) < 0.001 && Math.abs(raw.testAccuracy - 0.8361) < 0.001 && Math.abs(pcd1.testAccuracy - 0.7944) < 0.001, JSON.stringify(r.classifiers));
  for (const run of r.runs) assert.ok(run.reconstruction[run.reconstruction.length - 1] < 0.3 * run.reconstruction[0]);
});
