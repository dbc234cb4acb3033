// The compare report as designed, in a real browser at a desktop (1280×800) and a phone (390×844) viewport:
// - the headline report exactly as `npm start` makes it (`descent compare --preset headline`: Beale from two
//   starts, the lectures' optimizers, the MNIST MLP trained with four optimizers over three seeds), run once;
// - a search-method race (Rosenbrock, Adam and SGD beside BFGS, Newton and L-BFGS);
// - a training race with its loss landscapes (`descent compare --data digits ... --landscape`): a section per
//   optimizer with the random filter-normalized slice and the PCA plane of the path.
// Each page: no horizontal overflow, contour frames within 2% of the domain's aspect, no two texts of one axis
// overlapping, no console errors, nothing fetched; the summary comes first and names who reached the minimum;
// the f-against-evaluations chart has a log x axis; the SVG and PNG export buttons save real files.
// Screenshots go to test-output/ (gitignored). The CLI reports need `npm run build`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunSpec, race, reportHtml, type ReportInput } from '../../src/report/index.js';
import { makeObjective } from '../../src/objectives/index.js';
import { runDescent } from '../helpers/cli.js';
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

const searchRace: ReportInput = {
  title: 'descent compare: search race', command: 'descent compare --function rosenbrock --x0 -1.5,2 --opt adam:lr=0.01 --opt sgd:lr=0.001 --opt bfgs --opt newton --opt lbfgs',
  functions: [section('rosenbrock', [-1.5, 2], ['adam:lr=0.01', 'sgd:lr=0.001', 'bfgs', 'newton', 'lbfgs'], 5000, [-2, 2], [-1, 3])],
};

/** What a page is checked against: its first race's runs that reached the minimum (cheapest first) and its domain; its landscape grids. */
interface Expected {
  reached: string[];
  span: [number, number];
  landscapes: { key: string; random: number[][]; pca?: number[][] }[];
}
interface Case { html: string; expected: Expected }

interface SummaryJson {
  functions: { function: string; x0: number[]; results: { label: string; reached: boolean; reachedAtEvaluations: number | null }[] }[];
  files: string[];
}

/** A `descent compare` report made by the CLI, with what its summary.json and landscape files say. */
function compareReport(args: string[]): Case {
  const dir = scratchDir('descent-report-');
  const r = runDescent(['compare', ...args, '--out', dir, '--no-progress'], { timeout: 900_000 });
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryJson;
  const f = summary.functions[0];
  let span: [number, number] = [0, 0];
  if (f) {
    // compare's view: the function's box, widened to the start when it lies outside
    const box = makeObjective(f.function, 2).domain!;
    const lo = (k: number) => Math.min(box[k][0], f.x0[k]), hi = (k: number) => Math.max(box[k][1], f.x0[k]);
    span = [hi(0) - lo(0), hi(1) - lo(1)];
  }
  const landscapes = summary.files.filter((p) => /landscape-[^/]*\.json$/.test(p)).map((p) => {
    const l = JSON.parse(readFileSync(p, 'utf8')) as { random: { alphas: number[]; betas: number[] }; pca?: { alphas: number[]; betas: number[] } };
    const ends = (g: { alphas: number[]; betas: number[] }) => [[g.alphas[0], g.alphas[g.alphas.length - 1]], [g.betas[0], g.betas[g.betas.length - 1]]];
    return { key: /landscape-([^/]*)\.json$/.exec(p)![1], random: ends(l.random), pca: l.pca ? ends(l.pca) : undefined };
  });
  const reached = f ? f.results.filter((x) => x.reached).sort((a, b) => a.reachedAtEvaluations! - b.reachedAtEvaluations!).map((x) => x.label) : [];
  return { html: readFileSync(join(dir, 'report.html'), 'utf8'), expected: { reached, span, landscapes } };
}

// each report is made once, when its first test needs it
const cases: Record<string, () => Case> = {
  // npm start: package.json's "start" script
  headline: () => compareReport(['--preset', 'headline']),
  'search-race': () => {
    const s = searchRace.functions[0];
    const reached = s.results.filter((r) => r.reachedAt !== null).sort((a, b) => a.reachedAtEvaluations! - b.reachedAtEvaluations!).map((r) => r.label);
    return { html: reportHtml(searchRace), expected: { reached, span: [s.xDomain[1] - s.xDomain[0], s.yDomain[1] - s.yDomain[0]], landscapes: [] } };
  },
  landscape: () => compareReport(['--data', 'digits', '--model', 'mlp:32', '--epochs', '4', '--seeds', '1', '--batch', '64', '--opt', 'adam:lr=0.01', '--opt', 'sgd:lr=0.1,momentum=0.9', '--landscape', '--landscape-grid', '21']),
};
const made = new Map<string, Case>();
const caseOf = (name: string): Case => {
  if (!made.has(name)) made.set(name, cases[name]());
  return made.get(name)!;
};

for (const name of Object.keys(cases)) {
  for (const vp of VIEWPORTS) {
    test(`report ${name} at ${vp.width}×${vp.height}: summary first, no overflow, equal-aspect contours, axis texts apart, no errors, nothing fetched`, { timeout: 900_000 }, async () => {
      const { html, expected } = caseOf(name);
      await withHtmlPage(html, async (page, { errors, external }) => {
        // the summary is the first section and names the runs that reached the minimum, cheapest first
        const first = await page.locator('section').first().getAttribute('class');
        assert.match(first ?? '', /summary-section/);
        if (expected.span[0] > 0) {
          const rows = await page.locator('table.summary').first().locator('tr.summary-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run')));
          assert.deepEqual(rows.slice(0, expected.reached.length), expected.reached);
        }
        await assertNoHorizontalOverflow(page, `${name} ${vp.name}`);
        const axes = await assertNoAxisTextOverlap(page, `${name} ${vp.name}`);
        assert.ok(axes >= 4, `${axes} axes checked`);
        if (expected.span[0] > 0) await assertContourAspect(page, '#player-0 svg', expected.span[0], expected.span[1], `${name} ${vp.name}`);
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
        if (name === 'headline') {
          // the real preset: both Beale starts, and the MNIST training section with its four optimizers
          assert.equal(await page.locator('.player').count(), 2);
          assert.deepEqual(await page.locator('table.final tr[data-label]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-label'))), ['sgd', 'momentum', 'rmsprop', 'adam']);
        }
        // a landscape section per trained optimizer, after training; each slice drawn in its domain's aspect
        assert.equal(await page.locator('section.landscape-section').count(), expected.landscapes.length);
        for (const l of expected.landscapes) {
          for (const [kind, ends] of [['random', l.random], ['pca', l.pca]] as const) {
            if (!ends) continue;
            const sel = `figure[data-name="landscape-${l.key}-${kind}"] svg`;
            await assertContourAspect(page, sel, ends[0][1] - ends[0][0], ends[1][1] - ends[1][0], `${name} ${vp.name} ${l.key} ${kind}`);
            assert.equal(await page.locator(`figure[data-name="landscape-${l.key}-${kind}"] .export-png`).count(), 1, 'exportable');
          }
          if (l.pca) assert.equal(await page.locator(`figure[data-name="landscape-${l.key}-pca"] svg .opt-path`).count(), 1, 'the training path on the PCA plane');
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
