/**
 * SVG text helpers shared by every plot: escaping, fixed number formatting, the palette, axes.
 * Pure string building (no DOM), so the same code runs in Node and in the browser.
 */
import type { ScaleContinuousNumeric } from 'd3-scale';
import { FONT, INK, TYPE } from './theme.js';

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
 * The categorical palette (Tableau 10): a series without a colour of its own gets palette[i % 10]. Optimizer
 * runs carry their optimizer's colour instead (optimizer-colors.ts), the same in every chart.
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

/**
 * The SVG root element opening, with the theme's background (light in a file; a page's CSS restyles the `bg`
 * rect, the text and the axes for its theme) and the shared font.
 */
export function svgOpen(width: number, height: number, extraClass = ''): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="descent-plot${extraClass ? ' ' + extraClass : ''}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${esc(FONT)}" font-size="${TYPE.tick}" fill="${INK.text}">` +
    `<rect class="bg" width="${width}" height="${height}" fill="${INK.bg}"/>`;
}

/** A title centred above the frame (cut with an ellipsis when wider than the figure). */
export function titleSvg(title: string | undefined, width: number): string {
  if (!title) return '';
  const shown = fitText(title, width - 16, 13);
  return `<text class="title" x="${num(width / 2)}" y="17" text-anchor="middle" font-size="13" font-weight="600">${shown === title ? '' : `<title>${esc(title)}</title>`}${esc(shown)}</text>`;
}

/** Tick labels of one axis placed greedily in priority order, each only where it keeps `gap` px from every placed one. */
function placeLabels<T extends { lo: number; hi: number; rank: number }>(cands: T[], gap: number): T[] {
  const placed: T[] = [];
  for (const c of [...cands].sort((a, b) => a.rank - b.rank)) if (placed.every((p) => c.hi + gap <= p.lo || c.lo >= p.hi + gap)) placed.push(c);
  return placed;
}

type Scale = ScaleContinuousNumeric<number, number>;

/**
 * Bottom axis: a line, ticks from the scale, their labels, and the axis label. A label is written only where
 * its text box keeps 6 px from its neighbours' (the first and last ticks first, then the rest), so no two
 * labels ever overlap however narrow the axis; a log axis labels powers of ten before the rest.
 */
export function xAxisSvg(x: Scale, y0: number, label: string | undefined, count = 6): string {
  const [r0, r1] = x.range();
  const log = 'base' in x;
  const fmt = x.tickFormat(count);
  const text = (t: number) => (log ? logTickText(t) : fmt(t));
  let s = `<g class="axis x-axis"><line x1="${num(r0)}" y1="${num(y0)}" x2="${num(r1)}" y2="${num(y0)}" stroke="${INK.axis}"/>`;
  const ticks = x.ticks(count).filter((t) => !log || fmt(t) !== '');
  const pow10 = (t: number) => log && Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9;
  const cands = ticks.map((t, i) => {
    const px = x(t), w = textWidth(text(t));
    return { t, px, lo: px - w / 2, hi: px + w / 2, rank: pow10(t) ? 0 : i === 0 || i === ticks.length - 1 ? 1 : 2 };
  });
  for (const c of placeLabels(cands, 6).sort((a, b) => a.t - b.t)) {
    s += `<line x1="${num(c.px)}" y1="${num(y0)}" x2="${num(c.px)}" y2="${num(y0 + 5)}" stroke="${INK.axis}"/><text x="${num(c.px)}" y="${num(y0 + 17)}" text-anchor="middle">${esc(text(c.t))}</text>`;
  }
  if (label) s += `<text class="axis-label" x="${num((r0 + r1) / 2)}" y="${num(y0 + 34)}" text-anchor="middle" font-size="${TYPE.label}">${esc(log ? `${label} (log scale)` : label)}</text>`;
  return s + '</g>';
}

/**
 * A log axis's tick value as a reader writes it: 0.2, 1, 10, 5000 in plain digits, and exponent form (1e-6,
 * 3e8) outside [1e-3, 1e5), where plain digits get long. d3's own '.0e' gives 1e+0 and 4e-1.
 */
export function logTickText(v: number): string {
  if (!Number.isFinite(v) || v <= 0) return String(v);
  if (v >= 1e-3 && v < 1e5) return String(Number(v.toPrecision(3)));
  const [m, e] = v.toExponential(0).split('e');
  return `${m}e${Number(e)}`;
}

/**
 * The y tick labels an axis over this scale writes (before spacing them out): a chart sizes its left margin
 * by the widest (`yLabelRoom`), so the rotated axis label never meets a tick label.
 */
export function yTickTexts(y: Scale, count = 6): string[] {
  const log = 'base' in y;
  const fmt = y.tickFormat(count);
  const ends = log ? y.domain() : [];
  return y.ticks(count).filter((t) => fmt(t) !== '').concat(ends).map((t) => (log ? logTickText(t) : fmt(t)));
}

/** The left margin a y axis over `y` needs: its widest tick label, the tick, and the rotated axis label. */
export function yLabelRoom(y: Scale, min = 48, count = 6): number {
  const widest = yTickTexts(y, count).reduce((w, t) => Math.max(w, textWidth(t)), 0);
  return Math.max(min, Math.ceil(widest + 7 + 8 + 14));
}

/**
 * Left axis: a line, ticks from the scale, their labels, and the rotated axis label, placed left of the widest
 * tick label written (so the two never overlap).
 */
export function yAxisSvg(y: Scale, x0: number, label: string | undefined, count = 6): string {
  const [r0, r1] = y.range();
  const log = 'base' in y;
  // a log scale's own format leaves minor ticks unlabelled ('') when many decades share the axis
  const fmt = y.tickFormat(count);
  let s = `<g class="axis y-axis"><line x1="${num(x0)}" y1="${num(r0)}" x2="${num(x0)}" y2="${num(r1)}" stroke="${INK.axis}"/>`;
  // the ends of a log axis are always labelled (its domain ends on round values), so the data's range is read
  // off; then powers of ten, then the rest, each only where it keeps a line of text (12 px) from every label placed
  const ends = log ? y.domain() : [];
  const isEnd = (t: number) => ends.some((e) => Math.abs(t / e - 1) < 1e-9);
  const rank = (t: number) => (isEnd(t) ? 0 : log && Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9 ? 1 : 2);
  const ticks = y.ticks(count).filter((t) => !isEnd(t)).concat(ends);
  const candidates = ticks.filter((t) => fmt(t) !== '' || isEnd(t)).map((t) => ({ t, py: y(t), rank: rank(t) }));
  const placed: typeof candidates = [];
  for (const c of [...candidates].sort((a, b) => a.rank - b.rank)) if (placed.every((p) => Math.abs(p.py - c.py) >= 14)) placed.push(c);
  let widest = 0;
  for (const { t, py } of placed.sort((a, b) => a.t - b.t)) {
    const text = log ? logTickText(t) : fmt(t);
    widest = Math.max(widest, textWidth(text));
    s += `<line x1="${num(x0 - 5)}" y1="${num(py)}" x2="${num(x0)}" y2="${num(py)}" stroke="${INK.axis}"/><text x="${num(x0 - 7)}" y="${num(py + 4)}" text-anchor="end">${esc(text)}</text>`;
  }
  if (label) {
    const cy = (r0 + r1) / 2;
    const full = log ? `${label} (log scale)` : label;
    const shown = fitText(full, Math.abs(r0 - r1), TYPE.label);
    s += `<text class="axis-label" transform="translate(${num(Math.max(12, x0 - 7 - widest - 8))},${num(cy)}) rotate(-90)" text-anchor="middle" font-size="${TYPE.label}">${esc(shown)}</text>`;
  }
  return s + '</g>';
}

/**
 * Width in pixels of `text` in the plots' 11 px sans-serif, from DejaVu Sans advance widths rounded up
 * (lower case 0.64 em, m 0.98, digits 0.64, capitals 0.78, = and + 0.84, …): a bound, so a legend sized
 * by it is never cut at the edge of the figure.
 */
export function textWidth(text: string, fontSize = 11): number {
  let em = 0;
  for (const c of text) {
    if (c === 'm' || c === 'M' || c === 'W' || c === '…' || c === '@' || c === '%') em += 1;
    else if (c === 'w') em += 0.82;
    else if ('=+<>~'.includes(c)) em += 0.84;
    else if ('ijl'.includes(c)) em += 0.28;
    else if ('frt'.includes(c)) em += 0.42;
    else if (/[a-z0-9#$&?^_]/.test(c)) em += 0.64;
    else if (/[A-Z]/.test(c)) em += 0.78;
    else if (' .,:;\'|!()[]{}/-*'.includes(c)) em += 0.5;
    else em += 0.8;
  }
  return em * fontSize;
}

/** Pixels right of the plot frame that a legend of `labels` needs (swatch, gap, text, padding), at least `min`. */
export function legendRoom(labels: readonly string[], min: number): number {
  const widest = labels.reduce((w, l) => Math.max(w, textWidth(l)), 0);
  return Math.max(min, Math.ceil(12 + 16 + widest + 10));
}

/** `text` cut to fit `max` pixels, with an ellipsis, or unchanged when it fits. */
export function fitText(text: string, max: number, fontSize = 11): string {
  if (textWidth(text, fontSize) <= max) return text;
  let t = text;
  while (t.length > 1 && textWidth(t + '…', fontSize) > max) t = t.slice(0, -1);
  return t + '…';
}

/**
 * A legend: one coloured swatch and label per entry, stacked at (x, y); entry i is colours[i] or palette
 * colour i. Labels wider than `maxText` pixels are cut with an ellipsis (the full label stays in a <title>).
 */
export function legendSvg(labels: string[], x: number, y: number, colors: (string | undefined)[] = [], maxText = Infinity): string {
  let s = '<g class="legend">';
  labels.forEach((l, i) => {
    const yy = y + i * 16;
    const shown = fitText(l, maxText);
    const tip = shown === l ? '' : `<title>${esc(l)}</title>`;
    s += `<rect x="${num(x)}" y="${num(yy - 9)}" width="12" height="10" fill="${esc(colors[i] ?? colorOf(i))}"/><text x="${num(x + 16)}" y="${num(yy)}">${tip}${esc(shown)}</text>`;
  });
  return s + '</g>';
}

/** ` data-key="…"` for a series with a stable key (the playground finds its elements by it), else ''. */
export function keyAttr(key: string | undefined): string {
  return key === undefined ? '' : ` data-key="${esc(key)}"`;
}

/**
 * An HTML legend (a list that wraps on a narrow screen) for a chart drawn with `legend: false`: one swatch and
 * label per entry, entry i in colours[i] or palette colour i.
 */
export function legendHtml(labels: readonly string[], colors: readonly (string | undefined)[] = [], keys: readonly (string | undefined)[] = []): string {
  return `<ul class="legend-html">${labels.map((l, i) => `<li${keyAttr(keys[i])}><span class="swatch" style="background:${esc(colors[i] ?? colorOf(i))}"></span>${esc(l)}</li>`).join('')}</ul>`;
}
