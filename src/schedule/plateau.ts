/**
 * ReduceLROnPlateau (torch.optim.lr_scheduler 1.13) as an explicit state machine: the whole state is the
 * plain object `PlateauState`, returned by every transition and never hidden.
 */
import { inputError } from '../errors.js';

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau's defaults (its arguments in camelCase): `mode` min (a loss) or max
 * (an accuracy), `factor` the lr multiplier on a plateau, `patience` the bad epochs tolerated, `threshold` and
 * `thresholdMode` what counts as better (rel: by a fraction of best; abs: by an amount), `cooldown` epochs to
 * wait after a reduction, `minLr` the floor.
 */
export const plateauDefaults = {
  mode: 'min' as 'min' | 'max',
  factor: 0.1,
  patience: 10,
  threshold: 1e-4,
  thresholdMode: 'rel' as 'rel' | 'abs',
  cooldown: 0,
  minLr: 0,
  /** torch's eps: a reduction smaller than this is skipped. */
  eps: 1e-8,
};
/** Options of {@link plateauStep}, the fields of {@link plateauDefaults}. */
export type PlateauOptions = typeof plateauDefaults;

/**
 * ReduceLROnPlateau's state (torch's attributes in camelCase): the current lr, the best metric, the bad-epoch
 * count, the cooldown left and the epochs seen.
 */
export interface PlateauState {
  lr: number;
  /** Best metric so far (Infinity / −Infinity before the first). */
  best: number;
  numBadEpochs: number;
  cooldownCounter: number;
  lastEpoch: number;
}

/** Validates plateau options; throws inputError naming the parameter. */
export function checkPlateau(o: PlateauOptions): void {
  if (o.mode !== 'min' && o.mode !== 'max') throw inputError(`schedule 'plateau': mode: expected "min" or "max", got ${JSON.stringify(o.mode)}`);
  if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs') {
    throw inputError(`schedule 'plateau': thresholdMode: expected "rel" or "abs", got ${JSON.stringify(o.thresholdMode)}`);
  }
  const nums: [keyof PlateauOptions, boolean, string][] = [
    ['factor', typeof o.factor === 'number' && o.factor >= 0 && o.factor < 1, 'a number in [0, 1)'],
    ['patience', Number.isInteger(o.patience) && o.patience >= 0, 'an integer >= 0'],
    ['threshold', typeof o.threshold === 'number' && o.threshold >= 0 && Number.isFinite(o.threshold), 'a number >= 0'],
    ['cooldown', Number.isInteger(o.cooldown) && o.cooldown >= 0, 'an integer >= 0'],
    ['minLr', typeof o.minLr === 'number' && o.minLr >= 0 && Number.isFinite(o.minLr), 'a number >= 0'],
    ['eps', typeof o.eps === 'number' && o.eps >= 0 && Number.isFinite(o.eps), 'a number >= 0'],
  ];
  for (const [k, ok, what] of nums) if (!ok) throw inputError(`schedule 'plateau': ${k}: expected ${what}, got ${JSON.stringify(o[k])}`);
}

/** The state before the first metric: lr as given, best ±Infinity by mode, no bad epochs, no cooldown. */
export function plateauInit(lr: number, o: PlateauOptions): PlateauState {
  return { lr, best: o.mode === 'min' ? Infinity : -Infinity, numBadEpochs: 0, cooldownCounter: 0, lastEpoch: 0 };
}

function isBetter(a: number, best: number, o: PlateauOptions): boolean {
  if (o.mode === 'min' && o.thresholdMode === 'rel') return a < best * (1 - o.threshold);
  if (o.mode === 'min') return a < best - o.threshold;
  if (o.thresholdMode === 'rel') return a > best * (o.threshold + 1);
  return a > best + o.threshold;
}

/**
 * One transition, torch's ReduceLROnPlateau.step(metric): a better metric (by threshold) resets the bad count;
 * during cooldown bad epochs are ignored; more than `patience` bad epochs multiply lr by factor
 * (not below minLr, and only if the drop exceeds eps), then cooldown starts. Returns a new state.
 */
export function plateauStep(s: PlateauState, metric: number, o: PlateauOptions): PlateauState {
  const next = { ...s, lastEpoch: s.lastEpoch + 1 };
  if (isBetter(metric, next.best, o)) {
    next.best = metric;
    next.numBadEpochs = 0;
  } else next.numBadEpochs += 1;
  if (next.cooldownCounter > 0) {
    next.cooldownCounter -= 1;
    next.numBadEpochs = 0;
  }
  if (next.numBadEpochs > o.patience) {
    const old = next.lr;
    const lr = Math.max(old * o.factor, o.minLr);
    if (old - lr > o.eps) next.lr = lr;
    next.cooldownCounter = o.cooldown;
    next.numBadEpochs = 0;
  }
  return next;
}
