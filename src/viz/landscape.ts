/**
 * Loss-landscape figures (src/train/landscape.ts computes them): the loss over a grid of a 2-D slice of
 * parameter space as a contour plot in the domain's true aspect (distances in the plane are distances in
 * parameter space), the trained weights starred at the origin and, on the PCA plane, the training path drawn
 * epoch by epoch. And the report section, and a whole self-contained page, that show both.
 */
import { contourLayerSvg, contourScales, pathsLayerSvg } from './contour.js';
import { esc, fmtValue, legendHtml, svgOpen, titleSvg } from './svg.js';
import { pageCss } from './theme.js';

/** A loss grid: its coordinates along the two directions and the loss at each point, row by row (β). */
export interface GridData {
  alphas: number[];
  betas: number[];
  loss: ArrayLike<number>;
}

/** The grid's loss at any (α, β) inside it, bilinear between the four nearest grid points. */
export function gridInterpolator(g: GridData): (a: number, b: number) => number {
  const na = g.alphas.length, nb = g.betas.length;
  const [a0, a1] = [g.alphas[0], g.alphas[na - 1]], [b0, b1] = [g.betas[0], g.betas[nb - 1]];
  return (a, b) => {
    const u = Math.min(na - 1, Math.max(0, ((a - a0) / (a1 - a0)) * (na - 1)));
    const v = Math.min(nb - 1, Math.max(0, ((b - b0) / (b1 - b0)) * (nb - 1)));
    const i = Math.min(na - 2, Math.floor(u)), j = Math.min(nb - 2, Math.floor(v));
    const s = u - i, t = v - j;
    const at = (ii: number, jj: number) => g.loss[jj * na + ii];
    return (1 - s) * (1 - t) * at(i, j) + s * (1 - t) * at(i + 1, j) + (1 - s) * t * at(i, j + 1) + s * t * at(i + 1, j + 1);
  };
}

/** A slice plot's title, axis names, the path drawn on it (and its colour), its width in pixels. */
export interface LandscapePlotOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  /** The trajectory in the plane's coordinates, first iterate first. */
  path?: [number, number][];
  pathColor?: string;
  width?: number;
  /** Makes the SVG's clip-path id unique in a page that holds several slices (default: from the title). */
  id?: string;
}

/** One slice as a standalone SVG: log-spaced loss contours, the trained weights starred at (0, 0), the path. */
export function landscapeSvg(g: GridData, o: LandscapePlotOptions): string {
  const xDomain: [number, number] = [g.alphas[0], g.alphas[g.alphas.length - 1]];
  const yDomain: [number, number] = [g.betas[0], g.betas[g.betas.length - 1]];
  const paths = o.path ? [{ label: 'training path', points: o.path, color: o.pathColor ?? '#e15759', key: 'path' }] : [];
  const base = { f: gridInterpolator(g), xDomain, yDomain, width: o.width ?? 480, legend: false as const, paths, minimum: [0, 0], resolution: 2 * g.alphas.length - 1, levels: 20 };
  const { width, height } = contourScales(base);
  const clip = `clip-${esc((o.id ?? o.title).replace(/\W+/g, '-'))}`;
  let s = svgOpen(width, height, 'contour-plot landscape') + titleSvg(o.title, width) + contourLayerSvg(base, clip);
  if (paths.length) s += pathsLayerSvg(base, clip);
  // the axis names: the layer writes x and y; these planes have their own
  s = s.replace('>x</text>', `>${esc(o.xLabel ?? 'α')}</text>`).replace('>y</text>', `>${esc(o.yLabel ?? 'β')}</text>`);
  return s + '</svg>';
}

/** What the section shows of a landscape (the computed result, src/train/landscape.ts's Landscape). */
export interface LandscapeData {
  random: GridData & { span: number };
  pca?: GridData & { path: [number, number][]; explained: [number, number] };
  rows: number;
  resolution: number;
  seconds: number;
}

/** Both slices as standalone SVGs (the section's figures; the CLI also writes them as files); `key` makes their ids unique in a page. */
export function landscapeCharts(l: LandscapeData, key?: string): { random: string; pca?: string } {
  const id = (kind: string) => `landscape-${key ? `${key}-` : ''}${kind}`;
  const random = landscapeSvg(l.random, { title: `random filter-normalized slice (±${l.random.span})`, xLabel: 'α (direction 1)', yLabel: 'β (direction 2)', id: id('random') });
  if (!l.pca) return { random };
  const [e1, e2] = l.pca.explained;
  return { random, pca: landscapeSvg(l.pca, { title: 'PCA plane of the trajectory', xLabel: `PC 1 (${(100 * e1).toFixed(1)}% of the path)`, yLabel: `PC 2 (${(100 * e2).toFixed(1)}%)`, path: l.pca.path, id: id('pca') }) };
}

/** Where a section sits: a key that makes its figure names and ids unique in the page, and what each figure gets besides its plot (a report's export buttons). */
export interface LandscapeSectionOptions {
  /** Makes the figure names (`landscape-KEY-random`, ...) and ids unique when a page holds several sections. */
  key?: string;
  /** HTML placed beside each figure, given the figure's name (a report's export buttons); none by default. */
  figureExtra?: (name: string) => string;
}

/** The report section: both slices side by side, what they are, and how they were computed. */
export function landscapeSectionHtml(l: LandscapeData, what: string, o: LandscapeSectionOptions = {}): string {
  const name = (kind: string) => `landscape-${o.key ? `${o.key}-` : ''}${kind}`;
  const extra = (kind: string) => o.figureExtra?.(name(kind)) ?? '';
  const charts = landscapeCharts(l, o.key);
  const min = (g: GridData) => Math.min(...Array.from(g.loss).filter((v) => Number.isFinite(v)));
  const center = (g: GridData) => gridInterpolator(g)(0, 0);
  let h = `<section class="landscape-section"><h2>Loss landscape: ${esc(what)}</h2>`;
  h += `<p>The training loss on ${l.rows} training rows over ${l.resolution}×${l.resolution} grids, computed in ${l.seconds.toFixed(1)} s. Left: a slice through the trained weights θ* (★) along two random directions, filter-normalized as in Li et al. (2018): each row of a weight matrix is scaled to the norm of that row of θ*, biases are held, so α = ±1 moves every filter by its own size. Right: the plane of the top two principal directions of the weight iterates, with the training path (one point per epoch) ending at θ*.</p>`;
  h += '<div class="charts">';
  h += `<figure class="figure" data-name="${esc(name('random'))}">${charts.random}<figcaption>loss at θ*: ${esc(fmtValue(center(l.random)))}; lowest on the grid: ${esc(fmtValue(min(l.random)))}</figcaption>${extra('random')}</figure>`;
  if (l.pca) {
    const [e1, e2] = l.pca.explained;
    h += `<figure class="figure" data-name="${esc(name('pca'))}">${charts.pca}`;
    h += `${legendHtml(['training path', '★ trained weights'], ['#e15759', 'transparent'])}<figcaption>${l.pca.path.length} iterates; the two directions hold ${(100 * (e1 + e2)).toFixed(1)}% of Σ‖θᵢ − θ*‖²</figcaption>${extra('pca')}</figure>`;
  } else h += '<p class="note">No trajectory plane: it needs the start and at least two epochs.</p>';
  return h + '</div></section>';
}

/** A whole self-contained page with the section (what `descent train --landscape FILE.html` writes). */
export function landscapePageHtml(l: LandscapeData, title: string, command: string): string {
  const css = `${pageCss}\nbody{max-width:1100px;margin:0 auto;padding:0 16px 32px}\n.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr));gap:16px}\nsection{background:var(--surface);border:1px solid var(--line);border-radius:10px;padding:4px 16px 16px}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark"><title>${esc(title)}</title><style>${css}</style></head><body><h1>${esc(title)}</h1><p><code>${esc(command)}</code></p>${landscapeSectionHtml(l, title)}</body></html>\n`;
}
