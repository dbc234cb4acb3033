// The compact regression set of the optimize conformance fuzzers (test/fixtures/tools/fuzz_optimize.py and
// fuzz_minimize.py; fixtures in test/fixtures/optimize-fuzz), run through the CLI entry in one child process
// (fuzz-cli.runner.ts), each case as --spec and as the equivalent flags:
// - first-order: PyTorch 1.13 float64 trajectories to 1e-7 (every optimizer, every schedule and the composites
//   `A then@N B` / `A and B` against SequentialLR / ChainedScheduler, every function, options at the edges of
//   their ranges, diverging runs stopped at torch's first non-finite step, a spec torch refuses refused here
//   too), and the
//   bugs the fuzzer found: `--schedule multistep:milestones=N` with one milestone was refused; centered
//   RMSprop formed v − ḡ² with two roundings where torch's addcmul fuses them (α = 0: torch NaN, descent not);
// - search methods: a documented reason, path from x0, f and max|∇f| checked with gradients written out below
//   (closed forms, not descent's), SciPy's minimizer on strictly convex problems, divergence on unbounded
//   ones, evaluations counted by a wrapper of our own; and the bug the fuzzer found: newton at a minimum with
//   f* ≠ 0 refused the full steps f could not tell apart and crawled (3237 iterations, 63987 evaluations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { makeObjective } from '../../src/objectives/index.js';
import { optimizeSearchMethods } from '../../src/search/index.js';
import { createSchedule } from '../../src/schedule/index.js';
import { fusedMultiplyAdd } from '../../src/optim/fused-multiply-add.js';
import { rmspropDefaults, rmspropInit, rmspropUpdate } from '../../src/optim/rmsprop.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'optimize-fuzz');
type Fn = string | ({ name: string } & Record<string, unknown>);
interface Spec { function: Fn; x0: number[]; optimizer: { name: string } & Record<string, unknown>; steps: number; schedule?: unknown }
interface FirstOrderCase { name: string; spec: Spec; flags: string[] | null; refused?: string; expected?: { path: number[][]; values: number[] }; divergesAt?: number | null }
interface SearchCase { name: string; spec: Spec; flags: string[] | null; scipyMinimizer: number[] | null; unbounded: boolean }
interface Out { id: string; code: number; stdout: string; stderr: string }

// first-order-torch2.json: torch 2.13's schedules (fuzz_optimize.py --torch2), momentum and β₁ cycling, refusals included
const firstOrder: FirstOrderCase[] = ['first-order.json', 'first-order-torch2.json'].flatMap((f) => JSON.parse(readFileSync(join(fixtures, f), 'utf8')).cases);
const search: SearchCase[] = JSON.parse(readFileSync(join(fixtures, 'search.json'), 'utf8')).cases;

/** Every case through the CLI entry, as --spec and (where the function has a flag form) as flags, in one child. */
function runAll(): Map<string, Out> {
  const cases = [...firstOrder.map((c) => ['f', c] as const), ...search.map((c) => ['s', c] as const)].flatMap(([kind, c]) => [
    { id: `${kind}:${c.name}:spec`, argv: ['optimize', '--spec', '@SPEC', '--json'], spec: c.spec },
    ...(c.flags ? [{ id: `${kind}:${c.name}:flags`, argv: c.flags }] : []),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'descent-fuzz-regression-'));
  try {
    const file = join(dir, 'cases.json');
    writeFileSync(file, JSON.stringify(cases));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fuzz-cli.runner.ts'), file], { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, r.stderr);
    return new Map((JSON.parse(r.stdout) as Out[]).map((o) => [o.id, o]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const outs = runAll();

function close(a: number, b: number, where: string): void {
  assert.ok(Math.abs(a - b) <= 1e-7 * Math.max(1, Math.abs(b)), `${where}: got ${a}, torch ${b}`);
}

for (const c of firstOrder) {
  test(`fuzz regression (first-order) ${c.name}`, () => {
    const out = outs.get(`f:${c.name}:spec`)!;
    const flags = c.flags ? outs.get(`f:${c.name}:flags`)! : null;
    if (c.refused !== undefined) {
      // torch raises ValueError; descent refuses as bad input, in both forms (the messages name a flag or a field)
      for (const o of [out, flags]) if (o) assert.match(o.stderr, /^descent: error: [^\n]+\n$/, o.stderr), assert.equal(o.code, 2);
      return;
    }
    if (flags) assert.deepEqual([flags.code, flags.stdout, flags.stderr], [out.code, out.stdout, out.stderr], 'flags form and --spec differ');
    const exp = c.expected!;
    if (c.divergesAt !== null && c.divergesAt !== undefined) {
      assert.equal(out.code, 1, out.stderr);
      assert.equal(out.stdout, '');
      assert.ok(out.stderr.startsWith(`descent: error: diverged at step ${c.divergesAt}: `), out.stderr);
      assert.match(out.stderr, /; try --lr \S+ or lower\n$/);
      return;
    }
    assert.equal(out.code, 0, out.stderr);
    const r = JSON.parse(out.stdout);
    assert.deepEqual(Object.keys(r).sort(), ['converged', 'evaluations', 'path', 'values']);
    assert.equal(r.path.length, c.spec.steps + 1);
    assert.equal(r.evaluations, c.spec.steps);
    for (let t = 0; t < exp.path.length; t++) {
      exp.path[t].forEach((b, i) => close(r.path[t][i], b, `step ${t} x[${i}]`));
      close(r.values[t], exp.values[t], `step ${t} f`);
    }
  });
}

test('fuzz regression: multistep with one milestone, on the command line (milestones=3) and as a list, is torch MultiStepLR', () => {
  // closed form: lr·gamma^(number of milestones <= e)
  for (const spec of ['multistep:milestones=3,gamma=0.5', { name: 'multistep', milestones: [3], gamma: 0.5 }]) {
    const s = createSchedule(spec, 0.1);
    const lrs = [s.lr, ...Array.from({ length: 5 }, () => s.step())];
    assert.deepEqual(lrs, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05]);
  }
});

test('fuzz regression: fusedMultiplyAdd rounds a·b + c once, as torch\'s addcmul (centered RMSprop, α = 0, diverged in torch only)', () => {
  // closed forms: (1 + 2⁻³⁰)² − (1 + 2⁻²⁹) = 2⁻⁶⁰ (the separately rounded product gives 0); 0.1·10 − 1 with
  // 0.1 = 3602879701896397/2⁵⁵ is 2/2⁵⁵ = 2⁻⁵⁴; exact sums stay exact; the split's range is respected
  assert.equal(fusedMultiplyAdd(1 + 2 ** -30, 1 + 2 ** -30, -(1 + 2 ** -29)), 2 ** -60);
  assert.equal((1 + 2 ** -30) * (1 + 2 ** -30) - (1 + 2 ** -29), 0);
  assert.equal(fusedMultiplyAdd(0.1, 10, -1), 2 ** -54);
  assert.equal(fusedMultiplyAdd(3, 4, 5), 17);
  assert.equal(fusedMultiplyAdd(1e300, 1e10, 1), Infinity);
  // centered RMSprop with α = 0: v − ḡ² = fl(g²) − g², the rounding error of g²: +8.3e-19 for g = 0.1, where
  // torch.optim.RMSprop(lr=0.01, alpha=0, centered=True) steps x from 0 to −91637.97908233278 (its √ of that
  // error, plus eps, divides), and −2.2e-18 for g = 0.7, where torch's √ and x are NaN
  const step = (grad: number): number => {
    const x = Float64Array.of(0);
    rmspropUpdate(x, Float64Array.of(grad), rmspropInit(1, Float64Array), { ...rmspropDefaults, alpha: 0, centered: true });
    return x[0];
  };
  assert.ok(Math.abs(step(0.1) - -91637.97908233278) <= 1e-12 * 91637.97908233278, String(step(0.1)));
  assert.ok(Number.isNaN(step(0.7)));
});

// ---------------------------------------------------------------- search methods
const C = 0.15 * Math.PI;
/** f and ∇f written out from the contract's formulas (independent of src/objectives). */
function fAndGrad(fn: Fn, x: number[]): [number, number[]] {
  const p = typeof fn === 'string' ? { name: fn } : fn;
  const [a, b] = x;
  switch (p.name) {
    case 'square': return [a * a, [2 * a]];
    case 'xcos': return [a * Math.cos(C * a), [Math.cos(C * a) - C * a * Math.sin(C * a)]];
    case 'booth': return [(a + 2 * b - 7) ** 2 + (2 * a + b - 5) ** 2, [2 * (a + 2 * b - 7) + 4 * (2 * a + b - 5), 4 * (a + 2 * b - 7) + 2 * (2 * a + b - 5)]];
    case 'himmelblau': {
      const u = a * a + b - 11, v = a + b * b - 7;
      return [u * u + v * v, [4 * a * u + 2 * v, 2 * u + 4 * b * v]];
    }
    case 'saddle': return [a * a - b * b, [2 * a, -2 * b]];
    case 'beale': {
      const t = [1.5, 2.25, 2.625].map((k, i) => k - a + a * b ** (i + 1));
      return [t.reduce((s, v) => s + v * v, 0), [t.reduce((s, v, i) => s + 2 * v * (b ** (i + 1) - 1), 0), t.reduce((s, v, i) => s + 2 * v * a * (i + 1) * b ** i, 0)]];
    }
    case 'valley': {
      const ka = (p.a as number | undefined) ?? 0.1, kb = (p.b as number | undefined) ?? 10;
      return [0.5 * (ka * a * a + kb * b * b), [ka * a, kb * b]];
    }
    case 'plateau': {
      const s = (p.sigma as number | undefined) ?? 1, e = Math.exp(-(a * a + b * b) / (2 * s * s));
      return [1 - e, [(a / (s * s)) * e, (b / (s * s)) * e]];
    }
    case 'rosenbrock': {
      let f = 0;
      const g = x.map(() => 0);
      for (let i = 0; i + 1 < x.length; i++) {
        f += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
        g[i] += -400 * x[i] * (x[i + 1] - x[i] ** 2) - 2 * (1 - x[i]);
        g[i + 1] += 200 * (x[i + 1] - x[i] ** 2);
      }
      return [f, g];
    }
    case 'quadratic': {
      const A = p.A as number[][], bv = p.b as number[], c0 = (p.c as number | undefined) ?? 0;
      const ax = A.map((row) => row.reduce((s, v, j) => s + v * x[j], 0));
      return [0.5 * ax.reduce((s, v, i) => s + v * x[i], 0) - bv.reduce((s, v, i) => s + v * x[i], 0) + c0, ax.map((v, i) => v - bv[i])];
    }
  }
  throw new Error(`no closed form for ${p.name}`);
}
const maxAbs = (v: number[]): number => Math.max(...v.map(Math.abs));

for (const c of search) {
  test(`fuzz regression (search) ${c.name}`, () => {
    const { name, ...options } = c.spec.optimizer;
    const gtol = (options.gtol as number | undefined) ?? 1e-6;
    const out = outs.get(`s:${c.name}:spec`)!;
    const flags = c.flags ? outs.get(`s:${c.name}:flags`)! : null;
    if (flags) assert.deepEqual([flags.code, flags.stdout, flags.stderr], [out.code, out.stdout, out.stderr], 'flags form and --spec differ');
    if (out.code === 1) {
      // only a function unbounded below may diverge, and then as documented (docs/errors.md)
      assert.ok(c.unbounded, out.stderr);
      assert.equal(out.stdout, '');
      assert.match(out.stderr, new RegExp(`^descent: error: diverged at step \\d+ \\(${name} iteration\\): f is -Infinity; the objective is not bounded below along the search direction; try another --x0 or fewer --steps\\n$`));
      return;
    }
    assert.equal(out.code, 0, out.stderr);
    const r = JSON.parse(out.stdout);
    assert.ok(['gtol', 'ftol', 'max-iterations', 'line-search-failed'].includes(r.reason), r.reason);
    assert.deepEqual(r.path[0], c.spec.x0);
    assert.equal(r.values.length, r.path.length);
    assert.ok(r.path.length <= c.spec.steps + 1);
    r.path.forEach((p: number[], i: number) => {
      const [f] = fAndGrad(c.spec.function, p);
      assert.ok(Math.abs(f - r.values[i]) <= 1e-10 * Math.max(1, Math.abs(f), maxAbs(p)), `values[${i}] ${r.values[i]} vs f ${f}`);
      // a rise within the approximate-Wolfe tolerance (1e-10·|f| for bfgs and lbfgs) where f no longer resolves decrease
      if (i) assert.ok(r.values[i] <= r.values[i - 1] + 1e-10 * Math.abs(r.values[i - 1]), `f rose at iteration ${i}`);
    });
    const last = r.path[r.path.length - 1];
    const gmax = maxAbs(fAndGrad(c.spec.function, last)[1]);
    assert.equal(r.converged, r.reason === 'gtol' || r.reason === 'ftol');
    if (r.reason === 'gtol') assert.ok(gmax <= gtol * (1 + 1e-9), `converged at max|grad| ${gmax} > gtol ${gtol}`);
    if (r.reason === 'ftol') {
      // L-BFGS-B's relative-reduction test on the last step (lbfgs's ftol, default 1e-15)
      assert.equal(name, 'lbfgs');
      const ftol = (options.ftol as number | undefined) ?? 1e-15;
      const [fa, fb] = r.values.slice(-2);
      assert.ok(fa - fb <= ftol * Math.max(Math.abs(fa), Math.abs(fb), 1), `ftol stop after a step from ${fa} to ${fb}`);
    }
    if (r.reason === 'max-iterations') assert.equal(r.path.length, c.spec.steps + 1);
    if (c.scipyMinimizer && (r.converged || r.reason === 'line-search-failed')) {
      last.forEach((v: number, i: number) => assert.ok(Math.abs(v - c.scipyMinimizer![i]) <= 1e-6 * Math.max(1, Math.abs(c.scipyMinimizer![i])), `x[${i}] ${v} vs SciPy ${c.scipyMinimizer![i]}`));
    }
    // evaluations as the contract counts them: one per call of f (with or without its gradient), counted here
    const objective = makeObjective(c.spec.function as never, c.spec.x0.length);
    let calls = 0;
    const counting = {
      n: objective.n,
      valueAndGrad: (x: Float64Array, g: Float64Array) => (calls++, objective.valueAndGrad(x, g)),
      value: (x: Float64Array) => (calls++, objective.value(x)),
      hessian: objective.hessian?.bind(objective),
    };
    const lib = optimizeSearchMethods[name as keyof typeof optimizeSearchMethods].minimize(counting, c.spec.x0, options, c.spec.steps);
    assert.equal(lib.evaluations, calls);
    assert.equal(r.evaluations, calls);
    assert.ok(r.evaluations >= r.path.length, `${r.evaluations} evaluations for ${r.path.length} points`);
  });
}

test('fuzz regression: newton at a minimum with f* != 0 takes its full steps (7-D Rosenbrock, its local minimum near x1 = -0.99)', () => {
  const c = search.find((s) => s.name === 'newton-local-minimum-f-nonzero')!;
  const r = JSON.parse(outs.get(`s:${c.name}:spec`)!.stdout);
  assert.equal(r.reason, 'gtol');
  // quadratic convergence: the fuzzer's run took 3237 iterations and 63987 evaluations before the fix
  assert.ok(r.path.length - 1 <= 40 && r.evaluations <= 80, `${r.path.length - 1} iterations, ${r.evaluations} evaluations`);
  assert.ok(maxAbs(fAndGrad('rosenbrock', r.path[r.path.length - 1])[1]) <= (c.spec.optimizer.gtol as number));
});
