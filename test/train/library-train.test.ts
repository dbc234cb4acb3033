/**
 * The library covers what `descent train` does (issue 15): `loadDataset` by name gives standardized splits
 * (checked against mean/std computed here from the raw rows), and `train(config)` reproduces the CLI's run
 * epoch for epoch, first-order and full-batch search alike, writing the same run folder through injected files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../src/node/datasets.js';
import { nodeRunFiles } from '../../src/node/files.js';
import { loadDataset as loadDatasetCore, type DatasetReader } from '../../src/data/load-dataset.js';
import { train } from '../../src/train/train.js';
import { startNodeFastPath } from '../../src/tensor/backend-node.js';
import { runDescent } from '../helpers/cli.ts';

test('loadDataset: built-ins by name, the last rows held out, standardized with the training rows only', () => {
  const d = loadDataset('breast-cancer');
  assert.equal(d.all.n, 569);
  assert.equal(d.valFraction, 0.2);
  assert.equal(d.val!.n + d.train.n, 569);
  assert.equal(d.train.n, 569 - Math.round(569 * 0.2));
  assert.ok(d.standardized && d.standardizer);
  // column 0 of the training rows: z = (x − mean) / std from the RAW rows, computed here
  const n = d.train.n, dd = d.all.d;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += d.all.x[i * dd];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (d.all.x[i * dd] - mean) ** 2;
  const std = Math.sqrt(v / n);
  for (const i of [0, 7, n - 1]) assert.ok(Math.abs(d.train.x[i * dd] - (d.all.x[i * dd] - mean) / std) < 1e-5);
  const r = n; // first held-out row, standardized with the training statistics
  assert.ok(Math.abs(d.val!.x[0] - (d.all.x[r * dd] - mean) / std) < 1e-5);
  // the raw rows are untouched: standardization is in the splits, never silently dropped
  assert.ok(Math.abs(d.all.x[0] - 17.99) < 1e-4);
  assert.match(d.note, /standardized \(mean\/std of the training rows\)/);
  const raw = loadDataset('breast-cancer', { standardize: false, val: 0 });
  assert.equal(raw.standardizer, undefined);
  assert.equal(raw.val, undefined);
  assert.equal(raw.train.x[0], d.all.x[0]);
});

test('loadDataset: a CSV path through the reader; an unknown name is an input error listing the built-ins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-lib-'));
  try {
    const file = join(dir, 'tiny.csv');
    nodeRunFiles.write(file, 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n');
    const d = loadDataset(file, { val: 0.25, standardize: true });
    assert.equal(d.train.n, 3);
    assert.equal(d.val!.n, 1);
    // training column a = 1, 3, 5: mean 3, population std sqrt(8/3)
    assert.ok(Math.abs(d.train.x[0] - (1 - 3) / Math.sqrt(8 / 3)) < 1e-6);
    assert.ok(Math.abs(d.val!.x[0] - (7 - 3) / Math.sqrt(8 / 3)) < 1e-6);
    assert.throws(() => loadDataset('irs'), /unknown dataset 'irs'; expected one of: mnist, digits, iris/);
    // the core takes any reader (a browser passes one that fetches): nothing here touches the disk
    const reader: DatasetReader = {
      builtin: () => { throw new Error('not used'); },
      csv: (_p, o) => loadDataset(file, { target: o.target ?? undefined, val: 0 }).all,
      exists: () => true,
    };
    assert.equal(loadDatasetCore('whatever.csv', { reader }).all.n, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('train(config) reproduces `descent train` epoch for epoch (adam minibatches, and lbfgs full batch) and writes the run folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-lib-'));
  try {
    // the CLI's fast path, one thread on both sides, so both sum in the same order
    startNodeFastPath(1);
    const cli = runDescent(['train', '--data', 'iris', '--epochs', '4', '--seed', '3', '--lr', '0.05', '--threads', '1', '--json']);
    assert.equal(cli.status, 0, cli.stderr);
    const cliLines = cli.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    const epochs: number[] = [];
    const r = await train({ data: loadDataset('iris'), epochs: 4, seed: 3, optimizer: { lr: 0.05 }, out: join(dir, 'run') }, { files: nodeRunFiles, onEpoch: (m) => epochs.push(m.trainLoss) });
    assert.deepEqual(epochs, cliLines.slice(0, 4).map((m) => m.trainLoss));
    assert.equal(r.summary.trainLoss, cliLines[4].trainLoss);
    for (const f of ['config.json', 'metrics.jsonl', 'model.safetensors', 'loss-curve.svg']) assert.ok(existsSync(join(dir, 'run', f)), f);
    assert.equal(JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8')).standardize, true);

    const cli2 = runDescent(['train', '--data', 'breast-cancer', '--opt', 'lbfgs', '--batch', 'full', '--epochs', '30', '--threads', '1', '--json']);
    assert.equal(cli2.status, 0, cli2.stderr);
    const done = JSON.parse(cli2.stdout.trim().split('\n').pop()!) as Record<string, number>;
    const r2 = await train({ data: loadDataset('breast-cancer'), optimizer: { name: 'lbfgs' }, batch: 'full', epochs: 30 });
    assert.equal(r2.kind, 'search');
    assert.equal(r2.summary.trainLoss, done.trainLoss);
    assert.equal(r2.summary.evaluations, done.evaluations);
    await assert.rejects(train({ data: loadDataset('iris'), save: 'x.safetensors' }), /hooks\.files/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
