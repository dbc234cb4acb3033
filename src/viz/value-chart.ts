/**
 * f against step (or against objective evaluations, on a log axis) for every run of one function race: the
 * chart of `descent compare`'s report and figures, and the lab's live loss plot. Runs keep their optimizer's
 * colour (optimizer-colors.ts).
 */
import { lineChartSvg } from './line-chart.js';
import { optimizerVariant, runColors } from './optimizer-colors.js';

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


/** A race's legend label: its own, and where it diverged. */
export function raceLabel(r: { label: string; divergedAt: number | null }): string {
  return r.divergedAt !== null ? `${r.label} (diverged at ${r.divergedAt})` : r.label;
}


/** A point as (x, y) with 5 significant digits. */
export function fmtPoint(p: number[]): string {
  return `(${p.map((v) => (Number.isFinite(v) ? String(Number(v.toPrecision(5))) : String(v))).join(', ')})`;
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
  chart: { title?: string; yLabel?: string; width?: number; height?: number; legendWidth?: number; against?: 'step' | 'evaluations'; legend?: boolean; xExtent?: [number, number] } = {},
): string {
  const byEvaluations = chart.against === 'evaluations';
  // values past 1000× the largest start value are left out (a diverging run would squash every other curve)
  const cap = 1e3 * Math.max(...s.results.map((q) => Math.abs(q.values[0])).filter((v) => Number.isFinite(v)), 1e-300);
  const colors = colorsOf(s.results);
  return lineChartSvg({
    series: s.results.map((r, i) => ({
      label: raceLabel(r),
      // on the log axis of evaluations the start (0 evaluations made before it) sits at 1: f(x0) costs one
      x: byEvaluations ? (r.pathEvaluations ?? r.pathSteps).map((e) => Math.max(1, e)) : r.pathSteps,
      y: r.values.map((v) => (Math.abs(v) > cap ? NaN : v)),
      color: colors[i],
      key: r.key,
      diverged: r.divergedAt !== null,
    })),
    xLabel: byEvaluations ? 'objective evaluations (f and ∇f)' : s.results.some((r) => (r as { kind?: string }).kind === 'search') ? 'step (iteration for search methods)' : 'step',
    yLabel: chart.yLabel ?? 'f(x)',
    logY,
    logX: byEvaluations,
    title: chart.title ?? `${s.fn} from ${fmtPoint(s.x0)}: f against ${byEvaluations ? 'evaluations' : 'step'}`,
    width: chart.width,
    height: chart.height,
    legendWidth: chart.legendWidth,
    legend: chart.legend,
    xExtent: chart.xExtent,
  });
}

