#!/usr/bin/env node
// Screenshots of the designed pages for docs/figures (small PNGs, 1× pixels):
//   page-report-summary.png   a search-method race report: the summary, then the player and the charts
//   page-report-phone.png     the same report at 390 px
//   page-lab-typed.png        the lab: a typed function with the 3-D surface and the vectors
//   page-lab-dataset.png      the lab's dataset mode after training on a dropped CSV
//   page-landscape.png        `descent train --data digits ... --landscape` (both slices)
//   page-report-landscape.png `descent compare --data digits ... --landscape`: a report's landscape section
// Usage: node --import tsx scripts/docs-pages.mjs   (after `npm run build`; uses the browser tests' Chromium)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = join(root, 'docs/figures');
const { launchChromium } = await import(pathToFileURL(join(root, 'test/helpers/browser.ts')).href);
const { parseRunSpec, race, reportHtml } = await import(pathToFileURL(join(root, 'src/report/index.ts')).href);
const { makeObjective } = await import(pathToFileURL(join(root, 'src/objectives/index.ts')).href);
const tmp = mkdtempSync(join(tmpdir(), 'descent-docs-'));
const browser = await launchChromium();
try {
  // the report of a search-method race
  const objective = makeObjective('rosenbrock', 2);
  const runs = ['adam:lr=0.01', 'sgd:lr=0.001', 'bfgs', 'newton', 'lbfgs'].flatMap((s) => parseRunSpec(s));
  const results = runs.map((run) => race({ objective, x0: [-1.5, 2], run, steps: 5000 }));
  const p = new Float64Array(2);
  const html = reportHtml({
    title: 'descent compare: Rosenbrock, first-order against search methods',
    command: 'descent compare --function rosenbrock --x0 -1.5,2 --steps 5000 --opt adam:lr=0.01 --opt sgd:lr=0.001 --opt bfgs --opt newton --opt lbfgs',
    functions: [{ fn: 'rosenbrock', x0: [-1.5, 2], steps: 5000, tol: 0.01, minimum: [1, 1], xDomain: [-2, 2], yDomain: [-1, 3], f: (a, b) => { p[0] = a; p[1] = b; return objective.value(p); }, results }],
  });
  const file = join(tmp, 'report.html');
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 1100, height: 1500 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(file).href);
  await page.$eval('.player .frame', (el) => { el.value = el.max; el.dispatchEvent(new Event('input')); });
  await page.screenshot({ path: join(out, 'page-report-summary.png'), clip: { x: 0, y: 0, width: 1100, height: 1280 } });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(out, 'page-report-phone.png') });
  await page.close();

  // the lab, served by `descent lab`
  const server = spawn(process.execPath, [join(root, 'bin/descent.js'), 'lab', '--port', '0', '--no-open'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve) => {
    let text = '';
    server.stdout.on('data', (c) => { text += c; const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(text); if (m) resolve(m[0]); });
  });
  try {
    const lab = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await lab.goto(`${url}#fn=custom&expr=sin(x)*cos(y)%20%2B%200.1*x^2&dom=-4,4,-3,3&x0=1.2,1.4&on=momentum,adam,rmsprop&search=newton&surface=1&vectors=1&yaw=25&pitch=40`);
    await lab.waitForSelector('body[data-ready="true"]');
    for (let i = 0; i < 12; i++) await lab.click('#step');
    await lab.screenshot({ path: join(out, 'page-lab-typed.png') });
    await lab.goto(`${url}#mode=data`);
    await lab.waitForSelector('body[data-ready="true"]');
    let csv = 'u,v,class\n';
    for (let i = 0; i < 200; i++) {
      const t = (Math.PI * (i % 100)) / 100;
      csv += i % 2 ? `${Math.cos(t)},${Math.sin(t) - 0.2},0\n` : `${1 - Math.cos(t)},${0.3 - Math.sin(t)},1\n`;
    }
    await lab.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'moons.csv'));
      document.getElementById('boundary-card').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, csv);
    await lab.waitForFunction(() => document.getElementById('csv-status')?.textContent?.includes('moons.csv'));
    await lab.click('#dplay');
    await lab.waitForFunction(() => Number(document.getElementById('boundary')?.dataset.steps) >= 300, undefined, { timeout: 60_000 });
    await lab.click('#dplay');
    await lab.screenshot({ path: join(out, 'page-lab-dataset.png') });
    await lab.close();
  } finally {
    server.kill('SIGINT');
  }

  // a landscape page
  const land = join(tmp, 'landscape.html');
  const r = spawnSync(process.execPath, [join(root, 'bin/descent.js'), 'train', '--data', 'digits', '--model', 'mlp:32', '--epochs', '12', '--landscape', land], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const lp = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  await lp.goto(pathToFileURL(land).href);
  await lp.screenshot({ path: join(out, 'page-landscape.png'), fullPage: true });
  await lp.close();

  // a training report with its landscape sections
  const cmp = join(tmp, 'compare');
  const c = spawnSync(process.execPath, [join(root, 'bin/descent.js'), 'compare', '--data', 'digits', '--model', 'mlp:32', '--epochs', '8', '--seeds', '1', '--opt', 'adam:lr=0.01', '--opt', 'sgd:lr=0.1,momentum=0.9', '--landscape', '--out', cmp, '--no-progress'], { encoding: 'utf8' });
  if (c.status !== 0) throw new Error(c.stderr);
  const cp = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  await cp.goto(pathToFileURL(join(cmp, 'report.html')).href);
  await cp.locator('.landscape-section').first().screenshot({ path: join(out, 'page-report-landscape.png') });
  await cp.close();
  for (const f of ['page-report-summary', 'page-report-phone', 'page-lab-typed', 'page-lab-dataset', 'page-landscape', 'page-report-landscape']) console.log(`docs/figures/${f}.png ${readFileSync(join(out, `${f}.png`)).length} bytes`);
} finally {
  await browser.close();
  rmSync(tmp, { recursive: true, force: true });
}
