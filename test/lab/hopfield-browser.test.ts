/**
 * End-to-end, the lab's Hopfield tab: `descent lab --port 0 --no-open` serves the built playground and
 * Chromium opens #mode=hopfield, stores the T, O, X glyphs, corrupts the grid and lets it settle; the
 * energy chart and the status must show a settled state with overlap 1 and no page errors. Needs
 * `npm run build`; the browser is the test Chromium (test/helpers/browser.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { launchChromiumContext } from '../helpers/browser.js';

const repo = join(import.meta.dirname, '..', '..');
let server: ChildProcess | undefined;
let url = '';
let context: BrowserContext | undefined;
let profile = '';

before(async () => {
  assert.ok(existsSync(join(repo, 'dist', 'lab', 'www', 'index.html')), 'dist/lab/www/index.html is missing: run `npm run build`');
  server = spawn(process.execPath, [join(repo, 'bin', 'descent.js'), 'lab', '--port', '0', '--no-open'], { stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`descent lab printed no URL in 15 s: ${out}`)), 15_000);
    server!.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
    server!.on('exit', (code) => reject(new Error(`descent lab exited with ${code}`)));
  });
  profile = mkdtempSync(join(tmpdir(), 'descent-chromium-'));
  context = await launchChromiumContext(profile, { args: ['--disable-quic'], viewport: { width: 1100, height: 1000 } });
});

after(async () => {
  await context?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGINT');
    await exited;
  }
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('hopfield tab: store the glyphs, corrupt, settle back to overlap 1', async () => {
  const page = await context!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${url}#mode=hopfield`);
  await page.waitForSelector('body[data-ready="true"]');
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
