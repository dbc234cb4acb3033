/**
 * The data flags `descent train` and `descent ensemble` share (--data, --target, --val, --standardize) and the
 * number parsers of their flags: the dataset comes from the library's `loadDataset`, read from disk.
 */
import { inputError } from '../errors.js';
import { builtinDatasets } from '../data/index.js';
import { loadDataset } from '../node/datasets.js';
import { memoryLimit } from './limits.js';
import { LANDSCAPE_ROWS } from '../train/landscape.js';

type Opts = Record<string, string | boolean | undefined>;

export function parseNumber(flag: string, raw: string | boolean | undefined, lo: number, hi = Infinity, integer = false): number | undefined {
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(x) || x < lo || x > hi || (integer && !Number.isInteger(x))) {
    const what = integer ? 'an integer' : 'a number';
    throw inputError(`--${flag}: expected ${what} >= ${lo}${hi < Infinity ? ` and <= ${hi}` : ''}, got '${raw}'`);
  }
  return x;
}

/** A probability in [0, 1) (dropout: p = 1 would zero every activation). */
export function parseProbability(flag: string, raw: string | boolean | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !(x >= 0 && x < 1)) throw inputError(`--${flag}: expected a probability in [0, 1), got '${String(raw)}'`);
  return x;
}

export function parseBool(flag: string, raw: string | boolean | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  if (raw === true || raw === 'true') return true;
  if (raw === 'false') return false;
  throw inputError(`--${flag}: expected true or false (or the bare flag for true), got '${raw}'`);
}

/** `--data`, `--target`, `--val`, `--standardize` → the dataset, split and standardized (train and ensemble share this). */
export function datasetFromFlags(o: Opts): ReturnType<typeof loadDataset> {
  if (o.data === undefined) throw inputError(`--data: required; a built-in name (${Object.keys(builtinDatasets).join(', ')}) or a CSV file`);
  return loadDataset(o.data as string, {
    target: o.target as string | undefined,
    val: parseNumber('val', o.val, 0, 0.99),
    standardize: parseBool('standardize', o.standardize),
    // a float64 run reads the file's digits in float64 (and standardizes them there)
    float64: o.dtype === 'float64',
    memoryLimit: memoryLimit(),
  });
}

/** --landscape-rows: a row count >= 1 or `all` (Infinity); absent: the library's default sample. */
export function landscapeRows(v: string | boolean | undefined): number {
  if (v === undefined) return LANDSCAPE_ROWS;
  const t = String(v).trim();
  if (t === 'all') return Infinity;
  if (!/^\d+$/.test(t) || Number(t) < 1) throw inputError(`--landscape-rows: expected a row count >= 1 or all, got '${String(v)}'`);
  return Number(t);
}
