// `descent train` / `descent eval` end to end: spawns node bin/descent.js (needs `npm run build` first).
// Every torch train fixture (test/fixtures/train/*, made by torch_reference.py train) through the exact
// args of its expected.json: per-epoch trainLoss within 2e-4 relative, final weights within 1e-3.
// Then resume bit-identity, SIGINT, and the contract's error lines and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { scratchDir } from '../helpers/scratch.js';
import { bin, repo, runDescent } from '../helpers/cli.js';

const fixtures = join(repo, 'test', 'fixtures', 'train');

const descent = (args: string[], cwd = repo) => runDescent(args, { cwd });
const tmp = () => scratchDir('descent-train-');
const lines = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l));
const weights = (file: string) => parseSafetensors(new Uint8Array(readFileSync(file)));

for (const name of readdirSync(fixtures).sort()) {
  test(`train fixture ${name}: trainLoss per epoch and final weights match torch`, () => {
    const dir = join(fixtures, name);
    const exp = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
    const out = join(tmp(), 'final.safetensors');
    const r = descent(exp.args.map((a: string) => (a === 'OUT' ? out : a)), dir);
    assert.equal(r.status, 0, r.stderr);
    const ls = lines(r.stdout);
    const epochs = ls.filter((l) => !l.done);
    assert.equal(epochs.length, exp.trainLoss.length);
    epochs.forEach((l, e) => {
      assert.equal(l.epoch, e + 1);
      const want = exp.trainLoss[e];
      assert.ok(Math.abs(l.trainLoss - want) <= 2e-4 * Math.abs(want), `epoch ${e + 1}: ${l.trainLoss} vs torch ${want}`);
    });
    assert.equal(ls[ls.length - 1].done, true);
    const got = weights(out), want = weights(join(dir, 'final.safetensors'));
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
    for (const k of Object.keys(want)) {
      assert.deepEqual(got[k].shape, want[k].shape);
      assert.equal(got[k].dtype, 'F32');
      want[k].data.forEach((w, i) => assert.ok(Math.abs(got[k].data[i] - w) <= 1e-3 * Math.max(1, Math.abs(w)), `${k}[${i}]: ${got[k].data[i]} vs torch ${w}`));
    }
  });
}

// a shuffled, dropout, scheduled, validated run: every piece of state a checkpoint must carry
const baseArgs = ['train', '--data', 'iris', '--model', 'mlp:8', '--dropout', '0.2', '--opt', 'adam', '--lr', '0.01', '--batch', '16',
  '--schedule', 'step:stepSize=1,gamma=0.7', '--val', '0.2', '--seed', '7', '--json'];

for (const every of ['epoch', 'batch']) test(`resume (schedule every ${every}): 2 epochs + resume for 2 gives weights bit-identical to 4 epochs`, () => {
  const resumeArgs = [...baseArgs, '--schedule-every', every];
  const d = tmp();
  const full = descent([...resumeArgs, '--epochs', '4', '--save', join(d, 'full.safetensors')]);
  assert.equal(full.status, 0, full.stderr);
  const half = descent([...resumeArgs, '--epochs', '2', '--checkpoint', join(d, 'ck.safetensors')]);
  assert.equal(half.status, 0, half.stderr);
  const rest = descent([...resumeArgs, '--epochs', '4', '--resume', join(d, 'ck.safetensors'), '--save', join(d, 'resumed.safetensors')]);
  assert.equal(rest.status, 0, rest.stderr);
  const a = weights(join(d, 'full.safetensors')), b = weights(join(d, 'resumed.safetensors'));
  for (const k of Object.keys(a)) assert.deepEqual(Array.from(b[k].data), Array.from(a[k].data), k);
  // the epoch lines after resuming are those of the uninterrupted run, lr included
  const fl = lines(full.stdout).filter((l) => !l.done), rl = lines(rest.stdout).filter((l) => !l.done);
  assert.deepEqual(rl, fl.slice(2));
  assert.ok(fl[1].lr < fl[0].lr, 'the schedule stepped');
});

test('resume refuses a checkpoint made with other settings', () => {
  const resumeArgs = baseArgs;
  const d = tmp();
  assert.equal(descent([...resumeArgs, '--epochs', '1', '--checkpoint', join(d, 'ck.safetensors')]).status, 0);
  const r = descent([...resumeArgs.map((a) => (a === '0.01' ? '0.02' : a)), '--epochs', '2', '--resume', join(d, 'ck.safetensors')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^descent: error: --resume .*opt/);
});

test('SIGINT finishes the batch, writes a checkpoint, exits 130; the resumed run is bit-identical to an uninterrupted one', async () => {
  const d = tmp();
  const ck = join(d, 'ck.safetensors');
  const base = ['train', '--data', 'digits', '--model', 'mlp:32', '--dropout', '0.2', '--batch', '1', '--seed', '1', '--json'];
  const child = spawn(process.execPath, [bin, ...base, '--epochs', '1000', '--checkpoint', ck], { cwd: repo });
  let stdout = '', stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  // interrupt once the first epoch line is out (training is then certainly under way, most likely mid-epoch)
  const closed = new Promise<number | null>((res) => child.on('close', res));
  let exited = false;
  void closed.then(() => (exited = true));
  await new Promise<void>((res) => {
    const t = setInterval(() => {
      if (exited) { clearInterval(t); res(); } // it failed early: the assertions below say how
      else if (stdout.includes('"epoch"')) { clearInterval(t); child.kill('SIGINT'); res(); }
    }, 5);
  });
  // should SIGINT be ignored, fail instead of running 1000 epochs
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await closed;
  clearTimeout(guard);
  assert.equal(code, 130, stderr);
  const m = /^descent: interrupted after epoch (\d+), batch (\d+); checkpoint written to (.*ck\.safetensors) \(continue with --resume /.exec(stderr);
  assert.ok(m, stderr);
  assert.equal(m[3], ck);
  assert.doesNotMatch(stdout, /"done"/);
  const k = String(Number(m[1]) + 1); // finish the epoch that was cut short (or one more)
  const resumed = descent([...base, '--epochs', k, '--resume', ck, '--save', join(d, 'resumed.safetensors')]);
  assert.equal(resumed.status, 0, resumed.stderr);
  const straight = descent([...base, '--epochs', k, '--save', join(d, 'straight.safetensors')]);
  assert.equal(straight.status, 0, straight.stderr);
  const a = weights(join(d, 'straight.safetensors')), b = weights(join(d, 'resumed.safetensors'));
  for (const key of Object.keys(a)) assert.deepEqual(Array.from(b[key].data), Array.from(a[key].data), key);
  // the epoch cut short reports the same trainLoss as in the uninterrupted run
  assert.deepEqual(lines(resumed.stdout).filter((l) => !l.done).pop(), lines(straight.stdout).filter((l) => !l.done).pop());
});

test('bad CSV cell: exit 2 naming file, row and column', () => {
  const d = tmp();
  const f = join(d, 'bad.csv');
  writeFileSync(f, 'a,b,label\n1,2,0\n3,x,1\n');
  const r = descent(['train', '--data', f, '--epochs', '1']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `descent: error: ${f}: row 2 (line 3), column 'b': expected a number, got 'x'\n`);
  writeFileSync(f, 'a,b,label\n1,2,0\n3,1\n');
  const g = descent(['train', '--data', f]);
  assert.equal(g.status, 2);
  assert.match(g.stderr, /^descent: error: .*bad\.csv: row 2 \(line 3\): expected 3 fields as in the header, got 2\n$/);
  writeFileSync(f, '');
  assert.match(descent(['train', '--data', f]).stderr, /^descent: error: .*bad\.csv: empty file/);
  assert.match(descent(['train', '--data', join(d, 'missing.csv')]).stderr, /^descent: error: --data: cannot read .*missing\.csv.*no such file/);
});

test('--init with the wrong shapes: exit 2 naming the tensor and both shapes', () => {
  const d = tmp();
  const f = join(d, 'm.safetensors');
  assert.equal(descent(['train', '--data', 'iris', '--model', 'mlp:8', '--epochs', '1', '--save', f]).status, 0);
  const r = descent(['train', '--data', 'iris', '--model', 'mlp:6', '--epochs', '1', '--init', f]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^descent: error: --init .*m\.safetensors: '0\.weight' has shape \[8, 4\], the model expects \[6, 4\]\n$/);
});

test('divergence: exit 1 with the epoch, batch and a smaller lr; the last good checkpoint stays', () => {
  const d = tmp();
  const ck = join(d, 'ck.safetensors');
  const args = ['train', '--data', 'diabetes', '--standardize', 'false', '--opt', 'sgd', '--lr', '0.5', '--batch', '8', '--epochs', '20', '--checkpoint', ck, '--json'];
  const r = descent(args);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^descent: error: diverged at step \d+ \(epoch \d+, batch \d+\): loss is (NaN|Infinity); try --lr 0\.05 or lower\n$/);
  assert.ok(!/\.tmp$/.test(readdirSync(d).join(' ')), 'no temporary file left');
  if (existsSync(ck)) assert.ok(Object.values(weights(ck)).every((t) => t.data.every(Number.isFinite)), 'checkpoint weights finite');
});

test('flags: unknown optimizer/hyperparameter, bad --batch, sgd without lr, lbfgs needs full batch', () => {
  const bad = (args: string[], re: RegExp) => {
    const r = descent(['train', '--data', 'iris', '--epochs', '1', ...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, re);
  };
  bad(['--opt', 'adamm'], /^descent: error: unknown optimizer 'adamm'/);
  bad(['--opt', 'sgd', '--betas', '0.9,0.99', '--lr', '0.1'], /^descent: error: --betas: not a hyperparameter of sgd/);
  bad(['--batch', '0'], /^descent: error: --batch: expected 'full' or an integer >= 1, got '0'/);
  bad(['--val', '1.5'], /^descent: error: --val: /);
  bad(['--opt', 'lbfgs', '--batch', '16'], /^descent: error: --batch: 'lbfgs' needs --batch full/);
  bad(['--loss', 'bce'], /^descent: error: --loss bce: target 'label' must be 0 or 1/);
});

test('lbfgs --batch full trains logistic regression on breast cancer', () => {
  const r = descent(['train', '--data', 'breast-cancer', '--model', 'logistic', '--opt', 'lbfgs', '--batch', 'full', '--epochs', '30', '--l2', '0.001', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const ls = lines(r.stdout);
  const done = ls.pop();
  assert.ok(done.valAccuracy > 0.93, `val accuracy ${done.valAccuracy}`);
  assert.ok(ls[ls.length - 1].trainLoss < ls[0].trainLoss);
});

test('run folder, eval of the saved model, and the held-out accuracy agree', () => {
  const d = tmp();
  const out = join(d, 'run');
  const r = descent(['train', '--data', 'breast-cancer', '--epochs', '5', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['config.json', 'metrics.jsonl', 'model.safetensors']) assert.ok(existsSync(join(out, f)), f);
  const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(metrics.length, 5);
  const done = lines(r.stdout).pop();
  const e = descent(['eval', '--model', join(out, 'model.safetensors'), '--data', 'breast-cancer', '--json']);
  assert.equal(e.status, 0, e.stderr);
  const ev = JSON.parse(e.stdout);
  assert.equal(ev.n, 114); // round(0.2 · 569) held out
  assert.deepEqual(done.data, { name: 'breast-cancer', trainRows: 455, valRows: 114, valFraction: 0.2, standardized: true, shuffled: true });
  assert.equal(ev.accuracy, done.valAccuracy);
  assert.ok(Math.abs(ev.loss - done.valLoss) < 1e-12);
  // a copy of the data as a CSV file evaluates the same model on all its rows
  copyFileSync(join(repo, 'data', 'breast-cancer.csv'), join(d, 'bc.csv'));
  const all = JSON.parse(descent(['eval', '--model', join(out, 'model.safetensors'), '--data', join(d, 'bc.csv'), '--all', '--json']).stdout);
  assert.equal(all.n, 569);
});

test('descent eval of torch-written weights (no descent metadata, --arch given) matches torch loss and accuracy', () => {
  const exp = JSON.parse(readFileSync(join(repo, 'test', 'fixtures', 'eval', 'expected.json'), 'utf8')).cases;
  for (const [name, want] of Object.entries(exp) as [string, { n: number; loss: number; accuracy: number; args: string[] }][]) {
    const dir = join(fixtures, name);
    const r = descent(['eval', '--model', join(dir, 'final.safetensors'), '--data', join(dir, 'data.csv'), '--all', '--json', ...want.args]);
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.equal(got.n, want.n);
    assert.ok(Math.abs(got.loss - want.loss) <= 1e-5 * want.loss, `${name}: loss ${got.loss} vs torch ${want.loss}`);
    assert.ok(Math.abs(got.accuracy - want.accuracy) < 1e-6, `${name}: accuracy ${got.accuracy} vs torch ${want.accuracy}`);
  }
  const r = descent(['eval', '--model', join(fixtures, 'digits-mlp-adam', 'final.safetensors'), '--data', 'iris']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^descent: error: --arch: .* has no descent metadata/);
});
