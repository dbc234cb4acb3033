// Issue 15 item 1: the browser tests need nothing but npm. With no CHROME_PATH and the system browser ignored
// (DESCENT_NPM_CHROMIUM=1, as on a machine with no apt-installed Chromium), test/helpers/browser.ts unpacks the
// headless shell the devDependency @sparticuz/chromium ships, and it renders a page: text measured with real
// fonts and a canvas drawn and read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repo } from '../helpers/cli.ts';

test('with no CHROME_PATH and no system Chromium, the npm-shipped Chromium is unpacked and renders a page', () => {
  const script = `
    import { chromiumBinary, launchChromium } from ${JSON.stringify(join(repo, 'test', 'helpers', 'browser.ts'))};
    const b = chromiumBinary();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent('<canvas id="c" width="4" height="4"></canvas><span id="t" style="font: 20px sans-serif">descent</span>');
      const r = await page.evaluate(() => {
        const c = document.getElementById('c').getContext('2d');
        c.fillStyle = 'rgb(255, 0, 0)'; c.fillRect(0, 0, 4, 4);
        return { pixel: Array.from(c.getImageData(1, 1, 1, 1).data), width: document.getElementById('t').getBoundingClientRect().width };
      });
      console.log(JSON.stringify({ source: b.source, ...r }));
    } finally { await browser.close(); }`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'CHROME_PATH') env[k] = v;
  env.DESCENT_NPM_CHROMIUM = '1';
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repo, env, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { source: string; pixel: number[]; width: number };
  assert.match(o.source, /^npm @sparticuz\/chromium@\d+/);
  assert.deepEqual(o.pixel, [255, 0, 0, 255]);
  assert.ok(o.width > 30 && o.width < 200, `"descent" at 20px is ${o.width} px wide`);
});
