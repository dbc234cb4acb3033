// The order demo's claims at fixed seeds on digits: over 5 seeds the random permutation's final training
// loss is no worse than the fixed cyclic order's (and the class-sorted order is far worse); in the clotting
// experiment full-batch GD follows the same curve per epoch for every k (its gradient is the same), while
// incremental SGD gets further per epoch as k grows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classData, epochRepeat, orderSummary, repeatRows, runOrderDemo } from '../../src/demos/index.js';
import { loadRows as loadData } from '../../src/node/datasets.js';

const digits = classData(loadData('digits').all, 16);

test('repeatRows repeats each row k times in place', () => {
  const data = { x: Float64Array.of(1, 2, 3, 4), y: Float64Array.of(0, 1), n: 2, d: 2, k: 2 };
  const r = repeatRows(data, 3);
  assert.deepEqual(Array.from(r.x), [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
  assert.deepEqual(Array.from(r.y), [0, 0, 0, 1, 1, 1]);
});

test('random reshuffling ends no worse than the fixed cyclic order over 5 seeds; sorted by class is far worse; clotting', () => {
  const r = runOrderDemo({ data: digits, seed: 0, seeds: 5 });
  assert.equal(r.runs.random.length, 5);
  const rnd = orderSummary(r, 'random'), cyc = orderSummary(r, 'cyclic'), srt = orderSummary(r, 'sorted');
  assert.ok(rnd.loss <= cyc.loss, `random ${rnd.loss} vs cyclic ${cyc.loss}`);
  assert.ok(srt.loss > 5 * Math.max(rnd.loss, cyc.loss), `sorted ${srt.loss}`);
  // the sorted order's within-epoch loss swings: its largest value past the first epoch is many times its smallest
  const curve = r.runs.sorted[0].curve.slice(r.runs.sorted[0].curve.length / 3);
  assert.ok(Math.max(...curve) > 2 * Math.min(...curve));
  // the cycle: a fixed order repeats its per-step losses epoch after epoch, a fresh permutation does not
  assert.ok(epochRepeat(r, 'cyclic') > 0.5, `cyclic ${epochRepeat(r, 'cyclic')}`);
  assert.ok(Math.abs(epochRepeat(r, 'random')) < 0.2, `random ${epochRepeat(r, 'random')}`);
  const clot = (m: string, k: number) => r.clotting.find((c) => c.method === m && c.k === k)!;
  for (const k of [4, 16]) {
    clot('full-batch', k).loss.forEach((v, e) => assert.ok(Math.abs(v - clot('full-batch', 1).loss[e]) <= 1e-9 * v, `full batch k = ${k}, epoch ${e}`));
    assert.equal(clot('full-batch', k).examples[1], k * clot('full-batch', 1).examples[1]);
  }
  const last = (m: string, k: number) => clot(m, k).loss[clot(m, k).loss.length - 1];
  assert.ok(last('incremental', 16) < last('incremental', 4) && last('incremental', 4) < last('incremental', 1));
  assert.ok(last('incremental', 1) < last('full-batch', 1));
});
