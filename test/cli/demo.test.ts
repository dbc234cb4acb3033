// End-to-end `descent demo` (needs `npm run build` first, as every CLI test): the report and its summary
// written where --out says and the path printed; one error line (exit 2) for an unknown demo, a bad seed or
// an --out that is a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDescent } from '../helpers/cli.js';

test('descent demo hopfield --out DIR --seed 1 writes a self-contained report and prints its path', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'descent-demo-')), 'out');
  const r = runDescent(['demo', 'hopfield', '--out', dir, '--seed', '1']);
  assert.equal(r.status, 0, r.stderr);
  const report = join(dir, 'report.html');
  assert.equal(r.stdout, `${report}\n`);
  const html = readFileSync(report, 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /descent demo hopfield --out/);
  // offline: no script, stylesheet or image from elsewhere
  assert.doesNotMatch(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, ''), /https?:|<script|<link/);
  assert.ok((html.match(/<svg/g) ?? []).length >= 3);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  assert.equal(summary.demo, 'hopfield');
  assert.equal(summary.seed, 1);
  assert.ok(summary.claim.recallAt005 > 0.95 && summary.claim.recallAt025 < 0.5 && summary.claim.energyRises === 0, JSON.stringify(summary.claim));
});

test('descent demo sparse: Adagrad below SGD in the summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-demo-'));
  const r = runDescent(['demo', 'sparse', '--out', dir]);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  assert.ok(summary.claim.adagradRareError < summary.claim.sgdRareError);
});

test('bad input: one error line, exit 2, nothing written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-demo-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const cases: [string[], RegExp][] = [
    [['demo', 'nope'], /^descent: error: unknown demo 'nope'; expected one of: sparse, variance, order, hopfield, boltzmann\n$/],
    [['demo', 'sparse', '--seed', '-1'], /^descent: error: --seed: expected an integer >= 0, got '-1'\n$/],
    [['demo', 'sparse', '--seed', '1.5', '--out', join(dir, 'x')], /^descent: error: --seed: expected an integer >= 0, got '1.5'\n$/],
    [['demo', 'sparse', '--out', file], /^descent: error: --out: .* is a file; expected a directory/],
  ];
  for (const [args, want] of cases) {
    const r = runDescent(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, want);
    assert.equal(r.stdout, '');
  }
  assert.equal(existsSync(join(dir, 'x')), false);
});
