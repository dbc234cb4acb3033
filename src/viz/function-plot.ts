/** A 1-D function's curve with an optimizer's iterates on it (x_k, f(x_k)), joined in order. */
import { scaleLinear } from 'd3-scale';
import { colorOf, esc, num, svgOpen, titleSvg, xAxisSvg, yAxisSvg } from './svg.js';

/** What {@link functionPlotSvg} draws: a function of one variable over `domain` and an optimizer's iterates on it (default 560 × 360 px). */
export interface FunctionPlotOptions {
  /** The function drawn, sampled at `samples` + 1 points across the domain. */
  f: (x: number) => number;
  domain: [number, number];
  /** The iterates x0, x1, ... */
  points: number[];
  title?: string;
  width?: number;
  height?: number;
  /** Curve samples (default 400). */
  samples?: number;
  /** The iterates' colour (the optimizer's, from optimizer-colors.ts); palette colour 0 otherwise. */
  color?: string;
}

/** Standalone SVG: `<path class="curve">`, `<path class="iterates">` and one `<circle class="iterate">` per finite iterate. */
export function functionPlotSvg(o: FunctionPlotOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 360;
  const margin = { top: 28, right: 24, bottom: 42, left: 64 };
  const n = o.samples ?? 400;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i <= n; i++) {
    const v = o.domain[0] + (i / n) * (o.domain[1] - o.domain[0]);
    xs.push(v);
    ys.push(o.f(v));
  }
  const pts = o.points.filter((p) => Number.isFinite(p)).map((p) => [p, o.f(p)]).filter((q) => Number.isFinite(q[1]));
  let lo = Infinity, hi = -Infinity;
  for (const v of ys.concat(pts.map((q) => q[1]))) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(lo <= hi)) { lo = 0; hi = 1; }
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  const x = scaleLinear().domain(o.domain).range([margin.left, width - margin.right]);
  const y = scaleLinear().domain([lo, hi]).nice().range([height - margin.bottom, margin.top]);
  const seg = (a: number[][]) => {
    let d = '';
    let pen = false;
    for (const [u, v] of a) {
      if (!Number.isFinite(u) || !Number.isFinite(v)) { pen = false; continue; }
      d += `${pen ? 'L' : 'M'}${num(x(u))},${num(y(v))}`;
      pen = true;
    }
    return d;
  };
  const color = esc(o.color ?? colorOf(0));
  let s = svgOpen(width, height) + titleSvg(o.title, width);
  s += xAxisSvg(x, height - margin.bottom, 'x') + yAxisSvg(y, margin.left, 'f(x)');
  s += `<path class="curve" fill="none" stroke="#555" stroke-width="1.5" d="${seg(xs.map((u, i) => [u, ys[i]]))}"/>`;
  s += `<path class="iterates" fill="none" stroke="${color}" stroke-width="1" stroke-dasharray="3,2" d="${seg(pts)}"/>`;
  pts.forEach((q, i) => {
    s += `<circle class="iterate" data-k="${i}" cx="${num(x(q[0]))}" cy="${num(y(q[1]))}" r="3" fill="${i === 0 ? '#fff' : color}" stroke="${color}"/>`;
  });
  return s + '</svg>';
}
