// The report's player in a real browser with paths of very different lengths: a BFGS path (one point per
// iteration, ~35) beside a 600-point Adam path (5,000 steps kept every 9th). Each frame draws every path up to
// its k-th point or its last; past its end a short path stays whole with its head on its last iterate; the label
// counts steps and iterations apart. Expected points come from the race's own path mapped through the plot's
// scales (the player's job is drawing them, not computing them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunSpec, race, reportHtml, REPORT_PLAYER_LAYOUT } from '../../src/report/index.js';
import { contourScales } from '../../src/viz/index.js';
import { makeObjective } from '../../src/objectives/index.js';
import { withHtmlPage } from '../helpers/html-page.js';

test('player: a 35-point BFGS path beside a 600-point Adam path plays to the end; the short one rests whole on its last iterate', async () => {
  const rosenbrock = makeObjective('rosenbrock', 2);
  const runs = [...parseRunSpec('adam:lr=0.01'), ...parseRunSpec('bfgs')];
  const results = runs.map((run) => race({ objective: rosenbrock, x0: [-1.2, 1], run, steps: 5000 }));
  const [adam, bfgs] = results;
  assert.ok(adam.path.length > 500 && bfgs.path.length < 60, `${adam.path.length} and ${bfgs.path.length} points`);
  const x = new Float64Array(2);
  const o = { xDomain: [-2, 2] as [number, number], yDomain: [-1, 3] as [number, number] };
  const html = reportHtml({
    title: 'mixed player', command: 'test',
    functions: [{ fn: 'rosenbrock', x0: [-1.2, 1], steps: 5000, tol: 0.01, minimum: [1, 1], ...o, f: (a, b) => { x[0] = a; x[1] = b; return rosenbrock.value(x); }, results }],
  });
  await withHtmlPage(html, async (page, { errors }) => {
    const p = page.locator('#player-0');
    const points = async (i: number) => ((await p.locator('.opt-path').nth(i).getAttribute('d')) ?? '').split(/[ML]/).filter(Boolean).length;
    const { x: sx, y: sy } = contourScales({ ...o, ...REPORT_PLAYER_LAYOUT });
    const headAt = async (i: number, q: number[]) => {
      const head = p.locator('.head').nth(i);
      assert.ok(Math.abs(Number(await head.getAttribute('cx')) - sx(q[0])) < 0.01 && Math.abs(Number(await head.getAttribute('cy')) - sy(q[1])) < 0.01, `head ${i}`);
    };
    // frame 10: both paths at their 10th kept point
    await p.locator('.frame').fill('10');
    assert.deepEqual([await points(0), await points(1)], [11, 11]);
    assert.equal(await p.locator('.step-label').textContent(), `step ${adam.pathSteps[10]}, iteration 10`);
    await headAt(1, bfgs.path[10]);
    // frame 300, far past the BFGS path's end: BFGS whole, its head on its last iterate; Adam at its 300th point
    await p.locator('.frame').fill('300');
    assert.deepEqual([await points(0), await points(1)], [301, bfgs.path.length]);
    await headAt(0, adam.path[300]);
    await headAt(1, bfgs.path[bfgs.path.length - 1]);
    assert.equal(await p.locator('.step-label').textContent(), `step ${adam.pathSteps[300]}, iteration ${bfgs.steps}`);
    // play runs from the last frame's end back through both to the last frame without errors
    await p.locator('.frame').fill(String(adam.path.length - 3));
    await p.locator('.speed').fill('60');
    await p.locator('.play').click();
    await page.waitForFunction(() => document.querySelector('#player-0 .step-label')!.textContent === 'step 5000, iteration ' + (document.querySelectorAll('#player-0 .opt-path')[1].getAttribute('d')!.split(/[ML]/).filter(Boolean).length - 1));
    assert.equal(await points(0), adam.path.length);
    assert.deepEqual(errors, []);
  });
});
