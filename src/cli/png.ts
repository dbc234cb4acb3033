/**
 * PNG figures from the viz SVGs, for places that take pictures but not SVG (slides, chat, issue trackers).
 * Node-only: @resvg/resvg-js is a native rasterizer shipped as prebuilt per-platform packages (no install
 * script, no network at install or run time), so the browser bundle never sees it.
 */
import { Resvg } from '@resvg/resvg-js';

/** Device pixels per SVG pixel: 2 keeps thin contour lines and 11 px labels sharp on high-density screens. */
export const PNG_SCALE = 2;

/**
 * Rasterizes one standalone SVG document. The viz plots ask for the generic `sans-serif`; it maps to
 * DejaVu Sans, which Debian and most Linux desktops install, and resvg falls back to any system font else.
 */
export function svgToPng(svg: string, scale = PNG_SCALE): Uint8Array {
  const r = new Resvg(svg, {
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
