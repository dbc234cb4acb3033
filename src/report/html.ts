/**
 * The self-contained HTML report of `descent compare`: inline CSS, inline SVG, one inline script (the
 * animation player); no external resources, so it works offline and makes no network requests.
 */
import { colorsOf, contourPlotSvg, esc, fmtPoint, fmtValue, functionValueChart, landscapeSectionHtml, legendHtml, lineChartSvg, pageCss, raceLabel } from '../viz/index.js';
import type { LandscapeData } from '../viz/index.js';
export { colorsOf, functionValueChart } from '../viz/index.js';
export type { ColoredRun, ValueRun } from '../viz/index.js';
import type { LineSeries } from '../viz/index.js';
import { playerHtml, playerScript } from './player.js';
import { exportScript } from './export.js';
import type { RaceResult } from './function-race.js';

/** One test function from one start: every optimizer's race, and the view box of its figures. */
export interface FunctionSection {
  fn: string;
  x0: number[];
  steps: number;
  tol: number;
  minimum?: number[];
  xDomain: [number, number];
  yDomain: [number, number];
  /** The function at (x, y), for the contours (2-D functions only). */
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

/** One model on one dataset: each optimizer's runs over seeds. */
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
  /** Loss landscapes of trained networks (src/train/landscape.ts), one section each, after the training section. */
  landscapes?: LandscapeEntry[];
  /** ISO time of the run, shown in the footer. */
  createdAt?: string;
}

/** One landscape section: the run it belongs to (a key unique in the report), a heading, the grids. */
export interface LandscapeEntry {
  key: string;
  what: string;
  landscape: LandscapeData;
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

/** The report's layout on top of the shared theme (src/viz/theme.ts). */
const css = `${pageCss}
body{max-width:1160px;margin:0 auto;padding:0 16px 32px}
header.page{padding:8px 0}
.command{display:block;white-space:pre-wrap;word-break:break-all;padding:8px 10px}
body>section{margin:16px 0;padding:4px 16px 16px;background:var(--surface);border:1px solid var(--line);border-radius:10px;box-shadow:var(--shadow);min-width:0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,440px),1fr));gap:16px;align-items:start}
.player{max-width:520px}
.player .controls{display:flex;flex-wrap:wrap;align-items:center;gap:8px;margin:10px 0 4px;font-size:14px}
.player .controls label{display:flex;align-items:center;gap:6px}
.player .controls input.speed{width:110px}
.player .controls input.frame{flex:1 1 160px}
.player .step-label{font-variant-numeric:tabular-nums;color:var(--muted);font-size:13px}
.race{display:grid;grid-template-columns:minmax(0,520px) minmax(0,1fr);gap:20px;align-items:start}
@media (max-width:900px){.race{grid-template-columns:minmax(0,1fr)}}
.summary-line{margin:4px 0 8px}
.note{font-size:13px;color:var(--muted)}`;

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

/** The report player's layout (a test maps points through contourScales with it): 480 px wide (mildly scaled on a phone), the legend in HTML. */
export const REPORT_PLAYER_LAYOUT = { width: 480, legend: false } as const;

/** A chart in a figure: the SVG (no legend inside), an HTML legend that wraps, and SVG/PNG export buttons. */
function figureHtml(name: string, svg: string, labels: readonly string[], colors: readonly (string | undefined)[]): string {
  return `<figure class="figure" data-name="${esc(name)}">${svg}${labels.length ? legendHtml(labels, colors) : ''}${exportButtons(name)}</figure>`;
}

/** A figure's SVG and PNG buttons (export.ts saves the figure's chart under `name`). */
function exportButtons(name: string): string {
  return `<div class="export"><button type="button" class="export-svg" data-name="${esc(name)}">SVG</button><button type="button" class="export-png" data-name="${esc(name)}">PNG</button></div>`;
}

/** One run's line in the summary: reached (when, at what cost), or why not. */
function summaryRow(r: RaceResult, color: string | undefined): string {
  const unit = r.kind === 'search' ? 'iteration' : 'step';
  const reached = r.reachedAt !== null;
  const verdict = r.divergedAt !== null ? `<span class="no">diverged</span> at ${unit} ${r.divergedAt}` : reached ? `<span class="yes">yes</span>, ${unit} ${r.reachedAt}` : `<span class="no">no</span>`;
  const cost = reached ? `${r.reachedAtEvaluations} evaluations` : '—';
  const dist = Number.isFinite(r.finalDistance) ? fmtValue(r.finalDistance) : '—';
  return `<tr class="summary-row" data-run="${esc(r.label)}"><td class="l">${swatch(color)}${esc(r.label)}</td><td class="l">${verdict}</td><td>${cost}</td><td>${esc(fmtValue(r.finalValue))}</td><td>${dist}</td><td>${r.seconds.toFixed(3)}</td></tr>`;
}

/**
 * The summary of one function section: who reached the minimum, at which step or iteration and after how many
 * objective evaluations, sorted by that cost; then the runs that did not, nearest first; the diverged last.
 */
function functionSummary(s: FunctionSection): string {
  const colors = colorsOf(s.results);
  const order = s.results.map((r, i) => ({ r, i })).sort((a, b) => rankOf(a.r) - rankOf(b.r) || costOf(a.r) - costOf(b.r));
  const reached = s.results.filter((r) => r.reachedAt !== null);
  const diverged = s.results.filter((r) => r.divergedAt !== null);
  const best = order[0]?.r;
  let line = s.minimum
    ? `${reached.length} of ${s.results.length} reached the minimum ${esc(fmtPoint(s.minimum))} (within ${s.tol})`
    : `no minimum is known: ${s.results.length} runs, by final f`;
  if (best && best.reachedAt !== null) line += `; first by objective evaluations: <strong>${esc(best.label)}</strong>, ${best.reachedAtEvaluations} evaluations (${best.kind === 'search' ? 'iteration' : 'step'} ${best.reachedAt})`;
  if (diverged.length) line += `; diverged: ${diverged.map((r) => esc(r.label)).join(', ')}`;
  let h = `<h3>${esc(s.fn)} from ${esc(fmtPoint(s.x0))}</h3><p class="summary-line">${line}.</p>`;
  h += '<div class="table-wrap"><table class="summary"><thead><tr><th class="l">run</th><th class="l">reached</th><th>cost to reach</th><th>final f</th><th>distance</th><th>time (s)</th></tr></thead><tbody>';
  for (const { r, i } of order) h += summaryRow(r, colors[i]);
  return h + '</tbody></table></div>';
}

/** Sort key: reached, then not reached, then diverged. */
function rankOf(r: RaceResult): number {
  return r.divergedAt !== null ? 2 : r.reachedAt !== null ? 0 : 1;
}
/** Within a rank: evaluations to reach, else the final distance (else f). */
function costOf(r: RaceResult): number {
  if (r.reachedAtEvaluations !== null) return r.reachedAtEvaluations;
  if (Number.isFinite(r.finalDistance)) return r.finalDistance;
  return Number.isFinite(r.finalValue) ? r.finalValue : Infinity;
}

function functionHtml(s: FunctionSection, k: number): string {
  const fromText = `${s.fn} from ${fmtPoint(s.x0)}`;
  let h = `<section class="function-section"><h2>${esc(fromText)}, ${s.steps} steps</h2><div class="race">`;
  const colors = colorsOf(s.results);
  const labels = s.results.map((r) => raceLabel(r));
  if (s.f) {
    h += playerHtml({
      id: `player-${k}`,
      f: s.f,
      xDomain: s.xDomain,
      yDomain: s.yDomain,
      minimum: s.minimum,
      title: fromText,
      ...REPORT_PLAYER_LAYOUT,
      paths: s.results.map((r, i) => ({ label: raceLabel(r), points: r.path, steps: r.pathSteps, color: colors[i], unit: r.kind === 'search' ? 'iteration' as const : 'step' as const })),
    });
  }
  // f against step for every optimizer (a log axis while f stays positive): the picture for any dimension;
  // beside search methods, f against objective evaluations on a log axis too (40 BFGS evaluations beside 5,000 Adam steps)
  const positive = s.results.every((r) => r.values.every((v) => !(v <= 0)));
  const slug = fromText.replace(/[^A-Za-z0-9.-]+/g, '_');
  h += '<div class="charts">' + figureHtml(`${slug}-values`, functionValueChart(s, positive, { legend: false }), labels, colors);
  if (hasSearch(s)) h += figureHtml(`${slug}-evaluations`, functionValueChart(s, positive, { against: 'evaluations', legend: false }), labels, colors);
  h += '</div></div>';
  const target = s.minimum ? `the minimum ${fmtPoint(s.minimum)} within ${s.tol}` : 'a known minimum (none known)';
  const anySearch = s.results.some((r) => r.kind === 'search');
  const cap = anySearch ? `${s.steps} steps (iterations for search methods)` : `${s.steps} steps`;
  h += `<h3>Every run</h3><p class="note">Reached: ${esc(target)}, within the cap of ${esc(cap)}.</p>`;
  h += `<div class="table-wrap"><table class="reach"><thead><tr><th class="l">optimizer</th><th class="l">hyperparameters</th><th>reached</th><th>at step</th><th>evaluations to reach</th><th>steps run</th><th>evaluations</th><th class="l">stopped</th><th>final x</th><th>final f</th><th>distance</th></tr></thead><tbody>`;
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
  h += '</tbody></table></div><p class="note">Steps: a first-order optimizer\'s updates, one objective evaluation (f and ∇f together) each; for a line-search or second-order method, its iterations, each a line search of one or more evaluations (lbfgs-torch: its step(closure) calls, each up to maxEval closure calls). Evaluations to reach counts every evaluation made up to the first iterate within the tolerance, so the two kinds compare fairly.</p>';
  return h + '</section>';
}

/** The training charts as SVG strings (also written as files by the CLI). */
export function trainingCharts(t: TrainingSection, legend = true): Record<string, string> {
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
    'loss-vs-epoch': lineChartSvg({ series: byEpoch((r) => r.trainLoss), xLabel: 'epoch', yLabel: 'train loss', logY: true, legend, title: `train loss, mean ± std over ${seeds} seeds` }),
    'loss-vs-time': lineChartSvg({ series: byTime, xLabel: 'wall time since launch (s)', yLabel: 'train loss', logY: true, legend, title: `train loss against wall time, mean ± std over ${seeds} seeds` }),
  };
  // validation charts only when the runs held rows out (a CSV without --val has none)
  const has = (pick: (r: TrainingRun) => number[][]) => t.runs.some((r) => pick(r).some((row) => row.some((v) => Number.isFinite(v))));
  if (has((r) => r.valLoss)) charts['val-loss'] = lineChartSvg({ series: byEpoch((r) => r.valLoss), xLabel: 'epoch', yLabel: 'validation loss', logY: true, legend, title: `validation loss, mean ± std over ${seeds} seeds` });
  if (has((r) => r.valAccuracy)) charts['val-accuracy'] = lineChartSvg({ series: byEpoch((r) => r.valAccuracy), xLabel: 'epoch', yLabel: 'validation accuracy', legend, title: `validation accuracy, mean ± std over ${seeds} seeds` });
  return charts;
}

/** Mean of the last value over seeds. */
function finalMean(rows: number[][]): number {
  const last = rows.map((r) => r[r.length - 1]).filter((v) => Number.isFinite(v));
  return last.length ? last.reduce((a, b) => a + b, 0) / last.length : NaN;
}

/** The training summary: who reached the target train loss first (in steps), and the final losses and accuracy. */
function trainingSummary(t: TrainingSection): string {
  const colors = colorsOf(t.runs);
  const rows = t.runs.map((r, i) => {
    const reach = r.trainLoss.map((row) => firstBelow(row, t.targetLoss));
    const all = reach.every((e) => e !== null);
    const meanSteps = all ? (reach as number[]).reduce((a, e) => a + e * r.stepsPerEpoch, 0) / reach.length : Infinity;
    return { r, i, all, meanSteps, valLoss: finalMean(r.valLoss), valAcc: finalMean(r.valAccuracy), train: finalMean(r.trainLoss), time: finalMean(r.wallSeconds) };
  });
  const order = [...rows].sort((a, b) => a.meanSteps - b.meanSteps || a.train - b.train);
  const first = order[0];
  const reached = rows.filter((q) => q.all).length;
  let line = `${reached} of ${rows.length} optimizers brought the train loss to ${t.targetLoss} or below on every seed`;
  if (first?.all) line += `; first: <strong>${esc(first.r.label)}</strong>, after ${Math.round(first.meanSteps)} steps on average`;
  let h = `<h3>training: ${esc(t.model)} on ${esc(t.data)}</h3><p class="summary-line">${line}.</p>`;
  h += `<div class="table-wrap"><table class="summary"><thead><tr><th class="l">optimizer</th><th>steps to train loss ≤ ${esc(String(t.targetLoss))} (mean)</th><th>final train loss</th><th>final val loss</th><th>final val accuracy</th><th>time (s)</th></tr></thead><tbody>`;
  for (const q of order) {
    h += `<tr class="summary-row" data-run="${esc(q.r.label)}"><td class="l">${swatch(colors[q.i])}${esc(q.r.label)}</td><td>${q.all ? Math.round(q.meanSteps) : '<span class="no">not on every seed</span>'}</td><td>${esc(fmtValue(q.train))}</td><td>${esc(fmtValue(q.valLoss))}</td><td>${esc(fmtValue(q.valAcc))}</td><td>${q.time.toFixed(2)}</td></tr>`;
  }
  return h + '</tbody></table></div>';
}

function trainingHtml(t: TrainingSection): string {
  const charts = trainingCharts(t, false);
  const colors = colorsOf(t.runs);
  const labels = t.runs.map((r) => r.label);
  let h = `<section class="training-section"><h2>training: ${esc(t.model)} on ${esc(t.data)}, ${t.epochs} epochs, batch ${esc(String(t.batch))}, seeds ${esc(t.runs[0]?.seeds.join(', ') ?? '')}</h2><div class="charts">`;
  for (const [name, svg] of Object.entries(charts)) h += figureHtml(`training-${name}`, svg, labels, colors);
  h += `</div><div class="table-wrap"><table class="final"><thead><tr><th class="l">optimizer</th><th>final train loss</th><th>final val loss</th><th>final val accuracy</th><th>steps to train loss ≤ ${esc(String(t.targetLoss))}</th><th>time (s)</th></tr></thead><tbody>`;
  const pm = (rows: number[][], digits: number) => {
    const last = rows.map((r) => r[r.length - 1]);
    const m = last.reduce((a, b) => a + b, 0) / last.length;
    const s = Math.sqrt(last.reduce((a, b) => a + (b - m) ** 2, 0) / last.length);
    return `${m.toFixed(digits)} ± ${s.toFixed(digits)}`;
  };
  t.runs.forEach((r, i) => {
    const reach = r.trainLoss.map((row) => firstBelow(row, t.targetLoss));
    const steps = reach.map((e) => (e === null ? 'never' : String(e * r.stepsPerEpoch))).join(' / ');
    h += `<tr data-label="${esc(r.label)}"><td class="l">${swatch(colors[i])}${esc(r.label)}</td><td>${pm(r.trainLoss, 4)}</td><td>${pm(r.valLoss, 4)}</td><td>${pm(r.valAccuracy, 4)}</td><td>${esc(steps)}</td><td>${pm(r.wallSeconds, 2)}</td></tr>`;
  });
  return h + '</tbody></table></div><p class="note">Steps to target: per seed, the optimizer steps (batches) up to the end of the first epoch whose mean train loss is at or below the target. Times include process start and data loading.</p></section>';
}

/**
 * The whole report page: the summary first (who reached the minimum, when, at what cost), then each race's
 * player and charts, then training. Self-contained (inline CSS and scripts, nothing fetched), themed light or
 * dark by the reader's system, printable, and every chart exportable as SVG or PNG.
 */
export function reportHtml(r: ReportInput): string {
  let body = `<header class="page"><h1>${esc(r.title)}</h1><code class="command">${esc(r.command)}</code></header>`;
  if (r.functions.length || r.training) {
    body += '<section class="summary-section"><h2>Summary</h2>';
    for (const s of r.functions) body += functionSummary(s);
    if (r.training) body += trainingSummary(r.training);
    body += '<p class="note">Cost: objective evaluations (f and ∇f together) up to the first iterate within the tolerance of the minimum; time: the race\'s wall time.</p></section>';
  }
  r.functions.forEach((s, k) => (body += functionHtml(s, k)));
  if (r.training) body += trainingHtml(r.training);
  for (const l of r.landscapes ?? []) body += landscapeSectionHtml(l.landscape, l.what, { key: l.key, figureExtra: exportButtons });
  body += `<footer><p><small>descent compare${r.createdAt ? ' · ' + esc(r.createdAt) : ''}</small></p></footer>`;
  const scripts = (r.functions.some((s) => s.f) ? playerScript : '') + exportScript;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark"><title>${esc(r.title)}</title><style>${css}</style></head><body>${body}<script>${scripts}</script></body></html>\n`;
}
