// The fast path is the default path (design item 13, issue 13): `descent train`, `ensemble` and the
// training runs of `compare` start the wasm kernels, relaxed SIMD and worker threads on the machine's
// cores by themselves, and their optimizer steps run the fused kernels. Their `--json` outputs say what
// computed (`compute`), counted where it happened, so this needs no timing. --threads and DESCENT_THREADS
// override; a bad value is one error line, exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, repo } from '../helpers/cli.js';

const cores = availableParallelism();

function descent(args: string[], env: Record<string, string> = {}) {
  const e: Record<string, string | undefined> = { ...process.env, ...env };
  if (!('DESCENT_THREADS' in env)) delete e.DESCENT_THREADS;
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', env: e, maxBuffer: 1 << 28 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

// digits: 1,438 training rows, batch 64 → 23 steps an epoch
const TRAIN1 = ['train', '--data', 'digits', '--model', 'mlp:32', '--json', '--epochs', '1'];
const TRAIN = ['train', '--data', 'digits', '--model', 'mlp:32', '--json', '--epochs', '2'];

test('descent train: wasm kernels, relaxed SIMD, a thread per core and the fused step on every batch, by default', () => {
  const r = descent(TRAIN);
  assert.equal(r.status, 0, r.stderr);
  const { compute } = lastJson(r.stdout);
  assert.deepEqual(compute, { kernels: 'wasm', relaxedSimd: true, threads: cores, fusedSteps: 46, tsSteps: 0 });
});

test('descent train: every fused rule steps in its kernel; a rule without one says so (TS steps)', () => {
  for (const opt of ['adam', 'adamw', 'sgd:lr=0.1,momentum=0.9', 'rmsprop', 'adagrad', 'adamax']) {
    const r = descent([...TRAIN1, '--opt', opt.split(':')[0], ...(opt.includes(':') ? ['--lr', '0.1', '--momentum', '0.9'] : [])]);
    assert.equal(r.status, 0, r.stderr);
    const { compute } = lastJson(r.stdout);
    assert.equal(compute.fusedSteps, 23, opt);
    assert.equal(compute.tsSteps, 0, opt);
  }
  const r = descent([...TRAIN1, '--opt', 'nadam']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual([lastJson(r.stdout).compute.fusedSteps, lastJson(r.stdout).compute.tsSteps], [0, 23]);
});

test('--threads N and DESCENT_THREADS override the default; the flag wins; 1 means no workers', () => {
  const threads = (args: string[], env: Record<string, string> = {}) => {
    const r = descent([...TRAIN1, ...args], env);
    assert.equal(r.status, 0, r.stderr);
    return lastJson(r.stdout).compute.threads;
  };
  assert.equal(threads(['--threads', '1']), 1);
  assert.equal(threads([], { DESCENT_THREADS: '1' }), 1);
  assert.equal(threads(['--threads', '2'], { DESCENT_THREADS: '1' }), 2);
  // the same numbers whatever the thread count: the split changes who computes, not what
  const a = descent([...TRAIN, '--threads', '1']), b = descent([...TRAIN, '--threads', '2']);
  assert.equal(lastJson(a.stdout).trainLoss, lastJson(b.stdout).trainLoss);
});

test('a bad --threads or DESCENT_THREADS is one error line, exit 2', () => {
  for (const [args, env, says] of [
    [['--threads', '0'], {}, /^descent: error: --threads: expected an integer from 1 to 256 \(1: no worker threads\), got '0'\n$/],
    [['--threads', 'many'], {}, /^descent: error: --threads: expected an integer from 1 to 256/],
    [[], { DESCENT_THREADS: '1.5' }, /^descent: error: DESCENT_THREADS: expected an integer from 1 to 256 \(1: no worker threads\), got '1.5'\n$/],
  ] as const) {
    const r = descent([...TRAIN, ...args], env);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, says);
    assert.equal(r.stdout, '');
  }
});

test('descent ensemble takes the same path (fused steps, threads)', () => {
  const r = descent(['ensemble', '--data', 'digits', '--bagging', '2', '--epochs', '1', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const { compute } = lastJson(r.stdout);
  assert.equal(compute.kernels, 'wasm');
  assert.equal(compute.threads, cores);
  assert.ok(compute.fusedSteps > 0 && compute.tsSteps === 0, JSON.stringify(compute));
});

test('descent compare --data: each training run reports the fused path and the threads; --threads reaches them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-fast-'));
  try {
    for (const [extra, want] of [[[], cores], [['--threads', '1'], 1]] as const) {
      const r = descent(['compare', '--data', 'digits', '--opt', 'adam:lr=0.01', '--seeds', '1', '--epochs', '1', '--out', dir, '--json', ...extra]);
      assert.equal(r.status, 0, r.stderr);
      const { compute } = JSON.parse(r.stdout).training.results[0];
      assert.deepEqual(compute, { kernels: 'wasm', relaxedSimd: true, threads: want, fusedSteps: 23, tsSteps: 0 });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the library in Node (import from the package): the fast path starts at import; a Trainer\'s optimizer takes the fused step', () => {
  const script = `
    import { buildModel, createOptimizer, Trainer, Rng, fastPathInfo } from 'descent';
    const n = 256, d = 20;
    const x = new Float32Array(n * d).map((_, i) => Math.sin(i)), y = new Float64Array(n).map((_, i) => i % 3);
    const train = { x, y, n, d, featureNames: [], targetName: 'y', numClasses: 3 };
    const model = buildModel({ kind: 'mlp', hidden: [16], activation: 'relu', inFeatures: d, outFeatures: 3, rng: new Rng(0) });
    const optimizer = createOptimizer('adam', { params: model.params, grads: model.grads }, { lr: 0.01 });
    const t = new Trainer({ model, loss: 'ce', optimizer, train, batch: 32, shuffle: true, rng: new Rng(1) });
    while (t.epochUnfinished) t.step();
    console.log(JSON.stringify({ ...fastPathInfo(), fused: optimizer.usesFusedStep(), loss: t.endEpoch().metrics.trainLoss }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8', env: { ...process.env, DESCENT_THREADS: '' } });
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.deepEqual({ wasm: o.wasm, relaxed: o.relaxed, threads: o.threads, fused: o.fused }, { wasm: true, relaxed: true, threads: cores, fused: true });
  assert.ok(Number.isFinite(o.loss));
});
