/**
 * Dataset mode's own data: a CSV the reader drops on the page, read in the page (nothing is uploaded). Two
 * numeric feature columns and a class column (the last, two distinct values), with a header row, parsed by
 * the library's RFC 4180 reader (src/data/csv.ts). Features are scaled to [−1, 1] (the view's square); rows
 * are shuffled by the seed and split in half, train and held-out test, as the built-in sets are. Pure (no DOM).
 */
import { parseCsv } from '../data/csv.js';
import { Rng } from '../tensor/index.js';
import type { ToyData } from './toy-data.js';

/** Most rows used (a page trains full-batch every frame). */
export const MAX_CSV_ROWS = 4000;

export interface CsvToyData {
  train: ToyData;
  test: ToyData;
  /** What the page says about it: the file, the rows, the columns and the two classes. */
  summary: string;
}

/** The file as train and test sets, or a one-line message saying what is wrong with it. Never throws. */
export function csvToyData(text: string | Uint8Array, name: string, seed: number): CsvToyData | { error: string } {
  let ds;
  try {
    ds = parseCsv(text, { source: name, float64: true });
  } catch (e) {
    return { error: e instanceof Error ? e.message.replace(/^descent: error: /, '') : `${name}: could not read it` };
  }
  if (ds.d !== 2) return { error: `${name}: expected 2 feature columns and a class column, got ${ds.d} feature column${ds.d === 1 ? '' : 's'} (${ds.featureNames.join(', ')})` };
  const classes = [...new Set(Array.from(ds.y))].sort((a, b) => a - b);
  if (classes.length !== 2) return { error: `${name}: expected 2 classes in '${ds.targetName}', got ${classes.length}` };
  if (ds.n < 4) return { error: `${name}: expected at least 4 rows, got ${ds.n}` };
  const n = Math.min(ds.n, MAX_CSV_ROWS);
  const order = Array.from({ length: ds.n }, (_v, i) => i);
  const rng = new Rng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
  for (let i = 0; i < ds.n; i++) for (let c = 0; c < 2; c++) {
    lo[c] = Math.min(lo[c], ds.x[2 * i + c]);
    hi[c] = Math.max(hi[c], ds.x[2 * i + c]);
  }
  const scale = (v: number, c: number): number => (hi[c] > lo[c] ? -1 + (2 * (v - lo[c])) / (hi[c] - lo[c]) : 0);
  const take = (from: number, to: number): ToyData => {
    const m = to - from;
    const x = new Float64Array(2 * m), y = new Int32Array(m);
    for (let k = 0; k < m; k++) {
      const i = order[from + k];
      x[2 * k] = scale(ds.x[2 * i], 0);
      x[2 * k + 1] = scale(ds.x[2 * i + 1], 1);
      y[k] = ds.y[i] === classes[1] ? 1 : 0;
    }
    return { x, y, n: m };
  };
  const half = Math.ceil(n / 2);
  return {
    train: take(0, half),
    test: take(half, n),
    summary: `${name}: ${n} rows${ds.n > n ? ` (of ${ds.n})` : ''}, ${ds.featureNames.join(' and ')} scaled to [−1, 1], ${ds.targetName} ${classes[0]} / ${classes[1]}; read in this page, not uploaded`,
  };
}
