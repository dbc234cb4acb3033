import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, sizeOf, alloc, setAllocator } from '../../src/tensor/index.js';

test('Tensor: row-major shape over flat data, item, toArray, shape errors', () => {
  const t = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], 'float64');
  assert.equal(t.dtype, 'float64');
  assert.equal(t.ndim, 2);
  assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]); // element [i, j] at i·3 + j
  assert.equal(Tensor.from([7], []).item(), 7);
  assert.equal(sizeOf([]), 1);
  assert.equal(Tensor.zeros([2, 0]).size, 0);
  assert.throws(() => new Tensor(new Float32Array(5), [2, 3]), /shape \[2, 3\] needs 6 values, got 5/);
  assert.throws(() => t.item(), /6 elements/);
});

test('alloc goes through the installed allocator; null restores plain typed arrays', () => {
  const seen: [string, number][] = [];
  setAllocator((dtype, n) => {
    seen.push([dtype, n]);
    return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  });
  try {
    assert.ok(alloc('float64', 3) instanceof Float64Array);
    assert.ok(alloc('float32', 2) instanceof Float32Array);
  } finally {
    setAllocator(null);
  }
  alloc('float32', 1);
  assert.deepEqual(seen, [['float64', 3], ['float32', 2]]);
});
