/**
 * The loss curve of a run folder (`descent train --out DIR` → loss-curve.svg): train loss and, with
 * validation rows, validation loss against epoch, one line each, drawn by src/viz's line chart (on a log axis
 * when the losses span more than a decade).
 */
import { lineChartSvg, type LineSeries } from './line-chart.js';
import type { EpochMetrics } from '../train/trainer.js';

/**
 * The loss-curve SVG of a run from its per-epoch metrics (the `history` of {@link train!train | train} or {@link train!Trainer | Trainer}):
 * train loss, and validation loss when the epochs have it, against epoch; `title` heads it ("TITLE: loss per epoch").
 */
export function lossCurveSvg(history: EpochMetrics[], title: string): string {
  const x = history.map((m) => m.epoch);
  const series: LineSeries[] = [{ label: 'train loss', x, y: history.map((m) => m.trainLoss) }];
  if (history.some((m) => m.valLoss !== undefined)) series.push({ label: 'validation loss', x, y: history.map((m) => m.valLoss ?? NaN) });
  // a log axis once the losses span more than a decade: a linear one squashes every epoch after the first few
  const ys = series.flatMap((se) => se.y).filter((v) => Number.isFinite(v));
  const logY = ys.length > 0 && Math.min(...ys) > 0 && Math.max(...ys) / Math.min(...ys) > 10;
  return lineChartSvg({ series, xLabel: 'epoch', yLabel: 'loss', logY, title: `${title}: loss per epoch` });
}
