/**
 * createSchedule(spec, baseLr): a learning-rate schedule stepped once per optimizer step (optimize) or per
 * epoch (train). Simple schedules follow torch's chainable get_lr(); `sequential` is SequentialLR (warm-up
 * then cosine), `chained` is ChainedScheduler; `plateau` is ReduceLROnPlateau and needs the metric.
 */
import { inputError, unknownName } from '../errors.js';
import { step, multistep, exponential, cosine, linear, inverseTime, bisectRight, type ChainableRule, type ScheduleFamily, type ScheduleValue } from './lr-schedules.js';
import { plateauDefaults, checkPlateau, plateauInit, plateauStep, type PlateauOptions, type PlateauState } from './plateau.js';

/** The simple schedules by name (the contract's table, less plateau, which is stateful). */
export const scheduleFamilies = { step, multistep, exponential, cosine, linear, inverseTime } as const;

/** Every schedule name a spec may use. */
export const scheduleNames = [...Object.keys(scheduleFamilies), 'plateau', 'sequential', 'chained'] as const;

/** `{ name: "step", stepSize: 30, gamma: 0.1 }`; composites hold `schedules` (and `milestones` for sequential). */
export type ScheduleSpec = { name: string } & Record<string, unknown>;

/** Everything a schedule holds, as plain data: `load(state())` resumes the identical sequence. */
export interface ScheduleState {
  lr: number;
  /** The composite's own step count (sequential) or the simple schedule's last epoch. */
  lastEpoch: number;
  /** Each part's last epoch (composites). */
  parts: number[];
  /** The plateau machine, for plateau. */
  plateau?: PlateauState;
}

export interface Schedule {
  readonly name: string;
  /** The lr now (after the initial step, before any `step()`: torch's lr after constructing the scheduler). */
  readonly lr: number;
  /** True for plateau: `step(metric)` needs the metric. */
  readonly needsMetric: boolean;
  /** Advances one step (or epoch) and returns the new lr. */
  step(metric?: number): number;
  state(): ScheduleState;
  load(state: ScheduleState): void;
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

function buildRule(spec: ScheduleSpec, baseLr: number): ChainableRule {
  const name = spec.name;
  if (!Object.prototype.hasOwnProperty.call(scheduleFamilies, name)) {
    if (name === 'plateau' || name === 'sequential' || name === 'chained') {
      throw inputError(`schedule '${name}' cannot be part of a sequential or chained schedule`);
    }
    throw unknownName('schedule', name, scheduleNames);
  }
  const family: ScheduleFamily = scheduleFamilies[name as keyof typeof scheduleFamilies];
  return family.build(resolveParams(name, family, spec), baseLr);
}

function checkSpec(spec: unknown): ScheduleSpec {
  if (spec === null || typeof spec !== 'object' || typeof (spec as { name?: unknown }).name !== 'string') {
    throw inputError('schedule: expected an object with a "name" field');
  }
  return spec as ScheduleSpec;
}

function checkBaseLr(baseLr: number): void {
  if (!Number.isFinite(baseLr) || baseLr < 0) throw inputError(`schedule: the base lr must be a number >= 0, got ${baseLr}`);
}

/**
 * Builds and validates a schedule for a group whose lr is `baseLr`. Accepts a spec object or the CLI form
 * (`"step:stepSize=30,gamma=0.1"`, see parseScheduleArg). Unknown names list the known ones.
 * @example
 * ```ts
 * const s = createSchedule('step:stepSize=2,gamma=0.5', 0.1);
 * const lrs = [s.lr];
 * for (let t = 0; t < 5; t++) lrs.push(s.step());
 * console.log(lrs.join(' ')); // 0.1 0.1 0.05 0.05 0.025 0.025
 * ```
 */
export function createSchedule(spec: ScheduleSpec | string, baseLr: number): Schedule {
  checkBaseLr(baseLr);
  const s = typeof spec === 'string' ? parseScheduleArg(spec) : checkSpec(spec);
  if (s.name === 'plateau') return plateauSchedule(s, baseLr);
  if (s.name === 'sequential' || s.name === 'chained') return compositeSchedule(s, baseLr);
  return chainedSchedule(s.name, [buildRule(s, baseLr)], baseLr);
}

/** One simple schedule, or a ChainedScheduler: every part steps on the same lr, in order. */
function chainedSchedule(name: string, rules: ChainableRule[], baseLr: number): Schedule {
  const epochs = rules.map(() => 0);
  // construction runs each part's initial step on the shared lr, as torch's constructors do
  let lr = baseLr;
  for (const r of rules) lr = r.next(0, lr);
  return {
    name,
    needsMetric: false,
    get lr() { return lr; },
    step() {
      for (let i = 0; i < rules.length; i++) {
        epochs[i] += 1;
        lr = rules[i].next(epochs[i], lr);
      }
      return lr;
    },
    state: () => ({ lr, lastEpoch: epochs[0], parts: [...epochs] }),
    load(st) {
      if (st.parts.length !== rules.length) throw inputError(`schedule state: expected ${rules.length} parts, got ${st.parts.length}`);
      lr = st.lr;
      st.parts.forEach((e, i) => (epochs[i] = e));
    },
  };
}

function compositeSchedule(spec: ScheduleSpec, baseLr: number): Schedule {
  const parts = spec.schedules;
  if (!Array.isArray(parts) || parts.length < 1) throw inputError(`schedule '${spec.name}': schedules: expected a list of schedule specs`);
  const known = spec.name === 'sequential' ? ['schedules', 'milestones'] : ['schedules'];
  for (const k of Object.keys(spec)) {
    if (k !== 'name' && !known.includes(k)) throw inputError(`schedule '${spec.name}': unknown parameter '${k}'; expected one of: ${known.join(', ')}`);
  }
  const rules = parts.map((p) => buildRule(checkSpec(p), baseLr));
  if (spec.name === 'chained') return chainedSchedule('chained', rules, baseLr);
  const ms = spec.milestones;
  if (!Array.isArray(ms) || ms.length !== rules.length - 1 || ms.some((m, i) => !Number.isInteger(m) || m < 1 || (i > 0 && m <= ms[i - 1]))) {
    throw inputError(`schedule 'sequential': milestones: expected ${rules.length - 1} increasing integers >= 1 (one fewer than schedules)`);
  }
  const milestones = ms as number[];
  // SequentialLR: only the active part steps; at a milestone the next part restarts at its epoch 0
  // through its closed form (torch's scheduler.step(0)).
  let epoch = 0;
  const epochs = rules.map(() => -1);
  epochs[0] = 0;
  let lr = rules[0].next(0, baseLr);
  return {
    name: 'sequential',
    needsMetric: false,
    get lr() { return lr; },
    step() {
      epoch += 1;
      const idx = bisectRight(milestones, epoch);
      const r = rules[idx];
      if (idx > 0 && milestones[idx - 1] === epoch) {
        epochs[idx] = 0;
        lr = r.closedForm ? r.closedForm(0) : r.next(0, lr);
      } else {
        epochs[idx] += 1;
        lr = r.next(epochs[idx], lr);
      }
      return lr;
    },
    state: () => ({ lr, lastEpoch: epoch, parts: [...epochs] }),
    load(st) {
      if (st.parts.length !== rules.length) throw inputError(`schedule state: expected ${rules.length} parts, got ${st.parts.length}`);
      lr = st.lr;
      epoch = st.lastEpoch;
      st.parts.forEach((e, i) => (epochs[i] = e));
    },
  };
}

function plateauSchedule(spec: ScheduleSpec, baseLr: number): Schedule {
  const o = resolveParams('plateau', { params: plateauDefaults }, spec) as unknown as PlateauOptions;
  checkPlateau(o);
  let st = plateauInit(baseLr, o);
  return {
    name: 'plateau',
    needsMetric: true,
    get lr() { return st.lr; },
    step(metric?: number) {
      if (typeof metric !== 'number' || Number.isNaN(metric)) throw inputError('schedule \'plateau\': step(metric) needs the metric (a number)');
      st = plateauStep(st, metric, o);
      return st.lr;
    },
    state: () => ({ lr: st.lr, lastEpoch: st.lastEpoch, parts: [], plateau: { ...st } }),
    load(s) {
      if (!s.plateau) throw inputError('schedule state: expected the plateau state');
      st = { ...s.plateau };
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
  const v = Number(raw);
  if (Number.isFinite(v)) return v;
  if (/^[A-Za-z]+$/.test(raw)) return raw;
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
