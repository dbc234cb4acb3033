// The report's animation player in a real browser (playwright-core + the test Chromium of
// test/helpers/browser.ts): step, play, pause, the frame slider and the speed control move the paths; the page loads nothing
// from the network. The expected paths are recomputed here from the race's points through the plot's scales.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunSpec, race, reportHtml, REPORT_PLAYER_LAYOUT } from '../../src/report/index.js';
import { contourScales } from '../../src/viz/index.js';
import { makeObjective } from '../../src/objectives/index.js';
import { withHtmlPage } from '../helpers/html-page.js';

test('player: step, play, pause, slider and speed drive the animated paths; no network requests', async () => {
  const beale = makeObjective('beale', 2);
  const runs = [...parseRunSpec('adam:lr=0.1'), ...parseRunSpec('rmsprop:lr=0.001')];
  const results = runs.map((run) => race({ objective: beale, x0: [2, -2], run, steps: 400, maxPoints: 100 }));
  const x = new Float64Array(2);
  const o = { xDomain: [-4.5, 4.5] as [number, number], yDomain: [-4.5, 4.5] as [number, number] };
  const html = reportHtml({
    title: 'player test', command: 'test',
    functions: [{ fn: 'beale', x0: [2, -2], steps: 400, tol: 0.01, minimum: [3, 0.5], ...o, f: (a, b) => { x[0] = a; x[1] = b; return beale.value(x); }, results }],
  });
  await withHtmlPage(html, async (page, { errors, external }) => {
    const p = page.locator('#player-0');
    const path0 = p.locator('.opt-path').first();
    const points = async () => ((await path0.getAttribute('d')) ?? '').split(/[ML]/).filter(Boolean).length;
    assert.equal(await points(), 1, 'frame 0: the start point only');
    await p.locator('.step').click();
    await p.locator('.step').click();
    assert.equal(await points(), 3);
    // kept points every 4 steps (400 steps, 100 points): frame 2 is step 8
    assert.equal(await p.locator('.step-label').textContent(), 'step 8');
    // the head sits on the race's point for step 8, mapped through the plot's scales
    const { x: sx, y: sy } = contourScales({ ...o, ...REPORT_PLAYER_LAYOUT });
    const head = p.locator('.head').first();
    assert.ok(Math.abs(Number(await head.getAttribute('cx')) - sx(results[0].path[2][0])) < 0.01);
    assert.ok(Math.abs(Number(await head.getAttribute('cy')) - sy(results[0].path[2][1])) < 0.01);
    await p.locator('.speed').fill('60');
    assert.equal(await p.locator('.speed-label').textContent(), '60');
    await p.locator('.play').click();
    await page.waitForFunction(() => Number((document.querySelector('#player-0 .frame') as HTMLInputElement).value) > 10);
    await p.locator('.pause').click();
    const paused = await points();
    await page.waitForTimeout(200);
    assert.equal(await points(), paused, 'pause stops the animation');
    assert.ok(paused > 10);
    await p.locator('.frame').fill('100');
    assert.equal(await points(), 101);
    assert.equal(await p.locator('.step-label').textContent(), 'step 400');
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
  });
});
