// Every figure flag takes .png as well as .svg (src/cli/png.ts): optimize --plot-convergence and kmeans --plot
// write a PNG that decodes (test/cli/png-check.ts, written from the PNG spec), at twice the SVG's pixel size,
// with the plot drawn on it in the methods' colours. Needs `npm run build`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePng, inkFraction, type DecodedPng } from './png-check.js';
import { runDescent } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const digits = join(root, 'test/fixtures/data/digits.csv');

const descent = (...args: string[]) => runDescent(args, { timeout: 120_000 });

/** Pixels within a small distance of the colour #rrggbb (anti-aliased edges excluded). */
function pixelsOf(png: DecodedPng, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let hits = 0;
  for (let k = 0; k < png.width * png.height; k++) {
    if (Math.abs(png.rgba[4 * k] - r) + Math.abs(png.rgba[4 * k + 1] - g) + Math.abs(png.rgba[4 * k + 2] - b) < 30) hits++;
  }
  return hits;
}

/** The width and height an SVG declares. */
function svgSize(file: string): number[] {
  const [, w, h] = /<svg[^>]*\bwidth="(\d+)" height="(\d+)"/.exec(readFileSync(file, 'utf8')) ?? [];
  return [Number(w), Number(h)];
}

test('optimize --plot-convergence FILE.png: a PNG of the convergence chart, 2× the SVG, each method in its colour', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-figpng-'));
  try {
    const svg = descent('optimize', '--plot-convergence', join(dir, 'conv.svg'), '--steps', '60');
    assert.equal(svg.status, 0, svg.stderr);
    const r = descent('optimize', '--plot-convergence', join(dir, 'conv.png'), '--steps', '60');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /plot: .*conv\.png/);
    const png = decodePng(readFileSync(join(dir, 'conv.png')));
    assert.deepEqual([png.width, png.height], svgSize(join(dir, 'conv.svg')).map((v) => 2 * v));
    const ink = inkFraction(png);
    assert.ok(ink > 0.01 && ink < 0.5, `ink ${ink}`);
    // newton deep purple, sgd blue (the same blue as sgd in compare's reports and the playground)
    for (const c of ['#6a3d9a', '#4e79a7']) assert.ok(pixelsOf(png, c) > 100, `${c}: ${pixelsOf(png, c)} pixels`);
    // a name that is neither is refused before any work, nothing written
    const bad = descent('optimize', '--plot-convergence', join(dir, 'conv.jpeg'));
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, `descent: error: --plot-convergence: expected a file name ending in .svg or .png, got '${join(dir, 'conv.jpeg')}'\n`);
    assert.equal(existsSync(join(dir, 'conv.jpeg')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kmeans --plot FILE.png: the two-panel objective figure as a PNG, 2× its SVG, one colour per method', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-figpng-'));
  try {
    const args = ['kmeans', '--data', digits, '--k', '10', '--seeds', '1', '--epochs', '1', '--iterations', '5'];
    const svg = descent(...args, '--plot', join(dir, 'k.svg'));
    assert.equal(svg.status, 0, svg.stderr);
    const r = descent(...args, '--plot', join(dir, 'k.PNG'));
    assert.equal(r.status, 0, r.stderr);
    const png = decodePng(readFileSync(join(dir, 'k.PNG')));
    assert.deepEqual([png.width, png.height], svgSize(join(dir, 'k.svg')).map((v) => 2 * v));
    const ink = inkFraction(png);
    assert.ok(ink > 0.01 && ink < 0.5, `ink ${ink}`);
    // batch, online and minibatch lines (src/viz/kmeans-plot.ts's method colours, from the viz palette)
    for (const c of ['#4e79a7', '#e15759', '#59a14f']) assert.ok(pixelsOf(png, c) > 50, `${c}: ${pixelsOf(png, c)} pixels`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
