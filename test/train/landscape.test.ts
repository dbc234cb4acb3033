// Loss landscapes (src/train/landscape.ts): filter normalization against a direct computation, the grid's
// losses against the model evaluated at the moved weights, and the PCA projection of a trajectory against
// closed forms: gradient descent on a quadratic whose path stays in a known plane.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../src/nn/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { evaluate } from '../../src/train/trainer.js';
import { filterNormalizedDirection, lossGrid, lossLandscape, symmetricEigen, trajectoryPca } from '../../src/train/landscape.js';
import type { Dataset } from '../../src/data/dataset.js';
import { gaussianClasses } from '../helpers/toy-data.js';

const toyData = (n: number, d: number, k: number): Dataset => gaussianClasses(n, d, k, 5);

test('filter normalization: each weight row of the direction has the norm of that row of θ and the direction of the raw Gaussian row; biases 0', () => {
  const model = buildModel({ kind: 'mlp', inFeatures: 5, outFeatures: 3, hidden: [4, 6], activation: 'relu', rng: new Rng(1) });
  const d = filterNormalizedDirection(model, new Rng(42));
  // the raw Gaussian draw, made again with the same seed, in the same order
  const raw = new Rng(42);
  const g = Array.from({ length: model.params.length }, () => raw.normal());
  let rowsChecked = 0;
  for (const p of model.parameters()) {
    if (!p.isWeight) {
      for (let k = p.offset; k < p.offset + p.size; k++) assert.equal(d[k], 0, `${p.name}: bias direction`);
      continue;
    }
    const [rows, cols] = p.shape;
    for (let r = 0; r < rows; r++) {
      let nt = 0, ng = 0;
      for (let c = 0; c < cols; c++) {
        nt += p.data[r * cols + c] ** 2;
        ng += g[p.offset + r * cols + c] ** 2;
      }
      const scale = Math.sqrt(nt) / Math.sqrt(ng);
      for (let c = 0; c < cols; c++) {
        const k = p.offset + r * cols + c;
        assert.ok(Math.abs(d[k] - g[k] * scale) <= 1e-12 * Math.abs(g[k] * scale) + 1e-15, `${p.name}[${r},${c}]`);
      }
      let nd = 0;
      for (let c = 0; c < cols; c++) nd += d[p.offset + r * cols + c] ** 2;
      assert.ok(Math.abs(Math.sqrt(nd) - Math.sqrt(nt)) < 1e-6 * Math.sqrt(nt), `${p.name} row ${r}: ‖d_r‖ = ‖θ_r‖`);
      rowsChecked++;
    }
  }
  assert.equal(rowsChecked, 4 + 6 + 3);
});

test('the grid: each loss is the model evaluated at θ + α·d₁ + β·d₂ (the first-layer shortcut included); the weights come back unchanged', () => {
  const model = buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [8], activation: 'tanh', rng: new Rng(3) });
  const ds = toyData(300, 6, 3);
  const rng = new Rng(9);
  const d1 = filterNormalizedDirection(model, rng), d2 = new Float64Array(model.params.length);
  // a second direction with nonzero bias components: the shortcut must carry the bias too
  for (let k = 0; k < d2.length; k++) d2[k] = 0.3 * Math.sin(k);
  const before = model.params.slice();
  const center = Float64Array.from(model.params);
  const g = lossGrid(model, 'ce', ds, center, d1, d2, [-1, 0, 0.5], [-0.5, 0, 1]);
  assert.deepEqual(model.params, before);
  const probe = buildModel({ kind: 'mlp', inFeatures: 6, outFeatures: 3, hidden: [8], activation: 'tanh', rng: new Rng(3) });
  for (const [j, b] of [-0.5, 0, 1].entries()) for (const [i, a] of [-1, 0, 0.5].entries()) {
    for (let k = 0; k < center.length; k++) probe.params[k] = center[k] + a * d1[k] + b * d2[k];
    const want = evaluate(probe, 'ce', ds).loss;
    const got = g.loss[j * 3 + i];
    assert.ok(Math.abs(got - want) <= 2e-6 * Math.abs(want), `(${a}, ${b}): ${got} vs ${want}`);
  }
});

test('PCA of a gradient-descent path on a quadratic: the plane, the coordinates and the explained shares of the closed form', () => {
  // f(θ) = ½ Σ λ_i θ_i² in P = 7 dimensions; θ₀ has components only along e₂ and e₅, so GD's path
  // θ_k = (I − ηΛ)^k θ₀ stays in that plane: θ_k − θ_n = (c₂ᵏ − c₂ⁿ)·u·e₂ + (c₅ᵏ − c₅ⁿ)·v·e₅, c = 1 − ηλ
  const P = 7, lam = [1, 2, 3, 0.5, 5, 0.2, 4], eta = 0.1, n = 12, u = 3, v = -2;
  const iterates: Float64Array[] = [];
  for (let k = 0; k <= n; k++) {
    const t = new Float64Array(P);
    t[2] = u * Math.pow(1 - eta * lam[2], k);
    t[5] = v * Math.pow(1 - eta * lam[5], k);
    iterates.push(t);
  }
  const pca = trajectoryPca(iterates);
  // both directions lie in span(e₂, e₅), orthonormal
  for (const d of [pca.d1, pca.d2]) {
    for (let i = 0; i < P; i++) if (i !== 2 && i !== 5) assert.ok(Math.abs(d[i]) < 1e-12);
    assert.ok(Math.abs(Math.hypot(d[2], d[5]) - 1) < 1e-12);
  }
  assert.ok(Math.abs(pca.d1[2] * pca.d2[2] + pca.d1[5] * pca.d2[5]) < 1e-12);
  // the plane holds the whole path: the shares add to 1, and θ_n + a·d₁ + b·d₂ gives back each iterate
  assert.ok(Math.abs(pca.explained[0] + pca.explained[1] - 1) < 1e-12);
  pca.coords.forEach(([a, b], k) => {
    for (let i = 0; i < P; i++) assert.ok(Math.abs(iterates[n][i] + a * pca.d1[i] + b * pca.d2[i] - iterates[k][i]) < 1e-12, `iterate ${k}, coordinate ${i}`);
  });
  assert.deepEqual(pca.coords[n], [0, 0]);
  // the first direction is the top eigenvector of the 2×2 scatter of the closed-form coordinates
  const x = iterates.slice(0, n).map((t) => t[2] - iterates[n][2]), y = iterates.slice(0, n).map((t) => t[5] - iterates[n][5]);
  const sxx = x.reduce((s, q) => s + q * q, 0), syy = y.reduce((s, q) => s + q * q, 0), sxy = x.reduce((s, q, i) => s + q * y[i], 0);
  const top = (sxx + syy) / 2 + Math.sqrt(((sxx - syy) / 2) ** 2 + sxy ** 2);
  assert.ok(Math.abs(pca.explained[0] - top / (sxx + syy)) < 1e-12);
  const want = [sxy, top - sxx];
  const norm = Math.hypot(want[0], want[1]);
  assert.ok(Math.abs(Math.abs(pca.d1[2] * want[0] + pca.d1[5] * want[1]) / norm - 1) < 1e-12, 'd₁ ∥ the closed-form eigenvector');
});

test('the symmetric eigensolver: A·v = λ·v on a random symmetric matrix, eigenvalues descending', () => {
  const m = 6, rng = new Rng(2);
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = i; j < m; j++) a[i * m + j] = a[j * m + i] = rng.normal();
  const { values, vectors } = symmetricEigen(a, m);
  for (let c = 0; c < m; c++) for (let i = 0; i < m; i++) {
    let av = 0;
    for (let j = 0; j < m; j++) av += a[i * m + j] * vectors[j * m + c];
    assert.ok(Math.abs(av - values[c] * vectors[i * m + c]) < 1e-10);
  }
  for (let c = 1; c < m; c++) assert.ok(values[c] <= values[c - 1]);
});

test('lossLandscape: both grids, the path ends at the trained weights (0, 0), progress counts every point', () => {
  const model = buildModel({ kind: 'mlp', inFeatures: 4, outFeatures: 2, hidden: [5], activation: 'relu', rng: new Rng(4) });
  const ds = toyData(80, 4, 2);
  const iterates = [0, 1, 2, 3].map((k) => Float64Array.from(model.params, (v, i) => v + 0.1 * (3 - k) * Math.cos(i + k)));
  model.params.set(iterates[3]);
  let calls = 0, lastTotal = 0;
  const l = lossLandscape(model, 'ce', ds, iterates, { resolution: 5, onProgress: (_d, t) => { calls++; lastTotal = t; } });
  assert.equal(calls, 50);
  assert.equal(lastTotal, 50);
  assert.equal(l.random.loss.length, 25);
  assert.ok(l.pca && l.pca.path.length === 4);
  assert.deepEqual(l.pca!.path[3], [0, 0]);
  // the centre of the random grid (α = β = 0) is the trained model's loss
  assert.ok(Math.abs(l.random.loss[12] - evaluate(model, 'ce', ds).loss) < 1e-6);
});
