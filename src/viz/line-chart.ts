/**
 * Line chart of several series (loss against epoch or time), with optional mean ± std bands, a linear or log
 * y axis, a legend. Non-finite values (and non-positive ones on a log axis) break the line rather than
 * reaching the SVG.
 */
import { scaleLinear, scaleLog } from 'd3-scale';
import { area, line } from 'd3-shape';
import { colorOf, esc, keyAttr, legendRoom, legendSvg, num, svgOpen, titleSvg, xAxisSvg, yAxisSvg, yLabelRoom } from './svg.js';

/** One line of a {@link lineChartSvg}: its label in the legend and its points (x[i], y[i]). */
export interface LineSeries {
  label: string;
  x: number[];
  y: number[];
  /** A shaded band from lo to hi at each x (for example mean − std to mean + std over seeds). */
  band?: { lo: number[]; hi: number[] };
  /** A fixed colour (an optimizer's, from optimizer-colors.ts); palette colour i otherwise. */
  color?: string;
  /** Written as data-key on the series' elements, so a page can find them. */
  key?: string;
  /** Marks the series' last drawn point with a cross: the run diverged there (its later values are not drawn). */
  diverged?: boolean;
}

/**
 * What {@link lineChartSvg} draws: the series, the axis labels and scales (linear, or log on either axis), the
 * size (default 410 px plus the legend × 360 px) and the legend.
 */
export interface LineChartOptions {
  series: LineSeries[];
  xLabel: string;
  yLabel: string;
  logY?: boolean;
  /** A log x axis (f against evaluations when search methods race: 40 beside 5,000); x ≤ 0 is left out. */
  logX?: boolean;
  title?: string;
  width?: number;
  height?: number;
  /**
   * Pixels right of the frame for the legend. By default wide enough for the longest label (at least 150),
   * and a chart of default width grows by what the legend needs past 150, so the frame keeps its size.
   */
  legendWidth?: number;
  /** x values the axis covers even without data there (the lab's step axis starts at 0..10, not at one point). */
  xExtent?: [number, number];
  /** false: no legend inside the SVG (a page shows an HTML legend, `legendHtml`, that reflows on a phone). */
  legend?: boolean;
}

/** The scales a line chart uses for these options (exported so tests can map known points). */
export function lineChartScales(o: LineChartOptions) {
  const legend = o.legend === false ? 16 : o.legendWidth ?? legendRoom(o.series.map((se) => se.label), 150);
  const width = o.width ?? 410 + legend;
  const height = o.height ?? 360;
  // a fixed width keeps at least half of itself for the frame; longer labels are cut with an ellipsis
  const margin = { top: o.title ? 30 : 12, right: Math.min(legend, Math.round(width / 2)), bottom: 46, left: 64 };
  const ok = (v: number) => Number.isFinite(v) && (!o.logY || v > 0);
  const okX = (v: number) => Number.isFinite(v) && (!o.logX || v > 0);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const s of o.series) {
    const consider = (xs: number[], ys: number[]) => {
      for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
        if (!okX(xs[i]) || !ok(ys[i])) continue;
        if (xs[i] < x0) x0 = xs[i];
        if (xs[i] > x1) x1 = xs[i];
        if (ys[i] < y0) y0 = ys[i];
        if (ys[i] > y1) y1 = ys[i];
      }
    };
    consider(s.x, s.y);
    if (s.band) {
      consider(s.x, s.band.lo);
      consider(s.x, s.band.hi);
    }
  }
  if (o.xExtent) for (const v of o.xExtent) if (okX(v)) { x0 = Math.min(x0, v); x1 = Math.max(x1, v); }
  if (!(x0 <= x1)) { x0 = o.logX ? 1 : 0; x1 = o.logX ? 10 : 1; }
  if (!(y0 <= y1)) { y0 = o.logY ? 1 : 0; y1 = o.logY ? 10 : 1; }
  if (x0 === x1) {
    if (o.logX) { x0 /= 2; x1 *= 2; } else { x0 -= 0.5; x1 += 0.5; }
  }
  if (y0 === y1) {
    if (o.logY) { y0 /= 2; y1 *= 2; } else { y0 -= 0.5; y1 += 0.5; }
  }
  // a log axis ends on round values (0.05 to 1.5, not 0.052 to 1.1), labelled, so the data's range reads off the axis
  const y = (o.logY ? scaleLog().domain([roundLog(y0, 'down'), roundLog(y1, 'up')]) : scaleLinear().domain([y0, y1]).nice()).range([height - margin.bottom, margin.top]);
  // the left margin fits the widest tick label and the rotated axis label beside it
  margin.left = yLabelRoom(y, 52);
  const x = (o.logX ? scaleLog().domain([roundLog(x0, 'down'), roundLog(x1, 'up')]) : scaleLinear().domain([x0, x1])).range([margin.left, width - margin.right]);
  const ok2 = (xv: number, yv: number) => okX(xv) && ok(yv);
  return {
    width, height, margin, x, y,
    /** Whether a y value can be drawn: finite, and > 0 on a log y axis. */
    ok,
    /** Whether an x value can be drawn: finite, and > 0 on a log x axis. */
    okX,
    /** Whether the point (x, y) can be drawn: both of the above. */
    ok2,
  };
}

/**
 * Standalone SVG: one `<path class="series">` per series (its colour, or palette colour i), a `<path class="band">`
 * per band, a cross at the end of each diverged series, the legend at the right.
 */
export function lineChartSvg(o: LineChartOptions): string {
  const { width, height, margin, x, y, ok, okX } = lineChartScales(o);
  let s = svgOpen(width, height) + titleSvg(o.title, width);
  s += xAxisSvg(x, height - margin.bottom, o.xLabel) + yAxisSvg(y, margin.left, o.yLabel);
  // clipped to the frame: a band or a diverging series must not draw over the axes; the id is a hash of the
  // chart's labels and size so output stays deterministic and charts of one page rarely share an id
  const clipId = 'lc-' + hashId([o.title ?? '', o.xLabel, o.yLabel, width, height, ...o.series.map((se) => se.label)].join('|'));
  s += `<defs><clipPath id="${clipId}"><rect x="${num(margin.left)}" y="${num(margin.top)}" width="${num(width - margin.left - margin.right)}" height="${num(height - margin.top - margin.bottom)}"/></clipPath></defs>`;
  s += `<g class="bands" clip-path="url(#${clipId})">`;
  o.series.forEach((se, i) => {
    if (!se.band) return;
    const { lo, hi } = se.band;
    const idx = se.x.map((_v, k) => k);
    const d = area<number>()
      .defined((k) => okX(se.x[k]) && ok(lo[k]) && ok(hi[k]))
      .x((k) => x(se.x[k]))
      .y0((k) => y(lo[k]))
      .y1((k) => y(hi[k]))
      .digits(2)(idx);
    if (d) s += `<path class="band" data-label="${esc(se.label)}"${keyAttr(se.key)} fill="${esc(se.color ?? colorOf(i))}" fill-opacity="0.2" stroke="none" d="${d}"/>`;
  });
  s += `</g><g class="lines" clip-path="url(#${clipId})" fill="none" stroke-width="1.8">`;
  o.series.forEach((se, i) => {
    const idx = se.x.map((_v, k) => k).slice(0, Math.min(se.x.length, se.y.length));
    const d = line<number>()
      .defined((k) => okX(se.x[k]) && ok(se.y[k]))
      .x((k) => x(se.x[k]))
      .y((k) => y(se.y[k]))
      .digits(2)(idx) ?? '';
    s += `<path class="series" data-label="${esc(se.label)}"${keyAttr(se.key)} stroke="${esc(se.color ?? colorOf(i))}" d="${d}"/>`;
  });
  s += '</g>';
  // a diverged run ends in a cross at its last drawn point, so its end reads as a blow-up and not as a stop
  if (o.series.some((se) => se.diverged)) s += '<g class="diverged">';
  o.series.forEach((se, i) => {
    if (!se.diverged) return;
    let k = Math.min(se.x.length, se.y.length) - 1;
    while (k >= 0 && !(okX(se.x[k]) && ok(se.y[k]))) k--;
    if (k < 0) return;
    const cx = x(se.x[k]);
    const cy = Math.max(margin.top, Math.min(height - margin.bottom, y(se.y[k])));
    s += `<path class="diverged-mark" data-label="${esc(se.label)}"${keyAttr(se.key)} stroke="${esc(se.color ?? colorOf(i))}" stroke-width="2" d="M${num(cx - 4)},${num(cy - 4)}L${num(cx + 4)},${num(cy + 4)}M${num(cx - 4)},${num(cy + 4)}L${num(cx + 4)},${num(cy - 4)}"/>`;
  });
  if (o.series.some((se) => se.diverged)) s += '</g>';
  if (o.legend !== false) s += legendSvg(o.series.map((se) => se.label), width - margin.right + 12, margin.top + 10, o.series.map((se) => se.color), margin.right - 12 - 16 - 6);
  return s + '</svg>';
}

/**
 * The nearest round value (1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten) at or below (`down`) or at or
 * above (`up`) a positive v: close enough that a narrow range keeps most of the frame.
 */
export function roundLog(v: number, dir: 'down' | 'up'): number {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  const steps = [1, 1.5, 2, 3, 4, 5, 6, 8, 10].map((m) => m * p);
  // relative slack: 0.1 stays 0.1 although log10 and the product round
  if (dir === 'down') return steps.filter((t) => t <= v * (1 + 1e-12)).pop() as number;
  return steps.find((t) => t >= v * (1 - 1e-12)) as number;
}

/** FNV-1a hash of a string, base 36: a short, stable id. */
function hashId(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}
