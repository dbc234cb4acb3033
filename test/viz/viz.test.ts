// src/viz: snapshots of the three plots, plus structural checks that can fail independently of the snapshots:
// element counts, log-spaced levels, scale mapping of known points, non-finite data kept out of the SVG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { svgToPng } from '../../src/cli/png.js';
import { decodePng, pixel } from '../cli/png-check.js';
import { contourPlotSvg, lineChartSvg, lineChartScales, functionPlotSvg, logLevels, contourScales, palette, pathsLayerSvg, contourLegendWidth } from '../../src/viz/index.js';

const snapDir = fileURLToPath(new URL('./__snapshots__/', import.meta.url));

/** Compares with the committed snapshot; writes it when absent (first run) or when UPDATE_SNAPSHOTS=1. */
function snapshot(name: string, svg: string): void {
  const file = snapDir + name;
  if (!existsSync(file) || process.env.UPDATE_SNAPSHOTS === '1') {
    writeFileSync(file, svg);
    return;
  }
  assert.equal(svg, readFileSync(file, 'utf8'), `snapshot ${name} differs (UPDATE_SNAPSHOTS=1 to rewrite after checking the change)`);
}

const beale = (x: number, y: number) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2;
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

test('contour plot: snapshot, one opt-path per path, palette colours, start and end marks', () => {
  const svg = contourPlotSvg({
    f: beale, xDomain: [-4.5, 4.5], yDomain: [-4.5, 4.5], resolution: 40, levels: 10, minimum: [3, 0.5], title: 'Beale <test>',
    paths: [
      { label: 'sgd', points: [[2, -2], [2.5, -1], [2.9, 0.3]] },
      { label: 'adam', points: [[-3, 3], [-1, 2], [1, 1], [3, 0.5]] },
    ],
  });
  snapshot('contour-beale.svg', svg);
  assert.equal(count(svg, /class="opt-path"/g), 2);
  assert.ok(svg.includes(`stroke="${palette[0]}"`) && svg.includes(`stroke="${palette[1]}"`));
  assert.equal(count(svg, /class="start"/g), 2);
  assert.equal(count(svg, /class="minimum"/g), 1);
  // the key under the legend says what the marks mean; no path leaves the frame, so no cross in it
  assert.match(svg, /<g class="mark-key"[^>]*>.*>start<.*>last point<\/text><\/g>/);
  assert.ok(!svg.includes('left the plot'));
  assert.ok(svg.includes('Beale &lt;test&gt;'), 'title escaped');
  assert.ok(svg.startsWith('<svg') && svg.endsWith('</svg>'));
});

test('contour levels are log-spaced above the minimum: (level − fmin) has a constant ratio', () => {
  const lv = logLevels(2, 2 + 1e4, 9, 4);
  assert.equal(lv.length, 9);
  // offsets 1, 10^0.5, ..., 10^4 — the closed form
  lv.forEach((l, i) => assert.ok(Math.abs((l - 2) - Math.pow(10, i * 0.5)) < 1e-9 * Math.pow(10, i * 0.5), `level ${i}`));
  // the levels actually drawn: read from the SVG's data-level attributes
  const svg = contourPlotSvg({ f: (x, y) => x * x + y * y, xDomain: [-2, 2], yDomain: [-2, 2], resolution: 41, levels: 6, paths: [] });
  const drawn = [...svg.matchAll(/data-level="([^"]+)"/g)].map((m) => Number(m[1]));
  assert.ok(drawn.length >= 5);
  const fmin = drawn[0] - (drawn[1] - drawn[0]) / (Math.pow(10, 6 / 5) - 1); // offset ratio 10^(6/5) for 6 levels over 6 decades
  const ratios = drawn.slice(1).map((l, i) => (l - fmin) / (drawn[i] - fmin));
  for (const r of ratios) assert.ok(Math.abs(r - Math.pow(10, 6 / 5)) < 1e-6, `ratio ${r}`);
});

test('contour rings sit where f equals the level: on x²+y², the ring at level c has radius √c', () => {
  const o = { f: (x: number, y: number) => x * x + y * y, xDomain: [-2, 2] as [number, number], yDomain: [-2, 2] as [number, number], resolution: 81, levels: 4, paths: [] };
  const svg = contourPlotSvg(o);
  const { x, y } = contourScales(o);
  const m = [...svg.matchAll(/class="level" data-level="([^"]+)"[^>]* d="([^"]+)"/g)];
  assert.ok(m.length >= 2);
  for (const [, level, d] of m) {
    const r0 = Math.sqrt(Number(level));
    if (r0 < 0.2 || r0 > 1.8) continue; // rings smaller than two grid cells or clipped at the box are not checked
    const pts = [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((p) => [x.invert(Number(p[1])), y.invert(Number(p[2]))]);
    // each level's region {f ≥ c} is also bounded by the grid's edge: only the inner ring is checked
    for (const [a, b] of pts.filter(([a, b]) => Math.max(Math.abs(a), Math.abs(b)) < 1.9)) assert.ok(Math.abs(Math.hypot(a, b) - r0) < 0.05, `point (${a}, ${b}) of level ${level}: radius ${Math.hypot(a, b)} vs ${r0}`);
  }
});

test('contour paths map through the scales: known data points land at the frame corners', () => {
  const o = { f: (x: number, y: number) => x * x + y * y, xDomain: [0, 10] as [number, number], yDomain: [0, 10] as [number, number], width: 560, height: 480, resolution: 10, levels: 2 };
  const svg = contourPlotSvg({ ...o, paths: [{ label: 'p', points: [[0, 0], [10, 10]] }] });
  // (0,0) → the frame's bottom left, (10,10) → its top right; the 10×10 domain gets a square frame centred in 560×480
  const sc = contourScales({ ...o, legendWidth: 130 });
  const [fx0, fx1] = sc.x.range(), [fy0, fy1] = sc.y.range();
  assert.ok(Math.abs((fx1 - fx0) - (fy0 - fy1)) < 1e-9, 'equal aspect');
  assert.ok(svg.includes(`class="opt-path" data-label="p" stroke="#4e79a7" d="M${fx0.toFixed(2)},${fy0.toFixed(2)}L${fx1.toFixed(2)},${fy1.toFixed(2)}"`), svg.match(/class="opt-path"[^>]*/)?.[0]);
  // a domain twice as wide as tall: the frame too
  const wide = contourScales({ xDomain: [0, 4], yDomain: [0, 2], width: 560 });
  assert.ok(Math.abs((wide.x.range()[1] - wide.x.range()[0]) / (wide.y.range()[0] - wide.y.range()[1]) - 2) < 1e-9);
});

test('line chart: snapshot, one series path per series, one band per band, known points map through the scales', () => {
  const svg = lineChartSvg({
    series: [
      { label: 'a', x: [0, 5, 10], y: [0, 50, 100] },
      { label: 'b & c', x: [0, 10], y: [20, 30], band: { lo: [10, 25], hi: [30, 35] } },
    ],
    xLabel: 'epoch', yLabel: 'loss', title: 'chart',
  });
  snapshot('line-chart.svg', svg);
  assert.equal(count(svg, /class="series"/g), 2);
  assert.equal(count(svg, /class="band"/g), 1);
  // x [0, 10], y [0, 100] (already nice): the points (0, 0), (5, 50), (10, 100) through the chart's scales
  const { x, y } = lineChartScales({ series: [{ label: 'a', x: [0, 10], y: [0, 100] }, { label: 'b & c', x: [0, 10], y: [10, 35] }], xLabel: 'epoch', yLabel: 'loss', title: 'chart' });
  const want = `M${+x(0).toFixed(2)},${+y(0).toFixed(2)}L${+x(5).toFixed(2)},${+y(50).toFixed(2)}L${+x(10).toFixed(2)},${+y(100).toFixed(2)}`;
  assert.ok(svg.includes(`data-label="a" stroke="#4e79a7" d="${want}"`), svg.match(/class="series" data-label="a"[^>]*/)?.[0] + ' vs ' + want);
  assert.ok(svg.includes('data-label="b &amp; c"'));
});

test('line chart: NaN, Infinity and (on a log axis) non-positive values leave no NaN in the SVG', () => {
  const svg = lineChartSvg({
    series: [
      { label: 'x', x: [0, 1, 2, 3], y: [1, NaN, Infinity, 0.1], band: { lo: [0.5, NaN, 0, 0.05], hi: [2, 2, Infinity, 0.2] } },
      { label: 'all bad', x: [NaN, 1], y: [NaN, -1] },
    ],
    xLabel: 'e', yLabel: 'l', logY: true,
  });
  assert.ok(!/NaN|Infinity/.test(svg));
  assert.equal(count(svg, /class="series"/g), 2);
  // the gap splits the first line into two moves
  const d = svg.match(/class="series" data-label="x"[^>]* d="([^"]*)"/)![1];
  assert.equal(count(d, /M/g), 2);
  const c = contourPlotSvg({ f: () => NaN, xDomain: [0, 1], yDomain: [0, 1], resolution: 8, paths: [{ label: 'p', points: [[NaN, 0], [0.5, Infinity], [0.5, 0.5]] }] });
  assert.ok(!/NaN|Infinity/.test(c));
});

test('function plot: snapshot, one circle per finite iterate at (x, f(x))', () => {
  const svg = functionPlotSvg({ f: (x) => x * x, domain: [-2, 2], points: [2, 1, 0.5, NaN, 0], title: 'square', samples: 40 });
  snapshot('function-square.svg', svg);
  assert.equal(count(svg, /class="iterate"/g), 4);
  assert.equal(count(svg, /class="curve"/g), 1);
  assert.ok(!svg.includes('NaN'));
  // x ∈ [-2, 2] → [64, 536]; f ∈ [0, 4] → [318, 28]: the iterate x = 1 (f = 1) sits at (418, 245.5)
  assert.ok(svg.includes('cx="418.00" cy="245.50"'));
});

test('a diverging path (1e150) is held to ±1e5 px, so renderers do not draw garbage', () => {
  const svg = contourPlotSvg({ f: (x, y) => x * x + y * y, xDomain: [-1, 1], yDomain: [-1, 1], resolution: 10, paths: [{ label: 'p', points: [[0, 0], [1e150, -1e150]] }] });
  const coords = [...svg.matchAll(/-?\d+\.\d+/g)].map((m) => Math.abs(Number(m[0])));
  assert.ok(Math.max(...coords) <= 1e5);
  assert.ok(svg.includes('L100000.00,100000.00'));
});

test('output is deterministic: the same input gives the same text', () => {
  const o = { f: beale, xDomain: [-4.5, 4.5] as [number, number], yDomain: [-4.5, 4.5] as [number, number], resolution: 30, paths: [{ label: 'a', points: [[1, 1], [2, 0.5]] }] };
  assert.equal(contourPlotSvg(o), contourPlotSvg(o));
});

test('fixed colours and keys (the playground): stroke, legend swatch and data-key follow the series, not its index', () => {
  const purple = '#b07aa1';
  const chart = lineChartSvg({ series: [{ label: 'adam', key: 'adam', color: purple, x: [0, 1, 2], y: [3, 2, 1] }, { label: 'sgd', x: [0, 1], y: [1, 1] }], xLabel: 'step', yLabel: 'f' });
  assert.match(chart, /<path class="series" data-label="adam" data-key="adam" stroke="#b07aa1"/);
  assert.match(chart, new RegExp(`<path class="series" data-label="sgd" stroke="${palette[1]}"`), 'an uncoloured series keeps palette colour i');
  assert.match(chart, /<g class="legend"><rect [^>]*fill="#b07aa1"\/><text [^>]*>adam<\/text><rect [^>]*fill="#f28e2b"\/>/);
  const p = { xDomain: [0, 1] as [number, number], yDomain: [0, 1] as [number, number], paths: [{ label: 'x', key: 'k1', color: purple, points: [[0, 0], [1, 1]] }] };
  const layer = pathsLayerSvg(p);
  assert.equal(count(layer, /data-key="k1"/g), 3, 'the path, its start and its end');
  // the frame's corners: (0, 0) at its bottom left, (1, 1) at its top right; a square domain, a square frame
  const sc = contourScales(p);
  const [fx0, fx1] = sc.x.range(), [fy0, fy1] = sc.y.range();
  assert.equal(fx1 - fx0, fy0 - fy1);
  assert.ok(layer.includes(`class="opt-path" data-label="x" data-key="k1" stroke="#b07aa1" d="M${fx0.toFixed(2)},${fy0.toFixed(2)}L${fx1.toFixed(2)},${fy1.toFixed(2)}"`), layer);
  // the static plot is the same paths layer over the contour layer
  assert.ok(contourPlotSvg({ ...p, f: (a, b) => a * a + b * b, resolution: 10, levels: 4 }).includes(layer));
});

test('log line chart: snapshot; ticks read 0.01, 100 and 1e-6, the axis says log scale; a diverged run ends in a cross', () => {
  const svg = lineChartSvg({
    series: [
      { label: 'adam', color: '#b07aa1', x: [0, 1, 2, 3], y: [1000, 10, 0.1, 1e-6] },
      { label: 'nesterov (diverged at 3)', color: '#e15759', x: [0, 1, 2, 3], y: [1000, 3000, 20000, NaN], diverged: true },
    ],
    xLabel: 'step', yLabel: 'f', logY: true, title: 'log',
  });
  snapshot('line-chart-log.svg', svg);
  const ticks = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="end">([^<]+)<\/text>/g)].map((m) => m[1]);
  // the top end, 20000, is labelled; 10000 would print over it
  assert.deepEqual(ticks, ['1e-6', '1e-4', '0.01', '1', '100', '20000']);
  assert.ok(!ticks.some((t) => t.includes('+')), 'no 1e+3');
  assert.match(svg, /class="axis-label"[^>]*>f \(log scale\)</);
  // the cross sits on the last drawn point of the diverged run: x = 2, y = 20000
  const { x, y } = lineChartScales({ series: [{ label: 'adam', x: [0, 1, 2, 3], y: [1000, 10, 0.1, 1e-6] }, { label: 'nesterov (diverged at 3)', x: [0, 1, 2, 3], y: [1000, 3000, 20000, NaN] }], xLabel: 'step', yLabel: 'f', logY: true, title: 'log' });
  const d = svg.match(/class="diverged-mark" data-label="nesterov \(diverged at 3\)" stroke="#e15759"[^>]* d="M([\d.]+),([\d.]+)L/)!;
  assert.ok(Math.abs(Number(d[1]) + 4 - x(2)) < 0.01 && Math.abs(Number(d[2]) + 4 - y(20000)) < 0.01, `${d[1]},${d[2]} vs ${x(2)},${y(20000)}`);
  assert.equal(count(svg, /class="diverged-mark"/g), 1);
  // under two decades (train loss 1.1 → 0.052) the axis runs 0.05 to 1.5, both ends labelled, at the frame's edges
  const short = lineChartSvg({ series: [{ label: 'l', x: [1, 2, 3], y: [1.1, 0.3, 0.052] }], xLabel: 'epoch', yLabel: 'loss', logY: true });
  const labels = new Map([...short.matchAll(/<text x="[\d.]+" y="([\d.]+)" text-anchor="end">([^<]+)<\/text>/g)].map((m) => [m[2], Number(m[1]) - 4]));
  const sy = lineChartScales({ series: [{ label: 'l', x: [1, 2, 3], y: [1.1, 0.3, 0.052] }], xLabel: 'epoch', yLabel: 'loss', logY: true }).y;
  assert.equal(labels.get('0.05'), sy.range()[0], 'bottom of the frame');
  assert.equal(labels.get('1.5'), sy.range()[1], 'top of the frame');
  assert.ok(labels.has('1') && labels.has('0.1'));
  // no two tick labels print over each other (11 px text), however the data falls and however short the chart
  for (const height of [160, 260, 360]) for (const lo of [0.011, 0.021, 0.049, 0.3, 0.9]) {
    const c = lineChartSvg({ series: [{ label: 'l', x: [1, 2], y: [1.05, lo] }], xLabel: 'e', yLabel: 'l', logY: true, height });
    const ys = [...c.matchAll(/<text x="[\d.]+" y="([\d.]+)" text-anchor="end">/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) assert.ok(ys[i] - ys[i - 1] >= 11, `height ${height}, low ${lo}: labels at ${ys.join(', ')}`);
  }
});

test('legends fit their labels: the chart widens its right margin (and the figure) instead of cutting a label', () => {
  const long = 'sgd:momentum=0.9,nesterov=true lr=0.001';
  const svg = lineChartSvg({ series: [{ label: 'a', x: [0, 1], y: [1, 2] }, { label: long, x: [0, 1], y: [2, 1] }], xLabel: 'e', yLabel: 'l' });
  const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
  assert.ok(width > 560, 'the figure grew');
  // rendered (resvg, DejaVu Sans), the label ends before the figure does: the last 8 device columns are blank
  const png = decodePng(svgToPng(svg));
  let inkRight = 0;
  for (let yy = 0; yy < png.height; yy++) for (let xx = png.width - 8; xx < png.width; xx++) if (pixel(png, xx, yy)[0] < 200) inkRight++;
  assert.equal(inkRight, 0);
  let lastInk = 0; // and the legend does reach into the widened margin
  for (let yy = 0; yy < 120; yy++) for (let xx = 0; xx < png.width; xx++) if (pixel(png, xx, yy)[0] < 128 && xx > lastInk) lastInk = xx;
  assert.ok(lastInk > 2 * 560, `legend ink up to device column ${lastInk}`);
  // the frame keeps its default size: 560 − the y labels' margin − 150
  const clip = /<clipPath id="[^"]+"><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg)!;
  assert.equal(Number(clip[2]), 560 - Number(clip[1]) - 150);
  // a fixed width keeps at least half for the frame and cuts what does not fit, with the full label in a <title>
  const narrow = lineChartSvg({ series: [{ label: long.repeat(3), x: [0, 1], y: [1, 2] }], xLabel: 'e', yLabel: 'l', width: 400 });
  assert.match(narrow, /<text [^>]*><title>[^<]+<\/title>[^<]*…<\/text>/);
});

test('a path that leaves the frame ends in a cross where it crosses the edge, not in a dot off the figure', () => {
  const o = { f: (a: number, b: number) => a * a + b * b, xDomain: [-1, 1] as [number, number], yDomain: [-1, 1] as [number, number], resolution: 10, levels: 3 };
  const svg = contourPlotSvg({ ...o, paths: [{ label: 'away', color: '#e15759', points: [[0, 0], [0.5, 0], [10, 0]] }, { label: 'home', points: [[0.5, 0.5], [0, 0]] }] });
  snapshot('contour-exit.svg', svg);
  // the frame's right edge is x = 1; y = 0 is its middle
  const m = svg.match(/<path class="exit" stroke="#e15759"[^>]* d="M([\d.]+),([\d.]+)L/)!;
  const sc = contourScales({ ...o, legendWidth: contourLegendWidth(['away', 'home']) });
  assert.deepEqual([Number(m[1]) + 5, Number(m[2]) + 5], [Number(sc.x(1).toFixed(2)), Number(sc.y(0).toFixed(2))]);
  assert.equal(count(svg, /class="end"/g), 1, 'only the path that stays has an end dot');
  assert.equal(count(svg, /class="exit"/g), 1);
  assert.match(svg, /<g class="mark-key"[^>]*>.*>left the plot<\/text><\/g>/);
});
