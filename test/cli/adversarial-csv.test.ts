// Issue 19, items 8 and 9: CSV files read by RFC 4180, numbers read as decimals only, and values from files
// shown quoted, escaped and cut short. The parser (src/data/csv.ts) against the RFC's own examples, then the
// CLI (bin/descent.js) on files written here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsvParser, parseCsv, parseDecimal, splitRecord } from '../../src/data/csv.js';
import { DescentError, quoteValue, sanitizeMessage } from '../../src/errors.js';
import { runDescent } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

const dir = scratchDir('descent-adv-csv-');
const fail = (why: string) => new Error(why);
const inputErr = (f: () => unknown, says: RegExp) => assert.throws(f, (e: unknown) => e instanceof DescentError && e.kind === 'input' && says.test(e.message));

test('RFC 4180 section 2 examples: fields, quotes, escaped quotes, commas and line breaks inside quotes', () => {
  // 2.1 / 2.2: records end in CRLF, the last one optionally; 2.5-2.7: quoted fields
  assert.deepEqual(splitRecord('aaa,bbb,ccc', fail).map((f) => f.text), ['aaa', 'bbb', 'ccc']);
  assert.deepEqual(splitRecord('"aaa","bbb","ccc"', fail).map((f) => f.text), ['aaa', 'bbb', 'ccc']);
  assert.deepEqual(splitRecord('"aaa","b\r\nbb","ccc"', fail).map((f) => f.text), ['aaa', 'b\r\nbb', 'ccc']);
  assert.deepEqual(splitRecord('"aaa","b""bb","ccc"', fail).map((f) => f.text), ['aaa', 'b"bb', 'ccc']);
  assert.deepEqual(splitRecord('"a,x",,""', fail).map((f) => f.text), ['a,x', '', '']);
  assert.throws(() => splitRecord('a"b,c', fail), /a '"' inside an unquoted field/);
  assert.throws(() => splitRecord('"ab"c,d', fail), /after a closing quote/);
  assert.throws(() => splitRecord('"abc', fail), /not closed/);
  // whole files: CRLF (2.1), no final line break (2.2), a header (2.3), quoted headers with commas
  const ds = parseCsv('"a,x","say ""hi""",y\r\n"2",3,0\r\n4,"5",1');
  assert.deepEqual(ds.featureNames, ['a,x', 'say "hi"']);
  assert.deepEqual(Array.from(ds.x), [2, 3, 4, 5]);
  assert.deepEqual(Array.from(ds.y), [0, 1]);
});

test('item 9: "2" is a number, a quoted "a,x" header is one column, CR-only line endings and a BOM are read', () => {
  assert.deepEqual(Array.from(parseCsv('a,y\n"2",1\n').x), [2]);
  const quotedHeader = parseCsv('"a,x",b,y\n1,2,0\n');
  assert.deepEqual(quotedHeader.featureNames, ['a,x', 'b']);
  const cr = parseCsv('a,b,y\r1,2,0\r3,4,1\r');
  assert.equal(cr.n, 2);
  assert.deepEqual(Array.from(cr.x), [1, 2, 3, 4]);
  const mixed = parseCsv('\uFEFFa,y\r\n1,0\n2,1\r3,0');
  assert.deepEqual(Array.from(mixed.x), [1, 2, 3]);
  // a quoted field spanning lines moves the line numbers of later rows: the message names the real line
  inputErr(() => parseCsv('name,a,y\n"two\nlines",1,0\nz,q,1\n', { target: 'y', source: 'f.csv' }), /row 1 \(line 2\), column 'name': expected a number/);
  inputErr(() => parseCsv('a,y\n"1\n2",0\n3,q\n', { source: 'f.csv' }), /^f\.csv: row 1 \(line 2\), column 'a'/);
  inputErr(() => parseCsv('a,y\n1,0\n3,q\n', { source: 'f.csv' }), /^f\.csv: row 2 \(line 3\), column 'y': expected a number, got 'q'$/);
  inputErr(() => parseCsv('a,y\n"1,0\n', { source: 'f.csv' }), /line 2: a quoted field is not closed by the end of the file/);
  // a row with more fields than the header hints at quoting
  inputErr(() => parseCsv('a,b,y\n1,2,3,0\n', { source: 'f.csv' }), /expected 3 fields as in the header, got 4 \(a field that holds a comma must be quoted: "a,b"\)/);
});

test('item 9: every split of a quoted, CRLF file into two chunks parses the same (the streaming parser carries its state)', () => {
  const text = '\uFEFF"a,1","b""2",y\r\n"1.5",-2,0\r\n"3\r\n",4,1\r5,"6",0\n';
  const ok = new TextEncoder().encode(text);
  const whole = parseCsv(ok);
  assert.deepEqual(Array.from(whole.x), [1.5, -2, 3, 4, 5, 6]);
  for (let cut = 0; cut <= ok.length; cut++) {
    const p = new CsvParser();
    p.push(ok.subarray(0, cut));
    p.push(ok.subarray(cut));
    const ds = p.end();
    assert.deepEqual(Array.from(ds.x), Array.from(whole.x), `cut at ${cut}`);
  }
  // the quoted line break moved the next rows down a line: a bad cell there names its real line
  inputErr(() => parseCsv(text.replace('5,"6",0', '5,"q",0'), { source: 'f.csv' }), /^f\.csv: row 3 \(line 5\), column 'b"2': expected a number, got 'q'$/);
});

test('item 9: numbers are decimal only: 0x10, 0b1, 0o7, Infinity, 1_000 are not numbers; 1e400 gets the range message', () => {
  for (const t of ['-1.5e3', '.5', '5.', '+2', ' 7 ', '1E-3']) assert.ok(Number.isFinite(parseDecimal(t)), t);
  for (const t of ['0x10', '0b1', '0o7', 'Infinity', '1_000', '', '1e', '--1', 'NaN']) assert.ok(Number.isNaN(parseDecimal(t)), t);
  assert.equal(parseDecimal('1e400'), Infinity);
  for (const cell of ['0x10', '0b1', '0o7']) {
    inputErr(() => parseCsv(`a,y\n${cell},0\n`, { source: 'f.csv' }), new RegExp(`column 'a': expected a number, got '${cell}' \\(numbers are decimal; hexadecimal, binary and octal are not read\\)$`));
  }
  inputErr(() => parseCsv('a,y\n1e39,0\n', { source: 'f.csv' }), /1e39 is outside the float32 range/);
  inputErr(() => parseCsv('a,y\n1e400,0\n', { source: 'f.csv' }), /column 'a': 1e400 is outside the float32 range/);
  inputErr(() => parseCsv('a,y\n1,1e400\n', { source: 'f.csv' }), /column 'y': 1e400 is outside the float64 range/);
});

test('item 9: flags take decimal numbers only (--lr 0x10, --x0 1,0b1, --schedule step:step_size=0o7)', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--data', 'iris', '--lr', '0x10'], /^descent: error: --lr: expected a decimal number, got '0x10'/],
    [['optimize', '--fn', 'rosenbrock', '--x0', '1,0b1', '--opt', 'adam'], /^descent: error: --x0: expected a decimal number, got '1,0b1'/],
    [['train', '--data', 'iris', '--schedule', 'step:step_size=0o7'], /^descent: error: --schedule: expected a decimal number/],
    [['train', '--data', 'iris', '--epochs', '0x2'], /^descent: error: --epochs: expected a decimal number/],
  ];
  for (const [args, says] of cases) {
    const r = runDescent(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, says);
  }
});

test('item 8: values from files reach stderr escaped and cut short: terminal escapes, NUL, a 5 MB cell, a 200,000-column header', () => {
  const esc = join(dir, 'escape.csv');
  writeFileSync(esc, 'a,y\n\x1b]0;pwned\x07\x00,0\n');
  let r = runDescent(['train', '--data', esc]);
  assert.equal(r.status, 2);
  assert.doesNotMatch(r.stderr, /[\x00-\x08\x0b-\x1f\x7f]/, 'no control character reaches the terminal');
  assert.match(r.stderr, /got '\\x1b\]0;pwned\\x07\\0'/);
  const big = join(dir, 'big-cell.csv');
  writeFileSync(big, `a,y\n${'z'.repeat(5_000_000)},0\n`);
  r = runDescent(['train', '--data', big]);
  assert.equal(r.status, 2);
  assert.ok(r.stderr.length < 400, `${r.stderr.length} characters`);
  assert.match(r.stderr, /…\(5000000 characters\)'/);
  const wide = join(dir, 'wide.csv');
  writeFileSync(wide, Array.from({ length: 200_000 }, (_, i) => `c${i}`).join(',') + '\n' + new Array(200_000).fill('1').join(',') + '\n');
  r = runDescent(['train', '--data', wide, '--target', 'nope']);
  assert.equal(r.status, 2);
  assert.ok(r.stderr.length < 600, `${r.stderr.length} characters`);
  assert.match(r.stderr, /columns: c0, c1, .*, … \(200000 in all\)$/m);
  // the last defence, in the one place every message passes
  assert.equal(sanitizeMessage('a\x1b[2Jb\u202ec'), 'a\\x1b[2Jb\\u202ec');
  assert.ok(sanitizeMessage('x'.repeat(10_000)).length < 2100);
  assert.equal(quoteValue("it's\n"), "'it\\'s\\n'");
});

test('item 11: a CSV passed as --model names no 19-digit header length, and never \'undefined\'', () => {
  const f = join(dir, 'model.csv');
  writeFileSync(f, 'a,b,y\n1,2,0\n');
  const r = runDescent(['eval', '--model', f, '--data', 'iris']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /header length about 3\.\d+e\+\d+ is larger than the limit .*; this is not a safetensors file/);
  assert.doesNotMatch(r.stderr, /\d{16,}|undefined/);
});
