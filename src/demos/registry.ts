/**
 * The demos of `descent demo NAME`: each takes a seed and the datasets it needs (the caller loads them, so
 * this stays browser-safe) and returns its report page and a summary of the measured figures.
 */
import { inputError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import type { ClassData } from './linear-models.js';
import { demoPageHtml } from './page.js';
import type { DemoPage } from './page.js';
import { hopfieldPage, recallAt, runHopfieldDemo } from './hopfield-demo.js';
import { bestRun, runSparseDemo, sparsePage } from './sparse-demo.js';
import { firstRowsOf } from './rows.js';
import { boltzmannPage, runBoltzmannDemo } from './boltzmann-demo.js';
import { epochRepeat, orderPage, orderSummary, runOrderDemo } from './order-demo.js';
import { runVarianceOn, variancePage, worstZ } from './variance-demo.js';

/** The datasets a demo may need, loaded by its caller (the CLI reads them from disk, a page fetches them). */
export type DemoDatasetName = 'digits' | 'mnist';

/** What a demo runs on: the seed of every draw, and the datasets it named in {@link DemoSpec.needs}. */
export interface DemoInputs {
  seed: number;
  /** The datasets the demo named in `needs`, as loaded by the caller. */
  data: Partial<Record<DemoDatasetName, Dataset>>;
}

/** What a demo produces: its page (figures, tables, the claim and the verdict) and the measured figures. */
export interface DemoOutput {
  page: DemoPage;
  /** The measured figures, JSON-serialisable. */
  summary: Record<string, unknown>;
}

/** One lecture demo of `descent demo NAME`: its name, a one-line description, the datasets it needs, and its run. */
export interface DemoSpec {
  name: string;
  description: string;
  /** The datasets the caller must load and pass in {@link DemoInputs.data}. */
  needs: DemoDatasetName[];
  /** Runs the demo (deterministic for a seed) and builds its page. */
  run(inputs: DemoInputs): DemoOutput;
}

/**
 * A loaded dataset as the demos' class data (float64), pixels divided by `scale` (digits: 16, MNIST: already
 * in [0, 1]); only the first `rows` rows are copied (all by default).
 */
export function classData(ds: Dataset, scale = 1, rows = ds.n): ClassData {
  const n = Math.min(rows, ds.n);
  const x = new Float64Array(n * ds.d);
  for (let i = 0; i < x.length; i++) x[i] = ds.x[i] / scale;
  return { x, y: ds.y.slice(0, n), n, d: ds.d, k: ds.numClasses };
}

/** The first `rows` rows (views, no copy). */
export const firstRows = firstRowsOf;

/** Rows of MNIST the variance demo uses: all of `mnist-small` (10,000), or the first 10,000 of a larger set. */
export const VARIANCE_MNIST_ROWS = 10000;

function need(inputs: DemoInputs, name: DemoDatasetName): Dataset {
  const ds = inputs.data[name];
  if (!ds) throw inputError(`demo: the dataset '${name}' was not given`);
  return ds;
}

/** Every lecture demo by name (`descent demo sparse`, ...); docs/lectures.md says what each shows. */
export const demos: Record<string, DemoSpec> = {
  sparse: {
    name: 'sparse',
    description: 'rare features: SGD, momentum, Adagrad, RMSProp, Adam on logistic data with rare binary features (lecture 001)',
    needs: [],
    run({ seed }) {
      const r = runSparseDemo({ seed });
      const sgd = bestRun(r, 'sgd'), ada = bestRun(r, 'adagrad');
      return {
        page: sparsePage(r, ''),
        summary: {
          steps: r.steps,
          best: r.best.map((b) => ({ label: b.label, lr: b.lr, finalLoss: b.finalLoss, finalRareError: b.rareError[b.rareError.length - 1], effectiveLrFrequent: b.effectiveLrFrequent, effectiveLrRare: b.effectiveLrRare })),
          claim: { adagradRareError: ada.rareError[ada.rareError.length - 1], sgdRareError: sgd.rareError[sgd.rareError.length - 1] },
        },
      };
    },
  },
  variance: {
    name: 'variance',
    description: 'gradient noise E‖g_B − g‖² against batch size B on digits and MNIST, and equal-budget races (lecture 002)',
    needs: ['digits', 'mnist'],
    run(inputs) {
      const results = [
        runVarianceOn({ name: 'digits', data: classData(need(inputs, 'digits'), 16), budgetEpochs: 5, lrs: { batch: [1, 3, 10], minibatch: [0.3, 1, 3], sgd: [0.03, 0.1, 0.3] } }, inputs.seed),
        runVarianceOn({ name: 'mnist', data: classData(need(inputs, 'mnist'), 1, VARIANCE_MNIST_ROWS), budgetEpochs: 1, lrs: { batch: [1, 3, 10], minibatch: [0.3, 1, 3], sgd: [0.003, 0.01, 0.03] } }, inputs.seed),
      ];
      return {
        page: variancePage(results, ''),
        summary: {
          datasets: results.map((r) => ({
            name: r.name, n: r.n,
            stages: r.stages.map((s) => ({ stage: s.stage, sigma2: s.curve.sigma2, slope: s.curve.slope, fitUpTo: s.curve.fitUpTo, worstZ: worstZ(s.curve), points: s.curve.points })),
            budget: r.budget.map((b) => ({ label: b.label, lr: b.lr, finalLoss: b.finalLoss, seconds: b.seconds[b.seconds.length - 1] })),
          })),
        },
      };
    },
  },
  order: {
    name: 'order',
    description: 'SGD in a fixed cyclic, a class-sorted and a reshuffled order over seeds, and data clotting (lecture 002)',
    needs: ['digits'],
    run(inputs) {
      const r = runOrderDemo({ data: classData(need(inputs, 'digits'), 16), seed: inputs.seed });
      return {
        page: orderPage(r, ''),
        summary: {
          lr: r.lr, epochs: r.epochs, seeds: r.seeds,
          orders: Object.fromEntries((['cyclic', 'sorted', 'random'] as const).map((o) => [o, { ...orderSummary(r, o), finalLossPerSeed: r.runs[o].map((x) => x.finalLoss), epochRepeat: epochRepeat(r, o) }])),
          clotting: r.clotting.map((c) => ({ method: c.method, k: c.k, lr: c.lr, loss: c.loss, examples: c.examples })),
        },
      };
    },
  },
  hopfield: {
    name: 'hopfield',
    description: 'Hopfield associative memory: Hebbian storage, asynchronous recall, energy, capacity (lecture 003)',
    needs: ['digits'],
    run(inputs) {
      const r = runHopfieldDemo({ seed: inputs.seed, digits: classData(need(inputs, 'digits')) });
      return {
        page: hopfieldPage(r, ''),
        summary: {
          n: r.n,
          capacity: r.capacity,
          claim: { recallAt005: recallAt(r, 0.05).recall, recallAt025: recallAt(r, 0.25).recall, energyRises: r.traces.reduce((a, t) => a + t.rises, 0) },
          digits: r.digits ? { classes: r.digits.classes, overlaps: r.digits.overlaps } : null,
        },
      };
    },
  },
  boltzmann: {
    name: 'boltzmann',
    description: 'a restricted Boltzmann machine on binarized digits by CD-1 and persistent CD, its filters, samples and features (lecture 003)',
    needs: ['digits'],
    run(inputs) {
      const r = runBoltzmannDemo({ data: classData(need(inputs, 'digits'), 16), seed: inputs.seed });
      return {
        page: boltzmannPage(r, ''),
        summary: {
          hidden: r.hidden, epochs: r.epochs, rows: r.rows,
          runs: r.runs.map((x) => ({ label: x.label, reconstruction: x.reconstruction, pll: x.pll, heldOutPll: x.heldOutPll })),
          classifiers: r.classifiers,
        },
      };
    },
  },
};

/** The demo names, in the order the lectures meet them. */
export const demoNames: readonly string[] = ['sparse', 'variance', 'order', 'hopfield', 'boltzmann'].filter((n) => Object.hasOwn(demos, n));

/** The demo named `name`, or an input error listing the known names. */
export function demoSpec(name: string): DemoSpec {
  if (!Object.hasOwn(demos, name)) throw inputError(`unknown demo '${name}'; expected one of: ${demoNames.join(', ')}`);
  return demos[name];
}

/** Runs one demo and renders its page (the command line shown on the page is `command`). */
export function runDemo(name: string, inputs: DemoInputs, command: string, createdAt?: string): { html: string; summary: Record<string, unknown> } {
  const spec = demoSpec(name);
  const out = spec.run(inputs);
  return { html: demoPageHtml({ ...out.page, command, createdAt }), summary: { demo: name, seed: inputs.seed, ...out.summary } };
}
