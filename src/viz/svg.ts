/**
 * SVG text helpers shared by every plot: escaping, fixed number formatting, the palette, axes.
 * Pure string building (no DOM), so the same code runs in Node and in the browser.
 */
import type { ScaleContinuousNumeric } from 'd3-scale';

/** Escapes text for SVG/HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * A coordinate with 2 decimals: fixed formatting keeps snapshots stable across platforms;
 * -0 prints as 0 and a non-finite value as 0 (callers filter non-finite data before this, it is a last guard
 * so "NaN" never reaches the SVG).
 */
export function num(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const s = v.toFixed(2);
  return s === '-0.00' ? '0.00' : s;
}

/** A data value for labels: 4 significant digits, exponent form outside [1e-3, 1e5). */
export function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/**
 * The categorical palette (Tableau 10): series i gets palette[i % 10] in every plot, the CLI reports and the
 * playground alike, so one optimizer has one colour everywhere.
 */
export const palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const;

/** The colour of series `i`. */
export function colorOf(i: number): string {
  return palette[((i % palette.length) + palette.length) % palette.length];
}

/** Plot frame: outer size and inner margins in pixels. */
export interface Frame {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

/** The SVG root element opening, with a white background and a shared font. */
export function svgOpen(width: number, height: number, extraClass = ''): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="descent-plot${extraClass ? ' ' + extraClass : ''}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`;
}

/** A title centred above the frame. */
export function titleSvg(title: string | undefined, width: number): string {
  return title ? `<text class="title" x="${num(width / 2)}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>` : '';
}

type Scale = ScaleContinuousNumeric<number, number>;

/** Bottom axis: a line, ticks from the scale, their labels, and the axis label. */
export function xAxisSvg(x: Scale, y0: number, label: string | undefined, count = 6): string {
  const [r0, r1] = x.range();
  const fmt = x.tickFormat(count);
  let s = `<g class="axis x-axis"><line x1="${num(r0)}" y1="${num(y0)}" x2="${num(r1)}" y2="${num(y0)}" stroke="#333"/>`;
  for (const t of x.ticks(count)) {
    const px = x(t);
    s += `<line x1="${num(px)}" y1="${num(y0)}" x2="${num(px)}" y2="${num(y0 + 5)}" stroke="#333"/><text x="${num(px)}" y="${num(y0 + 16)}" text-anchor="middle">${esc(fmt(t))}</text>`;
  }
  if (label) s += `<text class="axis-label" x="${num((r0 + r1) / 2)}" y="${num(y0 + 32)}" text-anchor="middle">${esc(label)}</text>`;
  return s + '</g>';
}

/** Left axis: a line, ticks from the scale, their labels, and the rotated axis label. */
export function yAxisSvg(y: Scale, x0: number, label: string | undefined, count = 6): string {
  const [r0, r1] = y.range();
  const fmt = y.tickFormat(count, y.ticks(count).length > 0 && 'base' in y ? '.0e' : undefined);
  let s = `<g class="axis y-axis"><line x1="${num(x0)}" y1="${num(r0)}" x2="${num(x0)}" y2="${num(r1)}" stroke="#333"/>`;
  for (const t of y.ticks(count)) {
    const label = fmt(t);
    if (label === '') continue; // log scales leave minor ticks unlabelled
    const py = y(t);
    s += `<line x1="${num(x0 - 5)}" y1="${num(py)}" x2="${num(x0)}" y2="${num(py)}" stroke="#333"/><text x="${num(x0 - 7)}" y="${num(py + 4)}" text-anchor="end">${esc(label)}</text>`;
  }
  if (label) {
    const cy = (r0 + r1) / 2;
    s += `<text class="axis-label" transform="translate(${num(x0 - 44)},${num(cy)}) rotate(-90)" text-anchor="middle">${esc(label)}</text>`;
  }
  return s + '</g>';
}

/** A legend: one coloured swatch and label per entry, stacked at (x, y); entry i is colours[i] or palette colour i. */
export function legendSvg(labels: string[], x: number, y: number, colors: (string | undefined)[] = []): string {
  let s = '<g class="legend">';
  labels.forEach((l, i) => {
    const yy = y + i * 16;
    s += `<rect x="${num(x)}" y="${num(yy - 9)}" width="12" height="10" fill="${esc(colors[i] ?? colorOf(i))}"/><text x="${num(x + 16)}" y="${num(yy)}">${esc(l)}</text>`;
  });
  return s + '</g>';
}

/** ` data-key="…"` for a series with a stable key (the playground finds its elements by it), else ''. */
export function keyAttr(key: string | undefined): string {
  return key === undefined ? '' : ` data-key="${esc(key)}"`;
}
