/**
 * One run spec's full check, the same on the coordinator (before anything is enqueued) and on a worker (for
 * every job it takes): the shape, the objective or dataset, the optimizer's hyperparameters and the schedule.
 * A worker runs nothing this does not accept: a job is data, never code or a command line.
 */
import { existsSync } from 'node:fs';
import { inputError, DescentError } from '../../errors.js';
import { makeObjective } from '../../objectives/index.js';
import { isOptimizerName, optimizers, resolveOptions, type OptimizerRule } from '../../optim/index.js';
import { createSchedule, type ScheduleSpec } from '../../schedule/index.js';
import { isSearchMethodName, resolveSearchOptions, resolveLbfgsTorchOptions } from '../../search/index.js';
import { isBuiltinName, builtinDatasets } from '../../data/index.js';
import { parseModelArg } from '../../nn/index.js';
import { checkSpec, optimizeMethodNames as knownOptimizerNames } from '../../search/optimize-run.js';
import { TRAIN_BASE_KEYS, type SweepKind } from '../spec.js';

/** Where a problem sits: `base`, `optimizer` or `schedule` (the sweep maps these back to its own fields). */
export type RunPart = 'base' | 'optimizer' | 'schedule';

/** An input error with the part of the run it is about. */
export class RunSpecError extends DescentError {
  constructor(readonly part: RunPart, message: string) {
    super('input', message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function inPart<T>(part: RunPart, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof RunSpecError) throw err;
    if (err instanceof DescentError) throw new RunSpecError(part, err.message);
    throw err;
  }
}

/** The optimizer object: a known name, and hyperparameters its defaults accept (types and ranges). */
function checkOptimizer(raw: unknown): { name: string; lr: number } {
  if (!isObject(raw) || typeof raw.name !== 'string') throw inputError('expected an object with a "name" field');
  const { name, ...given } = raw;
  if (isOptimizerName(name)) {
    const rule = optimizers[name] as unknown as OptimizerRule;
    if (given.lr === undefined && Number.isNaN(rule.defaults.lr)) throw inputError(`lr: required for ${name} (torch.optim has no default learning rate for it)`);
    const o = resolveOptions(rule, given) as { lr?: number };
    return { name, lr: typeof o.lr === 'number' ? o.lr : 1 };
  }
  if (name === 'lbfgs-torch') {
    const o = resolveLbfgsTorchOptions(given) as { lr?: number };
    return { name, lr: o.lr ?? 1 };
  }
  if (isSearchMethodName(name)) {
    resolveSearchOptions(name, given);
    return { name, lr: 1 };
  }
  throw inputError(`unknown optimizer '${name}'; expected one of: ${knownOptimizerNames().join(', ')}`);
}

function checkSchedule(raw: unknown, opt: { name: string; lr: number }): void {
  if (raw === undefined) return;
  if (!isObject(raw) || typeof raw.name !== 'string') throw inputError('expected an object with a "name" field');
  if (!isOptimizerName(opt.name)) throw inputError(`not used by '${opt.name}' (learning-rate schedules apply to first-order optimizers)`);
  for (const [k, v] of Object.entries(raw)) {
    const flat = typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === null || (Array.isArray(v) && v.every((x) => typeof x === 'number'));
    if (!flat) throw inputError(`${k}: expected a number, string, boolean or list of numbers (a schedule a run can be given on the command line)`);
  }
  createSchedule(raw as ScheduleSpec, opt.lr);
}

const TRAIN_CHOICES: Record<string, readonly string[]> = {
  activation: ['relu', 'sigmoid', 'tanh'],
  loss: ['mse', 'bce', 'ce', 'hinge'],
  scheduleEvery: ['epoch', 'batch'],
  onNonfinite: ['stop', 'skip-batch'],
};

/** number fields of a train run: [lowest, highest, integer] */
const TRAIN_NUMBERS: Record<string, [number, number, boolean]> = {
  val: [0, 0.99, false], dropout: [0, 0.999999, false], l1: [0, Infinity, false], l2: [0, Infinity, false],
  epochs: [0, 1e6, true], seed: [0, 2 ** 32 - 1, true], earlyStopping: [1, 1e6, true], clipNorm: [0, Infinity, false], clipValue: [0, Infinity, false],
};

function checkTrainBase(spec: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'optimizer' || k === 'schedule') continue;
    if (k !== 'seed' && !(TRAIN_BASE_KEYS as readonly string[]).includes(k)) throw inputError(`${k}: not a train field; expected one of: ${[...TRAIN_BASE_KEYS, 'seed', 'optimizer', 'schedule'].join(', ')}`);
    if (k in TRAIN_CHOICES) {
      if (typeof v !== 'string' || !TRAIN_CHOICES[k].includes(v)) throw inputError(`${k}: expected one of ${TRAIN_CHOICES[k].join(', ')}, got ${JSON.stringify(v)}`);
    } else if (k in TRAIN_NUMBERS) {
      const [lo, hi, int] = TRAIN_NUMBERS[k];
      if (typeof v !== 'number' || !(v >= lo && v <= hi) || (int && !Number.isInteger(v))) throw inputError(`${k}: expected ${int ? 'an integer' : 'a number'} >= ${lo}${hi < Infinity ? ` and <= ${hi}` : ''}, got ${JSON.stringify(v)}`);
    } else if (k === 'standardize' || k === 'shuffle') {
      if (typeof v !== 'boolean') throw inputError(`${k}: expected true or false, got ${JSON.stringify(v)}`);
    } else if (k === 'batch') {
      if (v !== 'full' && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) throw inputError(`batch: expected an integer >= 1 or "full", got ${JSON.stringify(v)}`);
    } else if (k === 'model') {
      if (typeof v !== 'string') throw inputError(`model: expected a string such as "mlp:64", got ${JSON.stringify(v)}`);
      parseModelArg(v);
    } else if (k === 'data' || k === 'target') {
      if (typeof v !== 'string' || v === '' || v.startsWith('-')) throw inputError(`${k}: expected a name, got ${JSON.stringify(v)}`);
    }
  }
  const data = spec.data;
  if (typeof data !== 'string') throw inputError('data: required; a built-in dataset name or a CSV file');
  if (!isBuiltinName(data) && !existsSync(data)) throw inputError(`data: unknown dataset '${data}'; expected one of: ${Object.keys(builtinDatasets).join(', ')}, or an existing CSV file`);
}

/**
 * Checks a run spec of `kind`; throws a RunSpecError naming the field and its part of the run.
 * For optimize, the shape is `descent optimize --spec`'s own check (checkSpec).
 */
export function validateRunSpec(kind: SweepKind, spec: unknown): void {
  if (!isObject(spec)) throw new RunSpecError('base', 'expected a run spec object');
  if (kind === 'optimize') {
    const s = inPart('base', () => checkSpec(spec, 'spec'));
    inPart('base', () => makeObjective(s.function, s.x0.length));
    const opt = inPart('optimizer', () => checkOptimizer(spec.optimizer));
    inPart('schedule', () => checkSchedule(spec.schedule, opt));
    return;
  }
  inPart('base', () => checkTrainBase(spec));
  const opt = inPart('optimizer', () => checkOptimizer(spec.optimizer ?? { name: 'adam' }));
  inPart('schedule', () => checkSchedule(spec.schedule, opt));
}

function flagValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(String).join(',');
  return String(v);
}

/**
 * The `descent train` arguments of a train run spec (the train equivalent of `optimize --spec`): each field
 * as its flag, the optimizer as --opt/--lr/--HYPERPARAMETER, the schedule as NAME:KEY=VALUE,... (lists with ;).
 */
export function trainArgs(spec: Record<string, unknown>): string[] {
  const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const args: string[] = [];
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'optimizer' || k === 'schedule' || v === undefined) continue;
    if (k === 'shuffle') {
      if (v === false) args.push('--no-shuffle');
      continue;
    }
    args.push(`--${kebab(k)}`, flagValue(v));
  }
  const opt = spec.optimizer as Record<string, unknown> | undefined;
  if (opt) {
    args.push('--opt', String(opt.name));
    for (const [k, v] of Object.entries(opt)) if (k !== 'name') args.push(`--${kebab(k)}`, flagValue(v));
  }
  const sch = spec.schedule as Record<string, unknown> | undefined;
  if (sch) {
    const parts = Object.entries(sch).filter(([k]) => k !== 'name').map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(';') : String(v)}`);
    args.push('--schedule', parts.length ? `${String(sch.name)}:${parts.join(',')}` : String(sch.name));
  }
  return args;
}
