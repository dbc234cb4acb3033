// descent compare with search methods beside first-order rules, end to end (needs `npm run build`): the --json
// summary's iterations, evaluations, reach and stop reason against SciPy (BFGS, L-BFGS-B and CG traces: iterate
// and objective calls so far) and torch (a first-order trajectory, LBFGS per step() call), the report's paths,
// and the lectures' command from the issue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDescent } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test', 'fixtures');
const read = (...p: string[]) => JSON.parse(readFileSync(join(fixtures, ...p), 'utf8'));

interface Iterate { x: number[]; evaluations: number }
const race = read('compare', 'search-race.json') as {
  cases: { function: string; x0: number[]; runs: Record<string, { nit: number; nfev: number; x: number[]; iterates: Iterate[] }> }[];
  lbfgsTorch: Record<string, { x0: number[]; steps: Iterate[] }>;
};
const cg = read('minimize-cg', 'problems.json').problems['rosenbrock-2'] as { nit: number; nfev: number; x: number[]; path: number[][]; nfevAt: number[] };
const adamFixture = { spec: read('optimize-options', 'adam-betas-eps', 'spec.json'), path: read('optimize-options', 'adam-betas-eps', 'expected.json').path as number[][] };

interface Row {
  label: string; optimizer: string; kind: string; iterations: number; evaluations: number; hessianEvaluations?: number;
  reached: boolean; reachedAt: number | null; reachedAtEvaluations: number | null; divergedAt: number | null;
  stopReason?: string; finalX: number[]; finalValue: number;
}

const descent = (args: string[]) => runDescent(args, { timeout: 120_000 });
const dist = (x: number[]) => Math.hypot(x[0] - 1, x[1] - 1);
/** The reference's reach within tol of (1, 1): first iterate (x0 is 0) and the evaluations by then. */
function reach(x0: number[], its: Iterate[], tol: number): [number | null, number | null] {
  if (dist(x0) <= tol) return [0, 0];
  const k = its.findIndex((it) => dist(it.x) <= tol);
  return k < 0 ? [null, null] : [k + 1, its[k].evaluations];
}
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-7 * Math.max(1, Math.abs(b));

test('compare --fn rosenbrock from two starts: search rows count and reach as SciPy and torch, the first-order row as torch.optim', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-compare-search-'));
  try {
    const adam = `adam:lr=${adamFixture.spec.optimizer.lr},betas=${adamFixture.spec.optimizer.betas.join(';')},eps=${adamFixture.spec.optimizer.eps}`;
    const opts = [adam, 'bfgs:gtol=1e-8', 'lbfgs:gtol=1e-8,ftol=1e-15,historySize=5;10', 'cg:gtol=1e-8', 'newton', 'lbfgs-torch:lineSearchFn=strong_wolfe'];
    const r = descent(['compare', '--fn', 'rosenbrock', '--x0', '-1.2,1', '--x0', '-1.5,2', '--steps', '100', '--tol', '0.01', ...opts.flatMap((o) => ['--opt', o]), '--out', dir, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { functions: { x0: number[]; results: Row[] }[] };
    const section = (x0: string) => summary.functions.find((s) => s.x0.join() === x0)!.results;
    const row = (rows: Row[], label: string) => rows.find((x) => x.label === label)!;
    for (const x0 of ['-1.2,1', '-1.5,2']) {
      const rows = section(x0);
      assert.equal(rows.length, 7, 'the lbfgs grid is two runs');
      const ref = race.cases.find((c) => c.function === 'rosenbrock' && c.x0.join() === x0)!;
      for (const [label, key] of [['bfgs:gtol=1e-8', 'bfgs'], ['lbfgs:gtol=1e-8,ftol=1e-15 historySize=5', 'lbfgs-m5'], ['lbfgs:gtol=1e-8,ftol=1e-15 historySize=10', 'lbfgs-m10']]) {
        const got = row(rows, label);
        const sp = ref.runs[key];
        assert.deepEqual([got.kind, got.stopReason, got.iterations, got.evaluations], ['search', 'gtol', sp.nit, sp.nfev], `${label} from ${x0}`);
        assert.deepEqual([got.reachedAt, got.reachedAtEvaluations], reach(ref.x0, sp.iterates, 0.01), `${label} from ${x0}: reach`);
        assert.equal(got.reached, true);
        sp.x.forEach((v, j) => assert.ok(close(got.finalX[j], v), `${label}: final x`));
      }
      // Newton: no SciPy twin; it must end at the closed-form minimizer (1, 1) on its gradient test
      const newton = row(rows, 'newton');
      assert.equal(newton.stopReason, 'gtol');
      assert.ok(dist(newton.finalX) < 1e-8 && newton.reached && newton.reachedAt! <= newton.iterations);
      assert.ok(newton.hessianEvaluations! > 0, 'Rosenbrock has an analytic Hessian: counted apart');
      // the first-order row: one evaluation per step, the whole cap
      const a = row(rows, adam);
      assert.deepEqual([a.kind, a.iterations, a.evaluations, a.stopReason], ['first-order', 100, 100, undefined]);
    }
    // cg from (-1.2, 1) against SciPy's CG: its path and the calls made by each iterate
    const cgRow = row(section('-1.2,1'), 'cg:gtol=1e-8');
    assert.deepEqual([cgRow.iterations, cgRow.evaluations, cgRow.stopReason], [cg.nit, cg.nfev, 'gtol']);
    assert.deepEqual([cgRow.reachedAt, cgRow.reachedAtEvaluations], reach(cg.path[0], cg.path.slice(1).map((x, k) => ({ x, evaluations: cg.nfevAt[k + 1] })), 0.01));
    // from (-1.5, 2): adam against torch.optim's trajectory, lbfgs-torch against torch's LBFGS per call
    const a = row(section('-1.5,2'), adam);
    adamFixture.path[100].forEach((v, j) => assert.ok(close(a.finalX[j], v), 'adam final x (torch)'));
    assert.deepEqual([a.reached, a.reachedAt], [false, null], 'torch\'s adam ends 2.24 from (1, 1)');
    const lt = row(section('-1.5,2'), 'lbfgs-torch:lineSearchFn=strong_wolfe');
    const steps = race.lbfgsTorch.strong_wolfe.steps;
    const rest = steps.findIndex((s, k) => k > 0 && s.x.every((v, j) => v === steps[k - 1].x[j]));
    assert.deepEqual([lt.iterations, lt.evaluations, lt.stopReason], [rest, steps[rest].evaluations, 'no-progress']);
    assert.deepEqual([lt.reachedAt, lt.reachedAtEvaluations], reach([-1.5, 2], steps.slice(0, rest), 0.01));

    // the report: every run's path in the player and the contour; the bfgs path holds all its iterates
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const players = [...html.matchAll(/<script type="application\/json" class="player-data">(.*?)<\/script>/g)].map((m) => JSON.parse(m[1]) as { paths: number[][][]; units: string[] });
    assert.equal(players.length, 2);
    const bfgsIndex = section('-1.2,1').findIndex((x) => x.label === 'bfgs:gtol=1e-8');
    assert.equal(players[0].paths[bfgsIndex].length, race.cases[0].runs.bfgs.nit + 1);
    assert.equal(players[0].units[bfgsIndex], 'iteration');
    assert.equal(players[0].paths[0].length, 101, 'adam: every step of 100');
    assert.equal((readFileSync(join(dir, 'rosenbrock-from--1.2_1.svg'), 'utf8').match(/class="opt-path"/g) ?? []).length, 7);
    assert.ok(html.includes('<th>evaluations to reach</th>'));
    // f against evaluations as a figure of its own (SVG and PNG) per start
    for (const x0 of ['-1.2_1', '-1.5_2']) {
      const svg = readFileSync(join(dir, `rosenbrock-from-${x0}-evaluations.svg`), 'utf8');
      assert.match(svg, /objective evaluations/);
      assert.equal((svg.match(/class="series"/g) ?? []).length, 7);
      readFileSync(join(dir, `rosenbrock-from-${x0}-evaluations.png`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the issue\'s command: adam beside bfgs, newton, lbfgs and cg on Rosenbrock for 5000 steps, plus lbfgs-torch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-compare-search-'));
  try {
    const r = descent(['compare', '--fn', 'rosenbrock', '--x0', '-1.2,1', '--opt', 'adam:lr=0.01', '--opt', 'bfgs', '--opt', 'newton', '--opt', 'lbfgs:historySize=5', '--opt', 'cg', '--opt', 'lbfgs-torch', '--steps', '5000', '--out', dir, '--no-progress']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'rosenbrock from (-1.2, 1), 5000 steps:');
    for (const name of ['bfgs', 'newton', 'lbfgs:historySize=5', 'cg']) assert.match(r.stdout, new RegExp(`\\n  ${name}: reached the minimum at iteration \\d+ \\(\\d+ evaluations\\); stopped: gtol, \\d+ iterations, \\d+ evaluations\\n`), name);
    assert.match(r.stdout, /\n {2}adam:lr=0\.01: reached the minimum at step \d+ \(\d+ evaluations\)\n/);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    const rows = summary.functions[0].results as Row[];
    // SciPy's BFGS from (-1.2, 1) at the default gtol 1e-6 stops with the gtol 1e-8 run's iterates, earlier
    const bfgs = rows.find((x) => x.label === 'bfgs')!;
    const sp = race.cases[0].runs.bfgs;
    assert.ok(bfgs.iterations <= sp.nit && bfgs.evaluations === sp.iterates[bfgs.iterations - 1].evaluations, `bfgs ${bfgs.iterations} iterations, ${bfgs.evaluations} evaluations`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a training race takes lbfgs-torch through descent train (one step(closure) per batch): the rows equal direct train runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-compare-search-'));
  try {
    const common = ['--data', 'iris', '--model', 'softmax', '--epochs', '2', '--batch', 'full'];
    const r = descent(['compare', ...common, '--seeds', '2', '--opt', 'lbfgs-torch:lineSearchFn=strong_wolfe,maxIter=5', '--opt', 'adam:lr=0.01', '--out', dir, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout).training.results as { label: string; trainLoss: number[][] }[];
    const lbfgs = rows.find((x) => x.label === 'lbfgs-torch:lineSearchFn=strong_wolfe,maxIter=5')!;
    for (const seed of [1, 2]) {
      const t = descent(['train', ...common, '--seed', String(seed), '--opt', 'lbfgs-torch', '--line-search-fn', 'strong_wolfe', '--max-iter', '5', '--json']);
      assert.equal(t.status, 0, t.stderr);
      const epochs = t.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((o) => typeof o.epoch === 'number');
      assert.deepEqual(lbfgs.trainLoss[seed - 1], epochs.map((e) => e.trainLoss), `seed ${seed}`);
    }
    assert.ok(lbfgs.trainLoss[0][1] < rows[1].trainLoss[0][1], 'two full-batch LBFGS steps beat two Adam steps');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
