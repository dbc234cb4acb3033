/**
 * `descent train`'s weight-averaging flags (docs/contract.md, Additions): `--ema DECAY`, or `--swa-start E --swa-lr X
 * [--swa-anneal-epochs A] [--swa-anneal cos|linear]`, checked and turned into the library's AveragingConfig.
 */
import { inputError } from '../errors.js';
import type { AveragingConfig } from '../train/averaging.js';

type Flags = Record<string, unknown>;

function number(flag: string, raw: unknown, what: string, ok: (v: number) => boolean): number {
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!ok(v)) throw inputError(`${flag}: expected ${what}, got '${String(raw)}'`);
  return v;
}

/** The averaging the flags ask for, or undefined; a partial or contradictory set is an input error naming the flag. */
export function averagingFromFlags(o: Flags): AveragingConfig | undefined {
  const swaFlags = ['swaLr', 'swaAnnealEpochs', 'swaAnneal'].filter((k) => o[k] !== undefined);
  if (o.ema !== undefined) {
    if (o.swaStart !== undefined || swaFlags.length) throw inputError('--ema and --swa-*: choose one kind of weight averaging');
    return { ema: number('--ema', o.ema, 'a decay in [0, 1], e.g. 0.999', (v) => v >= 0 && v <= 1) };
  }
  if (o.swaStart === undefined) {
    if (swaFlags.length) throw inputError(`--${swaFlags[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: needs --swa-start E (the first epoch to average)`);
    return undefined;
  }
  if (o.swaLr === undefined) throw inputError('--swa-start: needs --swa-lr X (the lr SWALR anneals to)');
  const cfg: AveragingConfig = {
    swaStart: number('--swa-start', o.swaStart, 'an epoch >= 1 (counted from 1)', (v) => Number.isInteger(v) && v >= 1),
    swaLr: number('--swa-lr', o.swaLr, 'a number >= 0', (v) => Number.isFinite(v) && v >= 0),
  };
  if (o.swaAnnealEpochs !== undefined) cfg.swaAnnealEpochs = number('--swa-anneal-epochs', o.swaAnnealEpochs, 'an integer >= 0', (v) => Number.isInteger(v) && v >= 0);
  if (o.swaAnneal !== undefined) {
    if (o.swaAnneal !== 'cos' && o.swaAnneal !== 'linear') throw inputError(`--swa-anneal: expected cos or linear, got '${String(o.swaAnneal)}'`);
    cfg.swaAnneal = o.swaAnneal;
  }
  return cfg;
}
