/**
 * Learning-rate schedules with torch.optim.lr_scheduler 2.13's formulas. Each family builds a rule that mirrors
 * one torch class: `next(e, group, base, initial)` is its `get_lr()` at last_epoch e, reading the group's current
 * lr (the recursive, chainable forms) and writing the group's momentum or β₁ where torch cycles it;
 * `closedForm` is its `_get_closed_form_lr()`, used by SequentialLR at a milestone; `setup` is what the
 * constructor writes into the param group before LRScheduler's own constructor runs (CyclicLR, OneCycleLR).
 * Stepping uses the recursive form, as torch's `scheduler.step()` does, so the lrs agree with torch's to the bit.
 */
import { inputError } from '../errors.js';

/** A schedule's parameters: numbers, lists of numbers, words (modes), booleans, or (library) functions of the step. */
export type ScheduleValue = number | number[] | string | boolean | null | ((epoch: number) => number);

/**
 * What a schedule reads and writes in one param group, by torch's keys: group["lr"], group["initial_lr"], the
 * momentum (SGD, RMSprop) or β₁ (Adam family) that CyclicLR and OneCycleLR cycle, and the keys those two store.
 */
export interface ScheduleGroup {
  lr: number;
  initialLr?: number;
  /** group["momentum"] or group["betas"][0]; undefined until a cycling schedule writes it (or read from the optimizer). */
  momentum?: number;
  /** Whether the optimizer has a momentum or β₁ to cycle; undefined when the schedule is not attached to one. */
  readonly hasMomentum?: boolean;
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
}

/** One torch scheduler class, built once from validated parameters. */
export interface ChainableRule {
  readonly name: string;
  /** The constructor's writes into the group before LRScheduler.__init__ (lr, initial_lr, momentum). */
  setup?(g: ScheduleGroup): void;
  /** The base lr used after construction when it is not group["initial_lr"] (CyclicLR's base_lr). */
  readonly ownBase?: number;
  /** torch's get_lr() at last_epoch e from the group's current lr; `initial`: the constructor's step. */
  next(e: number, g: ScheduleGroup, base: number, initial: boolean): number;
  /** torch's _get_closed_form_lr(), where it has one. */
  closedForm?(e: number, base: number): number;
  /** The last epoch torch accepts (OneCycleLR's total_steps); stepping past it is an error. */
  readonly maxEpoch?: number;
}

/** A schedule family: its parameters' defaults (undefined: required) and a builder. */
export interface ScheduleFamily {
  readonly params: Readonly<Record<string, ScheduleValue | undefined>>;
  readonly description: string;
  /** Parameters that may be left out without a default (null: not given). */
  readonly optional?: readonly string[];
  /** The family's rule for parameters `p` (the defaults merged with what was given), validated here. */
  build(p: Record<string, ScheduleValue>): ChainableRule;
}

function fail(sched: string, key: string, what: string, v: unknown): never {
  const shown = typeof v === 'function' ? 'a function' : JSON.stringify(v);
  throw inputError(`schedule '${sched}': ${key}: expected ${what}, got ${shown}`);
}
function num(p: Record<string, ScheduleValue>, key: string, sched: string): number {
  const v = p[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(sched, key, 'a number', v);
  return v;
}
function positiveInt(p: Record<string, ScheduleValue>, key: string, sched: string): number {
  const v = num(p, key, sched);
  if (!Number.isInteger(v) || v < 1) fail(sched, key, 'an integer >= 1', v);
  return v;
}
function bool(p: Record<string, ScheduleValue>, key: string, sched: string): boolean {
  const v = p[key];
  // the CLI form writes booleans as words
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (typeof v !== 'boolean') fail(sched, key, 'true or false', v);
  return v;
}
function word<T extends string>(p: Record<string, ScheduleValue>, key: string, sched: string, allowed: readonly T[]): T {
  const v = p[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) fail(sched, key, allowed.map((a) => `"${a}"`).join(' or '), v);
  return v as T;
}
function fnOrNumber(p: Record<string, ScheduleValue>, key: string, sched: string): (e: number) => number {
  const v = p[key];
  if (typeof v === 'function') {
    return (e) => {
      const r = v(e);
      if (typeof r !== 'number' || Number.isNaN(r)) throw inputError(`schedule '${sched}': ${key}(${e}) returned ${String(r)}; expected a number`);
      return r;
    };
  }
  if (typeof v === 'number' && Number.isFinite(v)) return () => v;
  return fail(sched, key, 'a number or (in the library) a function of the step', v);
}

/** Checks that the optimizer has a momentum or β₁ when a schedule cycles it (torch raises the same). */
function needMomentum(g: ScheduleGroup, sched: string): void {
  if (g.hasMomentum === false) {
    throw inputError(`schedule '${sched}': cycleMomentum needs an optimizer with momentum or betas; set cycleMomentum=false`);
  }
}
/** StepLR: lr ← lr·γ every stepSize steps. */
export const step: ScheduleFamily = {
  params: { stepSize: undefined, gamma: 0.1 },
  description: 'multiply by gamma every stepSize steps (StepLR)',
  build(p) {
    const stepSize = positiveInt(p, 'stepSize', 'step');
    const gamma = num(p, 'gamma', 'step');
    return {
      name: 'step',
      next: (e, g) => (e === 0 || e % stepSize !== 0 ? g.lr : g.lr * gamma),
      closedForm: (e, base) => base * gamma ** Math.floor(e / stepSize),
    };
  },
};

/** MultiStepLR: lr ← lr·γ^(count of e in milestones) at each milestone. */
export const multistep: ScheduleFamily = {
  params: { milestones: undefined, gamma: 0.1 },
  description: 'multiply by gamma at each milestone (MultiStepLR)',
  build(p) {
    // `--schedule multistep:milestones=8` (one milestone, no ';') parses as a number: it is the list [8]
    const ms = typeof p.milestones === 'number' ? [p.milestones] : p.milestones;
    if (!Array.isArray(ms) || ms.length === 0 || ms.some((m) => !Number.isInteger(m) || m < 0)) {
      fail('multistep', 'milestones', "a list of integers >= 0 (on the command line, separated by ';')", ms);
    }
    const gamma = num(p, 'gamma', 'multistep');
    const counts = new Map<number, number>();
    for (const m of ms) counts.set(m, (counts.get(m) ?? 0) + 1);
    const sorted = [...ms].sort((a, b) => a - b);
    return {
      name: 'multistep',
      next: (e, g) => (counts.has(e) ? g.lr * gamma ** counts.get(e)! : g.lr),
      closedForm: (e, base) => base * gamma ** bisectRight(sorted, e),
    };
  },
};

/** ExponentialLR: lr ← lr·γ every step. */
export const exponential: ScheduleFamily = {
  params: { gamma: undefined },
  description: 'multiply by gamma every step (ExponentialLR)',
  build(p) {
    const gamma = num(p, 'gamma', 'exponential');
    return { name: 'exponential', next: (_e, g, _b, initial) => (initial ? g.lr : g.lr * gamma), closedForm: (e, base) => base * gamma ** e };
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
  build(p) {
    const tMax = positiveInt(p, 'tMax', 'cosine');
    const etaMin = num(p, 'etaMin', 'cosine');
    return {
      name: 'cosine',
      next(e, g, base, initial) {
        if (initial) return g.lr;
        if ((e - 1 - tMax) % (2 * tMax) === 0) return g.lr + ((base - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
        return ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (g.lr - etaMin) + etaMin;
      },
      closedForm: (e, base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * e) / tMax))) / 2,
    };
  },
};

/** LinearLR (linear warm-up): factor from startFactor to endFactor over totalIters steps, recursive as torch. */
export const linear: ScheduleFamily = {
  params: { startFactor: 1 / 3, endFactor: 1, totalIters: 5 },
  description: 'linear warm-up of the factor from startFactor to endFactor over totalIters steps (LinearLR)',
  build(p) {
    const s = num(p, 'startFactor', 'linear');
    const f = num(p, 'endFactor', 'linear');
    const total = positiveInt(p, 'totalIters', 'linear');
    if (!(s > 0 && s <= 1)) fail('linear', 'startFactor', 'a number in (0, 1]', s);
    if (!(f >= 0 && f <= 1)) fail('linear', 'endFactor', 'a number in [0, 1]', f);
    return {
      name: 'linear',
      next(e, g, _b, initial) {
        if (e === 0) return g.lr * s;
        if (initial || e > total) return g.lr;
        return g.lr * (1 + (f - s) / (total * s + (e - 1) * (f - s)));
      },
      closedForm: (e, base) => base * (s + ((f - s) * Math.min(total, e)) / total),
    };
  },
};

/** 1/t decay, lr_t = lr₀ / (1 + k·t): torch's LambdaLR with that lambda (closed at every step). */
export const inverseTime: ScheduleFamily = {
  params: { k: undefined },
  description: 'lr0 / (1 + k·t), the "1/t decay" (LambdaLR)',
  build(p) {
    const k = num(p, 'k', 'inverseTime');
    if (k < 0) fail('inverseTime', 'k', 'a number >= 0', k);
    return { name: 'inverseTime', next: (e, _g, base) => base * (1.0 / (1.0 + k * e)) };
  },
};

/** ConstantLR: lr·factor until totalIters steps, then lr (torch multiplies by 1/factor at totalIters). */
export const constant: ScheduleFamily = {
  params: { factor: 1 / 3, totalIters: 5 },
  description: 'lr·factor for the first totalIters steps, then lr (ConstantLR)',
  build(p) {
    const factor = num(p, 'factor', 'constant');
    // torch admits 0 but then divides by it at totalIters (ZeroDivisionError)
    if (!(factor > 0 && factor <= 1)) fail('constant', 'factor', 'a number in (0, 1]', factor);
    const total = positiveInt(p, 'totalIters', 'constant');
    return {
      name: 'constant',
      next(e, g) {
        if (e === 0) return g.lr * factor;
        if (e !== total) return g.lr;
        return g.lr * (1.0 / factor);
      },
      closedForm: (e, base) => base * (factor + (e >= total ? 1 : 0) * (1 - factor)),
    };
  },
};

/** PolynomialLR: lr₀·(1 − min(e, T)/T)^power, stepped recursively as torch. */
export const polynomial: ScheduleFamily = {
  params: { totalIters: 5, power: 1 },
  description: 'polynomial decay to 0 over totalIters steps (PolynomialLR)',
  build(p) {
    const total = positiveInt(p, 'totalIters', 'polynomial');
    const power = num(p, 'power', 'polynomial');
    return {
      name: 'polynomial',
      next(e, g, _b, initial) {
        if (initial || e > total) return g.lr;
        return g.lr * ((1.0 - e / total) / (1.0 - (e - 1) / total)) ** power;
      },
      closedForm: (e, base) => base * (1.0 - Math.min(total, e) / total) ** power,
    };
  },
};

/** MultiplicativeLR: lr ← lr·factor(e) at every step e ≥ 1 (a constant on the CLI, a function in the library). */
export const multiplicative: ScheduleFamily = {
  params: { factor: undefined },
  description: 'multiply by factor (a number, or a function of the step) every step (MultiplicativeLR)',
  build(p) {
    const factor = fnOrNumber(p, 'factor', 'multiplicative');
    return { name: 'multiplicative', next: (e, g, _b, initial) => (initial ? g.lr : g.lr * factor(e)) };
  },
};

/** LambdaLR: lr = lr₀·fn(e); library only (fn is a function of the step). */
export const lambda: ScheduleFamily = {
  params: { fn: undefined },
  description: 'lr0·fn(step), fn a function (LambdaLR; library only)',
  build(p) {
    if (typeof p.fn !== 'function') fail('lambda', 'fn', 'a function of the step (LambdaLR takes one; only the library can pass it)', p.fn);
    const fn = fnOrNumber(p, 'fn', 'lambda');
    return { name: 'lambda', next: (e, _g, base) => base * fn(e) };
  },
};

/** How far CyclicLR is into its cycle: torch's cycle number, and the up/down scale factor in [0, 1]. */
function cyclePosition(e: number, totalSize: number, stepRatio: number): [number, number] {
  const cycle = Math.floor(1 + e / totalSize);
  const x = 1.0 + e / totalSize - cycle;
  return [cycle, x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1)];
}

/**
 * CyclicLR: lr between baseLr and maxLr in triangles of stepSizeUp + stepSizeDown steps, each cycle's height
 * scaled by 1 (triangular), 1/2^(cycle−1) (triangular2) or gamma^e (exp_range); momentum (or β₁) cycles the
 * opposite way between maxMomentum and baseMomentum. It sets the lr itself: the optimizer's lr is replaced.
 */
export const cyclic: ScheduleFamily = {
  params: {
    baseLr: undefined, maxLr: undefined, stepSizeUp: 2000, stepSizeDown: null, mode: 'triangular', gamma: 1,
    cycleMomentum: true, baseMomentum: 0.8, maxMomentum: 0.9,
  },
  description: 'cyclical lr between baseLr and maxLr, momentum cycling the other way (CyclicLR)',
  build(p) {
    const baseLr = num(p, 'baseLr', 'cyclic');
    const maxLr = num(p, 'maxLr', 'cyclic');
    if (baseLr < 0) fail('cyclic', 'baseLr', 'a number >= 0', baseLr);
    if (maxLr < 0) fail('cyclic', 'maxLr', 'a number >= 0', maxLr);
    const up = positiveInt(p, 'stepSizeUp', 'cyclic');
    const down = p.stepSizeDown === null ? up : positiveInt(p, 'stepSizeDown', 'cyclic');
    const mode = word(p, 'mode', 'cyclic', ['triangular', 'triangular2', 'exp_range'] as const);
    const gamma = num(p, 'gamma', 'cyclic');
    const cycleMomentum = bool(p, 'cycleMomentum', 'cyclic');
    const baseM = num(p, 'baseMomentum', 'cyclic');
    const maxM = num(p, 'maxMomentum', 'cyclic');
    const totalSize = up + down;
    const stepRatio = up / totalSize;
    // exp_range scales by iterations, the triangles by cycle
    const scale = mode === 'triangular' ? () => 1.0 : mode === 'triangular2' ? (c: number) => 1 / 2.0 ** (c - 1) : (e: number) => gamma ** e;
    return {
      name: 'cyclic',
      ownBase: baseLr,
      setup(g) {
        g.lr = baseLr;
        if (cycleMomentum) {
          needMomentum(g, 'cyclic');
          g.momentum = maxM;
          g.maxMomentum = maxM;
          g.baseMomentum = baseM;
        }
      },
      next(e, g, base) {
        const [cycle, factor] = cyclePosition(e, totalSize, stepRatio);
        const s = scale(mode === 'exp_range' ? e : cycle);
        if (cycleMomentum) g.momentum = maxM - (maxM - baseM) * factor * s;
        return base + (maxLr - base) * factor * s;
      },
    };
  },
};

/**
 * OneCycleLR: from maxLr/divFactor up to maxLr over pctStart of totalSteps, then down to
 * maxLr/divFactor/finalDivFactor (threePhase: back to the start first), by cos or linear annealing;
 * momentum (or β₁) goes the opposite way. It sets the lr itself and stops at totalSteps.
 */
export const oneCycle: ScheduleFamily = {
  params: {
    maxLr: undefined, totalSteps: null, epochs: null, stepsPerEpoch: null, pctStart: 0.3, annealStrategy: 'cos',
    cycleMomentum: true, baseMomentum: 0.85, maxMomentum: 0.95, divFactor: 25, finalDivFactor: 1e4, threePhase: false,
  },
  description: 'one cycle: warm up to maxLr, then anneal far below the start (OneCycleLR)',
  build(p) {
    const maxLr = num(p, 'maxLr', 'oneCycle');
    let totalSteps: number;
    if (p.totalSteps !== null) totalSteps = positiveInt(p, 'totalSteps', 'oneCycle');
    else if (p.epochs !== null && p.stepsPerEpoch !== null) totalSteps = positiveInt(p, 'epochs', 'oneCycle') * positiveInt(p, 'stepsPerEpoch', 'oneCycle');
    else throw inputError("schedule 'oneCycle': expected totalSteps, or epochs and stepsPerEpoch");
    const pct = num(p, 'pctStart', 'oneCycle');
    if (!(pct >= 0 && pct <= 1)) fail('oneCycle', 'pctStart', 'a number in [0, 1]', pct);
    const strategy = word(p, 'annealStrategy', 'oneCycle', ['cos', 'linear'] as const);
    const cycleMomentum = bool(p, 'cycleMomentum', 'oneCycle');
    const baseM = num(p, 'baseMomentum', 'oneCycle');
    const maxM = num(p, 'maxMomentum', 'oneCycle');
    const div = num(p, 'divFactor', 'oneCycle');
    const finalDiv = num(p, 'finalDivFactor', 'oneCycle');
    if (!(div > 0)) fail('oneCycle', 'divFactor', 'a number > 0', div);
    if (!(finalDiv > 0)) fail('oneCycle', 'finalDivFactor', 'a number > 0', finalDiv);
    const threePhase = bool(p, 'threePhase', 'oneCycle');
    type Key = 'initialLr' | 'maxLr' | 'minLr' | 'maxMomentum' | 'baseMomentum';
    const phases: { end: number; lr: [Key, Key]; m: [Key, Key] }[] = threePhase
      ? [
        { end: pct * totalSteps - 1, lr: ['initialLr', 'maxLr'], m: ['maxMomentum', 'baseMomentum'] },
        { end: 2 * pct * totalSteps - 2, lr: ['maxLr', 'initialLr'], m: ['baseMomentum', 'maxMomentum'] },
        { end: totalSteps - 1, lr: ['initialLr', 'minLr'], m: ['maxMomentum', 'maxMomentum'] },
      ]
      : [
        { end: pct * totalSteps - 1, lr: ['initialLr', 'maxLr'], m: ['maxMomentum', 'baseMomentum'] },
        { end: totalSteps - 1, lr: ['maxLr', 'minLr'], m: ['baseMomentum', 'maxMomentum'] },
      ];
    const anneal = strategy === 'cos'
      ? (a: number, b: number, t: number) => b + ((a - b) / 2.0) * (Math.cos(Math.PI * t) + 1)
      : (a: number, b: number, t: number) => (b - a) * t + a;
    return {
      name: 'oneCycle',
      maxEpoch: totalSteps,
      setup(g) {
        g.initialLr = maxLr / div;
        g.maxLr = maxLr;
        g.minLr = g.initialLr / finalDiv;
        if (cycleMomentum) {
          needMomentum(g, 'oneCycle');
          g.momentum = maxM;
          g.maxMomentum = maxM;
          g.baseMomentum = baseM;
        }
      },
      next(e, g) {
        if (e > totalSteps) throw inputError(`schedule 'oneCycle': stepped ${e} times, beyond totalSteps ${totalSteps}`);
        let start = 0.0;
        for (let i = 0; i < phases.length; i++) {
          const ph = phases[i];
          if (e <= ph.end || i === phases.length - 1) {
            const t = (e - start) / (ph.end - start);
            if (cycleMomentum) g.momentum = anneal(g[ph.m[0]]!, g[ph.m[1]]!, t);
            return anneal(g[ph.lr[0]]!, g[ph.lr[1]]!, t);
          }
          start = ph.end;
        }
        throw new Error('unreachable');
      },
    };
  },
};

/** The position within CosineAnnealingWarmRestarts' cycles after e steps: [T_cur, T_i]. */
function restartPosition(e: number, t0: number, tMult: number): [number, number] {
  let tCur = e, tI = t0;
  while (tCur >= tI) {
    tCur -= tI;
    tI *= tMult;
  }
  return [tCur, tI];
}

/** CosineAnnealingWarmRestarts (SGDR): cosine from lr₀ to etaMin over t0 steps, restarting with periods ×tMult. */
export const cosineRestarts: ScheduleFamily = {
  params: { t0: undefined, tMult: 1, etaMin: 0 },
  description: 'cosine annealing restarted every t0·tMult^i steps (CosineAnnealingWarmRestarts)',
  build(p) {
    const t0 = positiveInt(p, 't0', 'cosineRestarts');
    const tMult = positiveInt(p, 'tMult', 'cosineRestarts');
    const etaMin = num(p, 'etaMin', 'cosineRestarts');
    const at = (e: number, base: number): number => {
      const [tCur, tI] = restartPosition(e, t0, tMult);
      return etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
    };
    return { name: 'cosineRestarts', next: (e, _g, base) => at(e, base) };
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
