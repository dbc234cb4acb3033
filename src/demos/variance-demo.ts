/** `descent demo variance`: minibatch gradient noise against B at three fixed weights, and equal-budget races. */
import { Rng } from '../tensor/rng.js';
import { lineChartSvg } from '../viz/index.js';
import { softmaxParamCount } from './linear-models.js';
import type { ClassData } from './linear-models.js';
import { budgetRace, defaultDraws, noiseCurve, trainSoftmax } from './variance.js';
import type { BudgetOptions, BudgetRun, NoiseCurve } from './variance.js';
import type { DemoPage, DemoSection } from './page.js';

/** A dataset of the variance demo: its name and rows, the race's budget in epochs and its lr grids. */
export interface VarianceDataset {
  name: string;
  data: ClassData;
  /** Epochs of the equal-budget race. */
  budgetEpochs: number;
  lrs: BudgetOptions['lrs'];
}

/** The noise curve at one stage of training: at the initial weights, after one epoch, or after ten. */
export interface VarianceStage {
  stage: 'initial' | 'mid-training' | 'trained';
  /** Minibatch-64 SGD steps taken before the weights were fixed. */
  stepsBefore: number;
  curve: NoiseCurve;
}

/** What {@link runVarianceOn} measured on one dataset: the noise curve at each stage and the equal-budget race. */
export interface VarianceResult {
  name: string;
  n: number;
  stages: VarianceStage[];
  budget: BudgetRun[];
  budgetEpochs: number;
}

/** The batch sizes B of the noise curves, powers of 2 from 1 to 1024. */
export const NOISE_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** Noise curves at the initial weights (N(0, 0.01²)), after one epoch and after ten of minibatch-64 SGD (lr 0.1), then the race. */
export function runVarianceOn(ds: VarianceDataset, seed: number): VarianceResult {
  const { data } = ds;
  const rng = new Rng(seed);
  const params = new Float64Array(softmaxParamCount(data.d, data.k)).map(() => rng.normal(0, 0.01));
  const epoch = Math.ceil(data.n / 64);
  const batches = NOISE_BATCHES.filter((b) => b <= data.n);
  const stages: VarianceStage[] = [];
  for (const [stage, steps] of [['initial', 0], ['mid-training', epoch], ['trained', 10 * epoch]] as const) {
    const done = stages.length ? stages[stages.length - 1].stepsBefore : 0;
    if (steps > done) trainSoftmax(params, data, { lr: 0.1, batch: 64, steps: steps - done, rng });
    stages.push({ stage, stepsBefore: steps, curve: noiseCurve(params, data, batches, defaultDraws, rng) });
  }
  const budget = budgetRace(data, { epochs: ds.budgetEpochs, minibatch: 64, lrs: ds.lrs, seed: seed + 1 });
  return { name: ds.name, n: data.n, stages, budget, budgetEpochs: ds.budgetEpochs };
}

/** The largest |measured − theory| / standard error over the B < N of a curve. */
export function worstZ(c: NoiseCurve): number {
  return Math.max(...c.points.filter((p) => p.batch < c.n).map((p) => Math.abs(p.measured - p.theory) / p.stdError));
}

function datasetSection(r: VarianceResult): DemoSection[] {
  const log2 = (b: number) => Math.log2(b);
  const series = r.stages.flatMap((s) => [
    { label: `${s.stage}: measured`, x: s.curve.points.map((p) => log2(p.batch)), y: s.curve.points.map((p) => p.measured), band: { lo: s.curve.points.map((p) => p.measured - 2 * p.stdError), hi: s.curve.points.map((p) => p.measured + 2 * p.stdError) } },
    { label: `${s.stage}: (N−B)/(N−1)·σ²/B`, x: s.curve.points.map((p) => log2(p.batch)), y: s.curve.points.map((p) => p.theory) },
  ]);
  const noiseChart = lineChartSvg({
    title: `${r.name} (N = ${r.n}): E‖g_B − g‖² against B, log-log`, xLabel: 'log₂ B', yLabel: 'E‖g_B − g‖²', logY: true, series,
  });
  const budgetCharts = [
    lineChartSvg({ title: `${r.name}: loss against examples seen (${r.budgetEpochs} epoch${r.budgetEpochs > 1 ? 's' : ''} each)`, xLabel: 'examples seen', yLabel: 'cross-entropy', logY: true, series: r.budget.map((b) => ({ label: `${b.label}, lr ${b.lr}`, x: b.examples, y: b.loss })) }),
    lineChartSvg({ title: `${r.name}: loss against wall time (training only)`, xLabel: 'seconds', yLabel: 'cross-entropy', logY: true, series: r.budget.map((b) => ({ label: `${b.label}, lr ${b.lr}`, x: b.seconds, y: b.loss })) }),
  ];
  return [
    {
      heading: `${r.name}: gradient noise against batch size`,
      text: [
        `Softmax regression on ${r.name} (all ${r.n} rows are the population). At each fixed weight vector, g is the full gradient and σ² = (1/N) Σ‖g_i − g‖²; for each B, minibatches drawn without replacement (256 up to B = 32, then 8192/B, at least 24) give the mean of ‖g_B − g‖² (the band: ±2 standard errors). σ²/B alone would be a straight line of slope −1 (the table lists it); the finite-population factor (N − B)/(N − 1) bends the formula down as B nears N, and the measurements follow it.`,
        ...r.stages.map((s) => `${s.stage} weights (${s.stepsBefore} steps of minibatch-64 SGD): σ² = ${s.curve.sigma2.toPrecision(4)}, ‖g‖² = ${s.curve.gradNorm2.toPrecision(4)}, fitted slope ${s.curve.slope.toFixed(3)} over B ≤ ${s.curve.fitUpTo}, largest |measured − formula| ${worstZ(s.curve).toFixed(2)} standard errors.`),
      ],
      figures: [noiseChart],
      tables: r.stages.map((s) => ({
        name: `noise-${r.name}-${s.stage}`,
        head: [`B (${s.stage})`, 'draws', 'measured', 'std error', '(N−B)/(N−1)·σ²/B', 'σ²/B', '(measured − formula)/std error'],
        rows: s.curve.points.map((p) => [p.batch, p.draws, p.measured, p.stdError, p.theory, p.naive, p.stdError > 0 ? ((p.measured - p.theory) / p.stdError).toFixed(2) : '—']),
      })),
    },
    {
      heading: `${r.name}: batch, minibatch and SGD at equal budgets`,
      text: [`Each method sees ${r.budgetEpochs} × N examples, at the lr of its grid with the lowest final loss (on all rows); the curves are the loss on the first ${Math.min(r.n, 2000)} rows. Per example seen, the noisy small batches get further: the full-batch gradient spends N examples on one step.`],
      figures: budgetCharts,
      tables: [{ name: `budget-${r.name}`, head: ['method', 'lr', 'steps', 'final loss (all rows)', 'training seconds'], rows: r.budget.map((b) => [b.label, b.lr, Math.ceil(r.budgetEpochs * r.n / b.batch), b.finalLoss, b.seconds[b.seconds.length - 1]]) }],
    },
  ];
}

/** The variance demo's page: per dataset, the noise against B beside (N − B)/(N − 1)·σ²/B, and the race; `command` is shown on it. */
export function variancePage(results: VarianceResult[], command: string): DemoPage {
  const slopes = results.flatMap((r) => r.stages.map((s) => s.curve.slope));
  const zs = results.flatMap((r) => r.stages.map((s) => worstZ(s.curve)));
  return {
    title: 'descent demo variance: gradient noise against batch size',
    command,
    claim: 'Lecture 002: the variance of the empirical risk is var(div)/N, so minibatch gradients get less noisy as the batch grows; drawn without replacement from N examples, E‖g_B − g‖² = (N − B)/(N − 1) · σ²/B.',
    verdict: `Measured on ${results.map((r) => `${r.name} (N = ${r.n})`).join(' and ')} at initial, mid-training and trained weights: log-log slopes for B ≪ N from ${Math.min(...slopes).toFixed(3)} to ${Math.max(...slopes).toFixed(3)}; every measured point within ${Math.max(...zs).toFixed(2)} standard errors of the finite-population formula.`,
    sections: results.flatMap(datasetSection),
  };
}
