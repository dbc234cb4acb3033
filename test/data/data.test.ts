// The data layer: CSV parsing and its errors, the tail split, standardization (closed forms), the epoch
// order and batches, bootstrap resamples, and the fixed MNIST order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  parseCsv, splitTail, fitStandardizer, applyStandardizer, epochOrder, gatherBatch, bootstrapIndices, parseBatchArg, mnistFromRaw, takeRows, countClasses,
} from '../../src/data/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { DescentError } from '../../src/errors.js';

const throwsInput = (fn: () => unknown, msg: string | RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof DescentError && e.kind === 'input' && (typeof msg === 'string' ? e.message === msg : msg.test(e.message)));

test('parseCsv: header, target by name or last, float32 features, classes', () => {
  const ds = parseCsv('a,label,b\r\n1,0,2.5\n3,2,-4\n\n', { target: 'label' });
  assert.equal(ds.n, 2);
  assert.equal(ds.d, 2);
  assert.deepEqual(ds.featureNames, ['a', 'b']);
  assert.deepEqual(Array.from(ds.x), [1, 2.5, 3, -4]);
  assert.deepEqual(Array.from(ds.y), [0, 2]);
  assert.equal(ds.numClasses, 3);
  assert.ok(ds.x instanceof Float32Array);
  const last = parseCsv('a,b\n1,0.5\n2,1.5\n');
  assert.equal(last.targetName, 'b');
  assert.equal(last.numClasses, 0, 'a non-integer target is regression');
  assert.equal(Math.fround(0.1), parseCsv('a,y\n0.1,0\n').x[0], 'values are rounded to float32 as torch.tensor(float32) does');
});

test('parseCsv errors name the source, row, line and column', () => {
  throwsInput(() => parseCsv('a,b,y\n1,2,0\n1,zz,1\n', { source: 'f.csv' }), "f.csv: row 2 (line 3), column 'b': expected a number, got 'zz'");
  throwsInput(() => parseCsv('a,b,y\n1,,0\n', { source: 'f.csv' }), "f.csv: row 1 (line 2), column 'b': expected a number, got ''");
  throwsInput(() => parseCsv('a,b,y\n1,2\n', { source: 'f.csv' }), 'f.csv: row 1 (line 2): expected 3 fields as in the header, got 2');
  throwsInput(() => parseCsv('', { source: 'f.csv' }), /^f\.csv: empty file/);
  throwsInput(() => parseCsv('a,y\n', { source: 'f.csv' }), 'f.csv: no data rows after the header');
  throwsInput(() => parseCsv('a,y\n1,2\n', { source: 'f.csv', target: 'z' }), "--target: no column 'z' in f.csv; columns: a, y");
  throwsInput(() => parseCsv('a,a\n1,2\n', { source: 'f.csv' }), "f.csv: header: column 'a' appears twice");
});

test('splitTail holds out the LAST round(F·N) rows in file order', () => {
  const ds = parseCsv('a,y\n' + Array.from({ length: 10 }, (_, i) => `${i},${i % 2}`).join('\n'));
  const { train, val } = splitTail(ds, 0.25); // round(2.5) = 3 (half away from zero)
  assert.equal(train.n, 7);
  assert.equal(val!.n, 3);
  assert.deepEqual(Array.from(val!.x), [7, 8, 9]);
  assert.equal(splitTail(ds, 0).val, undefined);
  throwsInput(() => splitTail(ds, 1), /^--val: expected a fraction in \[0, 1\)/);
});

test('standardization: fitted on training rows only, population std, constant columns kept', () => {
  // column a: 1, 2, 3 → mean 2, population std √(2/3); column c constant → std 1
  const ds = parseCsv('a,c,y\n1,5,0\n2,5,1\n3,5,0\n100,5,1\n');
  const { train, val } = splitTail(ds, 0.25);
  const s = fitStandardizer(train);
  assert.deepEqual(Array.from(s.mean), [2, 5]);
  assert.ok(Math.abs(s.std[0] - Math.sqrt(2 / 3)) < 1e-15);
  assert.equal(s.std[1], 1);
  const z = applyStandardizer(val!, s);
  assert.ok(Math.abs(z.x[0] - Math.fround((100 - 2) / Math.sqrt(2 / 3))) < 1e-3);
  assert.equal(z.x[1], 0);
  assert.equal(val!.x[0], 100, 'the input is not changed');
});

test('epoch order: a permutation each epoch, different epochs differ, same seed same order; file order without shuffle', () => {
  const n = 50;
  const a = new Int32Array(n), b = new Int32Array(n);
  const r1 = new Rng(3), r2 = new Rng(3);
  const e1 = Array.from(epochOrder(a, r1, true));
  assert.deepEqual([...e1].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i));
  assert.deepEqual(Array.from(epochOrder(b, r2, true)), e1);
  const e2 = Array.from(epochOrder(a, r1, true));
  assert.notDeepEqual(e2, e1);
  assert.deepEqual(Array.from(epochOrder(a, r1, false)), Array.from({ length: n }, (_, i) => i));
});

test('batches: rows in order N at a time, the last batch partial; --batch parsing', () => {
  const ds = parseCsv('a,b,y\n' + Array.from({ length: 5 }, (_, i) => `${i},${10 * i},${i}`).join('\n'));
  const order = Int32Array.from([4, 3, 2, 1, 0]);
  const xb = new Float32Array(4), yb = new Float64Array(2);
  const sizes: number[] = [], ys: number[] = [];
  for (let s = 0; s < ds.n; s += 2) {
    const m = gatherBatch(ds, order, s, 2, xb, yb);
    sizes.push(m);
    ys.push(...Array.from(yb.subarray(0, m)));
    if (s === 0) assert.deepEqual(Array.from(xb), [4, 40, 3, 30]);
  }
  assert.deepEqual(sizes, [2, 2, 1]);
  assert.deepEqual(ys, [4, 3, 2, 1, 0]);
  assert.equal(parseBatchArg('full'), 'full');
  assert.equal(parseBatchArg('64', 10), 10);
  throwsInput(() => parseBatchArg('1.5'), "--batch: expected 'full' or an integer >= 1, got '1.5'");
});

test('bootstrap: n draws with replacement; about 1 − 1/e of the rows appear (Efron)', () => {
  const n = 20000;
  const idx = bootstrapIndices(n, new Rng(1));
  assert.equal(idx.length, n);
  const seen = new Set(idx);
  // P(row appears) = 1 − (1 − 1/n)^n ≈ 0.63212; the count's sd is about √(n·0.23) ≈ 68 rows
  assert.ok(Math.abs(seen.size / n - (1 - Math.exp(-1))) < 0.015, `${seen.size / n}`);
  const ds = parseCsv('a,y\n10,0\n20,1\n30,0\n');
  const t = takeRows(ds, [2, 2, 0]);
  assert.deepEqual(Array.from(t.x), [30, 30, 10]);
  assert.deepEqual(Array.from(t.y), [0, 0, 0]);
  assert.equal(countClasses([0, 1, 3]), 4);
});

test('mnist: 10,000 rows of 784 in [0, 1], stratified fixed order; the last 2,000 hold the last 20% of every digit', () => {
  const require = createRequire(import.meta.url);
  const raw = Array.from({ length: 10 }, (_, k) => (require(`mnist/src/digits/${k}.json`) as { data: number[] }).data);
  const ds = mnistFromRaw(raw);
  assert.equal(ds.n, 10000);
  assert.equal(ds.d, 784);
  assert.equal(ds.numClasses, 10);
  const per = raw.map((r) => r.length / 784);
  assert.equal(per.reduce((a, b) => a + b), 10000);
  // the first rows are sample 0 of each class, the largest class first (smallest quantile ½/n_k)
  const byFirst = [...per.keys()].sort((a, b) => 0.5 / per[a] - 0.5 / per[b] || a - b);
  assert.deepEqual(Array.from(ds.y.subarray(0, 10)), byFirst);
  // row 0 is sample 0 of that class: the package's raw values 0..783
  for (let j = 0; j < 784; j++) assert.equal(ds.x[j], Math.fround(raw[byFirst[0]][j]));
  let lo = Infinity, hi = -Infinity;
  for (const v of ds.x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  assert.ok(lo >= 0 && hi <= 1);
  const { val } = splitTail(ds, 0.2);
  const counts = new Array(10).fill(0);
  for (const y of val!.y) counts[y]++;
  counts.forEach((c, k) => assert.ok(Math.abs(c - 0.2 * per[k]) <= 1, `digit ${k}: ${c} held out of ${per[k]}`));
});
