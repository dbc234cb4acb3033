/**
 * End-to-end, the lab's Hopfield tab: `descent lab --port 0 --no-open` serves the built playground and
 * Chromium opens #mode=hopfield, stores the T, O, X glyphs, corrupts the grid and lets it settle; the
 * energy chart and the status must show a settled state with overlap 1 and no page errors. Needs
 * `npm run build`; the browser is the test Chromium (test/helpers/browser.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, startLab, type LabSession } from '../helpers/browser.js';

let lab: LabSession | undefined;

before(async () => {
  lab = await startLab({ viewport: { width: 1100, height: 1000 } });
});

after(async () => {
  await lab?.close();
});

test('hopfield tab: store the glyphs, corrupt, settle back to overlap 1', async () => {
  const { page, errors } = await openPage(lab!.context, `${lab!.url}#mode=hopfield`);
  assert.equal(await page.isVisible('#view-hopfield'), true);
  assert.equal(await page.isVisible('#view-fn'), false);
  assert.equal(await page.locator('#hf-grid rect').count(), 144);
  await page.click('#hf-glyphs');
  assert.equal(await page.locator('#hf-stored .tile').count(), 3);
  await page.click('#hf-corrupt-btn');
  await page.click('#hf-play');
  await page.waitForFunction(() => /settled · overlap 1\.00/.test(document.getElementById('hf-status')?.textContent ?? ''), undefined, { timeout: 20_000 });
  assert.ok((await page.locator('#hf-energy svg path.series').getAttribute('d'))!.length > 20);
  // drawing a cell flips it
  const before = await page.locator('#hf-grid rect[data-unit="0"]').getAttribute('fill');
  await page.click('#hf-grid rect[data-unit="0"]');
  assert.notEqual(await page.locator('#hf-grid rect[data-unit="0"]').getAttribute('fill'), before);
  // the tabs switch back
  await page.click('#tab-fn');
  assert.equal(await page.isVisible('#view-hopfield'), false);
  assert.deepEqual(errors, []);
  await page.close();
});
