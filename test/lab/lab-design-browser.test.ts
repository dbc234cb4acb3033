/**
 * The designed lab in a real browser, served by `descent lab`, at 1280×800 and 390×844: every mode (a listed
 * function, a typed function with the 3-D surface and vectors, the dataset) without horizontal overflow, with
 * an equal-aspect contour, no two texts of an axis overlapping, no console errors and nothing fetched from
 * elsewhere. Then each feature does what it says, checked against independent numbers:
 * - typing `x^2 + 10*y^2` and `sin(x)*cos(y)` races (the paths move; the estimated minimum of the first is (0, 0));
 *   a syntax error shows one inline error and keeps the page working; `exp(1000*x)` gives one divergence report;
 * - dragging the start moves it to the data point under the pointer (the plot's scales, recomputed here);
 * - the vectors at an optimizer's point are −∇f of the closed form, and its velocity the torch momentum buffer
 *   of a replay of the same race in Node;
 * - the 3-D view paints the surface and turns when dragged (the angles go into the URL);
 * - a CSV dropped on the boundary is read in the page and trained on.
 * Needs `npm run build`. Screenshots go to test-output/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openPage, startLab, type LabSession, type WatchedPage } from '../helpers/browser.js';
import { assertContourAspect, assertNoAxisTextOverlap, assertNoHorizontalOverflow } from '../helpers/layout.js';
import { contourScales } from '../../src/viz/index.js';
import { decodeState } from '../../src/lab/state.js';
import { Race, runnerVectors } from '../../src/lab/race.js';

const repo = join(import.meta.dirname, '..', '..');
const outDir = join(repo, 'test-output');
let lab: LabSession | undefined;

before(async () => {
  lab = await startLab({ viewport: { width: 1280, height: 800 } });
  mkdirSync(outDir, { recursive: true });
});

after(async () => {
  await lab?.close();
});

const open = (hash: string, viewport = { width: 1280, height: 800 }): Promise<WatchedPage> => openPage(lab!.context, lab!.url + hash, { viewport });

/** The page's hash as it is now (page.url() can lag behind history.replaceState). */
const hashOf = async (page: Page): Promise<URLSearchParams> => new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));

async function typeExpr(page: Page, text: string): Promise<void> {
  await page.fill('#expr', text);
}

const MODES = [
  { name: 'function', hash: '#fn=rosenbrock&search=bfgs', aspect: [4, 4] },
  { name: 'typed', hash: '#fn=custom&expr=sin(x)*cos(y)&dom=-3,3,-2,2&surface=1&vectors=1&on=sgd,momentum,adam', aspect: [6, 4] },
  { name: 'dataset', hash: '#mode=data', aspect: null },
] as const;

for (const vp of [{ name: 'desktop', width: 1280, height: 800 }, { name: 'phone', width: 390, height: 844 }]) {
  for (const mode of MODES) {
    test(`lab ${mode.name} mode at ${vp.width}×${vp.height}: no overflow, equal-aspect contour, axis texts apart, no errors, nothing off-origin`, { timeout: 60_000 }, async () => {
      const { page, errors, offOrigin } = await open(mode.hash, vp);
      if (mode.name === 'dataset') await page.click('#dstep');
      else {
        for (let i = 0; i < 3; i++) await page.click('#step');
      }
      await assertNoHorizontalOverflow(page, `${mode.name} ${vp.name}`);
      const axes = await assertNoAxisTextOverlap(page, `${mode.name} ${vp.name}`);
      assert.ok(axes >= (mode.aspect ? 3 : 1), `${axes} axes`);
      if (mode.aspect) await assertContourAspect(page, '#contour', mode.aspect[0], mode.aspect[1], `${mode.name} ${vp.name}`);
      await page.screenshot({ path: join(outDir, `lab-${mode.name}-${vp.name}.png`), fullPage: true });
      await page.close();
      assert.deepEqual(errors, []);
      assert.deepEqual(offOrigin, []);
    });
  }
}

test('typed functions: two races, one inline error, one clean divergence report', { timeout: 60_000 }, async () => {
  const { page, errors, offOrigin } = await open('#fn=custom&on=sgd,momentum,adam&search=newton');
  // x^2 + 10*y^2: the estimated minimum is (0, 0), f = 0; every run moves; Newton (exact Hessian) lands on it in one iteration
  await typeExpr(page, 'x^2 + 10*y^2');
  assert.match((await page.textContent('#fn-min')) ?? '', /f = 0 at \(0, 0\)/);
  for (let i = 0; i < 4; i++) await page.click('#step');
  const ends = await page.$$eval('#contour .end', (cs) => cs.map((c) => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]));
  assert.equal(ends.length, 4);
  const sc = contourScales({ xDomain: [-3, 3], yDomain: [-3, 3], width: 560, legend: false });
  const newtonEnd = await page.$eval('#contour .end[data-key="newton"]', (c) => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]);
  assert.ok(Math.abs(newtonEnd[0] - sc.x(0)) < 0.01 && Math.abs(newtonEnd[1] - sc.y(0)) < 0.01, `newton ends at ${newtonEnd}`);
  const start = [sc.x(2), sc.y(1.5)];
  for (const e of ends) assert.ok(Math.hypot(e[0] - start[0], e[1] - start[1]) > 1, 'every run moved');
  assert.equal((await hashOf(page)).get('expr'), null, 'the default expression is not written');
  // sin(x)*cos(y): another race
  await typeExpr(page, 'sin(x)*cos(y)');
  assert.equal((await hashOf(page)).get('expr'), 'sin(x)*cos(y)');
  await page.click('#reset');
  for (let i = 0; i < 4; i++) await page.click('#step');
  // every run drawn to its current point (Newton, on an indefinite Hessian, may leave the plot: a cross marks it)
  assert.equal(await page.$$eval('#contour .end, #contour .exit', (cs) => cs.length), 4);
  assert.equal(await page.isVisible('#expr-error'), false);
  // a syntax error: one inline error naming the place, nothing thrown, the last plot kept
  await typeExpr(page, 'x^2 +* y');
  assert.equal(await page.isVisible('#expr-error'), true);
  assert.match((await page.textContent('#expr-error')) ?? '', /\^ unexpected '\*'/);
  assert.equal(await page.locator('.error:visible').count(), 1);
  assert.equal(await page.getAttribute('#expr', 'aria-invalid'), 'true');
  // exp(1000*x) from (2, 1.5): f overflows at the start; every run is reported diverged at step 0, no minimum is marked
  await typeExpr(page, 'exp(1000*x)');
  assert.equal(await page.isVisible('#expr-error'), false);
  const status = (await page.textContent('#fn-status')) ?? '';
  assert.match(status, /^Every run diverged: SGD at step 0 \(f overflowed to ∞\); Momentum at step 0 \(f overflowed to ∞\); Adam at step 0 \(f overflowed to ∞\); Newton at step 0 \(f overflowed to ∞\)\.$/);
  assert.match((await page.textContent('#fn-min')) ?? '', /no minimum is marked/);
  await page.click('#play');
  await page.waitForFunction(() => document.querySelector('#play')?.textContent?.includes('Play'));
  await page.screenshot({ path: join(outDir, 'lab-typed-divergence.png'), fullPage: true });
  await page.close();
  assert.deepEqual(errors, []);
  assert.deepEqual(offOrigin, []);
});

test('drag the start: it follows the pointer to the data point under it, and the URL keeps it', { timeout: 60_000 }, async () => {
  const { page, errors } = await open('#fn=custom&on=adam');
  const sc = contourScales({ xDomain: [-3, 3], yDomain: [-3, 3], width: 560, legend: false });
  // screen position of a data point: the SVG's viewBox scaled to its box
  const box = (await page.locator('#contour').boundingBox())!;
  const k = box.width / sc.width;
  const toScreen = (x: number, y: number) => [box.x + k * sc.x(x), box.y + k * sc.y(y)];
  const [ax, ay] = toScreen(2, 1.5);
  const [bx, by] = toScreen(-1, -2);
  await page.mouse.move(ax, ay);
  await page.mouse.down();
  await page.mouse.move((ax + bx) / 2, (ay + by) / 2, { steps: 4 });
  await page.mouse.move(bx, by, { steps: 4 });
  await page.mouse.up();
  const x0text = (await hashOf(page)).get('x0');
  assert.ok(x0text, `no x0 in the URL; the start label says ${await page.textContent('#fn-start')}`);
  const x0 = x0text.split(',').map(Number);
  assert.ok(Math.abs(x0[0] + 1) < 0.02 && Math.abs(x0[1] + 2) < 0.02, `x0 ${x0}`);
  const startCircle = await page.$eval('#contour .start', (c) => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]);
  assert.ok(Math.abs(startCircle[0] - sc.x(x0[0])) < 0.01 && Math.abs(startCircle[1] - sc.y(x0[1])) < 0.01);
  await page.close();
  assert.deepEqual(errors, []);
});

test('vectors: −∇f and the velocity at each optimizer\'s point match the closed form and a Node replay of the race', { timeout: 60_000 }, async () => {
  const hash = '#fn=custom&expr=x^2%20%2B%2010*y^2&on=momentum,adam,rmsprop&vectors=1';
  const { page, errors } = await open(hash);
  for (let i = 0; i < 3; i++) await page.click('#step');
  const seen = await page.$$eval('#contour .runner-vectors', (gs) => gs.map((g) => ({
    key: g.getAttribute('data-key')!, x: Number(g.getAttribute('data-x')), y: Number(g.getAttribute('data-y')),
    grad: [Number(g.querySelector('.vec-grad')!.getAttribute('data-vx')), Number(g.querySelector('.vec-grad')!.getAttribute('data-vy'))],
    vel: g.querySelector('.vec-velocity') ? [Number(g.querySelector('.vec-velocity')!.getAttribute('data-vx')), Number(g.querySelector('.vec-velocity')!.getAttribute('data-vy'))] : null,
    box: g.querySelector('.vec-step') ? [Number(g.querySelector('.vec-step')!.getAttribute('data-sx')), Number(g.querySelector('.vec-step')!.getAttribute('data-sy'))] : null,
    line: (() => { const l = g.querySelector('.vec-grad line')!; return ['x1', 'y1', 'x2', 'y2'].map((a) => Number(l.getAttribute(a))); })(),
  })));
  assert.deepEqual(seen.map((s) => s.key), ['momentum', 'rmsprop', 'adam']);
  // the same race replayed in Node from the page's own URL state
  const state = decodeState(await page.evaluate(() => location.hash)).state;
  const race = new Race(state.fn);
  for (let i = 0; i < 3; i++) race.step();
  const sc = contourScales({ xDomain: [-3, 3], yDomain: [-3, 3], width: 560, legend: false });
  for (const s of seen) {
    // −∇f of x² + 10y² is (−2x, −20y)
    assert.ok(Math.abs(s.grad[0] + 2 * s.x) <= 1e-12 * (1 + Math.abs(s.x)) && Math.abs(s.grad[1] + 20 * s.y) <= 1e-12 * (1 + Math.abs(s.y)), `${s.key}: −∇f ${s.grad} at (${s.x}, ${s.y})`);
    // the arrow points that way on the screen (y grows downwards there)
    const [x1, y1, x2, y2] = s.line;
    const angle = Math.atan2(-(y2 - y1), x2 - x1), want = Math.atan2(s.grad[1], s.grad[0]);
    assert.ok(Math.abs(angle - want) < 0.02, `${s.key}: arrow at ${angle} rad, −∇f at ${want}`);
    assert.ok(Math.abs(x1 - sc.x(s.x)) < 0.01 && Math.abs(y1 - sc.y(s.y)) < 0.01, 'the arrow starts at the current point');
    const r = race.runners.find((q) => q.name === s.key)!;
    assert.deepEqual([s.x, s.y], [r.x[0], r.x[1]]);
    const v = runnerVectors(race, r)!;
    assert.deepEqual(s.vel, v.velocity);
    assert.deepEqual(s.box, v.stepSizes);
  }
  // the momentum velocity is −(torch's momentum buffer): b ← μb + g from b = g₀, replayed by hand from the path
  const m = race.runners.find((q) => q.name === 'momentum')!;
  let b = [0, 0];
  for (let k = 0; k < 3; k++) {
    const [x, y] = [m.path[2 * k], m.path[2 * k + 1]];
    const g = [2 * x, 20 * y];
    b = k === 0 ? g : [0.9 * b[0] + g[0], 0.9 * b[1] + g[1]];
  }
  const vm = seen.find((s) => s.key === 'momentum')!.vel!;
  assert.ok(Math.abs(vm[0] + b[0]) < 1e-12 && Math.abs(vm[1] + b[1]) < 1e-12, `velocity ${vm} vs −b ${b}`);
  // Adam's per-coordinate steps: lr/(√v̂ + ε); y's gradient is 10× x's, so its step size is smaller
  const adamBox = seen.find((s) => s.key === 'adam')!.box!;
  assert.ok(adamBox[1] < adamBox[0]);
  await page.close();
  assert.deepEqual(errors, []);
});

test('3-D surface: painted, and dragging turns it; the angles go into the URL', { timeout: 60_000 }, async () => {
  const { page, errors } = await open('#fn=custom&on=adam,sgd&surface=1');
  await page.click('#step');
  const painted = () => page.$eval('#surface', (c) => {
    const ctx = (c as HTMLCanvasElement).getContext('2d')!;
    const d = ctx.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
    let colored = 0, hash = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 40) colored++;
      hash = (hash * 31 + d[i] + d[i + 1] * 7 + d[i + 2] * 13) >>> 0;
    }
    return { colored, hash };
  });
  const before = await painted();
  assert.ok(before.colored > 20_000, `${before.colored} coloured pixels`);
  const box = (await page.locator('#surface').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 20, { steps: 5 });
  await page.mouse.up();
  const after = await painted();
  assert.notEqual(after.hash, before.hash, 'the picture turned');
  const h = await hashOf(page);
  assert.equal(Number(h.get('yaw')), 35 + 40);
  assert.equal(Number(h.get('pitch')), 35 + 8);
  assert.equal(await page.getAttribute('#surface', 'data-yaw'), '75');
  await page.close();
  assert.deepEqual(errors, []);
});

test('dataset mode: a dropped CSV is read in the page and trained on', { timeout: 60_000 }, async () => {
  const { page, errors, offOrigin } = await open('#mode=data');
  // two interleaved half-moons of 120 rows, labels 'a'/'b' coded as 3 and 7
  let csv = 'u,v,class\n';
  for (let i = 0; i < 120; i++) {
    const t = (Math.PI * i) / 60;
    csv += i % 2 ? `${10 + 5 * Math.cos(t)},${-3 + 5 * Math.sin(t)},3\n` : `${15 - 5 * Math.cos(t)},${-1 - 5 * Math.sin(t)},7\n`;
  }
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'moons.csv', { type: 'text/csv' }));
    const card = document.getElementById('boundary-card')!;
    card.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    card.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, csv);
  await page.waitForFunction(() => document.getElementById('csv-status')?.textContent?.includes('moons.csv'));
  assert.match((await page.textContent('#csv-status')) ?? '', /moons\.csv: 120 rows, u and v scaled to \[−1, 1\], class 3 \/ 7; read in this page, not uploaded/);
  assert.equal(await page.getAttribute('#boundary', 'data-points'), '60');
  assert.equal(await page.$eval('#ds-select', (s) => (s as HTMLSelectElement).value), 'csv');
  const before = await page.$eval('#boundary', (c) => (c as HTMLCanvasElement).toDataURL());
  for (let i = 0; i < 5; i++) await page.click('#dstep');
  assert.equal(await page.getAttribute('#boundary', 'data-steps'), '5');
  assert.notEqual(await page.$eval('#boundary', (c) => (c as HTMLCanvasElement).toDataURL()), before);
  // a file that is not two features and a class: one clear line, the page goes on
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['a,b,c,d\n1,2,3,0\n'], 'wide.csv'));
    document.getElementById('boundary-card')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => document.getElementById('csv-status')?.textContent?.includes('wide.csv'));
  assert.match((await page.textContent('#csv-status')) ?? '', /wide\.csv: expected 2 feature columns and a class column, got 3/);
  await page.screenshot({ path: join(outDir, 'lab-dataset-csv.png'), fullPage: true });
  await page.close();
  assert.deepEqual(errors, []);
  assert.deepEqual(offOrigin, []);
});
