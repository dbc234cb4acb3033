// The rules that depend on a tensor's shape, one parameter tensor each (a param group with `shape`), against
// torch 2.13 (test/fixtures/optimize-tensors/cases.json, make_tensor_cases.py): adafactor's factored second
// moments of matrices and of a 3-D tensor. float64 to 1e-7 relative (|a − b| ≤ 1e-7·max(1, |b|)), float32 to
// 1e-5 (torch rounds every intermediate to float32, descent what it stores), and the state torch keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOptimizer, type FloatArray } from '../../src/optim/index.js';

interface TensorCase {
  name: string; dtype: 'float64' | 'float32'; shape: number[]; optimizer: { name: string } & Record<string, unknown>;
  sign: number; c: number[]; t: number[]; path: number[][]; state: Record<string, number | number[]>;
}
const data: { cases: TensorCase[] } = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'optimize-tensors', 'cases.json'), 'utf8'));

/** g = sign·(c·w − t), rounded as torch rounds it in the case's precision. */
function gradient(c: TensorCase, w: FloatArray, g: FloatArray): void {
  const f32 = c.dtype === 'float32';
  const r = f32 ? Math.fround : (x: number) => x;
  for (let i = 0; i < w.length; i++) g[i] = c.sign * r(r(r(c.c[i]) * w[i]) - r(c.t[i]));
}

/**
 * Muon's tolerance: its Newton–Schulz runs in bfloat16, and descent's emulation (float32 sums of bf16
 * products, rounded to bf16) reproduces torch's bits except where a sum lands within its rounding of a bf16
 * tie: then one entry of O differs by one bf16 ulp, 2⁻⁸ of its size (|O| ≲ 1), and that step moves θ by up
 * to adjusted lr·2⁻⁸ differently. Over t steps: |Δθ| ≤ t·adjusted lr·2⁻⁸ (measured far inside it:
 * docs/optimizers.md). Where no tie occurs the match is to float64 rounding (1e-16).
 */
function muonTolerance(c: TensorCase, steps: number): number {
  const [rows, cols] = c.shape;
  // the small matrices (up to 8×3) meet no tie: float32 matches torch exactly and float64 to 7e-16 (measured),
  // since the steps around the bfloat16 iteration are torch's arithmetic in both precisions
  if (rows * cols <= 32) return 1e-15;
  const lr = c.optimizer.lr as number;
  const fn = (c.optimizer.adjustLrFn ?? null) as string | null;
  const adjusted = fn === 'match_rms_adamw' ? 0.2 * Math.sqrt(Math.max(rows, cols)) * lr : Math.sqrt(Math.max(1, rows / cols)) * lr;
  return steps * adjusted * 2 ** -8;
}
const camel: Record<string, string> = { row_var: 'rowVar', col_var: 'colVar', variance: 'variance', step: 'step', momentum_buffer: 'momentumBuffer' };

for (const c of data.cases) {
  test(`torch ${c.optimizer.name} on a ${c.shape.join('×')} tensor, ${c.dtype}: ${c.name}`, () => {
    const T = c.dtype === 'float32' ? Float32Array : Float64Array;
    const w = T.from(c.path[0]) as FloatArray, g = new T(w.length) as FloatArray;
    const { name, ...options } = c.optimizer;
    const opt = createOptimizer(name, { params: w, grads: g, shape: c.shape }, options);
    const tol = c.optimizer.name === 'muon' ? muonTolerance(c, c.path.length - 1) : c.dtype === 'float32' ? 1e-5 : 1e-7;
    let worst = 0;
    for (let t = 1; t < c.path.length; t++) {
      gradient(c, w, g);
      opt.step();
      for (let i = 0; i < w.length; i++) {
        const want = c.path[t][i];
        const err = Math.abs(w[i] - want) / Math.max(1, Math.abs(want));
        worst = Math.max(worst, err);
        assert.ok(err <= tol, `step ${t} w[${i}]: ${w[i]} vs torch ${want}`);
      }
    }
    // torch's state after the last step, by torch's names camelCased (the buffers torch has: a vector's
    // variance, or a matrix's row and column moments)
    const state = opt.stateDict().state[0];
    for (const [k, v] of Object.entries(c.state)) {
      const got = state[camel[k] ?? k];
      if (typeof v === 'number') assert.equal(got, v, k);
      else {
        const arr = Array.from(got as ArrayLike<number>);
        assert.equal(arr.length, v.length, k);
        arr.forEach((x, i) => assert.ok(Math.abs(x - v[i]) <= tol * Math.max(1, Math.abs(v[i])) * 10, `${k}[${i}]: ${x} vs torch ${v[i]}`));
      }
    }
    assert.ok(worst < tol);
  });
}

// ASGD's averaged iterate ax (and eta, mu) against torch's state after the last step: the trajectory alone
// does not show ax (test/fixtures/optimize-options/asgd-*, made by make_optimize_cases.py)
test('torch asgd: the averaged parameters ax, eta and mu after the run, float64', async () => {
  const { readdirSync } = await import('node:fs');
  const { makeObjective } = await import('../../src/objectives/index.js');
  const { createSchedule } = await import('../../src/schedule/index.js');
  const dir = join(import.meta.dirname, '..', 'fixtures', 'optimize-options');
  let checked = 0;
  for (const name of readdirSync(dir).filter((n) => n.includes('asgd'))) {
    const spec = JSON.parse(readFileSync(join(dir, name, 'spec.json'), 'utf8'));
    const expected = JSON.parse(readFileSync(join(dir, name, 'expected.json'), 'utf8'));
    const f = makeObjective(spec.function, spec.x0.length);
    const x = Float64Array.from(spec.x0), g = new Float64Array(x.length);
    const { name: _n, ...o } = spec.optimizer;
    const opt = createOptimizer('asgd', { params: x, grads: g }, o);
    const sched = spec.schedule ? createSchedule(spec.schedule, opt.paramGroups[0].options.lr as number) : undefined;
    if (sched) opt.paramGroups[0].options.lr = sched.lr;
    for (let t = 0; t < spec.steps; t++) {
      f.valueAndGrad(x, g);
      opt.step();
      if (sched) opt.paramGroups[0].options.lr = sched.step(f.valueAndGrad(x, g));
    }
    const s = opt.state[0];
    const ax = s.ax as Float64Array;
    expected.state.ax.forEach((v: number, i: number) => assert.ok(Math.abs(ax[i] - v) <= 1e-7 * Math.max(1, Math.abs(v)), `${name} ax[${i}]: ${ax[i]} vs torch ${v}`));
    assert.equal(s.eta, expected.state.eta, `${name} eta`);
    assert.equal(s.mu, expected.state.mu, `${name} mu`);
    assert.equal(s.step, expected.state.step, `${name} step`);
    // past t0 the average differs from the iterate (the case exercises it)
    if ((o.t0 ?? 1e6) < spec.steps) assert.ok(ax.some((v, i) => Math.abs(v - x[i]) > 1e-6), `${name}: ax should lag x`);
    checked++;
  }
  assert.ok(checked >= 4);
});

// sparse-adam with real sparse gradients: an EmbeddingBag (sum, per-sample weights) whose backward touches
// a few rows per batch, the MSE loss, torch's EmbeddingBag(sparse=True) + SparseAdam as the reference
// (test/fixtures/optimize-tensors/sparse.json). Untouched rows keep their values and zero moments.
interface SparseCase {
  name: string; dtype: 'float64' | 'float32'; V: number; D: number; optimizer: { name: string } & Record<string, unknown>;
  batches: { offsets: number[]; indices: number[]; values: number[]; target: number[] }[];
  path: number[][]; state: { step: number; expAvg: number[]; expAvgSq: number[] };
}
const sparseData: { cases: SparseCase[] } = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'optimize-tensors', 'sparse.json'), 'utf8'));
for (const c of sparseData.cases) {
  test(`torch sparse-adam on an EmbeddingBag's sparse gradient, ${c.dtype}: ${c.name}`, async () => {
    const { EmbeddingBag, mse } = await import('../../src/nn/index.js');
    const bag = new EmbeddingBag(c.V, c.D, { dtype: c.dtype });
    bag.params.set(c.path[0]);
    const { name, ...options } = c.optimizer;
    const opt = createOptimizer(name, bag.paramGroup(), options);
    const tol = c.dtype === 'float32' ? 1e-5 : 1e-7;
    const used = new Set(c.batches.flatMap((b) => b.indices));
    c.batches.forEach((b, t) => {
      opt.zeroGrad();
      const batch = { offsets: Int32Array.from(b.offsets), indices: Int32Array.from(b.indices), values: b.values };
      mse(bag.forwardSparse(batch), b.target).backward();
      // the gradient is sparse: the touched rows are the batch's distinct indices
      assert.deepEqual(Array.from(bag.sparseRows.rows.subarray(0, bag.sparseRows.count)).sort((x, y) => x - y), [...new Set(b.indices)].sort((x, y) => x - y));
      opt.step();
      for (let i = 0; i < bag.params.length; i++) {
        const want = c.path[t + 1][i];
        assert.ok(Math.abs(bag.params[i] - want) <= tol * Math.max(1, Math.abs(want)), `step ${t + 1} W[${i}]: ${bag.params[i]} vs torch ${want}`);
      }
    });
    const s = opt.state[0];
    assert.equal(s.step, c.state.step);
    for (const k of ['expAvg', 'expAvgSq'] as const) {
      const got = s[k] as FloatArray;
      c.state[k].forEach((v, i) => assert.ok(Math.abs(got[i] - v) <= tol * Math.max(1, Math.abs(v)) * 10, `${k}[${i}]: ${got[i]} vs torch ${v}`));
    }
    // rows no batch used: never moved, moments still 0
    for (let r = 0; r < c.V; r++) {
      if (used.has(r)) continue;
      for (let j = 0; j < c.D; j++) {
        assert.equal(bag.params[r * c.D + j], c.path[0][r * c.D + j]);
        assert.equal((s.expAvg as FloatArray)[r * c.D + j], 0);
      }
    }
  });
}

test('embeddingBag: its gradient matches central differences (float64), and only the used rows hold one', async () => {
  const { embeddingBag, SparseRows } = await import('../../src/nn/index.js');
  const { parameter, gradcheck, sum, mul } = await import('../../src/autograd/index.js');
  const V = 6, D = 3;
  const w = parameter(Float64Array.from({ length: V * D }, (_v, i) => Math.sin(i + 0.3)), new Float64Array(V * D), [V, D], 'weight');
  const batch = { offsets: Int32Array.of(0, 2, 5), indices: Int32Array.of(1, 4, 4, 0, 1), values: [0.5, -2, 1.5, 3, -0.25] };
  const probe = Float64Array.from({ length: 2 * D }, (_v, i) => Math.cos(i));
  const { tensor } = await import('../../src/autograd/index.js');
  assert.ok(gradcheck((x) => sum(mul(embeddingBag(x, batch), tensor(probe, [2, D]))), [w]));
  const rows = new SparseRows(V, D);
  w.grad!.fill(0);
  sum(mul(embeddingBag(w, batch, rows), tensor(probe, [2, D]))).backward();
  assert.deepEqual(Array.from(rows.rows.subarray(0, rows.count)).sort(), [0, 1, 4]);
  for (const r of [2, 3, 5]) for (let j = 0; j < D; j++) assert.equal(w.grad![r * D + j], 0);
});
