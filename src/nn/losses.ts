/**
 * Losses, each averaged over the batch as torch's reduction='mean', and the L1/L2 penalties
 * over weight matrices. Predictions are a batch [m, K] (K = 1 for mse/bce on one target).
 */
import { inputError, unknownName } from '../errors.js';
import { Var, scratch } from '../autograd/var.js';
import {
  add, abs, bceWithLogits as bceOp, gather, mulMask, mean, mulScalar, relu, reshape, softmaxCrossEntropy, square, sub, sum,
  checkLabels,
} from '../autograd/ops.js';

/** Targets as given by the data layer: values (mse, bce) or class indices (ce, hinge). */
export type Targets = ArrayLike<number>;

function targetsVar(pred: Var, y: Targets, what: string): Var {
  if (y.length !== pred.size) throw inputError(`${what}: ${y.length} targets for ${pred.size} predictions (shape [${pred.shape.join(', ')}])`);
  const t = scratch(pred.dtype, pred.size);
  for (let i = 0; i < t.length; i++) t[i] = y[i];
  return new Var(t, pred.shape);
}

/** Mean squared error (torch MSELoss): (1/N) Σ (ŷ − y)² over all N elements. */
export function mse(pred: Var, y: Targets): Var {
  return mean(square(sub(pred, targetsVar(pred, y, 'mse'))));
}

/**
 * Binary cross-entropy on logits (torch BCEWithLogitsLoss), targets 0/1 (or in [0, 1]):
 * (1/N) Σ max(z, 0) − z·y + log(1 + e^{−|z|}), stable for any |z|.
 */
export function bceWithLogits(z: Var, y: Targets): Var {
  if (y.length !== z.size) throw inputError(`bce: ${y.length} targets for ${z.size} logits`);
  return bceOp(z, targetsVar(z, y, 'bce'));
}

/** Softmax cross-entropy on logits z [m, K] (torch CrossEntropyLoss): (1/m) Σ_i lse(z_i) − z_i[y_i]. */
export function crossEntropy(z: Var, labels: Targets): Var {
  return softmaxCrossEntropy(z, labels);
}

/**
 * Multiclass hinge (Weston–Watkins SVM) on scores s [m, K]:
 * (1/m) Σ_i Σ_{j≠y_i} max(0, s_ij − s_i,y_i + 1). Built from primitives: the j = y_i terms are
 * masked out (as the torch reference scatters 0 there), so they contribute neither value nor gradient.
 */
export function multiclassHinge(s: Var, labels: Targets): Var {
  if (s.ndim !== 2) throw inputError(`hinge: expected scores [m, K], got shape [${s.shape.join(', ')}]`);
  const [m, k] = s.shape;
  checkLabels('hinge', labels, m, k);
  const sy = reshape(gather(s, labels), [m, 1]);
  const margins = relu(add(sub(s, sy), 1));
  const mask = scratch(s.dtype, m * k);
  mask.fill(1);
  for (let i = 0; i < m; i++) mask[i * k + labels[i]] = 0;
  return mulScalar(sum(mulMask(margins, mask)), 1 / m);
}

/** λ·Σ_W Σ|W| over the given weight matrices (torch's d|w|/dw at 0 is 0). */
export function l1Penalty(weights: readonly Var[], lambda: number): Var {
  return penalty(weights, lambda, (w) => sum(abs(w)), 'l1');
}

/** λ·Σ_W Σ W² over the given weight matrices. */
export function l2Penalty(weights: readonly Var[], lambda: number): Var {
  return penalty(weights, lambda, (w) => sum(square(w)), 'l2');
}

function penalty(weights: readonly Var[], lambda: number, term: (w: Var) => Var, what: string): Var {
  if (weights.length === 0) throw inputError(`${what}: no weight matrices given`);
  let total = term(weights[0]);
  for (let i = 1; i < weights.length; i++) total = add(total, term(weights[i]));
  return mulScalar(total, lambda);
}

/** A loss: predictions and targets to a scalar. */
export type LossFn = (pred: Var, y: Targets) => Var;

/** The losses by their CLI names (`--loss`). */
export const losses = {
  /** {@link mse}: mean squared error (torch MSELoss). */
  mse,
  /** {@link bceWithLogits}: binary cross-entropy on logits (torch BCEWithLogitsLoss). */
  bce: bceWithLogits,
  /** {@link crossEntropy}: softmax cross-entropy on logits (torch CrossEntropyLoss). */
  ce: crossEntropy,
  /** {@link multiclassHinge}: the Weston–Watkins multiclass hinge, K × torch's MultiMarginLoss (which also divides by K). */
  hinge: multiclassHinge,
} as const satisfies Record<string, LossFn>;
/** The name of a loss, a key of {@link losses}: `'mse' | 'bce' | 'ce' | 'hinge'`. */
export type LossName = keyof typeof losses;

/** The loss named `name`, or an input error listing the known names. */
export function lossByName(name: string): LossFn {
  if (!Object.hasOwn(losses, name)) throw unknownName('loss', name, Object.keys(losses));
  return losses[name as LossName];
}

/** Whether a loss takes class indices (ce, hinge) rather than values. */
export function isClassificationLoss(name: LossName): boolean {
  return name === 'ce' || name === 'hinge';
}
