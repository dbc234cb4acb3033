// Models with a sparse input layer (`--model sparse-linear|sparse-logistic|sparse-softmax`, src/nn/sparse.ts
// SparseLinear: torch.nn.EmbeddingBag(mode='sum', sparse=True) with per_sample_weights, plus a bias) against
// torch 2.13 (test/fixtures/train-sparse, made by test/fixtures/tools/make_sparse_train_cases.py): with
// --opt sparse-adam, SparseAdam on the bag's sparse gradient and Adam on the bias; other optimizers dense.
// Also: the gradient is sparse (only rows of features present in the batch, the rows torch's sparse gradient
// holds), a numeric gradient check, and the same function as a dense Linear of the same seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tensor } from '../../src/autograd/index.js';
import { buildModel, crossEntropy, SparseLinear } from '../../src/nn/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { scratchDir } from '../helpers/scratch.js';
import { closeRel, repo, runDescent } from '../helpers/cli.js';

const fixtures = join(repo, 'test', 'fixtures', 'train-sparse');
interface Expected {
  args: string[];
  dtype: 'float32' | 'float64';
  epochs: number;
  trainLoss: number[];
  weights: Record<string, number[]>;
  shapes: Record<string, number[]>;
  firstBatchRows?: number[];
}
const expected = (c: string): Expected => JSON.parse(readFileSync(join(fixtures, c, 'expected.json'), 'utf8'));
const cases = readdirSync(fixtures).sort();

/** The tolerances: float64 trajectories 1e-7 relative, float32 training 1e-4. */
const tolerance = (e: Expected) => (e.dtype === 'float64' ? 1e-7 : 1e-4);

test('the sparse fixtures cover sparse-adam in both dtypes, dense optimizers, and the three heads', () => {
  assert.ok(cases.length >= 8, `${cases.length} cases`);
  const opts = new Set(cases.map((c) => expected(c).args[expected(c).args.indexOf('--opt') + 1]));
  assert.deepEqual([...opts].sort(), ['adam', 'sgd', 'sparse-adam']);
  const models = new Set(cases.map((c) => expected(c).args[expected(c).args.indexOf('--model') + 1]));
  assert.deepEqual([...models].sort(), ['sparse-linear', 'sparse-logistic', 'sparse-softmax']);
});

for (const c of cases) {
  test(`descent train on ${c} follows torch 2.13 (loss per epoch, final weights)`, () => {
    const e = expected(c), dir = join(fixtures, c), out = join(scratchDir('descent-sparse-'), 'model.safetensors');
    const args = e.args.map((a) => (a === 'DATA' ? join(dir, 'data.csv') : a === 'INIT' ? join(dir, 'init.safetensors') : a === 'OUT' ? out : a));
    const r = runDescent(args);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const epochs = lines.filter((l) => l.epoch !== undefined), done = lines[lines.length - 1];
    assert.equal(epochs.length, e.epochs);
    const tol = tolerance(e);
    epochs.forEach((l, i) => assert.ok(closeRel(l.trainLoss, e.trainLoss[i], tol), `${c} epoch ${i + 1}: trainLoss ${l.trainLoss} vs torch ${e.trainLoss[i]}`));
    const got = parseSafetensors(new Uint8Array(readFileSync(out)));
    assert.deepEqual(Object.keys(got).sort(), ['0.bias', '0.weight']);
    for (const [name, want] of Object.entries(e.weights)) {
      assert.deepEqual(got[name].shape, e.shapes[name]);
      want.forEach((w, i) => assert.ok(Math.abs(got[name].data[i] - w) <= tol * Math.max(1, Math.abs(w)), `${c} ${name}[${i}]: ${got[name].data[i]} vs torch ${w}`));
    }
    // the two optimizers of a sparse-adam run, said in --json; none for a dense optimizer
    if (e.args.includes('sparse-adam')) {
      assert.deepEqual(done.sparseSplit, { sparseAdam: ['0.weight'], adam: ['0.bias'], adamOptions: { lr: Number(e.args[e.args.indexOf('--lr') + 1]), betas: [0.9, 0.999], eps: 1e-8, maximize: false } });
    } else assert.equal(done.sparseSplit, undefined);
  });
}

/** The first `rows` rows of a fixture's CSV: features [rows, d] and the last column. */
function readRows(c: string, rows: number): { x: Float64Array; y: number[]; d: number } {
  const lines = readFileSync(join(fixtures, c, 'data.csv'), 'utf8').trim().split('\n').slice(1, rows + 1).map((l) => l.split(',').map(Number));
  const d = lines[0].length - 1;
  return { x: Float64Array.from(lines.flatMap((l) => l.slice(0, d))), y: lines.map((l) => l[d]), d };
}

test('the gradient is sparse: only the weight rows of features present in the batch, the rows torch lists', () => {
  const c = 'sparse-softmax-ce-sparse-adam-noshuffle-float64', e = expected(c);
  const { x, y, d } = readRows(c, 10); // the run's first batch (--batch 10, --no-shuffle)
  const model = buildModel({ kind: 'softmax', sparse: true, inFeatures: d, outFeatures: 3, dtype: 'float64' });
  const init = parseSafetensors(new Uint8Array(readFileSync(join(fixtures, c, 'init.safetensors'))));
  model.loadStateDict(init);
  model.zeroGrad();
  crossEntropy(model.forward(tensor(x, [10, d], { dtype: 'float64' })), y).backward();
  const layer = model.layers[0] as SparseLinear;
  const rows = Array.from(layer.sparseRows.rows.subarray(0, layer.sparseRows.count)).sort((a, b) => a - b);
  assert.deepEqual(rows, e.firstBatchRows, 'touched rows = torch sparse gradient indices');
  assert.ok(rows.length < d, `some features absent from the batch (${rows.length} of ${d} present)`);
  const present = new Set<number>();
  for (let r = 0; r < 10; r++) for (let i = 0; i < d; i++) if (x[r * d + i] !== 0) present.add(i);
  assert.deepEqual(rows, [...present].sort((a, b) => a - b));
  const g = model.parameters()[0].grad;
  for (let i = 0; i < d; i++) {
    const rowAbs = Math.abs(g[i * 3]) + Math.abs(g[i * 3 + 1]) + Math.abs(g[i * 3 + 2]);
    if (present.has(i)) assert.ok(rowAbs > 0, `row ${i} present, gradient 0`);
    else assert.equal(rowAbs, 0, `row ${i} absent, gradient ${rowAbs}`);
  }
  // zeroGrad forgets the rows, so the next batch lists only its own
  model.zeroGrad();
  assert.equal(layer.sparseRows.count, 0);
});

test('SparseLinear passes a numeric gradient check (weight, bias; count-valued features)', () => {
  const m = 5, d = 6, out = 2;
  const layer = new SparseLinear(d, out, { dtype: 'float64', rng: new Rng(3) });
  const rng = new Rng(4);
  const x = new Float64Array(m * d).map(() => (rng.uniform() < 0.4 ? 1 + Math.floor(rng.uniform() * 3) : 0));
  const labels = [0, 1, 1, 0, 1];
  const f = () => crossEntropy(layer.forward(tensor(x, [m, d], { dtype: 'float64' })), labels);
  layer.zeroGrad();
  f().backward();
  const h = 1e-6;
  for (const p of layer.parameters()) {
    for (let i = 0; i < p.size; i++) {
      const keep = p.data[i];
      p.data[i] = keep + h; const up = f().item();
      p.data[i] = keep - h; const down = f().item();
      p.data[i] = keep;
      const numeric = (up - down) / (2 * h);
      assert.ok(Math.abs(numeric - p.grad[i]) <= 1e-7 * Math.max(1, Math.abs(numeric)), `${p.name}[${i}]: ${p.grad[i]} vs numeric ${numeric}`);
    }
  }
});

test('sparse-softmax is softmax with a sparse input: same seed, same start, same outputs (W stored transposed)', () => {
  const d = 7, out = 3, m = 4;
  const dense = buildModel({ kind: 'softmax', inFeatures: d, outFeatures: out, dtype: 'float64', rng: new Rng(11) });
  const sparse = buildModel({ kind: 'softmax', sparse: true, inFeatures: d, outFeatures: out, dtype: 'float64', rng: new Rng(11) });
  const W = dense.parameters()[0].data, V = sparse.parameters()[0].data;
  for (let o = 0; o < out; o++) for (let i = 0; i < d; i++) assert.equal(V[i * out + o], W[o * d + i]);
  const rng = new Rng(12);
  const x = new Float64Array(m * d).map(() => (rng.uniform() < 0.5 ? rng.uniform() * 2 - 1 : 0));
  const a = dense.forward(tensor(x, [m, d], { dtype: 'float64' })).data, b = sparse.forward(tensor(x, [m, d], { dtype: 'float64' })).data;
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-15, `output ${i}: ${v} vs ${b[i]}`));
});

test('bad input: a dense penalty with sparse-adam on a sparse model, and sparse-mlp, are one clear line, exit 2', () => {
  const c = 'sparse-logistic-bce-sparse-adam-float32', data = join(fixtures, c, 'data.csv');
  const r = runDescent(['train', '--data', data, '--target', 'y', '--model', 'sparse-logistic', '--opt', 'sparse-adam', '--l2', '0.01', '--epochs', '1']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^descent: error: --l2: not available with --opt sparse-adam on sparse-logistic \(the penalty's gradient is dense/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  const s = runDescent(['train', '--data', data, '--target', 'y', '--model', 'sparse-mlp:4', '--epochs', '1']);
  assert.equal(s.status, 2);
  assert.match(s.stderr, /^descent: error: --model: expected linear, logistic, softmax or mlp:H1,H2,\.\.\. \(positive widths\), got 'sparse-mlp:4' \(sparse-linear, sparse-logistic and sparse-softmax/);
});

test('a sparse-adam run on a sparse model resumes bit for bit (both optimizers\' state in the checkpoint)', () => {
  const data = join(fixtures, 'sparse-softmax-ce-adam-dense-float32', 'data.csv'), dir = scratchDir('descent-sparse-resume-');
  const base = ['train', '--data', data, '--target', 'y', '--model', 'sparse-softmax', '--opt', 'sparse-adam', '--lr', '0.05', '--batch', '16', '--json'];
  const cp = join(dir, 'cp.safetensors');
  assert.equal(runDescent([...base, '--epochs', '2', '--checkpoint', cp]).status, 0);
  const resumed = runDescent([...base, '--epochs', '4', '--resume', cp, '--save', join(dir, 'resumed.safetensors')]);
  const straight = runDescent([...base, '--epochs', '4', '--save', join(dir, 'straight.safetensors')]);
  assert.equal(resumed.status, 0, resumed.stderr);
  const last = (s: string) => JSON.parse(s.trim().split('\n').at(-1)!);
  assert.equal(last(resumed.stdout).trainLoss, last(straight.stdout).trainLoss);
  assert.deepEqual(readFileSync(join(dir, 'resumed.safetensors')), readFileSync(join(dir, 'straight.safetensors')));
});

test('ensembles (fitClassifier) split a sparse model the same way: sparse-adam moves only the rows a batch touched', async () => {
  const { fitClassifier } = await import('../../src/train/index.js');
  const c = 'sparse-softmax-ce-adam-dense-float32';
  const { x, y, d } = readRows(c, 12);
  const model = buildModel({ kind: 'softmax', sparse: true, inFeatures: d, outFeatures: 3, rng: new Rng(5) });
  const before = model.parameters()[0].data.slice();
  const present = new Set<number>();
  for (let r = 0; r < 12; r++) for (let i = 0; i < d; i++) if (x[r * d + i] !== 0) present.add(i);
  const { optimizer } = fitClassifier(model, { x: Float32Array.from(x), y: Int32Array.from(y), n: 12, d }, { opt: 'sparse-adam', hyper: { lr: 0.05 }, epochs: 2, batchSize: 4 });
  assert.equal(optimizer.paramGroups.length, 2);
  assert.ok(optimizer.paramGroups[0].sparse, 'the weight group carries its touched rows');
  assert.equal(optimizer.paramGroups[1].optimizer, 'adam');
  const after = model.parameters()[0].data;
  for (let i = 0; i < d; i++) {
    const moved = [0, 1, 2].some((j) => after[i * 3 + j] !== before[i * 3 + j]);
    assert.equal(moved, present.has(i), `feature ${i} ${present.has(i) ? 'present but unmoved' : 'absent but moved'}`);
  }
});
