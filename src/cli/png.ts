/**
 * PNG figures from the viz SVGs, for places that take pictures but not SVG (slides, chat, issue trackers).
 * Node-only: @resvg/resvg-js is a native rasterizer shipped as prebuilt per-platform packages (no install
 * script, no network at install or run time), so the browser bundle never sees it.
 */
import { createRequire } from 'node:module';
import { inputError, runError } from '../errors.js';
import { atomicWrite } from '../io/atomic-write.js';

type ResvgModule = typeof import('@resvg/resvg-js');
let resvg: ResvgModule | undefined;

/**
 * Loaded on first use, so commands that write no PNG never touch the native binary (and still run on a
 * platform @resvg/resvg-js ships no binary for).
 */
function loadResvg(): ResvgModule {
  if (!resvg) {
    try {
      resvg = createRequire(import.meta.url)('@resvg/resvg-js') as ResvgModule;
    } catch (e) {
      throw runError(`PNG output needs @resvg/resvg-js with its prebuilt binary for ${process.platform}-${process.arch} (${(e as Error).message.split('\n')[0]}); write .svg instead`);
    }
  }
  return resvg;
}

/** Device pixels per SVG pixel: 2 keeps thin contour lines and 11 px labels sharp on high-density screens. */
export const PNG_SCALE = 2;

/**
 * Rasterizes one standalone SVG document. The viz plots ask for the generic `sans-serif`; it maps to
 * DejaVu Sans, which Debian and most Linux desktops install, and resvg falls back to any system font else.
 */
export function svgToPng(svg: string, scale = PNG_SCALE): Uint8Array {
  const r = new (loadResvg().Resvg)(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return r.render().asPng();
}

/** `fig.svg` → `fig.png` (same folder, same stem). */
export function pngPathFor(svgPath: string): string {
  return svgPath.replace(/\.svg$/i, '') + '.png';
}

/** True for a figure name the CLI can write: `.svg` (the text) or `.png` (rasterized), any case. */
export function isFigureFile(file: string): boolean {
  return /\.(svg|png)$/i.test(file);
}

/**
 * The check every figure flag (optimize --plot and --plot-convergence, kmeans --plot) runs before any work:
 * an input error naming the flag and the two endings it takes.
 */
export function checkFigureName(flag: string, file: string): void {
  if (!isFigureFile(file)) throw inputError(`${flag}: expected a file name ending in .svg or .png, got '${file}'`);
}

/** Writes one figure, atomically: the SVG text, or its PNG rendering when the name ends in .png. */
export function writeFigure(file: string, svg: string): void {
  atomicWrite(file, /\.png$/i.test(file) ? svgToPng(svg) : svg);
}
