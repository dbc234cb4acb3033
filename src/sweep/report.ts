/**
 * The sweep report, from the stored runs: the learning-rate sensitivity plot (final loss, and accuracy for
 * classification, against lr per optimizer configuration, mean ± std over seeds, log x), each optimizer's
 * best configuration, and the loss curves of those best configurations. Pure: numbers in, SVG and HTML out
 * (src/viz draws; src/report's meanStd and colours are the compare report's).
 */
import { esc, fmtValue, lineChartSvg, type LineSeries } from '../viz/index.js';
import { colorsOf, meanStd } from '../report/index.js';
import { canonicalJson, type SweepKind } from './spec.js';

/** One finished run as the report reads it. */
export interface ReportRun {
  index: number;
  seed: number;
  spec: Record<string, unknown>;
  status: 'done' | 'failed' | 'pending' | 'running';
  /** The command's --json result, parsed (optimize's object, train's final line). */
  result?: Record<string, unknown>;
  /** Per step (optimize: f) or per epoch (train: the epoch lines). */
  metrics: unknown[];
  error?: string | null;
  seconds?: number | null;
}

/** A configuration: every setting but the seed, with its runs over seeds. */
export interface ConfigSummary {
  label: string;
  optimizer: string;
  options: Record<string, unknown>;
  lr?: number;
  /** The runs' spec with the seed's own field left out (train) — what a user reruns. */
  spec: Record<string, unknown>;
  seeds: number[];
  /** Final loss per seed (NaN for a failed run). */
  finals: number[];
  accuracies: number[];
  mean: number;
  std: number;
  /** Loss curves per seed: f per step (optimize) or train loss per epoch (train). */
  curves: number[][];
  failed: number;
}

export interface SweepReport {
  configs: ConfigSummary[];
  /** Per optimizer name: its configuration with the lowest mean final loss over seeds (all seeds finished). */
  best: ConfigSummary[];
  /** name → SVG: lr-sensitivity (loss, and accuracy for train classification), best-curves. */
  figures: Record<string, string>;
  html: string;
}

const finiteOr = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

/** The run's final loss: f at the last iterate (optimize), or the validation loss, else the train loss (train). */
export function finalLoss(kind: SweepKind, r: ReportRun): number {
  if (r.status !== 'done' || !r.result) return NaN;
  if (kind === 'optimize') {
    const v = r.result.values as number[] | undefined;
    return v && v.length ? finiteOr(v[v.length - 1]) : NaN;
  }
  return finiteOr(r.result.valLoss ?? r.result.trainLoss);
}

function curveOf(kind: SweepKind, r: ReportRun): number[] {
  if (r.status !== 'done') return [];
  if (kind === 'optimize') return (r.metrics as number[]).map(finiteOr);
  return (r.metrics as { trainLoss?: number }[]).map((m) => finiteOr(m.trainLoss));
}

function describe(spec: Record<string, unknown>): { label: string; optimizer: string; options: Record<string, unknown>; lr?: number } {
  const opt = (spec.optimizer ?? { name: 'adam' }) as Record<string, unknown>;
  const { name, ...options } = opt;
  const parts = Object.entries(options).filter(([k]) => k !== 'lr').map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(';') : String(v)}`);
  const sch = spec.schedule as Record<string, unknown> | undefined;
  if (sch) parts.push(`schedule=${String(sch.name)}`);
  if (spec.batch !== undefined) parts.push(`batch=${String(spec.batch)}`);
  return { label: parts.length ? `${String(name)} (${parts.join(', ')})` : String(name), optimizer: String(name), options, lr: typeof options.lr === 'number' ? options.lr : undefined };
}

/** Groups runs into configurations (grid order kept), each with its statistics over seeds. */
export function summarize(kind: SweepKind, runs: readonly ReportRun[]): ConfigSummary[] {
  const groups = new Map<string, ReportRun[]>();
  for (const r of runs) {
    const { seed: _s, ...rest } = r.spec;
    const k = canonicalJson(kind === 'train' ? rest : r.spec);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()].map((g) => {
    const { seed: _s, ...spec } = g[0].spec;
    const finals = g.map((r) => finalLoss(kind, r));
    const ok = finals.filter(Number.isFinite);
    const { mean, std } = ok.length === g.length ? meanStd(ok.map((v) => [v])) : { mean: [NaN], std: [NaN] };
    return {
      ...describe(g[0].spec), spec: kind === 'train' ? spec : g[0].spec, seeds: g.map((r) => r.seed), finals,
      accuracies: g.map((r) => finiteOr(r.result?.valAccuracy)),
      mean: mean[0] ?? NaN, std: std[0] ?? NaN, curves: g.map((r) => curveOf(kind, r)), failed: g.filter((r) => r.status !== 'done').length,
    };
  });
}

/** Each optimizer's best configuration (lowest mean final loss), in order of first appearance. */
export function bestConfigs(configs: readonly ConfigSummary[]): ConfigSummary[] {
  const best = new Map<string, ConfigSummary>();
  for (const c of configs) {
    if (!Number.isFinite(c.mean)) continue;
    const b = best.get(c.optimizer);
    if (!b || c.mean < b.mean) best.set(c.optimizer, c);
  }
  return [...best.values()];
}

/** The lr-sensitivity chart: one series per configuration family (all but lr), lr on a log axis, mean ± std band. */
function sensitivitySvg(configs: readonly ConfigSummary[], pick: (c: ConfigSummary) => number[], yLabel: string, title: string, logY: boolean): string | undefined {
  const families = new Map<string, ConfigSummary[]>();
  for (const c of configs) {
    if (c.lr === undefined || !(c.lr > 0)) continue;
    const f = families.get(c.label);
    if (f) f.push(c);
    else families.set(c.label, [c]);
  }
  if (families.size === 0) return undefined;
  const fams = [...families.entries()];
  const colors = colorsOf(fams.map(([, cs]) => ({ name: cs[0].optimizer, options: cs[0].options })));
  const series: LineSeries[] = fams.map(([label, cs], k) => {
    const sorted = [...cs].sort((a, b) => a.lr! - b.lr!);
    const stats = sorted.map((c) => {
      const v = pick(c);
      if (!v.every(Number.isFinite) || v.length === 0) return { m: NaN, s: NaN };
      const { mean, std } = meanStd(v.map((x) => [x]));
      return { m: mean[0], s: std[0] };
    });
    return {
      label, color: colors[k], x: sorted.map((c) => c.lr!), y: stats.map((s) => s.m),
      band: { lo: stats.map((s) => s.m - s.s), hi: stats.map((s) => s.m + s.s) },
    };
  });
  const positive = series.every((s) => s.y.every((v) => !Number.isFinite(v) || v > 0));
  return lineChartSvg({ series, xLabel: 'learning rate (log scale)', yLabel, logX: true, logY: logY && positive, title });
}

function bestCurvesSvg(kind: SweepKind, best: readonly ConfigSummary[]): string | undefined {
  if (best.length === 0) return undefined;
  const colors = colorsOf(best.map((c) => ({ name: c.optimizer, options: c.options })));
  const series: LineSeries[] = best.map((c, k) => {
    const { mean, std } = meanStd(c.curves);
    const x0 = kind === 'optimize' ? 0 : 1;
    return { label: `${c.label}${c.lr !== undefined ? ` lr=${fmtValue(c.lr)}` : ''}`, color: colors[k], x: mean.map((_v, i) => i + x0), y: mean, band: { lo: mean.map((m, i) => m - std[i]), hi: mean.map((m, i) => m + std[i]) } };
  });
  const positive = series.every((s) => s.y.every((v) => !Number.isFinite(v) || v > 0));
  return lineChartSvg({
    series, xLabel: kind === 'optimize' ? 'step' : 'epoch', yLabel: kind === 'optimize' ? 'f' : 'train loss', logY: positive,
    title: 'best configuration of each optimizer (mean ± std over seeds)',
  });
}

const css = `body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:12px 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}.no{color:#b42318}.charts{display:flex;flex-wrap:wrap;gap:8px}
.charts svg{flex:1 1 460px;max-width:560px;height:auto}code{background:#f4f4f4;padding:1px 4px}`;

const pm = (c: ConfigSummary): string => (Number.isFinite(c.mean) ? `${fmtValue(c.mean)} ± ${fmtValue(c.std)}` : `— (${c.failed} of ${c.seeds.length} failed)`);

/** Builds the figures and the self-contained HTML page. */
export function sweepReport(o: { kind: SweepKind; runs: readonly ReportRun[]; title: string; command: string; createdAt?: string }): SweepReport {
  const configs = summarize(o.kind, o.runs);
  const best = bestConfigs(configs);
  const lossName = o.kind === 'optimize' ? 'final f' : 'final loss (validation, else train)';
  const figures: Record<string, string> = {};
  const sens = sensitivitySvg(configs, (c) => c.finals, lossName, `${lossName} against learning rate (mean ± std over seeds)`, true);
  if (sens) figures['lr-sensitivity'] = sens;
  if (o.kind === 'train' && configs.some((c) => c.accuracies.some(Number.isFinite))) {
    const acc = sensitivitySvg(configs, (c) => c.accuracies, 'validation accuracy', 'validation accuracy against learning rate (mean ± std over seeds)', false);
    if (acc) figures['lr-sensitivity-accuracy'] = acc;
  }
  const curves = bestCurvesSvg(o.kind, best);
  if (curves) figures['best-curves'] = curves;

  const done = o.runs.filter((r) => r.status === 'done').length;
  const failed = o.runs.filter((r) => r.status === 'failed').length;
  let body = `<h1>${esc(o.title)}</h1><p><code>${esc(o.command)}</code></p>`;
  body += `<p>${o.runs.length} runs: ${done} done, ${failed} failed${o.runs.length - done - failed ? `, ${o.runs.length - done - failed} not finished` : ''}; ${configs.length} configurations.</p>`;
  body += `<h2>Best configuration of each optimizer</h2><table><tr><th class="l">optimizer</th><th class="l">configuration</th><th>lr</th><th>${esc(lossName)} (mean ± std)</th><th>seeds</th><th class="l">spec</th></tr>`;
  for (const c of best) {
    body += `<tr><td class="l">${esc(c.optimizer)}</td><td class="l">${esc(c.label)}</td><td>${c.lr !== undefined ? fmtValue(c.lr) : ''}</td><td>${pm(c)}</td><td>${c.seeds.length}</td><td class="l"><code>${esc(JSON.stringify(c.spec))}</code></td></tr>`;
  }
  body += '</table>';
  body += `<h2>Figures</h2><div class="charts">${Object.values(figures).join('')}</div>`;
  body += `<h2>Every configuration</h2><table><tr><th class="l">configuration</th><th>lr</th><th>${esc(lossName)} (mean ± std)</th><th>seeds</th></tr>`;
  for (const c of configs) body += `<tr><td class="l">${esc(c.label)}</td><td>${c.lr !== undefined ? fmtValue(c.lr) : ''}</td><td${Number.isFinite(c.mean) ? '' : ' class="no"'}>${pm(c)}</td><td>${c.seeds.join(', ')}</td></tr>`;
  body += '</table>';
  const errors = o.runs.filter((r) => r.status === 'failed');
  if (errors.length) {
    body += '<h2>Failed runs</h2><table><tr><th>run</th><th class="l">error</th></tr>';
    for (const r of errors) body += `<tr><td>${r.index}</td><td class="l">${esc(r.error ?? '')}</td></tr>`;
    body += '</table>';
  }
  body += `<p><small>descent sweep${o.createdAt ? ' · ' + esc(o.createdAt) : ''}</small></p>`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(o.title)}</title><style>${css}</style></head><body>${body}</body></html>\n`;
  return { configs, best, figures, html };
}
