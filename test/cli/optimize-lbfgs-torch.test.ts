// `descent optimize --opt lbfgs-torch` through the built CLI (needs `npm run build` first): torch fixtures of
// test/fixtures/lbfgs-torch/optimize.json (make_lbfgs_torch_cases.py) run from kebab-case flags and from a
// --spec file give the contract's {path, values, evaluations, converged} with path steps + 1 points, each within
// 1e-7 relative of torch's, and evaluations equal to torch's func_evals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers/scratch.js';
import { runDescent } from '../helpers/cli.js';

const repo = join(import.meta.dirname, '..', '..');
const fixture = JSON.parse(readFileSync(join(repo, 'test', 'fixtures', 'lbfgs-torch', 'optimize.json'), 'utf8')) as {
  cases: { name: string; spec: { function: unknown; x0: number[]; optimizer: Record<string, unknown>; steps: number }; path: number[][]; values: number[]; evaluations: number; converged: boolean }[];
};
const byName = (n: string) => fixture.cases.find((c) => c.name === n)!;

function run(args: string[]): { path: number[][]; values: number[]; evaluations: number; converged: boolean } {
  const r = runDescent(['optimize', ...args, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function check(c: ReturnType<typeof byName>, got: ReturnType<typeof run>): void {
  assert.deepEqual(Object.keys(got).sort(), ['converged', 'evaluations', 'path', 'values']);
  assert.equal(got.path.length, c.spec.steps + 1);
  assert.equal(got.values.length, c.spec.steps + 1);
  c.path.forEach((p, k) => p.forEach((w, i) => assert.ok(Math.abs(got.path[k][i] - w) <= 1e-7 * Math.max(Math.abs(w), 1e-3), `${c.name} path[${k}][${i}]`)));
  c.values.forEach((w, k) => assert.ok(Math.abs(got.values[k] - w) <= 1e-7 * Math.max(Math.abs(w), 1e-6), `${c.name} values[${k}]`));
  assert.equal(got.evaluations, c.evaluations);
  assert.equal(got.converged, c.converged);
}

test('flags: --line-search-fn strong_wolfe --history-size 3 --max-iter 10 on 5-D Rosenbrock', () => {
  const c = byName('rosenbrock5-strong-wolfe-history3');
  check(c, run(['--fn', 'rosenbrock', '--x0', c.spec.x0.join(','), '--opt', 'lbfgs-torch', '--line-search-fn', 'strong_wolfe', '--history-size', '3', '--max-iter', '10', '--steps', String(c.spec.steps)]));
});

test('flags: fixed step --lr 0.5 --max-iter 5 on Beale, and --tolerance-change stopping steps early', () => {
  const c = byName('beale-fixed-step-lr0.5');
  check(c, run(['--fn', 'beale', '--x0', c.spec.x0.join(','), '--opt', 'lbfgs-torch', '--lr', '0.5', '--max-iter', '5', '--steps', String(c.spec.steps)]));
  const t = byName('rosenbrock-tolerance-change-stops');
  check(t, run(['--fn', 'rosenbrock', '--x0', t.spec.x0.join(','), '--opt', 'lbfgs-torch', '--line-search-fn', 'strong_wolfe', '--tolerance-change', '1e-3', '--max-iter', '50', '--steps', String(t.spec.steps)]));
});

test('--spec: the camelCase optimizer object (a 3-D quadratic, and maxEval)', () => {
  const dir = scratchDir('descent-lbfgs-torch-');
  for (const name of ['quadratic3-strong-wolfe', 'beale-max-eval']) {
    const c = byName(name);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(c.spec));
    check(c, run(['--spec', file]));
  }
});
