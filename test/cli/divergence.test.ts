// Divergence end to end (spawns bin/descent.js; `npm run build` first): a NaN or infinite loss, gradient or
// parameter stops a run at once with exit 1 and one line naming the step and a smaller lr; the checkpoint of
// the last good epoch stays intact and resumes; `train --on-nonfinite skip-batch` leaves a bad batch out.
// Expected numbers come from float64 closed forms of the same gradient steps, computed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
import { parseCheckpoint } from '../../src/train/checkpoint.js';
import { scratchDir } from '../helpers/scratch.js';
import { runDescent } from '../helpers/cli.js';


const descent = (...args: string[]) => runDescent(args);
const tmp = () => scratchDir('descent-diverge-');
const jsonLines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const close = (got: number, want: number, rel = 1e-4, abs = 1e-6) =>
  assert.ok(Math.abs(got - want) <= rel * Math.abs(want) + abs, `${got} vs ${want}`);

/** Linear(1, 1) weights in the torch state_dict layout, as --init takes them. */
function writeInit(file: string, w: number, b: number): void {
  writeFileSync(file, serializeSafetensors({ '0.weight': { shape: [1, 1], data: Float32Array.of(w) }, '0.bias': { shape: [1], data: Float32Array.of(b) } }));
}

/** Float64 reference: GD/SGD on mean((w·x + b − y)²) over batches of rows, skipping rows `skip` rejects. */
function sgdLinear(rows: [number, number][], w: number, b: number, lr: number, epochs: number, batch: number, skip = (_x: number) => false) {
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    let sum = 0, seen = 0;
    for (let s = 0; s < rows.length; s += batch) {
      const part = rows.slice(s, s + batch);
      if (part.some(([x]) => skip(x))) continue;
      let l = 0, gw = 0, gb = 0;
      for (const [x, y] of part) {
        const r = w * x + b - y;
        l += r * r / part.length;
        gw += 2 * r * x / part.length;
        gb += 2 * r / part.length;
      }
      sum += l * part.length;
      seen += part.length;
      w -= lr * gw;
      b -= lr * gb;
    }
    losses.push(sum / seen);
  }
  return { w, b, losses };
}

const F32_MAX = 3.4028234663852886e38;

test('diverging in epoch 3: exit 1 naming step 3 and --lr 0.1; the epoch-2 checkpoint matches the closed form and resumes', () => {
  const dir = tmp();
  const rows: [number, number][] = [[10000, 0], [-10000, 0], [20000, 0]];
  const data = join(dir, 'steep.csv');
  writeFileSync(data, 'x,y\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
  const init = join(dir, 'init.safetensors'), ck = join(dir, 'ck.safetensors'), model = join(dir, 'model.safetensors');
  writeInit(init, 0.1, 0);
  // full-batch GD with lr 1: the loss grows ~1e17-fold per step, past float32's range at the third step
  const ref = sgdLinear(rows, 0.1, 0, 1, 2, 3);
  const w2 = ref.w, b2 = ref.b;
  const l2 = (((w2 * 1e4 + b2) ** 2) + ((-w2 * 1e4 + b2) ** 2) + ((w2 * 2e4 + b2) ** 2)) / 3;
  assert.ok(l2 > F32_MAX && ref.losses[1] < F32_MAX, 'the reference overflows float32 at step 3 exactly');

  const args = ['train', '--data', data, '--model', 'linear', '--opt', 'sgd', '--lr', '1', '--batch', 'full', '--init', init, '--checkpoint', ck, '--json'];
  const r = descent(...args, '--epochs', '5', '--save', model);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'descent: error: diverged at step 3 (epoch 3, batch 1): loss is Infinity; try --lr 0.1 or lower\n');
  const epochs = jsonLines(r.stdout);
  assert.equal(epochs.length, 2);
  epochs.forEach((m, i) => close(m.trainLoss, ref.losses[i]));
  assert.ok(!existsSync(model), '--save is not written by a diverged run');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');

  const before = readFileSync(ck);
  const c = parseCheckpoint(new Uint8Array(before), ck);
  assert.equal(c.trainer.epoch, 2);
  close(c.model['0.weight'].data[0], w2);
  close(c.model['0.bias'].data[0], b2);

  // it resumes (without --init: the checkpoint holds the weights, and the two together are refused) ...
  const resumed = args.filter((a, i) => a !== '--init' && args[i - 1] !== '--init');
  // ... to epoch 2 it has nothing to do and saves exactly its weights ...
  const done = descent(...resumed, '--resume', ck, '--epochs', '2', '--save', model);
  assert.equal(done.status, 0, done.stderr);
  const saved = parseSafetensors(new Uint8Array(readFileSync(model)));
  assert.deepEqual(saved['0.weight'].data, c.model['0.weight'].data);
  assert.deepEqual(saved['0.bias'].data, c.model['0.bias'].data);
  // ... and further it diverges at the same step again, leaving the checkpoint byte for byte as it was
  const again = descent(...resumed, '--resume', ck, '--epochs', '5');
  assert.equal(again.status, 1);
  assert.equal(again.stderr, r.stderr);
  assert.deepEqual(readFileSync(ck), before);
});

test('--on-nonfinite skip-batch: the overflowing row is left out, exactly as if it were not in the data; stop names its step', () => {
  const dir = tmp();
  const rows: [number, number][] = [[1, 2], [2, 3], [1e30, 0], [3, 5], [-1, 0]];
  const data = join(dir, 'one-bad-row.csv');
  writeFileSync(data, 'x,y\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
  const init = join(dir, 'init.safetensors'), model = join(dir, 'model.safetensors');
  writeInit(init, 0.5, 0);
  const common = ['train', '--data', data, '--model', 'linear', '--opt', 'sgd', '--lr', '0.01', '--batch', '1', '--no-shuffle', '--epochs', '3', '--init', init, '--json'];
  // row 3's prediction 5e29 squares past float32's range: its loss is Infinity, every epoch
  const ref = sgdLinear(rows, 0.5, 0, 0.01, 3, 1, (x) => x === 1e30);

  const r = descent(...common, '--on-nonfinite', 'skip-batch', '--save', model);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const out = jsonLines(r.stdout);
  const epochs = out.filter((m) => !m.done);
  assert.equal(epochs.length, 3);
  epochs.forEach((m, i) => {
    assert.equal(m.skippedBatches, 1);
    close(m.trainLoss, ref.losses[i]);
  });
  assert.equal(out[out.length - 1].skippedBatches, 3);
  const saved = parseSafetensors(new Uint8Array(readFileSync(model)));
  close(saved['0.weight'].data[0], ref.w);
  close(saved['0.bias'].data[0], ref.b);

  const stop = descent(...common, '--save', model + '.stop');
  assert.equal(stop.status, 1);
  assert.equal(stop.stderr, 'descent: error: diverged at step 3 (epoch 1, batch 3): loss is Infinity; try --lr 0.001 or lower\n');
  assert.ok(!existsSync(model + '.stop'));
  // without skip-batch nothing is skipped: the clean rows train with no skippedBatches field
  const clean = join(dir, 'clean.csv');
  writeFileSync(clean, 'x,y\n1,2\n2,3\n');
  const c = descent('train', '--data', clean, '--model', 'linear', '--opt', 'sgd', '--lr', '0.01', '--epochs', '1', '--json');
  assert.equal(c.status, 0, c.stderr);
  assert.equal(jsonLines(c.stdout)[0].skippedBatches, undefined);
});

test('skip-batch stops when a whole epoch is skipped; parameters that overflow in the update stop the run in either mode', () => {
  const dir = tmp();
  const bad = join(dir, 'all-bad.csv');
  writeFileSync(bad, 'x,y\n1e30,0\n-1e30,1\n');
  const init = join(dir, 'init.safetensors');
  writeInit(init, 0.5, 0);
  const a = descent('train', '--data', bad, '--model', 'linear', '--opt', 'sgd', '--lr', '0.01', '--batch', '1', '--epochs', '2', '--init', init, '--on-nonfinite', 'skip-batch', '--json');
  assert.equal(a.status, 1);
  // no update was taken, so a lower lr cannot help: the message points at the data (issue 19, item 11)
  assert.equal(a.stderr, 'descent: error: diverged at step 2 (end of epoch 1): all 2 batches of the epoch had a non-finite loss or gradient and were skipped; before any update, so the initial weights (--init) or the data give it: check them (standardize the features, scale very large targets)\n');

  // a finite gradient 2·(0.001·100)·100 = 20 times lr 3e38 is −6e39: no float32
  const big = join(dir, 'big.csv');
  writeFileSync(big, 'x,y\n100,0\n');
  writeInit(init, 0.001, 0);
  for (const mode of ['stop', 'skip-batch']) {
    const r = descent('train', '--data', big, '--model', 'linear', '--opt', 'sgd', '--lr', '3e38', '--epochs', '1', '--init', init, '--on-nonfinite', mode);
    assert.equal(r.status, 1, mode);
    assert.equal(r.stderr, 'descent: error: diverged at step 1 (epoch 1, batch 1): the parameters are not finite after the update; try --lr 3e+37 or lower\n', mode);
  }
});

test('one form everywhere: optimize (first-order at the step float64 GD overflows, search methods), ensemble, train lbfgs', () => {
  // gradient descent on Rosenbrock from (1, 2) with lr 1, in float64 here: the first step whose f is not finite
  let x = 1, y = 2, step = 0, f = 0;
  do {
    const gx = -400 * x * (y - x * x) - 2 * (1 - x), gy = 200 * (y - x * x);
    x -= gx; y -= gy; step++;
    f = 100 * (y - x * x) ** 2 + (1 - x) ** 2;
  } while (Number.isFinite(f) && Number.isFinite(x) && Number.isFinite(y) && step < 100);
  const o = descent('optimize', '--fn', 'rosenbrock', '--x0', '1,2', '--opt', 'sgd', '--lr', '1', '--steps', '50');
  assert.equal(o.status, 1);
  assert.equal(o.stderr, `descent: error: diverged at step ${step}: f is ${f}; try --lr 0.1 or lower\n`);

  const s = descent('optimize', '--fn', 'saddle', '--x0', '1,0.5', '--opt', 'gd-backtracking', '--steps', '5000');
  assert.equal(s.status, 1);
  assert.match(s.stderr, /^descent: error: diverged at step \d+ \(gd-backtracking iteration\): f is -Infinity; .*\n$/);

  const e = descent('ensemble', '--data', 'iris', '--val', '0.2', '--bagging', '2', '--opt', 'sgd', '--lr', '1e6', '--epochs', '2');
  assert.equal(e.status, 1);
  assert.match(e.stderr, /^descent: error: diverged at step \d+ \(epoch \d+\): (loss is (NaN|Infinity)|the parameters are not finite after the update); try --lr 100000 or lower\n$/);

  // a line-search method from weights whose loss overflows float32 ((1e30·100)² at the first row): step 0, nothing saved
  const dir = tmp();
  const tiny = join(dir, 'tiny.csv'), init = join(dir, 'big.safetensors'), out = join(dir, 'm.safetensors');
  writeFileSync(tiny, 'x,y\n100,0\n200,1\n');
  writeInit(init, 1e30, 0);
  const lb = descent('train', '--data', tiny, '--model', 'linear', '--opt', 'lbfgs', '--batch', 'full', '--epochs', '3', '--init', init, '--save', out);
  assert.equal(lb.status, 1);
  assert.equal(lb.stderr, 'descent: error: diverged at step 0 (lbfgs, the initial weights): loss is Infinity; start from smaller weights (--init) or standardize the features (--standardize)\n');
  assert.ok(!existsSync(out));

  const l = descent('train', '--data', 'iris', '--opt', 'lbfgs', '--batch', 'full', '--on-nonfinite', 'skip-batch');
  assert.equal(l.status, 2);
  assert.match(l.stderr, /^descent: error: --on-nonfinite skip-batch: needs a first-order optimizer/);
});
