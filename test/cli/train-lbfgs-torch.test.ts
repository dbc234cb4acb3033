// `descent train --opt lbfgs-torch` against torch.optim.LBFGS 1.13 in float32 (needs `npm run build` first).
// Each case of test/fixtures/train-lbfgs-torch (made by test/fixtures/tools/make_lbfgs_torch_train_cases.py:
// the same init weights, data and batch order as the train-rules cases, each batch one opt.step(closure))
// runs its expected.args through the CLI: per-epoch trainLoss and validation loss within 2e-4 relative, final
// weights within 1e-3, the closure calls equal to torch's func_evals. Also: --batch full stays SciPy-style for
// --opt lbfgs, and flags lbfgs-torch cannot honour are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { scratchDir } from '../helpers/scratch.js';
import { closeRel as close, repo, runDescent as descent, type TrainFixtureExpected } from '../helpers/cli.js';

const fixtures = join(repo, 'test', 'fixtures', 'train-lbfgs-torch');

interface Expected extends TrainFixtureExpected {
  evaluations: number;
}

const weights = (file: string) => parseSafetensors(new Uint8Array(readFileSync(file)));

const cases = readdirSync(fixtures).sort();

test('the cases cover both line-search settings, minibatches and full batches, shuffled and not, a penalty and validation rows', () => {
  const args = cases.map((c) => (JSON.parse(readFileSync(join(fixtures, c, 'expected.json'), 'utf8')) as Expected).args);
  const value = (a: string[], flag: string) => (a.includes(flag) ? a[a.indexOf(flag) + 1] : undefined);
  assert.ok(args.every((a) => value(a, '--opt') === 'lbfgs-torch'));
  assert.ok(args.some((a) => value(a, '--line-search-fn') === 'strong_wolfe') && args.some((a) => value(a, '--line-search-fn') === undefined));
  assert.ok(args.some((a) => value(a, '--batch') === 'full') && args.some((a) => Number(value(a, '--batch')) > 1 && !a.includes('--no-shuffle')));
  assert.ok(args.some((a) => a.includes('--no-shuffle')) && args.some((a) => value(a, '--l2')) && args.some((a) => Number(value(a, '--val')) > 0));
});

for (const name of cases) {
  test(`torch.optim.LBFGS float32 training: ${name}`, () => {
    const dir = join(fixtures, name);
    const exp = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    const out = join(scratchDir('descent-lbfgs-torch-'), 'final.safetensors');
    const r = descent(exp.args.map((a) => (a === 'OUT' ? out : a)), { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const done = lines.pop();
    assert.equal(done.done, true);
    assert.equal(lines.length, exp.epochs);
    lines.forEach((l, e) => {
      assert.equal(l.epoch, e + 1);
      assert.ok(close(l.trainLoss, exp.trainLoss[e], 2e-4), `${name} epoch ${e + 1}: trainLoss ${l.trainLoss} vs torch ${exp.trainLoss[e]}`);
      assert.equal(l.lr, exp.lr[e]);
      if (exp.valLoss) assert.ok(close(l.valLoss, exp.valLoss[e], 2e-4), `${name} epoch ${e + 1}: valLoss ${l.valLoss} vs torch ${exp.valLoss[e]}`);
      if (exp.valAccuracy) assert.ok(Math.abs(l.valAccuracy - exp.valAccuracy[e]) < 1e-6, `${name} epoch ${e + 1}: valAccuracy`);
    });
    assert.equal(done.evaluations, exp.evaluations, `${name}: closure calls vs torch func_evals`);
    const got = weights(out), want = weights(join(dir, 'final.safetensors'));
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
    for (const k of Object.keys(want)) {
      want[k].data.forEach((w, i) => assert.ok(Math.abs(got[k].data[i] - w) <= 1e-3 * Math.max(1, Math.abs(w)), `${name} ${k}[${i}]: ${got[k].data[i]} vs torch ${w}`));
    }
  });
}

test('flags lbfgs-torch cannot honour are refused (exit 2, one line naming the flag)', () => {
  for (const extra of [['--schedule', 'step:stepSize=1'], ['--clip-norm', '1'], ['--early-stopping', '2', '--val', '0.2'], ['--on-nonfinite', 'skip-batch']]) {
    const r = descent(['train', '--data', 'iris', '--opt', 'lbfgs-torch', '--epochs', '1', ...extra], { cwd: repo });
    assert.equal(r.status, 2, extra.join(' '));
    assert.match(r.stderr, new RegExp(`^descent: error: ${extra[0]}.*lbfgs-torch.*\\n$`));
    assert.equal(r.stdout, '');
  }
});
