/**
 * Learning-rate schedules with torch.optim.lr_scheduler 1.13's formulas. Each schedule is a chainable rule
 * `next(lastEpoch, lr) → lr` (torch's `get_lr()`: recursive, from the current lr) and, where torch has one,
 * a closed form (`_get_closed_form_lr`, used by SequentialLR at a milestone). Stepping uses the recursive
 * form, as torch's `scheduler.step()` does, so the lrs agree with torch's to the last bit.
 */
import { inputError } from '../errors.js';

/** A schedule's parameters: numbers, lists of numbers, or (plateau) mode strings. */
export type ScheduleValue = number | number[] | string;

/** One simple (non-plateau) schedule, built once from validated parameters. */
export interface ChainableRule {
  readonly name: string;
  /** torch's get_lr(): the lr after stepping to `lastEpoch`, from the current lr. */
  next(lastEpoch: number, lr: number): number;
  /** torch's _get_closed_form_lr(), where it has one. */
  closedForm?(lastEpoch: number): number;
}

/** A schedule family: its parameters' defaults (undefined: required) and a builder. */
export interface ScheduleFamily {
  readonly params: Readonly<Record<string, ScheduleValue | undefined>>;
  readonly description: string;
  build(p: Record<string, ScheduleValue>, baseLr: number): ChainableRule;
}

function num(p: Record<string, ScheduleValue>, key: string, sched: string): number {
  const v = p[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw inputError(`schedule '${sched}': ${key}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}
function positiveInt(p: Record<string, ScheduleValue>, key: string, sched: string): number {
  const v = num(p, key, sched);
  if (!Number.isInteger(v) || v < 1) throw inputError(`schedule '${sched}': ${key}: expected an integer >= 1, got ${v}`);
  return v;
}

/** StepLR: lr ← lr·γ every stepSize steps. */
export const step: ScheduleFamily = {
  params: { stepSize: undefined, gamma: 0.1 },
  description: 'multiply by gamma every stepSize steps (StepLR)',
  build(p, baseLr) {
    const stepSize = positiveInt(p, 'stepSize', 'step');
    const gamma = num(p, 'gamma', 'step');
    return {
      name: 'step',
      next: (e, lr) => (e === 0 || e % stepSize !== 0 ? lr : lr * gamma),
      closedForm: (e) => baseLr * gamma ** Math.floor(e / stepSize),
    };
  },
};

/** MultiStepLR: lr ← lr·γ^(count of e in milestones) at each milestone. */
export const multistep: ScheduleFamily = {
  params: { milestones: undefined, gamma: 0.1 },
  description: 'multiply by gamma at each milestone (MultiStepLR)',
  build(p, baseLr) {
    // `--schedule multistep:milestones=8` (one milestone, no ';') parses as a number: it is the list [8]
    const ms = typeof p.milestones === 'number' ? [p.milestones] : p.milestones;
    if (!Array.isArray(ms) || ms.length === 0 || ms.some((m) => !Number.isInteger(m) || m < 0)) {
      throw inputError(`schedule 'multistep': milestones: expected a list of integers >= 0 (on the command line, separated by ';'), got ${JSON.stringify(ms)}`);
    }
    const gamma = num(p, 'gamma', 'multistep');
    const counts = new Map<number, number>();
    for (const m of ms) counts.set(m, (counts.get(m) ?? 0) + 1);
    const sorted = [...ms].sort((a, b) => a - b);
    return {
      name: 'multistep',
      next: (e, lr) => (counts.has(e) ? lr * gamma ** counts.get(e)! : lr),
      closedForm: (e) => baseLr * gamma ** bisectRight(sorted, e),
    };
  },
};

/** ExponentialLR: lr ← lr·γ every step. */
export const exponential: ScheduleFamily = {
  params: { gamma: undefined },
  description: 'multiply by gamma every step (ExponentialLR)',
  build(p, baseLr) {
    const gamma = num(p, 'gamma', 'exponential');
    return { name: 'exponential', next: (e, lr) => (e === 0 ? lr : lr * gamma), closedForm: (e) => baseLr * gamma ** e };
  },
};

/**
 * CosineAnnealingLR, torch's recursive form:
 *   lr_e = (1 + cos(πe/T)) / (1 + cos(π(e − 1)/T)) · (lr_{e−1} − ηmin) + ηmin,
 * with the restart branch at (e − 1 − T) mod 2T = 0. Closed form ηmin + (lr₀ − ηmin)(1 + cos(πe/T))/2.
 */
export const cosine: ScheduleFamily = {
  params: { tMax: undefined, etaMin: 0 },
  description: 'cosine annealing from lr to etaMin over tMax steps (CosineAnnealingLR)',
  build(p, baseLr) {
    const tMax = positiveInt(p, 'tMax', 'cosine');
    const etaMin = num(p, 'etaMin', 'cosine');
    return {
      name: 'cosine',
      next(e, lr) {
        if (e === 0) return lr;
        if ((e - 1 - tMax) % (2 * tMax) === 0) return lr + ((baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
        return ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (lr - etaMin) + etaMin;
      },
      closedForm: (e) => etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * e) / tMax))) / 2,
    };
  },
};

/** LinearLR (linear warm-up): factor from startFactor to endFactor over totalIters steps, recursive as torch. */
export const linear: ScheduleFamily = {
  params: { startFactor: 1 / 3, endFactor: 1, totalIters: 5 },
  description: 'linear warm-up of the factor from startFactor to endFactor over totalIters steps (LinearLR)',
  build(p, baseLr) {
    const s = num(p, 'startFactor', 'linear');
    const f = num(p, 'endFactor', 'linear');
    const total = positiveInt(p, 'totalIters', 'linear');
    if (!(s > 0 && s <= 1)) throw inputError(`schedule 'linear': startFactor: expected a number in (0, 1], got ${s}`);
    if (!(f >= 0 && f <= 1)) throw inputError(`schedule 'linear': endFactor: expected a number in [0, 1], got ${f}`);
    return {
      name: 'linear',
      next(e, lr) {
        if (e === 0) return lr * s;
        if (e > total) return lr;
        return lr * (1 + (f - s) / (total * s + (e - 1) * (f - s)));
      },
      closedForm: (e) => baseLr * (s + ((f - s) * Math.min(total, e)) / total),
    };
  },
};

/** 1/t decay, lr_t = lr₀ / (1 + k·t): torch's LambdaLR with that lambda (closed at every step). */
export const inverseTime: ScheduleFamily = {
  params: { k: undefined },
  description: 'lr0 / (1 + k·t), the "1/t decay" (LambdaLR)',
  build(p, baseLr) {
    const k = num(p, 'k', 'inverseTime');
    if (k < 0) throw inputError(`schedule 'inverseTime': k: expected a number >= 0, got ${k}`);
    const at = (e: number): number => baseLr * (1.0 / (1.0 + k * e));
    return { name: 'inverseTime', next: (e) => at(e), closedForm: at };
  },
};

function bisectRight(a: number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
export { bisectRight };
