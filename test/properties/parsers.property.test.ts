// Property tests (fast-check, fixed seeds, bounded runs) over every parser of user input: the CSV parser
// (text and bytes in any chunking; numbers as Number() reads them), the spec JSON of `optimize` and `compare`, compare's
// optimizer specs, schedules, model and batch arguments, safetensors and checkpoint files (arbitrary and
// mutated bytes), and CLI argument lists through the library-level entry `main`. Every input either
// parses or throws the typed input error (DescentError, kind 'input', one line): never another exception
// type, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CsvParser, parseCsv } from '../../src/data/csv.js';
import { parseBatchArg } from '../../src/data/batches.js';
import { parseModelArg } from '../../src/nn/build.js';
import { parseScheduleArg, createSchedule } from '../../src/schedule/index.js';
import { parseRunSpec } from '../../src/report/spec.js';
import { checkSpec, runOptimize } from '../../src/cli/commands/optimize.js';
import { parseSafetensorsWithMetadata, serializeSafetensors } from '../../src/io/safetensors.js';
import { parseCheckpoint, serializeCheckpoint, Trainer } from '../../src/train/index.js';
import { buildModel } from '../../src/nn/index.js';
import { createOptimizer } from '../../src/optim/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { DescentError } from '../../src/errors.js';
import { spawnSync } from 'node:child_process';
import { resolveSpec } from '../../src/cli/commands/compare.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs `f`: a value, or an input error with a one-line message; anything else fails the property. */
function parsesOrInputError<T>(f: () => T, what: string): T | DescentError {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof DescentError)) throw new Error(`${what}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}, not a DescentError`);
    assert.equal(e.kind, 'input', `${what}: ${e.message}`);
    assert.ok(e.message.length > 0 && !e.message.includes('\n'), `${what}: message ${JSON.stringify(e.message)}`);
    return e;
  }
}

// ------------------------------------------------------------------ CSV

const csvChar = fc.constantFrom('1', '0', '9', '.', '-', '+', 'e', 'E', ',', ',', ',', '\n', '\n', '\r', ' ', '\t', 'a', 'y', 'x', 'é', '\uFEFF', 'I', 'n', 'f', '0x', '_');
const csvText = fc.oneof(
  fc.array(csvChar, { maxLength: 80 }).map((a) => a.join('')),
  fc.string({ maxLength: 60 }),
  // well-formed header and rows of mixed cells
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.array(fc.array(fc.oneof(fc.double().map(String), fc.integer().map(String), fc.constantFrom('', ' 1 ', 'NaN', '1e39', '-0', '.5', '5.', 'x')), { minLength: 1, maxLength: 5 }), { maxLength: 6 }))
    .map(([d, rows]) => [Array.from({ length: d + 1 }, (_, i) => `c${i}`).join(','), ...rows.map((r) => r.join(','))].join('\n')),
);

test('CSV: any text, as a string or as UTF-8 bytes cut into any chunks, parses the same or is an input error', () => {
  fc.assert(
    fc.property(csvText, fc.array(fc.nat(), { maxLength: 4 }), (text, cuts) => {
      const whole = parsesOrInputError(() => parseCsv(text, { source: 'p.csv' }), JSON.stringify(text));
      const bytes = new TextEncoder().encode(text);
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const chunked = parsesOrInputError(() => {
        const p = new CsvParser({ source: 'p.csv' });
        let at = 0;
        for (const c of [...points, bytes.length]) {
          p.push(bytes.subarray(at, c));
          at = c;
        }
        return p.end();
      }, `chunked ${JSON.stringify(text)}`);
      if (whole instanceof DescentError) {
        assert.ok(chunked instanceof DescentError);
        assert.equal(chunked.message, whole.message);
      } else {
        assert.ok(!(chunked instanceof DescentError), `chunked: ${(chunked as DescentError).message}`);
        assert.deepEqual(Array.from(chunked.x), Array.from(whole.x));
        assert.deepEqual(Array.from(chunked.y), Array.from(whole.y));
        assert.ok(whole.x.every(Number.isFinite) && whole.y.every(Number.isFinite));
      }
    }),
    { numRuns: 1500, seed: 801 },
  );
});

/** Text forms of a number as people and programs write them. */
const numberText = fc.tuple(
  fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1e9, max: 1e9 }).map((i) => i / 1000), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
  fc.constantFrom('string', 'fixed', 'exp', 'precision', 'padded', 'plus', 'zeros'),
  fc.integer({ min: 0, max: 20 }),
).map(([v, form, k]) => {
  switch (form) {
    case 'fixed': return Math.abs(v) < 1e21 ? v.toFixed(k) : String(v);
    case 'exp': return v.toExponential(Math.min(k, 20));
    case 'precision': return v.toPrecision(Math.max(1, k));
    case 'padded': return ` ${v} `;
    case 'plus': return v >= 0 ? `+${v}` : String(v);
    case 'zeros': return String(v).replace(/^(-?)/, '$100');
    default: return String(v);
  }
});

test('CSV numbers: every cell reads as Number() of its text (features rounded to float32; beyond float32 an input error)', () => {
  fc.assert(
    fc.property(numberText, numberText, (a, y) => {
      const r = parsesOrInputError(() => parseCsv(`a,y\n${a},${y}\n`, { source: 'n.csv' }), `${a},${y}`);
      const va = Number(a.trim()), vy = Number(y.trim());
      if (!Number.isFinite(va) || !Number.isFinite(vy) || Math.abs(va) > 3.4028234663852886e38) {
        assert.ok(r instanceof DescentError, `${a},${y} parsed`);
        return;
      }
      assert.ok(!(r instanceof DescentError), `${a},${y}: ${(r as DescentError).message}`);
      assert.ok(Object.is(r.x[0], Math.fround(va)), `${a}: ${r.x[0]} vs ${Math.fround(va)}`);
      assert.ok(Object.is(r.y[0], vy), `${y}: ${r.y[0]} vs ${vy}`);
    }),
    { numRuns: 3000, seed: 802 },
  );
});

// ------------------------------------------------------------------ spec JSON, optimizer specs, schedules, model and batch args

const smallJson = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1.5, 1e300, -0, 'adam', 'sgd', 'rosenbrock', 'beale', 'step', ''),
    fc.double(), fc.string({ maxLength: 8 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('name', 'lr', 'betas', 'momentum', 'stepSize', 'gamma', 'a', 'n', 'x'), tie('value'), { maxKeys: 3 })),
}));
const specLike = fc.record({
  function: fc.oneof(fc.constantFrom('rosenbrock', 'beale', 'booth', 'quadratic', 'nope', { name: 'rosenbrock', n: 3 }, { name: 'quadratic', n: -1 }), smallJson.value),
  x0: fc.oneof(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 3 }), smallJson.value),
  optimizer: fc.oneof(fc.record({ name: fc.constantFrom('adam', 'sgd', 'rmsprop', 'lbfgs', 'newton', 'rprop', 'adamm'), lr: fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), smallJson.value) }, { requiredKeys: ['name'] }), smallJson.value),
  // a step count a test can afford, or a wrong one: large valid counts are legitimately long runs
  steps: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constantFrom(-1, 2.5, '10', null, 1e300, Infinity)),
  schedule: fc.oneof(fc.record({ name: fc.constantFrom('step', 'cosine', 'exponential', 'plateau', 'nope'), stepSize: fc.integer({ min: -1, max: 5 }), gamma: fc.double({ min: -1, max: 2, noNaN: true }) }, { requiredKeys: ['name'] }), smallJson.value),
}, { requiredKeys: [] });

test('optimize spec JSON: any object either runs or fails with an input error (shape and values)', () => {
  fc.assert(
    fc.property(fc.oneof(specLike, smallJson.value), (raw) => {
      const spec = parsesOrInputError(() => checkSpec(JSON.parse(JSON.stringify(raw) ?? 'null'), 'spec'), JSON.stringify(raw));
      if (spec instanceof DescentError) return;
      // a run may also diverge (a run error) — that is not a parse failure; anything else is a crash
      try {
        runOptimize(spec);
      } catch (e) {
        assert.ok(e instanceof DescentError, `${JSON.stringify(raw)}: ${e instanceof Error ? `${e.name}: ${e.message}` : e}`);
        assert.ok(!e.message.includes('\n'));
      }
    }),
    { numRuns: 800, seed: 803 },
  );
});

const compareLike = fc.record({
  name: smallJson.value,
  function: fc.oneof(fc.constantFrom('beale', 'rosenbrock', 'nope'), smallJson.value),
  x0: fc.oneof(fc.constantFrom([1, 1], [[1, 1], [-1, 2]], [], [[1]], ['a']), smallJson.value),
  steps: fc.oneof(fc.constantFrom(1, 100, 0, -5, 2.5, '7', '1e300'), smallJson.value),
  tol: smallJson.value, seeds: smallJson.value, epochs: smallJson.value, val: smallJson.value, targetLoss: smallJson.value,
  data: fc.oneof(fc.constantFrom('iris', 'mnist'), smallJson.value), model: smallJson.value, batch: smallJson.value,
  optimizers: fc.oneof(fc.array(fc.oneof(fc.constantFrom('adam:lr=0.1', 'sgd', 'x'), fc.record({ name: fc.constantFrom('adam', 'sgd', 'zz'), lr: smallJson.value, label: smallJson.value }, { requiredKeys: ['name'] }), smallJson.value), { maxLength: 3 }), smallJson.value),
  trainOptimizers: smallJson.value,
  extra: smallJson.value,
}, { requiredKeys: [] });

test('compare spec JSON (--spec FILE): any file resolves, with every optimizer spec parsed, or is an input error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-compare-spec-'));
  try {
    const file = join(dir, 'spec.json');
    fc.assert(
      fc.property(fc.oneof(compareLike, smallJson.value, fc.string({ maxLength: 30 })), (raw) => {
        writeFileSync(file, typeof raw === 'string' ? raw : JSON.stringify(raw) ?? '');
        const spec = parsesOrInputError(() => resolveSpec({ spec: file, opt: [], x0: [], progress: false }), JSON.stringify(raw));
        if (spec instanceof DescentError) return;
        for (const t of [...spec.optimizers, ...spec.trainOptimizers]) void parsesOrInputError(() => parseRunSpec(t, '--opt'), t);
      }),
      { numRuns: 600, seed: 809 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const specText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.tuple(fc.constantFrom('', 'a=', 'my run='), fc.constantFrom('adam', 'sgd', 'rmsprop', 'rprop', 'nadam', 'x'), fc.array(fc.tuple(fc.constantFrom('lr', 'betas', 'momentum', 'nesterov', 'eps', 'etas', 'foo', ''), fc.constantFrom('0.1', '0.9;0.99', '1;2;3', '', 'true', '-1', 'x', '1e-3;1e-2')), { maxLength: 3 }))
    .map(([l, n, kv]) => `${l}${n}${kv.length ? ':' : ''}${kv.map(([k, v]) => `${k}=${v}`).join(',')}`),
);

test('compare --opt specs, --schedule, --model, --batch: parse or input error for any text', () => {
  fc.assert(
    fc.property(specText, (t) => void parsesOrInputError(() => parseRunSpec(t, '--opt'), t)),
    { numRuns: 1500, seed: 804 },
  );
  const scheduleText = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.tuple(fc.constantFrom('step', 'multistep', 'cosine', 'exponential', 'plateau', 'linear', 'warmup', 'onecycle', 'nope'), fc.array(fc.tuple(fc.constantFrom('stepSize', 'gamma', 'milestones', 'tMax', 'factor', 'patience', 'x'), fc.constantFrom('1', '0.5', '30;80', '-1', '', 'a', '1e9')), { maxLength: 3 }))
      .map(([n, kv]) => `${n}${kv.length ? ':' : ''}${kv.map(([k, v]) => `${k}=${v}`).join(',')}`),
  );
  fc.assert(
    fc.property(scheduleText, fc.constantFrom(0.1, 0, -1, NaN), (t, lr) => {
      const s = parsesOrInputError(() => parseScheduleArg(t), t);
      if (!(s instanceof DescentError)) parsesOrInputError(() => createSchedule(s, lr), `${t} lr ${lr}`);
    }),
    { numRuns: 1500, seed: 805 },
  );
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('mlp:', 'mlp:0', 'mlp:3,', 'mlp:1e3', 'linear', 'mlp:99999999999999999999')), (t) => {
      void parsesOrInputError(() => parseModelArg(t), t);
      void parsesOrInputError(() => parseBatchArg(t, 100), t);
    }),
    { numRuns: 1000, seed: 806 },
  );
});

// ------------------------------------------------------------------ safetensors and checkpoints

function sampleCheckpoint(): Uint8Array {
  const rng = new Rng(1);
  const n = 12, d = 3;
  const x = rng.fillNormal(new Float32Array(n * d));
  const y = new Float64Array(n).map((_, i) => i % 2);
  const train = { x, y, n, d, featureNames: ['a', 'b', 'c'], targetName: 'y', numClasses: 2 };
  const model = buildModel({ kind: 'mlp', hidden: [4], inFeatures: d, outFeatures: 2, rng: new Rng(2) });
  const optimizer = createOptimizer('adam', { params: model.params, grads: model.grads }, { lr: 0.01 });
  const t = new Trainer({ model, loss: 'ce', optimizer, train, batch: 4, shuffle: true, rng: new Rng(3) });
  t.step();
  return serializeCheckpoint(t, { note: 'property' });
}

test('safetensors and checkpoints: arbitrary bytes and mutations of valid files parse or are input errors', () => {
  const valid = serializeSafetensors({ w: { shape: [2, 3], data: new Float32Array(6).fill(0.5) }, b: { shape: [3], data: new Float64Array(3) } }, { descent: '{}' });
  const checkpoint = sampleCheckpoint();
  const mutate = (base: Uint8Array) => fc.tuple(
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    fc.option(fc.nat(), { nil: undefined }),
    fc.uint8Array({ maxLength: 8 }),
  ).map(([flips, cut, extra]) => {
    const b = base.slice();
    for (const [i, v] of flips) b[i % b.length] = v;
    const kept = cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
    const out = new Uint8Array(kept.length + extra.length);
    out.set(kept);
    out.set(extra, kept.length);
    return out;
  });
  /** Header edits: the JSON itself rewritten (keys, dtypes, shapes, offsets, metadata). */
  const headerEdit = (base: Uint8Array) => fc.tuple(fc.constantFrom('"F32"', '"F64"', '"F16"', '[]', '{}', 'null', '-1', '1e300', '"x"', '[0,1e20]', '[2,3]', '{"descent":"{}"}', '{"descent":"null"}', '{"descent":"{\\"format\\":\\"descent-checkpoint-1\\"}"}'), fc.nat()).map(([val, at]) => {
    const n = new DataView(base.buffer, base.byteOffset).getUint32(0, true);
    const json = new TextDecoder().decode(base.subarray(8, 8 + n));
    // replace the at-th JSON value (after a colon) with val
    const spots = [...json.matchAll(/:(?=[^:])/g)].map((m) => m.index! + 1);
    const s = spots[at % spots.length];
    const end = (() => {
      let depth = 0, q = false;
      for (let i = s; i < json.length; i++) {
        const c = json[i];
        if (q) { if (c === '\\') i++; else if (c === '"') q = false; continue; }
        if (c === '"') q = true;
        else if (c === '[' || c === '{') depth++;
        else if (c === ']' || c === '}') { if (depth === 0) return i; depth--; }
        else if (c === ',' && depth === 0) return i;
      }
      return json.length;
    })();
    const h = new TextEncoder().encode(json.slice(0, s) + val + json.slice(end));
    const out = new Uint8Array(8 + h.length + base.length - 8 - n);
    new DataView(out.buffer).setUint32(0, h.length, true);
    out.set(h, 8);
    out.set(base.subarray(8 + n), 8 + h.length);
    return out;
  });
  for (const [label, base] of [['safetensors', valid], ['checkpoint', checkpoint]] as const) {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutate(base), headerEdit(base)), (bytes) => {
        void parsesOrInputError(() => parseSafetensorsWithMetadata(bytes, label), `${label} ${bytes.length} bytes`);
        if (label === 'checkpoint') void parsesOrInputError(() => parseCheckpoint(bytes, label), `checkpoint ${bytes.length} bytes`);
      }),
      { numRuns: 1500, seed: 807 },
    );
  }
});

// ------------------------------------------------------------------ CLI arguments (through main, in a child)

test('CLI arguments: any argument list for optimize, and any flag list for train, exits 0, 1 or 2 with one descent: error line, never an internal error', () => {
  // the properties run in a child process (cli-argv.runner.ts): they silence stdout around main(), which
  // in this process would also swallow the test runner's own reports
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cli-argv.runner.ts')], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /^optimize argv: 300 runs passed\ntrain argv: 200 runs passed\n$/);
});
