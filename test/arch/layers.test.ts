/**
 * The folders keep their layers (issue 15): src/optim is pure update rules over typed arrays (no autograd,
 * objectives, schedules or search); the commands are thin over the library (data loading comes from
 * src/data + src/node, never from another command; `descent train` calls `train()` and no autograd or
 * search itself).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanSource } from './browser-safe.test.ts';

const src = join(import.meta.dirname, '..', '..', 'src');
const importsOf = (rel: string) => scanSource(readFileSync(join(src, rel), 'utf8'), rel).imports;

test('src/optim imports only itself, errors and the tensor backend: no autograd, objectives, schedules or search', () => {
  const bad: string[] = [];
  for (const f of readdirSync(join(src, 'optim')).filter((n) => n.endsWith('.ts'))) {
    for (const spec of importsOf(join('optim', f))) {
      if (!(spec.startsWith('./') || spec === '../errors.js' || spec.startsWith('../tensor/'))) bad.push(`src/optim/${f} imports ${spec}`);
    }
  }
  // ensemble.ts: flags → EnsembleConfig → ensemble() (src/train/ensemble-run.ts); no model building or fitting of its own
  for (const spec of importsOf(join('cli', 'commands', 'ensemble.ts'))) {
    if (/\/(autograd|search|tensor|schedule)\/|\/train\/(ensemble-fit|transfer)\.js|\/nn\/index\.js/.test(spec)) bad.push(`ensemble.ts imports ${spec} (the run belongs in src/train/ensemble-run.ts)`);
  }
  assert.deepEqual(bad, []);
});

test('no command imports another command for its data or model files; train.ts calls the library', () => {
  const bad: string[] = [];
  for (const f of readdirSync(join(src, 'cli', 'commands')).filter((n) => n.endsWith('.ts') && n !== 'train.ts' && n !== 'index.ts')) {
    for (const spec of importsOf(join('cli', 'commands', f))) if (spec === './train.js') bad.push(`${f} imports ./train.js`);
  }
  for (const spec of importsOf(join('cli', 'commands', 'train.ts'))) {
    if (/\/(autograd|search|tensor|optim|schedule)\//.test(spec)) bad.push(`train.ts imports ${spec} (the loop belongs in src/train/train.ts)`);
  }
  // ensemble.ts: flags → EnsembleConfig → ensemble() (src/train/ensemble-run.ts); no model building or fitting of its own
  for (const spec of importsOf(join('cli', 'commands', 'ensemble.ts'))) {
    if (/\/(autograd|search|tensor|schedule)\/|\/train\/(ensemble-fit|transfer)\.js|\/nn\/index\.js/.test(spec)) bad.push(`ensemble.ts imports ${spec} (the run belongs in src/train/ensemble-run.ts)`);
  }
  assert.deepEqual(bad, []);
});
