// The compare report as designed, in a real browser at a desktop (1280×800) and a phone (390×844) viewport:
// the headline race (Beale, the lectures' optimizers, with a training section) and a search-method race
// (Rosenbrock, Adam and SGD beside BFGS, Newton and L-BFGS). Each page: no horizontal overflow, contour frames
// within 2% of the domain's aspect, no two texts of one axis overlapping, no console errors, nothing fetched;
// the summary comes first and names who reached the minimum; the f-against-evaluations chart has a log x
// axis; the SVG and PNG export buttons save real files. Screenshots go to test-output/ (gitignored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunSpec, race, reportHtml, type ReportInput } from '../../src/report/index.js';
import { makeObjective } from '../../src/objectives/index.js';
import { withHtmlPage } from '../helpers/html-page.js';
import { assertContourAspect, assertNoAxisTextOverlap, assertNoHorizontalOverflow } from '../helpers/layout.js';
import { scratchDir } from '../helpers/scratch.js';

const outDir = join(import.meta.dirname, '..', '..', 'test-output');
const VIEWPORTS = [{ name: 'desktop', width: 1280, height: 800 }, { name: 'phone', width: 390, height: 844 }];

function section(fn: 'beale' | 'rosenbrock', x0: number[], specs: string[], steps: number, xDomain: [number, number], yDomain: [number, number]) {
  const objective = makeObjective(fn, 2);
  const results = specs.flatMap((s) => parseRunSpec(s)).map((run) => race({ objective, x0, run, steps }));
  const p = new Float64Array(2);
  return { fn, x0, steps, tol: 0.01, minimum: objective.minimum, xDomain, yDomain, f: (a: number, b: number) => { p[0] = a; p[1] = b; return objective.value(p); }, results };
}

/** A training section shaped as compare's: three optimizers over three seeds, losses falling geometrically. */
function training(): NonNullable<ReportInput['training']> {
  const run = (label: string, name: string, rate: number) => ({
    label, name, options: {}, seeds: [1, 2, 3], stepsPerEpoch: 469,
    trainLoss: [1, 2, 3].map((s) => Array.from({ length: 8 }, (_v, e) => 2.3 * Math.pow(rate, e + 1) * (1 + 0.02 * s))),
    valLoss: [1, 2, 3].map((s) => Array.from({ length: 8 }, (_v, e) => 2.3 * Math.pow(rate, e + 1) * (1.1 + 0.02 * s))),
    valAccuracy: [1, 2, 3].map((s) => Array.from({ length: 8 }, (_v, e) => 1 - 0.9 * Math.pow(rate, e + 1) - 0.001 * s)),
    wallSeconds: [1, 2, 3].map(() => Array.from({ length: 8 }, (_v, e) => 0.8 * (e + 1))),
  });
  return { data: 'mnist-small', model: 'mlp:128', epochs: 8, batch: 128, targetLoss: 0.3, runs: [run('sgd', 'sgd', 0.8), run('adam', 'adam', 0.6), run('rmsprop', 'rmsprop', 0.65)] };
}

const headline: ReportInput = {
  title: 'descent compare: headline', command: 'descent compare --preset headline',
  functions: [section('beale', [2, -2], ['sgd:lr=0.001', 'momentum=sgd:lr=0.001,momentum=0.9', 'nesterov=sgd:lr=0.001,momentum=0.9,nesterov=true', 'adagrad:lr=0.5', 'rmsprop:lr=0.01', 'adam:lr=0.05'], 600, [-4.5, 4.5], [-4.5, 4.5])],
  training: training(),
};
const searchRace: ReportInput = {
  title: 'descent compare: search race', command: 'descent compare --function rosenbrock --x0 -1.5,2 --opt adam:lr=0.01 --opt sgd:lr=0.001 --opt bfgs --opt newton --opt lbfgs',
  functions: [section('rosenbrock', [-1.5, 2], ['adam:lr=0.01', 'sgd:lr=0.001', 'bfgs', 'newton', 'lbfgs'], 5000, [-2, 2], [-1, 3])],
};

for (const [name, report] of [['headline', headline], ['search-race', searchRace]] as const) {
  for (const vp of VIEWPORTS) {
    test(`report ${name} at ${vp.width}×${vp.height}: summary first, no overflow, equal-aspect contours, axis texts apart, no errors, nothing fetched`, { timeout: 90_000 }, async () => {
      const html = reportHtml(report);
      await withHtmlPage(html, async (page, { errors, external }) => {
        // the summary is the first section and names the runs that reached the minimum, cheapest first
        const first = await page.locator('section').first().getAttribute('class');
        assert.match(first ?? '', /summary-section/);
        const s = report.functions[0];
        const reached = s.results.filter((r) => r.reachedAt !== null).sort((a, b) => a.reachedAtEvaluations! - b.reachedAtEvaluations!);
        const rows = await page.locator('table.summary').first().locator('tr.summary-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run')));
        assert.deepEqual(rows.slice(0, reached.length), reached.map((r) => r.label));
        await assertNoHorizontalOverflow(page, `${name} ${vp.name}`);
        const axes = await assertNoAxisTextOverlap(page, `${name} ${vp.name}`);
        assert.ok(axes >= 4, `${axes} axes checked`);
        await assertContourAspect(page, '#player-0 svg', s.xDomain[1] - s.xDomain[0], s.yDomain[1] - s.yDomain[0], `${name} ${vp.name}`);
        // each table is no wider than the page: a wide one scrolls inside its own box
        const tables = await page.locator('.table-wrap').evaluateAll((ws) => ws.map((w) => w.getBoundingClientRect().right));
        for (const right of tables) assert.ok(right <= vp.width, `a table box ends at ${right}`);
        if (name === 'search-race') {
          // f against evaluations: a log x axis, its ticks powers of ten
          const fig = page.locator('figure[data-name$="-evaluations"]');
          assert.equal(await fig.count(), 1);
          assert.match((await fig.locator('.x-axis .axis-label').textContent()) ?? '', /log scale/);
          const ticks = await fig.locator('.x-axis text:not(.axis-label)').allTextContents();
          assert.ok(ticks.includes('10') && ticks.includes('100'), ticks.join(','));
        }
        mkdirSync(outDir, { recursive: true });
        await page.screenshot({ path: join(outDir, `report-${name}-${vp.name}.png`), fullPage: true });
        assert.deepEqual(errors, []);
        assert.deepEqual(external, []);
      }, { viewport: { width: vp.width, height: vp.height } });
    });
  }
}

test('report export: the SVG button saves the chart with its legend, the PNG button a PNG of it at 2×; print hides the controls', { timeout: 60_000 }, async () => {
  const dir = scratchDir('descent-export-');
  await withHtmlPage(reportHtml(searchRace), async (page, { errors, external }) => {
    const fig = page.locator('figure.figure').first();
    const [svgDownload] = await Promise.all([page.waitForEvent('download'), fig.locator('.export-svg').click()]);
    const svgFile = join(dir, svgDownload.suggestedFilename());
    await svgDownload.saveAs(svgFile);
    assert.match(svgDownload.suggestedFilename(), /-values\.svg$/);
    const svg = readFileSync(svgFile, 'utf8');
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const r of searchRace.functions[0].results) assert.ok(svg.includes(`>${r.label}</text>`), `legend entry ${r.label}`);
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), fig.locator('.export-png').click()]);
    const pngFile = join(dir, 'chart.png');
    await pngDownload.saveAs(pngFile);
    const png = readFileSync(pngFile);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const w = png.readUInt32BE(16);
    const svgWidth = Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)![1]);
    assert.equal(w, Math.round(2 * svgWidth));
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.player .controls').first().isVisible(), false);
    assert.equal(await page.locator('.export').first().isVisible(), false);
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
  });
});

test('dark theme: with prefers-color-scheme dark the page, the cards and the plots turn dark, the text light', { timeout: 60_000 }, async () => {
  await withHtmlPage(reportHtml(searchRace), async (page, { errors }) => {
    const raw = await page.evaluate(() => [
      getComputedStyle(document.body).backgroundColor,
      getComputedStyle(document.body).color,
      getComputedStyle(document.querySelector('svg.descent-plot rect.bg')!).fill,
      getComputedStyle(document.querySelector('svg.descent-plot g.axis text')!).fill,
    ]);
    // relative luminance (0..255) of each rgb() colour
    const [bg, text, plot, tick] = raw.map((c) => { const m = c.match(/\d+(\.\d+)?/g)!.map(Number); return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]; });
    const colors = { bg, text, plot, tick };
    assert.ok(colors.bg < 40 && colors.plot < 40, `dark backgrounds: ${JSON.stringify(colors)}`);
    assert.ok(colors.text > 200 && colors.tick > 200, `light text: ${JSON.stringify(colors)}`);
    await page.screenshot({ path: join(outDir, 'report-search-race-dark.png'), fullPage: true });
    assert.deepEqual(errors, []);
  }, { colorScheme: 'dark' });
});
