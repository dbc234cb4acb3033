// jax-js (@jax-js/jax, wasm backend) on W1 end to end and W3 (a child of bench/run.mjs; prints one JSON object).
// W1: the same job as the descent rows: standard MNIST (60,000 train shuffled each epoch, batches of 64, an
// eval pass over the 10,000 test digits), MLP 784-128-10 ReLU, softmax cross-entropy, Adam lr 1e-3 written in
// jax-js ops; the loss and gradient are jit(valueAndGrad(loss)), the Adam update one jit'ed function per
// parameter. jax-js arrays are reference-counted (each call takes ownership of its arguments; `.ref` and
// tree.ref keep one), as its README prescribes. The batch shape is fixed (a trailing partial batch is left
// out: 937 batches of 64 = 59,968 samples an epoch, counted as such) so jit compiles once.
// W3: np.matmul of n×n float32, blockUntilReady, GFLOP/s.
// Usage: node bench/jax_e2e.mjs MNIST_DIR [--epochs E] [--reps R] [--quick]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { init, defaultDevice, numpy as np, nn, jit, valueAndGrad, tree, blockUntilReady } from '@jax-js/jax';
import { stats, rng } from './common.mjs';

const args = process.argv.slice(2);
const dir = args[0];
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const epochs = Number(opt('--epochs', '2'));
const reps = Number(opt('--reps', '3'));
const quick = args.includes('--quick');
const version = JSON.parse(readFileSync(join(createRequire(import.meta.url).resolve('@jax-js/jax').replace(/dist\/.*$/, ''), 'package.json'), 'utf8')).version;

await init('wasm'); // Node 20 has no navigator: name the backend
defaultDevice('wasm');

function idx(name) {
  const b = readFileSync(join(dir, name));
  const rank = b[3];
  return new Uint8Array(b.buffer, b.byteOffset + 4 + 4 * rank, b.length - 4 - 4 * rank);
}
const xs = idx('train-images-idx3-ubyte'), ys = idx('train-labels-idx1-ubyte');
const tx = idx('t10k-images-idx3-ubyte'), ty = idx('t10k-labels-idx1-ubyte');
const N = 60000, B = 64, H = 128, D = 784, NB = Math.floor(N / B);
const X = new Float32Array(N * D); for (let i = 0; i < X.length; i++) X[i] = xs[i] / 255;
const TX = new Float32Array(10000 * D); for (let i = 0; i < TX.length; i++) TX[i] = tx[i] / 255;

function loss(p, x, y) {
  const h = nn.relu(np.matmul(x, p.w1).add(p.b1));
  const z = np.matmul(h, p.w2).add(p.b2);
  return np.mean(np.sum(nn.logSoftmax(z, -1).mul(y), -1)).mul(-1);
}
const lossGrad = jit(valueAndGrad(loss));
const adamLeaf = jit((p, g, m, v, stepSize, bc2Sqrt) => {
  const m2 = m.mul(0.9).add(g.ref.mul(0.1));
  const v2 = v.mul(0.999).add(g.ref.mul(g).mul(0.001));
  const p2 = p.sub(m2.ref.mul(stepSize).div(np.sqrt(v2.ref).div(bc2Sqrt).add(1e-8)));
  return [p2, m2, v2];
});
const forward = jit((p, x) => np.matmul(nn.relu(np.matmul(x, p.w1).add(p.b1)), p.w2).add(p.b2));

const per = [];
let acc = 0;
for (let r = 0; r < (quick ? 1 : reps); r++) {
  const rand = rng(r + 1);
  const u = (n, bound) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * bound);
  let p = {
    w1: np.array(u(D * H, 1 / Math.sqrt(D))).reshape([D, H]), b1: np.array(u(H, 1 / Math.sqrt(D))),
    w2: np.array(u(H * 10, 1 / Math.sqrt(H))).reshape([H, 10]), b2: np.array(u(10, 1 / Math.sqrt(H))),
  };
  let m = tree.map((a) => np.zerosLike(a.ref), p), v = tree.map((a) => np.zerosLike(a.ref), p);
  const order = new Int32Array(N);
  const xb = new Float32Array(B * D), yb = new Float32Array(B * 10);
  let step = 0, lossSum = 0;
  const t0 = performance.now();
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < N; i++) order[i] = i;
    for (let i = N - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); const t = order[i]; order[i] = order[j]; order[j] = t; }
    for (let b = 0; b < NB; b++) {
      yb.fill(0);
      for (let i = 0; i < B; i++) {
        const row = order[b * B + i];
        xb.set(X.subarray(row * D, row * D + D), i * D);
        yb[i * 10 + ys[row]] = 1;
      }
      const [l, g] = lossGrad(tree.ref(p), np.array(xb).reshape([B, D]), np.array(yb).reshape([B, 10]));
      lossSum += l.dataSync()[0]; // the batch loss, read each step as a training loop reports it
      step++;
      const stepSize = np.array(1e-3 / (1 - 0.9 ** step)), bc2 = np.array(Math.sqrt(1 - 0.999 ** step));
      const next = {}, nm = {}, nv = {};
      for (const k of ['w1', 'b1', 'w2', 'b2']) {
        [next[k], nm[k], nv[k]] = adamLeaf(p[k], g[k], m[k], v[k], stepSize.ref, bc2.ref);
      }
      stepSize.dispose(); bc2.dispose();
      p = next; m = nm; v = nv;
      // realise the step: jax-js is lazy, and an unrealised chain of steps grows with every batch
      await blockUntilReady([p, m, v]);
    }
    // eval pass
    let correct = 0;
    for (let s = 0; s < 10000; s += 1000) {
      const z = forward(tree.ref(p), np.array(TX.subarray(s * D, (s + 1000) * D)).reshape([1000, D]));
      const zd = z.dataSync();
      for (let i = 0; i < 1000; i++) {
        let a = 0;
        for (let j = 1; j < 10; j++) if (zd[i * 10 + j] > zd[i * 10 + a]) a = j;
        if (a === ty[s + i]) correct++;
      }
    }
    acc = correct / 10000;
  }
  await blockUntilReady(p);
  per.push((NB * B * epochs) / ((performance.now() - t0) / 1000));
  tree.dispose(p); tree.dispose(m); tree.dispose(v);
}

// W3: matmul
const w3 = {};
for (const n of [256, 1024]) {
  const a = np.array(Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5)).reshape([n, n]);
  const b = np.array(Float32Array.from({ length: n * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5)).reshape([n, n]);
  const mm = jit((x, y) => np.matmul(x, y));
  await blockUntilReady(mm(a.ref, b.ref)); // compile + warm-up
  const times = [];
  const iters = n === 256 ? 20 : 3;
  for (let r = 0; r < (quick ? 3 : 5); r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) (await blockUntilReady(mm(a.ref, b.ref))).dispose();
    times.push(((performance.now() - t0) / 1000) / iters);
  }
  w3[`matmul ${n}`] = { gflops: stats(times.map((t) => (2 * n ** 3) / t / 1e9)) };
  a.dispose(); b.dispose();
}
console.log(JSON.stringify({ peer: `jax-js ${version} wasm`, valAccuracy: acc, samplesPerSec: stats(per), w3 }));
