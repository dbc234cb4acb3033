/**
 * CSV with a header row: every column but the target is a numeric feature. Parses text (the caller
 * reads the file), so this runs in the browser too. Errors name the source, the row and the column.
 */
import { inputError } from '../errors.js';
import { countClasses, type Dataset } from './dataset.js';

export interface CsvOptions {
  /** The file name in messages. */
  source?: string;
  /** Target column (default: the last). */
  target?: string;
}

/**
 * Parses `text` (or UTF-8 bytes) into a float32 dataset. Rows are numbered as data rows from 1
 * (the header is not counted) and the file line is given too, so an editor finds it. Blank lines
 * at the end are ignored; a blank line inside is a ragged row. Fields are plain (no quoting):
 * the files this reads are numeric.
 */
export function parseCsv(input: string | Uint8Array, opts: CsvOptions = {}): Dataset {
  const source = opts.source ?? 'csv';
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw inputError(`${source}: empty file; expected a header row and data rows`);
  const header = lines[0].split(',').map((h) => h.trim());
  if (header.length < 2) throw inputError(`${source}: header: expected at least 2 columns (features and a target), got ${header.length}`);
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '') throw inputError(`${source}: header: empty column name`);
    if (seen.has(h)) throw inputError(`${source}: header: column '${h}' appears twice`);
    seen.add(h);
  }
  const targetName = opts.target ?? header[header.length - 1];
  const ti = header.indexOf(targetName);
  if (ti < 0) throw inputError(`--target: no column '${targetName}' in ${source}; columns: ${header.join(', ')}`);
  const n = lines.length - 1;
  if (n === 0) throw inputError(`${source}: no data rows after the header`);
  const d = header.length - 1;
  const x = new Float32Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const fields = lines[i + 1].split(',');
    if (fields.length !== header.length) {
      throw inputError(`${source}: row ${i + 1} (line ${i + 2}): expected ${header.length} fields as in the header, got ${fields.length}`);
    }
    let j = 0;
    for (let c = 0; c < fields.length; c++) {
      const raw = fields[c].trim();
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v)) {
        throw inputError(`${source}: row ${i + 1} (line ${i + 2}), column '${header[c]}': expected a number, got '${fields[c]}'`);
      }
      if (c === ti) y[i] = v;
      else x[i * d + j++] = v;
    }
  }
  return { x, y, n, d, featureNames: header.filter((_, c) => c !== ti), targetName, numClasses: countClasses(y) };
}
