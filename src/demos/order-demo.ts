/** `descent demo order`: cyclic, class-sorted and reshuffled SGD over seeds, and the clotting experiment, as a report page. */
import { lineChartSvg } from '../viz/index.js';
import { meanStd } from '../report/index.js';
import { clottingRun, ORDER_KINDS, orderRun } from './order.js';
import type { ClotRun, OrderKind, OrderRun } from './order.js';
import { firstRowsOf, lastRowsOf } from './rows.js';
import type { ClassData } from './linear-models.js';
import { correlation, mean, sampleStd } from './stats.js';
import type { DemoPage } from './page.js';

/** Settings of {@link runOrderDemo}: the digits, the first seed and how many (default 5), epochs (default 10), lr (default 0.1), and the clotting experiment's size. */
export interface OrderDemoOptions {
  /** Digits pixels in [0, 1]; the first 80% of rows train, the rest are held out. */
  data: ClassData;
  seed?: number;
  seeds?: number;
  epochs?: number;
  lr?: number;
  /** Rows of the clotting experiment (default 300) and its epochs (default 20). */
  clotRows?: number;
  clotEpochs?: number;
}

/** What {@link runOrderDemo} measured: every order's runs over the seeds, and the clotting runs per k and method. */
export interface OrderDemoResult {
  lr: number;
  epochs: number;
  trainRows: number;
  valRows: number;
  seeds: number[];
  runs: Record<OrderKind, OrderRun[]>;
  clotRows: number;
  clotting: ClotRun[];
  clotLr: { 'full-batch': number; incremental: number };
}

/** The repeat counts k of the clotting experiment (each row repeated k times). */
export const CLOT_KS = [1, 4, 16];

/**
 * `descent demo order`: single-example SGD on softmax regression over digits in cyclic, sorted and random order
 * (several seeds), and full-batch against incremental descent on rows repeated k ∈ {@link CLOT_KS} times.
 */
export function runOrderDemo(o: OrderDemoOptions): OrderDemoResult {
  const seed = o.seed ?? 0, seedCount = o.seeds ?? 5, epochs = o.epochs ?? 10, lr = o.lr ?? 0.1;
  const nTrain = Math.round(o.data.n * 0.8);
  const train = firstRowsOf(o.data, nTrain), val = lastRowsOf(o.data, o.data.n - nTrain);
  const seeds = Array.from({ length: seedCount }, (_v, i) => seed + i);
  const runs = {} as Record<OrderKind, OrderRun[]>;
  for (const order of ORDER_KINDS) {
    // the within-epoch curves (40 loss evaluations an epoch) only for the first seed: they cost as much as training
    runs[order] = seeds.map((s, i) => orderRun(train, val, { order, epochs, lr, seed: s, traceEpochs: i === 0 ? 3 : 0 }));
  }
  const clotRows = Math.min(o.clotRows ?? 300, o.data.n), clotEpochs = o.clotEpochs ?? 20;
  const clotLr = { 'full-batch': 1, incremental: 0.05 } as const;
  const small = firstRowsOf(o.data, clotRows);
  const clotting: ClotRun[] = [];
  for (const k of CLOT_KS) for (const m of ['full-batch', 'incremental'] as const) clotting.push(clottingRun(small, k, m, { epochs: clotEpochs, lr: clotLr[m], seed }));
  return { lr, epochs, trainRows: train.n, valRows: val.n, seeds, runs, clotRows, clotting, clotLr };
}

/** Mean and sample std over seeds of one order's final figures. */
export function orderSummary(r: OrderDemoResult, order: OrderKind): { loss: number; lossStd: number; accuracy: number; valLoss: number; valAccuracy: number } {
  const rs = r.runs[order];
  return {
    loss: mean(rs.map((x) => x.finalLoss)), lossStd: sampleStd(rs.map((x) => x.finalLoss)),
    accuracy: mean(rs.map((x) => x.finalAccuracy)), valLoss: mean(rs.map((x) => x.valLoss)), valAccuracy: mean(rs.map((x) => x.valAccuracy)),
  };
}

/**
 * The cyclic pattern in numbers: the correlation between the per-step losses of epochs 2 and 3 of the first
 * seed, position by position. A fixed order meets the same example at the same step of every epoch, so the
 * sequences repeat; a fresh permutation puts different examples there.
 */
export function epochRepeat(r: OrderDemoResult, order: OrderKind): number {
  const run = r.runs[order][0], n = r.trainRows;
  return correlation(run.stepLoss.slice(n, 2 * n), run.stepLoss.slice(2 * n, 3 * n));
}

/** The order demo's page: the loss bands per order, the per-step traces and the clotting figures; `command` is shown on it. */
export function orderPage(r: OrderDemoResult, command: string): DemoPage {
  const first = (order: OrderKind) => r.runs[order][0];
  const epochsX = Array.from({ length: r.epochs }, (_v, i) => i + 1);
  const bands = ORDER_KINDS.map((order) => {
    const { mean: m, std } = meanStd(r.runs[order].map((x) => x.epochLoss));
    return { label: order, x: epochsX, y: m, band: { lo: m.map((v, i) => v - std[i]), hi: m.map((v, i) => v + std[i]) } };
  });
  // the loss of each example as it is used, averaged over windows of 20 steps: the period of the order shows
  const smooth = (v: number[], w: number) => Array.from({ length: Math.floor(v.length / w) }, (_x, i) => mean(v.slice(i * w, (i + 1) * w)));
  const rnd = orderSummary(r, 'random'), cyc = orderSummary(r, 'cyclic'), srt = orderSummary(r, 'sorted');
  const clotSeries = (against: 'epoch' | 'examples') => r.clotting.map((c) => ({ label: `${c.method}, k = ${c.k}`, x: against === 'epoch' ? c.loss.map((_v, i) => i) : c.examples, y: c.loss }));
  const clot = (m: ClotRun['method'], k: number) => r.clotting.find((c) => c.method === m && c.k === k) as ClotRun;
  const lastOf = (c: ClotRun) => c.loss[c.loss.length - 1];
  return {
    title: 'descent demo order: sample order and data clotting',
    command,
    claim: 'Lecture 002: "If we loop through the samples in the same order, we may get cyclic behavior", so the order is randomly permuted every epoch; and "extreme instance of data clotting: all the training instances are exactly the same": incremental updates help when the data is redundant.',
    verdict: `Measured over ${r.seeds.length} seeds after ${r.epochs} epochs: final training loss ${rnd.loss.toFixed(4)} (random permutation each epoch) against ${cyc.loss.toFixed(4)} (fixed cyclic order) and ${srt.loss.toFixed(4)} (sorted by class); the per-step loss of epoch 2 correlates ${epochRepeat(r, 'cyclic').toFixed(2)} with epoch 3's under the fixed order, ${epochRepeat(r, 'random').toFixed(2)} under reshuffling. Clotting: after ${clot('full-batch', 1).loss.length - 1} epochs full-batch GD ends at ${lastOf(clot('full-batch', 16)).toFixed(3)} whatever k, incremental SGD at ${lastOf(clot('incremental', 1)).toFixed(3)} (k = 1), ${lastOf(clot('incremental', 4)).toFixed(3)} (k = 4), ${lastOf(clot('incremental', 16)).toFixed(3)} (k = 16).`,
    sections: [
      {
        heading: 'three orders',
        text: [
          `Softmax regression on digits (pixels / 16; the first ${r.trainRows} rows train, the last ${r.valRows} are held out), single-example SGD at lr ${r.lr} from zero weights for ${r.epochs} epochs. cyclic: one permutation drawn from the seed and reused every epoch; sorted: all 0s, then all 1s, ...; random: a fresh permutation each epoch. Seeds ${r.seeds.join(', ')}.`,
          `The last column measures the cycle: the correlation, step by step, of the loss of the example used in epoch 2 with that in epoch 3 (seed ${r.seeds[0]}): ${epochRepeat(r, 'cyclic').toFixed(2)} for the fixed cyclic order, ${epochRepeat(r, 'sorted').toFixed(2)} sorted, ${epochRepeat(r, 'random').toFixed(2)} for a fresh permutation.`,
          'Within an epoch the class-sorted order drags the model to the class it is reading: the training loss climbs and falls with the same period every epoch, and the epoch ends with the model tuned to the last class. The fixed cyclic order nearly repeats its pattern each epoch (SGD with a constant lr and a fixed order settles into a cycle); the reshuffled order does not.',
        ],
        figures: [
          lineChartSvg({ title: `training loss within the first 3 epochs (seed ${r.seeds[0]})`, xLabel: 'step', yLabel: 'training loss (all rows)', logY: true, series: ORDER_KINDS.map((o) => ({ label: o, x: first(o).curveSteps, y: first(o).curve })) }),
          lineChartSvg({ title: `loss of the example used, mean of 20 steps (seed ${r.seeds[0]})`, xLabel: 'step', yLabel: 'per-step loss', logY: true, series: ORDER_KINDS.map((o) => { const y = smooth(first(o).stepLoss, 20); return { label: o, x: y.map((_v, i) => (i + 1) * 20), y }; }) }),
          lineChartSvg({ title: `training loss at each epoch's end, mean ± std over ${r.seeds.length} seeds`, xLabel: 'epoch', yLabel: 'training loss', logY: true, series: bands }),
        ],
        tables: [{
          name: 'orders',
          head: ['order', 'final train loss (mean)', 'std over seeds', 'train accuracy', 'held-out loss', 'held-out accuracy', 'final loss per seed', 'per-step loss, epoch 2 vs 3 (correlation)'],
          rows: ORDER_KINDS.map((o) => { const s = orderSummary(r, o); return [o, s.loss, s.lossStd, s.accuracy, s.valLoss, s.valAccuracy, r.runs[o].map((x) => x.finalLoss.toFixed(4)).join(', '), epochRepeat(r, o)]; }),
        }],
      },
      {
        heading: 'clotting: every row repeated k times',
        text: [`The first ${r.clotRows} digits, every row repeated k = ${CLOT_KS.join(', ')} times. Full-batch gradient descent (lr ${r.clotLr['full-batch']}) computes exactly the same gradient for every k, so per epoch its curves coincide and per example seen it is k times slower; incremental SGD (lr ${r.clotLr.incremental}, a fresh permutation each epoch) takes k times as many steps per epoch and gets that much further per epoch, at about the same progress per example seen. The loss is measured on the original rows.`],
        figures: [
          lineChartSvg({ title: 'loss against epochs', xLabel: 'epoch', yLabel: 'training loss', logY: true, series: clotSeries('epoch') }),
          lineChartSvg({ title: 'loss against examples seen', xLabel: 'examples seen', yLabel: 'training loss', logY: true, series: clotSeries('examples') }),
        ],
        tables: [{ name: 'clotting', head: ['method', 'k', 'lr', 'loss after 1 epoch', 'loss after the last epoch', 'examples seen'], rows: r.clotting.map((c) => [c.method, c.k, c.lr, c.loss[1], lastOf(c), c.examples[c.examples.length - 1]]) }],
      },
    ],
  };
}
