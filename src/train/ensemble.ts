/**
 * Ensembles of classifiers, their predictions averaged as probabilities:
 *  - bagging (Breiman 1996): k models, each trained on its own bootstrap resample (n rows drawn
 *    uniformly with replacement, seeded), each from its own initialization;
 *  - snapshot ensembles (Huang et al. 2017, "Snapshot Ensembles: Train 1, get M for free"): one run
 *    with cyclic cosine annealing, lr(t) = lr0/2 · (cos(π · mod(t−1, ⌈T/M⌉) / ⌈T/M⌉) + 1) over
 *    optimizer steps t = 1..T, and a snapshot of the weights at the end of each of the M cycles.
 * The report compares the ensemble with each single member and with their mean accuracy; for snapshots,
 * also with one model trained for the same number of steps without restarts (the paper's comparison).
 */
import { inputError } from '../errors.js';
import type { Sequential } from '../nn/index.js';
import { Rng } from '../tensor/rng.js';
import { bootstrapIndices } from '../data/batches.js';
import { accuracyOf, fitClassifier, nllOf, predictProba, type ClassData, type FitOptions } from './ensemble-fit.js';

/** A fresh model for member i (its own initialization). */
export type ModelFactory = (member: number) => Sequential;

/** One model on the test rows: accuracy (fraction right, argmax of its probabilities) and loss (mean NLL). */
export interface MemberReport {
  accuracy: number;
  loss: number;
}

/**
 * What {@link bagging} and {@link snapshotEnsemble} report on the test rows: each member, their mean, and the
 * ensemble (the average of the members' predicted probabilities, as sklearn's soft voting).
 */
export interface EnsembleReport {
  method: 'bagging' | 'snapshot';
  members: MemberReport[];
  /** Mean of the members' accuracies (the "average single model"). */
  meanSingleAccuracy: number;
  /** Accuracy of the averaged probabilities. */
  ensembleAccuracy: number;
  /** Mean NLL of the averaged probabilities. */
  ensembleLoss: number;
  /** Mean of the members' losses. */
  meanSingleLoss: number;
  /** Snapshots: one model from the same initialization, trained for the same steps with a single cosine cycle. */
  sameBudgetSingle?: MemberReport;
}

/**
 * The defaults of `descent ensemble`, per method, chosen by measurement over 10 seeds (docs/ensembles.md).
 * Members that converge to the same function (mlp:32 with adam 1e-3; snapshot cycles that all end at the
 * same zero-loss point) change almost no prediction when averaged. A wider hidden layer with dropout 0.2 keeps
 * gradients alive once the training set is fit, and a large step lets the members end in different places:
 * adam 1e-2 for bagging; for snapshots, cycles of 10 epochs restarting adam at 2e-2 (sgd with momentum 0.9,
 * Huang et al.'s optimizer, restarting at 0.1 gave snapshots that mostly agree, and at 0.2 with dropout it
 * diverges, in torch as here).
 */
export const ensembleDefaults = {
  bagging: { model: 'mlp:128', dropout: 0.2, opt: 'adam', hyper: { lr: 0.01 }, epochs: 20, batchSize: 32 },
  /** `epochsPerCycle` · M epochs in all. */
  snapshot: { model: 'mlp:128', dropout: 0.2, opt: 'adam', hyper: { lr: 0.02 }, epochsPerCycle: 10, batchSize: 32 },
  /** Snapshots with `--opt sgd`: the paper's lr0 and momentum. */
  snapshotSgd: { lr: 0.1, momentum: 0.9 },
} as const;

/** n row indices drawn uniformly with replacement (a bootstrap resample), from `rng`: the data layer's bootstrapIndices. */
export function bootstrapRows(n: number, rng: Rng): Int32Array {
  return bootstrapIndices(n, rng);
}

/**
 * Snapshot-ensemble learning rate at optimizer step t (1-based) of T, with M cycles:
 * lr0/2 · (cos(π · ((t−1) mod ⌈T/M⌉) / ⌈T/M⌉) + 1) — Huang et al. 2017, eq. (2).
 */
export function snapshotLr(t: number, lr0: number, totalSteps: number, cycles: number): number {
  const len = Math.ceil(totalSteps / cycles);
  return (lr0 / 2) * (Math.cos((Math.PI * ((t - 1) % len)) / len) + 1);
}

/** Scores members and their probability average on held-out data. */
export function ensembleReport(method: 'bagging' | 'snapshot', probas: Float64Array[], test: ClassData, k: number): EnsembleReport {
  if (probas.length === 0) throw inputError('ensemble: expected at least one member');
  const avg = new Float64Array(probas[0].length);
  for (const p of probas) for (let i = 0; i < avg.length; i++) avg[i] += p[i] / probas.length;
  const members = probas.map((p) => ({ accuracy: accuracyOf(p, test.y, k), loss: nllOf(p, test.y, k) }));
  return {
    method,
    members,
    meanSingleAccuracy: members.reduce((a, m) => a + m.accuracy, 0) / members.length,
    meanSingleLoss: members.reduce((a, m) => a + m.loss, 0) / members.length,
    ensembleAccuracy: accuracyOf(avg, test.y, k),
    ensembleLoss: nllOf(avg, test.y, k),
  };
}

function count(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw inputError(`${name}: expected an integer >= 1, got ${v}`);
  return v;
}

/**
 * Bagging: member i is `build(i)` trained with `fit` on bootstrapRows(n, Rng(seed + i)), shuffles seeded
 * seed + i. Returns the trained members and the report on `test`.
 */
export function bagging(build: ModelFactory, train: ClassData, test: ClassData, k: number, members: number, fit: FitOptions & { seed?: number }): { models: Sequential[]; report: EnsembleReport } {
  count('--bagging', members);
  const seed = fit.seed ?? 0;
  const models: Sequential[] = [];
  const probas: Float64Array[] = [];
  for (let i = 0; i < members; i++) {
    const model = build(i);
    fitClassifier(model, train, { ...fit, seed: seed + i, rows: bootstrapRows(train.n, new Rng(seed + 7919 * (i + 1))) });
    models.push(model);
    probas.push(predictProba(model, test.x, test.n, test.d));
  }
  return { models, report: ensembleReport('bagging', probas, test, k) };
}

/** lr0 of the cosine cycles: the optimizer's lr (default 0.1). */
function cycleLr0(fit: FitOptions): number {
  return Number((fit.hyper ?? {}).lr ?? 0.1);
}

/** Optimizer steps T of a fit: epochs · ⌈rows / batch⌉. */
function stepsOf(fit: FitOptions, train: ClassData): number {
  const m = fit.rows?.length ?? train.n;
  return fit.epochs * Math.ceil(m / Math.min(fit.batchSize, m));
}

/**
 * Snapshot ensemble: one model trained for `fit.epochs` epochs with the cyclic cosine lr above (lr0 =
 * fit.hyper.lr), M = `cycles` snapshots taken at the end of each cycle. The snapshots' parameters are
 * returned as copies of the model's contiguous buffer (load one with `model.params.set(snapshot)`).
 */
export function snapshotEnsemble(model: Sequential, train: ClassData, test: ClassData, k: number, cycles: number, fit: FitOptions): { snapshots: Float32Array[] | Float64Array[]; report: EnsembleReport } {
  count('--snapshots', cycles);
  const lr0 = cycleLr0(fit);
  const totalSteps = stepsOf(fit, train);
  if (cycles > totalSteps) throw inputError(`--snapshots: expected at most the number of optimizer steps (${totalSteps}), got ${cycles}`);
  const len = Math.ceil(totalSteps / cycles);
  const snapshots: (Float32Array | Float64Array)[] = [];
  fitClassifier(model, train, {
    ...fit,
    lrAt: (t) => snapshotLr(t, lr0, totalSteps, cycles),
    // end of a cycle: t a multiple of the cycle length, or the last step (a shorter final cycle)
    onStep: (t) => { if (t % len === 0 || t === totalSteps) if (snapshots.length < cycles) snapshots.push(model.params.slice()); },
  });
  const current = model.params.slice();
  const probas = snapshots.map((s) => {
    model.params.set(s);
    return predictProba(model, test.x, test.n, test.d);
  });
  model.params.set(current);
  return { snapshots: snapshots as Float32Array[] | Float64Array[], report: ensembleReport('snapshot', probas, test, k) };
}

/**
 * The snapshot ensemble's baseline (Huang et al. 2017 compare with a single model trained for the same budget):
 * `model` (build it as the ensemble's, from the same initialization) trained with the same options for the
 * same T steps, with one cosine cycle from lr0 to 0 — snapshotLr with M = 1 — and scored on `test`.
 */
export function sameBudgetSingle(model: Sequential, train: ClassData, test: ClassData, k: number, fit: FitOptions): MemberReport {
  const lr0 = cycleLr0(fit);
  const totalSteps = stepsOf(fit, train);
  fitClassifier(model, train, { ...fit, lrAt: (t) => snapshotLr(t, lr0, totalSteps, 1) });
  const p = predictProba(model, test.x, test.n, test.d);
  return { accuracy: accuracyOf(p, test.y, k), loss: nllOf(p, test.y, k) };
}
