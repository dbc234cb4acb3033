// `descent train` against torch 1.13 on the regression set of the train fuzzer (needs `npm run build`
// first). test/fixtures/tools/fuzz_train.py draws random valid configurations (built-ins by name with
// their defaults, CSV subsets with the target column inside, any model with any loss the target allows,
// every torch optimizer and option, schedules per epoch and per step, composites, flags left at their
// defaults) and runs each through the CLI and torch; the draws kept here are the most diverse ones and
// every one that found a bug. Each replays its exact args: per epoch trainLoss and valLoss within 2e-4
// relative, the lr within 1e-9, valAccuracy exactly; epochs run, best epoch; final weights within 1e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { scratchDir } from '../helpers/scratch.js';
import { closeRel as close, repo, runDescent as descent, type TrainFixtureExpected } from '../helpers/cli.js';

const fixtures = join(repo, 'test', 'fixtures', 'train-fuzz');

interface Expected extends TrainFixtureExpected {
  stoppedEarly: boolean;
  bestEpoch: number;
  /** Why the draw is kept: the bug it found, or what it covers. */
  kept: string;
}

const cases = readdirSync(fixtures).filter((c) => !c.endsWith('.json')).sort();
const expected = (name: string) => JSON.parse(readFileSync(join(fixtures, name, 'expected.json'), 'utf8')) as Expected;
const flag = (a: string[], f: string) => (a.includes(f) ? a[a.indexOf(f) + 1] : undefined);

test('the fuzz regression set spans built-ins and CSV files, every loss, composite and per-step schedules, and left-out defaults', () => {
  const all = cases.map((c) => expected(c).args);
  assert.ok(cases.length >= 10, `${cases.length} cases`);
  const data = all.map((a) => flag(a, '--data')!);
  assert.ok(data.some((d) => d.endsWith('.csv')) && data.some((d) => !d.endsWith('.csv')), 'a CSV file and a built-in by name');
  // a CSV whose target column is not the last one
  assert.ok(cases.some((c) => {
    const a = expected(c).args;
    if (flag(a, '--data') !== 'data.csv') return false;
    const head = readFileSync(join(fixtures, c, 'data.csv'), 'utf8').split('\n')[0].split(',');
    return head.indexOf(flag(a, '--target')!) < head.length - 1;
  }), 'a target column inside the CSV');
  const losses = new Set(all.map((a) => flag(a, '--loss') ?? 'default'));
  for (const l of ['mse', 'bce', 'ce', 'hinge', 'default']) assert.ok(losses.has(l), `loss ${l}`);
  assert.ok(all.some((a) => / then@\d+ | and /.test(flag(a, '--schedule') ?? '')), 'a composite schedule');
  assert.ok(all.some((a) => flag(a, '--schedule-every') === 'batch'), 'a schedule per step');
  assert.ok(all.some((a) => /multistep:milestones=\d+(,|$)/.test(flag(a, '--schedule') ?? '')), 'a one-milestone multistep (the first bug)');
  assert.ok(all.some((a) => flag(a, '--opt') === 'rprop'), 'rprop (the second bug)');
  assert.ok(all.some((a) => !a.includes('--opt')) && all.some((a) => !a.includes('--lr')), 'the default optimizer and an optimizer default lr');
});

for (const name of cases) {
  test(`fuzz case ${name}: per-epoch numbers and final weights as torch`, () => {
    const dir = join(fixtures, name);
    const exp = expected(name);
    const out = join(scratchDir('descent-train-fuzz-'), 'final.safetensors');
    const r = descent(exp.args.map((a) => (a === 'OUT' ? out : a)), { cwd: dir });
    assert.equal(r.status, 0, `${name} (${exp.kept}): ${r.stderr}`);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const done = lines.pop();
    assert.equal(done.done, true);
    assert.equal(lines.length, exp.epochs, 'epochs run');
    lines.forEach((l, e) => {
      const at = `${name} epoch ${e + 1}`;
      assert.ok(close(l.trainLoss, exp.trainLoss[e], 2e-4), `${at}: trainLoss ${l.trainLoss} vs torch ${exp.trainLoss[e]}`);
      assert.ok(close(l.lr, exp.lr[e], 1e-9), `${at}: lr ${l.lr} vs torch ${exp.lr[e]}`);
      if (exp.valLoss) assert.ok(close(l.valLoss, exp.valLoss[e], 2e-4), `${at}: valLoss ${l.valLoss} vs torch ${exp.valLoss[e]}`);
      else assert.equal(l.valLoss, undefined);
      if (exp.valAccuracy) assert.ok(Math.abs(l.valAccuracy - exp.valAccuracy[e]) < 1e-6, `${at}: valAccuracy ${l.valAccuracy} vs torch ${exp.valAccuracy[e]}`);
      else assert.equal(l.valAccuracy, undefined);
    });
    assert.equal(done.stoppedEarly, exp.stoppedEarly);
    assert.equal(done.bestEpoch, exp.bestEpoch);
    const got = parseSafetensors(new Uint8Array(readFileSync(out)));
    const want = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'final.safetensors'))));
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
    for (const k of Object.keys(want)) {
      assert.deepEqual(got[k].shape, want[k].shape, k);
      want[k].data.forEach((w, i) => assert.ok(Math.abs(got[k].data[i] - w) <= 1e-3 * Math.max(1, Math.abs(w)), `${name} ${k}[${i}]: ${got[k].data[i]} vs torch ${w}`));
    }
  });
}
