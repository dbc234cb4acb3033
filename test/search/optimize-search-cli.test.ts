// `descent optimize` with the search methods, end to end (spawns node bin/descent.js; `npm run build` first).
// SciPy BFGS needs 41 evaluations on this problem at gtol 1e-8 (test/fixtures/minimize/rosenbrock-2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { scratchDir } from '../helpers/scratch.js';
import { runDescent } from '../helpers/cli.js';


const descent = (...args: string[]) => runDescent(args);

test('optimize --fn rosenbrock --x0 -1.2,1 --opt bfgs --json: converges to (1, 1) with reason gtol', () => {
  const r = descent('optimize', '--fn', 'rosenbrock', '--x0', '-1.2,1', '--opt', 'bfgs', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out).sort(), ['converged', 'evaluations', 'path', 'reason', 'values']);
  assert.equal(out.converged, true);
  assert.equal(out.reason, 'gtol');
  assert.deepEqual(out.path[0], [-1.2, 1]);
  assert.equal(out.values[0], 24.199999999999996); // f(−1.2, 1) = 100·(1 − 1.44)² + 2.2² = 19.36 + 4.84
  assert.equal(out.path.length, out.values.length);
  const last = out.path[out.path.length - 1];
  assert.ok(Math.abs(last[0] - 1) < 1e-5 && Math.abs(last[1] - 1) < 1e-5, String(last));
  assert.ok(out.evaluations <= 41 && out.evaluations >= out.path.length - 1, String(out.evaluations));
});

test('optimize search methods: max-iterations and line-search-failed show in --json', () => {
  const a = descent('optimize', '--fn', 'rosenbrock', '--x0', '-1.2,1', '--opt', 'newton', '--steps', '3', '--json');
  assert.equal(a.status, 0, a.stderr);
  const out = JSON.parse(a.stdout);
  assert.equal(out.reason, 'max-iterations');
  assert.equal(out.converged, false);
  assert.equal(out.path.length, 4);
  // gtol 0 cannot be met: cg runs until its line search cannot decrease f in floating point
  const b = descent('optimize', '--fn', 'rosenbrock', '--x0', '-1.2,1', '--opt', 'cg', '--gtol', '0', '--steps', '100000', '--json');
  assert.equal(b.status, 0, b.stderr);
  assert.equal(JSON.parse(b.stdout).reason, 'line-search-failed');
  const c = descent('optimize', '--fn', 'booth', '--x0', '0,0', '--opt', 'lbfgs', '--line-search', 'backtracking', '--history-size', '3', '--json');
  assert.equal(c.status, 0, c.stderr);
  assert.equal(JSON.parse(c.stdout).reason, 'gtol');
});

test('optimize search methods: divergence to −∞ is exit 1, a bad hyperparameter exit 2, one line each', () => {
  const a = descent('optimize', '--fn', 'saddle', '--x0', '1,0.5', '--opt', 'gd-backtracking', '--steps', '5000', '--json');
  assert.equal(a.status, 1);
  assert.equal(a.stdout, '');
  assert.match(a.stderr, /^descent: error: diverged at step \d+ \(gd-backtracking iteration\): f is -Infinity; the objective is not bounded below.*\n$/);
  const o = descent('optimize', '--fn', 'square', '--x0', '1e200', '--opt', 'newton');
  assert.equal(o.status, 1);
  assert.equal(o.stderr, 'descent: error: newton: f or its gradient is Infinity at x0 (reason: non-finite); start from a point where both are finite\n');
  const b = descent('optimize', '--fn', 'rosenbrock', '--x0', '-1.2,1', '--opt', 'bfgs', '--c2', '2');
  assert.equal(b.status, 2);
  assert.match(b.stderr, /^descent: error: --c2: expected a number in \(c1 = 0.0001, 1\), got '2'\n$/);
  const c = descent('optimize', '--fn', 'rosenbrock', '--x0', '-1.2,1', '--opt', 'bfgs', '--lr', '0.1');
  assert.equal(c.status, 2);
  assert.match(c.stderr, /^descent: error: --lr: 'bfgs' has no learning rate\n$/);
});

test('optimize --plot-convergence: an SVG with the five methods, or (without src/viz in the build) exit 1 and no file', () => {
  const dir = scratchDir('descent-conv-');
  const file = join(dir, 'conv.svg');
  const r = descent('optimize', '--plot-convergence', file, '--steps', '60');
  if (r.status === 0) {
    const svg = readFileSync(file, 'utf8');
    assert.match(svg, /^<svg[\s\S]*<\/svg>\s*$/);
    for (const label of ['newton', 'bfgs', 'lbfgs', 'gd-backtracking', 'sgd']) assert.ok(svg.includes(label), label);
    assert.match(r.stdout, /^newton: \d+ iterations, \d+ evaluations, final error/m);
  } else {
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'descent: error: --plot-convergence: the plotting layer (src/viz) is not available in this build\n');
    assert.equal(existsSync(file), false);
  }
  const bad = descent('optimize', '--plot-convergence', join(dir, 'x.jpg'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^descent: error: --plot-convergence: expected a file name ending in \.svg or \.png, got '.*x\.jpg'\n$/);
  const half = descent('optimize', '--plot-convergence', file, '--fn', 'beale');
  assert.equal(half.status, 2);
});
