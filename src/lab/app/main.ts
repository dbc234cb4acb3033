/**
 * The playground page: wires the DOM to the pure engines (Race, ToyTrainer) and the URL state.
 * Browser-only; the library code it imports is the same source the CLI runs in Node.
 */
import { contours } from 'd3-contour';
import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import { Race } from '../race.js';
import { ToyTrainer } from '../toy-trainer.js';
import {
  ACTIVATIONS, DATA_OPTIMIZERS, DATASETS, LAB_FUNCTIONS, LAB_OPTIMIZERS, RANGES,
  decodeState, encodeState, startOf, type LabFunction, type LabOptimizer, type LabState,
} from '../state.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Runs stop here, so a page left playing does not grow without bound. */
const MAX_STEPS = 5000;
const $ = <T extends HTMLElement | SVGElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`lab: missing #${id}`);
  return el as unknown as T;
};

let state: LabState = decodeState(location.hash).state;
let race: Race;
let trainer: ToyTrainer;
let playing = false;
let dplaying = false;

/** Writes the state into the hash without adding history entries (one per view, not per slider tick). */
function saveUrl(): void {
  const hash = encodeState(state);
  const url = `${location.pathname}${location.search}${hash ? `#${hash}` : ''}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
}

/** 3 significant digits: slider values read well in the UI and the URL. */
const round3 = (x: number): number => Number(x.toPrecision(3));
const fmt = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(2) : String(round3(x)));

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

// ---------- function mode ----------

const plot = { left: 46, top: 12, width: 540, height: 500 };
let xScale = scaleLinear();
let yScale = scaleLinear();
let pathLayer: SVGGElement;
/** Markers (current points, ✕ for diverged runs) sit above the clip so an edge marker shows whole. */
let markLayer: SVGGElement;

function setupFunctionControls(): void {
  const fnSelect = $<HTMLSelectElement>('fn-select');
  for (const [name, f] of Object.entries(LAB_FUNCTIONS)) fnSelect.add(new Option(f.label, name));
  fnSelect.addEventListener('change', () => {
    state.fn.fn = fnSelect.value as LabFunction;
    state.fn.x0 = null;
    resetRace();
  });
  const list = $('opt-list');
  for (const [name, o] of Object.entries(LAB_OPTIMIZERS) as [LabOptimizer, (typeof LAB_OPTIMIZERS)[LabOptimizer]][]) {
    const row = document.createElement('div');
    row.className = 'opt-row';
    row.innerHTML = `<label class="opt-toggle"><input type="checkbox" id="on-${name}"><span class="swatch" style="background:${o.color}"></span>${o.label}</label>
      <input type="range" id="lr-${name}" min="-5" max="1" step="0.01" aria-label="${o.label} learning rate"><output id="lr-${name}-out"></output>`;
    list.appendChild(row);
    const box = row.querySelector('input[type=checkbox]') as HTMLInputElement;
    box.addEventListener('change', () => {
      const on = new Set(state.fn.on);
      if (box.checked) on.add(name);
      else on.delete(name);
      state.fn.on = (Object.keys(LAB_OPTIMIZERS) as LabOptimizer[]).filter((k) => on.has(k));
      resetRace();
    });
    const lr = row.querySelector('input[type=range]') as HTMLInputElement;
    lr.addEventListener('input', () => {
      state.fn.lr[name] = round3(10 ** Number(lr.value));
      ($(`lr-${name}-out`) as HTMLOutputElement).value = fmt(state.fn.lr[name]);
      race.applyOptions();
      saveUrl();
    });
  }
  for (const key of ['momentum', 'beta1', 'beta2', 'speed'] as const) {
    const input = $<HTMLInputElement>(key);
    input.addEventListener('input', () => {
      state.fn[key] = Number(input.value);
      ($(`${key}-out`) as HTMLOutputElement).value = fmt(state.fn[key]);
      race.applyOptions();
      saveUrl();
    });
  }
  $('play').addEventListener('click', () => setPlaying(!playing));
  $('step').addEventListener('click', () => {
    setPlaying(false);
    stepRace(1);
  });
  $('reset').addEventListener('click', () => resetRace());
  $('contour').addEventListener('click', (ev) => {
    const svg = $<SVGSVGElement>('contour');
    const pt = new DOMPoint((ev as MouseEvent).clientX, (ev as MouseEvent).clientY).matrixTransform(svg.getScreenCTM()!.inverse());
    if (pt.x < plot.left || pt.x > plot.left + plot.width || pt.y < plot.top || pt.y > plot.top + plot.height) return;
    state.fn.x0 = [round3(xScale.invert(pt.x)), round3(yScale.invert(pt.y))];
    resetRace();
  });
}

function syncFunctionControls(): void {
  $<HTMLSelectElement>('fn-select').value = state.fn.fn;
  for (const name of Object.keys(LAB_OPTIMIZERS) as LabOptimizer[]) {
    $<HTMLInputElement>(`on-${name}`).checked = state.fn.on.includes(name);
    $<HTMLInputElement>(`lr-${name}`).value = String(Math.log10(state.fn.lr[name]));
    ($(`lr-${name}-out`) as HTMLOutputElement).value = fmt(state.fn.lr[name]);
  }
  for (const key of ['momentum', 'beta1', 'beta2', 'speed'] as const) {
    $<HTMLInputElement>(key).value = String(state.fn[key]);
    ($(`${key}-out`) as HTMLOutputElement).value = fmt(state.fn[key]);
  }
}

function setPlaying(on: boolean): void {
  playing = on;
  $('play').textContent = on ? '❚❚ Pause' : '▶ Play';
  if (on) requestAnimationFrame(frame);
}

function frame(): void {
  if (!playing) return;
  stepRace(state.fn.speed);
  if (race.steps >= MAX_STEPS || race.runners.every((r) => r.diverged)) setPlaying(false);
  else requestAnimationFrame(frame);
}

function stepRace(n: number): void {
  for (let i = 0; i < n && race.steps < MAX_STEPS; i++) race.step();
  drawPaths();
  drawFunctionLoss();
}

function resetRace(): void {
  race = new Race(state.fn);
  saveUrl();
  drawContours();
  drawPaths();
  drawFunctionLoss();
}

/** Filled contour bands of log(f − min + δ) on a 150×150 grid: log spacing shows both the rim and the floor. */
function drawContours(): void {
  const svg = $<SVGSVGElement>('contour');
  svg.replaceChildren();
  const obj = race.objective;
  const [[x0, x1], [y0, y1]] = obj.domain ?? [[-5, 5], [-5, 5]];
  xScale = scaleLinear().domain([x0, x1]).range([plot.left, plot.left + plot.width]);
  yScale = scaleLinear().domain([y0, y1]).range([plot.top + plot.height, plot.top]);
  const info = LAB_FUNCTIONS[state.fn.fn];
  $('fn-title').textContent = `${info.label}: f = ${info.formula}`;
  $('fn-start').textContent = `start (${startOf(state.fn).map(fmt).join(', ')}) · click to move it`;
  const nx = 150, ny = 150;
  const values = new Float64Array(nx * ny);
  const p = new Float64Array(2);
  let lo = Infinity, hi = -Infinity;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      p[0] = x0 + ((i + 0.5) / nx) * (x1 - x0);
      p[1] = y0 + ((j + 0.5) / ny) * (y1 - y0);
      const f = obj.value(p);
      values[j * nx + i] = f;
      if (f < lo) lo = f;
      if (f > hi) hi = f;
    }
  }
  const floor = obj.minimumValue ?? lo;
  const delta = Math.max((hi - floor) * 1e-5, 1e-12);
  const z = values.map((f) => Math.log10(Math.max(f - floor, 0) + delta));
  const zlo = Math.log10(Math.max(lo - floor, 0) + delta), zhi = Math.log10(hi - floor + delta);
  const levels = Array.from({ length: 24 }, (_, k) => zlo + ((k + 0.5) / 24) * (zhi - zlo));
  const color = scaleLinear<string>().domain([zlo, (zlo + zhi) / 2, zhi]).range(['#0b1d51', '#3f7cac', '#f2f5ea']);
  const clip = el('clipPath', { id: 'plot-clip' }, el('defs', {}, svg));
  el('rect', { x: plot.left, y: plot.top, width: plot.width, height: plot.height }, clip);
  const bands = el('g', { class: 'bands', 'clip-path': 'url(#plot-clip)' }, svg);
  el('rect', { x: plot.left, y: plot.top, width: plot.width, height: plot.height, fill: color(zlo) }, bands);
  const sx = plot.width / nx, sy = plot.height / ny;
  for (const c of contours().size([nx, ny]).thresholds(levels)(Array.from(z))) {
    let d = '';
    for (const poly of c.coordinates) for (const ring of poly) {
      ring.forEach(([gx, gy], k) => {
        d += `${k ? 'L' : 'M'}${(plot.left + gx * sx).toFixed(1)},${(plot.top + plot.height - gy * sy).toFixed(1)}`;
      });
      d += 'Z';
    }
    el('path', { d, fill: color(c.value), stroke: '#ffffff22', 'stroke-width': 0.6 }, bands);
  }
  const axes = el('g', { class: 'axes' }, svg);
  el('rect', { x: plot.left, y: plot.top, width: plot.width, height: plot.height, fill: 'none', stroke: '#7a8599' }, axes);
  for (const t of xScale.ticks(8)) {
    el('line', { x1: xScale(t), x2: xScale(t), y1: plot.top + plot.height, y2: plot.top + plot.height + 5, stroke: '#7a8599' }, axes);
    el('text', { x: xScale(t), y: plot.top + plot.height + 18, 'text-anchor': 'middle' }, axes).textContent = String(t);
  }
  for (const t of yScale.ticks(8)) {
    el('line', { x1: plot.left - 5, x2: plot.left, y1: yScale(t), y2: yScale(t), stroke: '#7a8599' }, axes);
    el('text', { x: plot.left - 8, y: yScale(t) + 4, 'text-anchor': 'end' }, axes).textContent = String(t);
  }
  if (obj.minimum) {
    const [mx, my] = obj.minimum;
    el('path', { class: 'minimum', d: star(xScale(mx), yScale(my), 9), fill: '#ffd166', stroke: '#222', 'stroke-width': 1 }, svg);
  }
  pathLayer = el('g', { class: 'paths', 'clip-path': 'url(#plot-clip)' }, svg);
  markLayer = el('g', { class: 'marks' }, svg);
}

function star(cx: number, cy: number, r: number): string {
  let d = '';
  for (let k = 0; k < 10; k++) {
    const a = (Math.PI / 5) * k - Math.PI / 2, rr = k % 2 ? r * 0.45 : r;
    d += `${k ? 'L' : 'M'}${(cx + rr * Math.cos(a)).toFixed(1)},${(cy + rr * Math.sin(a)).toFixed(1)}`;
  }
  return `${d}Z`;
}

/** Each runner's path as one polyline plus a dot at its current point. */
function drawPaths(): void {
  pathLayer.replaceChildren();
  markLayer.replaceChildren();
  const [sx, sy] = startOf(state.fn);
  el('circle', { class: 'start', cx: xScale(sx), cy: yScale(sy), r: 6, fill: 'none', stroke: '#fff', 'stroke-width': 2 }, pathLayer);
  // A diverged run is drawn up to where it last leaves the frame, marked ✕ there; a live run that
  // swings out of view is drawn whole (clipped), far points clamped so the SVG numbers stay small.
  const bx0 = plot.left, bx1 = plot.left + plot.width, by0 = plot.top, by1 = plot.top + plot.height;
  const inside = (x: number, y: number): boolean => x >= bx0 && x <= bx1 && y >= by0 && y <= by1;
  const clampPx = (v: number): number => Math.max(-1e4, Math.min(1e4, v));
  for (const r of race.runners) {
    const n = r.path.length / 2;
    let last = n - 1;
    if (r.diverged) {
      while (last > 0 && !inside(xScale(r.path[2 * last]), yScale(r.path[2 * last + 1]))) last--;
    }
    let d = '', px = 0, py = 0;
    for (let k = 0; k <= last; k++) {
      px = clampPx(xScale(r.path[2 * k]));
      py = clampPx(yScale(r.path[2 * k + 1]));
      d += `${k ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`;
    }
    if (r.diverged && last < n - 1) {
      // Largest t in [0, 1] keeping P + t(Q − P) in the frame; non-finite directions stop at P.
      const dx = xScale(r.path[2 * last + 2]) - px, dy = yScale(r.path[2 * last + 3]) - py;
      let t = 1;
      if (dx > 0) t = Math.min(t, (bx1 - px) / dx);
      if (dx < 0) t = Math.min(t, (bx0 - px) / dx);
      if (dy > 0) t = Math.min(t, (by1 - py) / dy);
      if (dy < 0) t = Math.min(t, (by0 - py) / dy);
      if (Number.isFinite(dx) && Number.isFinite(dy) && Number.isFinite(t)) {
        px += t * dx;
        py += t * dy;
        d += `L${px.toFixed(1)},${py.toFixed(1)}`;
      }
    }
    el('path', { class: 'opt-path', 'data-name': r.name, d, fill: 'none', stroke: r.color, 'stroke-width': 2, 'stroke-linejoin': 'round' }, pathLayer);
    if (r.diverged) {
      const m = 6;
      el('path', { class: 'opt-dot diverged', 'data-name': r.name, d: `M${px - m},${py - m}L${px + m},${py + m}M${px - m},${py + m}L${px + m},${py - m}`, stroke: r.color, 'stroke-width': 3 }, markLayer);
    } else {
      if (inside(px, py)) el('circle', { class: 'opt-dot', 'data-name': r.name, cx: px.toFixed(1), cy: py.toFixed(1), r: 4.5, fill: r.color, stroke: '#111', 'stroke-width': 1 }, markLayer);
    }
  }
  $('step-count').textContent = `step ${race.steps}`;
  $<SVGSVGElement>('contour').dataset.steps = String(race.steps);
}

function drawFunctionLoss(): void {
  const floor = race.objective.minimumValue;
  const series = race.runners.map((r) => ({
    name: r.name, label: r.label, color: r.color, diverged: r.diverged,
    values: floor === undefined ? r.values : r.values.map((f) => f - floor),
  }));
  $('loss-title').textContent = floor === undefined ? 'f against step' : 'f − f* against step (log scale)';
  lossChart($<SVGSVGElement>('loss'), series, floor !== undefined, Math.max(race.steps, 10));
}

// ---------- loss charts (shared by both modes) ----------

interface Series { name: string; label: string; color: string; values: number[]; diverged?: boolean }

/** Curves against step; log y when every value is ≥ 0 (gaps below 1e-16 are clamped there). */
function lossChart(svg: SVGSVGElement, series: Series[], log: boolean, maxStep: number): void {
  svg.replaceChildren();
  const m = { left: 56, right: 136, top: 10, bottom: 26 };
  const w = 600 - m.left - m.right, h = 230 - m.top - m.bottom;
  let lo = Infinity, hi = -Infinity;
  for (const s of series) for (const v of s.values) if (Number.isFinite(v)) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!Number.isFinite(lo)) [lo, hi] = [log ? 1e-3 : 0, 1];
  // A diverging run must not squash the others: the axis stops 1000× above the highest start.
  let start = -Infinity;
  for (const s of series) if (s.values.length && Number.isFinite(s.values[0])) start = Math.max(start, s.values[0]);
  if (Number.isFinite(start)) hi = Math.min(hi, log ? Math.max(start, lo) * 1e3 : start + 1e3 * Math.max(Math.abs(start), 1));
  const x = scaleLinear().domain([0, maxStep]).range([m.left, m.left + w]);
  const y = log
    ? scaleLog().domain([Math.max(lo, 1e-16), Math.max(hi, lo * 10, 1e-15)]).range([m.top + h, m.top]).clamp(true)
    : scaleLinear().domain(lo === hi ? [lo - 1, hi + 1] : [lo, hi]).range([m.top + h, m.top]).clamp(true).nice();
  const axes = el('g', { class: 'axes' }, svg);
  for (const t of yTicks(y, log)) {
    el('line', { x1: m.left, x2: m.left + w, y1: y(t), y2: y(t), stroke: '#2a3242' }, axes);
    el('text', { x: m.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, axes).textContent = log && Number.isInteger(Math.log10(t)) ? `1e${Math.log10(t)}` : fmt(t);
  }
  for (const t of x.ticks(6)) {
    el('text', { x: x(t), y: m.top + h + 18, 'text-anchor': 'middle' }, axes).textContent = String(t);
  }
  el('rect', { x: m.left, y: m.top, width: w, height: h, fill: 'none', stroke: '#7a8599' }, axes);
  const curve = line<number>()
    .defined((v) => Number.isFinite(v))
    .x((_, i) => x(i))
    .y((v) => y(log ? Math.max(v, 1e-16) : v));
  series.forEach((s, k) => {
    el('path', { class: 'loss-line', 'data-name': s.name, d: curve(s.values) ?? '', fill: 'none', stroke: s.color, 'stroke-width': 1.8 }, svg);
    const last = s.values[s.values.length - 1];
    const label = el('text', { x: m.left + w + 8, y: m.top + 12 + k * 15, fill: s.color, class: 'legend' }, svg);
    label.textContent = `${s.label} ${s.diverged ? '✕' : last === undefined ? '' : fmt(last)}`;
    if (s.diverged) el('title', {}, label).textContent = `${s.label} diverged (a non-finite value or |x| > 1e6); try a smaller lr`;
  });
}

/** Log axes get powers of ten only (at most about six of them); linear axes d3's ticks. */
function yTicks(y: { ticks(n?: number): number[]; domain(): number[] }, log: boolean): number[] {
  if (!log) return y.ticks(5);
  const [a, b] = y.domain();
  const lo = Math.ceil(Math.log10(a)), hi = Math.floor(Math.log10(b));
  const every = Math.max(1, Math.ceil((hi - lo + 1) / 6));
  const out: number[] = [];
  for (let e = hi; e >= lo; e -= every) out.push(10 ** e);
  if (out.length >= 2) return out;
  // Less than a decade in view: four ticks evenly spaced in log, rounded to two digits.
  const la = Math.log10(a), lb = Math.log10(b);
  return [0, 1, 2, 3].map((k) => Number((10 ** (la + ((lb - la) * (k + 0.5)) / 4)).toPrecision(2)));
}

// ---------- dataset mode ----------

const GRID = 60;
/** The view spans [−1.1, 1.1]², a margin around the data square so edge points show whole. */
const EXTENT = 1.1;
const gridXY = new Float32Array(GRID * GRID * 2);
for (let j = 0; j < GRID; j++) for (let i = 0; i < GRID; i++) {
  gridXY[2 * (j * GRID + i)] = EXTENT * (-1 + ((i + 0.5) / GRID) * 2);
  gridXY[2 * (j * GRID + i) + 1] = EXTENT * (1 - ((j + 0.5) / GRID) * 2);
}
const gridP = new Float32Array(GRID * GRID);
const heat = document.createElement('canvas');
heat.width = heat.height = GRID;

function setupDataControls(): void {
  const ds = $<HTMLSelectElement>('ds-select');
  for (const d of DATASETS) ds.add(new Option(d, d));
  for (const a of ACTIVATIONS) $<HTMLSelectElement>('act').add(new Option(a, a));
  for (const o of DATA_OPTIMIZERS) $<HTMLSelectElement>('dopt').add(new Option(o, o));
  const rebuild = (): void => resetTrainer();
  ds.addEventListener('change', () => {
    state.data.dataset = ds.value as LabState['data']['dataset'];
    rebuild();
  });
  $<HTMLSelectElement>('act').addEventListener('change', (e) => {
    state.data.activation = (e.target as HTMLSelectElement).value as LabState['data']['activation'];
    rebuild();
  });
  $<HTMLSelectElement>('dopt').addEventListener('change', (e) => {
    state.data.opt = (e.target as HTMLSelectElement).value as LabState['data']['opt'];
    rebuild();
  });
  $<HTMLInputElement>('seed').addEventListener('change', (e) => {
    const v = Number((e.target as HTMLInputElement).value);
    if (Number.isInteger(v) && v >= RANGES.seed[0] && v <= RANGES.seed[1]) state.data.seed = v;
    rebuild();
  });
  for (const key of ['noise', 'width', 'depth', 'l2', 'dropout'] as const) {
    const input = $<HTMLInputElement>(key);
    input.addEventListener('input', () => {
      state.data[key] = Number(input.value);
      ($(`${key}-out`) as HTMLOutputElement).value = fmt(state.data[key]);
    });
    // Structure changes rebuild the model once the slider is released.
    input.addEventListener('change', rebuild);
  }
  const lr = $<HTMLInputElement>('dlr');
  lr.addEventListener('input', () => {
    state.data.lr = round3(10 ** Number(lr.value));
    ($('dlr-out') as HTMLOutputElement).value = fmt(state.data.lr);
    trainer.applyOptions();
    saveUrl();
  });
  $('dplay').addEventListener('click', () => setDataPlaying(!dplaying));
  $('dstep').addEventListener('click', () => {
    setDataPlaying(false);
    stepTrainer(1);
  });
  $('dreset').addEventListener('click', rebuild);
}

function syncDataControls(): void {
  const d = state.data;
  $<HTMLSelectElement>('ds-select').value = d.dataset;
  $<HTMLSelectElement>('act').value = d.activation;
  $<HTMLSelectElement>('dopt').value = d.opt;
  $<HTMLInputElement>('seed').value = String(d.seed);
  for (const key of ['noise', 'width', 'depth', 'l2', 'dropout'] as const) {
    $<HTMLInputElement>(key).value = String(d[key]);
    ($(`${key}-out`) as HTMLOutputElement).value = fmt(d[key]);
  }
  $<HTMLInputElement>('dlr').value = String(Math.log10(d.lr));
  ($('dlr-out') as HTMLOutputElement).value = fmt(d.lr);
}

function setDataPlaying(on: boolean): void {
  dplaying = on;
  $('dplay').textContent = on ? '❚❚ Pause' : '▶ Play';
  if (on) requestAnimationFrame(dataFrame);
}

function dataFrame(): void {
  if (!dplaying) return;
  stepTrainer(5);
  if (trainer.steps >= MAX_STEPS || trainer.diverged()) setDataPlaying(false);
  else requestAnimationFrame(dataFrame);
}

function stepTrainer(n: number): void {
  for (let i = 0; i < n && trainer.steps < MAX_STEPS && !trainer.diverged(); i++) trainer.step();
  drawBoundary();
}

function resetTrainer(): void {
  trainer = new ToyTrainer(state.data);
  saveUrl();
  syncDataControls();
  drawBoundary();
}

/** P(class 1) on a 60×60 grid, upscaled smoothly, with the points on top (orange 0, blue 1). */
function drawBoundary(): void {
  trainer.predict(gridXY, gridP);
  const hctx = heat.getContext('2d')!;
  const img = hctx.createImageData(GRID, GRID);
  const c0 = [245, 147, 34], c1 = [8, 119, 189], mid = [232, 234, 237];
  for (let k = 0; k < GRID * GRID; k++) {
    const t = gridP[k] * 2 - 1; // −1 (class 0) .. 1 (class 1)
    const c = t < 0 ? c0 : c1, a = Math.min(1, Math.abs(t)) * 0.75;
    for (let ch = 0; ch < 3; ch++) img.data[4 * k + ch] = Math.round(mid[ch] * (1 - a) + c[ch] * a);
    img.data[4 * k + 3] = 255;
  }
  hctx.putImageData(img, 0, 0);
  const canvas = $<HTMLCanvasElement>('boundary');
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(heat, 0, 0, canvas.width, canvas.height);
  const { x, y, n } = trainer.data;
  for (let i = 0; i < n; i++) {
    ctx.beginPath();
    ctx.arc(((x[2 * i] / EXTENT + 1) / 2) * canvas.width, ((1 - x[2 * i + 1] / EXTENT) / 2) * canvas.height, 4.2, 0, 2 * Math.PI);
    ctx.fillStyle = y[i] === 1 ? '#0877bd' : '#f59322';
    ctx.fill();
    ctx.lineWidth = 1.2;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
  }
  canvas.dataset.steps = String(trainer.steps);
  $('depoch').textContent = trainer.diverged() ? `diverged at step ${trainer.steps}: try a smaller lr` : `step ${trainer.steps}`;
  $('dacc').textContent = `accuracy: train ${(trainer.accuracy('train') * 100).toFixed(1)}%, test ${(trainer.accuracy('test') * 100).toFixed(1)}%`;
  lossChart(
    $<SVGSVGElement>('dloss'),
    [
      { name: 'train', label: 'train', color: '#ffb703', values: trainer.losses },
      { name: 'test', label: 'test', color: '#8ecae6', values: trainer.testLosses },
    ],
    true,
    Math.max(trainer.steps, 10),
  );
}

// ---------- modes, URL and start ----------

function showMode(): void {
  $('view-fn').hidden = state.mode !== 'fn';
  $('view-data').hidden = state.mode !== 'data';
  $('tab-fn').classList.toggle('active', state.mode === 'fn');
  $('tab-data').classList.toggle('active', state.mode === 'data');
  if (state.mode === 'fn') setDataPlaying(false);
  else setPlaying(false);
  saveUrl();
}

function loadFromUrl(): void {
  const { state: s, warnings } = decodeState(location.hash);
  for (const w of warnings) console.warn(`descent lab: ignored part of the URL: ${w}`);
  state = s;
  setPlaying(false);
  setDataPlaying(false);
  syncFunctionControls();
  race = new Race(state.fn);
  drawContours();
  drawPaths();
  drawFunctionLoss();
  trainer = new ToyTrainer(state.data);
  syncDataControls();
  drawBoundary();
  showMode();
}

setupFunctionControls();
setupDataControls();
for (const tab of ['tab-fn', 'tab-data']) {
  $(tab).addEventListener('click', (e) => {
    state.mode = (e.currentTarget as HTMLElement).dataset.mode as LabState['mode'];
    showMode();
  });
}
$('share').addEventListener('click', () => {
  void navigator.clipboard?.writeText(location.href).then(
    () => ($('share').textContent = 'Link copied'),
    () => ($('share').textContent = 'Copy the address bar'),
  );
});
// A pasted or edited link (or back/forward) restores that view.
window.addEventListener('hashchange', () => {
  if (location.hash.replace(/^#/, '') !== encodeState(state)) loadFromUrl();
});
// Space plays or pauses the visible mode (not while typing in a field).
window.addEventListener('keydown', (e) => {
  if (e.key !== ' ' || (e.target instanceof HTMLElement && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(e.target.tagName))) return;
  e.preventDefault();
  if (state.mode === 'fn') setPlaying(!playing);
  else setDataPlaying(!dplaying);
});
loadFromUrl();
document.body.dataset.ready = 'true';
