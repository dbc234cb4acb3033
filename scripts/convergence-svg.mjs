#!/usr/bin/env node
// Writes docs/convergence.svg from convergenceSeries() (dist/search, `npm run build` first).
// Uses src/viz's lineChartSvg when the build has it (as `descent optimize --plot-convergence` does);
// until then a plain log-scale line chart drawn with d3-scale and d3-shape.
import { existsSync } from 'node:fs';
import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';

const { convergenceSeries } = await import('../dist/search/index.js');
const out = process.argv[2] ?? 'docs/convergence.svg';
const report = convergenceSeries({ maxIter: 100 });
const title = 'convergence on exp-sum: f = sum(exp(u) - u), u = Q(x - x*)';
const yLabel = 'max |x - x*|';
let svg;
const vizUrl = new URL('../dist/viz/index.js', import.meta.url);
if (existsSync(vizUrl)) {
  const viz = await import(vizUrl.href);
  // each method in its colour, as `descent optimize --plot-convergence` draws it
  const series = report.series.map((s) => ({ ...s, color: viz.optimizerColor ? viz.optimizerColor(s.method) : undefined }));
  svg = viz.lineChartSvg({ series, xLabel: 'iteration', yLabel, logY: true, title });
} else {
  const W = 720, H = 440, m = { l: 70, r: 170, t: 40, b: 50 };
  const x = scaleLinear().domain([0, 100]).range([m.l, W - m.r]);
  const y = scaleLog().domain([1e-16, 10]).range([H - m.b, m.t]).clamp(true);
  const colors = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e'];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - m.r / 2 + m.l / 2}" y="22" text-anchor="middle" font-size="14">${title}</text>`,
  ];
  for (const t of x.ticks(10)) parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/><text x="${x(t)}" y="${H - m.b + 16}" text-anchor="middle">${t}</text>`);
  for (let e = -16; e <= 0; e += 2) parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#eee"/><text x="${m.l - 6}" y="${y(10 ** e) + 4}" text-anchor="end">1e${e}</text>`);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">iteration</text>`);
  parts.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${yLabel} (log scale)</text>`);
  report.series.forEach((s, i) => {
    const d = line().x((p) => x(p[0])).y((p) => y(p[1]))(s.x.map((k, j) => [k, s.y[j]]));
    parts.push(`<path d="${d}" fill="none" stroke="${colors[i]}" stroke-width="2"/>`);
    for (let j = 0; j < s.x.length && s.x.length < 40; j++) parts.push(`<circle cx="${x(s.x[j]).toFixed(1)}" cy="${y(s.y[j]).toFixed(1)}" r="2.5" fill="${colors[i]}"/>`);
    parts.push(`<line x1="${W - m.r + 12}" x2="${W - m.r + 32}" y1="${m.t + 14 + 20 * i}" y2="${m.t + 14 + 20 * i}" stroke="${colors[i]}" stroke-width="2"/><text x="${W - m.r + 38}" y="${m.t + 18 + 20 * i}">${s.label}</text>`);
  });
  parts.push('</svg>');
  svg = parts.join('\n') + '\n';
}
const { atomicWrite } = await import('../dist/io/atomic-write.js');
atomicWrite(out, svg);
for (const s of report.series) console.log(`${s.label}: ${s.x[s.x.length - 1]} iterations, ${s.evaluations} evaluations, final error ${s.y[s.y.length - 1].toExponential(2)}`);
