// `--epochs 0`: `descent train` writes the initial model (what transfer workflows start from), and it is the
// exact starting point of training: one full-batch SGD step from it, computed here in float64 from the CSV,
// gives the weights `--epochs 1` writes. `ensemble` and `compare` refuse 0 and point to train.
// Spawns bin/descent.js: `npm run build` (or `npx tsc -p tsconfig.json`) first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { runDescent } from '../helpers/cli.js';

const repo = join(import.meta.dirname, '..', '..');
const descent = (...args: string[]) => runDescent(args, { timeout: 30_000 });

test('train --epochs 0 --save writes the initial model: one float64 SGD step from it is what --epochs 1 writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-epochs0-'));
  try {
    const common = ['train', '--data', 'iris', '--standardize', 'false', '--model', 'softmax', '--opt', 'sgd', '--lr', '0.05', '--batch', 'full', '--no-shuffle', '--seed', '7'];
    const r0 = descent(...common, '--epochs', '0', '--save', join(dir, 'e0.safetensors'), '--out', join(dir, 'run0'));
    assert.equal(r0.status, 0, r0.stderr);
    assert.deepEqual(readdirSync(join(dir, 'run0')).sort(), ['config.json', 'loss-curve.svg', 'model.safetensors']);
    const r1 = descent(...common, '--epochs', '1', '--save', join(dir, 'e1.safetensors'));
    assert.equal(r1.status, 0, r1.stderr);
    const load = (f: string) => parseSafetensors(new Uint8Array(readFileSync(join(dir, f))));
    const m0 = load('e0.safetensors'), m1 = load('e1.safetensors');
    const W0 = Array.from(m0['0.weight'].data), b0 = Array.from(m0['0.bias'].data);
    assert.deepEqual(m0['0.weight'].shape, [3, 4]);
    // torch's Linear init: U(-1/sqrt(in), 1/sqrt(in)) = U(-0.5, 0.5) for 4 features, and not all zero
    assert.ok([...W0, ...b0].every((v) => Math.abs(v) <= 0.5) && W0.some((v) => v !== 0));
    // the run folder's model is the same initial model
    assert.deepEqual(Array.from(parseSafetensors(new Uint8Array(readFileSync(join(dir, 'run0', 'model.safetensors'))))['0.weight'].data), W0);

    // the gradient of mean cross-entropy at (W0, b0) over all 150 rows, in float64 from data/iris.csv (features as float32)
    const rows = readFileSync(join(repo, 'data', 'iris.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const gW = new Array(12).fill(0), gb = new Array(3).fill(0);
    for (const row of rows) {
      const x = row.slice(0, 4).map(Math.fround), y = row[4];
      const z = [0, 1, 2].map((k) => b0[k] + x.reduce((s, v, j) => s + W0[4 * k + j] * v, 0));
      const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), sum = e.reduce((a, b) => a + b, 0);
      for (let k = 0; k < 3; k++) {
        const d = e[k] / sum - (k === y ? 1 : 0);
        gb[k] += d / rows.length;
        for (let j = 0; j < 4; j++) gW[4 * k + j] += (d * x[j]) / rows.length;
      }
    }
    const W1 = Array.from(m1['0.weight'].data), b1 = Array.from(m1['0.bias'].data);
    W1.forEach((v, i) => assert.ok(Math.abs(v - (W0[i] - 0.05 * gW[i])) < 1e-6, `weight ${i}: ${v} vs ${W0[i] - 0.05 * gW[i]}`));
    b1.forEach((v, i) => assert.ok(Math.abs(v - (b0[i] - 0.05 * gb[i])) < 1e-6, `bias ${i}: ${v} vs ${b0[i] - 0.05 * gb[i]}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ensemble and compare refuse --epochs 0 (exit 2, one line) and point to descent train --epochs 0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-epochs0-'));
  try {
    for (const args of [
      ['ensemble', '--data', 'iris', '--val', '0.2', '--bagging', '2', '--epochs', '0'],
      ['compare', '--data', 'iris', '--opt', 'adam', '--epochs', '0', '--out', join(dir, 'report')],
    ]) {
      const r = descent(...args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^descent: error: --epochs: expected an integer >= 1, got '0'; .*descent train --epochs 0 --save FILE\)\n$/);
      assert.equal(r.stdout, '');
    }
    assert.equal(existsSync(join(dir, 'report')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
