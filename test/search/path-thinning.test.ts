// The one thinning rule of every optimize path (src/search/path-thinning.ts): a thinned run's points are
// exactly the full run's iterates at the kept steps (every stride-th and the last), for the first-order loop,
// each line-search and second-order method, and lbfgs-torch. The reference is the same run with no cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeObjective } from '../../src/objectives/index.js';
import { minimize, searchMethods, type SearchMethodName } from '../../src/search/minimize.js';
import { runFirstOrder } from '../../src/search/run-first-order.js';
import { runLbfgsTorch } from '../../src/search/lbfgs-torch-run.js';
import { optimizeSearchMethods } from '../../src/search/optimize-adapter.js';
import { ThinnedPath, type PathThinning } from '../../src/search/path-thinning.js';

/** The thinned run against the full one: same points and values at the kept steps, the rule's steps, the last kept. */
function sameAsFull(full: { path: number[][]; values: number[] }, thin: { path: number[][]; values: number[]; thinned?: PathThinning }, cap: number): void {
  const t = thin.thinned;
  assert.ok(t, `a run of ${full.path.length} points with cap ${cap} is thinned`);
  const last = full.path.length - 1;
  assert.equal(t.kept, thin.path.length);
  assert.equal(t.steps.length, thin.path.length);
  assert.ok(thin.path.length <= cap, `${thin.path.length} points kept, cap ${cap}`);
  const want = [];
  for (let s = 0; s <= last; s += t.stride) want.push(s);
  if (want[want.length - 1] !== last) want.push(last);
  assert.deepEqual(t.steps, want);
  // the stride is the smallest power of two that fits the cap
  assert.ok(t.stride === 1 || Math.floor(last / (t.stride / 2)) + 2 > cap, `stride ${t.stride} larger than needed for ${last} steps`);
  t.steps.forEach((s, i) => {
    assert.deepEqual(thin.path[i], full.path[s], `point of step ${s}`);
    assert.equal(thin.values[i], full.values[s], `value of step ${s}`);
  });
}

test('every line-search and second-order method keeps the full run\'s iterates at the kept steps', () => {
  const rosen = makeObjective('rosenbrock', 2);
  for (const method of Object.keys(searchMethods) as SearchMethodName[]) {
    const full = minimize(rosen, [-1.2, 1], { method, gtol: 1e-10, maxIter: 2000 });
    assert.equal(full.thinned, undefined);
    assert.ok(full.path.length > 12, `${method}: ${full.path.length} points`);
    for (const cap of [5, 8, 11]) {
      const thin = minimize(rosen, [-1.2, 1], { method, gtol: 1e-10, maxIter: 2000, maxPathPoints: cap });
      assert.deepEqual(Array.from(thin.x), Array.from(full.x), `${method}: the run itself is unchanged`);
      assert.equal(thin.nit, full.nit);
      sameAsFull(full, thin, cap);
    }
    // values only (recordPath false) thin the same way
    const vals = minimize(rosen, [-1.2, 1], { method, gtol: 1e-10, maxIter: 2000, maxPathPoints: 8, recordPath: false });
    assert.deepEqual(vals.path, []);
    assert.deepEqual(vals.values, vals.thinned!.steps.map((s) => full.values[s]));
  }
});

test('optimize\'s adapters pass the cap: search methods and lbfgs-torch report `thinned`', () => {
  const rosen = makeObjective('rosenbrock', 2);
  const full = optimizeSearchMethods['gd-backtracking'].minimize(rosen, [-1.2, 1], { gtol: 0 }, 300);
  const thin = optimizeSearchMethods['gd-backtracking'].minimize(rosen, [-1.2, 1], { gtol: 0 }, 300, 16);
  assert.equal(full.path.length, 301);
  sameAsFull(full, thin, 16);
  const lfull = runLbfgsTorch(rosen, [-1.2, 1], { lr: 0.05 }, 70);
  const lthin = runLbfgsTorch(rosen, [-1.2, 1], { lr: 0.05 }, 70, 9);
  assert.equal(lfull.path.length, 71);
  sameAsFull(lfull, lthin, 9);
});

test('the first-order loop: same rule, and the lr of each kept step', () => {
  const beale = makeObjective('beale', 2);
  const full = runFirstOrder({ objective: beale, x0: [1, 1], optimizer: 'adam', options: { lr: 0.01 }, steps: 999 });
  for (const cap of [4, 10, 33]) {
    const thin = runFirstOrder({ objective: beale, x0: [1, 1], optimizer: 'adam', options: { lr: 0.01 }, steps: 999, maxPathPoints: cap, schedule: undefined });
    sameAsFull(full, thin, cap);
    assert.deepEqual(thin.lrs, thin.thinned!.steps.slice(1).map((s) => full.lrs[s - 1]));
  }
});

test('ThinnedPath: steps between kept points overwrite one spare point, so memory stays at the cap', () => {
  const p = new ThinnedPath(6);
  const x = new Float64Array(1);
  for (let s = 0; s <= 1000; s++) {
    x[0] = s;
    p.record(s, x, -s);
    assert.ok(p.path.length <= 7, `${p.path.length} points after step ${s}`);
  }
  const t = p.finish()!;
  assert.deepEqual(t.steps, [0, 256, 512, 768, 1000]);
  assert.deepEqual(p.path, t.steps.map((s) => [s]));
  assert.deepEqual(p.values, t.steps.map((s) => -s));
  assert.equal(new ThinnedPath().finish(), undefined);
});
