// descent compare end to end (needs `npm run build`): the Beale report against torch.optim's reach steps
// (test/fixtures/compare/beale-headline.json), self-containment, controls, errors, and training over seeds
// against direct `descent train --json` runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePng, inkFraction } from './png-check.js';
import { runDescent } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/descent.js');
const fixture = JSON.parse(readFileSync(new URL('../fixtures/compare/beale-headline.json', import.meta.url), 'utf8')) as {
  steps: number; results: { x0: number[]; label: string; reachedAt: number | null; divergedAt: number | null }[];
};
const OPTS = [
  'gd=sgd:lr=0.0001', 'momentum=sgd:lr=0.0001,momentum=0.9', 'nesterov=sgd:lr=0.0001,momentum=0.9,nesterov=true',
  'adagrad=adagrad:lr=1', 'rmsprop=rmsprop:lr=0.001', 'rmsprop+momentum=rmsprop:lr=0.0001,momentum=0.9', 'adam=adam:lr=0.1',
];

const descent = (args: string[]) => runDescent(args, { timeout: 120_000 });

test('compare on Beale: every optimizer reaches (3, 0.5) or not exactly as torch.optim does; report self-contained and animated', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-compare-'));
  try {
    const r = descent(['compare', '--fn', 'beale', '--x0', '2,-2', '--x0', '-3,3', '--steps', String(fixture.steps), ...OPTS.flatMap((o) => ['--opt', o]), '--out', dir, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.report, join(dir, 'report.html'));
    assert.equal(summary.functions.length, 2);
    for (const ref of fixture.results) {
      const sec = summary.functions.find((s: { x0: number[] }) => s.x0.join() === ref.x0.join());
      const got = sec.results.find((x: { label: string }) => x.label === ref.label);
      assert.equal(got.reachedAt, ref.reachedAt, `${ref.label} from ${ref.x0}`);
      assert.equal(got.reached, ref.reachedAt !== null);
      assert.equal(got.divergedAt, ref.divergedAt, `${ref.label} from ${ref.x0}`);
    }
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.ok(!/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i.test(html), 'no external src/href');
    assert.ok(!/<link\b|@import/i.test(html));
    assert.equal((html.match(/class="player"/g) ?? []).length, 2);
    for (const c of ['class="play"', 'class="pause"', 'class="step"', 'class="speed"']) assert.equal(html.split(c).length - 1, 2, c);
    // the page's reach table says the same as torch, row by row
    for (const ref of fixture.results.filter((x) => x.x0[0] === 2)) {
      assert.ok(html.includes(`data-label="${ref.label.replace('&', '&amp;')}" data-reached="${ref.reachedAt !== null}"`), ref.label);
    }
    assert.ok(html.includes('diverged at 21'), 'nesterov from (-3, 3) diverges at step 21 in torch too');
    assert.equal((readFileSync(join(dir, 'beale-from-2_-2-values.svg'), 'utf8').match(/class="series"/g) ?? []).length, 7);
    for (const f of ['beale-from-2_-2.svg', 'beale-from--3_3.svg', 'summary.json']) assert.ok(existsSync(join(dir, f)), f);
    assert.equal((readFileSync(join(dir, 'beale-from-2_-2.svg'), 'utf8').match(/class="opt-path"/g) ?? []).length, 7);
    // every SVG figure has a PNG twin at twice its pixel size, with the plot drawn on it
    const svgs = (summary.files as string[]).filter((f) => f.endsWith('.svg'));
    assert.equal(svgs.length, 4, 'contour and f-vs-step per start');
    for (const svgFile of svgs) {
      const pngFile = svgFile.replace(/\.svg$/, '.png');
      assert.ok((summary.files as string[]).includes(pngFile), pngFile);
      const svg = readFileSync(svgFile, 'utf8');
      const [, w, h] = /<svg[^>]*\bwidth="(\d+)" height="(\d+)"/.exec(svg) ?? [];
      const png = decodePng(readFileSync(pngFile));
      assert.deepEqual([png.width, png.height], [2 * Number(w), 2 * Number(h)], pngFile);
      const ink = inkFraction(png);
      assert.ok(ink > 0.01 && ink < 0.9, `${pngFile}: ink ${ink}`);
    }
    // the contour PNG shows the paths: pixels in the first two palette colours (gd blue, momentum orange)
    const contour = decodePng(readFileSync(join(dir, 'beale-from--3_3.png')));
    for (const [r, g, b] of [[0x4e, 0x79, 0xa7], [0xf2, 0x8e, 0x2b]]) {
      let hits = 0;
      for (let k = 0; k < contour.width * contour.height; k++) {
        if (Math.abs(contour.rgba[4 * k] - r) + Math.abs(contour.rgba[4 * k + 1] - g) + Math.abs(contour.rgba[4 * k + 2] - b) < 30) hits++;
      }
      assert.ok(hits > 50, `colour ${[r, g, b]}: ${hits} pixels`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compare: bad input is `descent: error:` with exit 2, nothing written', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'descent-compare-')), 'out');
  const cases: [string[], RegExp][] = [
    [['--fn', 'beale', '--x0', '2,-2', '--opt', 'adamm:lr=0.1'], /--opt: unknown optimizer 'adamm'/],
    [['--fn', 'beale', '--x0', '2,-2', '--opt', 'adam:lr=x'], /--opt: 'lr' expected a number, got 'x'/],
    [['--fn', 'beale', '--x0', '2,-2', '--opt', 'adam:foo=1'], /adam has no hyperparameter 'foo'/],
    [['--fn', 'beale', '--x0', '2,-2,1', '--opt', 'adam'], /beale/],
    [['--fn', 'beale', '--x0', '2,-2', '--opt', 'adam', '--steps', '0'], /--steps: expected an integer >= 1/],
    [['--fn', 'beale', '--x0', '2,-2'], /--opt/],
    [['--preset', 'nope'], /--preset: unknown preset 'nope'/],
    [['--spec', join(dir, 'missing.json')], /--spec: cannot read file/],
  ];
  for (const [args, re] of cases) {
    const r = descent(['compare', ...args, '--out', dir]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^descent: error: /);
    assert.match(r.stderr, re);
    assert.ok(!r.stderr.includes('    at '), 'no stack trace');
    assert.ok(!existsSync(dir));
  }
});

test('compare training: 3 seeds, curves equal to direct `descent train --json` runs, bands and table in the report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-compare-'));
  try {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ name: 'iris-test', data: 'iris', model: 'mlp:8', epochs: 4, seeds: 3, batch: 16, val: 0.2, targetLoss: 0.9, optimizers: ['adam:lr=0.01', { label: 'sgdm', name: 'sgd', lr: 0.05, momentum: 0.9 }] }));
    const r = descent(['compare', '--spec', spec, '--out', join(dir, 'out'), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.deepEqual(s.training.seeds, [1, 2, 3]);
    assert.deepEqual(s.training.results.map((x: { label: string }) => x.label), ['adam:lr=0.01', 'sgdm']);
    for (const [k, args] of [[0, ['--opt', 'adam', '--lr', '0.01']], [1, ['--opt', 'sgd', '--lr', '0.05', '--momentum', '0.9']]] as const) {
      for (const seed of [1, 3]) {
        const t = descent(['train', '--data', 'iris', '--model', 'mlp:8', '--epochs', '4', '--batch', '16', '--val', '0.2', '--seed', String(seed), ...args, '--json']);
        assert.equal(t.status, 0, t.stderr);
        const losses = t.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((o) => !o.done).map((o) => o.trainLoss);
        assert.deepEqual(s.training.results[k].trainLoss[seed - 1], losses, `run ${k} seed ${seed}`);
      }
    }
    const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
    assert.ok(html.includes('class="training-section"'));
    assert.equal((html.match(/class="band"/g) ?? []).length, 2 * 4, 'a band per optimizer in loss/epoch, loss/time, val loss and val accuracy');
    assert.ok(s.training.results.every((x: { finalValAccuracy: number }) => x.finalValAccuracy > 0 && x.finalValAccuracy <= 1));
    for (const f of ['training-loss-vs-epoch', 'training-loss-vs-time', 'training-val-loss', 'training-val-accuracy']) {
      assert.ok(existsSync(join(dir, 'out', `${f}.svg`)), f);
      const png = decodePng(readFileSync(join(dir, 'out', `${f}.png`)));
      assert.deepEqual([png.width, png.height], [1120, 720], f);
      assert.ok(inkFraction(png) > 0.01, f);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compare training: a run that diverges is `descent: error:` exit 1 naming the run and a smaller lr, no report', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'descent-compare-')), 'out');
  const r = descent(['compare', '--data', 'iris', '--model', 'mlp:8', '--opt', 'sgd:lr=1e6', '--epochs', '3', '--seeds', '1', '--out', dir]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^descent: error: training \(descent train .*--opt sgd.*\): diverged .*try --lr/);
  assert.ok(!existsSync(join(dir, 'report.html')));
});

test('compare progress: one bar over the whole run on a terminal (races, epochs, figures), none without a terminal or with --json', () => {
  assert.ok(existsSync('/usr/bin/script'), '/usr/bin/script (util-linux) runs the CLI on a pseudo-terminal');
  const dir = mkdtempSync(join(tmpdir(), 'descent-compare-'));
  try {
    const spec = join(dir, 'spec.json');
    // 2 races + 2 figures (contour, f against step) + 1 optimizer × 2 seeds × 3 epochs + 4 training figures = 14
    writeFileSync(spec, JSON.stringify({ function: 'beale', x0: [2, -2], steps: 200, optimizers: ['adam:lr=0.1', 'sgd:lr=0.0001'], data: 'iris', model: 'mlp:8', epochs: 3, seeds: 2, batch: 16, val: 0.2, trainOptimizers: ['adam:lr=0.01'] }));
    const onTty = (args: string) => spawnSync('/usr/bin/script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} compare ${args} --out ${JSON.stringify(join(dir, 'out'))}`, '/dev/null'], { encoding: 'utf8', cwd: root, timeout: 120_000 });
    const tty = onTty(`--spec ${JSON.stringify(spec)}`);
    assert.equal(tty.status, 0, tty.stdout + tty.stderr);
    const counts = [...tty.stdout.matchAll(/compare \|[^|]*\| (\d+)\/(\d+) \|/g)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.ok(counts.length >= 2, `bar frames seen: ${counts.length}`);
    assert.ok(counts.every(([, t]) => t === 14), `totals ${[...new Set(counts.map((c) => c[1]))]}`);
    assert.deepEqual(counts[counts.length - 1], [14, 14], 'the last frame is the whole run');
    for (let i = 1; i < counts.length; i++) assert.ok(counts[i][0] >= counts[i - 1][0], 'the bar never goes back');
    assert.match(tty.stdout, /report: .*report\.html/);
    // the bar's absence needs no training runs: a function-only comparison is quicker
    const fnOnly = ['--fn', 'beale', '--x0', '2,-2', '--steps', '200', '--opt', 'adam:lr=0.1'];
    const json = onTty(`${fnOnly.join(' ')} --json`);
    assert.equal(json.status, 0, json.stdout);
    assert.ok(!json.stdout.includes('compare |'), 'no bar with --json, even on a terminal');
    JSON.parse(json.stdout.trim().split(/\r?\n/).pop() as string);
    const bare = onTty(fnOnly.join(' '));
    assert.match(bare.stdout, /compare \|[^|]*\| 3\/3 \|/, 'the same run on a terminal without --json has its bar (1 race + 2 figures)');
    const piped = descent(['compare', ...fnOnly, '--out', join(dir, 'out2')]);
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal(piped.stderr, '', 'no bar when stderr is not a terminal');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
