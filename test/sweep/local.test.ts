// `descent sweep` on the local pool, end to end (spawns bin/descent.js; needs `npm run build`): the 24-run
// function grid and a small digits grid give the report, every run's result is byte for byte what the solo
// `descent optimize --spec` / `descent train --json` prints, and a sweep killed halfway and run again skips
// exactly the runs that had finished.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDescent } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';
import { Bg, readRows, sqliteSkip, functionSweep, digitsSweep, parseLines } from './helpers.js';

const skip = sqliteSkip();

/** train's final line without its two timing fields (wall-clock, different in every run). */
const untimed = (line: string): string => JSON.stringify({ ...JSON.parse(line), seconds: 0, samplesPerSecond: 0 });

test('the 24-run function sweep: report, and each run byte for byte the solo descent optimize --spec --json', { skip }, () => {
  const dir = scratchDir('descent-sweep-local-');
  const spec = join(dir, 'sweep.json');
  writeFileSync(spec, JSON.stringify(functionSweep));
  const r = runDescent(['sweep', '--spec', spec, '--out', join(dir, 'out'), '--workers', '2', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const { runs, done } = parseLines(r.stdout);
  assert.deepEqual(done, { done: true, runs: 24 });
  assert.deepEqual([...runs.keys()].sort((a, b) => a - b), [...Array(24).keys()]);
  for (const [i, { spec: s, raw }] of runs) {
    const file = join(dir, `run-${i}.json`);
    writeFileSync(file, JSON.stringify(s));
    const solo = runDescent(['optimize', '--spec', file, '--json']);
    assert.equal(solo.status, 0, solo.stderr);
    assert.equal(raw, solo.stdout.trim(), `run ${i}`);
  }
  // the same run over two seeds is the same computation (optimize is deterministic)
  assert.equal(runs.get(0)!.raw, runs.get(1)!.raw);
  const rows = readRows(join(dir, 'out', 'runs.sqlite'));
  assert.equal(rows.length, 24);
  assert.ok(rows.every((row) => row.status === 'done' && row.attempts === 1));
  for (const f of ['report.html', 'lr-sensitivity.svg', 'lr-sensitivity.png', 'best-curves.svg', 'best-curves.png']) assert.ok(existsSync(join(dir, 'out', f)), f);
  const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
  // each optimizer's best configuration: the lowest final f of its four learning rates
  for (const name of ['sgd', 'rmsprop', 'adam']) {
    const finals = [...runs.values()].filter((x) => (x.spec.optimizer as { name: string }).name === name)
      .map((x) => ({ lr: (x.spec.optimizer as { lr: number }).lr, f: (JSON.parse(x.raw) as { values: number[] }).values.at(-1)! }));
    const best = finals.reduce((a, b) => (b.f < a.f ? b : a));
    const cell = new RegExp(`<tr><td class="l">${name}</td><td class="l">[^<]*</td><td>([^<]*)</td>`).exec(html);
    assert.ok(cell, `${name}'s best row`);
    assert.ok(Math.abs(Number(cell[1]) / best.lr - 1) < 1e-2, `${name}'s best lr: report ${cell[1]}, runs ${best.lr}`);
  }
  assert.match(readFileSync(join(dir, 'out', 'lr-sensitivity.svg'), 'utf8'), /learning rate \(log10\)/);
});

test('a digits sweep: each run\'s final line is the solo descent train --json one (timing fields aside)', { skip }, () => {
  const dir = scratchDir('descent-sweep-digits-');
  const spec = join(dir, 'sweep.json');
  writeFileSync(spec, JSON.stringify(digitsSweep));
  const r = runDescent(['sweep', '--spec', spec, '--out', join(dir, 'out'), '--workers', '2', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const { runs, done } = parseLines(r.stdout);
  assert.deepEqual(done, { done: true, runs: 8 });
  for (const [i, { spec: s, raw }] of runs) {
    const o = s.optimizer as Record<string, unknown>;
    const solo = runDescent(['train', '--data', 'digits', '--model', 'mlp:16', '--epochs', '3', '--batch', '64', '--opt', String(o.name), '--lr', String(o.lr),
      ...(o.momentum !== undefined ? ['--momentum', String(o.momentum)] : []), '--seed', String(s.seed), '--json']);
    assert.equal(solo.status, 0, solo.stderr);
    assert.equal(untimed(raw), untimed(solo.stdout.trim().split('\n').at(-1)!), `run ${i}`);
  }
  for (const f of ['report.html', 'lr-sensitivity.svg', 'lr-sensitivity-accuracy.svg', 'best-curves.png']) assert.ok(existsSync(join(dir, 'out', f)), f);
});

test('killed halfway, then the same command again: finished runs are skipped, nothing is run twice or lost', { skip, timeout: 300_000 }, async () => {
  const dir = scratchDir('descent-sweep-kill-');
  const spec = join(dir, 'sweep.json');
  const out = join(dir, 'out');
  // 12 runs of ~0.3 s each on one worker process
  writeFileSync(spec, JSON.stringify({ ...digitsSweep, base: { ...digitsSweep.base, model: 'mlp:32', epochs: 6, batch: 32 }, seeds: [0, 1, 2] }));
  const first = new Bg(['sweep', '--spec', spec, '--out', out, '--workers', '1', '--json']);
  await first.linesAtLeast(4);
  first.kill('SIGKILL');
  await first.exited;
  const before = readRows(join(out, 'runs.sqlite'));
  const finished = before.filter((row) => row.status === 'done');
  assert.ok(finished.length >= 4 && finished.length < 12, `${finished.length} finished before the kill`);
  const again = runDescent(['sweep', '--spec', spec, '--out', out, '--workers', '1']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^12 runs: ${12 - finished.length} run now, ${finished.length} already finished \\(skipped\\), 0 failed\n`));
  const after = readRows(join(out, 'runs.sqlite'));
  assert.equal(after.length, 12);
  assert.ok(after.every((row) => row.status === 'done'));
  // the finished rows are untouched: same result, same finish time, one attempt
  for (const row of finished) {
    const now = after.find((a) => a.key === row.key)!;
    assert.deepEqual(now, row);
    assert.equal(now.attempts, 1);
  }
  // and a third run has nothing left to do, but prints every run
  const third = runDescent(['sweep', '--spec', spec, '--out', out, '--json']);
  assert.equal(third.status, 0, third.stderr);
  assert.equal(parseLines(third.stdout).runs.size, 12);
  assert.deepEqual(readRows(join(out, 'runs.sqlite')), after);
});
