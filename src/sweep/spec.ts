/**
 * The sweep spec (docs/contract.md, Additions): its shape check and its expansion into complete run specs.
 * A run is data (design item 16): `{ kind, seed, spec }`, where `spec` is what `descent optimize --spec`
 * takes (kind "optimize") or the train flags as camelCase keys with the optimizer and schedule as objects
 * (kind "train"). The values of each run are checked by the runner's own validator (src/sweep/node).
 */
import { inputError } from '../errors.js';

export type SweepKind = 'optimize' | 'train';

/** A hyperparameter's alternatives: a list, or `{log: [lo, hi], num}` (num points, evenly spaced in log). */
export type Alternatives = unknown[] | { log: [number, number]; num: number };

/** One optimizer of the grid: its name and, per hyperparameter, the alternatives. */
export interface OptimizerGrid {
  name: string;
  [hyperparameter: string]: unknown;
}

/** A parsed sweep spec. */
export interface SweepSpec {
  kind: SweepKind;
  base: Record<string, unknown>;
  optimizers: OptimizerGrid[];
  /** Alternatives for the schedule; `null` is "no schedule". */
  schedules: (Record<string, unknown> | null)[];
  seeds: number[];
  /** Train only: batch sizes (a number or "full") to cross with everything else. */
  batches?: (number | 'full')[];
}

/** One run of the grid: index in the grid order, its seed and its complete spec. */
export interface SweepRun {
  index: number;
  kind: SweepKind;
  seed: number;
  /** The complete run spec: an optimize spec, or the train equivalent. */
  spec: Record<string, unknown>;
  /** Where in the sweep spec it came from (for error messages): optimizers[i], schedules[j]. */
  optimizerIndex: number;
  scheduleIndex: number;
}

const TOP_KEYS = ['kind', 'base', 'optimizers', 'schedules', 'seeds', 'batches'];
/** A sweep that would take days by accident (a typo in `num`) is refused up front. */
export const MAX_RUNS = 100_000;

/** The fields a train base may hold: the train flags that neither read nor write files of their own. */
export const TRAIN_BASE_KEYS = [
  'data', 'target', 'val', 'standardize', 'model', 'activation', 'dropout', 'loss', 'l1', 'l2', 'batch', 'epochs',
  'shuffle', 'earlyStopping', 'clipNorm', 'clipValue', 'scheduleEvery', 'onNonfinite',
] as const;
/** What an optimize base may hold (the optimize spec without optimizer and schedule). */
export const OPTIMIZE_BASE_KEYS = ['function', 'x0', 'steps'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The values `{log: [lo, hi], num}` stands for: lo·(hi/lo)^(i/(num−1)), lo and hi exact. */
export function logRange(lo: number, hi: number, num: number): number[] {
  if (num === 1) return [lo];
  const a = Math.log10(lo), b = Math.log10(hi);
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i === 0 ? lo : i === num - 1 ? hi : 10 ** (a + ((b - a) * i) / (num - 1)));
  return out;
}

/** A field's alternatives as a list (validated): a list, a log range, or a single plain value. */
export function alternatives(value: unknown, field: string): unknown[] {
  if (Array.isArray(value)) {
    if (value.length === 0) throw inputError(`${field}: expected a non-empty list of alternatives`);
    return value;
  }
  if (isObject(value) && 'log' in value) {
    const extra = Object.keys(value).filter((k) => k !== 'log' && k !== 'num');
    if (extra.length) throw inputError(`${field}: unknown field '${extra[0]}' in a log range; expected {"log": [lo, hi], "num": n}`);
    const lh = value.log;
    if (!Array.isArray(lh) || lh.length !== 2 || !lh.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0)) {
      throw inputError(`${field}.log: expected two numbers > 0, [lo, hi]`);
    }
    const num = value.num;
    if (typeof num !== 'number' || !Number.isInteger(num) || num < 1 || num > 10_000) throw inputError(`${field}.num: expected an integer from 1 to 10000, got ${JSON.stringify(num)}`);
    return logRange(lh[0] as number, lh[1] as number, num);
  }
  return [value];
}

/** Checks a parsed JSON value against the sweep schema; every error names the field (`optimizers[1].lr`). */
export function parseSweepSpec(raw: unknown): SweepSpec {
  if (!isObject(raw)) throw inputError('expected a JSON object with kind, base, optimizers (schedules, seeds optional)');
  for (const k of Object.keys(raw)) if (!TOP_KEYS.includes(k)) throw inputError(`unknown field '${k}'; expected one of: ${TOP_KEYS.join(', ')}`);
  const kind = raw.kind;
  if (kind !== 'optimize' && kind !== 'train') throw inputError(`kind: expected "optimize" or "train", got ${JSON.stringify(kind)}`);
  const base = raw.base;
  if (!isObject(base)) throw inputError('base: expected an object (the run every grid point starts from)');
  const allowed: readonly string[] = kind === 'optimize' ? OPTIMIZE_BASE_KEYS : TRAIN_BASE_KEYS;
  for (const k of Object.keys(base)) {
    if (!allowed.includes(k)) {
      const why = k === 'optimizer' || k === 'schedule' || k === 'opt' || k === 'lr' || k === 'seed' ? ` (${k === 'schedule' ? 'schedules' : k === 'seed' ? 'seeds' : 'optimizers'} holds it)` : '';
      throw inputError(`base.${k}: not a field of a ${kind} base${why}; expected one of: ${allowed.join(', ')}`);
    }
  }
  if (kind === 'train' && base.data === undefined) throw inputError('base.data: required; a built-in dataset name or a CSV file');
  if (kind === 'optimize' && base.function === undefined) throw inputError('base.function: required; a test function name or {"name": ..., ...parameters}');
  if (kind === 'optimize' && base.x0 === undefined) throw inputError('base.x0: required; the start point, a list of numbers');
  const opts = raw.optimizers;
  if (!Array.isArray(opts) || opts.length === 0) throw inputError('optimizers: expected a non-empty list of {"name": ..., hyperparameter: [alternatives]}');
  const optimizers: OptimizerGrid[] = opts.map((o, i) => {
    if (typeof o === 'string') return { name: o };
    if (!isObject(o) || typeof o.name !== 'string') throw inputError(`optimizers[${i}]: expected an object with a "name" field`);
    for (const [k, v] of Object.entries(o)) if (k !== 'name') alternatives(v, `optimizers[${i}].${k}`);
    return o as OptimizerGrid;
  });
  let schedules: (Record<string, unknown> | null)[] = [null];
  if (raw.schedules !== undefined) {
    if (!Array.isArray(raw.schedules) || raw.schedules.length === 0) throw inputError('schedules: expected a non-empty list of schedule objects or null');
    schedules = raw.schedules.map((s, i) => {
      if (s === null) return null;
      if (!isObject(s) || typeof s.name !== 'string') throw inputError(`schedules[${i}]: expected null or an object with a "name" field`);
      return s;
    });
  }
  let seeds = [0];
  if (raw.seeds !== undefined) {
    if (!Array.isArray(raw.seeds) || raw.seeds.length === 0) throw inputError('seeds: expected a non-empty list of integers >= 0');
    raw.seeds.forEach((s, i) => {
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > 2 ** 32 - 1) throw inputError(`seeds[${i}]: expected an integer from 0 to 4294967295, got ${JSON.stringify(s)}`);
    });
    if (new Set(raw.seeds).size !== raw.seeds.length) throw inputError('seeds: expected distinct seeds');
    seeds = raw.seeds as number[];
  }
  let batches: (number | 'full')[] | undefined;
  if (raw.batches !== undefined) {
    if (kind !== 'train') throw inputError('batches: only a train sweep has batches');
    if (base.batch !== undefined) throw inputError('batches: give either base.batch or batches, not both');
    if (!Array.isArray(raw.batches) || raw.batches.length === 0) throw inputError('batches: expected a non-empty list of batch sizes (integers >= 1 or "full")');
    raw.batches.forEach((b, i) => {
      if (b !== 'full' && (typeof b !== 'number' || !Number.isInteger(b) || b < 1)) throw inputError(`batches[${i}]: expected an integer >= 1 or "full", got ${JSON.stringify(b)}`);
    });
    batches = raw.batches as (number | 'full')[];
  }
  const spec: SweepSpec = { kind, base, optimizers, schedules, seeds, ...(batches ? { batches } : {}) };
  const n = countRuns(spec);
  if (n > MAX_RUNS) throw inputError(`the grid has ${n} runs, over the limit of ${MAX_RUNS}; expected fewer alternatives`);
  return spec;
}

/** Every combination of an optimizer's alternatives, keys in the spec's order, the last key varying fastest. */
function optimizerSettings(o: OptimizerGrid, i: number): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{ name: o.name }];
  for (const [k, v] of Object.entries(o)) {
    if (k === 'name') continue;
    const alts = alternatives(v, `optimizers[${i}].${k}`);
    out = out.flatMap((partial) => alts.map((a) => ({ ...partial, [k]: a })));
  }
  return out;
}

/** The number of runs, without building them. */
export function countRuns(s: SweepSpec): number {
  let perSchedule = 0;
  s.optimizers.forEach((o, i) => {
    let n = 1;
    for (const [k, v] of Object.entries(o)) if (k !== 'name') n *= alternatives(v, `optimizers[${i}].${k}`).length;
    perSchedule += n;
  });
  return perSchedule * s.schedules.length * (s.batches?.length ?? 1) * s.seeds.length;
}

/**
 * The grid, in order: optimizers × their settings × schedules × batches × seeds (seeds fastest). For train
 * the seed is the run's `seed` flag; an optimize run is deterministic, so its seeds repeat the same spec
 * (they are separate runs, keyed by their seed).
 */
export function expandSweep(s: SweepSpec): SweepRun[] {
  const runs: SweepRun[] = [];
  s.optimizers.forEach((o, i) => {
    for (const optimizer of optimizerSettings(o, i)) {
      s.schedules.forEach((schedule, j) => {
        for (const batch of s.batches ?? [undefined]) {
          for (const seed of s.seeds) {
            const spec: Record<string, unknown> = { ...s.base };
            if (batch !== undefined) spec.batch = batch;
            spec.optimizer = optimizer;
            if (schedule !== null) spec.schedule = schedule;
            if (s.kind === 'train') spec.seed = seed;
            runs.push({ index: runs.length, kind: s.kind, seed, spec, optimizerIndex: i, scheduleIndex: j });
          }
        }
      });
    }
  });
  return runs;
}

/** JSON with object keys sorted at every depth: equal specs give equal text, whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The identity of a run (what its key hashes): kind, seed and the complete spec, canonically. */
export function runIdentity(r: Pick<SweepRun, 'kind' | 'seed' | 'spec'>): string {
  return canonicalJson({ kind: r.kind, seed: r.seed, spec: r.spec });
}
