// Schedules against torch.optim.lr_scheduler 1.13 (test/fixtures/schedule/lrs.json, made by
// test/fixtures/tools/make_schedule_lrs.py): the chainable (recursive) forms must agree to the last bits,
// which the closed forms do not; composition (SequentialLR, ChainedScheduler); plateau's state machine;
// the CLI form parser; validation; state round trips; hyperparameter annealing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSchedule, parseScheduleArg, scheduleLrs, anneal, sutskeverMomentum, plateauInit, plateauStep, plateauDefaults } from '../../src/schedule/index.js';
import { DescentError } from '../../src/errors.js';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'schedule', 'lrs.json'), 'utf8'));

for (const c of fixture.cases) {
  test(`torch lr sequence: ${JSON.stringify(c.spec)}`, () => {
    const s = createSchedule(c.spec, c.baseLr);
    const got = [s.lr];
    for (let i = 0; i < c.lrs.length - 1; i++) got.push(c.metrics ? s.step(c.metrics[i]) : s.step());
    // bit-exact where torch's arithmetic is reproducible in JS; 1e-15 relative leaves room for libm's cos
    got.forEach((v, i) => assert.ok(Math.abs(v - c.lrs[i]) <= 1e-15 * Math.abs(c.lrs[i]), `step ${i}: ${v} vs torch ${c.lrs[i]}`));
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
    [() => createSchedule({ name: 'cosin', tMax: 3 }, 0.1), /unknown schedule 'cosin'; expected one of: step, multistep, exponential, cosine, linear, inverseTime, plateau/],
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
  ];
  for (const [f, re] of bad) assert.throws(f, (e: unknown) => e instanceof DescentError && e.kind === 'input' && re.test(e.message), String(re));
  assert.throws(() => createSchedule({ name: 'plateau' }, 0.1).step(), /needs the metric/);
});

test('state() / load() resume the identical sequence (simple, composite, plateau)', () => {
  for (const c of fixture.cases) {
    const a = createSchedule(c.spec, c.baseLr);
    const m = (i: number): number | undefined => (c.metrics ? c.metrics[i] : undefined);
    for (let i = 0; i < 6; i++) a.step(m(i));
    const saved = JSON.parse(JSON.stringify(a.state()));
    const b = createSchedule(c.spec, c.baseLr);
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
