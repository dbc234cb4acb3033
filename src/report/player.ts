/**
 * The animated contour player: a contour plot whose optimizer paths grow step by step, with play, pause,
 * step, a speed control and a frame slider. Emits HTML (the SVG and controls) plus one small inline vanilla
 * script shared by every player on a page; no network, no DOM at build time, so Node and the browser can
 * both build it.
 */
import { clampPx, contourLayerSvg, contourLegendWidth, contourScales, colorOf, esc, legendHtml, legendSvg, markKeySvg, num, svgOpen } from '../viz/index.js';
import type { ContourPlotOptions } from '../viz/index.js';

export interface PlayerPath {
  label: string;
  /** Points [x, y] in data space; pointsSteps[i] is the optimizer step of points[i]. */
  points: number[][];
  steps: number[];
  /** The optimizer's colour (optimizer-colors.ts); palette colour i otherwise. */
  color?: string;
  /** What `steps` counts: optimizer steps (the default) or a search method's iterations. */
  unit?: 'step' | 'iteration';
}

export interface PlayerOptions extends Omit<ContourPlotOptions, 'paths'> {
  id: string;
  paths: PlayerPath[];
}

/**
 * One player's markup: the SVG with `<path class="opt-path">` per optimizer (full path drawn until the script
 * takes over, so the page still shows the result without scripts), a moving head circle per optimizer, and the
 * controls (`button.play`, `button.pause`, `button.step`, `input.speed`, `input.frame`, `span.step-label`).
 * The path data goes into a `<script type="application/json">` block, in pixels.
 */
export function playerHtml(options: PlayerOptions): string {
  // the legend as wide as its labels, the same width for the background and the paths
  const o = { ...options, legendWidth: options.legendWidth ?? contourLegendWidth(options.paths.map((p) => p.label)) };
  const { x, y, width, height, margin } = contourScales(o);
  const color = (i: number) => esc(o.paths[i].color ?? colorOf(i));
  const px = o.paths.map((p) => p.points.map((q) => [Number(num(clampPx(x(q[0])))), Number(num(clampPx(y(q[1]))))]));
  let svg = svgOpen(width, height, 'player-svg contour-plot');
  if (o.title) svg += `<text class="title" x="${num(width / 2)}" y="17" text-anchor="middle" font-size="13" font-weight="600">${esc(o.title)}</text>`;
  svg += contourLayerSvg(o, `${o.id}-clip`);
  svg += `<g class="paths" clip-path="url(#${esc(o.id)}-clip)" fill="none" stroke-width="1.8">`;
  px.forEach((pts, i) => {
    const d = pts.filter((q) => Number.isFinite(q[0]) && Number.isFinite(q[1])).map((q, k) => `${k ? 'L' : 'M'}${num(q[0])},${num(q[1])}`).join('');
    svg += `<path class="opt-path" data-i="${i}" stroke="${color(i)}" d="${d}"/>`;
  });
  svg += '</g><g class="heads">';
  px.forEach((pts, i) => {
    const last = pts[pts.length - 1];
    svg += `<circle class="head" data-i="${i}" r="4" fill="${color(i)}" stroke="#fff" cx="${num(last[0])}" cy="${num(last[1])}"/>`;
  });
  svg += '</g>';
  if (o.legend !== false) {
    svg += legendSvg(o.paths.map((p) => p.label), width - margin.right + 12, margin.top + 10, o.paths.map((p) => p.color), margin.right - 12 - 16 - 6);
    // the key names the start circle and the moving head (the player draws no exit crosses)
    svg += markKeySvg(width - margin.right + 12, margin.top + 10 + 16 * o.paths.length + 10, false).replace('>last point<', '>current point<');
  }
  svg += '</svg>';
  // a page legend in HTML: it wraps under the plot on a phone instead of shrinking with the SVG
  const legend = o.legend === false ? legendHtml([...o.paths.map((p) => p.label), '○ start · ● current point'], [...o.paths.map((p, i) => p.color ?? colorOf(i)), 'transparent']) : '';
  const frames = Math.max(...o.paths.map((p) => p.points.length));
  // paths of very different lengths (a 40-point BFGS path beside a 600-point Adam one) share the frames: frame k
  // is each path's k-th kept point, or its last; the label counts steps and iterations apart
  const units = o.paths.map((p) => p.unit ?? 'step');
  const data = { paths: px, steps: o.paths.map((p) => p.steps), units };
  const lastOf = (u: string) => Math.max(...o.paths.filter((_p, i) => units[i] === u).map((p) => p.steps[p.steps.length - 1] ?? 0));
  const stepLabel = ['step', 'iteration'].filter((u) => units.includes(u as 'step')).map((u) => `${u} ${lastOf(u)}`).join(', ');
  return `<div class="player" id="${esc(o.id)}">${svg}${legend}
<div class="controls"><button type="button" class="play">play</button> <button type="button" class="pause">pause</button> <button type="button" class="step">step</button> <label>speed <input type="range" class="speed" min="1" max="60" value="15"> <span class="speed-label">15</span> frames/s</label> <input type="range" class="frame" aria-label="frame" min="0" max="${frames - 1}" value="${frames - 1}"> <span class="step-label">${stepLabel}</span></div>
<script type="application/json" class="player-data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script></div>`;
}

/**
 * The player script (plain ES5-style JS, inlined once per page): for each `.player`, frame k draws every
 * path up to its k-th kept point and moves its head there; play advances frames on a timer at the chosen speed.
 */
export const playerScript = `(function () {
  document.querySelectorAll('.player').forEach(function (root) {
    var data = JSON.parse(root.querySelector('.player-data').textContent);
    var paths = root.querySelectorAll('.opt-path');
    var heads = root.querySelectorAll('.head');
    var slider = root.querySelector('.frame');
    var label = root.querySelector('.step-label');
    var speed = root.querySelector('.speed');
    var speedLabel = root.querySelector('.speed-label');
    var last = Number(slider.max);
    var frame = last;
    var timer = null;
    function draw(k) {
      frame = k;
      slider.value = String(k);
      var at = {};
      data.paths.forEach(function (pts, i) {
        var n = Math.min(k, pts.length - 1);
        var d = '';
        for (var j = 0; j <= n; j++) d += (j ? 'L' : 'M') + pts[j][0] + ',' + pts[j][1];
        paths[i].setAttribute('d', d);
        heads[i].setAttribute('cx', pts[n][0]);
        heads[i].setAttribute('cy', pts[n][1]);
        var u = data.units ? data.units[i] : 'step';
        at[u] = Math.max(at[u] || 0, data.steps[i][n]);
      });
      label.textContent = ['step', 'iteration'].filter(function (u) { return u in at; }).map(function (u) { return u + ' ' + at[u]; }).join(', ');
    }
    function pause() { if (timer !== null) { clearInterval(timer); timer = null; } }
    function play() {
      pause();
      if (frame >= last) draw(0);
      timer = setInterval(function () { if (frame >= last) { pause(); return; } draw(frame + 1); }, 1000 / Number(speed.value));
    }
    root.querySelector('.play').addEventListener('click', play);
    root.querySelector('.pause').addEventListener('click', pause);
    root.querySelector('.step').addEventListener('click', function () { pause(); draw(frame >= last ? 0 : frame + 1); });
    slider.addEventListener('input', function () { pause(); draw(Number(slider.value)); });
    speed.addEventListener('input', function () { speedLabel.textContent = speed.value; if (timer !== null) play(); });
    draw(0);
  });
})();`;
