// W1 end to end, descent's rows (a child of bench/run.mjs; prints one JSON object): full MNIST epochs
// (60,000 training digits, shuffled each epoch, batches of 64, then a validation pass over the 10,000 test
// digits), MLP 784-128-10 ReLU, softmax cross-entropy, Adam lr 1e-3.
//   --mode cli      `descent train` as a user types it (a child process; its own samplesPerSecond, which
//                   times the epochs with their validation passes, not the start-up or the data load)
//   --mode trainer  the library: startNodeFastPath, buildModel, createOptimizer, Trainer.step/endEpoch
//   --mode kernel   the hand-fused kernel loop (the lower bound): the same epochs written with the backend's
//                   kernels on preallocated buffers, gather + fused Adam + an eval pass
// Usage: node bench/e2e-descent.mjs --mode cli|trainer|kernel [--threads N] [--epochs E] [--reps R]
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stats } from './common.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const mode = opt('--mode', 'cli');
const threadsArg = opt('--threads', undefined);
const epochs = Number(opt('--epochs', '2'));
const reps = Number(opt('--reps', '3'));
const N_TRAIN = 60000;

if (mode === 'cli') {
  const per = [];
  let threads = 0, fused = 0, acc = 0;
  for (let r = 0; r < reps; r++) {
    const a = [join(root, 'bin/descent.js'), 'train', '--data', 'mnist', '--model', 'mlp:128', '--activation', 'relu', '--opt', 'adam', '--lr', '0.001',
      '--batch', '64', '--epochs', String(epochs), '--seed', String(r), '--json', ...(threadsArg ? ['--threads', threadsArg] : [])];
    const p = spawnSync(process.execPath, a, { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (p.status !== 0) throw new Error(p.stderr);
    const done = JSON.parse(p.stdout.trim().split('\n').pop());
    per.push(done.samplesPerSecond);
    ({ threads, fusedSteps: fused } = done.compute);
    acc = done.valAccuracy;
  }
  console.log(JSON.stringify({ peer: `descent train (CLI) ${threads}t`, mode, threads, fusedSteps: fused, valAccuracy: acc, samplesPerSec: stats(per) }));
} else {
  const { startNodeFastPath, resolveThreads } = await import('../dist/tensor/backend-node.js');
  const info = startNodeFastPath(resolveThreads(threadsArg));
  const { readMnistIdx } = await import('../dist/node/mnist-idx.js');
  const { splitTail } = await import('../dist/data/dataset.js');
  const all = readMnistIdx();
  const { train, val } = splitTail(all, 10000 / 70000);
  const per = [];
  let acc = 0;
  if (mode === 'trainer') {
    const { buildModel } = await import('../dist/nn/index.js');
    const { createOptimizer } = await import('../dist/optim/index.js');
    const { Trainer } = await import('../dist/train/trainer.js');
    const { Rng } = await import('../dist/tensor/rng.js');
    for (let r = 0; r < reps; r++) {
      const model = buildModel({ kind: 'mlp', hidden: [128], activation: 'relu', inFeatures: 784, outFeatures: 10, rng: new Rng(r) });
      const optimizer = createOptimizer('adam', { params: model.params, grads: model.grads }, { lr: 1e-3 });
      const trainer = new Trainer({ model, loss: 'ce', optimizer, train, val, batch: 64, shuffle: true, rng: new Rng(r + 1) });
      const t0 = performance.now();
      for (let e = 0; e < epochs; e++) {
        while (trainer.epochUnfinished) trainer.step();
        acc = trainer.endEpoch().metrics.valAccuracy;
      }
      per.push((N_TRAIN * epochs) / ((performance.now() - t0) / 1000));
    }
  } else {
    const { getBackend } = await import('../dist/tensor/backend.js');
    const { adamUpdateFused, adamInitFused } = await import('../dist/optim/fused.js');
    const { adamDefaults } = await import('../dist/optim/adam.js');
    const { Rng } = await import('../dist/tensor/rng.js');
    const { epochOrder } = await import('../dist/data/batches.js');
    const be = getBackend();
    const h = 128, B = 64, d = 784, EVAL = 1000;
    const X = be.allocF32(train.n * d); X.set(train.x);
    const Y = be.allocI32(train.n); for (let i = 0; i < train.n; i++) Y[i] = train.y[i];
    const VX = be.allocF32(val.n * d); VX.set(val.x);
    const VY = be.allocI32(val.n); for (let i = 0; i < val.n; i++) VY[i] = val.y[i];
    const total = h * d + h + 10 * h + 10;
    const P = be.allocF32(total), G = be.allocF32(total);
    let o = 0;
    const view = (buf, n) => buf.subarray(o, o + n);
    const W1 = view(P, h * d), gW1 = view(G, h * d); o += h * d;
    const b1 = view(P, h), gb1 = view(G, h); o += h;
    const W2 = view(P, 10 * h), gW2 = view(G, 10 * h); o += 10 * h;
    const b2 = view(P, 10), gb2 = view(G, 10);
    const xb = be.allocF32(B * d), yb = be.allocI32(B);
    const H = be.allocF32(EVAL * h), dH = be.allocF32(B * h), Z = be.allocF32(EVAL * 10), dZ = be.allocF32(B * 10);
    const order = new Int32Array(train.n);
    const opts = { ...adamDefaults, lr: 1e-3 };
    // the whole arena as one view: rows are gathered with copyWithin (a memmove, no view per row)
    const mem = new Float32Array(be.memory.buffer);
    for (let r = 0; r < reps; r++) {
      const rand = new Rng(r);
      const bound1 = 1 / Math.sqrt(d), bound2 = 1 / Math.sqrt(h);
      for (let i = 0; i < h * d + h; i++) P[i] = (rand.uniform() * 2 - 1) * bound1;
      for (let i = h * d + h; i < total; i++) P[i] = (rand.uniform() * 2 - 1) * bound2;
      const state = adamInitFused(total);
      const shuffle = new Rng(r + 1);
      const t0 = performance.now();
      for (let e = 0; e < epochs; e++) {
        epochOrder(order, shuffle, true);
        for (let s = 0; s < train.n; s += B) {
          const m = Math.min(B, train.n - s);
          for (let i = 0; i < m; i++) {
            const row = order[s + i];
            mem.copyWithin((xb.byteOffset >> 2) + i * d, (X.byteOffset >> 2) + row * d, (X.byteOffset >> 2) + row * d + d);
            yb[i] = Y[row];
          }
          const x = xb.subarray(0, m * d), y = yb.subarray(0, m), Hm = H.subarray(0, m * h), Zm = Z.subarray(0, m * 10), dHm = dH.subarray(0, m * h), dZm = dZ.subarray(0, m * 10);
          be.matmul(x, W1, Hm, m, d, h, false, true);
          be.biasAct(Hm, b1, m, h, true);
          be.matmul(Hm, W2, Zm, m, h, 10, false, true);
          be.biasAct(Zm, b2, m, 10, false);
          be.softmaxCrossEntropy(Zm, y, dZm, m, 10);
          be.matmul(dZm, Hm, gW2, 10, m, h, true, false);
          be.colSum(dZm, gb2, m, 10);
          be.matmul(dZm, W2, dHm, m, 10, h, false, false);
          be.reluBackward(dHm, Hm, dHm);
          be.matmul(dHm, x, gW1, h, m, d, true, false);
          be.colSum(dHm, gb1, m, h);
          adamUpdateFused(P, G, state, opts);
        }
        // validation pass: forward in chunks, accuracy
        let correct = 0;
        for (let s = 0; s < val.n; s += EVAL) {
          const m = Math.min(EVAL, val.n - s);
          const Hm = H.subarray(0, m * h), Zm = Z.subarray(0, m * 10);
          be.matmul(VX.subarray(s * d, (s + m) * d), W1, Hm, m, d, h, false, true);
          be.biasAct(Hm, b1, m, h, true);
          be.matmul(Hm, W2, Zm, m, h, 10, false, true);
          be.biasAct(Zm, b2, m, 10, false);
          be.softmaxCrossEntropy(Zm, VY.subarray(s, s + m), null, m, 10);
          for (let i = 0; i < m; i++) {
            let arg = 0;
            for (let j = 1; j < 10; j++) if (Zm[i * 10 + j] > Zm[i * 10 + arg]) arg = j;
            if (arg === VY[s + i]) correct++;
          }
        }
        acc = correct / val.n;
      }
      per.push((N_TRAIN * epochs) / ((performance.now() - t0) / 1000));
    }
  }
  const label = mode === 'trainer' ? 'descent Trainer (library)' : 'descent kernel loop';
  console.log(JSON.stringify({ peer: `${label} ${info.threads}t`, mode, threads: info.threads, relaxed: info.relaxed, valAccuracy: acc, samplesPerSec: stats(per) }));
}
