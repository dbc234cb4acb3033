/**
 * CSV with a header row: every column but the target is a numeric feature. Parses text or bytes
 * (the caller reads the file), so this runs in the browser too. Errors name the source, the row and
 * the column.
 *
 * Streaming: `CsvParser` takes the input in chunks (any split, even inside a UTF-8 character) and
 * keeps only the unfinished last line as text; rows go straight into float32/float64 blocks. Memory
 * is the numeric size of the data, about twice that for a moment at the end (the blocks are copied
 * into one contiguous array), never the text: a 1,000,000-row file trains in a small multiple of its
 * float32 size (test/data/csv-limits.test.ts). `parseCsv` is the one-call form.
 */
import { inputError } from '../errors.js';
import { countClasses, type Dataset } from './dataset.js';

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
 * dataset. Rows are numbered as data rows from 1 (the header is not counted) and the file line is
 * given too, so an editor finds it. Blank lines at the end are ignored; a blank line inside is a
 * ragged row. Fields are plain (no quoting): the files this reads are numeric.
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
  private lineNo = 0;
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
    let at = 0;
    for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, at)) {
      if (this.carryLen > 0) {
        this.keep(bytes, at, nl);
        const len = this.carryLen;
        this.carryLen = 0; // before line(): an error thrown there must not leave the line behind
        this.line(this.carry, 0, len);
      } else this.line(bytes, at, nl);
      at = nl + 1;
    }
    this.keep(bytes, at, bytes.length);
    if (this.carryLen > MAX_LINE) {
      throw inputError(`${this.source}: line ${this.lineNo + 1} is longer than ${MAX_LINE} bytes; expected a CSV text file with one row per line`);
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
    if (this.carryLen > 0) {
      const len = this.carryLen;
      this.carryLen = 0;
      this.line(this.carry, 0, len);
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

  /** One line, bytes [a, b) without its newline. */
  private line(buf: Uint8Array, a: number, b: number): void {
    this.lineNo++;
    if (b > a && buf[b - 1] === 13) b--;
    if (this.lineNo === 1 && b - a >= 3 && buf[a] === 0xef && buf[a + 1] === 0xbb && buf[a + 2] === 0xbf) a += 3; // BOM
    let blank = true, ascii = true;
    for (let i = a; i < b; i++) {
      const c = buf[i];
      if (c >= 0x80) ascii = false;
      else if (!isSpace(c)) blank = false;
    }
    if (!ascii) blank = this.decoder.decode(buf.subarray(a, b)).trim() === '';
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
    for (; this.blanks > 0; this.blanks--) this.ragged(1);
    const i = this.slot();
    if (ascii) this.rowAscii(buf, a, b, i);
    else this.rowText(this.decoder.decode(buf.subarray(a, b)), i);
    this.n++;
    this.curRows++;
  }

  private readHeader(line: string): void {
    const { source } = this;
    const header = line.split(',').map((h) => h.trim());
    const seen = new Set<string>();
    for (const h of header) {
      if (h === '') throw inputError(`${source}: header: empty column name`);
      if (seen.has(h)) throw inputError(`${source}: header: column '${h}' appears twice`);
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
    if (ti < 0) throw inputError(`--target: no column '${targetName}' in ${source}; columns: ${header.join(', ')}`);
    this.header = header;
    this.ti = ti;
    this.d = header.length - 1;
    this.rowBytes = this.featureBytes() * this.d + 8;
  }

  private featureBytes(): number {
    return this.opts.float64 ? 8 : 4;
  }

  private ragged(got: number): never {
    const i = this.n;
    throw inputError(`${this.source}: row ${i + 1} (line ${i + 2}): expected ${this.header!.length} fields as in the header, got ${got}`);
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
    if (!Number.isFinite(v)) return BAD;
    const r = this.curRows;
    if (c === this.ti) this.yCur[r] = v;
    else {
      if (!this.opts.float64 && Math.abs(v) > FLOAT32_MAX) return RANGE;
      this.xCur[r * this.d + j] = v;
    }
    return 0;
  }

  private badCell(i: number, c: number, why: number, raw: string): never {
    const where = `${this.source}: row ${i + 1} (line ${i + 2}), column '${this.header![c]}'`;
    if (why === RANGE) throw inputError(`${where}: ${raw.trim()} is outside the float32 range the features are stored in (|x| <= 3.4e38)`);
    throw inputError(`${where}: expected a number, got '${raw}'`);
  }

  /** A row of plain ASCII, parsed from its bytes without making strings (the 10⁶-row path). */
  private rowAscii(buf: Uint8Array, a: number, b: number, i: number): void {
    const cols = this.header!.length;
    let fields = 1;
    for (let k = a; k < b; k++) if (buf[k] === 44) fields++;
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

  /** A row holding non-ASCII text: split and read as strings (Number's own rules, as the ASCII path). */
  private rowText(line: string, i: number): void {
    const fields = line.split(',');
    if (fields.length !== this.header!.length) this.ragged(fields.length);
    let j = 0;
    for (let c = 0; c < fields.length; c++) {
      const raw = fields[c].trim();
      const why = this.put(c, j, raw === '' ? NaN : Number(raw));
      if (why !== 0) this.badCell(i, c, why, fields[c]);
      if (c !== this.ti) j++;
    }
  }
}

const encoder = new TextEncoder();
const FLOAT32_MAX = 3.4028234663852886e38;
const BAD = 1, RANGE = 2;
/** Exact powers of ten (10²² is the largest a double holds exactly). */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

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
  return Number(decoder.decode(buf.subarray(a, b)));
}

/** Parses a whole CSV text (or its UTF-8 bytes) into a float32 dataset; see `CsvParser`. */
export function parseCsv(input: string | Uint8Array, opts: CsvOptions = {}): Dataset {
  const p = new CsvParser(opts);
  p.push(input);
  return p.end();
}
