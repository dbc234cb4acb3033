// TensorFlow.js side of the benchmark (child of bench/run.mjs): prints one JSON object.
// Usage: node bench/tfjs.mjs cpu|wasm [--quick]   (@tensorflow/tfjs-backend-cpu or -wasm, devDependencies)
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { timeIt, stats, rng, linearInit, loadMnist, mlpConfigs, SAMPLES } from './common.mjs';

const args = process.argv.slice(2);
const backend = args[0];
const quick = args.includes('--quick');
const reps = quick ? 3 : 5;
const target = quick ? 0.15 : 0.4;
// tfjs prints an advertisement for tfjs-node on stdout; keep stdout for the JSON
const log = console.log;
console.log = (...a) => console.error(...a);
console.warn = () => {};
await tf.setBackend(backend);
await tf.ready();

const out = { peer: `tfjs-backend-${backend} ${tf.version_core}`, w1: {}, w2: {}, w3: {} };
const data = loadMnist(SAMPLES);

for (const c of mlpConfigs) {
  const { hidden: h, batch: B } = c;
  const rand = rng(1);
  const l1 = linearInit(h, 784, rand), l2 = linearInit(10, h, rand);
  // tfjs dense layout is in×out; transpose torch's out×in weights at upload
  const W1 = tf.variable(tf.transpose(tf.tensor2d(l1.w, [h, 784]))), b1 = tf.variable(tf.tensor1d(l1.b));
  const W2 = tf.variable(tf.transpose(tf.tensor2d(l2.w, [10, h]))), b2 = tf.variable(tf.tensor1d(l2.b));
  const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const nb = SAMPLES / B;
  const xs = [], ys = [];
  for (let i = 0; i < nb; i++) {
    xs.push(tf.tensor2d(data.x.subarray(i * B * 784, (i + 1) * B * 784), [B, 784]));
    ys.push(tf.cast(tf.oneHot(tf.tensor1d(data.y.subarray(i * B, (i + 1) * B), "int32"), 10), "float32"));
  }
  let bi = 0, lossT = null;
  // tfjs-core's node bundle ships no gradient registrations (only the @tensorflow/tfjs union does), so
  // the backward pass is written out, the same math as descent's fused path: no autodiff overhead on tfjs' side
  const step = () => {
    const x = xs[bi], y = ys[bi];
    bi = (bi + 1) % nb;
    if (lossT) lossT.dispose();
    lossT = tf.tidy(() => {
      const h1 = tf.relu(tf.add(tf.matMul(x, W1), b1));
      const z = tf.add(tf.matMul(h1, W2), b2);
      const logp = tf.logSoftmax(z);
      const loss = tf.neg(tf.div(tf.sum(tf.mul(y, logp)), B));
      const dz = tf.div(tf.sub(tf.exp(logp), y), B);
      const dh = tf.mul(tf.matMul(dz, W2, false, true), tf.step(h1));
      opt.applyGradients({
        [W2.name]: tf.matMul(h1, dz, true, false), [b2.name]: tf.sum(dz, 0),
        [W1.name]: tf.matMul(x, dh, true, false), [b1.name]: tf.sum(dh, 0),
      });
      return loss;
    });
  };
  step();
  const first = lossT.dataSync()[0];
  const per = await timeIt(step, { reps, target, sync: () => lossT.dataSync() });
  out.w1[c.name] = { samplesPerSec: stats(per.map((s) => B / s)), firstLoss: first, lastLoss: lossT.dataSync()[0] };
  tf.dispose([W1, b1, W2, b2, ...xs, ...ys, lossT]);
  opt.dispose();
}

for (const n of [1_000_000, 10_000_000]) {
  for (const [name, make] of [['adam', () => tf.train.adam(1e-3)], ['sgd-momentum', () => tf.train.momentum(0.01, 0.9)]]) {
    const r = rng(2);
    const pv = new Float32Array(n), gv = new Float32Array(n);
    for (let i = 0; i < n; i++) { pv[i] = r() - 0.5; gv[i] = r() - 0.5; }
    const p = tf.variable(tf.tensor1d(pv), true, `p${name}${n}`);
    const g = tf.tensor1d(gv);
    const opt = make();
    const step = () => opt.applyGradients({ [p.name]: g });
    // slow backends: fewer repetitions of one step each
    const per = await timeIt(step, { reps: n >= 1e7 ? 3 : reps, target, sync: () => p.dataSync() });
    out.w2[`${name} ${n / 1e6}M`] = { nsPerParam: stats(per.map((t) => (t * 1e9) / n)) };
    opt.dispose();
    tf.dispose([p, g]);
  }
}

for (const n of [256, 1024]) {
  const r = rng(3);
  const av = new Float32Array(n * n).map(() => r() - 0.5), bv = new Float32Array(n * n).map(() => r() - 0.5);
  const a = tf.tensor2d(av, [n, n]), b = tf.tensor2d(bv, [n, n]);
  let c = null;
  const step = () => { if (c) c.dispose(); c = tf.matMul(a, b); };
  const per = await timeIt(step, { reps: n >= 1024 && backend === 'cpu' ? 3 : reps, target, sync: () => c.dataSync() });
  out.w3[`matmul ${n}`] = { gflops: stats(per.map((t) => (2 * n ** 3) / t / 1e9)) };
  tf.dispose([a, b, c]);
}
log(JSON.stringify(out));
process.exit(0);
