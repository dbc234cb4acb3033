/**
 * The playground page: wires the DOM to the pure engines (Race, ToyTrainer, the typed-function parser, the
 * surface projection) and the URL state. Browser-only; the library code it imports is the same source the
 * CLI runs in Node. Every chart is src/viz's; the theme is src/viz/theme.ts, adopted as a constructed
 * stylesheet (the server's CSP allows no inline <style>).
 */
import {
  anyExit, contourLayerSvg, contourScales, functionValueChart, lineChartSvg, optimizerColor, pageCss, pathsLayerSvg, shade, fmtValue, FONT, INK, TYPE,
} from '../../viz/index.js';
import { Race, runnerVectors, type Runner } from '../race.js';
import { ToyTrainer } from '../toy-trainer.js';
import { mountHopfield } from './hopfield-view.js';
import { labObjective, type LabObjective } from '../functions.js';
import { csvToyData, type CsvToyData } from '../csv-data.js';
import { heightField, surfaceColor, surfaceScene, type HeightField } from '../surface.js';
import {
  ACTIVATIONS, DATA_OPTIMIZERS, DATASETS, dataOptimizerRefusal, LAB_FUNCTIONS, LAB_OPTIMIZERS, LAB_SEARCH_METHODS, RANGES,
  decodeState, encodeState, parseDomain, startOf, type LabFunctionChoice, type LabOptimizer, type LabSearchMethod, type LabState,
} from '../state.js';

const sheet = new CSSStyleSheet();
sheet.replaceSync(pageCss);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

/** Runs stop here, so a page left playing does not grow without bound. */
const MAX_STEPS = 5000;
const $ = <T extends HTMLElement | SVGElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`lab: missing #${id}`);
  return el as unknown as T;
};

let state: LabState = decodeState(location.hash).state;
let race: Race | null = null;
let lab: LabObjective | null = null;
let trainer: ToyTrainer;
let csv: CsvToyData | null = null;
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

/** An HTML legend (built with the DOM: the CSP allows no inline style attributes in markup). */
function fillLegend(list: HTMLElement, items: { label: string; color: string; key?: string }[], extra: string[] = []): void {
  list.replaceChildren();
  for (const it of items) {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = it.color;
    li.append(sw, it.label);
    if (it.key) li.dataset.key = it.key;
    list.append(li);
  }
  for (const t of extra) {
    const li = document.createElement('li');
    li.className = 'mark';
    li.textContent = t;
    list.append(li);
  }
}

// ---------- function mode ----------

/** The contour's SVG width (its height follows the domain's aspect, contourScales). */
const CONTOUR_WIDTH = 560;
const LOSS_SIZE = { width: 560, height: 260 };
let scales = contourScales({ xDomain: [-1, 1], yDomain: [-1, 1], width: CONTOUR_WIDTH, legend: false });
let domain: { xDomain: [number, number]; yDomain: [number, number] } = { xDomain: [-1, 1], yDomain: [-1, 1] };
/** The part of the contour plot redrawn every frame: paths, their ends, the vectors. */
let liveLayer: SVGGElement | null = null;
let field: HeightField | null = null;

/** A line-search method's legend label: its evaluations so far (a first-order step is one gradient evaluation). */
function runnerLabel(r: Runner): string {
  if (r.diverged) return `${r.label} (diverged at ${r.divergedAt})`;
  return r.search ? `${r.label} (${Race.evaluationsShown(r)} evaluations)` : r.label;
}

function setupFunctionControls(): void {
  const fnSelect = $<HTMLSelectElement>('fn-select');
  for (const [name, f] of Object.entries(LAB_FUNCTIONS)) fnSelect.add(new Option(f.label, name));
  fnSelect.add(new Option('Type your own…', 'custom'));
  fnSelect.addEventListener('change', () => {
    state.fn.fn = fnSelect.value as LabFunctionChoice;
    state.fn.x0 = null;
    state.fn.domain = null;
    syncFunctionControls();
    resetRace();
  });
  const expr = $<HTMLInputElement>('expr');
  expr.addEventListener('input', () => {
    state.fn.expr = expr.value;
    state.fn.x0 = null;
    resetRace();
  });
  const dom = $<HTMLInputElement>('domain');
  dom.addEventListener('change', () => {
    const d = dom.value.trim() === '' ? null : parseDomain(dom.value);
    const err = $('domain-error');
    if (typeof d === 'string') {
      err.textContent = d;
      err.hidden = false;
      dom.setAttribute('aria-invalid', 'true');
      return;
    }
    err.hidden = true;
    dom.removeAttribute('aria-invalid');
    state.fn.domain = d;
    resetRace();
  });
  for (const [name, o] of Object.entries(LAB_OPTIMIZERS) as [LabOptimizer, (typeof LAB_OPTIMIZERS)[LabOptimizer]][]) {
    const row = toggleRow('opt-list', name, o, (on) => (state.fn.on = orderedBy(LAB_OPTIMIZERS, toggled(state.fn.on, name, on))));
    const lr = document.createElement('input');
    Object.assign(lr, { type: 'range', id: `lr-${name}`, min: '-5', max: '1', step: '0.01' });
    lr.setAttribute('aria-label', `${o.label} learning rate`);
    const out = document.createElement('output');
    out.id = `lr-${name}-out`;
    row.append(lr, out);
    lr.addEventListener('input', () => {
      state.fn.lr[name] = round3(10 ** Number(lr.value));
      out.value = fmt(state.fn.lr[name]);
      race?.applyOptions();
      saveUrl();
    });
  }
  for (const [name, o] of Object.entries(LAB_SEARCH_METHODS) as [LabSearchMethod, (typeof LAB_SEARCH_METHODS)[LabSearchMethod]][]) {
    toggleRow('search-list', name, o, (on) => (state.fn.search = orderedBy(LAB_SEARCH_METHODS, toggled(state.fn.search, name, on))));
  }
  for (const key of ['momentum', 'beta1', 'beta2', 'speed'] as const) {
    const input = $<HTMLInputElement>(key);
    input.addEventListener('input', () => {
      state.fn[key] = Number(input.value);
      ($(`${key}-out`) as HTMLOutputElement).value = fmt(state.fn[key]);
      race?.applyOptions();
      if (race) drawPaths();
      saveUrl();
    });
  }
  $<HTMLInputElement>('vectors').addEventListener('change', (e) => {
    state.fn.vectors = (e.target as HTMLInputElement).checked;
    drawPaths();
    saveUrl();
  });
  $<HTMLInputElement>('surface-toggle').addEventListener('change', (e) => {
    state.fn.surface = (e.target as HTMLInputElement).checked;
    $('surface-card').hidden = !state.fn.surface;
    buildSurface();
    drawSurface();
    saveUrl();
  });
  $('play').addEventListener('click', () => setPlaying(!playing));
  $('step').addEventListener('click', () => {
    setPlaying(false);
    stepRace(1);
  });
  $('reset').addEventListener('click', () => resetRace());
  setupDrag();
  setupSurfaceRotation();
}

/** The start point follows the pointer while it is pressed on the contour (a click sets it too). */
function setupDrag(): void {
  const svg = $<SVGSVGElement>('contour');
  let dragging = false;
  let pending: [number, number] | null = null;
  const toData = (ev: PointerEvent): [number, number] | null => {
    const pt = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(svg.getScreenCTM()!.inverse());
    const [x0, x1] = scales.x.range(), [y1, y0] = scales.y.range();
    if (pt.x < x0 || pt.x > x1 || pt.y < y0 || pt.y > y1) return null;
    return [round3(scales.x.invert(pt.x)), round3(scales.y.invert(pt.y))];
  };
  const apply = (): void => {
    if (!pending) return;
    state.fn.x0 = pending;
    pending = null;
    restartRaceKeepingBackground();
  };
  svg.addEventListener('pointerdown', (ev) => {
    const p = toData(ev);
    if (!p || !lab) return;
    dragging = true;
    svg.classList.add('dragging');
    svg.setPointerCapture(ev.pointerId);
    setPlaying(false);
    pending = p;
    apply();
  });
  svg.addEventListener('pointermove', (ev) => {
    if (!dragging) return;
    const p = toData(ev);
    if (!p) return;
    const first = pending === null;
    pending = p;
    if (first) requestAnimationFrame(apply);
  });
  const end = (): void => {
    if (!dragging) return;
    dragging = false;
    svg.classList.remove('dragging');
    apply();
    saveUrl();
  };
  svg.addEventListener('pointerup', end);
  svg.addEventListener('pointercancel', end);
}

/**
 * One row of an optimizer list: a checkbox with the method's colour swatch and label (id `on-NAME`).
 * Toggling calls `set(checked)` and restarts the race.
 */
function toggleRow(listId: string, name: string, o: { label: string; color: string }, set: (on: boolean) => void): HTMLElement {
  const row = document.createElement('div');
  row.className = 'opt-row';
  const label = document.createElement('label');
  label.className = 'opt-toggle';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.id = `on-${name}`;
  const sw = document.createElement('span');
  sw.className = 'swatch';
  sw.style.background = o.color;
  label.append(box, sw, o.label);
  row.append(label);
  $(listId).appendChild(row);
  box.addEventListener('change', () => {
    set(box.checked);
    resetRace();
  });
  return row;
}

/** `names` with `name` added or removed. */
function toggled<T extends string>(names: readonly T[], name: T, on: boolean): T[] {
  return on ? [...names, name] : names.filter((k) => k !== name);
}

/** The keys of `table` that are in `names`, in the table's (the panel's) order. */
function orderedBy<T extends string>(table: Record<T, unknown>, names: readonly T[]): T[] {
  return (Object.keys(table) as T[]).filter((k) => names.includes(k));
}

function syncFunctionControls(): void {
  $<HTMLSelectElement>('fn-select').value = state.fn.fn;
  $('custom-box').hidden = state.fn.fn !== 'custom';
  const expr = $<HTMLInputElement>('expr');
  if (expr.value !== state.fn.expr) expr.value = state.fn.expr;
  $<HTMLInputElement>('domain').value = state.fn.domain ? state.fn.domain.map(String).join(', ') : '';
  for (const name of Object.keys(LAB_OPTIMIZERS) as LabOptimizer[]) {
    $<HTMLInputElement>(`on-${name}`).checked = state.fn.on.includes(name);
    $<HTMLInputElement>(`lr-${name}`).value = String(Math.log10(state.fn.lr[name]));
    ($(`lr-${name}-out`) as HTMLOutputElement).value = fmt(state.fn.lr[name]);
  }
  for (const name of Object.keys(LAB_SEARCH_METHODS) as LabSearchMethod[]) $<HTMLInputElement>(`on-${name}`).checked = state.fn.search.includes(name);
  for (const key of ['momentum', 'beta1', 'beta2', 'speed'] as const) {
    $<HTMLInputElement>(key).value = String(state.fn[key]);
    ($(`${key}-out`) as HTMLOutputElement).value = fmt(state.fn[key]);
  }
  $<HTMLInputElement>('vectors').checked = state.fn.vectors;
  $<HTMLInputElement>('surface-toggle').checked = state.fn.surface;
  $('surface-card').hidden = !state.fn.surface;
}

function setPlaying(on: boolean): void {
  playing = on && race !== null;
  $('play').textContent = playing ? '❚❚ Pause' : '▶ Play';
  if (playing) requestAnimationFrame(frame);
}

function frame(): void {
  if (!playing || !race) return;
  stepRace(state.fn.speed);
  if (race.steps >= MAX_STEPS || race.finished) setPlaying(false);
  else requestAnimationFrame(frame);
}

function stepRace(n: number): void {
  if (!race) return;
  for (let i = 0; i < n && race.steps < MAX_STEPS && !race.finished; i++) race.step();
  drawPaths();
  drawFunctionLoss();
  drawSurface();
}

/**
 * Rebuilds the objective (a typed function is parsed again) and the race. A typed function that does not
 * parse shows its error under the field, and the page keeps the last good plot (nothing throws).
 */
function resetRace(): void {
  setPlaying(false);
  const r = labObjective(state.fn);
  const err = $('expr-error');
  const input = $<HTMLInputElement>('expr');
  if (!r.ok) {
    err.textContent = `${state.fn.expr}\n${' '.repeat(Math.min(r.at, state.fn.expr.length))}^ ${r.message}`;
    err.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    saveUrl();
    return;
  }
  err.hidden = true;
  input.removeAttribute('aria-invalid');
  lab = r.lab;
  race = new Race(state.fn, lab.objective);
  saveUrl();
  drawContours();
  buildSurface();
  drawPaths();
  drawFunctionLoss();
  drawSurface();
}

/** A new start on the same function: the background stays, the race starts again from state.fn.x0. */
function restartRaceKeepingBackground(): void {
  if (!lab) return;
  race = new Race(state.fn, lab.objective);
  $('fn-start').textContent = `start (${startOf(state.fn).map(fmt).join(', ')}) · drag it`;
  drawPaths();
  drawFunctionLoss();
  drawSurface();
}

/** The contour background from viz (d3-contour, log-spaced levels), the frame in the domain's aspect. */
function drawContours(): void {
  if (!lab) return;
  const svg = $<SVGSVGElement>('contour');
  domain = { xDomain: lab.domain[0], yDomain: lab.domain[1] };
  scales = contourScales({ ...domain, width: CONTOUR_WIDTH, legend: false });
  $('fn-title').textContent = lab.title;
  $('fn-start').textContent = `start (${startOf(state.fn).map(fmt).join(', ')}) · drag it`;
  $<HTMLInputElement>('domain').placeholder = [...lab.domain[0], ...lab.domain[1]].map(String).join(', ');
  const obj = lab.objective;
  const m = obj.minimum;
  $('fn-min').textContent = m ? `minimum${state.fn.fn === 'custom' ? ' (estimated)' : ''}: f = ${fmtValue(obj.minimumValue ?? NaN)} at (${m.map((v) => fmt(Number(v.toPrecision(4)))).join(', ')})` : lab.note;
  const background = contourLayerSvg({ f: lab.value, ...domain, width: CONTOUR_WIDTH, legend: false, paths: [], minimum: m }, 'lab-clip');
  svg.setAttribute('viewBox', `0 0 ${scales.width} ${scales.height}`);
  // the chart's font and ink, as a standalone viz SVG carries them on its root
  svg.setAttribute('font-family', FONT);
  svg.setAttribute('font-size', String(TYPE.tick));
  svg.setAttribute('fill', INK.text);
  svg.innerHTML = `<rect class="bg" width="${scales.width}" height="${scales.height}" fill="#ffffff"/>${background}<g class="live"></g>`;
  liveLayer = svg.querySelector('g.live') as SVGGElement;
}

/** An arrow from (x, y) in pixels along (dx, dy) pixels, with a head. */
function arrow(cls: string, key: string, x: number, y: number, dx: number, dy: number, color: string, raw: [number, number], dash = ''): string {
  const len = Math.hypot(dx, dy);
  if (!(len > 0)) return '';
  const ux = dx / len, uy = dy / len;
  const ex = x + dx, ey = y + dy;
  const h = Math.min(7, len / 2);
  const head = `M${ex},${ey}L${ex - h * ux + 0.55 * h * uy},${ey - h * uy - 0.55 * h * ux}L${ex - h * ux - 0.55 * h * uy},${ey - h * uy + 0.55 * h * ux}Z`;
  return `<g class="vec ${cls}" data-key="${key}" data-vx="${raw[0]}" data-vy="${raw[1]}"><line x1="${x}" y1="${y}" x2="${ex}" y2="${ey}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/><path d="${head}" fill="${color}"/></g>`;
}

/** Pixels an arrow of data-space length `v` gets: its direction is exact, its length log-compressed to 12..70 px. */
function arrowPx(vPx: number): number {
  return Math.min(70, 12 + 16 * Math.log10(1 + vPx));
}

/** The vectors at each first-order runner's current point: −∇f (grey), its velocity (its colour), its per-coordinate steps (a dashed box). */
function vectorsSvg(): string {
  if (!race || !state.fn.vectors) return '';
  const sx = (scales.x.range()[1] - scales.x.range()[0]) / (domain.xDomain[1] - domain.xDomain[0]);
  const sy = (scales.y.range()[0] - scales.y.range()[1]) / (domain.yDomain[1] - domain.yDomain[0]);
  let s = '<g class="vectors">';
  for (const r of race.runners) {
    const v = runnerVectors(race, r);
    if (!v) continue;
    const px = scales.x(v.x), py = scales.y(v.y);
    const dir = (d: [number, number]): [number, number] => {
      const ddx = d[0] * sx, ddy = -d[1] * sy;
      const n = Math.hypot(ddx, ddy);
      const L = arrowPx(n);
      return n > 0 ? [(ddx / n) * L, (ddy / n) * L] : [0, 0];
    };
    s += `<g class="runner-vectors" data-key="${r.name}" data-x="${v.x}" data-y="${v.y}">`;
    if (v.stepSizes) {
      // the step each coordinate takes for this gradient: η_i·|g_i|, a box around the point
      const hx = arrowPx(v.stepSizes[0] * Math.abs(v.descent[0]) * sx), hy = arrowPx(v.stepSizes[1] * Math.abs(v.descent[1]) * sy);
      s += `<rect class="vec vec-step" data-key="${r.name}" data-sx="${v.stepSizes[0]}" data-sy="${v.stepSizes[1]}" x="${px - hx}" y="${py - hy}" width="${2 * hx}" height="${2 * hy}" fill="none" stroke="${r.color}" stroke-width="1.2" stroke-dasharray="3,3"/>`;
    }
    const [gx, gy] = dir(v.descent);
    s += arrow('vec-grad', r.name, px, py, gx, gy, '#1f2430', v.descent);
    if (v.velocity) {
      const [mx, my] = dir(v.velocity);
      s += arrow('vec-velocity', r.name, px, py, mx, my, r.color, v.velocity, '5,2');
    }
    s += '</g>';
  }
  return s + '</g>';
}

/** Every runner's path so far, drawn by viz's paths layer (start circle, path, current point), and the legend. */
function drawPaths(): void {
  if (!race || !liveLayer) return;
  const paths = race.runners.map((r) => {
    const points: number[][] = [];
    for (let k = 0; k < r.path.length; k += 2) points.push([r.path[k], r.path[k + 1]]);
    return { label: runnerLabel(r), points, color: r.color, key: r.name };
  });
  const layer = { ...domain, width: CONTOUR_WIDTH, legend: false as const, paths };
  liveLayer.innerHTML = pathsLayerSvg(layer, 'lab-clip') + vectorsSvg();
  const marks = ['○ start', '● current point'];
  if (anyExit(layer)) marks.push('✕ left the plot');
  if (state.fn.vectors) marks.push('→ −∇f', '⇢ velocity', '⬚ per-coordinate step');
  fillLegend($('contour-legend'), paths.map((p) => ({ label: p.label, color: p.color, key: p.key })), marks);
  $('step-count').textContent = `step ${race.steps}`;
  $<SVGSVGElement>('contour').dataset.steps = String(race.steps);
  // the divergence report: which runs blew up, at which step, and why
  const gone = race.runners.filter((r) => r.diverged);
  const status = $('fn-status');
  status.replaceChildren();
  if (gone.length) {
    const b = document.createElement('span');
    b.className = 'bad';
    b.textContent = gone.length === race.runners.length ? 'Every run diverged' : `${gone.length} of ${race.runners.length} runs diverged`;
    status.append(b, `: ${gone.map((r) => `${r.label} at step ${r.divergedAt} (${whyDiverged(r)})`).join('; ')}.`);
  }
}

function whyDiverged(r: Runner): string {
  const f = r.values[r.values.length - 1];
  if (!Number.isFinite(f)) return f === Infinity ? 'f overflowed to ∞' : 'f is not a number';
  return '|x| passed 1e6';
}

/** Indices 0..n−1 thinned evenly to at most 800, the last one always kept. */
function chartSteps(n: number): number[] {
  const stride = Math.max(1, Math.ceil(n / 800));
  const out: number[] = [];
  for (let k = 0; k < n; k += stride) out.push(k);
  if (n > 0 && out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

/** f − f* against step (log scale) when the minimum is known, else f: viz's chart, as in `descent compare`. */
function drawFunctionLoss(): void {
  if (!race) return;
  const floor = race.objective.minimumValue;
  const results = race.runners.map((r) => {
    const steps = chartSteps(r.values.length);
    return {
      label: runnerLabel(r),
      pathSteps: steps,
      values: steps.map((k) => (floor === undefined ? r.values[k] : r.values[k] - floor)),
      divergedAt: r.diverged ? r.divergedAt : null,
      color: r.color,
      key: r.name,
    };
  });
  // f − f* on a log axis while every value is positive (a typed function's estimate can sit a hair above a value reached)
  const log = floor !== undefined && results.every((q) => q.values.every((v) => !(v <= 0)));
  $('loss-title').textContent = log ? 'f − f* against step (log scale)' : 'f against step';
  drawSvg($<SVGSVGElement>('loss'), functionValueChart({ fn: 'f', x0: startOf(state.fn), results }, log, { title: '', yLabel: log ? 'f − f*' : 'f', ...LOSS_SIZE, legend: false, xExtent: [0, Math.max(10, race.steps)] }));
  fillLegend($('loss-legend'), results.map((q) => ({ label: q.label, color: q.color, key: q.key })));
}

/** Puts a standalone viz SVG into a page <svg>: its viewBox, its font and ink, and its children. */
function drawSvg(target: SVGSVGElement, svgText: string): void {
  const root = /^<svg[^>]*>/.exec(svgText)?.[0] ?? '';
  for (const attr of ['viewBox', 'font-family', 'font-size', 'fill']) {
    const v = new RegExp(`\\s${attr}="([^"]+)"`).exec(root)?.[1];
    if (v) target.setAttribute(attr, v.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
  }
  target.innerHTML = svgText.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
}

// ---------- the 3-D surface ----------

function buildSurface(): void {
  field = state.fn.surface && lab ? heightField(lab.value, lab.domain) : null;
}

function drawSurface(): void {
  if (!state.fn.surface || !field || !race) return;
  const canvas = $<HTMLCanvasElement>('surface');
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width, H = canvas.height;
  const view = { yaw: state.fn.yaw, pitch: state.fn.pitch };
  const k = Math.min(W, H) / 2.7;
  const toPx = (p: [number, number] | [number, number, number]): [number, number] => [W / 2 + k * p[0], H / 2 + k * p[1]];
  ctx.fillStyle = getComputedStyle(canvas).backgroundColor || '#fff';
  ctx.fillRect(0, 0, W, H);
  // one back-to-front order for the surface and the paths: a ridge in front paints over the path behind it
  const paths = race.runners.map((r) => Array.from({ length: r.values.length }, (_v, i): [number, number, number] => [r.path[2 * i], r.path[2 * i + 1], r.values[i]]));
  const far = (p: [number, number]) => !Number.isFinite(p[0]) || !Number.isFinite(p[1]) || Math.abs(p[0]) > 1e5 || Math.abs(p[1]) > 1e5;
  ctx.lineCap = 'round';
  for (const it of surfaceScene(field, view, paths)) {
    if (it.kind === 'quad') {
      const q = it.quad;
      ctx.beginPath();
      q.pts.forEach((p, i) => {
        const [x, y] = toPx(p);
        if (i) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
      });
      ctx.closePath();
      ctx.fillStyle = surfaceColor(q.h, q.shade);
      ctx.fill();
      ctx.strokeStyle = 'rgba(0,0,0,0.08)';
      ctx.lineWidth = 0.5;
      ctx.stroke();
    } else if (it.kind === 'segment') {
      const a = toPx(it.a), b = toPx(it.b);
      if (far(a) || far(b)) continue;
      ctx.beginPath();
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(b[0], b[1]);
      ctx.strokeStyle = race.runners[it.path].color;
      ctx.lineWidth = 2.2;
      ctx.stroke();
    } else {
      const at = toPx(it.at);
      if (far(at)) continue;
      ctx.beginPath();
      ctx.arc(at[0], at[1], 4, 0, 2 * Math.PI);
      ctx.fillStyle = race.runners[it.path].color;
      ctx.fill();
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  }
  canvas.dataset.yaw = String(state.fn.yaw);
  canvas.dataset.pitch = String(state.fn.pitch);
}

/** Dragging on the surface turns it (yaw) and tilts it (pitch); the angles go into the URL on release. */
function setupSurfaceRotation(): void {
  const canvas = $<HTMLCanvasElement>('surface');
  let from: { x: number; y: number; yaw: number; pitch: number } | null = null;
  canvas.addEventListener('pointerdown', (ev) => {
    from = { x: ev.clientX, y: ev.clientY, yaw: state.fn.yaw, pitch: state.fn.pitch };
    canvas.setPointerCapture(ev.pointerId);
  });
  canvas.addEventListener('pointermove', (ev) => {
    if (!from) return;
    const yaw = from.yaw + (ev.clientX - from.x) * 0.5;
    state.fn.yaw = Math.round(((((yaw + 180) % 360) + 360) % 360) - 180);
    state.fn.pitch = Math.round(Math.min(RANGES.pitch[1], Math.max(RANGES.pitch[0], from.pitch + (ev.clientY - from.y) * 0.4)));
    drawSurface();
  });
  const end = (): void => {
    if (!from) return;
    from = null;
    saveUrl();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
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
  // every rule of the registry; one that cannot train this network is listed disabled, and the note says why
  const refused: string[] = [];
  for (const o of DATA_OPTIMIZERS) {
    const why = dataOptimizerRefusal(o);
    const option = new Option(why ? `${o} (not here)` : o, o);
    if (why) {
      option.disabled = true;
      option.title = why;
      refused.push(`${o} ${why}.`);
    }
    $<HTMLSelectElement>('dopt').add(option);
  }
  const note = $('dopt-note');
  note.textContent = refused.join(' ');
  note.hidden = refused.length === 0;
  const rebuild = (): void => resetTrainer();
  ds.addEventListener('change', () => {
    if (ds.value === 'csv') return;
    csv = null;
    removeCsvOption();
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
      // L2 is read at every step: it applies to the running model at once
      if (key === 'l2') saveUrl();
    });
    // structure changes (and the data's noise) rebuild the model once the slider is released
    if (key !== 'l2') input.addEventListener('change', rebuild);
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
  // a CSV dropped on the boundary, or picked with the button: read here, never sent anywhere
  const card = $('boundary-card');
  card.addEventListener('dragover', (e) => {
    e.preventDefault();
    card.classList.add('drop-over');
  });
  card.addEventListener('dragleave', () => card.classList.remove('drop-over'));
  card.addEventListener('drop', (e) => {
    e.preventDefault();
    card.classList.remove('drop-over');
    const file = (e as DragEvent).dataTransfer?.files?.[0];
    if (file) void loadCsv(file);
  });
  $<HTMLInputElement>('csv-file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void loadCsv(file);
  });
}

function removeCsvOption(): void {
  const ds = $<HTMLSelectElement>('ds-select');
  for (const o of Array.from(ds.options)) if (o.value === 'csv') o.remove();
}

async function loadCsv(file: File): Promise<void> {
  const status = $('csv-status');
  if (file.size > 5 * 1024 * 1024) {
    status.textContent = `${file.name}: ${(file.size / 1048576).toFixed(1)} MB; the lab takes CSV files up to 5 MB`;
    status.classList.add('error');
    return;
  }
  const r = csvToyData(new Uint8Array(await file.arrayBuffer()), file.name, state.data.seed);
  if ('error' in r) {
    status.textContent = r.error;
    status.classList.add('error');
    return;
  }
  status.classList.remove('error');
  status.textContent = r.summary;
  csv = r;
  removeCsvOption();
  const ds = $<HTMLSelectElement>('ds-select');
  ds.add(new Option(`${file.name} (yours)`, 'csv'));
  ds.value = 'csv';
  resetTrainer();
}

function syncDataControls(): void {
  const d = state.data;
  $<HTMLSelectElement>('ds-select').value = csv ? 'csv' : d.dataset;
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
  trainer = new ToyTrainer(state.data, csv ?? undefined);
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
  const r = n > 600 ? 2.6 : 4.2;
  for (let i = 0; i < n; i++) {
    ctx.beginPath();
    ctx.arc(((x[2 * i] / EXTENT + 1) / 2) * canvas.width, ((1 - x[2 * i + 1] / EXTENT) / 2) * canvas.height, r, 0, 2 * Math.PI);
    ctx.fillStyle = y[i] === 1 ? '#0877bd' : '#f59322';
    ctx.fill();
    ctx.lineWidth = 1.2;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
  }
  canvas.dataset.steps = String(trainer.steps);
  canvas.dataset.points = String(n);
  $('depoch').textContent = trainer.diverged() ? `diverged at step ${trainer.steps}: try a smaller lr` : `step ${trainer.steps}`;
  $('dacc').textContent = `accuracy: train ${(trainer.accuracy('train') * 100).toFixed(1)}%, test ${(trainer.accuracy('test') * 100).toFixed(1)}%`;
  const steps = chartSteps(trainer.losses.length);
  // the optimizer's colour, as in function mode and the CLI's charts; the test loss in a light shade of it
  const color = optimizerColor(state.data.opt);
  const series = [
    { label: `train (${state.data.opt})`, key: 'train', color, x: steps.map((k) => k + 1), y: steps.map((k) => trainer.losses[k]) },
    { label: 'test', key: 'test', color: shade(color, 0.5), x: steps.map((k) => k + 1), y: steps.map((k) => trainer.testLosses[k]) },
  ];
  drawSvg($<SVGSVGElement>('dloss'), lineChartSvg({ series, xLabel: 'step', yLabel: 'loss', logY: true, legend: false, xExtent: [0, Math.max(10, trainer.steps)], ...LOSS_SIZE }));
  fillLegend($('dloss-legend'), series.map((q) => ({ label: q.label, color: q.color, key: q.key })));
}

// ---------- modes, URL and start ----------

function showMode(): void {
  $('view-fn').hidden = state.mode !== 'fn';
  $('view-data').hidden = state.mode !== 'data';
  $('tab-fn').classList.toggle('active', state.mode === 'fn');
  $('tab-data').classList.toggle('active', state.mode === 'data');
  $('view-hopfield').hidden = state.mode !== 'hopfield';
  $('tab-hopfield').classList.toggle('active', state.mode === 'hopfield');
  if (state.mode !== 'data') setDataPlaying(false);
  if (state.mode !== 'fn') setPlaying(false);
  if (state.mode !== 'hopfield') hopfield.pause();
  saveUrl();
}

function loadFromUrl(): void {
  const { state: s, warnings } = decodeState(location.hash);
  for (const w of warnings) console.warn(`descent lab: ignored part of the URL: ${w}`);
  state = s;
  setPlaying(false);
  setDataPlaying(false);
  syncFunctionControls();
  resetRace();
  trainer = new ToyTrainer(state.data, csv ?? undefined);
  syncDataControls();
  drawBoundary();
  showMode();
}

setupFunctionControls();
setupDataControls();
const hopfield = mountHopfield($('view-hopfield'));
for (const tab of ['tab-fn', 'tab-data', 'tab-hopfield']) {
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
  else if (state.mode === 'hopfield') hopfield.toggle();
  else setDataPlaying(!dplaying);
});
loadFromUrl();
document.body.dataset.ready = 'true';
