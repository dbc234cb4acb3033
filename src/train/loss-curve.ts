/**
 * The loss curve of a run folder (`descent train --out DIR` → loss-curve.svg): train loss and, with
 * validation rows, validation loss against epoch, one line each, drawn by src/viz's line chart.
 */
import { lineChartSvg, type LineSeries } from '../viz/line-chart.js';
import type { EpochMetrics } from './trainer.js';

export function lossCurveSvg(history: EpochMetrics[], title: string): string {
  const x = history.map((m) => m.epoch);
  const series: LineSeries[] = [{ label: 'train loss', x, y: history.map((m) => m.trainLoss) }];
  if (history.some((m) => m.valLoss !== undefined)) series.push({ label: 'validation loss', x, y: history.map((m) => m.valLoss ?? NaN) });
  return lineChartSvg({ series, xLabel: 'epoch', yLabel: 'loss', title: `${title}: loss per epoch` });
}
