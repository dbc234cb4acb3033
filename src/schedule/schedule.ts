/**
 * createSchedule(spec, optimizer | baseLr): a learning-rate schedule stepped once per optimizer step (optimize) or
 * per epoch (train). Attached to an optimizer it works as torch's LRScheduler: it takes the base lr from each
 * param group, sets the group's lr (and, for cyclic and oneCycle, its momentum or β₁) at construction and at
 * every `step()`. Simple schedules follow torch 2.13's chainable get_lr(); `sequential` is SequentialLR,
 * `chained` is ChainedScheduler; `plateau` is ReduceLROnPlateau and needs the metric.
 */
import { inputError, unknownName } from '../errors.js';
import {
  step, multistep, exponential, cosine, linear, inverseTime, constant, polynomial, multiplicative, lambda, cyclic, oneCycle, cosineRestarts,
  bisectRight, type ChainableRule, type ScheduleFamily, type ScheduleGroup, type ScheduleValue,
} from './lr-schedules.js';
import { plateauDefaults, checkPlateau, plateauInit, plateauStep, type PlateauOptions, type PlateauState } from './plateau.js';

/** The simple schedules by name (the contract's tables, less plateau, which is stateful). */
export const scheduleFamilies = {
  step, multistep, exponential, cosine, linear, inverseTime, constant, polynomial, multiplicative, lambda, cyclic, oneCycle, cosineRestarts,
} as const;

/** Every schedule name a spec may use. */
export const scheduleNames = [...Object.keys(scheduleFamilies), 'plateau', 'sequential', 'chained'] as const;

/** `{ name: "step", stepSize: 30, gamma: 0.1 }`; composites hold `schedules` (and `milestones` for sequential). */
export type ScheduleSpec = { name: string } & Record<string, unknown>;

/** Everything a schedule holds, as plain data: `load(state())` resumes the identical sequence. */
export interface ScheduleState {
  /** The lr now (group 0's when attached to an optimizer with several groups). */
  lr: number;
  /** The composite's own step count (sequential) or the simple schedule's last epoch. */
  lastEpoch: number;
  /** Each part's last epoch (composites). */
  parts: number[];
  /** The plateau machine, for plateau. */
  plateau?: PlateauState;
  /** Each param group's lr, initial lr and the keys cycling schedules keep (attached schedules). */
  groups?: { lr: number; initialLr?: number; momentum?: number; maxLr?: number; minLr?: number; maxMomentum?: number; baseMomentum?: number }[];
}

/**
 * A learning-rate schedule made by {@link createSchedule} or {@link attachSchedule}: torch's LRScheduler
 * (`scheduler.step()`, `get_last_lr()`, `state_dict()`), over one lr or an optimizer's param groups.
 */
export interface Schedule {
  readonly name: string;
  /** The lr now (after the initial step, before any `step()`: torch's lr after constructing the scheduler). */
  readonly lr: number;
  /** The momentum or β₁ that cyclic or oneCycle set (undefined for the schedules that leave it alone). */
  readonly momentum: number | undefined;
  /** True for plateau: `step(metric)` needs the metric. */
  readonly needsMetric: boolean;
  /** The most steps it accepts (oneCycle's totalSteps); undefined: no limit. */
  readonly maxSteps: number | undefined;
  /** Advances one step (or epoch), sets the attached optimizer's lr (and momentum), and returns the new lr. */
  step(metric?: number): number;
  /** A copy of the schedule's state (torch's `state_dict()`): the epoch, the groups' lrs and the rule's counters. */
  state(): ScheduleState;
  /** Restores a state from {@link Schedule.state} (torch's `load_state_dict`); the next `step()` continues from it. */
  load(state: ScheduleState): void;
}

/** What a schedule attaches to: anything with torch-like param groups (an `Optimizer`). */
export interface SchedulableOptimizer {
  readonly paramGroups: readonly { options: Record<string, unknown> }[];
}

function resolveParams(name: string, family: { params: Readonly<Record<string, unknown>> }, spec: Record<string, unknown>): Record<string, ScheduleValue> {
  const known = Object.keys(family.params);
  const out: Record<string, ScheduleValue> = {};
  for (const k of Object.keys(spec)) {
    if (k === 'name') continue;
    if (!known.includes(k)) throw inputError(`schedule '${name}': unknown parameter '${k}'; expected one of: ${known.join(', ')}`);
  }
  for (const k of known) {
    const v = k in spec ? spec[k] : family.params[k];
    if (v === undefined) throw inputError(`schedule '${name}': parameter '${k}' is required (known: ${known.join(', ')})`);
    out[k] = v as ScheduleValue;
  }
  return out;
}

function buildRule(spec: ScheduleSpec): ChainableRule {
  const name = spec.name;
  if (!Object.prototype.hasOwnProperty.call(scheduleFamilies, name)) {
    if (name === 'plateau' || name === 'sequential' || name === 'chained') {
      throw inputError(`schedule '${name}' cannot be part of a sequential or chained schedule`);
    }
    throw unknownName('schedule', name, scheduleNames);
  }
  const family: ScheduleFamily = scheduleFamilies[name as keyof typeof scheduleFamilies];
  return family.build(resolveParams(name, family, spec));
}

function checkSpec(spec: unknown): ScheduleSpec {
  if (spec === null || typeof spec !== 'object' || typeof (spec as { name?: unknown }).name !== 'string') {
    throw inputError('schedule: expected an object with a "name" field');
  }
  return spec as ScheduleSpec;
}

function checkBaseLr(baseLr: unknown): void {
  if (typeof baseLr !== 'number' || !Number.isFinite(baseLr) || baseLr < 0) throw inputError(`schedule: the base lr must be a number >= 0, got ${baseLr}`);
}

/** A plain group for a schedule that is not attached to an optimizer. */
function plainGroup(lr: number): ScheduleGroup {
  return { lr };
}

/**
 * A param group of an optimizer seen through torch's keys: lr is options.lr; momentum is options.betas[0] for
 * the Adam family (torch's use_beta1: "betas" in the defaults) or options.momentum; the other keys live here.
 * It reads the group's `options` afresh each time, since loadStateDict replaces that object.
 */
function optimizerGroup(pg: { options: Record<string, unknown> }, index: number): ScheduleGroup {
  const lr0 = pg.options.lr;
  if (typeof lr0 !== 'number' || !Number.isFinite(lr0) || lr0 < 0) throw inputError(`schedule: param group ${index}: lr must be a number >= 0 (got ${String(lr0)})`);
  return new OptimizerGroup(pg);
}

class OptimizerGroup implements ScheduleGroup {
  readonly hasMomentum: boolean;
  private readonly useBeta1: boolean;
  initialLr?: number;
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
  constructor(private readonly pg: { options: Record<string, unknown> }) {
    this.useBeta1 = Array.isArray(pg.options.betas);
    this.hasMomentum = this.useBeta1 || typeof pg.options.momentum === 'number';
  }
  get lr(): number { return this.pg.options.lr as number; }
  set lr(v: number) { this.pg.options.lr = v; }
  get momentum(): number | undefined {
    if (this.useBeta1) return (this.pg.options.betas as number[])[0];
    return this.hasMomentum ? (this.pg.options.momentum as number) : undefined;
  }
  set momentum(v: number | undefined) {
    if (v === undefined) return;
    // a new pair, as torch's tuple: the old one may be shared with the optimizer's defaults
    if (this.useBeta1) this.pg.options.betas = [v, (this.pg.options.betas as number[])[1]];
    else this.pg.options.momentum = v;
  }
}

/** The groups a schedule drives: the optimizer's (torch's param_groups) or one plain group with the given lr. */
function groupsOf(target: number | SchedulableOptimizer): ScheduleGroup[] {
  if (typeof target === 'number') {
    checkBaseLr(target);
    return [plainGroup(target)];
  }
  if (target === null || typeof target !== 'object' || !Array.isArray(target.paramGroups) || target.paramGroups.length === 0) {
    throw inputError('schedule: expected an optimizer (with param groups) or a base lr');
  }
  return target.paramGroups.map(optimizerGroup);
}

/**
 * Builds and validates a schedule. Given an optimizer, it attaches as torch's LRScheduler does: the base lr is
 * each param group's lr, and construction and every `step()` set the groups' lr (no second base lr, no
 * `options.lr = ...` by hand). Given a number, it drives that lr alone (read `schedule.lr`). Accepts a spec
 * object or the CLI form (`"step:stepSize=30,gamma=0.1"`, see parseScheduleArg). Unknown names list the known ones.
 * @example
 * ```ts
 * const s = createSchedule('step:stepSize=2,gamma=0.5', 0.1);
 * const lrs = [s.lr];
 * for (let t = 0; t < 5; t++) lrs.push(s.step());
 * console.log(lrs.join(' ')); // 0.1 0.1 0.05 0.05 0.025 0.025
 * ```
 */
export function createSchedule(spec: ScheduleSpec | string, target: number | SchedulableOptimizer): Schedule {
  const s = typeof spec === 'string' ? parseScheduleArg(spec) : checkSpec(spec);
  const groups = groupsOf(target);
  if (s.name === 'plateau') return plateauSchedule(s, groups);
  return simpleOrComposite(s, groups);
}

/** Attaches a schedule to an optimizer, as `torch.optim.lr_scheduler.X(optimizer, ...)`: createSchedule(spec, optimizer). */
export function attachSchedule(optimizer: SchedulableOptimizer, spec: ScheduleSpec | string): Schedule {
  return createSchedule(spec, optimizer);
}

/** One constructed torch scheduler on one group: its rule, last epoch and base lr. */
interface Part {
  rule: ChainableRule;
  epoch: number;
  base: number;
}

/** torch's constructor: the class's own writes, setdefault initial_lr, base_lrs, then the initial step. */
function construct(rule: ChainableRule, g: ScheduleGroup): Part {
  rule.setup?.(g);
  if (g.initialLr === undefined) g.initialLr = g.lr;
  const part: Part = { rule, epoch: 0, base: g.initialLr };
  g.lr = rule.next(0, g, part.base, true);
  // CyclicLR assigns its own base_lrs after LRScheduler's constructor (so after the initial step)
  if (rule.ownBase !== undefined) part.base = rule.ownBase;
  return part;
}

/** The per-group machinery of a simple, chained or sequential schedule (the same rules on every group). */
interface GroupDriver {
  step(): void;
  parts: Part[];
  epoch(): number;
  setEpoch(e: number): void;
}

function chainedDriver(rules: ChainableRule[], g: ScheduleGroup): GroupDriver {
  const parts = rules.map((r) => construct(r, g));
  return {
    parts,
    // ChainedScheduler: every part steps on the lr the previous one left
    step() {
      for (const p of parts) {
        p.epoch += 1;
        g.lr = p.rule.next(p.epoch, g, p.base, false);
      }
    },
    epoch: () => parts[0].epoch,
    setEpoch: () => {},
  };
}

function sequentialDriver(rules: ChainableRule[], milestones: number[], g: ScheduleGroup): GroupDriver {
  const parts = rules.map((r) => construct(r, g));
  // SequentialLR's constructor: back to initial_lr, undo every part's initial step, redo the first part's
  g.lr = g.initialLr!;
  for (const p of parts) p.epoch -= 1;
  parts[0].epoch = 0;
  g.lr = parts[0].rule.next(0, g, parts[0].base, true);
  let epoch = 0;
  return {
    parts,
    step() {
      epoch += 1;
      const idx = bisectRight(milestones, epoch);
      const p = parts[idx];
      if (idx > 0 && milestones[idx - 1] === epoch) {
        // torch's _update_lr(0): the closed form where the class has one, else get_lr() (not the initial step)
        p.epoch = 0;
        g.lr = p.rule.closedForm ? p.rule.closedForm(0, p.base) : p.rule.next(0, g, p.base, false);
      } else {
        p.epoch += 1;
        g.lr = p.rule.next(p.epoch, g, p.base, false);
      }
    },
    epoch: () => epoch,
    setEpoch: (e) => (epoch = e),
  };
}

function groupState(g: ScheduleGroup): NonNullable<ScheduleState['groups']>[number] {
  const out: NonNullable<ScheduleState['groups']>[number] = { lr: g.lr };
  for (const k of ['initialLr', 'momentum', 'maxLr', 'minLr', 'maxMomentum', 'baseMomentum'] as const) if (g[k] !== undefined) out[k] = g[k];
  return out;
}

function loadGroup(g: ScheduleGroup, s: NonNullable<ScheduleState['groups']>[number]): void {
  // lr and momentum also come back with the optimizer's state dict; setting them here too keeps the order free
  g.lr = s.lr;
  for (const k of ['initialLr', 'momentum', 'maxLr', 'minLr', 'maxMomentum', 'baseMomentum'] as const) if (s[k] !== undefined) g[k] = s[k];
}

function simpleOrComposite(spec: ScheduleSpec, groups: ScheduleGroup[]): Schedule {
  let make: (g: ScheduleGroup) => GroupDriver;
  let name = spec.name;
  let maxSteps: number | undefined;
  if (spec.name === 'sequential' || spec.name === 'chained') {
    const parts = spec.schedules;
    if (!Array.isArray(parts) || parts.length < 1) throw inputError(`schedule '${spec.name}': schedules: expected a list of schedule specs`);
    const known = spec.name === 'sequential' ? ['schedules', 'milestones'] : ['schedules'];
    for (const k of Object.keys(spec)) {
      if (k !== 'name' && !known.includes(k)) throw inputError(`schedule '${spec.name}': unknown parameter '${k}'; expected one of: ${known.join(', ')}`);
    }
    const specs = parts.map(checkSpec);
    const rules = specs.map(buildRule); // validated once, before any group is touched
    if (spec.name === 'chained') make = (g) => chainedDriver(rules, g);
    else {
      const ms = spec.milestones;
      if (!Array.isArray(ms) || ms.length !== specs.length - 1 || ms.some((m, i) => !Number.isInteger(m) || m < 1 || (i > 0 && m <= ms[i - 1]))) {
        throw inputError(`schedule 'sequential': milestones: expected ${specs.length - 1} increasing integers >= 1 (one fewer than schedules)`);
      }
      make = (g) => sequentialDriver(rules, ms as number[], g);
    }
  } else {
    const rule = buildRule(spec);
    name = rule.name;
    maxSteps = rule.maxEpoch;
    // a rule holds only its parameters, so the groups share it
    make = (g) => chainedDriver([rule], g);
  }
  const drivers = groups.map((g) => make(g));
  const g0 = groups[0];
  return {
    name,
    needsMetric: false,
    maxSteps,
    get lr() { return g0.lr; },
    get momentum() { return g0.momentum; },
    step() {
      for (const d of drivers) d.step();
      return g0.lr;
    },
    state: () => ({
      lr: g0.lr,
      lastEpoch: drivers[0].epoch(),
      parts: drivers[0].parts.map((p) => p.epoch),
      groups: groups.map(groupState),
    }),
    load(st) {
      const n = drivers[0].parts.length;
      if (!st || !Array.isArray(st.parts) || st.parts.length !== n) throw inputError(`schedule state: expected ${n} parts, got ${st?.parts?.length}`);
      if (st.groups !== undefined && st.groups.length !== groups.length) throw inputError(`schedule state: expected ${groups.length} param groups, got ${st.groups.length}`);
      drivers.forEach((d, i) => {
        d.setEpoch(st.lastEpoch);
        st.parts.forEach((e, j) => (d.parts[j].epoch = e));
        if (st.groups) loadGroup(groups[i], st.groups[i]);
      });
      if (st.groups === undefined) g0.lr = st.lr; // a state saved before groups were recorded
    },
  };
}

function plateauSchedule(spec: ScheduleSpec, groups: ScheduleGroup[]): Schedule {
  const o = resolveParams('plateau', { params: plateauDefaults }, spec) as unknown as PlateauOptions;
  checkPlateau(o);
  // one state machine per group (each group's lr is reduced from its own value, as torch's)
  let sts = groups.map((g) => plateauInit(g.lr, o));
  return {
    name: 'plateau',
    needsMetric: true,
    maxSteps: undefined,
    get lr() { return sts[0].lr; },
    get momentum() { return undefined; },
    step(metric?: number) {
      if (typeof metric !== 'number' || Number.isNaN(metric)) throw inputError('schedule \'plateau\': step(metric) needs the metric (a number)');
      sts = sts.map((st, i) => {
        const next = plateauStep({ ...st, lr: groups[i].lr }, metric, o);
        groups[i].lr = next.lr;
        return next;
      });
      return sts[0].lr;
    },
    state: () => ({ lr: sts[0].lr, lastEpoch: sts[0].lastEpoch, parts: [], plateau: { ...sts[0] }, groups: groups.map(groupState) }),
    load(s) {
      if (!s || !s.plateau) throw inputError('schedule state: expected the plateau state');
      sts = groups.map((g, i) => ({ ...s.plateau!, lr: s.groups?.[i]?.lr ?? s.plateau!.lr }));
      groups.forEach((g, i) => (g.lr = sts[i].lr));
    },
  };
}

/**
 * Parses the CLI form `NAME:KEY=VALUE,...`. Values are numbers, `a;b;c` lists of numbers, or words
 * (plateau's mode). Composites: `A then@N B` (sequential, N the milestone) and `A and B` (chained), e.g.
 * `"linear:startFactor=0.1,totalIters=5 then@5 cosine:tMax=95"`.
 */
export function parseScheduleArg(text: string): ScheduleSpec {
  const t = text.trim();
  if (/\sthen@/.test(t)) {
    const pieces = t.split(/\s+then@/);
    const schedules: ScheduleSpec[] = [parseOne(pieces[0])];
    const milestones: number[] = [];
    for (const p of pieces.slice(1)) {
      const m = /^(\d+)\s+(.*)$/.exec(p);
      if (!m) throw inputError(`--schedule: expected 'A then@N B' with N an integer step, got '${text}'`);
      milestones.push(Number(m[1]));
      schedules.push(parseOne(m[2]));
    }
    return { name: 'sequential', schedules, milestones };
  }
  if (/\sand\s/.test(t)) return { name: 'chained', schedules: t.split(/\s+and\s+/).map(parseOne) };
  return parseOne(t);
}

function parseOne(text: string): ScheduleSpec {
  const t = text.trim();
  const colon = t.indexOf(':');
  const name = colon < 0 ? t : t.slice(0, colon);
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(name)) throw inputError(`--schedule: expected NAME:KEY=VALUE,..., got '${text}'`);
  const spec: ScheduleSpec = { name };
  if (colon < 0 || colon === t.length - 1) return spec;
  for (const pair of t.slice(colon + 1).split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw inputError(`--schedule ${name}: expected KEY=VALUE, got '${pair}'`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    // a key given twice would keep the last silently; __proto__ would be dropped (it is object machinery)
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw inputError(`--schedule ${name}: the key '${key}' is not allowed (it is not a setting)`);
    if (Object.prototype.hasOwnProperty.call(spec, key)) throw inputError(`--schedule ${name}: '${key}' is given twice; expected each key once`);
    spec[key] = parseValue(raw, `--schedule ${name}: ${key}`);
  }
  return spec;
}

function parseValue(raw: string, where: string): ScheduleValue {
  if (raw.includes(';')) {
    return raw.split(';').map((x) => {
      const v = Number(x);
      if (x.trim() === '' || !Number.isFinite(v)) throw inputError(`${where}: expected numbers separated by ';', got '${raw}'`);
      return v;
    });
  }
  if (raw === '') throw inputError(`${where}: expected a value`);
  if (raw === 'null') return null;
  const v = Number(raw);
  if (Number.isFinite(v)) return v;
  if (/^[A-Za-z][A-Za-z0-9_]*$/.test(raw)) return raw; // words: modes, true/false
  throw inputError(`${where}: expected a number, got '${raw}'`);
}

/** The lr at steps 0..steps of a schedule (for plots and docs); plateau needs metrics, so it is refused. */
export function scheduleLrs(spec: ScheduleSpec | string, baseLr: number, steps: number): number[] {
  const s = createSchedule(spec, baseLr);
  if (s.needsMetric) throw inputError("schedule 'plateau': its lrs depend on the metric; step it with metrics instead");
  const out = [s.lr];
  for (let i = 0; i < steps; i++) out.push(s.step());
  return out;
}
