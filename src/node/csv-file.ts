/**
 * Reads a CSV file in 1 MiB chunks into the streaming parser (src/data/csv.ts), so the file's text is
 * never held whole: memory is the numeric data, not the text.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { CsvParser, type CsvOptions } from '../data/csv.js';
import type { Dataset } from '../data/dataset.js';

const CHUNK = 1 << 20;

/** Parses the CSV file at `path`; open and read errors are thrown as they come (the caller words them). */
export function readCsvFile(path: string, opts: CsvOptions = {}): Dataset {
  const parser = new CsvParser({ source: path, ...opts });
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(CHUNK);
    for (let got = readSync(fd, buf, 0, CHUNK, null); got > 0; got = readSync(fd, buf, 0, CHUNK, null)) {
      parser.push(buf.subarray(0, got));
    }
  } finally {
    closeSync(fd);
  }
  return parser.end();
}
