// descent train --landscape FILE: the page with both slices (random filter-normalized and the PCA plane with
// the path), the numbers as JSON, and one-line errors for a bad file name or grid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDescent } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

test('train --landscape FILE.html and FILE.json: both grids, the path of every epoch, the loss at the centre is the trained loss', () => {
  const dir = scratchDir('descent-landscape-');
  const html = join(dir, 'land.html'), json = join(dir, 'land.json');
  const args = ['train', '--data', 'iris', '--model', 'mlp:8', '--epochs', '4', '--batch', 'full', '--lr', '0.05', '--val', '0', '--landscape-grid', '7'];
  const r = runDescent([...args, '--landscape', html]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /landscape: .*land\.html \(7×7 grids, random slice and PCA plane, 150 rows, [\d.]+ s\)/);
  const page = readFileSync(html, 'utf8');
  assert.equal((page.match(/<svg /g) ?? []).length, 2);
  assert.match(page, /PCA plane of the trajectory/);
  assert.ok(!/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(page), 'self-contained');
  const j = runDescent([...args, '--json', '--landscape', json]);
  assert.equal(j.status, 0, j.stderr);
  const lines = j.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines[lines.length - 1].done, true, 'the final line stays the contract\'s');
  const l = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(l.random.loss.length, 49);
  assert.equal(l.pca.path.length, 5, 'the start and 4 epochs');
  assert.deepEqual(l.pca.path[4], [0, 0]);
  // the centre of the random slice is the trained model's loss (checked against evaluate in test/train/landscape.test.ts)
  const centre = l.random.loss[24];
  assert.ok(Number.isFinite(centre) && centre > 0);
});

test('train --landscape: a wrong extension or grid is one line and exit 2, before any training', () => {
  const dir = scratchDir('descent-landscape-');
  const bad = runDescent(['train', '--data', 'iris', '--epochs', '1', '--landscape', join(dir, 'x.png')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^descent: error: --landscape: expected a file name ending in \.html or \.json, got '.*x\.png'\n$/);
  const grid = runDescent(['train', '--data', 'iris', '--epochs', '1', '--landscape', join(dir, 'x.html'), '--landscape-grid', '1']);
  assert.equal(grid.status, 2);
  assert.match(grid.stderr, /--landscape-grid: expected an integer in \[3, 201\], got '1'/);
  assert.ok(!existsSync(join(dir, 'x.html')));
  const alone = runDescent(['train', '--data', 'iris', '--epochs', '1', '--landscape-grid', '9']);
  assert.equal(alone.status, 2);
  assert.match(alone.stderr, /--landscape-grid: needs --landscape FILE/);
});
