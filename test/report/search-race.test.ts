// compare's function race with the search methods beside first-order rules, against independent references:
//  - SciPy 1.10 BFGS and L-BFGS-B traces (test/fixtures/compare/search-race.json, make_compare_search_race.py):
//    every iterate and the objective calls made by then, so "reached at iteration k after e evaluations" and
//    the totals come from SciPy, not from the code under test; the totals also repeat test/fixtures/minimize;
//  - torch.optim trajectories for first-order rules in the same race (test/fixtures/optimize-options);
//  - torch.optim.LBFGS per step() call, parameters and func_evals (the same fixture file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeObjective } from '../../src/objectives/index.js';
import { functionContourSvg, functionValueChart, isRaceSearchMethod, parseRunSpec, race, reportHtml } from '../../src/report/index.js';
import type { FunctionSection, RaceResult } from '../../src/report/index.js';
import { OPTIMIZER_COLORS } from '../../src/viz/index.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
interface Iterate { x: number[]; evaluations: number }
interface SciPyRun { nit: number; nfev: number; x: number[]; success: boolean; iterates: Iterate[] }
const ref = JSON.parse(readFileSync(join(fixtures, 'compare', 'search-race.json'), 'utf8')) as {
  cases: { function: string; x0: number[]; minimum: number[]; runs: Record<string, SciPyRun> }[];
  lbfgsTorch: Record<string, { x0: number[]; steps: Iterate[] }>;
};
/** compare specs for SciPy's settings: gtol 1e-8; L-BFGS-B's ftol 1e-15 and maxcor as historySize. */
const SPECS: Record<string, string> = {
  bfgs: 'bfgs:gtol=1e-8',
  'lbfgs-m10': 'lbfgs:gtol=1e-8,ftol=1e-15',
  'lbfgs-m5': 'lbfgs:gtol=1e-8,ftol=1e-15,historySize=5',
};

const dist = (x: number[], m: number[]) => Math.hypot(...x.map((v, i) => v - m[i]));
/** The reference's reach: the first iterate (0 = x0) within tol of the minimum, and the evaluations by then. */
function referenceReach(x0: number[], its: Iterate[], min: number[], tol: number): { at: number | null; evaluations: number | null } {
  if (dist(x0, min) <= tol) return { at: 0, evaluations: 0 };
  const k = its.findIndex((it) => dist(it.x, min) <= tol);
  return k < 0 ? { at: null, evaluations: null } : { at: k + 1, evaluations: its[k].evaluations };
}
const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

/** A first-order fixture's optimizer as a compare spec: `name:key=value,...`, lists joined by ';'. */
function torchSpec(optimizer: Record<string, unknown>): string {
  const { name, ...rest } = optimizer;
  const kv = Object.entries(rest).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(';') : String(v)}`);
  return `${String(name)}${kv.length ? ':' + kv.join(',') : ''}`;
}

for (const c of ref.cases) {
  const objective = makeObjective(c.function, c.x0.length);
  for (const tol of [1e-2, 1e-5]) {
    test(`${c.function} from (${c.x0}), tol ${tol}: bfgs and lbfgs reach, iterate and count as SciPy's BFGS and L-BFGS-B`, () => {
      for (const [key, spec] of Object.entries(SPECS)) {
        const sp = c.runs[key];
        const [run] = parseRunSpec(spec);
        const r = race({ objective, x0: c.x0, run, steps: 5000, tol });
        const want = referenceReach(c.x0, sp.iterates, c.minimum, tol);
        assert.ok(want.at !== null, `${key}: SciPy reaches within ${tol}`);
        assert.equal(r.reachedAt, want.at, `${key}: reached at iteration`);
        assert.equal(r.reachedAtEvaluations, want.evaluations, `${key}: evaluations to reach`);
        assert.equal(r.steps, sp.nit, `${key}: iterations`);
        assert.equal(r.evaluations, sp.nfev, `${key}: evaluations`);
        assert.equal(r.kind, 'search');
        assert.equal(r.stopReason, 'gtol', key);
        assert.equal(r.divergedAt, null);
        // every iterate is a point of the path (fewer than 600), each SciPy's to 1e-7
        assert.equal(r.path.length, sp.nit + 1, key);
        assert.deepEqual(r.pathSteps, Array.from({ length: sp.nit + 1 }, (_v, i) => i));
        sp.iterates.forEach((it, i) => it.x.forEach((v, j) => assert.ok(close(r.path[i + 1][j], v, 1e-7), `${key} iterate ${i + 1}: ${r.path[i + 1][j]} vs ${v}`)));
        // the f-against-evaluations chart's x: SciPy's calls by each iterate (x0 costs the first)
        assert.deepEqual(r.pathEvaluations, [1, ...sp.iterates.map((it) => it.evaluations)], `${key}: evaluations per iterate`);
        sp.x.forEach((v, j) => assert.ok(close(r.finalX[j], v, 1e-7), `${key}: final x`));
      }
    });
  }
}

test('the SciPy traces repeat the nfev of test/fixtures/minimize (torch-f SciPy runs) at the shared starts', () => {
  for (const [dir, fn, x0] of [['rosenbrock-2', 'rosenbrock', '-1.2,1'], ['beale', 'beale', '1,1']]) {
    const expected = JSON.parse(readFileSync(join(fixtures, 'minimize', dir, 'expected.json'), 'utf8'));
    const c = ref.cases.find((k) => k.function === fn && k.x0.join() === x0);
    assert.ok(c, dir);
    assert.equal(c.runs.bfgs.nfev, expected.BFGS.nfev, `${dir} BFGS`);
    assert.equal(c.runs['lbfgs-m10'].nfev, expected['L-BFGS-B'].nfev, `${dir} L-BFGS-B`);
  }
});

/** One race from (-1.5, 2) on Rosenbrock: torch first-order runs, SciPy's search methods, torch's LBFGS. */
function mixedRace(tol: number): { results: RaceResult[]; firstOrder: { spec: string; path: number[][] }[] } {
  const objective = makeObjective('rosenbrock', 2);
  const firstOrder = ['adam-betas-eps', 'radam-betas'].map((name) => {
    const dir = join(fixtures, 'optimize-options', name);
    const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'));
    assert.equal(spec.function, 'rosenbrock');
    assert.deepEqual(spec.x0, [-1.5, 2]);
    assert.equal(spec.steps, 100);
    return { spec: torchSpec(spec.optimizer), path: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')).path as number[][] };
  });
  const specs = [...firstOrder.map((f) => f.spec), SPECS.bfgs, SPECS['lbfgs-m10'], 'lbfgs-torch:lineSearchFn=strong_wolfe', 'lbfgs-torch'];
  const results = specs.flatMap((s) => parseRunSpec(s)).map((run) => race({ objective, x0: [-1.5, 2], run, steps: 100, tol }));
  return { results, firstOrder };
}

for (const tol of [1e-2, 1.2]) {
  test(`one race from (-1.5, 2), tol ${tol}: first-order rows as torch.optim, search rows as SciPy, lbfgs-torch as torch's LBFGS`, () => {
    const { results, firstOrder } = mixedRace(tol);
    const min = [1, 1];
    firstOrder.forEach((f, i) => {
      const r = results[i];
      assert.equal(r.kind, 'first-order');
      assert.equal(r.stopReason, null);
      assert.equal(r.steps, 100);
      assert.equal(r.evaluations, 100, 'one evaluation per step');
      const want = referenceReach(f.path[0], f.path.slice(1).map((x, k) => ({ x, evaluations: k + 1 })), min, tol);
      assert.equal(r.reachedAt, want.at, `${f.spec}: reached at step (torch path)`);
      assert.equal(r.reachedAtEvaluations, want.evaluations, `${f.spec}: evaluations to reach`);
      assert.equal(r.path.length, 101);
      assert.deepEqual(r.pathEvaluations, r.pathSteps);
      f.path.forEach((x, k) => x.forEach((v, j) => assert.ok(close(r.path[k][j], v, 1e-7), `${f.spec} step ${k}`)));
    });
    // radam passes within 1.2 of (1, 1) in torch's 100 steps (at 1.053), adam does not: a yes and a no
    if (tol === 1.2) assert.deepEqual(results.slice(0, 2).map((r) => r.reachedAt !== null), [false, true]);
    const c = ref.cases.find((k) => k.function === 'rosenbrock' && k.x0.join() === '-1.5,2');
    assert.ok(c);
    for (const [i, key] of [[2, 'bfgs'], [3, 'lbfgs-m10']] as const) {
      const sp: SciPyRun = c.runs[key];
      const want = referenceReach(c.x0, sp.iterates, min, tol);
      assert.equal(results[i].reachedAt, want.at, key);
      assert.equal(results[i].reachedAtEvaluations, want.evaluations, key);
      assert.equal(results[i].evaluations, sp.nfev, key);
      assert.equal(results[i].steps, sp.nit, key);
    }
    for (const [i, key] of [[4, 'strong_wolfe'], [5, 'none']] as const) {
      const steps = ref.lbfgsTorch[key].steps;
      const r = results[i];
      // torch's first call that leaves x unchanged; every later call leaves it there too
      const still = steps.findIndex((s, k) => s.x.every((v, j) => v === (k ? steps[k - 1].x : ref.lbfgsTorch[key].x0)[j]));
      assert.ok(still > 0, `${key}: torch's run comes to rest`);
      for (const s of steps.slice(still)) assert.deepEqual(s.x, steps[still].x);
      assert.equal(r.steps, still, `${key}: step() calls that moved`);
      assert.equal(r.evaluations, steps[still].evaluations, `${key}: closure calls, the resting call's included`);
      assert.equal(r.stopReason, 'no-progress', `${key}: torch stops on its directional-derivative test, not on toleranceGrad`);
      steps.slice(0, still).forEach((s, k) => s.x.forEach((v, j) => assert.ok(close(r.path[k + 1][j], v, 1e-7), `${key} call ${k + 1}`)));
      const want = referenceReach(ref.lbfgsTorch[key].x0, steps.slice(0, still), min, tol);
      assert.equal(r.reachedAt, want.at, `${key}: reached at call`);
      assert.equal(r.reachedAtEvaluations, want.evaluations, `${key}: closure calls to reach`);
    }
  });
}

test('the report shows the search paths: player data, contour and f chart in each method\'s own colour; reach rows with evaluations', () => {
  const { results } = mixedRace(1e-2);
  const objective = makeObjective('rosenbrock', 2);
  const xy = new Float64Array(2);
  const s: FunctionSection = { fn: 'rosenbrock', x0: [-1.5, 2], steps: 100, tol: 1e-2, minimum: [1, 1], xDomain: [-2, 2], yDomain: [-1, 3], f: (a, b) => { xy[0] = a; xy[1] = b; return objective.value(xy); }, results };
  const html = reportHtml({ title: 't', command: 'c', functions: [s] });
  const data = JSON.parse(/<script type="application\/json" class="player-data">(.*?)<\/script>/.exec(html)![1]) as { paths: number[][][]; steps: number[][]; units: string[] };
  const c = ref.cases.find((k) => k.function === 'rosenbrock' && k.x0.join() === '-1.5,2')!;
  // the player holds every BFGS iterate beside the 101 Adam points, and counts iterations apart from steps
  assert.equal(data.paths[2].length, c.runs.bfgs.nit + 1);
  assert.equal(data.paths[0].length, 101);
  assert.deepEqual(data.units, ['step', 'step', 'iteration', 'iteration', 'iteration', 'iteration']);
  // f against objective evaluations beside f against step, its last x BFGS's SciPy nfev
  const evalChart = /<svg[^>]*>(?:(?!<\/svg>).)*f against evaluations(?:(?!<\/svg>).)*<\/svg>/s.exec(html);
  assert.ok(evalChart, 'the f-against-evaluations chart');
  assert.equal(results[2].pathEvaluations[results[2].pathEvaluations.length - 1], c.runs.bfgs.nfev);
  const lastIteration = Math.max(...results.filter((r) => r.kind === 'search').map((r) => r.steps));
  assert.ok(html.includes(`<span class="step-label">step 100, iteration ${lastIteration}</span>`));
  // each run's colour is its method's everywhere, and the methods' colours differ
  const colours = { bfgs: OPTIMIZER_COLORS.bfgs, lbfgs: OPTIMIZER_COLORS.lbfgs, 'lbfgs-torch': OPTIMIZER_COLORS['lbfgs-torch'] };
  assert.equal(new Set(Object.values(colours)).size, 3);
  const contour = functionContourSvg(s);
  const chart = functionValueChart(s);
  for (const [name, colour] of Object.entries(colours)) {
    const i = results.findIndex((r) => r.name === name);
    assert.ok(html.includes(`<path class="opt-path" data-i="${i}" stroke="${colour}"`), `${name}: player`);
    assert.ok(new RegExp(`class="opt-path"[^>]*stroke="${colour}"`).test(contour), `${name}: contour`);
    assert.ok(new RegExp(`class="series" data-label="${results[i].label}" stroke="${colour}"`).test(chart), `${name}: f chart`);
  }
  // the reach row carries the SciPy counts
  const bfgsRow = new RegExp(`<tr data-kind="search" data-at="(\\d*)" data-at-evaluations="(\\d*)" data-steps="(\\d+)" data-evaluations="(\\d+)" data-stop="gtol" data-label="bfgs:gtol=1e-8" data-reached="true">`).exec(html);
  assert.ok(bfgsRow, 'bfgs reach row');
  const want = referenceReach(c.x0, c.runs.bfgs.iterates, [1, 1], 1e-2);
  assert.deepEqual(bfgsRow.slice(1).map(Number), [want.at, want.evaluations, c.runs.bfgs.nit, c.runs.bfgs.nfev]);
  assert.ok(html.includes('data-kind="first-order" data-at="" data-at-evaluations="" data-steps="100" data-evaluations="100" data-stop="" data-label="adam:lr=0.05,betas=0.8;0.99,eps=0.000001" data-reached="false">'));
});

test('a long search run keeps at most 1,200 points, x0 first and the last iterate last, beside the strided first-order path', () => {
  const objective = makeObjective('rosenbrock', 2);
  const [run] = parseRunSpec('gd-backtracking');
  const r = race({ objective, x0: [-1.2, 1], run, steps: 3000, maxPoints: 100 });
  assert.equal(r.stopReason, 'max-iterations');
  assert.equal(r.steps, 3000);
  assert.ok(r.path.length <= 202 && r.path.length > 100, `${r.path.length} points`);
  assert.deepEqual(r.path[0], [-1.2, 1]);
  assert.equal(r.pathSteps[r.pathSteps.length - 1], 3000);
  assert.deepEqual(r.path[r.path.length - 1], r.finalX);
  for (let i = 1; i < r.pathSteps.length; i++) assert.ok(r.pathSteps[i] > r.pathSteps[i - 1]);
  // every kept point is f's own value there
  r.path.forEach((p, i) => assert.equal(r.values[i], objective.value(Float64Array.from(p))));
});

test('search specs: hyperparameters, grids and text options parse as first-order ones do; bad ones name the flag', () => {
  assert.deepEqual(parseRunSpec('bfgs'), [{ label: 'bfgs', name: 'bfgs', options: {} }]);
  assert.deepEqual(parseRunSpec('lbfgs:historySize=5;10').map((r) => [r.label, r.options]), [['lbfgs historySize=5', { historySize: 5 }], ['lbfgs historySize=10', { historySize: 10 }]]);
  assert.deepEqual(parseRunSpec('nw=bfgs:wolfe=nocedal-wright,initialScaling=true'), [{ label: 'nw', name: 'bfgs', options: { wolfe: 'nocedal-wright', initialScaling: true } }]);
  assert.deepEqual(parseRunSpec('lbfgs-torch:lineSearchFn=strong_wolfe,historySize=5')[0].options, { lineSearchFn: 'strong_wolfe', historySize: 5 });
  for (const n of ['bfgs', 'newton', 'lbfgs', 'cg', 'gd-backtracking', 'lbfgs-torch']) assert.ok(isRaceSearchMethod(n), n);
  assert.ok(!isRaceSearchMethod('adam'));
  const err = (f: () => unknown, re: RegExp) => assert.throws(f, (e: Error & { kind?: string }) => re.test(e.message) && e.kind === 'input');
  err(() => parseRunSpec('bfgs:gtol=-1'), /^--opt 'bfgs:gtol=-1': bfgs: gtol: expected a number >= 0/);
  err(() => parseRunSpec('bfgs:wolfe=fast'), /wolfe: expected "more-thuente" or "nocedal-wright"/);
  err(() => parseRunSpec('cg:historySize=3'), /^--opt: cg has no hyperparameter 'historySize'; expected one of: c1, c2, ftol, gtol/); // ftol: cg's stall stop (issue 15)
  err(() => parseRunSpec('lbfgs-torch:lineSearchFn=wolfe'), /lineSearchFn: expected strong_wolfe or none/);
  err(() => parseRunSpec('bfgss'), /^--opt: unknown optimizer 'bfgss'; expected one of: .*bfgs.*lbfgs-torch/);
});

test('divergence on the saddle x² − y² (unbounded below): a result at the iteration where f or x overflows, the path ending finite', () => {
  const saddle = makeObjective('saddle', 2);
  const specs = ['sgd:lr=0.1', 'gd-backtracking', 'bfgs', 'newton', 'lbfgs-torch'];
  const results = specs.flatMap((s) => parseRunSpec(s)).map((run) => race({ objective: saddle, x0: [1, 0.1], run, steps: 3000 }));
  // sgd in closed form: y_k = 0.1·1.2^k, and f = x² − y² first overflows to −∞ when y_k² > Number.MAX_VALUE
  let k = 0;
  for (let y = 0.1; Number.isFinite(y * y); y *= 1.2) k++;
  assert.equal(results[0].divergedAt, k);
  for (const r of results) {
    assert.ok(r.divergedAt !== null && r.divergedAt > 0, r.label);
    assert.equal(r.steps, r.divergedAt, `${r.label}: the diverging iteration is the last one run`);
    assert.ok(Number.isNaN(r.finalValue) && Number.isNaN(r.finalDistance), r.label);
    assert.equal(r.reachedAt, null);
    const last = r.path[r.path.length - 1];
    assert.ok(last.every(Number.isFinite) && Number.isFinite(r.values[r.values.length - 1]), `${r.label}: drawn up to its last finite point`);
    assert.ok(Math.abs(last[1]) > 1e100, `${r.label}: it went down the saddle's y direction, |y| = ${last[1]}`);
    if (r.kind === 'search') assert.equal(r.stopReason, 'non-finite', r.label);
  }
  const html = reportHtml({ title: 't', command: 'c', functions: [{ fn: 'saddle', x0: [1, 0.1], steps: 3000, tol: 0.01, xDomain: [-2, 2], yDomain: [-2, 2], results }] });
  for (const r of results) assert.ok(html.includes(`<td class="l">diverged at ${r.divergedAt}</td>`), r.label);
});
