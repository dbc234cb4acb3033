#!/usr/bin/env node
// Makes docs/figures from `npm start`'s report (descent compare --preset headline):
//   compare-beale-from-2_-2.svg, compare-beale-from-minus3-3.png  the Beale contour figures, as the CLI writes them
//   compare-mnist-loss-vs-epoch.svg                                the MNIST training chart
//   compare-beale-player.png, compare-mnist-training.png            the report page in Chromium (the animated
//                                                                   player at its last frame, the training section)
// Usage: node scripts/docs-figures.mjs [REPORT_DIR]   (after `npm run build`; without REPORT_DIR it runs the
// preset into reports/headline first, about a minute). The screenshots use the browser tests' Chromium
// (test/helpers/browser.ts, loaded through tsx: CHROME_PATH, a system one, or the npm one).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const { atomicWrite } = await import(pathToFileURL(join(root, 'dist/io/atomic-write.js')).href);
const out = join(root, 'docs/figures');
let report = process.argv[2];
if (!report) {
  report = join(root, 'reports/headline');
  const r = spawnSync(process.execPath, [join(root, 'bin/descent.js'), 'compare', '--preset', 'headline', '--out', report, '--no-progress'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const copies = {
  'beale-from-2_-2.svg': 'compare-beale-from-2_-2.svg',
  'beale-from--3_3.png': 'compare-beale-from-minus3-3.png',
  'training-loss-vs-epoch.svg': 'compare-mnist-loss-vs-epoch.svg',
};
for (const [from, to] of Object.entries(copies)) {
  atomicWrite(join(out, to), readFileSync(join(report, from)));
  console.log(`docs/figures/${to}`);
}

await import('tsx/esm');
const { launchChromium } = await import(pathToFileURL(join(root, 'test/helpers/browser.ts')).href);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(join(report, 'report.html')).href);
  // the player starts at frame 0: show the whole race (its last frame), as the static figure does
  await page.$eval('.player .frame', (el) => { el.value = el.max; el.dispatchEvent(new Event('input')); });
  const shots = { '.player': 'compare-beale-player.png', '.training-section': 'compare-mnist-training.png' };
  for (const [selector, file] of Object.entries(shots)) {
    atomicWrite(join(out, file), await page.locator(selector).first().screenshot());
    console.log(`docs/figures/${file}`);
  }
} finally {
  await browser.close();
}
