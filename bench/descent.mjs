// descent's side of the benchmark (run as a child of bench/run.mjs): prints one JSON object.
// Usage: node bench/descent.mjs --threads 1|2 [--quick]
// Uses the built package (dist/): the wasm SIMD kernels through src/tensor/backend.ts and the fused
// optimizer steps of src/optim/fused.ts; the pure-TS rules are measured as the "plain loops" figure.
import { getBackend } from '../dist/tensor/backend.js';
import { enableThreads, enableRelaxedSimdFlag } from '../dist/tensor/backend-node.js';
import { adamUpdateFused, adamInitFused, sgdUpdateFused, sgdInitFused } from '../dist/optim/fused.js';
import { adamUpdate, adamInit, adamDefaults } from '../dist/optim/adam.js';
import { sgdUpdate, sgdInit } from '../dist/optim/sgd.js';
import { timeIt, stats, rng, linearInit, loadMnist, mlpConfigs, SAMPLES } from './common.mjs';

const args = process.argv.slice(2);
const threads = Number(args[args.indexOf('--threads') + 1] ?? 1) || 1;
const quick = args.includes('--quick');
const reps = quick ? 3 : 5;
const target = quick ? 0.15 : 0.4;

// relaxed SIMD (FMA) unless --no-relaxed: Node 20 needs its V8 flag, set before the module compiles
if (!args.includes('--no-relaxed')) enableRelaxedSimdFlag();
const be = getBackend();
if (!be) throw new Error('wasm backend unavailable');
const used = threads > 1 ? enableThreads(threads) : 1;
const out = { peer: `descent wasm${be.relaxed ? '+fma' : ''} ${used}t`, relaxed: be.relaxed, threads: used, w1: {}, w2: {}, w3: {}, plain: {} };

// ---- W1: MLP 784-h-10, ReLU, softmax CE, Adam, on MNIST digits -------------------------------
const data = loadMnist(SAMPLES);
const X = be.allocF32(data.x.length); X.set(data.x);
const Y = be.allocI32(data.y.length); Y.set(data.y);

function makeMlp(h, B) {
  const rand = rng(1);
  const l1 = linearInit(h, 784, rand), l2 = linearInit(10, h, rand);
  const total = h * 784 + h + 10 * h + 10;
  // one contiguous parameter buffer and one gradient buffer, a view per tensor: Adam runs once over all
  const P = be.allocF32(total), G = be.allocF32(total);
  let o = 0;
  const view = (buf, n) => buf.subarray(o, o + n);
  const W1 = view(P, h * 784), gW1 = view(G, h * 784); o += h * 784;
  const b1 = view(P, h), gb1 = view(G, h); o += h;
  const W2 = view(P, 10 * h), gW2 = view(G, 10 * h); o += 10 * h;
  const b2 = view(P, 10), gb2 = view(G, 10);
  W1.set(l1.w); b1.set(l1.b); W2.set(l2.w); b2.set(l2.b);
  const H = be.allocF32(B * h), dH = be.allocF32(B * h), Z = be.allocF32(B * 10), dZ = be.allocF32(B * 10);
  const state = adamInitFused(total);
  const opts = { ...adamDefaults, lr: 1e-3 };
  const batches = SAMPLES / B;
  let bi = 0;
  let loss = 0;
  function step() {
    const x = X.subarray(bi * B * 784, (bi + 1) * B * 784), y = Y.subarray(bi * B, (bi + 1) * B);
    bi = (bi + 1) % batches;
    // forward: H = relu(X·W1ᵀ + b1), Z = H·W2ᵀ + b2, loss = CE(softmax(Z), y)
    be.matmul(x, W1, H, B, 784, h, false, true);
    be.biasAct(H, b1, B, h, true);
    be.matmul(H, W2, Z, B, h, 10, false, true);
    be.biasAct(Z, b2, B, 10, false);
    loss = be.softmaxCrossEntropy(Z, y, dZ, B, 10);
    // backward: gW2 = dZᵀ·H, gb2 = Σ dZ, dH = (dZ·W2) ⊙ [H > 0], gW1 = dHᵀ·X, gb1 = Σ dH
    be.matmul(dZ, H, gW2, 10, B, h, true, false);
    be.colSum(dZ, gb2, B, 10);
    be.matmul(dZ, W2, dH, B, 10, h, false, false);
    be.reluBackward(dH, H, dH);
    be.matmul(dH, x, gW1, h, B, 784, true, false);
    be.colSum(dH, gb1, B, h);
    adamUpdateFused(P, G, state, opts);
  }
  return { step, loss: () => loss };
}

for (const c of mlpConfigs) {
  const mlp = makeMlp(c.hidden, c.batch);
  const first = (mlp.step(), mlp.loss());
  const per = await timeIt(mlp.step, { reps, target });
  out.w1[c.name] = { samplesPerSec: stats(per.map((s) => c.batch / s)), firstLoss: first, lastLoss: mlp.loss() };
}

// The same workload through descent's general API: nn.buildModel + autograd + crossEntropy, with the
// wasm kernels installed behind the tensor dispatch (installWasmKernels) and the fused Adam.
try {
  const { installWasmKernels, uninstallWasmKernels } = await import('../dist/tensor/backend.js');
  const nn = await import('../dist/nn/index.js');
  const ag = await import('../dist/autograd/index.js');
  const { Rng, Arena } = await import('../dist/tensor/index.js');
  installWasmKernels();
  for (const c of mlpConfigs) {
    const { hidden: h, batch: B } = c;
    const model = nn.buildModel({ kind: 'mlp', inFeatures: 784, outFeatures: 10, hidden: [h], rng: new Rng(1) });
    const arena = new Arena();
    const state = adamInitFused(model.params.length);
    const opts = { ...adamDefaults, lr: 1e-3 };
    const batches = SAMPLES / B;
    let bi = 0, loss = 0;
    const step = () => {
      const x = X.subarray(bi * B * 784, (bi + 1) * B * 784), y = Y.subarray(bi * B, (bi + 1) * B);
      bi = (bi + 1) % batches;
      model.zeroGrad();
      loss = ag.withArena(arena, () => {
        const l = nn.crossEntropy(model.forward(ag.tensor(x, [B, 784])), y);
        l.backward();
        return l.item();
      });
      arena.reset();
      adamUpdateFused(model.params, model.grads, state, opts);
    };
    step();
    const first = loss;
    const per = await timeIt(step, { reps, target });
    out.w1[`${c.name} (nn + autograd API)`] = { samplesPerSec: stats(per.map((s) => B / s)), firstLoss: first, lastLoss: loss };
  }
  uninstallWasmKernels();
} catch (e) {
  out.note = `nn/autograd path not measured: ${e.message}`;
}

// ---- W2: optimizer steps on 1M and 10M float32 params (ns/param) ------------------------------
for (const n of [1_000_000, 10_000_000]) {
  const mark = be.mark();
  const p = be.allocF32(n), g = be.allocF32(n);
  const r = rng(2);
  for (let i = 0; i < n; i++) { p[i] = r() - 0.5; g[i] = r() - 0.5; }
  const as = adamInitFused(n), ss = sgdInitFused(n);
  const ao = { ...adamDefaults }, so = { lr: 0.01, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, maximize: false };
  const a = await timeIt(() => adamUpdateFused(p, g, as, ao), { reps, target });
  const s = await timeIt(() => sgdUpdateFused(p, g, ss, so), { reps, target });
  out.w2[`adam ${n / 1e6}M`] = { nsPerParam: stats(a.map((t) => (t * 1e9) / n)) };
  out.w2[`sgd-momentum ${n / 1e6}M`] = { nsPerParam: stats(s.map((t) => (t * 1e9) / n)) };
  if (used === 1) {
    // the pure-TS rules (the reference path) on ordinary Float32Arrays: descent's "plain loops"
    const pp = Float32Array.from(p), gg = Float32Array.from(g);
    const ast = adamInit(n, Float32Array), sst = sgdInit(n, Float32Array);
    const pa = await timeIt(() => adamUpdate(pp, gg, ast, ao), { reps: 3, target });
    const ps = await timeIt(() => sgdUpdate(pp, gg, sst, so), { reps: 3, target });
    out.plain[`adam ${n / 1e6}M`] = { nsPerParam: stats(pa.map((t) => (t * 1e9) / n)) };
    out.plain[`sgd-momentum ${n / 1e6}M`] = { nsPerParam: stats(ps.map((t) => (t * 1e9) / n)) };
  }
  be.release(mark);
}

// ---- W3: fp32 matmul n×n·n×n (GFLOP/s) --------------------------------------------------------
for (const n of [256, 1024]) {
  const mark = be.mark();
  const a = be.allocF32(n * n), b = be.allocF32(n * n), c = be.allocF32(n * n);
  const r = rng(3);
  for (let i = 0; i < n * n; i++) { a[i] = r() - 0.5; b[i] = r() - 0.5; }
  const per = await timeIt(() => be.matmul(a, b, c, n, n, n), { reps, target });
  out.w3[`matmul ${n}`] = { gflops: stats(per.map((t) => (2 * n ** 3) / t / 1e9)) };
  be.release(mark);
}

process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
