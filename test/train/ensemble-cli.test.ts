// End-to-end `descent ensemble` (needs `npm run build` first, as every CLI test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDescent } from '../helpers/cli.js';

const descent = (...args: string[]) => runDescent(args);

test('descent ensemble --json: bagging and snapshots report members, their mean and the ensemble', () => {
  for (const flag of [['--bagging', '3'], ['--snapshots', '3']]) {
    const r = descent('ensemble', '--data', 'wine', '--val', '0.3', ...flag, '--model', 'mlp:16', '--epochs', '6', '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.heldOut, 53); // the last rows: 178 − 125 trained on
    assert.equal(out.members.length, 3);
    const mean = out.members.reduce((a: number, m: { accuracy: number }) => a + m.accuracy, 0) / 3;
    assert.ok(Math.abs(out.meanSingleAccuracy - mean) < 1e-12);
    for (const m of out.members) assert.ok(m.accuracy >= 0 && m.accuracy <= 1 && Number.isInteger(Math.round(m.accuracy * 53 * 1e6) / 1e6));
    assert.ok(out.ensembleAccuracy >= 0 && out.ensembleAccuracy <= 1);
  }
});

test('descent ensemble with its defaults on breast-cancer: both ensembles beat their mean single model; snapshots report the same-budget single model', () => {
  // seed 0 measured (docs/ensembles.md): bagging 93.68% -> 97.37%, snapshots 96.49% -> 97.37% (same budget 96.49%)
  const bag = JSON.parse(descent('ensemble', '--data', 'breast-cancer', '--bagging', '5', '--json').stdout);
  assert.equal(bag.model, 'mlp:128');
  assert.equal(bag.dropout, 0.2);
  assert.deepEqual(bag.opt, { name: 'adam', lr: 0.01 });
  assert.equal(bag.epochs, 20);
  assert.equal(bag.heldOut, 114);
  assert.equal(bag.sameBudgetSingle, undefined);
  assert.ok(bag.ensembleAccuracy >= bag.meanSingleAccuracy + 0.01, `bagging: ${bag.ensembleAccuracy} vs ${bag.meanSingleAccuracy}`);
  const r = descent('ensemble', '--data', 'breast-cancer', '--snapshots', '5', '--json');
  assert.equal(r.status, 0, r.stderr);
  const snap = JSON.parse(r.stdout);
  assert.deepEqual(snap.opt, { name: 'adam', lr: 0.02 });
  assert.equal(snap.epochs, 50); // 10 epochs per cycle
  assert.equal(snap.members.length, 5);
  assert.ok(snap.ensembleAccuracy >= snap.meanSingleAccuracy + 0.005, `snapshots: ${snap.ensembleAccuracy} vs ${snap.meanSingleAccuracy}`);
  // accuracies on 114 rows are multiples of 1/114
  const hits = snap.sameBudgetSingle.accuracy * 114;
  assert.ok(Math.abs(hits - Math.round(hits)) < 1e-9 && snap.sameBudgetSingle.loss > 0);
  // the text report names it
  const text = descent('ensemble', '--data', 'breast-cancer', '--snapshots', '2', '--epochs', '4');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /single model, same budget \(one cosine cycle, no restarts\): accuracy \d+\.\d\d%/);
  assert.match(text.stdout, /cycles of 2 epochs/);
  // snapshots with sgd: Huang et al.'s lr0 0.1 and momentum 0.9
  const sgd = JSON.parse(descent('ensemble', '--data', 'breast-cancer', '--snapshots', '2', '--epochs', '2', '--opt', 'sgd', '--json').stdout);
  assert.deepEqual(sgd.opt, { name: 'sgd', lr: 0.1, momentum: 0.9 });
});

test('descent ensemble: bad input exits 2 with one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ens-'));
  const init = join(dir, 'not-a-model.safetensors');
  writeFileSync(init, 'garbage');
  const cases: [string[], RegExp][] = [
    [['ensemble', '--data', 'digits'], /exactly one of --bagging K or --snapshots M/],
    [['ensemble', '--data', 'digits', '--bagging', '2', '--snapshots', '2'], /exactly one of/],
    [['ensemble', '--data', 'wine', '--bagging', '3'], /--val: the ensemble is scored on held-out rows/],
    [['ensemble', '--data', 'digits', '--bagging', 'x'], /--bagging: expected an integer >= 1, got 'x'/],
    [['ensemble', '--data', 'digits', '--bagging', '2', '--freeze', '1', '--model', 'mlp:8'], /--freeze: layer 1 has no parameters/],
    [['ensemble', '--data', 'digits', '--bagging', '2', '--init', init], /not-a-model.safetensors/],
  ];
  for (const [args, re] of cases) {
    const r = descent(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^descent: error: /);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});

test('transfer through the CLI: --init a saved model, --freeze 0 keeps layer 0 bit-identical; --out members score the same in descent eval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ens-'));
  const pre = join(dir, 'pre.safetensors');
  const t = descent('train', '--data', 'digits', '--model', 'mlp:16', '--epochs', '2', '--save', pre, '--json');
  assert.equal(t.status, 0, t.stderr);
  const out = join(dir, 'members');
  const r = descent('ensemble', '--data', 'digits', '--bagging', '2', '--model', 'mlp:16', '--epochs', '2', '--init', pre, '--freeze', '0', '--out', out, '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const p = parseSafetensors(new Uint8Array(readFileSync(pre)));
  for (const i of [1, 2]) {
    const m = parseSafetensors(new Uint8Array(readFileSync(join(out, `model-${i}.safetensors`))));
    assert.deepEqual(m['0.weight'].data, p['0.weight'].data, `member ${i}: 0.weight changed`);
    assert.deepEqual(m['0.bias'].data, p['0.bias'].data);
    assert.notDeepEqual(m['2.weight'].data, p['2.weight'].data, `member ${i}: the head did not train`);
    // descent eval scores the saved member exactly as the ensemble report did
    const e = descent('eval', '--model', join(out, `model-${i}.safetensors`), '--data', 'digits', '--json');
    assert.equal(e.status, 0, e.stderr);
    const ev = JSON.parse(e.stdout);
    assert.equal(ev.n, report.heldOut);
    assert.ok(Math.abs(ev.accuracy - report.members[i - 1].accuracy) < 1e-12, `member ${i}: eval ${ev.accuracy} vs report ${report.members[i - 1].accuracy}`);
  }
  // --new-head: the body loads, the head starts fresh; layers 0 and 2 frozen stay the pretrained ones
  const out2 = join(dir, 'new-head');
  const r2 = descent('ensemble', '--data', 'digits', '--snapshots', '2', '--model', 'mlp:16', '--epochs', '2', '--init', pre, '--new-head', '--freeze', '0', '--out', out2, '--json');
  assert.equal(r2.status, 0, r2.stderr);
  const s1 = parseSafetensors(new Uint8Array(readFileSync(join(out2, 'snapshot-1.safetensors'))));
  assert.deepEqual(s1['0.weight'].data, p['0.weight'].data);
  assert.notDeepEqual(s1['2.bias'].data, p['2.bias'].data);
  // without --model, the members take the pretrained file's architecture (mlp:16, no dropout), not the defaults
  const inherit = descent('ensemble', '--data', 'digits', '--bagging', '2', '--epochs', '1', '--init', pre, '--json');
  assert.equal(inherit.status, 0, inherit.stderr);
  assert.deepEqual([JSON.parse(inherit.stdout).model, JSON.parse(inherit.stdout).dropout], ['mlp:16', 0]);
  const bad = descent('ensemble', '--data', 'digits', '--bagging', '2', '--model', 'mlp:8', '--init', pre, '--new-head');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /'0\.weight' has shape \[16, 64\], the model expects \[8, 64\]; only the new head may differ/);
  const summary = JSON.parse(readFileSync(join(out, 'ensemble.json'), 'utf8'));
  assert.equal(summary.method, 'bagging');
  assert.equal(summary.ensembleAccuracy, report.ensembleAccuracy);
});
