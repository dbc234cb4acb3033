/**
 * The lab's Hopfield tab: draw on the grid, store pictures (or the T, O, X glyphs, or random patterns),
 * corrupt the grid and watch asynchronous recall settle, the energy plotted after every update. The view
 * builds its own elements inside the container it is given; the engine is ../hopfield-lab.ts.
 */
import { lineChartSvg } from '../../viz/index.js';
import { imageGridSvg } from '../../demos/images.js';
import { HopfieldLab } from '../hopfield-lab.js';

export interface HopfieldView {
  /** Stops the animation (the tab was left). */
  pause(): void;
  /** Plays or pauses settling (the Space key). */
  toggle(): void;
}

const CELL = 30;

export function mountHopfield(root: HTMLElement): HopfieldView {
  const lab = new HopfieldLab(12);
  let playing = false;
  let frame = 0;
  let corruption = 0.2;
  let speed = 4;
  const size = lab.side * CELL;
  root.innerHTML = `
    <section class="plots">
      <div class="card">
        <div class="card-title"><span>units (draw with the mouse: click a cell to flip it, drag to paint)</span><span id="hf-status" class="counter"></span></div>
        <svg id="hf-grid" viewBox="0 0 ${size} ${size}" role="img" aria-label="Hopfield network units" style="max-width:480px;margin:0 auto;cursor:crosshair"></svg>
      </div>
      <div class="card">
        <div class="card-title"><span>energy −½ sᵀWs after every update</span><span id="hf-updates" class="counter">0 updates</span></div>
        <div id="hf-energy"></div>
      </div>
      <div class="card">
        <div class="card-title"><span>stored patterns (click one to put it on the grid)</span><span id="hf-load" class="counter"></span></div>
        <div id="hf-stored"></div>
      </div>
    </section>
    <aside class="controls card">
      <div class="buttons">
        <button id="hf-play" class="primary">▶ Settle</button>
        <button id="hf-step">Step</button>
      </div>
      <label class="slider">updates per frame <output id="hf-speed-out"></output>
        <input id="hf-speed" type="range" min="1" max="48" step="1" />
      </label>
      <h2>Memory</h2>
      <div class="buttons"><button id="hf-store">Store picture</button><button id="hf-glyphs">Store T O X</button></div>
      <div class="buttons"><button id="hf-random">Store 5 random</button><button id="hf-forget">Forget all</button></div>
      <h2>Grid</h2>
      <label class="slider">corruption <output id="hf-corrupt-out"></output>
        <input id="hf-corrupt" type="range" min="0" max="0.5" step="0.01" />
      </label>
      <div class="buttons"><button id="hf-corrupt-btn">Corrupt</button><button id="hf-clear">Clear</button></div>
      <p class="note">Hebbian storage W = (1/N) Σ ξξᵀ on N = ${lab.n} units; each update sets one unit, in a fresh random order every sweep, to the sign of its field. The energy can only fall. Past a load of about ${HopfieldLab.capacity} patterns per unit the stored pictures stop being fixed points: store random patterns to see it. <code>descent demo hopfield</code> measures the capacity curve.</p>
    </aside>`;
  const el = <T extends Element>(id: string): T => root.querySelector(`#${id}`) as T;
  const grid = el<SVGSVGElement>('hf-grid');

  const drawGrid = (): void => {
    let s = '';
    for (let i = 0; i < lab.n; i++) {
      const x = (i % lab.side) * CELL, y = Math.floor(i / lab.side) * CELL;
      s += `<rect data-unit="${i}" x="${x}" y="${y}" width="${CELL}" height="${CELL}" fill="${lab.state[i] > 0 ? '#1d2433' : '#ffffff'}" stroke="#ccd" stroke-width="0.5"/>`;
    }
    grid.innerHTML = s;
  };
  const drawInfo = (): void => {
    const ov = lab.overlaps();
    const best = ov.length ? ov.reduce((a, b, k) => (Math.abs(b) > Math.abs(ov[a]) ? k : a), 0) : -1;
    el('hf-status').textContent = lab.stored.length === 0 ? 'nothing stored' : `${lab.settled ? 'settled' : 'not settled'} · overlap ${ov[best].toFixed(2)} with #${best + 1}`;
    el('hf-updates').textContent = `${lab.energy.length - 1} updates`;
    el('hf-load').textContent = `P = ${lab.stored.length}, load P/N = ${lab.load.toFixed(3)} (capacity ≈ ${HopfieldLab.capacity})`;
    el('hf-energy').innerHTML = lineChartSvg({
      series: [{ label: 'energy', x: lab.energy.map((_v, i) => i), y: lab.energy }],
      xLabel: 'update', yLabel: 'energy', width: 600, height: 220, legendWidth: 90,
    });
  };
  const drawStored = (): void => {
    el('hf-stored').innerHTML = lab.stored.length
      ? imageGridSvg({ side: lab.side, columns: 8, cell: 5, tiles: lab.stored.map((p, k) => ({ pixels: Array.from(p, (v) => (v + 1) / 2), caption: `#${k + 1}` })) })
      : '<p class="note">Nothing stored yet: draw a picture and store it, or store the glyphs.</p>';
  };
  const redraw = (): void => {
    drawGrid();
    drawInfo();
  };
  const setPlaying = (on: boolean): void => {
    playing = on;
    el('hf-play').textContent = on ? '❚❚ Pause' : '▶ Settle';
    if (on && !frame) frame = requestAnimationFrame(tick);
  };
  const tick = (): void => {
    frame = 0;
    if (!playing) return;
    lab.step(speed);
    redraw();
    if (lab.settled) setPlaying(false);
    else frame = requestAnimationFrame(tick);
  };

  // drawing: press on a cell flips it and paints that value over the cells dragged across
  let paint: 1 | -1 | 0 = 0;
  const unitAt = (e: Event): number => Number((e.target as Element).getAttribute('data-unit') ?? -1);
  grid.addEventListener('pointerdown', (e) => {
    const u = unitAt(e);
    if (u < 0) return;
    setPlaying(false);
    paint = lab.state[u] > 0 ? -1 : 1;
    lab.set(u, paint);
    redraw();
  });
  grid.addEventListener('pointerover', (e) => {
    const u = unitAt(e);
    if (!paint || u < 0 || !(e as PointerEvent).buttons) return;
    lab.set(u, paint);
    redraw();
  });
  window.addEventListener('pointerup', () => (paint = 0));
  el('hf-stored').addEventListener('click', (e) => {
    const tile = (e.target as Element).closest('.tile');
    if (!tile) return;
    setPlaying(false);
    lab.show(Number(tile.getAttribute('data-index')));
    redraw();
  });

  const button = (id: string, act: () => void): void => el(id).addEventListener('click', () => { act(); drawStored(); redraw(); });
  button('hf-play', () => setPlaying(!playing));
  button('hf-step', () => { setPlaying(false); lab.step(1); });
  button('hf-store', () => lab.store());
  button('hf-glyphs', () => { lab.storeGlyphs(); lab.show(lab.stored.length - 3); });
  button('hf-random', () => lab.storeRandom(5));
  button('hf-forget', () => { setPlaying(false); lab.forget(); });
  button('hf-corrupt-btn', () => { setPlaying(false); lab.corrupt(corruption); });
  button('hf-clear', () => { setPlaying(false); lab.clear(); });
  const slider = (id: string, value: number, set: (v: number) => void, show: (v: number) => string): void => {
    const input = el<HTMLInputElement>(id);
    input.value = String(value);
    el(`${id}-out`).textContent = show(value);
    input.addEventListener('input', () => { set(Number(input.value)); el(`${id}-out`).textContent = show(Number(input.value)); });
  };
  slider('hf-speed', speed, (v) => (speed = v), String);
  slider('hf-corrupt', corruption, (v) => (corruption = v), (v) => `${Math.round(v * 100)}%`);
  drawStored();
  redraw();
  return { pause: () => setPlaying(false), toggle: () => setPlaying(!playing) };
}
