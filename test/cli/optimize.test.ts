// `descent optimize` end to end: spawns node bin/descent.js (needs `npm run build` first).
// Every torch fixture through --spec --json; flags, errors and exit codes per the contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodePng, inkFraction } from './png-check.js';
import { scratchDir } from '../helpers/scratch.js';
import { runDescent } from '../helpers/cli.js';

const repo = join(import.meta.dirname, '..', '..');

const descent = (...args: string[]) => runDescent(args);

function close(a: number, b: number, where: string): void {
  assert.ok(Math.abs(a - b) <= 1e-7 * Math.max(1, Math.abs(b)), `${where}: got ${a}, torch ${b}`);
}

const root = join(repo, 'test', 'fixtures');
for (const group of ['optimize', 'optimize-options']) {
  for (const name of readdirSync(join(root, group)).sort()) {
    test(`descent optimize --spec ${group}/${name} --json matches torch`, () => {
      const dir = join(root, group, name);
      const r = descent('optimize', '--spec', join(dir, 'spec.json'), '--json');
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      const exp = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
      const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'));
      assert.deepEqual(Object.keys(out).sort(), ['converged', 'evaluations', 'path', 'values']);
      assert.equal(out.path.length, spec.steps + 1);
      assert.equal(out.evaluations, spec.steps);
      assert.equal(typeof out.converged, 'boolean');
      for (let t = 0; t < exp.path.length; t++) {
        exp.path[t].forEach((b: number, i: number) => close(out.path[t][i], b, `step ${t} x[${i}]`));
        close(out.values[t], exp.values[t], `step ${t} f`);
      }
    });
  }
}

test('flags give the same run as the spec: adam with betas, amsgrad and a step schedule', () => {
  const dir = join(root, 'optimize-options', 'adam-betas-eps');
  const exp = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
  const r = descent('optimize', '--fn', 'rosenbrock', '--x0', '-1.5,2', '--opt', 'adam', '--lr', '0.05', '--betas', '0.8,0.99', '--eps', '1e-6', '--steps', '100', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  exp.path.forEach((p: number[], t: number) => p.forEach((b, i) => close(out.path[t][i], b, `step ${t}`)));
});

test('--schedule NAME:KEY=VALUE with ; lists, and bare / "false" booleans', () => {
  const a = descent('optimize', '--fn', 'beale', '--x0', '1,1', '--opt', 'sgd', '--lr', '0.01', '--momentum', '0.9', '--nesterov', '--steps', '5', '--schedule', 'multistep:milestones=2;4,gamma=0.5', '--json');
  const b = descent('optimize', '--fn', 'beale', '--x0', '1,1', '--opt', 'sgd', '--lr', '0.01', '--momentum', '0.9', '--nesterov', 'true', '--steps', '5', '--schedule', 'multistep:milestones=2;4,gamma=0.5', '--json');
  const c = descent('optimize', '--fn', 'beale', '--x0', '1,1', '--opt', 'sgd', '--lr', '0.01', '--momentum', '0.9', '--nesterov', 'false', '--steps', '5', '--json');
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.notEqual(a.stdout, c.stdout);
});

test('bad input exits 2 with one line naming the flag or name', () => {
  const cases: [string[], RegExp][] = [
    [['optimize', '--fn', 'square', '--x0', '10', '--opt', 'adamm'], /unknown optimizer 'adamm'.*sgd.*adam.*rprop/],
    [['optimize', '--fn', 'squar', '--x0', '10', '--opt', 'sgd', '--lr', '0.1'], /unknown function 'squar'; expected one of: square, xcos/],
    [['optimize', '--fn', 'square', '--x0', '10', '--opt', 'sgd', '--lr', 'abc'], /--lr: expected a number, got 'abc'/],
    [['optimize', '--fn', 'square', '--x0', '10', '--opt', 'sgd', '--lr', '-1'], /lr: expected a number >= 0/],
    [['optimize', '--fn', 'square', '--x0', '10', '--opt', 'adam', '--betas', '0.9,1'], /betas\[1\]: expected a number in \[0, 1\)/],
    [['optimize', '--fn', 'square', '--x0', '10', '--opt', 'sgd', '--lr', '0.1', '--nesterov'], /nesterov: requires momentum > 0/],
    [['optimize', '--fn', 'square', '--x0', '10', '--opt', 'adam', '--momentum', '0.9'], /--momentum: not a hyperparameter of adam/],
    [['optimize', '--fn', 'beale', '--x0', '10', '--opt', 'adam'], /function 'beale': expected x0 of length 2, got 1/],
    [['optimize', '--fn', 'square', '--x0', '10', '--opt', 'adam', '--schedule', 'cosine:tmax=3'], /schedule 'cosine': unknown parameter 'tmax'; expected one of: tMax, etaMin/],
    [['optimize', '--fn', 'square', '--x0', '10', '--opt', 'adam', '--schedule', 'warp:x=1'], /unknown schedule 'warp'/],
    [['optimize', '--fn', 'square', '--x0', '10', '--opt', 'adam', '--steps', '2.5'], /--steps: expected an integer >= 0/],
    [['optimize', '--fn', 'square', '--x0', 'a', '--opt', 'adam'], /--x0: expected comma-separated numbers/],
    [['optimize', '--spec', 'no/such/file.json'], /--spec: cannot read 'no\/such\/file.json'/],
    [['optimize', '--fn', 'square', '--x0', '10', '--opt', 'adam', '--bogus', '1'], /unknown option '--bogus'/],
  ];
  for (const [args, re] of cases) {
    const r = descent(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^descent: error: /);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('a spec with a wrong field exits 2 naming the field', () => {
  const dir = scratchDir('descent-opt-');
  const f = join(dir, 's.json');
  writeFileSync(f, JSON.stringify({ function: 'beale', x0: [1, 1], optimizer: { name: 'adam', lr: 'fast' }, steps: 3 }));
  let r = descent('optimize', '--spec', f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /lr: expected a number/);
  writeFileSync(f, JSON.stringify({ function: 'beale', x0: [1, 1], optimizer: { name: 'adam' }, step: 3 }));
  r = descent('optimize', '--spec', f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown field 'step'/);
  writeFileSync(f, '{ not json');
  r = descent('optimize', '--spec', f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not valid JSON/);
});

test('divergence exits 1 naming the step and a smaller lr; no plot file is left', () => {
  const dir = scratchDir('descent-opt-');
  const plot = join(dir, 'p.svg');
  // x_t = 10·(−1.2)^t; f = x² overflows (x² > 1.8e308) once 10·1.2^t > 1.34e154, i.e. at t = 1934
  const r = descent('optimize', '--fn', 'square', '--x0', '10', '--opt', 'sgd', '--lr', '1.1', '--steps', '5000', '--json', '--plot', plot);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'descent: error: diverged at step 1934: f is Infinity; try --lr 0.11 or lower\n');
  assert.equal(r.stdout, '');
  assert.equal(existsSync(plot), false);
  assert.deepEqual(readdirSync(dir), []);
});

test('without --json: a short human summary', () => {
  const r = descent('optimize', '--fn', 'square', '--x0', '10', '--opt', 'sgd', '--lr', '0.2', '--steps', '10');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^sgd on square \(n = 1\), 10 steps, 10 evaluations/);
  assert.match(r.stdout, /f: 100 -> /);
});

test('--plot FILE.svg writes the SVG (or, while src/viz is absent from the build, exits 1 saying so)', () => {
  const dir = scratchDir('descent-opt-');
  const plot = join(dir, 'beale.svg');
  const r = descent('optimize', '--fn', 'beale', '--x0', '2,-2', '--opt', 'adam', '--lr', '0.01', '--steps', '50', '--plot', plot);
  if (existsSync(join(repo, 'dist', 'viz', 'index.js'))) {
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(plot, 'utf8'), /<svg[\s\S]*<\/svg>\s*$/);
  } else {
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^descent: error: --plot: the plotting layer \(src\/viz\) is not available/);
    assert.equal(existsSync(plot), false);
  }
  const bad = descent('optimize', '--fn', 'beale', '--x0', '2,-2', '--opt', 'adam', '--plot', join(dir, 'p.jpg'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--plot: expected a file name ending in .svg or .png/);
  assert.equal(existsSync(join(dir, 'p.jpg')), false);
});

test('--plot FILE.png writes the same figure as a PNG (contour plot of the viz layer at 2×)', () => {
  const dir = scratchDir('descent-opt-');
  const png = join(dir, 'beale.png');
  const r = descent('optimize', '--fn', 'beale', '--x0', '2,-2', '--opt', 'adam', '--lr', '0.01', '--steps', '50', '--plot', png);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /plot: .*beale\.png/);
  const img = decodePng(readFileSync(png));
  // the same figure as the SVG the same run writes, rasterized at 2× (the frame's size follows the domain's aspect)
  const svgFile = join(dir, 'beale.svg');
  assert.equal(descent('optimize', '--fn', 'beale', '--x0', '2,-2', '--opt', 'adam', '--lr', '0.01', '--steps', '50', '--plot', svgFile).status, 0);
  const head = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(readFileSync(svgFile, 'utf8'));
  assert.ok(head, 'the SVG states its size');
  assert.deepEqual([img.width, img.height], [2 * Number(head[1]), 2 * Number(head[2])], 'the contour plot at 2×');
  const ink = inkFraction(img);
  assert.ok(ink > 0.02 && ink < 0.9, `ink ${ink}`);
});

test('composite schedule from the command line: warm-up then cosine follows torch SequentialLR', () => {
  const exp = JSON.parse(readFileSync(join(root, 'optimize-composite', 'warmup-cosine.json'), 'utf8'));
  const r = descent('optimize', ...exp.args, '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  exp.path.forEach((p: number[], t: number) => p.forEach((b, i) => close(out.path[t][i], b, `step ${t} x[${i}]`)));
  exp.values.forEach((b: number, t: number) => close(out.values[t], b, `step ${t} f`));
});
