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
  // --landscape-rows: a smaller seeded sample, or all rows
  const few = runDescent([...args, '--landscape', json, '--landscape-rows', '40']);
  assert.equal(few.status, 0, few.stderr);
  assert.match(few.stdout, /, 40 rows, /);
  assert.equal(JSON.parse(readFileSync(json, 'utf8')).rows, 40);
  const all = runDescent([...args, '--landscape', json, '--landscape-rows', 'all']);
  assert.equal(all.status, 0, all.stderr);
  assert.equal(JSON.parse(readFileSync(json, 'utf8')).rows, 150);
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
  const rows = runDescent(['train', '--data', 'iris', '--epochs', '1', '--landscape', join(dir, 'x.html'), '--landscape-rows', 'most']);
  assert.equal(rows.status, 2);
  assert.equal(rows.stderr, "descent: error: --landscape-rows: expected a row count >= 1 or all, got 'most'\n");
  const compare = runDescent(['compare', '--fn', 'beale', '--x0', '1,1', '--opt', 'adam', '--landscape', '--out', join(dir, 'c')]);
  assert.equal(compare.status, 2);
  assert.match(compare.stderr, /^descent: error: --landscape: needs training runs \(--data NAME\)/);
  assert.ok(!existsSync(join(dir, 'x.html')) && !existsSync(join(dir, 'c')));
});
