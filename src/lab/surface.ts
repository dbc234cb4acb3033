/**
 * The lab's rotatable 3-D surface of f(x, y) with the optimizers' paths on it: an orthographic view of a
 * height field, its quads painted back to front (the painter's algorithm). Written here, on a 2-D canvas,
 * rather than with a WebGL library: a 48×48 mesh is 2,304 quads, a few milliseconds to paint; it needs no
 * GPU (WebGL is often off in headless browsers and on remote desktops) and no dependency (three.js would add
 * ~600 kB to a page whose whole bundle is smaller); and the same math runs in Node, where a test checks it.
 * Heights are log-compressed (f spans decades: Beale goes from 0 to 1e5), capped at the 97th percentile so
 * one corner does not flatten the rest. The paths are part of the same back-to-front order (`surfaceScene`):
 * cut into pieces no longer than half a grid cell, each lies on the cell under it and is painted right after
 * that cell's quad, so the quads nearer the eye (a ridge in front) paint over it and a path behind a ridge
 * is hidden. Pure (no DOM): the page draws what `surfaceScene` returns.
 */

export interface SurfaceView {
  /** Rotation about the vertical axis, degrees. */
  yaw: number;
  /** Elevation of the eye above the (x, y) plane, degrees (90: looking straight down). */
  pitch: number;
}

/** A point of the unit box: x, y in [−1, 1], z (height) in [0, 1]. */
export type BoxPoint = [number, number, number];

/** Screen coordinates in [−1.8, 1.8]-ish units (the page scales them to its canvas) and the depth (larger: nearer). */
export function project(p: BoxPoint, v: SurfaceView): [number, number, number] {
  const a = (v.yaw * Math.PI) / 180, e = (v.pitch * Math.PI) / 180;
  const z = (p[2] - 0.5) * 1.2;
  // yaw about the vertical axis, then tilt by the elevation: the screen's up is the world's z at pitch 0
  const xr = p[0] * Math.cos(a) - p[1] * Math.sin(a);
  const yr = p[0] * Math.sin(a) + p[1] * Math.cos(a);
  const sx = xr;
  const sy = -(z * Math.cos(e) + yr * Math.sin(e));
  const depth = -yr * Math.cos(e) + z * Math.sin(e);
  return [sx, sy, depth];
}

/** The height map: f on an n×n grid over the domain, mapped to [0, 1]. */
export interface HeightField {
  n: number;
  /** Heights in [0, 1], row j (y) by column i (x); NaN where f is not finite. */
  z: Float64Array;
  domain: [[number, number], [number, number]];
  /** The height of any f value (for paths). */
  height: (f: number) => number;
}

export function heightField(f: (x: number, y: number) => number, domain: [[number, number], [number, number]], n = 48): HeightField {
  const [[x0, x1], [y0, y1]] = domain;
  const raw = new Float64Array(n * n);
  const finite: number[] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const v = f(x0 + ((x1 - x0) * i) / (n - 1), y0 + ((y1 - y0) * j) / (n - 1));
    raw[j * n + i] = v;
    if (Number.isFinite(v)) finite.push(v);
  }
  finite.sort((a, b) => a - b);
  const lo = finite.length ? finite[0] : 0;
  const capV = finite.length ? finite[Math.min(finite.length - 1, Math.floor(0.97 * finite.length))] : 1;
  const span = Math.max(capV - lo, 1e-300);
  // log compression: offsets from the lowest value, relative to a fiftieth of the span (a valley keeps its shape)
  const unit = span / 50;
  const top = Math.log1p(span / unit);
  const height = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, Math.log1p(Math.max(0, v - lo) / unit) / top)) : 1);
  const z = new Float64Array(n * n);
  for (let k = 0; k < raw.length; k++) z[k] = Number.isFinite(raw[k]) ? height(raw[k]) : NaN;
  return { n, z, domain, height };
}

/** One quad to paint: its four screen corners, its mean height (the colour), its shade, its depth. */
export interface Quad {
  pts: [number, number][];
  h: number;
  shade: number;
  depth: number;
}

/** The quads of a height field under a view, back to front. */
export function surfaceQuads(hf: HeightField, v: SurfaceView): Quad[] {
  const { n, z } = hf;
  const box = (i: number, j: number): BoxPoint => [-1 + (2 * i) / (n - 1), -1 + (2 * j) / (n - 1), z[j * n + i]];
  const quads: Quad[] = [];
  for (let j = 0; j < n - 1; j++) for (let i = 0; i < n - 1; i++) {
    const c = [box(i, j), box(i + 1, j), box(i + 1, j + 1), box(i, j + 1)];
    if (c.some((p) => !Number.isFinite(p[2]))) continue;
    const s = c.map((p) => project(p, v));
    // light from above-left: the slope along x and y darkens faces turned away
    const dzx = (c[1][2] - c[0][2] + c[2][2] - c[3][2]) / 2, dzy = (c[3][2] - c[0][2] + c[2][2] - c[1][2]) / 2;
    const shade = Math.max(0.55, Math.min(1, 0.85 - 6 * (dzx * 0.5 + dzy * 0.3)));
    quads.push({ pts: s.map((q) => [q[0], q[1]]), h: (c[0][2] + c[1][2] + c[2][2] + c[3][2]) / 4, shade, depth: (s[0][2] + s[1][2] + s[2][2] + s[3][2]) / 4 });
  }
  return quads.sort((a, b) => a.depth - b.depth);
}

/** The depth of grid cell (i, j)'s quad under a view (the mean of its corners'), NaN where a corner is not finite. */
function cellDepth(hf: HeightField, v: SurfaceView, i: number, j: number): number {
  const { n, z } = hf;
  let d = 0;
  for (const [a, b] of [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]]) d += project([-1 + (2 * a) / (n - 1), -1 + (2 * b) / (n - 1), z[b * n + a]], v)[2];
  return d / 4;
}

/** The surface's height at a point of the unit box (bilinear between the grid's heights), NaN outside it. */
export function surfaceHeight(hf: HeightField, bx: number, by: number): number {
  const { n, z } = hf;
  const u = ((bx + 1) / 2) * (n - 1), w = ((by + 1) / 2) * (n - 1);
  if (!(u >= 0 && u <= n - 1 && w >= 0 && w <= n - 1)) return NaN;
  const i = Math.min(n - 2, Math.floor(u)), j = Math.min(n - 2, Math.floor(w));
  const s = u - i, t = w - j;
  return (1 - s) * (1 - t) * z[j * n + i] + s * (1 - t) * z[j * n + i + 1] + (1 - s) * t * z[(j + 1) * n + i] + s * t * z[(j + 1) * n + i + 1];
}

/** What the page paints, in order: a quad of the surface, a piece of a path, or a path's end mark. */
export type SceneItem =
  | { kind: 'quad'; quad: Quad }
  | { kind: 'segment'; path: number; a: [number, number]; b: [number, number]; depth: number }
  | { kind: 'end'; path: number; at: [number, number]; depth: number };

/**
 * The surface and the paths (each a list of (x, y, f) iterates in data coordinates; it stops at the first
 * non-finite value) in one back-to-front order. Each path piece (at most half a cell long, its inner points
 * on the surface) takes the depth of the cell its midpoint lies in, a hair nearer, so it is painted right
 * after that cell and under every quad nearer the eye; a piece outside the grid keeps its own depth.
 */
export function surfaceScene(hf: HeightField, v: SurfaceView, paths: readonly (readonly [number, number, number][])[]): SceneItem[] {
  const items: SceneItem[] = surfaceQuads(hf, v).map((quad) => ({ kind: 'quad', quad }));
  const n = hf.n, cell = 2 / (n - 1);
  const HAIR = 1e-9;
  const depthAt = (p: BoxPoint): number => {
    const i = Math.floor(((p[0] + 1) / 2) * (n - 1)), j = Math.floor(((p[1] + 1) / 2) * (n - 1));
    const inside = i >= 0 && j >= 0 && i <= n - 2 && j <= n - 2;
    const d = inside ? cellDepth(hf, v, Math.min(i, n - 2), Math.min(j, n - 2)) : NaN;
    return Number.isFinite(d) ? d + HAIR : project(p, v)[2];
  };
  paths.forEach((pts, k) => {
    let prev: BoxPoint | null = null;
    for (const [x, y, f] of pts) {
      if (!Number.isFinite(f) || !Number.isFinite(x) || !Number.isFinite(y)) break;
      const q = boxPoint(hf, x, y, f);
      if (prev) {
        const a: BoxPoint = prev;
        const pieces = Math.min(256, Math.max(1, Math.ceil(Math.max(Math.abs(q[0] - a[0]), Math.abs(q[1] - a[1])) / (cell / 2))));
        let from = a;
        for (let m = 1; m <= pieces; m++) {
          const t = m / pieces;
          const bx = a[0] + (q[0] - a[0]) * t, by = a[1] + (q[1] - a[1]) * t;
          // inner points lie on the surface; the iterates keep the height of their own f
          const on = m === pieces ? q[2] : surfaceHeight(hf, bx, by);
          const to: BoxPoint = [bx, by, Number.isFinite(on) ? on : a[2] + (q[2] - a[2]) * t];
          const mid: BoxPoint = [(from[0] + to[0]) / 2, (from[1] + to[1]) / 2, (from[2] + to[2]) / 2];
          const pa = project(from, v), pb = project(to, v);
          items.push({ kind: 'segment', path: k, a: [pa[0], pa[1]], b: [pb[0], pb[1]], depth: depthAt(mid) });
          from = to;
        }
      }
      prev = q;
    }
    if (prev) {
      const p = project(prev, v);
      items.push({ kind: 'end', path: k, at: [p[0], p[1]], depth: depthAt(prev) + HAIR });
    }
  });
  const depth = (it: SceneItem) => (it.kind === 'quad' ? it.quad.depth : it.depth);
  // stable: equal depths keep the order above (a cell's quad before the pieces on it)
  return items.map((it, i) => ({ it, i })).sort((p, q) => depth(p.it) - depth(q.it) || p.i - q.i).map((p) => p.it);
}

/** A data point (x, y, f) in the unit box of a height field. */
export function boxPoint(hf: HeightField, x: number, y: number, f: number): BoxPoint {
  const [[x0, x1], [y0, y1]] = hf.domain;
  return [-1 + (2 * (x - x0)) / (x1 - x0), -1 + (2 * (y - y0)) / (y1 - y0), hf.height(f)];
}

/** The surface colour ramp (low: deep blue, high: warm yellow), shaded. */
export function surfaceColor(h: number, shade: number): string {
  const stops = [[38, 70, 140], [42, 120, 160], [90, 170, 130], [200, 200, 110], [245, 215, 120]];
  const t = Math.min(0.9999, Math.max(0, h)) * (stops.length - 1);
  const k = Math.floor(t), u = t - k;
  const c = stops[k].map((v, i) => Math.round((v * (1 - u) + stops[k + 1][i] * u) * shade));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
