/**
 * CSV with a header row (RFC 4180): every column but the target is a numeric feature. Parses text or
 * bytes (the caller reads the file), so this runs in the browser too. Errors name the source, the row,
 * the file line and the column, and show file values escaped and cut short (quoteValue).
 *
 * RFC 4180: fields may be quoted ("a,b", doubled quotes for a quote, a line break inside quotes); records end in
 * CRLF, LF or a lone CR; a UTF-8 BOM is skipped. Numbers are decimal only, as torch and pandas read
 * them (`-1.5e3`, `.5`, `5.`): `0x10`, `0b1`, `Infinity` and `1_000` are not numbers, and a decimal past
 * the storage range (`1e39` in float32 features, `1e400` anywhere) gets the range message.
 *
 * Streaming: `CsvParser` takes the input in chunks (any split, even inside a UTF-8 character) and
 * keeps only the unfinished last line as text; rows go straight into float32/float64 blocks. Memory
 * is the numeric size of the data, about twice that for a moment at the end (the blocks are copied
 * into one contiguous array), never the text: a 1,000,000-row file trains in a small multiple of its
 * float32 size (test/data/csv-limits.test.ts). `parseCsv` is the one-call form.
 */
import { escapeText, inputError, quoteList, quoteValue } from '../errors.js';
import { countClasses, type Dataset } from './dataset.js';

/**
 * How {@link parseCsv} reads a CSV file (a header row, then one row per example): the target column, which
 * columns are features, their precision and limits. All fields are optional.
 */
export interface CsvOptions {
  /** The file name in messages. */
  source?: string;
  /**
   * Target column (default: the last, or what `defaultTarget` picks). `null`: no target column, every
   * column is a feature (k-means); the dataset's `y` is then empty, `targetName` '' and `numClasses` 0.
   */
  target?: string | null;
  /** Picks the target from the header when `target` is not given (a name, or null for none); default: the last column. */
  defaultTarget?: (header: readonly string[]) => string | null;
  /** Store features as float64 (k-means keeps the file's precision) instead of float32 (what models train in). */
  float64?: boolean;
  /**
   * Largest dataset accepted, in bytes of its in-memory form (rows × (4 or 8 per feature, + 8 for the target)), and where that
   * number comes from; a larger one fails with an input error at the first row past the limit, before
   * more memory is taken.
   */
  memoryLimit?: { bytes: number; why: string };
}

/** Rows per storage block: 65,536 rows of a 5-column file are 1.5 MB. */
const BLOCK_ROWS = 65536;
/** Longest line accepted (a header of 10⁵ named columns fits): a file with no line breaks is not a CSV. */
const MAX_LINE = 16 * 1024 * 1024;

/**
 * Incremental CSV parser: `push` chunks (strings or UTF-8 bytes) in order, then `end()` for the
 * dataset. Rows are numbered as data rows from 1 (the header is not counted) and the file line where
 * the record starts is given too, so an editor finds it. Blank lines at the end are ignored; a blank
 * line inside is a ragged row. A record is split at line breaks outside quotes; records without a
 * quote (the usual numeric file) are parsed straight from their bytes.
 */
export class CsvParser {
  private readonly source: string;
  private readonly opts: CsvOptions;
  /** For the header, non-ASCII rows and messages (rows of plain ASCII are parsed from the bytes). */
  private readonly decoder = new TextDecoder();
  /** The unfinished last line's bytes (only these are kept between chunks). */
  private carry = new Uint8Array(256);
  private carryLen = 0;
  private header: string[] | null = null;
  private ti = -1;
  private d = 0;
  private n = 0;
  /** Blank lines seen since the last row: an error if a row follows, ignored at the end. */
  private blanks = 0;
  /** File line where the record being read starts (1-based), and where the next one starts. */
  private lineNo = 0;
  private nextLine = 1;
  /** Record splitting, carried across chunks: inside a quoted field; the last chunk ended in a CR (outside quotes, or inside); the record holds a quote; line breaks inside its quotes. */
  private inQuotes = false;
  private afterCR = false;
  private quotedCR = false;
  private recQuoted = false;
  private recBreaks = 0;
  /** Lines the current row lies below `row + 1` (records spanning lines move the rest down). */
  private lineOffset = 0;
  private rowBytes = 0;
  /** Full blocks of BLOCK_ROWS rows, then the block being filled (which starts small and doubles). */
  private readonly xBlocks: (Float32Array | Float64Array)[] = [];
  private readonly yBlocks: Float64Array[] = [];
  private xCur: Float32Array | Float64Array = new Float32Array(0);
  private yCur = new Float64Array(0);
  /** Rows the current block holds room for, and rows in it. */
  private curCap = 0;
  private curRows = 0;

  constructor(opts: CsvOptions = {}) {
    this.opts = opts;
    this.source = opts.source ?? 'csv';
  }

  /** Feeds the next piece of the input (UTF-8 bytes, split anywhere, or text). */
  push(chunk: string | Uint8Array): void {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    const n = bytes.length;
    let at = 0, i = 0;
    if (this.afterCR && n > 0) {
      // a CRLF split across chunks: the LF belongs to the CR that ended the last record
      if (bytes[0] === 10) at = i = 1;
      this.afterCR = false;
    }
    // where the next quote, CR and LF lie (n: none in this chunk), found by the native indexOf (memchr), so
    // plain rows cost no JavaScript loop over their bytes here; each is searched again only once passed
    let nextQuote = -1, nextCR = -1, nextLF = -1;
    while (i < n) {
      if (this.inQuotes) {
        // inside quotes only the next quote matters; line breaks are data (counted for line numbers)
        for (; i < n; i++) {
          const c = bytes[i];
          if (c === 34) break;
          if (c === 10) {
            if (!this.quotedCR) this.recBreaks++;
            this.quotedCR = false;
          } else if (c === 13) {
            this.recBreaks++;
            this.quotedCR = true;
          } else this.quotedCR = false;
        }
        if (i === n) break;
        this.inQuotes = false; // a doubled quote ("") opens again at once below
        i++;
        continue;
      }
      if (nextQuote < i) nextQuote = indexOr(bytes, 34, i, n);
      if (nextCR < i) nextCR = indexOr(bytes, 13, i, n);
      if (nextLF < i) nextLF = indexOr(bytes, 10, i, n);
      i = Math.min(nextQuote, nextCR, nextLF);
      if (i === n) break;
      const c = bytes[i];
      if (c === 34) {
        this.inQuotes = true;
        this.recQuoted = true;
        this.quotedCR = false;
        i++;
        continue;
      }
      // the record ends at i: LF, CR or CRLF
      if (this.carryLen > 0) {
        this.keep(bytes, at, i);
        const len = this.carryLen;
        this.carryLen = 0; // before record(): an error thrown there must not leave the line behind
        this.record(this.carry, 0, len);
      } else this.record(bytes, at, i);
      if (c === 13) {
        if (i + 1 < n) {
          if (bytes[i + 1] === 10) i++;
        } else this.afterCR = true;
      }
      at = ++i;
    }
    this.keep(bytes, at, n);
    if (this.carryLen > MAX_LINE) {
      throw inputError(`${this.source}: the record starting on line ${this.nextLine} is longer than ${MAX_LINE} bytes; expected a CSV text file with one row per line${this.inQuotes ? ' (a quote opened in it is never closed)' : ''}`);
    }
  }

  /** Appends bytes [a, b) to the unfinished line. */
  private keep(bytes: Uint8Array, a: number, b: number): void {
    const len = this.carryLen + (b - a);
    if (len > this.carry.length) {
      const grown = new Uint8Array(Math.max(len, 2 * this.carry.length));
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(bytes.subarray(a, b), this.carryLen);
    this.carryLen = len;
  }

  /** Finishes the input and returns the dataset (features float32, row-major; targets float64). */
  end(): Dataset {
    if (this.inQuotes) throw inputError(`${this.source}: line ${this.nextLine}: a quoted field is not closed by the end of the file; expected a closing '"'`);
    if (this.carryLen > 0) {
      const len = this.carryLen;
      this.carryLen = 0;
      this.record(this.carry, 0, len);
    }
    const { source } = this;
    if (this.header === null) throw inputError(`${source}: empty file; expected a header row and data rows`);
    if (this.n === 0) throw inputError(`${source}: no data rows after the header`);
    const { n, d } = this;
    const hasTarget = this.ti >= 0;
    const x = this.newFeatures(n * d), y = new Float64Array(hasTarget ? n : 0);
    for (let b = 0; b < this.xBlocks.length; b++) {
      x.set(this.xBlocks[b], b * BLOCK_ROWS * d);
      if (hasTarget) y.set(this.yBlocks[b], b * BLOCK_ROWS);
    }
    x.set(this.xCur.subarray(0, this.curRows * d), this.xBlocks.length * BLOCK_ROWS * d);
    if (hasTarget) y.set(this.yCur.subarray(0, this.curRows), this.xBlocks.length * BLOCK_ROWS);
    this.xCur = this.newFeatures(0);
    this.yCur = new Float64Array(0);
    this.xBlocks.length = 0;
    this.yBlocks.length = 0;
    const header = this.header;
    const featureNames = header.filter((_, c) => c !== this.ti);
    return { x, y, n, d, featureNames, targetName: hasTarget ? header[this.ti] : '', numClasses: hasTarget ? countClasses(y) : 0 };
  }

  private newFeatures(length: number): Float32Array | Float64Array {
    return this.opts.float64 ? new Float64Array(length) : new Float32Array(length);
  }

  /** One record, bytes [a, b) without its line break. */
  private record(buf: Uint8Array, a: number, b: number): void {
    const quoted = this.recQuoted;
    this.lineNo = this.nextLine;
    this.nextLine += 1 + this.recBreaks;
    this.recQuoted = false;
    this.recBreaks = 0;
    if (this.lineNo === 1 && b - a >= 3 && buf[a] === 0xef && buf[a + 1] === 0xbb && buf[a + 2] === 0xbf) a += 3; // BOM
    // one pass: plain ASCII or not, blank or not, and the commas (the fields of a row without quotes)
    let blank = !quoted, ascii = true, commas = 0;
    for (let i = a; i < b; i++) {
      const c = buf[i];
      if (c === 44) {
        commas++;
        blank = false;
      } else if (c >= 0x80) ascii = false;
      else if (c > 32 || (c !== 32 && (c < 9 || c > 13))) blank = false;
    }
    if (!ascii && !quoted) blank = this.decoder.decode(buf.subarray(a, b)).trim() === '';
    if (blank) {
      this.blanks++;
      return;
    }
    if (this.header === null) {
      if (this.blanks > 0) throw inputError(`${this.source}: line 1 is blank; expected the header row first`);
      this.readHeader(this.decoder.decode(buf.subarray(a, b)));
      return;
    }
    // blank lines followed by more rows are ragged rows (one empty field each)
    if (this.blanks > 0) this.ragged(1, this.lineNo - this.blanks);
    this.lineOffset = this.lineNo - (this.n + 2);
    const i = this.slot();
    if (ascii && !quoted) this.rowAscii(buf, a, b, i, commas + 1);
    else this.rowText(this.decoder.decode(buf.subarray(a, b)), i);
    this.n++;
    this.curRows++;
  }

  private readHeader(line: string): void {
    const { source } = this;
    const header = splitRecord(line, (why) => inputError(`${source}: header (line ${this.lineNo}): ${why}`)).map((h) => h.text.trim());
    const seen = new Set<string>();
    for (const h of header) {
      if (h === '') throw inputError(`${source}: header: empty column name`);
      if (seen.has(h)) throw inputError(`${source}: header: column ${quoteValue(h)} appears twice`);
      seen.add(h);
    }
    const targetName = this.opts.target !== undefined ? this.opts.target : this.opts.defaultTarget ? this.opts.defaultTarget(header) : header[header.length - 1];
    if (targetName === null) {
      // no target: every column is a feature
      this.header = header;
      this.d = header.length;
      this.rowBytes = this.featureBytes() * this.d;
      return;
    }
    if (header.length < 2) throw inputError(`${source}: header: expected at least 2 columns (features and a target), got ${header.length}`);
    const ti = header.indexOf(targetName);
    if (ti < 0) throw inputError(`--target: no column ${quoteValue(targetName)} in ${source}; columns: ${quoteList(header)}`);
    this.header = header;
    this.ti = ti;
    this.d = header.length - 1;
    this.rowBytes = this.featureBytes() * this.d + 8;
  }

  private featureBytes(): number {
    return this.opts.float64 ? 8 : 4;
  }

  private ragged(got: number, line = this.lineNo): never {
    const i = this.n;
    const cols = this.header!.length;
    const hint = got > cols ? ' (a field that holds a comma must be quoted: "a,b")' : '';
    throw inputError(`${this.source}: row ${i + 1} (line ${line}): expected ${cols} fields as in the header, got ${got}${hint}`);
  }

  /** Checks the memory limit for one more row and makes room for it; returns its row index. */
  private slot(): number {
    const i = this.n, d = this.d;
    const limit = this.opts.memoryLimit;
    if (limit !== undefined && (i + 1) * this.rowBytes > limit.bytes) {
      throw inputError(
        `${this.source}: the data needs more than ${limit.bytes} bytes in memory (over ${i} rows × (${d} ${this.opts.float64 ? 'float64' : 'float32'} features${this.ti >= 0 ? ' + a float64 target' : ''})), ` +
          `over the limit of ${limit.bytes} bytes (${limit.why}); use a file with fewer rows or columns`,
      );
    }
    if (this.curRows === this.curCap) {
      const cap = this.curCap, yRows = (rows: number) => (this.ti >= 0 ? rows : 0);
      if (cap === BLOCK_ROWS) {
        this.xBlocks.push(this.xCur);
        this.yBlocks.push(this.yCur);
        this.xCur = this.newFeatures(BLOCK_ROWS * d);
        this.yCur = new Float64Array(yRows(BLOCK_ROWS));
        this.curRows = 0;
      } else {
        // the first block grows by doubling, so a small file takes little memory
        const grown = Math.min(BLOCK_ROWS, Math.max(64, 2 * cap));
        const xs = this.newFeatures(grown * d), ys = new Float64Array(yRows(grown));
        xs.set(this.xCur);
        ys.set(this.yCur);
        this.xCur = xs;
        this.yCur = ys;
        this.curCap = grown;
      }
    }
    return i;
  }

  /** Stores column c's value of row i (the target, or feature j); returns 0, or BAD/RANGE for a bad cell. */
  private put(c: number, j: number, v: number): number {
    if (Number.isNaN(v)) return BAD;
    if (!Number.isFinite(v)) return RANGE;
    const r = this.curRows;
    if (c === this.ti) this.yCur[r] = v;
    else {
      if (!this.opts.float64 && Math.abs(v) > FLOAT32_MAX) return RANGE;
      this.xCur[r * this.d + j] = v;
    }
    return 0;
  }

  private badCell(i: number, c: number, why: number, raw: string): never {
    const where = `${this.source}: row ${i + 1} (line ${i + 2 + this.lineOffset}), column ${quoteValue(this.header![c])}`;
    if (why === RANGE) {
      const float32 = c !== this.ti && !this.opts.float64;
      throw inputError(`${where}: ${escapeText(raw.trim())} is outside the ${float32 ? 'float32 range the features are stored in (|x| <= 3.4e38)' : 'float64 range (|x| <= 1.8e308)'}`);
    }
    const hint = /^\s*[+-]?0[xXbBoO]/.test(raw) ? ' (numbers are decimal; hexadecimal, binary and octal are not read)' : '';
    throw inputError(`${where}: expected a number, got ${quoteValue(raw)}${hint}`);
  }

  /** A row of plain ASCII, parsed from its bytes without making strings (the 10⁶-row path). */
  private rowAscii(buf: Uint8Array, a: number, b: number, i: number, fields: number): void {
    const cols = this.header!.length;
    if (fields !== cols) this.ragged(fields);
    let s = a, j = 0;
    for (let c = 0; c < cols; c++) {
      let e = s;
      while (e < b && buf[e] !== 44) e++;
      const why = this.put(c, j, parseNumber(buf, s, e, this.decoder));
      if (why !== 0) this.badCell(i, c, why, this.decoder.decode(buf.subarray(s, e)));
      if (c !== this.ti) j++;
      s = e + 1;
    }
  }

  /** A row with quotes or non-ASCII text: split by RFC 4180 and read as strings (decimal numbers only, as the ASCII path). */
  private rowText(line: string, i: number): void {
    const fields = splitRecord(line, (why) => inputError(`${this.source}: row ${i + 1} (line ${this.lineNo}): ${why}`));
    if (fields.length !== this.header!.length) this.ragged(fields.length);
    let j = 0;
    for (let c = 0; c < fields.length; c++) {
      const why = this.put(c, j, parseDecimal(fields[c].text));
      if (why !== 0) this.badCell(i, c, why, fields[c].text);
      if (c !== this.ti) j++;
    }
  }
}

const encoder = new TextEncoder();
const FLOAT32_MAX = 3.4028234663852886e38;
const BAD = 1, RANGE = 2;
/** Exact powers of ten (10²² is the largest a double holds exactly). */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** The index of the first byte `c` in bytes[from, n), or n when there is none. */
function indexOr(bytes: Uint8Array, c: number, from: number, n: number): number {
  const k = bytes.indexOf(c, from);
  return k < 0 ? n : k;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * The number in ASCII bytes [a, b), as `Number(text.trim())` gives it, NaN for an empty field.
 * Fast path (Clinger): at most 15 significant digits and a decimal exponent within ±22 give the
 * correctly rounded double in one exact-operand multiply or divide; anything else goes to Number().
 */
function parseNumber(buf: Uint8Array, a: number, b: number, decoder: TextDecoder): number {
  while (a < b && isSpace(buf[a])) a++;
  while (b > a && isSpace(buf[b - 1])) b--;
  if (a === b) return NaN;
  let i = a, neg = false;
  if (buf[i] === 45 || buf[i] === 43) neg = buf[i++] === 45;
  let m = 0, sig = 0, exp = 0, digits = 0;
  for (; i < b && buf[i] >= 48 && buf[i] <= 57; i++, digits++) {
    if (m === 0 && buf[i] === 48) continue;
    m = m * 10 + (buf[i] - 48);
    sig++;
  }
  if (i < b && buf[i] === 46) {
    for (i++; i < b && buf[i] >= 48 && buf[i] <= 57; i++, digits++) {
      if (m === 0 && buf[i] === 48) {
        exp--;
        continue;
      }
      m = m * 10 + (buf[i] - 48);
      sig++;
      exp--;
    }
  }
  if (digits > 0 && i < b && (buf[i] === 101 || buf[i] === 69)) {
    let k = i + 1, eneg = false, e = 0, ed = 0;
    if (k < b && (buf[k] === 45 || buf[k] === 43)) eneg = buf[k++] === 45;
    for (; k < b && buf[k] >= 48 && buf[k] <= 57 && ed < 5; k++, ed++) e = e * 10 + (buf[k] - 48);
    if (ed > 0) {
      exp += eneg ? -e : e;
      i = k;
    }
  }
  if (i === b && digits > 0 && sig <= 15) {
    if (m === 0) return neg ? -0 : 0;
    if (exp >= -22 && exp <= 22) {
      const v = exp >= 0 ? m * POW10[exp] : m / POW10[-exp];
      return neg ? -v : v;
    }
  }
  return parseDecimal(decoder.decode(buf.subarray(a, b)));
}

/** A decimal number as torch and pandas read one: a sign, digits with an optional point, an optional exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The number a decimal text holds (blanks around it ignored): NaN when it is not a decimal number
 * (empty, `0x10`, `Infinity`, `1_000`), ±Infinity when it is one past the float64 range (`1e400`).
 */
export function parseDecimal(text: string): number {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : NaN;
}

/** One field of a record: its text (quotes removed, doubled quotes made single) and whether it was quoted. */
export interface CsvField {
  text: string;
  quoted: boolean;
}

/**
 * Splits one record by RFC 4180: commas separate fields; a field in double quotes may hold commas,
 * line breaks and doubled quotes. Blanks around a quoted field are allowed; a quote inside an
 * unquoted field, or text after a closing quote, is an error (`fail` words it).
 */
export function splitRecord(line: string, fail: (why: string) => Error): CsvField[] {
  const fields: CsvField[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    let j = i;
    while (j < n && (line[j] === ' ' || line[j] === '\t')) j++;
    if (j < n && line[j] === '"') {
      let text = '';
      let k = j + 1;
      for (;;) {
        const q = line.indexOf('"', k);
        if (q < 0) throw fail(`field ${fields.length + 1}: a quoted field is not closed; expected a closing '"'`);
        text += line.slice(k, q);
        if (line[q + 1] === '"') {
          text += '"';
          k = q + 2;
        } else {
          k = q + 1;
          break;
        }
      }
      while (k < n && (line[k] === ' ' || line[k] === '\t')) k++;
      if (k < n && line[k] !== ',') throw fail(`field ${fields.length + 1}: ${quoteValue(line.slice(k, k + 20))} after a closing quote; expected ',' or the end of the record`);
      fields.push({ text, quoted: true });
      if (k >= n) return fields;
      i = k + 1;
    } else {
      const comma = line.indexOf(',', i);
      const text = comma < 0 ? line.slice(i) : line.slice(i, comma);
      if (text.includes('"')) throw fail(`field ${fields.length + 1}: a '"' inside an unquoted field; quote the whole field and double the quotes inside ("a ""b"" c")`);
      fields.push({ text, quoted: false });
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}


/** Parses a whole CSV text (or its UTF-8 bytes) into a float32 dataset; see `CsvParser`. */
export function parseCsv(input: string | Uint8Array, opts: CsvOptions = {}): Dataset {
  const p = new CsvParser(opts);
  p.push(input);
  return p.end();
}
