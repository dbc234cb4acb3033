// Table-driven properties over every optimizer: defaults as the contract's table, validation, no allocation
// per step, stateDict round trips, zero gradient, maximize mirrors minimize, param groups and live lr, and
// float32 trajectories against torch's float32 (test/fixtures/optimize-float32, make_float32_cases.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesAllocated } from '../helpers/allocation.js';
import { optimizers, createOptimizer, resolveOptions, type OptimizerRule, type FloatArray } from '../../src/optim/index.js';
import { makeObjective } from '../../src/objectives/index.js';
import { DescentError } from '../../src/errors.js';

const names = Object.keys(optimizers) as (keyof typeof optimizers)[];
/** A learning rate that keeps each optimizer stable on Beale from (1, 1). */
const lrFor: Record<string, number> = { sgd: 0.001, adadelta: 1, rprop: 0.01 };
const optsFor = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ lr: lrFor[name] ?? 0.01, ...extra });
const beale = makeObjective('beale');

test('defaults are the contract table (torch.optim 2.13, camelCased)', () => {
  const contract: Record<string, Record<string, unknown>> = {
    sgd: { lr: 0.001, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false },
    adagrad: { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
    rmsprop: { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
    adadelta: { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
    adam: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, biasCorrection: true, decoupledWeightDecay: false },
    adamw: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false },
    adamax: { lr: 0.002, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
    nadam: { lr: 0.002, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 0.004, decoupledWeightDecay: false, maximize: false, torch113: false },
    radam: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false },
    rprop: { lr: 0.01, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false },
  };
  for (const [name, table] of Object.entries(contract)) {
    const d = (optimizers as Record<string, OptimizerRule>)[name].defaults as Record<string, unknown>;
    for (const [k, v] of Object.entries(table)) assert.deepEqual(d[k], v, `${name}.${k}`);
  }
  // torch 2.x: sgd's lr defaults to 0.001 (1.13 required it)
  assert.equal(createOptimizer('sgd', { params: new Float64Array(1), grads: new Float64Array(1) }).paramGroups[0].options.lr, 0.001);
  // torch 1.13's NAdam had neither maximize nor decoupled decay
  assert.throws(() => createOptimizer('nadam', { params: new Float64Array(1), grads: new Float64Array(1) }, { torch113: true, maximize: true }), /torch113: torch 1\.13's NAdam has no maximize/);
});

test('validation names the hyperparameter; unknown names list the known ones', () => {
  const p = { params: new Float64Array(2), grads: new Float64Array(2) };
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['adam', { lr: -1 }, /lr: expected a number >= 0, got -1/],
    ['adam', { betas: [0.9, 1] }, /betas\[1\]: expected a number in \[0, 1\)/],
    ['adam', { betas: [0.9] }, /betas: expected two numbers/],
    ['adam', { eps: -1e-12 }, /eps: expected a number >= 0/],
    ['adam', { lr: '0.1' }, /lr: expected a number/],
    ['adam', { amsgrad: 1 }, /amsgrad: expected true or false/],
    ['adam', { momentum: 0.9 }, /unknown hyperparameter 'momentum' for adam; expected one of: lr, betas, eps, weightDecay, amsgrad, maximize, biasCorrection, decoupledWeightDecay/],
    ['sgd', { lr: 0.1, momentum: -0.5 }, /momentum: expected a number >= 0/],
    ['sgd', { lr: 0.1, nesterov: true }, /nesterov: requires momentum > 0 and dampening 0/],
    ['sgd', { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }, /nesterov: requires momentum > 0 and dampening 0/],
    ['sgd', { lr: 0.1, weightDecay: -1 }, /weightDecay: expected a number >= 0/],
    ['adagrad', { lrDecay: -1 }, /lrDecay/],
    ['adagrad', { initialAccumulatorValue: -1 }, /initialAccumulatorValue/],
    ['rmsprop', { alpha: 1.5 }, /alpha: expected a number in \[0, 1\]/],
    ['adadelta', { rho: -0.1 }, /rho: expected a number in \[0, 1\]/],
    ['nadam', { momentumDecay: -1 }, /momentumDecay/],
    ['rprop', { etas: [1.2, 0.5] }, /etas: expected \[etaminus, etaplus\] with 0 < etaminus < 1 < etaplus/],
    ['rprop', { stepSizes: [1, 0.1] }, /stepSizes: expected \[min, max\]/],
  ];
  for (const [name, o, re] of bad) {
    assert.throws(() => createOptimizer(name, p, o), (e: unknown) => e instanceof DescentError && e.kind === 'input' && re.test(e.message), `${name} ${JSON.stringify(o)}`);
  }
  assert.throws(() => createOptimizer('adamm' as string, p), /unknown optimizer 'adamm'; expected one of: sgd, adagrad, rmsprop, adadelta, adam, adamw, adamax, nadam, radam, rprop/);
  assert.throws(() => createOptimizer('adam', { params: new Float64Array(2), grads: new Float64Array(3) }), /params has 2 values but grads has 3/);
});

test('no allocation per step: every optimizer\'s step adds nothing to the heap (young-generation bytes per step)', () => {
  const runs = names.map((name) => {
    const x = Float64Array.of(1, 1), g = new Float64Array(2);
    const opt = createOptimizer(name, { params: x, grads: g }, optsFor(name));
    return (k: number): void => {
      for (let t = 0; t < k; t++) {
        // a gradient that keeps every rule busy without leaving the float range: g = x − (0.5, −0.5)
        g[0] = x[0] - 0.5; g[1] = x[1] + 0.5;
        opt.step();
      }
    };
  });
  for (const run of runs) run(20000); // let the JIT settle first
  const steps = 10000;
  // the probe sees allocation: a loop that keeps one small array per step measures ≥ 32 B a step
  const keep: Float64Array[] = new Array(8);
  const control = bytesAllocated((k) => { for (let t = 0; t < k; t++) keep[t & 7] = new Float64Array(2); }, steps);
  assert.ok(control >= 32 * steps, `the allocating control measured only ${control} B`);
  for (const [i, run] of runs.entries()) {
    const bytes = bytesAllocated(run, steps);
    // one boxed 16-byte number per step would be 160,000 B; allow under a byte per step
    assert.ok(bytes < steps, `${names[i]}: ${bytes} B allocated over ${steps} steps`);
  }
});

test('stateDict round trip: a restored optimizer continues the identical trajectory (every optimizer, float32 and float64)', () => {
  for (const T of [Float64Array, Float32Array]) {
    for (const name of names) {
      const x = T.of(1, 1) as FloatArray, g = new T(2) as FloatArray;
      const a = createOptimizer(name, { params: x, grads: g }, optsFor(name));
      const grad = (p: FloatArray, out: FloatArray): void => {
        const d = Float64Array.from(p), o = new Float64Array(2);
        beale.valueAndGrad(d, o);
        out.set(o);
      };
      for (let t = 0; t < 15; t++) { grad(x, g); a.step(); }
      const saved = a.stateDict();
      const x2 = x.slice(), g2 = new T(2) as FloatArray;
      const b = createOptimizer(name, { params: x2, grads: g2 }, optsFor(name));
      b.loadStateDict(saved);
      for (let t = 0; t < 15; t++) {
        grad(x, g); a.step();
        grad(x2, g2); b.step();
        assert.deepEqual(Array.from(x2), Array.from(x), `${name} ${T.name} step ${t}`);
      }
      // the saved dict is a copy: stepping did not change it
      assert.equal(saved.state[0].step, 15);
    }
  }
});

test('a zero gradient leaves sgd, adagrad and rmsprop parameters unchanged (every option without weight decay)', () => {
  const configs: [string, Record<string, unknown>][] = [
    ['sgd', { lr: 0.1 }], ['sgd', { lr: 0.1, momentum: 0.9, nesterov: true }], ['sgd', { lr: 0.1, momentum: 0.9, dampening: 0.5, maximize: true }],
    ['adagrad', {}], ['adagrad', { lrDecay: 0.1, initialAccumulatorValue: 0.1 }],
    ['rmsprop', {}], ['rmsprop', { momentum: 0.9, centered: true }], ['rmsprop', { epsInside: true, maximize: true }],
  ];
  for (const [name, o] of configs) {
    const x = Float64Array.of(0.3, -1.7), g = new Float64Array(2);
    const opt = createOptimizer(name, { params: x, grads: g }, o);
    for (let t = 0; t < 50; t++) opt.step();
    assert.deepEqual(Array.from(x), [0.3, -1.7], `${name} ${JSON.stringify(o)}`);
  }
});

test('maximize mirrors minimize: maximizing −f retraces minimizing f exactly', () => {
  for (const name of names) {
    const d = (optimizers as Record<string, OptimizerRule>)[name].defaults;
    if (!('maximize' in d)) continue;
    for (const extra of [{}, { weightDecay: 0.1 }]) {
      if ('weightDecay' in extra && !('weightDecay' in d)) continue; // rprop, rmsprop-nesterov, sparse-adam
      const a = Float64Array.of(1, 1), ga = new Float64Array(2);
      const b = Float64Array.of(1, 1), gb = new Float64Array(2);
      const oa = createOptimizer(name, { params: a, grads: ga }, optsFor(name, extra));
      const ob = createOptimizer(name, { params: b, grads: gb }, optsFor(name, { ...extra, maximize: true }));
      for (let t = 0; t < 100; t++) {
        beale.valueAndGrad(a, ga); oa.step();
        beale.valueAndGrad(b, gb); for (let i = 0; i < 2; i++) gb[i] = -gb[i]; // ∇(−f)
        ob.step();
        assert.deepEqual(Array.from(b), Array.from(a), `${name} ${JSON.stringify(extra)} step ${t}`);
      }
      assert.notDeepEqual(Array.from(a), [1, 1]);
    }
  }
});

test('param groups: views of one buffer, per-group options, lr changes apply on the next step', () => {
  // one buffer of 4 values in two groups; each must move exactly as a separate optimizer with its options
  const buf = Float64Array.of(1, 1, 2, -1), grad = new Float64Array(4);
  const opt = createOptimizer('adam', [
    { params: buf.subarray(0, 2), grads: grad.subarray(0, 2) },
    { params: buf.subarray(2, 4), grads: grad.subarray(2, 4), options: { lr: 0.05, amsgrad: true } },
  ], { lr: 0.01 });
  const a = Float64Array.of(1, 1), ga = new Float64Array(2), b = Float64Array.of(2, -1), gb = new Float64Array(2);
  const oa = createOptimizer('adam', { params: a, grads: ga }, { lr: 0.01 });
  const ob = createOptimizer('adam', { params: b, grads: gb }, { lr: 0.05, amsgrad: true });
  for (let t = 0; t < 30; t++) {
    if (t === 10) { opt.paramGroups[0].options.lr = 0.002; oa.paramGroups[0].options.lr = 0.002; }
    beale.valueAndGrad(buf.subarray(0, 2), grad.subarray(0, 2));
    beale.valueAndGrad(buf.subarray(2, 4), grad.subarray(2, 4));
    opt.step();
    beale.valueAndGrad(a, ga); oa.step();
    beale.valueAndGrad(b, gb); ob.step();
    assert.deepEqual(Array.from(buf), [...a, ...b], `step ${t}`);
  }
  opt.zeroGrad();
  assert.deepEqual(Array.from(grad), [0, 0, 0, 0]);
  // changing lr mid-run changes the next step: from the same state, lr 0 freezes the parameters
  const snap = Array.from(buf);
  opt.paramGroups[0].options.lr = 0;
  opt.paramGroups[1].options.lr = 0;
  opt.step();
  assert.deepEqual(Array.from(buf), snap);
  assert.deepEqual(resolveOptions(optimizers.adam, { lr: 0.5 }).betas, [0.9, 0.999]);
});

const f32 = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'optimize-float32', 'cases.json'), 'utf8'));
test('float32: every optimizer follows torch float32 on a quadratic (intermediates in float64, storage float32)', () => {
  const A: number[][] = f32.A, bv: number[] = f32.b;
  for (const c of f32.cases) {
    const { name, ...o } = c.optimizer;
    const x = Float32Array.from(f32.x0), g = new Float32Array(3);
    const opt = createOptimizer(name, { params: x, grads: g }, o);
    assert.ok(opt.state[0].expAvg === undefined || opt.state[0].expAvg instanceof Float32Array);
    let worst = 0;
    for (let t = 1; t < c.path.length; t++) {
      for (let i = 0; i < 3; i++) g[i] = A[i][0] * x[0] + A[i][1] * x[1] + A[i][2] * x[2] - bv[i];
      opt.step();
      for (let i = 0; i < 3; i++) worst = Math.max(worst, Math.abs(x[i] - c.path[t][i]) / Math.max(1, Math.abs(c.path[t][i])));
    }
    // torch rounds every intermediate to float32; we round only what is stored, so agreement is to float32 precision
    assert.ok(worst < 2e-5, `${name}: worst relative difference ${worst}`);
  }
});

test('stateDict survives a JSON round trip (buffers as plain arrays)', () => {
  for (const name of names) {
    const x = Float64Array.of(1, 1), g = new Float64Array(2);
    const a = createOptimizer(name, { params: x, grads: g }, optsFor(name));
    for (let t = 0; t < 10; t++) { beale.valueAndGrad(x, g); a.step(); }
    const sd = a.stateDict();
    const json = JSON.stringify({ ...sd, state: sd.state.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? v : Array.from(v)]))) });
    const x2 = x.slice(), g2 = new Float64Array(2);
    const b = createOptimizer(name, { params: x2, grads: g2 }, optsFor(name));
    b.loadStateDict(JSON.parse(json));
    for (let t = 0; t < 10; t++) {
      beale.valueAndGrad(x, g); a.step();
      beale.valueAndGrad(x2, g2); b.step();
    }
    assert.deepEqual(Array.from(x2), Array.from(x), name);
  }
  const x = new Float64Array(2);
  const a = createOptimizer('adam', { params: x, grads: new Float64Array(2) });
  assert.throws(() => a.loadStateDict({ ...a.stateDict(), name: 'sgd' }), /saved for 'sgd', loading into 'adam'/);
  assert.throws(() => a.loadStateDict({ ...a.stateDict(), state: [{ step: 0, expAvg: [1], expAvgSq: [0, 0], maxExpAvgSq: [0, 0] }] }), /'expAvg' expected 2 values/);
});
