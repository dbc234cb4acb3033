/**
 * End-to-end: `descent lab --port 0 --no-open` serves the built playground, and Debian's Chromium
 * (through playwright-core) drives it as a person would: click a start point, toggle an optimizer,
 * move a slider with the keyboard, step and play, switch to dataset mode and train. The checks
 * compare the DOM (SVG paths, the loss plot, the boundary canvas, the URL) before and after.
 * Screenshots go to test-output/ (gitignored). Needs `npm run build`; the browser is the test Chromium
 * (test/helpers/browser.ts: CHROME_PATH, a system one, or the one npm installs).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { openPage, startLab, type LabSession } from '../helpers/browser.js';

const repo = join(import.meta.dirname, '..', '..');
const outDir = join(repo, 'test-output');
let lab: LabSession | undefined;
let url = '';
let context: BrowserContext | undefined;
const pageErrors: string[] = [];
/** Every URL the pages asked for: the playground must load nothing from anywhere but its own server. */
const requested: string[] = [];

before(async () => {
  lab = await startLab({ viewport: { width: 1100, height: 1000 } });
  ({ url, context } = lab);
  mkdirSync(outDir, { recursive: true });
});

after(async () => {
  await lab?.close();
});

/** A page of the lab at `hash`; its errors and requests join the file's lists (checked at the end of tests). */
async function open(hash = ''): Promise<Page> {
  return (await openPage(context!, url + hash, { errors: pageErrors, requested })).page;
}

/** The viz paths of one kind, by their data-key (the optimizer, or train/test): opt-path in the contour plot, series in a loss plot. */
const pathsOf = (page: Page, cls: 'opt-path' | 'series', within = cls === 'opt-path' ? '#contour' : '#loss'): Promise<Record<string, string>> =>
  page.$$eval(`${within} path.${cls}`, (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-key') ?? '', e.getAttribute('d') ?? ''])));

/** The first point of an SVG path "Mx,y..." */
const firstPoint = (d: string): [number, number] => {
  const m = /^M(-?[\d.]+),(-?[\d.]+)/.exec(d);
  assert.ok(m, `not a path: ${d.slice(0, 40)}`);
  return [Number(m[1]), Number(m[2])];
};

async function stepTimes(page: Page, id: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await page.click(id);
}

test('function mode: click a start, toggle, slider, step and play change the paths and the loss plot; the URL round-trips', async () => {
  const page = await open();
  // Himmelblau: from the start clicked below every default lr stays stable, so every path keeps moving.
  await page.selectOption('#fn-select', 'himmelblau');
  assert.match(new URL(page.url()).hash, /fn=himmelblau/);
  // The contour plot is viz's layer, the one the CLI's figures use: 24 levels f_min + span·10^t, t evenly
  // spaced over 6 decades, so the gaps between consecutive levels grow by q = 10^(6/23) each (q^k where
  // a level with no ring in view is left out).
  const levels = await page.$$eval('#contour g.contours path.level', (ps) => ps.map((p) => Number(p.getAttribute('data-level'))));
  assert.ok(levels.length >= 12, `${levels.length} contour levels`);
  const gaps = levels.slice(1).map((v, i) => v - levels[i]);
  for (let i = 1; i < gaps.length; i++) {
    const k = Math.log(gaps[i] / gaps[i - 1]) / Math.log(10 ** (6 / 23));
    assert.ok(k > 0.5 && Math.abs(k - Math.round(k)) < 1e-6, `level gaps ${gaps[i - 1]}, ${gaps[i]}: not log-spaced (k = ${k})`);
  }
  const paths0 = await pathsOf(page, 'opt-path');
  assert.deepEqual(Object.keys(paths0), ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam']);

  // Click a start point: every path now begins there, and the URL records it.
  const box = (await page.locator('#contour').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.25);
  const paths1 = await pathsOf(page, 'opt-path');
  assert.notDeepEqual(firstPoint(paths1.adam), firstPoint(paths0.adam));
  for (const d of Object.values(paths1)) assert.deepEqual(firstPoint(d), firstPoint(paths1.adam));
  assert.match(new URL(page.url()).hash, /x0=-?[\d.]+%2C-?[\d.]+/);

  // Toggle SGD off.
  await page.click('#on-sgd');
  assert.ok(!('sgd' in (await pathsOf(page, 'opt-path'))));

  // Ten steps at the default lr.
  await stepTimes(page, '#step', 10);
  assert.equal(await page.textContent('#step-count'), 'step 10');
  const stepped = await pathsOf(page, 'opt-path');
  const loss10 = await pathsOf(page, 'series');
  assert.ok(stepped.adam.split('L').length === 11, 'adam path has x0 and 10 steps');
  assert.notEqual(stepped.adam, paths1.adam);
  assert.ok(loss10.adam.length > 0);

  // Reset, move Adam's lr slider with the keyboard, step ten times again: Adam moves differently,
  // the others (whose sliders did not move) retrace exactly the same paths.
  await page.click('#reset');
  const lrBefore = await page.textContent('#lr-adam-out');
  await page.focus('#lr-adam');
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
  const lrAfter = await page.textContent('#lr-adam-out');
  assert.notEqual(lrAfter, lrBefore);
  assert.match(new URL(page.url()).hash, /lr=adam%3A/);
  await stepTimes(page, '#step', 10);
  const withSlider = await pathsOf(page, 'opt-path');
  assert.notEqual(withSlider.adam, stepped.adam);
  assert.equal(withSlider.momentum, stepped.momentum);
  assert.notEqual((await pathsOf(page, 'series')).adam, loss10.adam);

  // A slider moved mid-run acts on the next step: the first 10 steps stay as they were.
  await page.focus('#momentum');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  await stepTimes(page, '#step', 3);
  const after = await pathsOf(page, 'opt-path');
  assert.equal(await page.$$eval('#contour path.opt-path', (ps) => ps.length), 5);
  assert.ok(after.momentum.startsWith(withSlider.momentum), 'steps before the slider moved are kept');
  assert.notEqual(after.momentum, withSlider.momentum);

  // Play runs until paused: the step counter and the loss plot grow.
  const lossBeforePlay = await pathsOf(page, 'series');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#contour')?.getAttribute('data-steps')) > 60, undefined, { timeout: 10_000 });
  await page.click('#play');
  assert.notEqual((await pathsOf(page, 'series')).adam, lossBeforePlay.adam);
  await page.screenshot({ path: join(outDir, 'lab-functions.png'), fullPage: true });

  // The URL alone restores the view: a fresh page at the same address has the same controls and,
  // after the same number of steps, the same paths.
  const shared = page.url();
  const twin = await open(new URL(shared).hash);
  assert.equal(twin.url(), shared);
  assert.equal(await twin.inputValue('#lr-adam'), await page.inputValue('#lr-adam'));
  assert.equal(await twin.inputValue('#momentum'), await page.inputValue('#momentum'));
  assert.equal(await twin.isChecked('#on-sgd'), false);
  await page.click('#reset');
  await stepTimes(page, '#step', 5);
  await stepTimes(twin, '#step', 5);
  assert.deepEqual(await pathsOf(twin, 'opt-path'), await pathsOf(page, 'opt-path'));

  // Another function: the contours and the hash change.
  const contourBefore = await page.$eval('#contour g.contours', (g) => g.innerHTML.length);
  await page.selectOption('#fn-select', 'rosenbrock');
  assert.match(new URL(page.url()).hash, /fn=rosenbrock/);
  assert.notEqual(await page.$eval('#contour g.contours', (g) => g.innerHTML.length), contourBefore);
  // A link pasted into the same tab (a hash change) restores that view too.
  await page.evaluate(() => {
    location.hash = 'fn=booth&on=adam,rmsprop&lr=adam:0.5';
  });
  await page.waitForFunction(() => (document.querySelector('#fn-select') as HTMLSelectElement).value === 'booth');
  assert.deepEqual(Object.keys(await pathsOf(page, 'opt-path')), ['rmsprop', 'adam']);
  assert.equal(await page.textContent('#lr-adam-out'), '0.5');
  await twin.close();
  await page.close();
  assert.deepEqual(pageErrors, []);
});

test('function mode: line-search methods race beside the optimizers, one iteration per step, with their evaluations', async () => {
  const page = await open('#fn=rosenbrock&on=adam');
  await page.click('#on-newton');
  await page.click('#on-bfgs');
  assert.match(new URL(page.url()).hash, /search=newton%2Cbfgs/);
  assert.deepEqual(Object.keys(await pathsOf(page, 'opt-path')), ['adam', 'newton', 'bfgs']);
  await stepTimes(page, '#step', 5);
  const paths = await pathsOf(page, 'opt-path');
  // five steps: x0 and five iterates each (Newton and BFGS take longer than that from Rosenbrock's start)
  for (const key of ['adam', 'newton', 'bfgs']) assert.equal(paths[key].split('L').length, 6, key);
  const legend = await page.$eval('#contour-legend', (ul) => ul.textContent ?? ''); // the legend is HTML under the plot
  assert.match(legend, /Newton \(\d+ evaluations\)/);
  assert.match(legend, /BFGS \(\d+ evaluations\)/);
  // play: Newton and BFGS stop at (1, 1); Adam goes on; the loss plot shows all three
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#contour')?.getAttribute('data-steps')) > 150, undefined, { timeout: 15_000 });
  await page.click('#play');
  const done = await pathsOf(page, 'opt-path');
  assert.ok(done.adam.split('L').length > 150);
  assert.ok(done.newton.split('L').length < 100 && done.bfgs.split('L').length < 100, 'newton and bfgs stopped');
  assert.deepEqual(Object.keys(await pathsOf(page, 'series')).sort(), ['adam', 'bfgs', 'newton']);
  await page.screenshot({ path: join(outDir, 'lab-search-methods.png'), fullPage: true });
  await page.close();
  assert.deepEqual(pageErrors, []);
});

test('dataset mode: training a few steps changes the decision boundary and the loss plot; the URL restores the setup', async () => {
  const page = await open();
  await page.click('#tab-data');
  assert.equal(await page.isVisible('#view-data'), true);
  assert.match(new URL(page.url()).hash, /mode=data/);
  await page.selectOption('#ds-select', 'xor');
  await page.selectOption('#act', 'relu');
  const canvas0 = await page.$eval('#boundary', (c) => (c as HTMLCanvasElement).toDataURL());
  await stepTimes(page, '#dstep', 3);
  assert.equal(await page.textContent('#depoch'), 'step 3');
  const canvas3 = await page.$eval('#boundary', (c) => (c as HTMLCanvasElement).toDataURL());
  assert.notEqual(canvas3, canvas0, 'the boundary changes as the model trains');
  const loss3 = await page.getAttribute('#dloss path.series', 'd', { timeout: 15_000 });
  assert.ok(loss3 && loss3.split('L').length === 3, 'three losses plotted');
  await page.click('#dplay');
  await page.waitForFunction(() => Number(document.querySelector('#boundary')?.getAttribute('data-steps')) >= 150, undefined, { timeout: 20_000 });
  await page.click('#dplay');
  assert.notEqual(await page.$eval('#boundary', (c) => (c as HTMLCanvasElement).toDataURL()), canvas3);
  const [, trainAcc, testAcc] = (await page.textContent('#dacc'))!.match(/train ([\d.]+)%, test ([\d.]+)%/)!.map(Number);
  assert.ok(trainAcc > 80 && testAcc > 80, `xor accuracy after 150 steps: train ${trainAcc}%, test ${testAcc}%`);
  assert.equal((await page.getAttribute('#dloss path.series[data-key="test"]', 'd'))!.split('L').length, await page.$eval('#boundary', (c) => Number(c.getAttribute('data-steps'))));
  await page.screenshot({ path: join(outDir, 'lab-dataset.png'), fullPage: true });

  const hash = new URL(page.url()).hash;
  assert.match(hash, /ds=xor/);
  assert.match(hash, /act=relu/);
  const twin = await open(hash);
  assert.equal(await twin.isVisible('#view-data'), true);
  assert.equal(await twin.inputValue('#ds-select'), 'xor');
  assert.equal(await twin.inputValue('#act'), 'relu');
  await page.close();
  await twin.close();
  assert.deepEqual(pageErrors, []);
});

test('dataset mode offers every optimizer of the registry; muon and adafactor train; sparse-adam is listed, disabled, with why', async () => {
  const { optimizers } = await import('../../src/optim/registry.js');
  const page = await open('#mode=data');
  const options = await page.$$eval('#dopt option', (els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, disabled: (e as HTMLOptionElement).disabled, title: (e as HTMLOptionElement).title })));
  assert.deepEqual(options.map((o) => o.value), Object.keys(optimizers));
  assert.deepEqual(options.filter((o) => o.disabled).map((o) => o.value), ['sparse-adam']);
  assert.match(options.find((o) => o.value === 'sparse-adam')!.title, /needs sparse gradients/);
  assert.equal(await page.isVisible('#dopt-note'), true);
  assert.match((await page.textContent('#dopt-note'))!, /^sparse-adam needs sparse gradients \(an embedding-bag input layer\)/);
  for (const opt of ['muon', 'adafactor', 'asgd']) {
    await page.selectOption('#dopt', opt);
    await stepTimes(page, '#dstep', 3);
    assert.equal(await page.textContent('#depoch'), 'step 3', opt);
    const d = (await page.getAttribute('#dloss path.series[data-key="train"]', 'd'))!;
    assert.equal(d.split('L').length, 3, `${opt}: three losses plotted`);
    assert.match(new URL(page.url()).hash, new RegExp(`dopt=${opt}`));
  }
  // a link naming sparse-adam opens on the default rule, the select showing it
  const twin = await open('#mode=data&dopt=sparse-adam');
  assert.equal(await twin.inputValue('#dopt'), 'adam');
  await page.close();
  await twin.close();
  assert.deepEqual(pageErrors, []);
});

test('the page loads only its own files (no network requests elsewhere), and Ctrl-C stops the server cleanly', async () => {
  assert.ok(requested.length >= 3, 'the page, its script and its stylesheet were requested');
  for (const r of requested) assert.ok(r.startsWith(url), `request off the lab server: ${r}`);
  assert.ok(requested.some((r) => /\/assets\/.+\.js$/.test(r)));
  const code = await lab!.stopServer();
  assert.equal(code, 0);
  const port = Number(new URL(url).port);
  const refused = await new Promise<boolean>((resolve) => {
    const sock = connect({ port, host: '127.0.0.1' });
    sock.on('connect', () => {
      sock.destroy();
      resolve(false);
    });
    sock.on('error', () => resolve(true));
  });
  assert.ok(refused, 'the port is closed after Ctrl-C');
});

