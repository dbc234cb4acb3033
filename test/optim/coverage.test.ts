// The optimizer × option × precision × schedule audit (docs/optimizers.md, "Coverage"):
// - every torch option of every optimizer has a float64 torch trajectory (replayed by fixtures.test.ts) and a
//   float32 one; every optimizer runs under at least one schedule in float64 and in float32; the matrix in the
//   docs is exactly what scripts/optim-coverage.ts reads from the fixture specs;
// - options in combination (4 random configurations per optimizer, each with a random schedule or none) and
//   every optimizer × every schedule follow torch float64 to 1e-7 (test/fixtures/optimize-combos,
//   make_combination_cases.py and make_schedule_grid_cases.py);
// - float32 trajectories with every option set at once under a schedule follow torch float32
//   (test/fixtures/optimize-float32/options-schedules.json, make_float32_option_cases.py);
// - stateDict/loadStateDict plus the schedule's state() / load() mid-trajectory continue the identical
//   trajectory for every optimizer × every schedule, float32 and float64;
// - maximize mirrors minimize bit for bit for every optimizer that has it, with its options set;
// - momentum changed between steps (annealed 0.5 → 0.99, and raised from 0 with dampening) and Adam's β₁
//   annealed 0.5 → 0.9 follow torch (test/fixtures/optimize-anneal, make_anneal_case.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOptimizer, optimizers, type FloatArray } from '../../src/optim/index.js';
import { runFirstOrder } from '../../src/search/index.js';
import { createSchedule, type ScheduleSpec } from '../../src/schedule/index.js';
import { DescentError } from '../../src/errors.js';
import { makeObjective } from '../../src/objectives/index.js';
import {
  optionCells, scheduleCells, fixtureCases, torchOptimizers, scheduleColumns, renderCoverage, docsWithCoverage,
} from '../../scripts/optim-coverage.js';

const root = join(import.meta.dirname, '..', '..');
const f32 = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'optimize-float32', 'options-schedules.json'), 'utf8'));
const A: number[][] = f32.A, bv: number[] = f32.b;

/** s·(A·x − b) computed in float64 from x, stored in g (rounded to float32 when g is). */
function quadGrad(x: FloatArray, g: FloatArray, s = 1): void {
  for (let i = 0; i < 3; i++) g[i] = s * (A[i][0] * x[0] + A[i][1] * x[1] + A[i][2] * x[2] - bv[i]);
}
/** ½xᵀAx − bᵀx, the metric plateau watches. */
function quadValue(x: FloatArray): number {
  let f = 0;
  for (let i = 0; i < 3; i++) f += 0.5 * x[i] * (A[i][0] * x[0] + A[i][1] * x[1] + A[i][2] * x[2]) - bv[i] * x[i];
  return f;
}

test('coverage: every torch option has a float64 and a float32 torch trajectory; every optimizer runs under every schedule in float64 and some schedule in float32', () => {
  const missing: string[] = [];
  for (const c of optionCells()) {
    if (c.other) continue; // descent-only (epsInside): closed-form tests, listed in the matrix
    if (c.float64.length === 0) missing.push(`${c.optimizer}.${c.option} float64`);
    if (c.float32.length === 0) missing.push(`${c.optimizer}.${c.option} float32`);
  }
  const sc = scheduleCells();
  for (const name of torchOptimizers) {
    const precisions = new Set(Object.values(sc[name]).flat());
    if (!precisions.has('float32')) missing.push(`${name} with a schedule in float32`);
    for (const s of scheduleColumns) if (!sc[name][s].includes('float64')) missing.push(`${name} × ${s} float64`);
  }
  // every schedule of the contract (and the sequential composite) drives some float64 trajectory
  const used = new Set(fixtureCases().filter((c) => c.precision === 'float64').map((c) => c.schedule));
  for (const s of scheduleColumns) if (!used.has(s)) missing.push(`schedule ${s} float64`);
  assert.deepEqual(missing, []);
  // the matrix lists every option of the registry (lr aside), so a new option shows up as a row to cover
  for (const name of torchOptimizers) {
    const rows = optionCells().filter((c) => c.optimizer === name).map((c) => c.option);
    assert.deepEqual(rows, Object.keys(optimizers[name].defaults).filter((k) => k !== 'lr'), name);
  }
});

test('coverage: docs/optimizers.md holds the matrix as scripts/optim-coverage.ts renders it from the fixtures', () => {
  const docs = readFileSync(join(root, 'docs', 'optimizers.md'), 'utf8');
  assert.equal(docs, docsWithCoverage(docs, renderCoverage()), 'run `npx tsx scripts/optim-coverage.ts --write`');
});

const combos = (file: string) => JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'optimize-combos', file), 'utf8')).cases;
for (const [file, what, count] of [
  ['cases.json', 'options in combination: 4 random configurations per optimizer, each under a random schedule or none,', 52],
  ['schedule-grid.json', 'every optimizer × every schedule (composites included)', 126],
] as const) test(`${what} follow torch float64 to 1e-7`, () => {
  const cases = combos(file);
  for (const c of cases) {
    const { name, ...options } = c.spec.optimizer;
    const r = runFirstOrder({
      objective: makeObjective(c.spec.function, c.spec.x0.length), x0: c.spec.x0, optimizer: name, options, steps: c.spec.steps, schedule: c.spec.schedule,
    });
    const where = `${JSON.stringify(c.spec.optimizer)} ${JSON.stringify(c.spec.schedule ?? null)}`;
    for (let t = 0; t < r.path.length; t++) {
      for (let i = 0; i < 3; i++) {
        const want = c.path[t][i];
        assert.ok(Math.abs(r.path[t][i] - want) <= 1e-7 * Math.max(1, Math.abs(want)), `${where} step ${t} x[${i}]: ${r.path[t][i]} vs torch ${want}`);
      }
      assert.ok(Math.abs(r.values[t] - c.values[t]) <= 1e-7 * Math.max(1, Math.abs(c.values[t])), `${where} step ${t} f`);
    }
  }
  assert.equal(cases.length, count);
});

test('float32: every optimizer with all its options set, under a schedule, follows torch float32', () => {
  const worst: Record<string, number> = {};
  for (const c of f32.cases) {
    const { name, ...o } = c.optimizer;
    const x = Float32Array.from(f32.x0), g = new Float32Array(3);
    const opt = createOptimizer(name, { params: x, grads: g }, o);
    const sched = createSchedule(c.schedule as ScheduleSpec, o.lr);
    const group = opt.paramGroups[0];
    group.options.lr = sched.lr;
    let w = 0;
    for (let t = 1; t < c.path.length; t++) {
      quadGrad(x, g, c.sign);
      // the lr of each step, from our schedule, against torch's (Python floats: exact up to libm's cos)
      assert.ok(Math.abs((group.options.lr as number) - c.lrs[t - 1]) <= 1e-15 * c.lrs[t - 1], `${name} lr at step ${t}`);
      opt.step();
      group.options.lr = sched.step();
      for (let i = 0; i < 3; i++) w = Math.max(w, Math.abs(x[i] - c.path[t][i]) / Math.max(1, Math.abs(c.path[t][i])));
    }
    worst[`${name} ${JSON.stringify(o)} ${JSON.stringify(c.schedule.name)}`] = w;
    // torch rounds every intermediate to float32, we round what is stored: agreement to a few float32 ulps
    // compounded over 40 steps (measured worst 5.4e-7, adamw under warm-up then cosine)
    assert.ok(w < 5e-6, `${name} ${JSON.stringify(o)}: worst relative difference ${w}`);
  }
  assert.equal(Object.keys(worst).length, 20);
});

/** Each optimizer with its options set (maximize aside); descent's extension and epsInside forms too. */
const rich: [string, Record<string, unknown>][] = [
  ...f32.cases.map((c: { optimizer: Record<string, unknown> }) => {
    const { name, maximize: _m, ...o } = c.optimizer;
    return [name as string, o] as [string, Record<string, unknown>];
  }),
  ['adagrad', { lr: 0.1, epsInside: true, lrDecay: 0.01 }],
  ['rmsprop', { lr: 0.01, epsInside: true, momentum: 0.3 }],
  ['rmsprop-nesterov', { lr: 0.01, momentum: 0.8, alpha: 0.9, eps: 1e-6, epsInside: false }],
  ['rmsprop-nesterov', { lr: 0.01 }],
];

const schedules: ScheduleSpec[] = [
  { name: 'step', stepSize: 5, gamma: 0.5 },
  { name: 'multistep', milestones: [4, 9, 9, 20], gamma: 0.5 },
  { name: 'exponential', gamma: 0.9 },
  { name: 'cosine', tMax: 8, etaMin: 0.001 }, // restarts past tMax within the run
  { name: 'linear', startFactor: 0.2, totalIters: 15 },
  { name: 'inverseTime', k: 0.3 },
  { name: 'plateau', patience: 1, factor: 0.5, threshold: 0.05, cooldown: 2 },
  { name: 'sequential', schedules: [{ name: 'linear', startFactor: 0.1, totalIters: 6 }, { name: 'cosine', tMax: 20 }], milestones: [6] },
  { name: 'chained', schedules: [{ name: 'linear', startFactor: 0.5, totalIters: 4 }, { name: 'exponential', gamma: 0.95 }] },
];

/** Runs opt + schedule from `x` for `steps` steps as runFirstOrder does (step, then the schedule on f). */
function advance(x: FloatArray, g: FloatArray, opt: ReturnType<typeof createOptimizer>, sched: ReturnType<typeof createSchedule>, steps: number): void {
  for (let t = 0; t < steps; t++) {
    quadGrad(x, g);
    opt.step();
    opt.paramGroups[0].options.lr = sched.step(quadValue(x));
  }
}

test('stateDict + schedule state mid-trajectory: every optimizer × every schedule continues the identical trajectory (float32, float64)', () => {
  let runs = 0;
  for (const T of [Float64Array, Float32Array]) {
    for (const [name, o] of rich) {
      for (const spec of schedules) {
        const make = (x: FloatArray, g: FloatArray) => {
          const opt = createOptimizer(name, { params: x, grads: g }, o);
          const sched = createSchedule(spec, opt.paramGroups[0].options.lr as number);
          opt.paramGroups[0].options.lr = sched.lr;
          return { opt, sched };
        };
        const whole = T.from(f32.x0) as FloatArray, gw = new T(3) as FloatArray;
        const a = make(whole, gw);
        advance(whole, gw, a.opt, a.sched, 30);

        const part = T.from(f32.x0) as FloatArray, gp = new T(3) as FloatArray;
        const b = make(part, gp);
        advance(part, gp, b.opt, b.sched, 12);
        // through JSON, as a checkpoint file would carry them
        const sd = b.opt.stateDict();
        const saved = JSON.parse(JSON.stringify({
          opt: { ...sd, state: sd.state.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? v : Array.from(v)]))) },
          sched: b.sched.state(),
        }));
        const resumed = T.from(part) as FloatArray, gr = new T(3) as FloatArray;
        const c = make(resumed, gr);
        c.opt.loadStateDict(saved.opt);
        c.sched.load(saved.sched);
        advance(resumed, gr, c.opt, c.sched, 18);
        assert.deepEqual(Array.from(resumed), Array.from(whole), `${name} ${JSON.stringify(o)} ${spec.name} ${T.name}`);
        assert.notDeepEqual(Array.from(whole), f32.x0);
        runs++;
      }
    }
  }
  assert.equal(runs, 2 * rich.length * schedules.length);
});

test('maximize mirrors minimize bit for bit, every optimizer that has it, options set, float32 and float64 (nadam\'s torch113 rule has none)', () => {
  let mirrored = 0;
  for (const T of [Float64Array, Float32Array]) {
    for (const [name, o] of rich) {
      if (o.torch113) continue; // refused with maximize: properties.test.ts
      if (!('maximize' in (optimizers as Record<string, { defaults: object }>)[name].defaults)) {
        const x = new T(3) as FloatArray;
        assert.throws(() => createOptimizer(name, { params: x, grads: new T(3) as FloatArray }, { ...o, maximize: true }),
          (e: unknown) => e instanceof DescentError && /unknown hyperparameter 'maximize'/.test(e.message), name);
        continue;
      }
      const a = T.from(f32.x0) as FloatArray, ga = new T(3) as FloatArray;
      const b = T.from(f32.x0) as FloatArray, gb = new T(3) as FloatArray;
      const min = createOptimizer(name, { params: a, grads: ga }, o);
      const max = createOptimizer(name, { params: b, grads: gb }, { ...o, maximize: true });
      for (let t = 0; t < 40; t++) {
        quadGrad(a, ga); min.step();
        quadGrad(b, gb, -1); max.step(); // ascend −f
        assert.deepEqual(Array.from(b), Array.from(a), `${name} ${JSON.stringify(o)} ${T.name} step ${t}`);
      }
      mirrored++;
    }
  }
  assert.ok(mirrored >= 2 * 12, `${mirrored} configurations mirrored`);
});

test('hyperparameters set between steps follow torch: momentum annealed 0.5 → 0.99 and raised from 0 (the buffer starts at the first step with momentum), Adam β₁ annealed 0.5 → 0.9', () => {
  const rosen = makeObjective('rosenbrock', 2);
  for (const file of ['momentum.json', 'momentum-from-zero.json', 'beta1.json']) {
    const c = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'optimize-anneal', file), 'utf8'));
    const { name, ...o } = c.optimizer;
    const x = Float64Array.from(c.path[0]), g = new Float64Array(2);
    const opt = createOptimizer(name, { params: x, grads: g }, o);
    const steps = (c.momentum ?? c.betas).length;
    for (let t = 0; t < steps; t++) {
      if (c.momentum) opt.paramGroups[0].options.momentum = c.momentum[t];
      else opt.paramGroups[0].options.betas = [c.betas[t], 0.999];
      rosen.valueAndGrad(x, g);
      opt.step();
      for (let i = 0; i < 2; i++) {
        const want = c.path[t + 1][i];
        assert.ok(Math.abs(x[i] - want) <= 1e-7 * Math.max(1, Math.abs(want)), `${file} step ${t + 1} x[${i}]: ${x[i]} vs torch ${want}`);
      }
    }
  }
});
