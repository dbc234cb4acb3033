/**
 * The K-means comparison figure: the objective J (mean squared distance) against algorithm time and
 * against examples seen, one line per (method, seed), coloured by method. Pure: runs in, SVG text out.
 * Two panels share one y axis, so it lays out its own frames, with the axes, fonts, palette and legend of
 * every other viz chart (svg.ts, theme.ts).
 */
import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import type { KMeansMethod, KMeansResult } from '../train/kmeans.js';
import { esc, legendSvg, palette, svgOpen, titleSvg, xAxisSvg, yAxisSvg, yLabelRoom } from './svg.js';

/** One palette colour per method, fixed (not by position), so a figure of one method keeps its colour. */
export const KMEANS_COLORS: Record<KMeansMethod, string> = { batch: palette[0], online: palette[2], minibatch: palette[4] };

/** Two panels: J vs time (ms) and J vs examples seen, for every run; `title` above them. */
export function kmeansPlotSvg(runs: readonly (Pick<KMeansResult, 'method' | 'history'> & { seed: number })[], title = 'k-means objective'): string {
  const W = 960, H = 420, gap = 40, legendW = 150;
  let yMin = Infinity, yMax = -Infinity, tMax = 0, eMax = 0;
  for (const r of runs) for (const h of r.history) {
    yMin = Math.min(yMin, h.objective); yMax = Math.max(yMax, h.objective);
    tMax = Math.max(tMax, h.timeMs); eMax = Math.max(eMax, h.examplesSeen);
  }
  if (!Number.isFinite(yMin)) { yMin = 0; yMax = 1; }
  const logY = yMin > 0 && yMax / yMin > 20;
  const m = { top: 34, right: legendW, bottom: 48, left: 64 };
  const ph = H - m.top - m.bottom;
  const y = (logY ? scaleLog() : scaleLinear()).domain(yMin === yMax ? [yMin * 0.9 || -1, yMax * 1.1 || 1] : [yMin, yMax]).range([m.top + ph, m.top]).nice();
  m.left = yLabelRoom(y, 56);
  const pw = (W - m.left - m.right - gap) / 2;
  const panels = [
    { key: 'timeMs' as const, label: 'time (ms, objective evaluation excluded)', x0: m.left, max: tMax },
    { key: 'examplesSeen' as const, label: 'examples seen', x0: m.left + pw + gap, max: eMax },
  ];
  let s = svgOpen(W, H, 'kmeans-plot') + titleSvg(title, W);
  for (const [pi, p] of panels.entries()) {
    const x = scaleLinear().domain([0, p.max || 1]).range([p.x0, p.x0 + pw]).nice();
    s += xAxisSvg(x, m.top + ph, p.label, 5);
    // the second panel shares the first one's y axis: its ticks only, no label
    s += pi === 0 ? yAxisSvg(y, p.x0, `J = mean squared distance`) : yAxisSvg(y, p.x0, undefined);
    s += '<g class="lines" fill="none" stroke-width="1.6" stroke-opacity="0.85">';
    for (const r of runs) {
      const d = line<{ timeMs: number; examplesSeen: number; objective: number }>()
        .x((h) => x(h[p.key]))
        .y((h) => y(h.objective))
        .digits(2)(r.history);
      if (d) s += `<path class="series" d="${d}" stroke="${KMEANS_COLORS[r.method]}"><title>${esc(`${r.method} seed ${r.seed}`)}</title></path>`;
    }
    s += '</g>';
  }
  const methods = [...new Set(runs.map((r) => r.method))];
  s += legendSvg(methods.map((mth) => `${mth} (${runs.filter((r) => r.method === mth).length} seeds)`), W - m.right + 16, m.top + 10, methods.map((mth) => KMEANS_COLORS[mth]), legendW - 40);
  return s + '</svg>\n';
}
