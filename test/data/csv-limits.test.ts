// Limits: a 1,000,000-row CSV (1e6 × 5 numeric columns, generated here) trains through
// `descent train --data FILE.csv` with peak RSS growing by a small multiple of the float32 size of the
// rows streamed (the parser streams bytes into float32 blocks; the text is never held whole): the bound
// is on the slope between a 250,000-row and the 1,000,000-row file, not on RSS itself, since the fixed
// part (V8's heap and code, which Node 24 sizes larger than Node 20) has nothing to do with the data. Parsed values equal
// Number() rounded to float32; a model or a dataset over the memory limit fails at once with an exit-2
// line naming the bytes and the limit, before allocating. Spawns bin/descent.js (needs the build).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Rng } from '../../src/tensor/rng.js';
import { readCsvFile } from '../../src/node/csv-file.js';
import { CsvParser, parseCsv } from '../../src/data/csv.js';
import { DescentError } from '../../src/errors.js';

const repo = join(import.meta.dirname, '..', '..');
const bin = join(repo, 'bin', 'descent.js');
const ROWS = 1_000_000, COLS = 5;
const FLOAT32_BYTES = ROWS * COLS * 4; // 20 MB

let dir: string, big: string, quarter: string, small: string, hook: string;
const QUARTER = ROWS / 4;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'descent-limits-'));
  big = join(dir, 'big.csv');
  small = join(dir, 'small.csv');
  quarter = join(dir, 'quarter.csv');
  // y = 2a − b + 0.5c + 0.25d + noise, four decimals per value (≈ 38 MB of text)
  const rng = new Rng(8);
  const fd = openSync(big, 'w');
  const head = 'a,b,c,d,y\n';
  writeSync(fd, head);
  const firstRows: string[] = [];
  const qfd = openSync(join(dir, 'quarter.csv'), 'w');
  writeSync(qfd, head);
  for (let block = 0; block < ROWS / 10_000; block++) {
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const a = rng.normal(), b = rng.normal(), c = rng.normal(), d = rng.normal();
      lines.push(`${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${d.toFixed(4)},${(2 * a - b + 0.5 * c + 0.25 * d + 0.1 * rng.normal()).toFixed(4)}`);
    }
    if (block === 0) firstRows.push(...lines.slice(0, 1000));
    writeSync(fd, lines.join('\n') + '\n');
    if (block < QUARTER / 10_000) writeSync(qfd, lines.join('\n') + '\n');
  }
  closeSync(fd);
  closeSync(qfd);
  writeFileSync(small, head + firstRows.join('\n') + '\n');
  // reports the child's peak resident set size (KiB) when it exits
  hook = join(dir, 'rss-hook.mjs');
  writeFileSync(hook, "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.RSS_FILE, String(process.resourceUsage().maxRSS)));\n");
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs descent with the RSS hook: exit status, output and peak RSS in bytes. */
function descent(args: string[], env: Record<string, string> = {}): { status: number; stdout: string; stderr: string; maxRss: number } {
  const rssFile = join(dir, `rss-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(hook).href, bin, ...args], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env, RSS_FILE: rssFile },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, maxRss: existsSync(rssFile) ? 1024 * Number(readFileSync(rssFile, 'utf8')) : NaN };
}

test('a 1,000,000-row CSV trains (linear, 1 epoch); peak RSS grows by at most 4× the float32 size of the rows streamed', () => {
  assert.ok(existsSync(join(repo, 'dist', 'cli', 'main.js')), 'dist/cli/main.js is missing: run `npm run build` first');
  const args = (file: string) => ['train', '--data', file, '--target', 'y', '--model', 'linear', '--epochs', '1', '--batch', '256', '--json'];
  const base = descent(args(quarter));
  assert.equal(base.status, 0, base.stderr);
  assert.equal(JSON.parse(base.stdout.trim().split('\n').pop()!).data.trainRows, QUARTER);
  const r = descent(args(big));
  assert.equal(r.status, 0, r.stderr);
  const done = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(done.data.trainRows, ROWS);
  // the data is y ≈ 2a − b + 0.5c + 0.25d: one epoch of Adam from a random start has learned part of it
  assert.ok(Number.isFinite(done.trainLoss));
  // the 750,000 rows more: float32 features and a float64 target held twice while end() joins the blocks
  // (2 × 24 B a row = 2.4× their 20 B float32 size); measured 2.4× on Node 20 and 2.9× on Node 24. The
  // text held whole would add 37 B a row (1.9×) on top. Over a 1,000-row baseline Node 24 measured 82 MB
  // (4.1×): its V8 young generation grows to 33.6 MB where Node 20's stops at 16.8 MB, and a 1,000-row run
  // never grows it, so the old bound charged a fixed heap cost to the data; a 250,000-row run has grown it
  const streamed = FLOAT32_BYTES - QUARTER * COLS * 4;
  const extra = r.maxRss - base.maxRss;
  process.stdout.write(`# peak RSS ${(r.maxRss / 1e6).toFixed(1)} MB for 1e6 rows, ${(base.maxRss / 1e6).toFixed(1)} MB for 2.5e5 rows: ` +
    `${(extra / 1e6).toFixed(1)} MB more = ${(extra / streamed).toFixed(2)}× the float32 size of the ${ROWS - QUARTER} rows more (${streamed / 1e6} MB)\n`);
  assert.ok(extra <= 4 * streamed, `1e6 rows took ${extra} bytes more than 2.5e5 rows; the limit is 4 × ${streamed}`);
});

test('the streamed parse of the 1e6-row file equals Number() of each field, rounded to float32 (10,000 sampled rows)', () => {
  const ds = readCsvFile(big, { target: 'y' });
  assert.equal(ds.n, ROWS);
  assert.equal(ds.d, 4);
  const lines = readFileSync(big, 'utf8').split('\n');
  const rng = new Rng(3);
  for (let s = 0; s < 10_000; s++) {
    const i = rng.int(ROWS);
    const f = lines[i + 1].split(',').map(Number);
    for (let j = 0; j < 4; j++) assert.equal(ds.x[i * 4 + j], Math.fround(f[j]), `row ${i + 1} column ${j}`);
    assert.equal(ds.y[i], f[4], `row ${i + 1} target`);
  }
});

test('a model too large for memory fails before allocating: exit 2, one line naming the bytes and the limit', () => {
  const r = descent(['train', '--data', small, '--target', 'y', '--model', 'mlp:100000,100000', '--loss', 'mse', '--epochs', '1']);
  assert.equal(r.status, 2, r.stderr);
  // 4·1e5 + 1e5 + 1e5·1e5 + 1e5 + 1e5·1 + 1 parameters, × 4 bytes × 5 copies
  const params = 4 * 1e5 + 1e5 + 1e10 + 1e5 + 1e5 + 1;
  const m = /^descent: error: --model mlp:100000,100000: (\d+) parameters need about (\d+) bytes to train \(float32 weights, gradients and optimizer state\), over the limit of (\d+) bytes \(([^)]+)\); use smaller hidden widths\n$/.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.equal(Number(m[1]), params);
  assert.equal(Number(m[2]), params * 4 * 5);
  assert.ok(Number(m[3]) < Number(m[2]));
  // nothing near the model's size was allocated
  assert.ok(r.maxRss < 1e9, `peak RSS ${r.maxRss} bytes`);
  // DESCENT_MEMORY_LIMIT lowers the limit: mlp:1000 (120,020 bytes to train) fails under 100 kB (the 1,000 rows need 24 kB)
  const tiny = descent(['train', '--data', small, '--target', 'y', '--model', 'mlp:1000', '--loss', 'mse', '--epochs', '1'], { DESCENT_MEMORY_LIMIT: '100000' });
  assert.equal(tiny.status, 2);
  assert.match(tiny.stderr, /^descent: error: --model mlp:1000: 6001 parameters need about 120020 bytes to train .* over the limit of 100000 bytes \(DESCENT_MEMORY_LIMIT\)/);
  const bad = descent(['train', '--data', small, '--target', 'y', '--epochs', '1'], { DESCENT_MEMORY_LIMIT: 'lots' });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, "descent: error: DESCENT_MEMORY_LIMIT: expected a number of bytes (a positive integer), got 'lots'\n");
});

test('a dataset over the memory limit fails at the first row past it, without reading on', () => {
  // 2 MB allows 2e6 / (4·4 + 8) = 83,333 rows
  const r = descent(['train', '--data', big, '--target', 'y', '--epochs', '1'], { DESCENT_MEMORY_LIMIT: '2000000' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `descent: error: ${big}: the data needs more than 2000000 bytes in memory (over 83333 rows × (4 float32 features + a float64 target)), over the limit of 2000000 bytes (DESCENT_MEMORY_LIMIT); use a file with fewer rows or columns\n`);
});

test('CSV cells: float32 range, parsing across chunk boundaries, blank lines, BOM and CRLF', () => {
  const err = (f: () => unknown, msg: string) => assert.throws(f, (e: unknown) => e instanceof DescentError && e.kind === 'input' && e.message === msg);
  err(() => parseCsv('a,y\n1e39,0\n', { source: 'f.csv' }), "f.csv: row 1 (line 2), column 'a': 1e39 is outside the float32 range the features are stored in (|x| <= 3.4e38)");
  assert.equal(parseCsv('a,y\n1,1e39\n').y[0], 1e39); // targets are float64
  err(() => parseCsv('a,y\n1,0\n\n2,1\n', { source: 'f.csv' }), 'f.csv: row 2 (line 3): expected 2 fields as in the header, got 1');
  err(() => parseCsv('\na,y\n1,0\n', { source: 'f.csv' }), 'f.csv: line 1 is blank; expected the header row first');
  err(() => parseCsv('a,y\n1,Infinity\n', { source: 'f.csv' }), "f.csv: row 1 (line 2), column 'y': expected a number, got 'Infinity'");
  err(() => parseCsv('a,y\n1,é\n', { source: 'f.csv' }), "f.csv: row 1 (line 2), column 'y': expected a number, got 'é'");
  const text = '\uFEFFa, b ,y\r\n 1.5 ,-2e-3,0\r\n16e0,+.25,1\r\n\r\n\n';
  const whole = parseCsv(text);
  assert.deepEqual(whole.featureNames, ['a', 'b']);
  assert.deepEqual(Array.from(whole.x), [1.5, Math.fround(-2e-3), 16, 0.25]);
  // every split of the bytes (one inside the BOM, inside a number, between \r and \n) parses the same
  const bytes = new TextEncoder().encode(text);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const p = new CsvParser();
    p.push(bytes.subarray(0, cut));
    p.push(bytes.subarray(cut));
    const ds = p.end();
    assert.deepEqual(Array.from(ds.x), Array.from(whole.x), `cut at ${cut}`);
    assert.deepEqual(Array.from(ds.y), Array.from(whole.y), `cut at ${cut}`);
  }
});

test('k-means reading (one CSV reader): float64 features, no target column, or a target the caller picks from the header', () => {
  // float64 keeps the file's digits (float32 would round 0.1 to 0.10000000149011612) and takes |x| > 3.4e38
  const wide = parseCsv('a,b\n0.1,1e39\n-2.5,3\n', { target: null, float64: true, source: 'k.csv' });
  assert.ok(wide.x instanceof Float64Array);
  assert.deepEqual(Array.from(wide.x), [0.1, 1e39, -2.5, 3]);
  assert.equal(wide.d, 2);
  assert.deepEqual(wide.featureNames, ['a', 'b']);
  assert.equal(wide.y.length, 0);
  assert.equal(wide.targetName, '');
  assert.equal(wide.numClasses, 0);
  // a single column is a valid feature table when there is no target
  assert.deepEqual(Array.from(parseCsv('a\n1\n2\n', { target: null, float64: true }).x), [1, 2]);
  const label = (h: readonly string[]) => h.find((c) => c === 'label') ?? null;
  const picked = parseCsv('a,label,b\n1,0,2\n3,1,4\n', { defaultTarget: label, float64: true });
  assert.equal(picked.targetName, 'label');
  assert.deepEqual(Array.from(picked.x), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(picked.y), [0, 1]);
  assert.equal(parseCsv('a,b\n1,2\n', { defaultTarget: label, float64: true }).d, 2);
  // an explicit target wins over the default; errors name rows and columns as for train
  assert.equal(parseCsv('a,label,b\n1,0,2\n', { target: 'b', defaultTarget: label }).targetName, 'b');
  assert.throws(() => parseCsv('a,b\n1,2\n3\n', { target: null, float64: true, source: 'k.csv' }), /k\.csv: row 2 \(line 3\): expected 2 fields as in the header, got 1$/);
  // the memory limit counts 8 bytes a float64 feature and nothing for an absent target: 16-byte rows, 40 bytes hold 2
  assert.throws(() => parseCsv('a,b\n1,2\n3,4\n5,6\n', { target: null, float64: true, source: 'k.csv', memoryLimit: { bytes: 40, why: 'test' } }), /k\.csv: the data needs more than 40 bytes in memory \(over 2 rows × \(2 float64 features\)\)/);
  assert.equal(parseCsv('a,b\n1,2\n3,4\n', { target: null, float64: true, memoryLimit: { bytes: 32, why: 'test' } }).n, 2);
});
