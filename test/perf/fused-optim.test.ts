// The fused SIMD optimizer loops (src/optim/fused.ts) against torch 1.13 float32 trajectories
// (test/fixtures/perf/fused-cases.json, made by test/fixtures/tools/make_fused_cases.py) and against
// the pure-TS rules; float64 and non-arena buffers must take the TS rule bit for bit.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getBackend } from '../../src/tensor/backend.ts';
import { enableThreads, disableThreads, parallelThresholds, splitPolicy } from '../../src/tensor/backend-node.ts';
import { adamUpdateFused, adamInitFused, sgdUpdateFused, sgdInitFused } from '../../src/optim/fused.ts';
import { adamUpdate, adamInit, adamDefaults, type AdamOptions } from '../../src/optim/adam.ts';
import { sgdUpdate, sgdInit, sgdDefaults, type SgdOptions } from '../../src/optim/sgd.ts';

const be = getBackend()!;
const fx = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'perf', 'fused-cases.json'), 'utf8'));
const n: number = fx.n;

function runFused(name: string, o: Record<string, unknown>, steps: number): number[][] {
  const x = be.allocF32(n), g = be.allocF32(n);
  x.set(fx.x0);
  const path: number[][] = [];
  if (name === 'adam') {
    const opts = { ...adamDefaults, ...o } as AdamOptions;
    const st = adamInitFused(n);
    for (let t = 0; t < steps; t++) {
      for (let i = 0; i < n; i++) g[i] = Math.fround(fx.c[i]) * x[i] - Math.fround(fx.d[i]);
      adamUpdateFused(x, g, st, opts);
      path.push(Array.from(x));
    }
  } else {
    const opts = { ...sgdDefaults, ...o } as SgdOptions;
    const st = sgdInitFused(n);
    for (let t = 0; t < steps; t++) {
      for (let i = 0; i < n; i++) g[i] = Math.fround(fx.c[i]) * x[i] - Math.fround(fx.d[i]);
      sgdUpdateFused(x, g, st, opts);
      path.push(Array.from(x));
    }
  }
  return path;
}

test('fused float32 Adam and SGD follow torch 1.13 float32 (37 params: SIMD body and scalar tail)', () => {
  for (const c of fx.cases) {
    const { name, ...o } = c.optimizer;
    const path = runFused(name, o, fx.steps);
    let worst = 0;
    for (let t = 0; t < fx.steps; t++)
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(path[t][i] - c.path[t][i]) / Math.max(1, Math.abs(c.path[t][i])));
    // torch rounds its scalar factors and every intermediate to float32 in its own order: agreement to float32 precision
    assert.ok(worst < 3e-5, `${JSON.stringify(c.optimizer)}: worst relative difference to torch ${worst}`);
  }
});

test('fused float32 loops agree with the pure-TS rules run on Float32Arrays', () => {
  const variants: [string, Record<string, unknown>][] = [
    ['adam', { lr: 0.01 }], ['adam', { lr: 0.01, biasCorrection: false }], ['adam', { lr: 0.01, amsgrad: true, weightDecay: 0.05, maximize: true }],
    ['sgd', { lr: 0.02, momentum: 0.9, nesterov: true }], ['sgd', { lr: 0.02, momentum: 0 , weightDecay: 0.1 }],
  ];
  const m = 1003;
  for (const [name, o] of variants) {
    const xf = be.allocF32(m), gf = be.allocF32(m);
    const xr = new Float32Array(m), gr = new Float32Array(m);
    for (let i = 0; i < m; i++) xf[i] = xr[i] = Math.sin(i);
    const sf = name === 'adam' ? adamInitFused(m) : sgdInitFused(m);
    const sr = name === 'adam' ? adamInit(m, Float32Array) : sgdInit(m, Float32Array);
    for (let t = 0; t < 25; t++) {
      for (let i = 0; i < m; i++) { gf[i] = Math.cos(xf[i] * 3) + 0.1 * xf[i]; gr[i] = Math.cos(xr[i] * 3) + 0.1 * xr[i]; }
      if (name === 'adam') {
        adamUpdateFused(xf, gf, sf as never, { ...adamDefaults, ...o } as AdamOptions);
        adamUpdate(xr, gr, sr as never, { ...adamDefaults, ...o } as AdamOptions);
      } else {
        sgdUpdateFused(xf, gf, sf as never, { ...sgdDefaults, ...o } as SgdOptions);
        sgdUpdate(xr, gr, sr as never, { ...sgdDefaults, ...o } as SgdOptions);
      }
    }
    let worst = 0;
    for (let i = 0; i < m; i++) worst = Math.max(worst, Math.abs(xf[i] - xr[i]));
    assert.ok(worst < 1e-5, `${name} ${JSON.stringify(o)}: ${worst}`);
    assert.ok(xf.some((v, i) => v !== Math.fround(Math.sin(i))), 'the parameters moved');
  }
});

test('float64 and non-arena buffers take the TS rule exactly (bit for bit)', () => {
  for (const Arr of [Float64Array, Float32Array]) {
    const x1 = new Arr(41), x2 = new Arr(41), g = new Arr(41);
    for (let i = 0; i < 41; i++) { x1[i] = x2[i] = Math.sin(i); g[i] = Math.cos(i * 0.3); }
    const s1 = adamInit(41, Arr), s2 = adamInit(41, Arr);
    const q1 = sgdInit(41, Arr), q2 = sgdInit(41, Arr);
    const so = { ...sgdDefaults, lr: 0.1, momentum: 0.9 };
    for (let t = 0; t < 10; t++) {
      adamUpdateFused(x1, g, s1, adamDefaults);
      adamUpdate(x2, g, s2, adamDefaults);
      sgdUpdateFused(x1, g, q1, so);
      sgdUpdate(x2, g, q2, so);
    }
    assert.deepEqual(Array.from(x1), Array.from(x2));
    assert.equal(s1.step, 10);
  }
});

test('fused steps split across 2 worker threads equal the single-thread result exactly', () => {
  const saved = parallelThresholds.optimElements;
  const m = 5003;
  const xs = [be.allocF32(m), be.allocF32(m)], g = be.allocF32(m);
  for (let i = 0; i < m; i++) { xs[0][i] = xs[1][i] = Math.sin(i); g[i] = Math.cos(i); }
  const a = [adamInitFused(m), adamInitFused(m)], s = [sgdInitFused(m), sgdInitFused(m)];
  const so = { ...sgdDefaults, lr: 0.01, momentum: 0.9 };
  for (let t = 0; t < 5; t++) { adamUpdateFused(xs[0], g, a[0], adamDefaults); sgdUpdateFused(xs[0], g, s[0], so); }
  parallelThresholds.optimElements = 0;
  splitPolicy.mode = 'always'; // every step split, whatever the chooser would measure
  try {
    assert.equal(enableThreads(2), 2);
    for (let t = 0; t < 5; t++) { adamUpdateFused(xs[1], g, a[1], adamDefaults); sgdUpdateFused(xs[1], g, s[1], so); }
  } finally {
    parallelThresholds.optimElements = saved;
    splitPolicy.mode = 'measure';
    disableThreads();
  }
  // elementwise work: the split changes nothing but who computes each element
  assert.deepEqual(Array.from(xs[1]), Array.from(xs[0]));
  assert.deepEqual(Array.from(a[1].expAvgSq), Array.from(a[0].expAvgSq));
});

after(() => disableThreads());
