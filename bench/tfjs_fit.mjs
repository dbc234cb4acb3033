// tfjs-backend-wasm `model.fit` on W1 end to end (a child of bench/run.mjs; prints one JSON object): the same
// job as the descent rows, as a tfjs user writes it with @tensorflow/tfjs-layers: standard MNIST (60,000
// training digits shuffled each epoch by fit, batches of 64, validationData = the 10,000 test digits), a
// Sequential dense 128 ReLU + dense 10 softmax, categoricalCrossentropy, Adam lr 1e-3. samples/s = training
// samples over the wall time of fit (its epochs with their validation passes), as the descent rows count.
// Usage: node bench/tfjs_fit.mjs MNIST_DIR [--epochs E] [--reps R]
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { stats } from './common.mjs';

const args = process.argv.slice(2);
const dir = args[0];
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const epochs = Number(opt('--epochs', '2'));
const reps = Number(opt('--reps', '2'));
// tfjs prints an advertisement for tfjs-node on stdout; keep stdout for the JSON
const log = console.log;
console.log = (...a) => console.error(...a);
console.warn = () => {};
// tfjs-core's node bundle registers no gradients (the @tensorflow/tfjs union package does), and fit needs
// them. Its ESM sources import without file extensions, which Node refuses, so esbuild bundles
// register_all_gradients; the registry lives on globalThis, so the bundle's registrations reach this tfjs-core.
{
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const out = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' });
  const tmp = mkdtempSync(join(tmpdir(), 'tfjs-grads-'));
  writeFileSync(join(tmp, 'grads.mjs'), out.outputFiles[0].contents);
  await import(pathToFileURL(join(tmp, 'grads.mjs')).href);
  rmSync(tmp, { recursive: true, force: true });
}
await tf.setBackend('wasm');
await tf.ready();

function idx(name) {
  const b = readFileSync(join(dir, name));
  const rank = b[3];
  return new Uint8Array(b.buffer, b.byteOffset + 4 + 4 * rank, b.length - 4 - 4 * rank);
}
const images = (u8) => { const x = new Float32Array(u8.length); for (let i = 0; i < u8.length; i++) x[i] = u8[i] / 255; return x; };
const oneHot = (u8) => { const y = new Float32Array(u8.length * 10); for (let i = 0; i < u8.length; i++) y[i * 10 + u8[i]] = 1; return y; };
const x = tf.tensor2d(images(idx('train-images-idx3-ubyte')), [60000, 784]);
const y = tf.tensor2d(oneHot(idx('train-labels-idx1-ubyte')), [60000, 10]);
const vx = tf.tensor2d(images(idx('t10k-images-idx3-ubyte')), [10000, 784]);
const vy = tf.tensor2d(oneHot(idx('t10k-labels-idx1-ubyte')), [10000, 10]);

const per = [];
let acc = null;
for (let r = 0; r < reps; r++) {
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }), tfl.layers.dense({ units: 10, activation: 'softmax' })],
  });
  model.compile({ optimizer: tf.train.adam(1e-3, 0.9, 0.999, 1e-8), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const t0 = performance.now();
  const h = await model.fit(x, y, { epochs, batchSize: 64, shuffle: true, validationData: [vx, vy], verbose: 0 });
  per.push((60000 * epochs) / ((performance.now() - t0) / 1000));
  const va = h.history.val_acc ?? h.history.val_accuracy;
  acc = va ? va[va.length - 1] : null;
  model.dispose();
}
log(JSON.stringify({ peer: `tfjs-backend-wasm ${tf.version_core} model.fit (tfjs-layers)`, mode: 'tfjs-fit', valAccuracy: acc, samplesPerSec: stats(per) }));
