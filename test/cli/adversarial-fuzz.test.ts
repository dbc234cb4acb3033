// Issue 19's fuzz pass (fast-check): CSV bytes and output paths. Any input either works or fails with an input
// error (DescentError, kind 'input') whose message is one bounded line without control characters; nothing
// else is thrown, and a refused output path leaves the disk as it was. Seeds are fixed, so a failure
// reproduces; fast-check prints the shrunk counterexample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CsvParser, parseCsv } from '../../src/data/csv.js';
import { DescentError, sanitizeMessage } from '../../src/errors.js';
import { atomicWrite } from '../../src/io/atomic-write.js';
import { checkOutputFile } from '../../src/cli/output-paths.js';
import { scratchDir } from '../helpers/scratch.js';

/** A failure is fine only as an input error with a short message that sanitizes to one line. */
function acceptable(err: unknown): boolean {
  if (!(err instanceof DescentError) || err.kind !== 'input') return false;
  const line = sanitizeMessage(err.message);
  return !line.includes('\n') && line.length <= 2100;
}

const csvAlphabet = fc.constantFrom(...'0123456789.,-+eE"\r\n \t'.split(''), 'x', '\uFEFF', 'é', '\x00', '\x1b');

test('fuzz: CSV text from a CSV-heavy alphabet parses or fails with an input error, split into chunks anywhere', () => {
  fc.assert(
    fc.property(fc.array(csvAlphabet, { maxLength: 120 }), fc.nat(), (chars, cutSeed) => {
      const text = 'a,b,y\n' + chars.join('');
      const bytes = new TextEncoder().encode(text);
      let whole: ReturnType<typeof parseCsv> | undefined;
      try {
        whole = parseCsv(bytes, { source: 'fuzz.csv' });
      } catch (err) {
        if (!acceptable(err)) throw err;
      }
      // the same bytes in two chunks give the same result (the parser's state crosses chunk boundaries)
      const cut = bytes.length ? cutSeed % (bytes.length + 1) : 0;
      let split: ReturnType<typeof parseCsv> | undefined;
      try {
        const p = new CsvParser({ source: 'fuzz.csv' });
        p.push(bytes.subarray(0, cut));
        p.push(bytes.subarray(cut));
        split = p.end();
      } catch (err) {
        if (!acceptable(err)) throw err;
      }
      assert.equal(split === undefined, whole === undefined, `cut at ${cut}`);
      if (whole && split) assert.deepEqual(Array.from(split.x), Array.from(whole.x));
    }),
    { numRuns: 1500, seed: 19 },
  );
});

test('fuzz: random bytes never escape as anything but an input error', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        parseCsv(bytes, { source: 'fuzz.csv' });
      } catch (err) {
        if (!acceptable(err)) throw err;
      }
    }),
    { numRuns: 1500, seed: 4180 },
  );
});

const number = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double({ min: -1e30, max: 1e30, noNaN: true, noDefaultInfinity: true }));

test('fuzz: a table written by RFC 4180 rules (quoted or not, CRLF, LF or CR, a BOM or not) reads back its numbers', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(number, number, fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 20 }),
      fc.constantFrom('\r\n', '\n', '\r'), fc.boolean(), fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }), fc.nat(),
      (rows, eol, bom, quote, cutSeed) => {
        let q = 0;
        const cell = (v: number) => (quote[q++ % quote.length] ? `"${String(v)}"` : String(v));
        const text = (bom ? '\uFEFF' : '') + ['"f,1"', '"f""2"', 'y'].join(',') + eol + rows.map((r) => r.map(cell).join(',')).join(eol) + (quote[0] ? eol : '');
        const bytes = new TextEncoder().encode(text);
        const cut = cutSeed % (bytes.length + 1);
        const p = new CsvParser();
        p.push(bytes.subarray(0, cut));
        p.push(bytes.subarray(cut));
        const ds = p.end();
        assert.deepEqual(ds.featureNames, ['f,1', 'f"2']);
        // as written: String(-0) is '0'
        assert.deepEqual(Array.from(ds.x), rows.flatMap((r) => [Math.fround(Number(String(r[0]))), Math.fround(Number(String(r[1])))]));
        assert.deepEqual(Array.from(ds.y), rows.map((r) => r[2]));
      },
    ),
    { numRuns: 500, seed: 7 },
  );
});

const root = scratchDir('descent-fuzz-paths-');
mkdirSync(join(root, 'dir'));
const segment = fc.oneof(
  fc.constantFrom('.', '..', '', ' ', 'dir', 'dir/', 'a.st', '\u00e9', 'x'.repeat(200), 'y'.repeat(300), '\0', '-', '~'),
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('/')),
);

test('fuzz: output paths are written as regular files or refused up front, and a refusal leaves the disk unchanged', () => {
  let n = 0;
  fc.assert(
    fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.boolean(), (parts, trailingSlash) => {
      const work = join(root, `case-${n++}`);
      mkdirSync(work);
      const rel = parts.join('/') + (trailingSlash ? '/' : '');
      const path = join(work, rel);
      if (!path.startsWith(work + '/')) return; // '..' climbing out of the case folder: not this test's business
      let refusedUpFront = false;
      try {
        checkOutputFile('--save', path);
      } catch (err) {
        if (!acceptable(err)) throw err;
        refusedUpFront = true;
      }
      if (refusedUpFront) {
        assert.deepEqual(readdirSync(work), [], `nothing created for ${JSON.stringify(rel)}`);
        return;
      }
      try {
        atomicWrite(path, 'model');
      } catch (err) {
        // the write layer may refuse what the up-front check let through only as an input error, never a half-written file
        if (!acceptable(err)) throw err;
        return;
      }
      assert.ok(lstatSync(path).isFile(), `${JSON.stringify(rel)} is a regular file`);
      const leftovers = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? leftovers(join(d, e.name)) : e.name.endsWith('.tmp') ? [e.name] : []));
      assert.deepEqual(leftovers(work), [], 'no temporary file left');
    }),
    { numRuns: 400, seed: 255 },
  );
  assert.ok(existsSync(join(root, 'dir')));
});
