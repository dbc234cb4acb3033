/**
 * Contour plot of a 2-D function with optimizer paths: d3-contour's marching squares on a sampled grid,
 * at log-spaced levels (optimizer landscapes span decades: Beale goes from 0 to 1e5 on [-4.5, 4.5]²).
 */
import { contours } from 'd3-contour';
import { scaleLinear } from 'd3-scale';
import { colorOf, esc, keyAttr, legendRoom, legendSvg, num, svgOpen, titleSvg, xAxisSvg, yAxisSvg, yLabelRoom } from './svg.js';
import { INK } from './theme.js';

/** One optimizer's path over a contour plot: its label in the legend and its iterates in the plane. */
export interface PathSeries {
  label: string;
  /** The iterates [x, y], x0 first. Non-finite points are left out of the drawing. */
  points: number[][];
  /** A fixed colour (an optimizer's, from optimizer-colors.ts); palette colour i otherwise. */
  color?: string;
  /** Written as data-key on the path and its markers, so a page can find them. */
  key?: string;
}

/**
 * What {@link contourPlotSvg} draws: f's contours over the domain (equal units on both axes), the paths, the
 * minimum, and the frame's size and legend.
 */
export interface ContourPlotOptions {
  /** The function of two variables whose level sets are drawn (sampled on a resolution × resolution grid). */
  f: (x: number, y: number) => number;
  xDomain: [number, number];
  yDomain: [number, number];
  paths: PathSeries[];
  /** Marked with a star. */
  minimum?: number[];
  title?: string;
  width?: number;
  height?: number;
  /** Number of contour levels (default 24). */
  levels?: number;
  /** Grid samples per axis (default 120). */
  resolution?: number;
  /**
   * Pixels right of the frame for the legend (default 130). The static plot widens it to fit its labels;
   * a page that redraws paths over a fixed background (the playground) passes one value to every layer.
   * A plot of default width grows by what the legend needs past 130, so the frame keeps its size.
   */
  legendWidth?: number;
  /** false: no legend or mark key inside the SVG (a page shows an HTML legend that reflows on a phone). */
  legend?: boolean;
}

/**
 * `count` log-spaced levels above `fmin`: fmin + span·10^(t), t evenly spaced from −decades to 0, where
 * span = fmax − fmin. Offsets from the minimum are geometric, so equal spacing on a log axis; the shift by
 * fmin lets it work for functions that go negative (saddle). `decades` defaults to 6.
 */
export function logLevels(fmin: number, fmax: number, count: number, decades = 6): number[] {
  const span = fmax - fmin;
  if (!(span > 0) || !Number.isFinite(span) || count < 1) return [];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = count === 1 ? 0 : -decades + (decades * i) / (count - 1);
    out.push(fmin + span * Math.pow(10, t));
  }
  return out;
}

/** The tallest frame a contour plot gets, relative to its width (a tall domain gets a narrower frame instead). */
const MAX_TALL = 1.5;

/**
 * The pixel layout and scales the contour plot uses (exported so tests and the player map points the same way).
 * The frame has the domain's aspect ratio (one unit of x is as long as one unit of y), so a function is never
 * stretched: without `height`, the figure is as tall as the frame needs; with one, the frame is the largest of
 * that shape that fits, centred.
 */
export function contourScales(o: Pick<ContourPlotOptions, 'xDomain' | 'yDomain' | 'width' | 'height' | 'legendWidth' | 'legend'>) {
  const legend = o.legend === false ? 14 : o.legendWidth ?? 130;
  const width = o.width ?? 430 + legend;
  const margin = { top: 28, right: Math.min(legend, Math.round(width / 2)), bottom: 46, left: yLabelRoom(scaleLinear().domain(o.yDomain), 48) };
  const ratio = Math.abs(o.yDomain[1] - o.yDomain[0]) / Math.abs(o.xDomain[1] - o.xDomain[0]) || 1;
  let fw = Math.max(10, width - margin.left - margin.right);
  let fh = fw * ratio;
  let height: number;
  if (o.height === undefined) {
    if (fh > MAX_TALL * fw) {
      const narrower = (MAX_TALL * fw) / ratio;
      margin.left += (fw - narrower) / 2;
      margin.right += (fw - narrower) / 2;
      fw = narrower;
      fh = fw * ratio;
    }
    height = Math.round(margin.top + margin.bottom + fh);
    margin.bottom = height - margin.top - fh;
  } else {
    height = o.height;
    const avail = Math.max(10, height - margin.top - margin.bottom);
    if (fh > avail) {
      const narrower = avail / ratio;
      margin.left += (fw - narrower) / 2;
      margin.right += (fw - narrower) / 2;
      fw = narrower;
      fh = avail;
    } else {
      margin.top += (avail - fh) / 2;
      margin.bottom += (avail - fh) / 2;
    }
  }
  const x = scaleLinear().domain(o.xDomain).range([margin.left, margin.left + fw]);
  const y = scaleLinear().domain(o.yDomain).range([margin.top + fh, margin.top]);
  return { width, height, margin, x, y };
}

/**
 * A pixel coordinate held to ±1e5: a diverging path reaches 1e150 and renderers draw such coordinates as
 * filled garbage; far outside the frame, the clip hides the difference.
 */
export function clampPx(v: number): number {
  return v > 1e5 ? 1e5 : v < -1e5 ? -1e5 : v;
}

/** SVG path data of a polyline through finite points; a non-finite point breaks the line. */
export function polylineD(points: number[][], sx: (v: number) => number, sy: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    const px = clampPx(sx(p[0]));
    const py = clampPx(sy(p[1]));
    if (!Number.isFinite(px) || !Number.isFinite(py)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${num(px)},${num(py)}`;
    pen = true;
  }
  return d;
}

/**
 * The contour background alone (grid, levels, rings as SVG paths, clipped to the frame): shared by the
 * static plot and the animated player.
 */
export function contourLayerSvg(o: ContourPlotOptions, clipId = 'descent-clip'): string {
  const { x, y, margin, width, height } = contourScales(o);
  const n = o.resolution ?? 120;
  const values = new Float64Array(n * n);
  let fmin = Infinity;
  let fmax = -Infinity;
  // sample i sits at the centre of grid cell i: d3-contour places value (i, j) at coordinate (i + 0.5, j + 0.5)
  for (let j = 0; j < n; j++) {
    const yy = o.yDomain[0] + ((j + 0.5) / n) * (o.yDomain[1] - o.yDomain[0]);
    for (let i = 0; i < n; i++) {
      const xx = o.xDomain[0] + ((i + 0.5) / n) * (o.xDomain[1] - o.xDomain[0]);
      const v = o.f(xx, yy);
      values[j * n + i] = v;
      if (Number.isFinite(v)) {
        if (v < fmin) fmin = v;
        if (v > fmax) fmax = v;
      }
    }
  }
  // overflowed samples count as the top of the range so rings close instead of breaking
  for (let k = 0; k < values.length; k++) if (!Number.isFinite(values[k])) values[k] = fmax;
  const levels = logLevels(fmin, fmax, o.levels ?? 24);
  const gx = (c: number) => x(o.xDomain[0] + (c / n) * (o.xDomain[1] - o.xDomain[0]));
  const gy = (c: number) => y(o.yDomain[0] + (c / n) * (o.yDomain[1] - o.yDomain[0]));
  let s = `<defs><clipPath id="${esc(clipId)}"><rect x="${num(margin.left)}" y="${num(margin.top)}" width="${num(width - margin.left - margin.right)}" height="${num(height - margin.top - margin.bottom)}"/></clipPath></defs>`;
  s += `<g class="contours" clip-path="url(#${esc(clipId)})" fill="none" stroke-width="0.8">`;
  if (levels.length) {
    const gen = contours().size([n, n]).thresholds(levels);
    const polys = gen(Array.from(values));
    polys.forEach((mp, k) => {
      let d = '';
      for (const poly of mp.coordinates) for (const ring of poly) d += polylineD(ring, gx, gy) + 'Z';
      if (d === '') return;
      // light (low f) to dark (high f) grey-blue: the valley floor stands out
      const t = levels.length === 1 ? 0 : k / (levels.length - 1);
      const shade = Math.round(90 + 120 * t);
      // 12 significant digits: the level comes from Math.pow, whose last bits differ between V8 versions (Node 20 and 24)
      s += `<path class="level" data-level="${esc(String(Number(mp.value.toPrecision(12))))}" stroke="rgb(${shade},${shade},${Math.min(255, shade + 40)})" d="${d}"/>`;
    });
  }
  s += '</g>';
  s += xAxisSvg(x, height - margin.bottom, 'x') + yAxisSvg(y, margin.left, 'y');
  if (o.minimum && o.minimum.length >= 2 && Number.isFinite(o.minimum[0]) && Number.isFinite(o.minimum[1])) {
    s += `<path class="minimum" d="${starD(x(o.minimum[0]), y(o.minimum[1]), 8)}" fill="${INK.minimum}" stroke="${INK.bg}" stroke-width="0.8"/>`;
  }
  return s;
}

/** A five-pointed star centred at (cx, cy) with outer radius r. */
function starD(cx: number, cy: number, r: number): string {
  let d = '';
  for (let k = 0; k < 10; k++) {
    const rr = k % 2 === 0 ? r : r * 0.45;
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    d += `${k === 0 ? 'M' : 'L'}${num(cx + rr * Math.cos(a))},${num(cy + rr * Math.sin(a))}`;
  }
  return d + 'Z';
}

/**
 * The paths over a contour layer: one `<path class="opt-path">` per series (its colour, or palette colour i),
 * its start as a circle and its last point as a dot (a cross on the frame's edge when it ends outside).
 * Cheap next to the contour layer, so an animation redraws only this (the playground does, every frame).
 */
export function pathsLayerSvg(o: Pick<ContourPlotOptions, 'xDomain' | 'yDomain' | 'width' | 'height' | 'paths' | 'legendWidth' | 'legend'>, clipId = 'descent-clip'): string {
  const { x, y } = contourScales(o);
  let s = `<g class="paths" clip-path="url(#${esc(clipId)})" fill="none" stroke-width="1.8">`;
  o.paths.forEach((p, i) => {
    s += `<path class="opt-path" data-label="${esc(p.label)}"${keyAttr(p.key)} stroke="${esc(p.color ?? colorOf(i))}" d="${polylineD(p.points, x, y)}"/>`;
  });
  s += '</g><g class="ends">';
  const { margin, width, height } = contourScales(o);
  const frame = { x0: margin.left, x1: width - margin.right, y0: margin.top, y1: height - margin.bottom };
  o.paths.forEach((p, i) => {
    const px = p.points.map((q) => [x(q[0]), y(q[1])]).filter((q) => Number.isFinite(q[0]) && Number.isFinite(q[1]));
    if (!px.length) return;
    const a = px[0];
    const b = px[px.length - 1];
    const color = esc(p.color ?? colorOf(i));
    s += `<circle class="start"${keyAttr(p.key)} cx="${num(clampPx(a[0]))}" cy="${num(clampPx(a[1]))}" r="4" fill="none" stroke="${color}" stroke-width="1.5"/>`;
    const exit = frameExit(px, frame);
    if (exit) {
      // the path leaves the frame for good (a diverging run): a cross where it crosses the edge, so the
      // reader sees where it went instead of a line that stops at the border
      const [cx, cy] = exit;
      s += `<path class="exit"${keyAttr(p.key)} stroke="${color}" stroke-width="2.2" d="M${num(cx - 5)},${num(cy - 5)}L${num(cx + 5)},${num(cy + 5)}M${num(cx - 5)},${num(cy + 5)}L${num(cx + 5)},${num(cy - 5)}"/>`;
    } else {
      s += `<circle class="end"${keyAttr(p.key)} cx="${num(clampPx(b[0]))}" cy="${num(clampPx(b[1]))}" r="3" fill="${color}"/>`;
    }
  });
  return s + '</g>';
}

/**
 * Where a polyline (pixels) leaves the frame for the last time, when its last point lies outside it and an
 * earlier one inside: the crossing of that segment with the frame's edge. Null when it ends inside.
 */
export function frameExit(px: number[][], f: { x0: number; x1: number; y0: number; y1: number }): [number, number] | null {
  const inside = (q: number[]) => q[0] >= f.x0 && q[0] <= f.x1 && q[1] >= f.y0 && q[1] <= f.y1;
  if (!px.length || inside(px[px.length - 1])) return null;
  let k = px.length - 1;
  while (k > 0 && !inside(px[k - 1])) k--;
  if (k === 0) return null; // never inside: nothing to mark
  const [ax, ay] = px[k - 1];
  const [bx, by] = px[k];
  // the largest t in [0, 1] with a + t(b − a) still inside: the first edge the segment meets
  let t = 1;
  const dx = bx - ax, dy = by - ay;
  if (dx > 0) t = Math.min(t, (f.x1 - ax) / dx);
  if (dx < 0) t = Math.min(t, (f.x0 - ax) / dx);
  if (dy > 0) t = Math.min(t, (f.y1 - ay) / dy);
  if (dy < 0) t = Math.min(t, (f.y0 - ay) / dy);
  return [ax + t * dx, ay + t * dy];
}

/** The legend room a plot of these paths needs: the default 130 px or more, to fit the longest label. */
export function contourLegendWidth(labels: readonly string[]): number {
  // the mark key under the legend (markKeySvg) needs room too
  return legendRoom([...labels, 'left the plot'], 130);
}

/**
 * What the marks on the paths mean, in grey under the legend at (x, y): the start circle, the last-point dot
 * and, when a path leaves the frame (`exits`), the cross on its edge. Returns the SVG group.
 */
export function markKeySvg(x: number, y: number, exits: boolean): string {
  const g = '#555';
  let s = `<g class="mark-key" fill="${g}" font-size="10">`;
  s += `<circle cx="${num(x + 6)}" cy="${num(y - 3)}" r="4" fill="none" stroke="${g}" stroke-width="1.5"/><text x="${num(x + 16)}" y="${num(y)}">start</text>`;
  s += `<circle cx="${num(x + 6)}" cy="${num(y + 11)}" r="3"/><text x="${num(x + 16)}" y="${num(y + 14)}">last point</text>`;
  if (exits) s += `<path stroke="${g}" stroke-width="2" d="M${num(x + 2)},${num(y + 21)}L${num(x + 10)},${num(y + 29)}M${num(x + 2)},${num(y + 29)}L${num(x + 10)},${num(y + 21)}"/><text x="${num(x + 16)}" y="${num(y + 28)}">left the plot</text>`;
  return s + '</g>';
}

/** True when some path ends outside the frame (its last finite point, after having been inside). */
export function anyExit(o: Pick<ContourPlotOptions, 'xDomain' | 'yDomain' | 'width' | 'height' | 'paths' | 'legendWidth' | 'legend'>): boolean {
  const { x, y, margin, width, height } = contourScales(o);
  const frame = { x0: margin.left, x1: width - margin.right, y0: margin.top, y1: height - margin.bottom };
  return o.paths.some((p) => frameExit(p.points.map((q) => [x(q[0]), y(q[1])]).filter((q) => Number.isFinite(q[0]) && Number.isFinite(q[1])), frame) !== null);
}

/**
 * Static contour plot with every path (pathsLayerSvg over contourLayerSvg), a legend at the right, as wide
 * as the labels need. Returns a standalone SVG string.
 */
export function contourPlotSvg(o: ContourPlotOptions): string {
  const p = { ...o, legendWidth: o.legendWidth ?? contourLegendWidth(o.paths.map((q) => q.label)) };
  const { width, height, margin } = contourScales(p);
  let s = svgOpen(width, height, 'contour-plot') + titleSvg(p.title, width) + contourLayerSvg(p) + pathsLayerSvg(p);
  if (p.legend === false) return s + '</svg>';
  s += legendSvg(p.paths.map((q) => q.label), width - margin.right + 12, margin.top + 10, p.paths.map((q) => q.color), margin.right - 12 - 16 - 6);
  if (p.paths.length) s += markKeySvg(width - margin.right + 12, margin.top + 10 + 16 * p.paths.length + 10, anyExit(p));
  return s + '</svg>';
}
