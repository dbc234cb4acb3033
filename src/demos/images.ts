/**
 * Small images as SVG: binary patterns, digits and RBM filters drawn as grids of squares, several per row
 * with a caption under each. Pure (numbers in, SVG text out), so the CLI reports and the lab share it.
 */
import { esc, num, svgOpen, titleSvg } from '../viz/index.js';

/** One square image of an {@link imageGridSvg}, with an optional caption below it. */
export interface ImageTile {
  /** side×side values, row-major. */
  pixels: ArrayLike<number>;
  caption?: string;
}

/** What {@link imageGridSvg} draws: square tiles of side × side pixels in a grid, gray or diverging colours. */
export interface ImageGridOptions {
  tiles: ImageTile[];
  side: number;
  /** Tiles per row (default: all in one row, up to 10). */
  columns?: number;
  /** Pixel size in SVG units (default 6). */
  cell?: number;
  /**
   * 'gray': values in [lo, hi] from white to black (default [0, 1]); 'diverging': negative blue, positive
   * red, scaled by each tile's largest magnitude (filters).
   */
  scale?: 'gray' | 'diverging';
  range?: [number, number];
  title?: string;
}

function grayOf(v: number, lo: number, hi: number): string {
  const t = Math.max(0, Math.min(1, (v - lo) / (hi - lo || 1)));
  const g = Math.round(255 * (1 - t));
  return `rgb(${g},${g},${g})`;
}

function divergingOf(v: number, maxAbs: number): string {
  const t = Math.max(-1, Math.min(1, v / (maxAbs || 1)));
  const a = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? `rgb(255,${a},${a})` : `rgb(${a},${a},255)`;
}

/** A grid of image tiles as one standalone SVG. */
export function imageGridSvg(o: ImageGridOptions): string {
  const cell = o.cell ?? 6;
  const cols = Math.max(1, o.columns ?? Math.min(10, o.tiles.length));
  const rows = Math.ceil(o.tiles.length / cols);
  const tile = o.side * cell;
  const gap = 10, caption = o.tiles.some((t) => t.caption) ? 16 : 0, top = o.title ? 28 : 6;
  const width = Math.max(cols * (tile + gap) + gap, o.title ? 7 * o.title.length : 0);
  const height = top + rows * (tile + caption + gap);
  const [lo, hi] = o.range ?? [0, 1];
  let s = svgOpen(width, height, 'image-grid') + titleSvg(o.title, width);
  o.tiles.forEach((t, i) => {
    const x0 = gap + (i % cols) * (tile + gap), y0 = top + Math.floor(i / cols) * (tile + caption + gap);
    let maxAbs = 0;
    if (o.scale === 'diverging') for (let p = 0; p < t.pixels.length; p++) maxAbs = Math.max(maxAbs, Math.abs(t.pixels[p]));
    s += `<g class="tile" data-index="${i}">`;
    for (let r = 0; r < o.side; r++) {
      for (let c = 0; c < o.side; c++) {
        const v = t.pixels[r * o.side + c];
        const fill = o.scale === 'diverging' ? divergingOf(v, maxAbs) : grayOf(v, lo, hi);
        s += `<rect x="${num(x0 + c * cell)}" y="${num(y0 + r * cell)}" width="${cell}" height="${cell}" fill="${fill}"/>`;
      }
    }
    s += `<rect x="${num(x0)}" y="${num(y0)}" width="${tile}" height="${tile}" fill="none" stroke="#999" stroke-width="0.5"/>`;
    if (t.caption) s += `<text x="${num(x0 + tile / 2)}" y="${num(y0 + tile + 12)}" font-size="10" text-anchor="middle">${esc(t.caption)}</text>`;
    s += '</g>';
  });
  return s + '</svg>';
}
