/**
 * `descent demo boltzmann`: an RBM on binarized 8×8 digits trained by CD-1, CD-5 and persistent CD-1, with
 * descent's SGD (momentum 0.9) stepping the parameters under a cosine schedule; reconstruction error and
 * pseudo-log-likelihood per epoch, the filters, Gibbs samples, and the hidden units' probabilities as the
 * input of a softmax classifier against the raw pixels (lecture 003's pre-training story).
 */
import { Rng } from '../tensor/rng.js';
import { createOptimizer } from '../optim/index.js';
import { createSchedule } from '../schedule/index.js';
import { lineChartSvg } from '../viz/index.js';
import { imageGridSvg } from './images.js';
import { iota, softmaxAccuracy, softmaxParamCount } from './linear-models.js';
import type { ClassData } from './linear-models.js';
import { cdGradient, createCd, createRbm, hiddenProbs, pseudoLogLikelihood, reconstructionError, visibleProbs } from './rbm.js';
import type { Rbm } from './rbm.js';
import { firstRowsOf } from './rows.js';
import { trainSoftmax } from './variance.js';
import type { DemoPage } from './page.js';

/** One RBM's training in the boltzmann demo: how it was trained (CD-k or PCD-k), the model, and its metrics per epoch. */
export interface RbmTraining {
  label: string;
  k: number;
  persistent: boolean;
  rbm: Rbm;
  /** Per epoch (index 0 = before training). */
  reconstruction: number[];
  pll: number[];
  heldOutPll: number[];
  lr: number[];
}

/** A softmax probe of a feature table: the input, its width, the lr picked on validation rows, and its accuracies. */
export interface ClassifierResult {
  input: string;
  features: number;
  lr: number;
  validationAccuracy: number;
  testAccuracy: number;
}

/** What {@link runBoltzmannDemo} measured: the settings, the row split, each RBM's training, Gibbs samples and the probes. */
export interface BoltzmannDemoResult {
  hidden: number;
  epochs: number;
  batch: number;
  baseLr: number;
  rows: { train: number; validation: number; test: number };
  runs: RbmTraining[];
  samples: Float64Array[];
  classifiers: ClassifierResult[];
}

/** Settings of {@link runBoltzmannDemo}: the digits, the seed, hidden units (default 64) and epochs (default 20). */
export interface BoltzmannDemoOptions {
  /** Digits with pixels in [0, 1]: binarized at 0.5. */
  data: ClassData;
  seed?: number;
  hidden?: number;
  epochs?: number;
}

/** Pixels above 0.5 become 1, the rest 0. */
export function binarize(data: ClassData): ClassData {
  return { ...data, x: Float64Array.from(data.x as ArrayLike<number>, (v) => (v > 0.5 ? 1 : 0)) };
}

/** Rows of each part the pseudo-log-likelihood is measured on. */
export const PLL_ROWS = 300;

/** One RBM trained by CD-k or PCD-k, minibatches from a fresh permutation each epoch; metrics per epoch. */
export function trainRbm(train: ClassData, heldOut: ClassData, o: { label: string; hidden: number; k: number; persistent: boolean; epochs: number; batch: number; lr: number; seed: number }): RbmTraining {
  const rng = new Rng(o.seed);
  const rbm = createRbm(train.d, o.hidden, rng);
  const grads = new Float64Array(rbm.params.length);
  const opt = createOptimizer('sgd', { params: rbm.params, grads }, { lr: o.lr, momentum: 0.9 });
  const schedule = createSchedule(`cosine:tMax=${o.epochs}`, o.lr);
  const cd = createCd(rbm, o.k, o.persistent, o.batch, rng);
  const order = iota(train.n);
  const out: RbmTraining = { label: o.label, k: o.k, persistent: o.persistent, rbm, reconstruction: [], pll: [], heldOutPll: [], lr: [] };
  const measure = () => {
    out.reconstruction.push(reconstructionError(rbm, train.x, train.n));
    // the pseudo-likelihood on at most 300 rows of each part: it costs V·H softplus evaluations a row
    out.pll.push(pseudoLogLikelihood(rbm, train.x, Math.min(train.n, PLL_ROWS)));
    out.heldOutPll.push(pseudoLogLikelihood(rbm, heldOut.x, Math.min(heldOut.n, PLL_ROWS)));
  };
  measure();
  for (let e = 0; e < o.epochs; e++) {
    out.lr.push(schedule.lr);
    opt.paramGroups[0].options.lr = schedule.lr;
    rng.shuffle(order);
    for (let s = 0; s + o.batch <= train.n; s += o.batch) {
      cdGradient(rbm, cd, train.x, order, s, o.batch, grads, rng);
      opt.step();
    }
    schedule.step();
    measure();
  }
  return out;
}

/** Each row's hidden probabilities p(h | v) as a new feature table. */
export function rbmFeatures(rbm: Rbm, data: ClassData): ClassData {
  const x = new Float64Array(data.n * rbm.hidden), ph = new Float64Array(rbm.hidden);
  for (let r = 0; r < data.n; r++) x.set(hiddenProbs(rbm, (data.x as Float64Array).subarray(r * data.d, (r + 1) * data.d), ph), r * rbm.hidden);
  return { ...data, x, d: rbm.hidden };
}

/** Softmax regression (minibatch 16 SGD, 30 epochs) at each lr of a grid; the lr with the best validation accuracy is reported on test. */
export function softmaxProbe(input: string, train: ClassData, val: ClassData, test: ClassData, seed: number): ClassifierResult {
  let best: ClassifierResult | null = null;
  for (const lr of [0.03, 0.1, 0.3, 1]) {
    const params = new Float64Array(softmaxParamCount(train.d, train.k));
    trainSoftmax(params, train, { lr, batch: 16, steps: 30 * Math.floor(train.n / 16), rng: new Rng(seed) });
    const va = softmaxAccuracy(params, val, iota(val.n), 0, val.n);
    if (!best || va > best.validationAccuracy) best = { input, features: train.d, lr, validationAccuracy: va, testAccuracy: softmaxAccuracy(params, test, iota(test.n), 0, test.n) };
  }
  return best as ClassifierResult;
}

/** Gibbs chains from random visible states: `steps` alternations, the final p(v | h) of each. */
export function gibbsSamples(rbm: Rbm, chains: number, steps: number, rng: Rng): Float64Array[] {
  const v = new Float64Array(rbm.visible), h = new Float64Array(rbm.hidden), ph = new Float64Array(rbm.hidden), pv = new Float64Array(rbm.visible);
  const out: Float64Array[] = [];
  for (let c = 0; c < chains; c++) {
    for (let i = 0; i < v.length; i++) v[i] = rng.uniform() < 0.5 ? 1 : 0;
    for (let s = 0; s < steps; s++) {
      hiddenProbs(rbm, v, ph);
      for (let j = 0; j < h.length; j++) h[j] = rng.uniform() < ph[j] ? 1 : 0;
      visibleProbs(rbm, h, pv);
      for (let i = 0; i < v.length; i++) v[i] = rng.uniform() < pv[i] ? 1 : 0;
    }
    out.push(pv.slice());
  }
  return out;
}

/**
 * `descent demo boltzmann`: RBMs on binarized digits trained by CD-1, CD-5 and PCD-1 (60/20/20 split of the rows),
 * their reconstruction error and pseudo-log-likelihood per epoch, Gibbs samples, and softmax probes of raw pixels
 * against each RBM's hidden probabilities.
 */
export function runBoltzmannDemo(o: BoltzmannDemoOptions): BoltzmannDemoResult {
  const seed = o.seed ?? 0, hidden = o.hidden ?? 64, epochs = o.epochs ?? 20, batch = 20, lr = 0.05;
  const bin = binarize(o.data);
  const nTrain = Math.round(bin.n * 0.6), nVal = Math.round(bin.n * 0.2);
  const train = firstRowsOf(bin, nTrain);
  const val = { ...bin, n: nVal, x: (bin.x as Float64Array).subarray(nTrain * bin.d, (nTrain + nVal) * bin.d), y: (bin.y as Float64Array).subarray(nTrain, nTrain + nVal) };
  const test = { ...bin, n: bin.n - nTrain - nVal, x: (bin.x as Float64Array).subarray((nTrain + nVal) * bin.d), y: (bin.y as Float64Array).subarray(nTrain + nVal) };
  const runs = [
    trainRbm(train, val, { label: 'CD-1', hidden, k: 1, persistent: false, epochs, batch, lr, seed }),
    trainRbm(train, val, { label: 'CD-5', hidden, k: 5, persistent: false, epochs, batch, lr, seed }),
    trainRbm(train, val, { label: 'PCD-1', hidden, k: 1, persistent: true, epochs, batch, lr, seed }),
  ];
  const samples = gibbsSamples(runs[2].rbm, 10, 1000, new Rng(seed + 7));
  const classifiers = [softmaxProbe('raw binarized pixels', train, val, test, seed)];
  for (const r of runs) classifiers.push(softmaxProbe(`${r.label} RBM features p(h | v)`, rbmFeatures(r.rbm, train), rbmFeatures(r.rbm, val), rbmFeatures(r.rbm, test), seed));
  return { hidden, epochs, batch, baseLr: lr, rows: { train: train.n, validation: val.n, test: test.n }, runs, samples, classifiers };
}

/** The boltzmann demo's page: training curves, filters, samples and the probes' table; `command` is shown on it. */
export function boltzmannPage(r: BoltzmannDemoResult, command: string): DemoPage {
  const side = Math.round(Math.sqrt(r.runs[0].rbm.visible));
  const ep = (v: number[]) => v.map((_x, i) => i);
  const raw = r.classifiers[0];
  const bestRbm = r.classifiers.slice(1).reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a));
  const wins = bestRbm.testAccuracy > raw.testAccuracy;
  const filters = (run: RbmTraining) => {
    const { visible: V, hidden: H, params } = run.rbm;
    return imageGridSvg({
      title: `${run.label}: the first 32 filters (W's columns; red +, blue −)`, side, columns: 8, cell: 7, scale: 'diverging',
      tiles: Array.from({ length: Math.min(32, H) }, (_v, j) => ({ pixels: Array.from({ length: V }, (_u, i) => params[i * H + j]) })),
    });
  };
  const first = r.runs[0];
  return {
    title: 'descent demo boltzmann: a restricted Boltzmann machine on digits',
    command,
    claim: 'Lecture 003: the Boltzmann machine learns a distribution over visible units through hidden units; the restricted one (RBM), trained by contrastive divergence, gives the features used for layer-wise pre-training.',
    verdict: `Measured: reconstruction error ${first.reconstruction[0].toFixed(4)} → ${first.reconstruction[first.reconstruction.length - 1].toFixed(4)} (CD-1, ${r.epochs} epochs), held-out pseudo-log-likelihood per pixel ${first.heldOutPll[0].toFixed(4)} → ${first.heldOutPll[first.heldOutPll.length - 1].toFixed(4)}; softmax test accuracy ${(bestRbm.testAccuracy * 100).toFixed(1)}% on ${bestRbm.input} against ${(raw.testAccuracy * 100).toFixed(1)}% on the raw pixels: ${wins ? 'the RBM features win' : 'the RBM features do not beat the raw pixels here'}.`,
    sections: [
      {
        heading: 'training',
        text: [
          `Digits binarized at half intensity (8×8, 64 visible units), ${r.hidden} hidden units; the first ${r.rows.train} rows train, the next ${r.rows.validation} pick the classifiers' lr and give the held-out pseudo-likelihood, the last ${r.rows.test} test. Each RBM: minibatches of ${r.batch}, descent's sgd (momentum 0.9) at lr ${r.baseLr} under a cosine schedule over ${r.epochs} epochs, the gradient estimated by CD-1 and CD-5 (one or five Gibbs steps from each data row) or PCD-1 (persistent chains, one per minibatch row, one step per update).`,
          'Reconstruction error: mean squared error per pixel of the mean-field reconstruction v → p(h | v) → p(v | h). Pseudo-log-likelihood: Σ_i log p(v_i | v_−i) per pixel, exact from free-energy differences, on the first 300 rows of the training and of the held-out part.',
        ],
        figures: [
          lineChartSvg({ title: 'reconstruction error (training rows)', xLabel: 'epoch', yLabel: 'MSE per pixel', logY: true, series: r.runs.map((x) => ({ label: x.label, x: ep(x.reconstruction), y: x.reconstruction })) }),
          lineChartSvg({ title: 'pseudo-log-likelihood per pixel', xLabel: 'epoch', yLabel: 'PLL / pixel', series: r.runs.flatMap((x) => [{ label: `${x.label} train`, x: ep(x.pll), y: x.pll }, { label: `${x.label} held out`, x: ep(x.heldOutPll), y: x.heldOutPll }]) }),
        ],
        tables: [{ name: 'rbm', head: ['training', 'reconstruction error: start', 'end', 'train PLL: start', 'end', 'held-out PLL: start', 'end'], rows: r.runs.map((x) => [x.label, x.reconstruction[0], x.reconstruction[x.reconstruction.length - 1], x.pll[0], x.pll[x.pll.length - 1], x.heldOutPll[0], x.heldOutPll[x.heldOutPll.length - 1]]) }],
      },
      {
        heading: 'filters and samples',
        text: ['Each hidden unit\'s weights to the 64 pixels drawn as an image; and ten Gibbs chains of the PCD-1 machine started from random pixels, after 1,000 steps (p(v | h) shown).'],
        figures: [...r.runs.filter((x) => x.label !== 'CD-5').map(filters), imageGridSvg({ title: 'Gibbs samples (PCD-1, 1,000 steps)', side, columns: 10, cell: 7, tiles: r.samples.map((s) => ({ pixels: s })) })],
      },
      {
        heading: 'RBM features as classifier input',
        text: [`Softmax regression (minibatch 16, 30 epochs, lr picked on the validation rows) on the raw binarized pixels and on each RBM's hidden probabilities. ${wins ? `The best RBM features (${bestRbm.input}) beat the raw pixels on the test rows.` : `Honestly: on these 8×8 digits the RBM features (best: ${bestRbm.input}) do not beat the raw pixels on the test rows; a linear classifier already separates the raw digits well, and pre-training pays off with deep nets and little labelled data rather than here.`}`],
        tables: [{ name: 'classifiers', head: ['input', 'features', 'lr', 'validation accuracy', 'test accuracy'], rows: r.classifiers.map((c) => [c.input, c.features, c.lr, c.validationAccuracy, c.testAccuracy]) }],
      },
    ],
  };
}
