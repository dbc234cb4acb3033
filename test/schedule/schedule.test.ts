// Schedules against torch.optim.lr_scheduler 2.13 (test/fixtures/schedule/lrs.json, made by
// test/fixtures/tools/make_schedule_lrs.py): the chainable (recursive) forms must agree to the last bits,
// which the closed forms do not; cyclic and oneCycle's momentum (SGD) and β₁ (Adam); composition
// (SequentialLR, ChainedScheduler) with torch's quirks; plateau's state machine; the CLI form parser;
// validation; state round trips; attaching to an optimizer; hyperparameter annealing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSchedule, attachSchedule, parseScheduleArg, scheduleLrs, anneal, sutskeverMomentum, plateauInit, plateauStep, plateauDefaults, type ScheduleSpec } from '../../src/schedule/index.js';
import { createOptimizer } from '../../src/optim/index.js';
import { DescentError } from '../../src/errors.js';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'schedule', 'lrs.json'), 'utf8'));

/** The functions the fixture names (FNS in make_schedule_lrs.py). */
const FNS: Record<string, (e: number) => number> = {
  'pow0.95': (e) => 0.95 ** e,
  '1-0.02e': (e) => 1 - 0.02 * e,
  halfEvery3: (e) => (e % 3 === 0 ? 0.5 : 1.0),
};
function withFns(s: ScheduleSpec): ScheduleSpec {
  const out: ScheduleSpec = { ...s };
  if (Array.isArray(s.schedules)) out.schedules = s.schedules.map(withFns);
  for (const k of ['fn', 'factor']) if (typeof s[k] === 'string') out[k] = FNS[s[k] as string];
  return out;
}
const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-15 * Math.abs(b);

for (const c of fixture.cases) {
  test(`torch lr sequence: ${JSON.stringify(c.spec)}`, () => {
    const s = createSchedule(withFns(c.spec), c.baseLr);
    const got = [s.lr];
    for (let i = 0; i < c.lrs.length - 1; i++) got.push(c.metrics ? s.step(c.metrics[i]) : s.step());
    // bit-exact where torch's arithmetic is reproducible in JS; 1e-15 relative leaves room for libm's cos and pow
    got.forEach((v, i) => assert.ok(close(v, c.lrs[i]), `step ${i}: ${v} vs torch ${c.lrs[i]}`));
  });
  if (c.optimizer === undefined) continue;
  test(`attached to torch.optim.${c.optimizer === 'adam' ? 'Adam' : 'SGD'}: lr${c.momentums ? ' and ' + (c.optimizer === 'adam' ? 'β₁' : 'momentum') : ''} of ${JSON.stringify(c.spec)}`, () => {
    const x = Float64Array.of(0), g = new Float64Array(1);
    const opt = createOptimizer(c.optimizer, { params: x, grads: g }, { lr: c.baseLr });
    const s = attachSchedule(opt, withFns(c.spec));
    const o = opt.paramGroups[0].options;
    const mom = (): number => (c.optimizer === 'adam' ? (o.betas as number[])[0] : (o.momentum as number));
    for (let i = 0; i < c.lrs.length; i++) {
      if (i > 0) {
        opt.step();
        s.step();
      }
      assert.ok(close(o.lr as number, c.lrs[i]), `step ${i}: lr ${o.lr} vs torch ${c.lrs[i]}`);
      if (c.momentums) assert.ok(close(mom(), c.momentums[i]), `step ${i}: momentum ${mom()} vs torch ${c.momentums[i]}`);
    }
  });
}

test('cosine: the recursive form (torch) and the closed form differ in the last bits; we follow torch', () => {
  const c = fixture.cases.find((x: { spec: { name: string; tMax?: number } }) => x.spec.name === 'cosine' && x.spec.tMax === 10);
  const closed = c.lrs.map((_: number, e: number) => (c.baseLr * (1 + Math.cos((Math.PI * e) / 10))) / 2);
  const differs = closed.some((v: number, i: number) => v !== c.lrs[i]);
  assert.ok(differs, 'expected the closed form to differ from torch somewhere');
  const ours = scheduleLrs(c.spec, c.baseLr, c.lrs.length - 1);
  ours.forEach((v, i) => assert.ok(Math.abs(v - c.lrs[i]) <= 1e-15 * Math.abs(c.lrs[i])));
});

test('CLI form NAME:KEY=VALUE with ; lists and composites', () => {
  assert.deepEqual(parseScheduleArg('step:stepSize=30,gamma=0.1'), { name: 'step', stepSize: 30, gamma: 0.1 });
  assert.deepEqual(parseScheduleArg('multistep:milestones=30;80,gamma=0.1'), { name: 'multistep', milestones: [30, 80], gamma: 0.1 });
  assert.deepEqual(parseScheduleArg('plateau:mode=max,patience=3'), { name: 'plateau', mode: 'max', patience: 3 });
  assert.deepEqual(parseScheduleArg('linear'), { name: 'linear' });
  assert.deepEqual(parseScheduleArg('cyclic:baseLr=0.01,maxLr=0.1,mode=triangular2,cycleMomentum=false,stepSizeDown=null'), {
    name: 'cyclic', baseLr: 0.01, maxLr: 0.1, mode: 'triangular2', cycleMomentum: 'false', stepSizeDown: null,
  });
  assert.deepEqual(parseScheduleArg('cyclic:baseLr=0.01,maxLr=0.1,mode=exp_range'), { name: 'cyclic', baseLr: 0.01, maxLr: 0.1, mode: 'exp_range' });
  assert.deepEqual(parseScheduleArg('linear:startFactor=0.1,totalIters=5 then@5 cosine:tMax=20'), {
    name: 'sequential',
    schedules: [{ name: 'linear', startFactor: 0.1, totalIters: 5 }, { name: 'cosine', tMax: 20 }],
    milestones: [5],
  });
  assert.deepEqual(parseScheduleArg('linear:startFactor=0.5,totalIters=4 and exponential:gamma=0.9'), {
    name: 'chained',
    schedules: [{ name: 'linear', startFactor: 0.5, totalIters: 4 }, { name: 'exponential', gamma: 0.9 }],
  });
  // the parsed composite reproduces torch's SequentialLR
  const c = fixture.cases.find((x: { spec: { name: string } }) => x.spec.name === 'sequential');
  const lrs = scheduleLrs('linear:startFactor=0.1,totalIters=5 then@5 cosine:tMax=20', c.baseLr, c.lrs.length - 1);
  lrs.forEach((v, i) => assert.ok(Math.abs(v - c.lrs[i]) <= 1e-15 * c.lrs[i]));
});

test('validation names the schedule and parameter', () => {
  const bad: [() => unknown, RegExp][] = [
    [() => createSchedule({ name: 'cosin', tMax: 3 }, 0.1), /unknown schedule 'cosin'; expected one of: step, multistep, exponential, cosine, linear, inverseTime, constant, polynomial, multiplicative, lambda, cyclic, oneCycle, cosineRestarts, plateau/],
    [() => createSchedule({ name: 'step' }, 0.1), /'step': parameter 'stepSize' is required/],
    [() => createSchedule({ name: 'step', stepSize: 0 }, 0.1), /stepSize: expected an integer >= 1/],
    [() => createSchedule({ name: 'step', stepSize: 3, gama: 0.1 }, 0.1), /unknown parameter 'gama'; expected one of: stepSize, gamma/],
    [() => createSchedule('multistep:milestones=a;b', 0.1), /expected numbers separated by ';'/],
    [() => createSchedule({ name: 'linear', startFactor: 0 }, 0.1), /startFactor: expected a number in \(0, 1\]/],
    [() => createSchedule({ name: 'plateau', mode: 'minimum' }, 0.1), /mode: expected "min" or "max"/],
    [() => createSchedule({ name: 'plateau', factor: 1 }, 0.1), /factor: expected a number in \[0, 1\)/],
    [() => createSchedule({ name: 'sequential', schedules: [{ name: 'linear' }, { name: 'cosine', tMax: 3 }], milestones: [] }, 0.1), /milestones: expected 1 increasing/],
    [() => createSchedule({ name: 'chained', schedules: [{ name: 'plateau' }] }, 0.1), /'plateau' cannot be part/],
    [() => createSchedule({ name: 'inverseTime', k: -1 }, 0.1), /k: expected a number >= 0/],
    [() => createSchedule({ name: 'constant', factor: 0 }, 0.1), /'constant': factor: expected a number in \(0, 1\]/],
    [() => createSchedule({ name: 'polynomial', totalIters: 2.5 }, 0.1), /'polynomial': totalIters: expected an integer >= 1/],
    [() => createSchedule({ name: 'multiplicative' }, 0.1), /'multiplicative': parameter 'factor' is required/],
    [() => createSchedule('multiplicative:factor=fast', 0.1), /'multiplicative': factor: expected a number or \(in the library\) a function/],
    [() => createSchedule('lambda:fn=2', 0.1), /'lambda': fn: expected a function of the step/],
    [() => createSchedule({ name: 'cyclic', maxLr: 0.1 }, 0.1), /'cyclic': parameter 'baseLr' is required/],
    [() => createSchedule('cyclic:baseLr=0.01,maxLr=0.1,mode=triangle', 0.1), /'cyclic': mode: expected "triangular" or "triangular2" or "exp_range", got "triangle"/],
    [() => createSchedule('cyclic:baseLr=0.01,maxLr=0.1,cycleMomentum=maybe', 0.1), /'cyclic': cycleMomentum: expected true or false/],
    [() => createSchedule('cyclic:baseLr=0.01,maxLr=0.1,stepSizeUp=0', 0.1), /stepSizeUp: expected an integer >= 1/],
    [() => createSchedule('oneCycle:maxLr=0.1', 0.1), /'oneCycle': expected totalSteps, or epochs and stepsPerEpoch/],
    [() => createSchedule('oneCycle:maxLr=0.1,epochs=3', 0.1), /'oneCycle': expected totalSteps, or epochs and stepsPerEpoch/],
    [() => createSchedule('oneCycle:maxLr=0.1,totalSteps=10,pctStart=1.5', 0.1), /pctStart: expected a number in \[0, 1\]/],
    [() => createSchedule('oneCycle:maxLr=0.1,totalSteps=10,annealStrategy=cosine', 0.1), /annealStrategy: expected "cos" or "linear"/],
    [() => createSchedule('cosineRestarts:t0=0', 0.1), /'cosineRestarts': t0: expected an integer >= 1/],
    [() => createSchedule('cosineRestarts:t0=3,tMult=1.5', 0.1), /tMult: expected an integer >= 1/],
    [() => createSchedule('cosineRestarts:t0=3,tmult=2', 0.1), /unknown parameter 'tmult'; expected one of: t0, tMult, etaMin/],
  ];
  for (const [f, re] of bad) assert.throws(f, (e: unknown) => e instanceof DescentError && e.kind === 'input' && re.test(e.message), String(re));
  assert.throws(() => createSchedule({ name: 'plateau' }, 0.1).step(), /needs the metric/);
});

test('state() / load() resume the identical sequence (simple, composite, plateau)', () => {
  for (const c of fixture.cases) {
    const a = createSchedule(withFns(c.spec), c.baseLr);
    const m = (i: number): number | undefined => (c.metrics ? c.metrics[i] : undefined);
    for (let i = 0; i < 6; i++) a.step(m(i));
    const saved = JSON.parse(JSON.stringify(a.state()));
    const b = createSchedule(withFns(c.spec), c.baseLr);
    b.load(saved);
    for (let i = 6; i < c.lrs.length - 1; i++) assert.equal(b.step(m(i)), a.step(m(i)));
  }
});

test('plateau is an explicit state machine: transitions return new states', () => {
  // patience 1, factor 0.5, worked by hand:
  // best = 5 (better than +inf); 5 again: bad 1; 5 again: bad 2 > 1 → lr 1 → 0.5, bad reset to 0
  const o = { ...plateauDefaults, patience: 1, factor: 0.5 };
  const s0 = plateauInit(1, o);
  const s1 = plateauStep(s0, 5, o);
  const s2 = plateauStep(s1, 5, o);
  const s3 = plateauStep(s2, 5, o);
  assert.deepEqual(s0, { lr: 1, best: Infinity, numBadEpochs: 0, cooldownCounter: 0, lastEpoch: 0 });
  assert.deepEqual(s1, { lr: 1, best: 5, numBadEpochs: 0, cooldownCounter: 0, lastEpoch: 1 });
  assert.deepEqual(s2, { lr: 1, best: 5, numBadEpochs: 1, cooldownCounter: 0, lastEpoch: 2 });
  assert.deepEqual(s3, { lr: 0.5, best: 5, numBadEpochs: 0, cooldownCounter: 0, lastEpoch: 3 });
});

test('hyperparameter annealing: momentum 0.5 → 0.99', () => {
  const lin = anneal({ from: 0.5, to: 0.99, steps: 100 });
  assert.equal(lin(0), 0.5);
  assert.equal(lin(50), 0.745);
  assert.equal(lin(100), 0.99);
  assert.equal(lin(1000), 0.99);
  const cos = anneal({ from: 0.5, to: 0.99, steps: 100, shape: 'cosine' });
  assert.equal(cos(0), 0.5);
  assert.ok(Math.abs(cos(50) - 0.745) < 1e-15);
  const ex = anneal({ from: 0.5, to: 0.99, steps: 10, shape: 'exponential' });
  assert.ok(Math.abs(ex(5) - Math.sqrt(0.5 * 0.99)) < 1e-15);
  // Sutskever et al. 2013: 1 − 2^(−1 − log2(⌊t/250⌋ + 1)): 0.5, 0.75, 0.8333.., then capped at 0.99
  const s = sutskeverMomentum();
  assert.equal(s(0), 0.5);
  assert.equal(s(250), 0.75);
  assert.ok(Math.abs(s(500) - (1 - 1 / 6)) < 1e-15);
  assert.equal(s(1e6), 0.99);
  assert.throws(() => anneal({ from: 0.5, to: 0.99, steps: 0 }), /steps: expected an integer >= 1/);
});

test('oneCycle refuses a step past totalSteps (torch raises); runFirstOrder says so before the run', () => {
  const s = createSchedule('oneCycle:maxLr=0.1,totalSteps=3', 0.1);
  assert.equal(s.maxSteps, 3);
  for (let i = 0; i < 3; i++) s.step();
  assert.throws(() => s.step(), /'oneCycle': stepped 4 times, beyond totalSteps 3/);
});

test('cycleMomentum needs an optimizer with momentum or β₁ (torch raises the same); without it, it is fine', () => {
  const x = Float64Array.of(1), g = new Float64Array(1);
  const opt = createOptimizer('adagrad', { params: x, grads: g }, { lr: 0.1 });
  assert.throws(() => attachSchedule(opt, 'cyclic:baseLr=0.01,maxLr=0.1'), (e: unknown) => e instanceof DescentError && /cycleMomentum needs an optimizer with momentum or betas; set cycleMomentum=false/.test(e.message));
  assert.throws(() => attachSchedule(opt, 'oneCycle:maxLr=0.1,totalSteps=5'), /cycleMomentum needs/);
  const s = attachSchedule(opt, 'cyclic:baseLr=0.01,maxLr=0.1,stepSizeUp=2,cycleMomentum=false');
  assert.equal(opt.paramGroups[0].options.lr, 0.01);
  s.step();
  assert.equal(opt.paramGroups[0].options.lr, 0.01 + (0.1 - 0.01) * 0.5); // torch's base + height·scale, half way up
});

test('attached as torch: the base lr is each param group\'s own lr, step() sets the groups, no second base lr', () => {
  const a = Float64Array.of(1, 2), b = Float64Array.of(3);
  const opt = createOptimizer('sgd', [{ params: a, grads: new Float64Array(2) }, { params: b, grads: new Float64Array(1), options: { lr: 0.4 } }], { lr: 0.1 });
  const s = attachSchedule(opt, { name: 'step', stepSize: 1, gamma: 0.5 });
  assert.equal(s.lr, 0.1);
  s.step();
  assert.deepEqual(opt.paramGroups.map((p) => p.options.lr), [0.05, 0.2]);
  // the same spec with createSchedule(spec, optimizer); a state round trip carries every group
  const st = JSON.parse(JSON.stringify(s.state()));
  const opt2 = createOptimizer('sgd', [{ params: a, grads: new Float64Array(2) }, { params: b, grads: new Float64Array(1), options: { lr: 0.4 } }], { lr: 0.1 });
  const s2 = createSchedule({ name: 'step', stepSize: 1, gamma: 0.5 }, opt2);
  s2.load(st);
  s.step();
  s2.step();
  assert.deepEqual(opt2.paramGroups.map((p) => p.options.lr), [0.025, 0.1]);
  assert.deepEqual(opt2.paramGroups.map((p) => p.options.lr), opt.paramGroups.map((p) => p.options.lr));
  // β₁ cycling writes a new pair and leaves β₂ alone; the optimizer's state dict resumes the cycle
  const x = Float64Array.of(0), g = new Float64Array(1);
  const adam = createOptimizer('adam', { params: x, grads: g }, { lr: 0.01, betas: [0.5, 0.99] });
  const oc = attachSchedule(adam, 'oneCycle:maxLr=0.1,totalSteps=10');
  assert.deepEqual(adam.paramGroups[0].options.betas, [0.95, 0.99]);
  assert.equal(adam.paramGroups[0].options.lr, 0.1 + ((0.1 / 25 - 0.1) / 2) * 2); // cos annealing at pct 0 from max_lr/div_factor
  assert.equal(oc.momentum, 0.95);
  assert.throws(() => attachSchedule({ paramGroups: [] }, 'step:stepSize=1'), /expected an optimizer \(with param groups\) or a base lr/);
});
