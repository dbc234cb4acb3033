// The library's runOptimize(spec) (src/search/optimize-run.ts), the work of `descent optimize`: first-order paths
// against torch.optim's (test/fixtures/optimize, from test/fixtures/tools/torch_optim.py), bfgs against SciPy's
// BFGS on Beale (test/fixtures/minimize/beale), the summary's figures against the run, and spec errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSpec, optimizePlotSvg, optimizeSummary, runOptimize } from '../../src/search/optimize-run.js';
import * as viz from '../../src/viz/index.js';
import { DescentError } from '../../src/errors.js';
import { repo } from '../helpers/cli.ts';

const read = (...p: string[]) => JSON.parse(readFileSync(join(repo, 'test', 'fixtures', ...p), 'utf8'));

test('runOptimize follows torch.optim\'s path to 1e-10 (adam on Rosenbrock; adam with a cosine schedule on a quadratic)', () => {
  for (const name of ['adam', 'adam-cosine-schedule']) {
    const spec = checkSpec(read('optimize', name, 'spec.json'));
    const want = read('optimize', name, 'expected.json') as { path: number[][]; values: number[] };
    const r = runOptimize(spec);
    assert.equal(r.path.length, want.path.length, name);
    for (let i = 0; i < want.path.length; i++) {
      for (let j = 0; j < want.path[i].length; j++) assert.ok(Math.abs(r.path[i][j] - want.path[i][j]) <= 1e-10 * Math.max(1, Math.abs(want.path[i][j])), `${name} step ${i}`);
    }
    assert.equal(r.evaluations, spec.steps, 'one gradient per step');
  }
});

test('runOptimize with bfgs on Beale reaches SciPy\'s minimum; the summary and the figure say what the run did', () => {
  const scipy = read('minimize', 'beale', 'expected.json').BFGS as { x: number[]; fun: number };
  const spec = checkSpec({ function: 'beale', x0: [1, 1], optimizer: { name: 'bfgs' }, steps: 200 });
  const r = runOptimize(spec);
  const last = r.path[r.path.length - 1];
  assert.ok(Math.abs(last[0] - scipy.x[0]) < 1e-8 && Math.abs(last[1] - scipy.x[1]) < 1e-8, `${last} vs ${scipy.x}`);
  assert.equal(r.converged, true);
  assert.equal(r.reason, 'gtol');
  const text = optimizeSummary(spec, r, r.objective);
  assert.match(text, new RegExp(`^bfgs on beale \\(n = 2\\), ${r.path.length - 1} steps, ${r.evaluations} evaluations\\n`));
  assert.match(text, /\n {2}stopped: gtol\n/);
  assert.match(text, /known minimum: f = 0 at \[3, 0\.5\]/);
  const svg = optimizePlotSvg(viz, spec, r, r.objective);
  assert.match(svg, /^<svg/);
  assert.equal((svg.match(/class="opt-path"/g) ?? []).length, 1, 'one path on the contours');
});

test('checkSpec and runOptimize refuse bad specs with input errors naming the field', () => {
  const refused = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof DescentError && e.kind === 'input' && re.test(e.message));
  refused(() => checkSpec({ function: 'beale', x0: [], optimizer: 'adam' }), /x0: expected a non-empty list of finite numbers/);
  refused(() => checkSpec({ function: 'beale', x0: [1, 1], optimizer: 'adam', stpes: 3 }), /unknown field 'stpes'/);
  refused(() => runOptimize(checkSpec({ function: 'beale', x0: [1, 1], optimizer: 'adamm' })), /unknown optimizer 'adamm'/);
  refused(() => runOptimize(checkSpec({ function: 'beale', x0: [1, 1], optimizer: 'bfgs', schedule: { name: 'cosine', tMax: 5 } })), /schedule: not used by 'bfgs'/);
});
