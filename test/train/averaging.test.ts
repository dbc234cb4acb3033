// Weight averaging against torch.optim.swa_utils 2.13 (test/fixtures/schedule/averaging.json, made by
// test/fixtures/tools/make_averaging_cases.py): AveragedModel's equal-weight SWA average and
// get_ema_multi_avg_fn's EMA (a small and a large lerp weight) in float64 and float32, SWALR's lr sequences
// (cos, linear, annealEpochs 0..5, from a hand-set lr); WeightAveraging's rules; `descent train --ema` and
// `--swa-start` resumed from a checkpoint continue both the raw and the averaged weights bit-identically.
// Whole training runs with EMA and SWA against torch are in test/cli/train-rules.test.ts (needs `npm run build`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AveragedModel, SWALR, WeightAveraging, emaAverage, swaAverage } from '../../src/train/averaging.js';
import { createOptimizer } from '../../src/optim/index.js';
import { DescentError } from '../../src/errors.js';
import { runDescent as descent } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'schedule', 'averaging.json'), 'utf8'));

for (const c of fixture.models) {
  test(`AveragedModel ${c.kind}${c.decay !== null ? ` decay ${c.decay}` : ''} ${c.dtype} follows torch`, () => {
    const T = c.dtype === 'float64' ? Float64Array : Float32Array;
    const params = T.from(c.params[0]);
    const avg = new AveragedModel(params, c.kind === 'swa' ? swaAverage() : emaAverage(c.decay));
    // torch's vectorized lerp fuses a multiply-add where JS rounds twice: one ulp per update at most
    const tol = c.dtype === 'float64' ? 1e-14 : 1e-6;
    c.params.forEach((p: number[], t: number) => {
      params.set(p);
      avg.update(params);
      c.averaged[t].forEach((w: number, i: number) => assert.ok(Math.abs(avg.weights[i] - w) <= tol * Math.max(1, Math.abs(w)), `update ${t + 1} [${i}]: ${avg.weights[i]} vs torch ${w}`));
    });
    assert.equal(avg.nAveraged, c.params.length);
    // the first update copies; the SWA average is the plain mean of what it took in
    if (c.kind === 'swa' && c.dtype === 'float64') {
      const mean = c.params[0].map((_: number, i: number) => c.params.reduce((s: number, p: number[]) => s + p[i], 0) / c.params.length);
      mean.forEach((m: number, i: number) => assert.ok(Math.abs(avg.weights[i] - m) < 1e-14));
    }
  });
}

for (const c of fixture.swalr) {
  test(`SWALR ${c.anneal} annealEpochs ${c.annealEpochs}${c.setLr !== null ? ` from a hand-set lr ${c.setLr}` : ''} follows torch`, () => {
    const x = Float64Array.of(0);
    const opt = createOptimizer('sgd', { params: x, grads: new Float64Array(1) }, { lr: c.lr });
    const s = new SWALR(opt, c.swaLr, c.annealEpochs, c.anneal);
    const lrs = [opt.paramGroups[0].options.lr as number];
    if (c.setLr !== null) opt.paramGroups[0].options.lr = c.setLr;
    for (let i = 0; i < 8; i++) lrs.push(s.step());
    lrs.forEach((v, i) => assert.ok(Math.abs(v - c.lrs[i]) <= 1e-15 * c.lrs[i], `step ${i}: ${v} vs torch ${c.lrs[i]}`));
  });
}

test('WeightAveraging: EMA after every step, SWA from its start epoch, swap in and out, validation', () => {
  const p = Float64Array.of(1, 2);
  const opt = createOptimizer('sgd', { params: p, grads: new Float64Array(2) }, { lr: 0.1 });
  const swa = new WeightAveraging({ swaStart: 2, swaLr: 0.05, swaAnnealEpochs: 0 }, p, opt);
  assert.equal(swa.endEpoch(1), false);
  assert.equal(swa.hasAverage, false);
  assert.equal(swa.withAveraged(() => p[0]), 1); // no average yet: the raw weights stand
  assert.equal(swa.endEpoch(2), true);
  p.set([3, 4]);
  assert.equal(swa.endEpoch(3), true);
  assert.deepEqual(Array.from(swa.weights), [2, 3]);
  assert.equal(swa.withAveraged(() => p[1]), 3);
  assert.deepEqual(Array.from(p), [3, 4]);
  assert.equal(swa.stepLr(), 0.05); // annealEpochs 0: at once
  const ema = new WeightAveraging({ ema: 0.5 }, p, opt);
  ema.afterStep();
  p.set([5, 6]);
  ema.afterStep();
  assert.deepEqual(Array.from(ema.weights), [4, 5]);
  const bad: [() => unknown, RegExp][] = [
    [() => new WeightAveraging({ ema: 1.5 }, p, opt), /ema: decay: expected a number in \[0, 1\]/],
    [() => new WeightAveraging({ swaStart: 0, swaLr: 0.1 }, p, opt), /--swa-start: expected an epoch >= 1/],
    [() => new WeightAveraging({ swaStart: 2, swaLr: -1 }, p, opt), /--swa-lr: expected a number >= 0/],
    [() => new WeightAveraging({ swaStart: 2, swaLr: 0.1, swaAnneal: 'cosine' as 'cos' }, p, opt), /--swa-anneal: expected cos or linear/],
    [() => new WeightAveraging({ ema: 0.9, swaStart: 2, swaLr: 0.1 } as never, p, opt), /choose one kind/],
  ];
  for (const [f, re] of bad) assert.throws(f, (e: unknown) => e instanceof DescentError && re.test(e.message), String(re));
});

test('descent train: bad averaging flags are one clear line each (exit 2)', () => {
  const base = ['train', '--data', 'iris', '--model', 'softmax', '--opt', 'sgd', '--lr', '0.1', '--epochs', '2'];
  const cases: [string[], RegExp][] = [
    [['--ema', '2'], /^descent: error: --ema: expected a decay in \[0, 1\], e\.g\. 0\.999, got '2'\n$/],
    [['--swa-lr', '0.1'], /^descent: error: --swa-lr: needs --swa-start E/],
    [['--swa-start', '2'], /^descent: error: --swa-start: needs --swa-lr X/],
    [['--swa-start', '2', '--swa-lr', '0.1', '--swa-anneal', 'cosine'], /^descent: error: --swa-anneal: expected cos or linear, got 'cosine'\n$/],
    [['--ema', '0.9', '--swa-start', '2', '--swa-lr', '0.1'], /^descent: error: --ema and --swa-\*: choose one/],
    [['--ema', '0.9', '--early-stopping', '2', '--val', '0.2'], /^descent: error: --early-stopping: not available with --ema or --swa-start/],
    [['--schedule', 'oneCycle:maxLr=0.1,totalSteps=1'], /^descent: error: --schedule oneCycle: this run steps it 2 times \(every epoch\), past its totalSteps 1\n$/],
  ];
  for (const [extra, re] of cases) {
    const r = descent([...base, ...extra]);
    assert.equal(r.status, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});

for (const flags of [['--ema', '0.8'], ['--swa-start', '3', '--swa-lr', '0.02', '--swa-anneal-epochs', '2'], ['--swa-start', '2', '--swa-lr', '0.02', '--schedule', 'cyclic:baseLr=0.01,maxLr=0.1,stepSizeUp=5', '--schedule-every', 'batch']]) {
  test(`descent train ${flags.join(' ')}: --resume continues the raw and the averaged weights bit-identically`, () => {
    const dir = scratchDir('descent-averaging-');
    const base = ['train', '--data', 'iris', '--model', 'mlp:6', '--opt', 'sgd', '--lr', '0.05', '--momentum', '0.9', '--batch', '16', '--val', '0.2', '--json', ...flags];
    const whole = descent([...base, '--epochs', '5', '--save', join(dir, 'whole.safetensors')]);
    assert.equal(whole.status, 0, whole.stderr);
    const first = descent([...base, '--epochs', '3', '--checkpoint', join(dir, 'ck.safetensors')]);
    assert.equal(first.status, 0, first.stderr);
    const rest = descent([...base, '--epochs', '5', '--resume', join(dir, 'ck.safetensors'), '--save', join(dir, 'resumed.safetensors')]);
    assert.equal(rest.status, 0, rest.stderr);
    const lines = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l));
    const w = lines(whole.stdout), a = lines(first.stdout), b = lines(rest.stdout);
    // every epoch line (trainLoss of the raw weights, lr, the averaged model's validation) is identical
    assert.deepEqual([...a.slice(0, 3), ...b.slice(0, 2)], w.slice(0, 5));
    assert.equal(b[2].valLoss, w[5].valLoss);
    assert.deepEqual(readFileSync(join(dir, 'resumed.safetensors')), readFileSync(join(dir, 'whole.safetensors')));
  });
}
