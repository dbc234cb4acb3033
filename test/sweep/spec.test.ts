// The sweep spec: grid expansion (log ranges against their closed form, the contract's example counted by
// hand), run identity, and bad specs rejected with one line naming the field, before anything runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSweepSpec, expandSweep, countRuns, logRange, canonicalJson, runIdentity } from '../../src/sweep/index.js';
import { planSweep, redactUrl, connectionOf, checkJob, runKey, MAX_JOB_BYTES } from '../../src/sweep/node/index.js';
import { runDescent } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

/** The contract's SWEEP.json example. */
const contractExample = {
  kind: 'optimize',
  base: { function: 'rosenbrock', x0: [-1.5, 2], steps: 300 },
  optimizers: [{ name: 'sgd', lr: [0.0001, 0.0003], momentum: [0, 0.9] }, { name: 'adam', lr: { log: [0.001, 0.1], num: 5 } }],
  schedules: [null, { name: 'cosine', tMax: 300 }],
  seeds: [0],
};

test('logRange: num points lo·(hi/lo)^(i/(num-1)), the ends exact', () => {
  const xs = logRange(0.001, 0.1, 5);
  assert.equal(xs.length, 5);
  assert.equal(xs[0], 0.001);
  assert.equal(xs[4], 0.1);
  // consecutive ratios are (0.1/0.001)^(1/4) = 10^0.5
  for (let i = 1; i < 5; i++) assert.ok(Math.abs(xs[i] / xs[i - 1] - Math.sqrt(10)) < 1e-12, `ratio ${i}`);
  assert.deepEqual(logRange(0.5, 8, 1), [0.5]);
});

test('the contract example expands to (2·2 sgd + 5 adam) · 2 schedules · 1 seed = 18 runs, in grid order', () => {
  const s = parseSweepSpec(contractExample);
  assert.equal(countRuns(s), 18);
  const runs = expandSweep(s);
  assert.equal(runs.length, 18);
  assert.deepEqual(runs[0].spec, { function: 'rosenbrock', x0: [-1.5, 2], steps: 300, optimizer: { name: 'sgd', lr: 0.0001, momentum: 0 } });
  assert.deepEqual(runs[1].spec.schedule, { name: 'cosine', tMax: 300 });
  assert.deepEqual(runs[2].spec.optimizer, { name: 'sgd', lr: 0.0001, momentum: 0.9 });
  assert.deepEqual(runs[8].spec.optimizer, { name: 'adam', lr: 0.001 });
  assert.equal(runs[17].spec.optimizer && (runs[17].spec.optimizer as { lr: number }).lr, 0.1);
  assert.deepEqual(runs.map((r) => r.index), [...Array(18).keys()]);
  assert.equal(new Set(runs.map(runKey)).size, 18);
});

test('train: seeds and batches cross the grid; the seed is the run\'s seed flag', () => {
  const runs = expandSweep(parseSweepSpec({
    kind: 'train', base: { data: 'digits', epochs: 2 }, optimizers: [{ name: 'adam', lr: [0.001, 0.01] }], batches: [16, 'full'], seeds: [3, 4],
  }));
  assert.equal(runs.length, 8);
  assert.deepEqual(runs[0].spec, { data: 'digits', epochs: 2, batch: 16, optimizer: { name: 'adam', lr: 0.001 }, seed: 3 });
  assert.deepEqual(runs[3].spec, { data: 'digits', epochs: 2, batch: 'full', optimizer: { name: 'adam', lr: 0.001 }, seed: 4 });
});

test('run identity: key order does not matter, the seed and every value do', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'z' } }), '{"a":{"c":"z","d":[1,{"x":1,"y":2}]},"b":1}');
  const spec = { function: 'booth', x0: [0, 0], optimizer: { name: 'adam', lr: 0.1 } };
  const swapped = { optimizer: { lr: 0.1, name: 'adam' }, x0: [0, 0], function: 'booth' };
  assert.equal(runIdentity({ kind: 'optimize', seed: 0, spec }), runIdentity({ kind: 'optimize', seed: 0, spec: swapped }));
  assert.notEqual(runKey({ kind: 'optimize', seed: 0, spec }), runKey({ kind: 'optimize', seed: 1, spec }));
  assert.notEqual(runKey({ kind: 'optimize', seed: 0, spec }), runKey({ kind: 'optimize', seed: 0, spec: { ...spec, x0: [0, 1e-300] } }));
  assert.match(runKey({ kind: 'optimize', seed: 0, spec }), /^[0-9a-f]{64}$/);
});

const bad: [string, unknown, RegExp][] = [
  ['kind', { ...contractExample, kind: 'fit' }, /^kind: expected "optimize" or "train", got "fit"$/],
  ['a top-level field', { ...contractExample, grid: {} }, /^unknown field 'grid'; expected one of: kind, base/],
  ['base.optimizer', { ...contractExample, base: { ...contractExample.base, optimizer: 'adam' } }, /^base\.optimizer: not a field of a optimize base \(optimizers holds it\)/],
  ['a log range', { ...contractExample, optimizers: [{ name: 'adam', lr: { log: [-1, 0.1], num: 5 } }] }, /^optimizers\[0\]\.lr\.log: expected two numbers > 0/],
  ['num', { ...contractExample, optimizers: [{ name: 'adam', lr: { log: [0.001, 0.1], num: 0 } }] }, /^optimizers\[0\]\.lr\.num: expected an integer from 1 to 10000, got 0$/],
  ['an empty list', { ...contractExample, optimizers: [{ name: 'adam', lr: [] }] }, /^optimizers\[0\]\.lr: expected a non-empty list/],
  ['seeds', { ...contractExample, seeds: [0, -1] }, /^seeds\[1\]: expected an integer from 0 to 4294967295, got -1$/],
  ['a huge grid', { ...contractExample, optimizers: [{ name: 'adam', lr: { log: [1e-5, 1], num: 10000 }, eps: { log: [1e-9, 1e-6], num: 100 } }] }, /^the grid has 2000000 runs, over the limit of 100000/],
];
for (const [what, spec, want] of bad) {
  test(`parseSweepSpec rejects ${what} with one line naming the field`, () => {
    assert.throws(() => parseSweepSpec(spec), (e: Error) => want.test(e.message));
  });
}

const badRuns: [string, unknown, RegExp][] = [
  ['a negative lr', { ...contractExample, optimizers: [contractExample.optimizers[0], { name: 'adam', lr: [0.01, -1] }] }, /^optimizers\[1\]\.lr: expected .*-1/],
  ['an unknown optimizer', { ...contractExample, optimizers: [{ name: 'adamm', lr: [0.1] }] }, /^optimizers\[0\]: unknown optimizer 'adamm'; expected one of: sgd/],
  ['an unknown hyperparameter', { ...contractExample, optimizers: [{ name: 'adam', momentum: [0.9] }] }, /^optimizers\[0\]: unknown hyperparameter 'momentum' for adam/],
  ['an unknown function', { ...contractExample, base: { ...contractExample.base, function: 'rosenbrok' } }, /^base: .*rosenbrok/],
  ['a bad x0', { ...contractExample, base: { ...contractExample.base, x0: [1, 'a'] } }, /^base\.x0: expected a non-empty list of finite numbers$/],
  ['a bad schedule', { ...contractExample, schedules: [null, { name: 'cosine' }] }, /^schedules\[1\]/],
  ['a train field', { kind: 'train', base: { data: 'digits', batch: 0 }, optimizers: [{ name: 'adam' }] }, /^base\.batch: expected an integer >= 1 or "full", got 0$/],
  ['a train dataset', { kind: 'train', base: { data: 'digitz' }, optimizers: [{ name: 'adam' }] }, /^base\.data: unknown dataset 'digitz'/],
];
for (const [what, spec, want] of badRuns) {
  test(`planSweep checks every run: ${what}`, () => {
    assert.throws(() => planSweep(spec), (e: Error) => want.test(e.message), String(want));
  });
}

test('descent sweep: a bad spec is one line, exit 2, naming the file and field; nothing is written', () => {
  const dir = scratchDir('descent-sweep-spec-');
  const file = join(dir, 'sweep.json');
  writeFileSync(file, JSON.stringify({ ...contractExample, optimizers: [{ name: 'adam', lr: [0.01, -1] }] }));
  const r = runDescent(['sweep', '--spec', file, '--out', join(dir, 'out')]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^descent: error: --spec .*sweep\.json: optimizers\[0\]\.lr: /);
  assert.equal(r.stdout, '');
  assert.equal(runDescent(['sweep', '--spec', file, '--dry-run']).status, 2);
  writeFileSync(file, JSON.stringify(contractExample));
  const dry = runDescent(['sweep', '--spec', file, '--dry-run']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.equal(dry.stdout, '18 runs\n');
  const notJson = join(dir, 'bad.json');
  writeFileSync(notJson, '{"kind": ');
  assert.match(runDescent(['sweep', '--spec', notJson, '--dry-run']).stderr, /^descent: error: --spec .*bad\.json: not valid JSON/);
});

test('a Redis password is never printed: redactUrl, and the queue flags\' errors', () => {
  assert.equal(redactUrl('redis://user:s3cret@example.org:6380/2'), 'redis://user:***@example.org:6380/2');
  assert.equal(redactUrl('redis://:s3cret@10.0.0.1:6379'), 'redis://:***@10.0.0.1:6379');
  assert.deepEqual({ ...connectionOf('redis://:p%40ss@10.0.0.1:6390/3'), retryStrategy: undefined }, { host: '10.0.0.1', port: 6390, db: 3, password: 'p@ss', maxRetriesPerRequest: null, retryStrategy: undefined });
  const dir = scratchDir('descent-sweep-url-');
  const file = join(dir, 'sweep.json');
  writeFileSync(file, JSON.stringify(contractExample));
  for (const args of [['sweep', '--spec', file, '--out', dir, '--queue', 'http://:s3cret@host:1'], ['worker', '--queue', 'redis://:s3cret@host:1/x']]) {
    const r = runDescent(args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^descent: error: --queue: expected/);
    assert.ok(!r.stderr.includes('s3cret'), r.stderr);
  }
});

test('a worker takes only well-formed descent run specs of bounded size whose id is their key', () => {
  const data = { v: 1, kind: 'optimize', seed: 0, spec: { function: 'booth', x0: [0, 0], optimizer: { name: 'adam', lr: 0.1 } } };
  const key = runKey(data as never);
  assert.deepEqual(checkJob(key, data), data);
  assert.throws(() => checkJob('other', data), /its id is not the key of its spec/);
  assert.throws(() => checkJob(key, { ...data, cmd: 'rm -rf /' }), /not a descent run/);
  assert.throws(() => checkJob(key, { ...data, kind: 'shell' }), /not a descent run/);
  const big = { ...data, spec: { ...data.spec, x0: new Array(MAX_JOB_BYTES).fill(0) } };
  assert.throws(() => checkJob(runKey(big as never), big), /over the limit of 65536/);
});
