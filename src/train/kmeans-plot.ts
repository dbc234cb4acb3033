/**
 * The K-means comparison figure: the objective J (mean squared distance) against algorithm time and
 * against examples seen, one line per (method, seed), colored by method. Pure: runs in, SVG text out.
 * Drawn here with d3-scale/d3-shape rather than the viz layer's single-panel chart because the lecture
 * figure puts the two x axes side by side with a shared y axis.
 */
import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import type { KMeansMethod, KMeansResult } from './kmeans.js';

const COLORS: Record<KMeansMethod, string> = { batch: '#1f77b4', online: '#d62728', minibatch: '#2ca02c' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
function tickText(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  // integers with thousands separators (examples seen), tiny values in exponent form
  if (Number.isInteger(v) && a >= 1e4) return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return a >= 1e6 || a < 1e-2 ? v.toExponential(0) : String(+v.toPrecision(3));
}

/** Two panels: J vs time (ms) and J vs examples seen, for every run; `title` above them. */
export function kmeansPlotSvg(runs: readonly (Pick<KMeansResult, 'method' | 'history'> & { seed: number })[], title = 'k-means objective'): string {
  const W = 960, H = 420, m = { top: 48, right: 16, bottom: 48, left: 64 }, gap = 56;
  const pw = (W - m.left - m.right - gap) / 2, ph = H - m.top - m.bottom;
  let yMin = Infinity, yMax = -Infinity, tMax = 0, eMax = 0;
  for (const r of runs) for (const h of r.history) {
    yMin = Math.min(yMin, h.objective); yMax = Math.max(yMax, h.objective);
    tMax = Math.max(tMax, h.timeMs); eMax = Math.max(eMax, h.examplesSeen);
  }
  if (!Number.isFinite(yMin)) { yMin = 0; yMax = 1; }
  const logY = yMin > 0 && yMax / yMin > 20;
  const y = (logY ? scaleLog() : scaleLinear()).domain(yMin === yMax ? [yMin * 0.9 || -1, yMax * 1.1 || 1] : [yMin, yMax]).range([ph, 0]).nice();
  const panels = [
    { key: 'timeMs' as const, label: 'time (ms, objective evaluation excluded)', x: scaleLinear().domain([0, tMax || 1]).range([0, pw]).nice() },
    { key: 'examplesSeen' as const, label: 'examples seen', x: scaleLinear().domain([0, eMax || 1]).range([0, pw]).nice() },
  ];
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  panels.forEach((p, pi) => {
    const ox = m.left + pi * (pw + gap);
    out.push(`<g transform="translate(${ox},${m.top})">`);
    out.push(`<rect width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
    for (const t of p.x.ticks(6)) {
      const px = p.x(t).toFixed(1);
      out.push(`<line x1="${px}" x2="${px}" y1="0" y2="${ph}" stroke="#eee"/><text x="${px}" y="${ph + 14}" text-anchor="middle">${tickText(t)}</text>`);
    }
    for (const t of y.ticks(6)) {
      const py = y(t).toFixed(1);
      out.push(`<line x1="0" x2="${pw}" y1="${py}" y2="${py}" stroke="#eee"/><text x="-6" y="${py}" dy="0.32em" text-anchor="end">${tickText(t)}</text>`);
    }
    out.push(`<text x="${pw / 2}" y="${ph + 34}" text-anchor="middle">${esc(p.label)}</text>`);
    if (pi === 0) out.push(`<text transform="translate(-48,${ph / 2}) rotate(-90)" text-anchor="middle">J = mean squared distance${logY ? ' (log)' : ''}</text>`);
    for (const r of runs) {
      const path = line<{ timeMs: number; examplesSeen: number; objective: number }>()
        .x((h) => p.x(h[p.key]))
        .y((h) => y(h.objective))(r.history);
      if (path) out.push(`<path d="${path}" fill="none" stroke="${COLORS[r.method]}" stroke-width="1.5" stroke-opacity="0.8"><title>${esc(`${r.method} seed ${r.seed}`)}</title></path>`);
    }
    out.push('</g>');
  });
  const methods = [...new Set(runs.map((r) => r.method))];
  methods.forEach((mth, i) => {
    const lx = W - m.right - 110, ly = m.top + 14 + i * 16;
    out.push(`<line x1="${lx - 170}" x2="${lx - 150}" y1="${ly}" y2="${ly}" stroke="${COLORS[mth]}" stroke-width="2"/><text x="${lx - 145}" y="${ly}" dy="0.32em">${mth} (${runs.filter((r) => r.method === mth).length} seeds)</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
