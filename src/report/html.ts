/**
 * The self-contained HTML report of `descent compare`: inline CSS, inline SVG, one inline script (the
 * animation player); no external resources, so it works offline and makes no network requests.
 */
import { contourPlotSvg, esc, fmtValue, lineChartSvg, optimizerVariant, runColors } from '../viz/index.js';
import type { LineSeries } from '../viz/index.js';
import { playerHtml, playerScript } from './player.js';
import type { RaceResult } from './function-race.js';

export interface FunctionSection {
  fn: string;
  x0: number[];
  steps: number;
  tol: number;
  minimum?: number[];
  xDomain: [number, number];
  yDomain: [number, number];
  f?: (x: number, y: number) => number;
  results: RaceResult[];
}

/** One optimizer's training runs over seeds, epoch by epoch. */
export interface TrainingRun {
  label: string;
  /** The optimizer (torch rule name) and its options: they pick the run's colour (optimizer-colors.ts). */
  name?: string;
  options?: Readonly<Record<string, unknown>>;
  seeds: number[];
  /** [seed][epoch]: train loss, val loss, val accuracy, wall seconds since launch. */
  trainLoss: number[][];
  valLoss: number[][];
  valAccuracy: number[][];
  wallSeconds: number[][];
  /** Optimizer steps (batches) per epoch. */
  stepsPerEpoch: number;
}

export interface TrainingSection {
  data: string;
  model: string;
  epochs: number;
  batch: number | 'full';
  targetLoss: number;
  runs: TrainingRun[];
}

export interface ReportInput {
  title: string;
  command: string;
  functions: FunctionSection[];
  training?: TrainingSection;
  /** ISO time of the run, shown in the footer. */
  createdAt?: string;
}

/** Mean and population std over seeds at each index (rows of possibly unequal length: shortest wins). */
export function meanStd(rows: number[][]): { mean: number[]; std: number[] } {
  const len = rows.length ? Math.min(...rows.map((r) => r.length)) : 0;
  const mean: number[] = [];
  const std: number[] = [];
  for (let i = 0; i < len; i++) {
    let s = 0;
    for (const r of rows) s += r[i];
    const m = s / rows.length;
    let v = 0;
    for (const r of rows) v += (r[i] - m) ** 2;
    mean.push(m);
    std.push(Math.sqrt(v / rows.length));
  }
  return { mean, std };
}

/** First epoch (1-based) whose value is ≤ target, or null. */
export function firstBelow(values: number[], target: number): number | null {
  for (let i = 0; i < values.length; i++) if (values[i] <= target) return i + 1;
  return null;
}

const css = `body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:12px 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}.yes{color:#1a7f37;font-weight:bold}.no{color:#b42318}
.controls{margin:6px 0 18px;font-size:13px}.controls button{font-size:13px;padding:2px 10px}
.charts{display:flex;flex-wrap:wrap;gap:8px}.charts svg{flex:1 1 460px;max-width:560px;height:auto}code{background:#f4f4f4;padding:1px 4px}.swatch{display:inline-block;width:10px;height:10px;margin-right:4px}`;

/** What picks a run's colour: its optimizer and options, or a colour fixed by the caller (the playground). */
export interface ColoredRun {
  name?: string;
  options?: Readonly<Record<string, unknown>>;
  color?: string;
}

/**
 * The colour of each run of one chart: its own, else its optimizer variant's (shades for repeats, as in an
 * lr grid), else undefined (the palette by position, for runs that are not optimizers).
 */
export function colorsOf(runs: readonly ColoredRun[]): (string | undefined)[] {
  const computed = runColors(runs.map((r) => optimizerVariant(r.name ?? '', r.options ?? {})));
  return runs.map((r, i) => r.color ?? (r.name !== undefined ? computed[i] : undefined));
}

/** True when a section races a line-search or second-order method (its report adds f against evaluations). */
export function hasSearch(s: { results: readonly { kind?: string }[] }): boolean {
  return s.results.some((r) => r.kind === 'search');
}

/** Why a run ended, in words: the cap, divergence, or a search method's stop reason. */
function stoppedText(r: RaceResult): string {
  if (r.divergedAt !== null) return `diverged at ${r.divergedAt}`;
  switch (r.stopReason) {
    case null: return 'step cap';
    case 'gtol': return 'gtol (gradient small)';
    case 'ftol': return 'ftol (f stopped decreasing)';
    case 'max-iterations': return 'iteration cap';
    case 'line-search-failed': return 'line search failed';
    case 'no-progress': return 'no progress';
    default: return r.stopReason;
  }
}

/** A race's legend label: its own, and where it diverged. */
function raceLabel(r: { label: string; divergedAt: number | null }): string {
  return r.divergedAt !== null ? `${r.label} (diverged at ${r.divergedAt})` : r.label;
}

/** The static contour plot of a 2-D function section: every run's path in its optimizer's colour. */
export function functionContourSvg(s: FunctionSection): string {
  if (!s.f) throw new Error('functionContourSvg: the section has no 2-D function');
  const colors = colorsOf(s.results);
  return contourPlotSvg({
    f: s.f, xDomain: s.xDomain, yDomain: s.yDomain, minimum: s.minimum, title: `${s.fn} from ${fmtPoint(s.x0)}`,
    paths: s.results.map((r, i) => ({ label: raceLabel(r), points: r.path, color: colors[i] })),
  });
}

/** A table row's colour key: the run's colour in the charts above it (nothing for a run without one). */
function swatch(color: string | undefined): string {
  return color ? `<span class="swatch" style="background:${esc(color)}"></span>` : '';
}

function fmtPoint(p: number[]): string {
  return `(${p.map((v) => (Number.isFinite(v) ? String(Number(v.toPrecision(5))) : String(v))).join(', ')})`;
}

function functionHtml(s: FunctionSection, k: number): string {
  let h = `<section class="function-section"><h2>${esc(s.fn)} from ${esc(fmtPoint(s.x0))}, ${s.steps} steps</h2>`;
  if (s.f) {
    const colors = colorsOf(s.results);
    h += playerHtml({
      id: `player-${k}`,
      f: s.f,
      xDomain: s.xDomain,
      yDomain: s.yDomain,
      minimum: s.minimum,
      title: `${s.fn} from ${fmtPoint(s.x0)}`,
      paths: s.results.map((r, i) => ({ label: raceLabel(r), points: r.path, steps: r.pathSteps, color: colors[i], unit: r.kind === 'search' ? 'iteration' as const : 'step' as const })),
    });
  }
  // f against step for every optimizer (a log axis while f stays positive): the picture for any dimension
  const positive = s.results.every((r) => r.values.every((v) => !(v <= 0)));
  // beside search methods, f against objective evaluations too: a line-search iteration costs one or more
  h += `<div class="charts">${functionValueChart(s, positive)}${hasSearch(s) ? functionValueChart(s, positive, { against: 'evaluations' }) : ''}</div>`;
  const target = s.minimum ? `the minimum ${fmtPoint(s.minimum)} (within ${s.tol})` : 'a known minimum (none known)';
  const anySearch = s.results.some((r) => r.kind === 'search');
  const cap = anySearch ? `${s.steps} steps (iterations for search methods)` : `${s.steps} steps`;
  h += `<table class="reach"><tr><th class="l">optimizer</th><th class="l">hyperparameters</th><th>reached ${esc(target)} within the cap of ${esc(cap)}</th><th>at step</th><th>evaluations to reach</th><th>steps run</th><th>evaluations</th><th class="l">stopped</th><th>final x</th><th>final f</th><th>distance</th></tr>`;
  const rowColors = colorsOf(s.results);
  s.results.forEach((r, i) => {
    const reached = r.reachedAt !== null;
    const status = r.divergedAt !== null ? `<span class="no">diverged</span>` : reached ? `<span class="yes">yes</span>` : `<span class="no">no</span>`;
    const hessians = r.hessianEvaluations > 0 ? ` + ${r.hessianEvaluations} Hessian` : '';
    h += `<tr data-kind="${r.kind}" data-at="${r.reachedAt ?? ''}" data-at-evaluations="${r.reachedAtEvaluations ?? ''}" data-steps="${r.steps}" data-evaluations="${r.evaluations}" data-stop="${esc(r.stopReason ?? '')}" data-label="${esc(r.label)}" data-reached="${reached}">`
      + `<td class="l">${swatch(rowColors[i])}${esc(r.label)}</td><td class="l"><code>${esc(r.name)} ${esc(JSON.stringify(r.options))}</code></td><td>${status}</td>`
      + `<td>${r.reachedAt ?? (r.divergedAt !== null ? `diverged at ${r.divergedAt}` : '—')}</td><td>${r.reachedAtEvaluations ?? '—'}</td>`
      + `<td>${r.steps}</td><td>${r.evaluations}${hessians}</td><td class="l">${esc(stoppedText(r))}</td>`
      + `<td>${esc(fmtPoint(r.finalX))}</td><td>${esc(fmtValue(r.finalValue))}</td><td>${esc(fmtValue(r.finalDistance))}</td></tr>`;
  });
  h += '</table><p>Steps: a first-order optimizer\'s updates, one objective evaluation (f and ∇f together) each; for a line-search or second-order method, its iterations, each a line search of one or more evaluations (lbfgs-torch: its step(closure) calls, each up to maxEval closure calls). Evaluations to reach counts every evaluation made up to the first iterate within the tolerance, so the two kinds compare fairly.</p>';
  return h + '</section>';
}

/** What the f-against-step chart needs of a run: a race result, or a playground runner (with its colour and key). */
export interface ValueRun extends ColoredRun {
  label: string;
  pathSteps: number[];
  /** Objective evaluations at each point (race results have them): the x of the f-against-evaluations chart. */
  pathEvaluations?: number[];
  values: number[];
  divergedAt: number | null;
  color?: string;
  key?: string;
}

/**
 * f(x_k) against step k for every optimizer of one function section; the CLI report and the playground's live
 * loss plot both draw it. `chart` overrides the title, the y label and the size.
 */
export function functionValueChart(
  s: { fn: string; x0: number[]; results: ValueRun[] },
  logY = true,
  chart: { title?: string; yLabel?: string; width?: number; height?: number; legendWidth?: number; against?: 'step' | 'evaluations' } = {},
): string {
  const byEvaluations = chart.against === 'evaluations';
  // values past 1000× the largest start value are left out (a diverging run would squash every other curve)
  const cap = 1e3 * Math.max(...s.results.map((q) => Math.abs(q.values[0])).filter((v) => Number.isFinite(v)), 1e-300);
  const colors = colorsOf(s.results);
  return lineChartSvg({
    series: s.results.map((r, i) => ({
      label: raceLabel(r),
      x: byEvaluations ? (r.pathEvaluations ?? r.pathSteps) : r.pathSteps,
      y: r.values.map((v) => (Math.abs(v) > cap ? NaN : v)),
      color: colors[i],
      key: r.key,
      diverged: r.divergedAt !== null,
    })),
    xLabel: byEvaluations ? 'objective evaluations (f and ∇f)' : s.results.some((r) => (r as { kind?: string }).kind === 'search') ? 'step (iteration for search methods)' : 'step',
    yLabel: chart.yLabel ?? 'f(x)',
    logY,
    title: chart.title ?? `${s.fn} from ${fmtPoint(s.x0)}: f against ${byEvaluations ? 'evaluations' : 'step'}`,
    width: chart.width,
    height: chart.height,
    legendWidth: chart.legendWidth,
  });
}

/** The training charts as SVG strings (also written as files by the CLI). */
export function trainingCharts(t: TrainingSection): Record<string, string> {
  const colors = colorsOf(t.runs);
  const byEpoch = (pick: (r: TrainingRun) => number[][]): LineSeries[] =>
    t.runs.map((r, k) => {
      const { mean, std } = meanStd(pick(r));
      return { label: r.label, color: colors[k], x: mean.map((_v, i) => i + 1), y: mean, band: { lo: mean.map((m, i) => m - std[i]), hi: mean.map((m, i) => m + std[i]) } };
    });
  const byTime: LineSeries[] = t.runs.map((r, k) => {
    const { mean, std } = meanStd(r.trainLoss);
    const time = meanStd(r.wallSeconds).mean;
    return { label: r.label, color: colors[k], x: time, y: mean, band: { lo: mean.map((m, i) => m - std[i]), hi: mean.map((m, i) => m + std[i]) } };
  });
  const seeds = t.runs[0]?.seeds.length ?? 0;
  const charts: Record<string, string> = {
    'loss-vs-epoch': lineChartSvg({ series: byEpoch((r) => r.trainLoss), xLabel: 'epoch', yLabel: 'train loss', logY: true, title: `train loss, mean ± std over ${seeds} seeds` }),
    'loss-vs-time': lineChartSvg({ series: byTime, xLabel: 'wall time since launch (s)', yLabel: 'train loss', logY: true, title: `train loss against wall time, mean ± std over ${seeds} seeds` }),
  };
  // validation charts only when the runs held rows out (a CSV without --val has none)
  const has = (pick: (r: TrainingRun) => number[][]) => t.runs.some((r) => pick(r).some((row) => row.some((v) => Number.isFinite(v))));
  if (has((r) => r.valLoss)) charts['val-loss'] = lineChartSvg({ series: byEpoch((r) => r.valLoss), xLabel: 'epoch', yLabel: 'validation loss', logY: true, title: `validation loss, mean ± std over ${seeds} seeds` });
  if (has((r) => r.valAccuracy)) charts['val-accuracy'] = lineChartSvg({ series: byEpoch((r) => r.valAccuracy), xLabel: 'epoch', yLabel: 'validation accuracy', title: `validation accuracy, mean ± std over ${seeds} seeds` });
  return charts;
}

function trainingHtml(t: TrainingSection): string {
  const charts = trainingCharts(t);
  let h = `<section class="training-section"><h2>training: ${esc(t.model)} on ${esc(t.data)}, ${t.epochs} epochs, batch ${esc(String(t.batch))}, seeds ${esc(t.runs[0]?.seeds.join(', ') ?? '')}</h2><div class="charts">`;
  for (const svg of Object.values(charts)) h += svg;
  h += `</div><table class="final"><tr><th class="l">optimizer</th><th>final train loss</th><th>final val loss</th><th>final val accuracy</th><th>steps to train loss ≤ ${esc(String(t.targetLoss))}</th><th>time (s)</th></tr>`;
  const pm = (rows: number[][], digits: number) => {
    const last = rows.map((r) => r[r.length - 1]);
    const m = last.reduce((a, b) => a + b, 0) / last.length;
    const s = Math.sqrt(last.reduce((a, b) => a + (b - m) ** 2, 0) / last.length);
    return `${m.toFixed(digits)} ± ${s.toFixed(digits)}`;
  };
  const rowColors = colorsOf(t.runs);
  t.runs.forEach((r, i) => {
    const reach = r.trainLoss.map((row) => firstBelow(row, t.targetLoss));
    const steps = reach.map((e) => (e === null ? 'never' : String(e * r.stepsPerEpoch))).join(' / ');
    h += `<tr data-label="${esc(r.label)}"><td class="l">${swatch(rowColors[i])}${esc(r.label)}</td><td>${pm(r.trainLoss, 4)}</td><td>${pm(r.valLoss, 4)}</td><td>${pm(r.valAccuracy, 4)}</td><td>${esc(steps)}</td><td>${pm(r.wallSeconds, 2)}</td></tr>`;
  });
  return h + '</table><p>Steps to target: per seed, the optimizer steps (batches) up to the end of the first epoch whose mean train loss is at or below the target. Times include process start and data loading.</p></section>';
}

/** The whole report page. */
export function reportHtml(r: ReportInput): string {
  let body = `<h1>${esc(r.title)}</h1><p><code>${esc(r.command)}</code></p>`;
  r.functions.forEach((s, k) => (body += functionHtml(s, k)));
  if (r.training) body += trainingHtml(r.training);
  body += `<p><small>descent compare${r.createdAt ? ' · ' + esc(r.createdAt) : ''}</small></p>`;
  const script = r.functions.some((s) => s.f) ? `<script>${playerScript}</script>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(r.title)}</title><style>${css}</style></head><body>${body}${script}</body></html>\n`;
}
