/**
 * The playground page: wires the DOM to the pure engines (Race, ToyTrainer) and the URL state.
 * Browser-only; the library code it imports is the same source the CLI runs in Node.
 */
import { anyExit, contourLayerSvg, contourLegendWidth, contourScales, legendRoom, legendSvg, lineChartSvg, markKeySvg, optimizerColor, pathsLayerSvg, shade } from '../../viz/index.js';
import { functionValueChart } from '../../report/html.js';
import { Race } from '../race.js';
import { ToyTrainer } from '../toy-trainer.js';
import { mountHopfield } from './hopfield-view.js';
import {
  ACTIVATIONS, DATA_OPTIMIZERS, DATASETS, LAB_FUNCTIONS, LAB_OPTIMIZERS, LAB_SEARCH_METHODS, RANGES,
  decodeState, encodeState, startOf, type LabFunction, type LabOptimizer, type LabSearchMethod, type LabState,
} from '../state.js';

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

// ---------- function mode ----------

/** The contour card's size in SVG pixels (its viewBox); the layout inside is viz's contourScales. */
const CONTOUR_SIZE = { width: 600, height: 542 };
/** The loss cards' size in SVG pixels. */
const LOSS_SIZE = { width: 600, height: 260 };
/**
 * Legend room of the contour and loss cards, fixed for the page (the background is drawn once, the paths
 * every frame): wide enough for the longest label the legend can show, an optimizer marked diverged.
 */
const SEARCH_LABELS = Object.values(LAB_SEARCH_METHODS).map((o) => searchLabel(o.label, 99999));
const CONTOUR_LEGEND = contourLegendWidth([...Object.values(LAB_OPTIMIZERS).map((o) => `${o.label} (diverged)`), ...SEARCH_LABELS]);
const LOSS_LEGEND = legendRoom([...Object.values(LAB_OPTIMIZERS).map((o) => `${o.label} (diverged at ${MAX_STEPS})`), ...SEARCH_LABELS], 150);

/** A line-search method's legend label: its evaluations so far (a first-order step is one gradient evaluation). */
function searchLabel(label: string, evaluations: number): string {
  return `${label} (${evaluations} evaluations)`;
}

/** What a runner shows in the legends. */
function runnerLabel(r: Race['runners'][number]): string {
  if (r.diverged) return `${r.label} (diverged)`;
  return r.search ? searchLabel(r.label, Race.evaluationsShown(r)) : r.label;
}
/** Points per curve in the loss plots: longer runs are thinned evenly (the last point always kept). */
const MAX_CHART_POINTS = 800;
let scales = contourScales({ xDomain: [-1, 1], yDomain: [-1, 1], ...CONTOUR_SIZE, legendWidth: CONTOUR_LEGEND });
let domain: { xDomain: [number, number]; yDomain: [number, number] } = { xDomain: [-1, 1], yDomain: [-1, 1] };
/** The part of the contour plot redrawn every frame: paths, their ends, the legend. */
let liveLayer: SVGGElement;

function setupFunctionControls(): void {
  const fnSelect = $<HTMLSelectElement>('fn-select');
  for (const [name, f] of Object.entries(LAB_FUNCTIONS)) fnSelect.add(new Option(f.label, name));
  fnSelect.addEventListener('change', () => {
    state.fn.fn = fnSelect.value as LabFunction;
    state.fn.x0 = null;
    resetRace();
  });
  for (const [name, o] of Object.entries(LAB_OPTIMIZERS) as [LabOptimizer, (typeof LAB_OPTIMIZERS)[LabOptimizer]][]) {
    const row = toggleRow('opt-list', name, o, (on) => (state.fn.on = orderedBy(LAB_OPTIMIZERS, toggled(state.fn.on, name, on))),
      `<input type="range" id="lr-${name}" min="-5" max="1" step="0.01" aria-label="${o.label} learning rate"><output id="lr-${name}-out"></output>`);
    const lr = row.querySelector('input[type=range]') as HTMLInputElement;
    lr.addEventListener('input', () => {
      state.fn.lr[name] = round3(10 ** Number(lr.value));
      ($(`lr-${name}-out`) as HTMLOutputElement).value = fmt(state.fn.lr[name]);
      race.applyOptions();
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
    const [x0, x1] = scales.x.range(), [y1, y0] = scales.y.range();
    if (pt.x < x0 || pt.x > x1 || pt.y < y0 || pt.y > y1) return;
    state.fn.x0 = [round3(scales.x.invert(pt.x)), round3(scales.y.invert(pt.y))];
    resetRace();
  });
}

/**
 * One row of an optimizer list: a checkbox with the method's colour swatch and label (id `on-NAME`), and
 * `extra` controls after it. Toggling calls `set(checked)` and restarts the race.
 */
function toggleRow(listId: string, name: string, o: { label: string; color: string }, set: (on: boolean) => void, extra = ''): HTMLElement {
  const row = document.createElement('div');
  row.className = 'opt-row';
  row.innerHTML = `<label class="opt-toggle"><input type="checkbox" id="on-${name}"><span class="swatch" style="background:${o.color}"></span>${o.label}</label>${extra}`;
  $(listId).appendChild(row);
  const box = row.querySelector('input[type=checkbox]') as HTMLInputElement;
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
}

function setPlaying(on: boolean): void {
  playing = on;
  $('play').textContent = on ? '❚❚ Pause' : '▶ Play';
  if (on) requestAnimationFrame(frame);
}

function frame(): void {
  if (!playing) return;
  stepRace(state.fn.speed);
  if (race.steps >= MAX_STEPS || race.finished) setPlaying(false);
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

/** The contour background from viz (d3-contour, log-spaced levels), the same layer as the CLI's figures. */
function drawContours(): void {
  const svg = $<SVGSVGElement>('contour');
  const obj = race.objective;
  const [[x0, x1], [y0, y1]] = obj.domain ?? [[-5, 5], [-5, 5]];
  domain = { xDomain: [x0, x1], yDomain: [y0, y1] };
  scales = contourScales({ ...domain, ...CONTOUR_SIZE, legendWidth: CONTOUR_LEGEND });
  const info = LAB_FUNCTIONS[state.fn.fn];
  $('fn-title').textContent = `${info.label}: f = ${info.formula}`;
  $('fn-start').textContent = `start (${startOf(state.fn).map(fmt).join(', ')}) · click to move it`;
  const p = new Float64Array(2);
  const background = contourLayerSvg({
    f: (a, b) => { p[0] = a; p[1] = b; return obj.value(p); },
    ...domain,
    ...CONTOUR_SIZE,
    legendWidth: CONTOUR_LEGEND,
    paths: [],
    minimum: obj.minimum,
  }, 'lab-clip');
  svg.setAttribute('viewBox', `0 0 ${CONTOUR_SIZE.width} ${CONTOUR_SIZE.height}`);
  svg.innerHTML = `<rect width="${CONTOUR_SIZE.width}" height="${CONTOUR_SIZE.height}" fill="#ffffff"/>${background}<g class="live"></g>`;
  liveLayer = svg.querySelector('g.live') as SVGGElement;
}

/** Every runner's path so far, drawn by viz's paths layer (start circle, path, current point) with a legend. */
function drawPaths(): void {
  const paths = race.runners.map((r) => {
    const points: number[][] = [];
    for (let k = 0; k < r.path.length; k += 2) points.push([r.path[k], r.path[k + 1]]);
    return { label: runnerLabel(r), points, color: r.color, key: r.name };
  });
  const legendX = scales.x.range()[1] + 12, legendY = scales.y.range()[1] + 10;
  const layer = { ...domain, ...CONTOUR_SIZE, legendWidth: CONTOUR_LEGEND, paths };
  liveLayer.innerHTML = pathsLayerSvg(layer, 'lab-clip') + legendSvg(paths.map((q) => q.label), legendX, legendY, paths.map((q) => q.color))
    + (paths.length ? markKeySvg(legendX, legendY + 16 * paths.length + 10, anyExit(layer)) : '');
  $('step-count').textContent = `step ${race.steps}`;
  $<SVGSVGElement>('contour').dataset.steps = String(race.steps);
}

/** Indices 0..n−1 thinned evenly to at most MAX_CHART_POINTS, the last one always kept. */
function chartSteps(n: number): number[] {
  const stride = Math.max(1, Math.ceil(n / MAX_CHART_POINTS));
  const out: number[] = [];
  for (let k = 0; k < n; k += stride) out.push(k);
  if (n > 0 && out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

/** f − f* against step (log scale) when the minimum is known, else f: viz's chart, as in `descent compare`. */
function drawFunctionLoss(): void {
  const floor = race.objective.minimumValue;
  const results = race.runners.map((r) => {
    const steps = chartSteps(r.values.length);
    return {
      label: r.search && !r.diverged ? runnerLabel(r) : r.label,
      pathSteps: steps,
      values: steps.map((k) => (floor === undefined ? r.values[k] : r.values[k] - floor)),
      divergedAt: r.diverged ? r.values.length - 1 : null,
      color: r.color,
      key: r.name,
    };
  });
  const log = floor !== undefined;
  $('loss-title').textContent = log ? 'f − f* against step (log scale)' : 'f against step';
  drawSvg($<SVGSVGElement>('loss'), functionValueChart({ fn: race.objective.name, x0: startOf(state.fn), results }, log, { title: '', yLabel: log ? 'f − f*' : 'f', ...LOSS_SIZE, legendWidth: LOSS_LEGEND }));
}

/** Puts a standalone viz SVG into a page <svg>: its viewBox and its children. */
function drawSvg(target: SVGSVGElement, svgText: string): void {
  const vb = /viewBox="([^"]+)"/.exec(svgText)?.[1];
  if (vb) target.setAttribute('viewBox', vb);
  target.innerHTML = svgText.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
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
  const steps = chartSteps(trainer.losses.length);
  // the optimizer's colour, as in function mode and the CLI's charts; the test loss in a light shade of it
  const color = optimizerColor(state.data.opt);
  drawSvg($<SVGSVGElement>('dloss'), lineChartSvg({
    series: [
      { label: `train (${state.data.opt})`, key: 'train', color, x: steps.map((k) => k + 1), y: steps.map((k) => trainer.losses[k]) },
      { label: 'test', key: 'test', color: shade(color, 0.5), x: steps.map((k) => k + 1), y: steps.map((k) => trainer.testLosses[k]) },
    ],
    xLabel: 'step',
    yLabel: 'loss',
    logY: true,
    ...LOSS_SIZE,
  }));
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
