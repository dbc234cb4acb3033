// `descent train --init --new-head --freeze` end to end (needs `npm run build` first, as every CLI test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { runDescent } from '../helpers/cli.js';

const descent = (...args: string[]) => runDescent(args);
const load = (f: string) => parseSafetensors(new Uint8Array(readFileSync(f)));

test('descent train --init --new-head --freeze 0: layer 0 bit-identical, the rest trains', () => {
  const dir = mkdtempSync(join(tmpdir(), 'transfer-'));
  const pre = join(dir, 'pre.safetensors'), post = join(dir, 'post.safetensors');
  assert.equal(descent('train', '--data', 'digits', '--model', 'mlp:16,8', '--epochs', '2', '--save', pre, '--json').status, 0);
  const r = descent('train', '--data', 'digits', '--model', 'mlp:16,8', '--epochs', '2', '--init', pre, '--new-head', '--freeze', '0', '--opt', 'adamw', '--save', post, '--json');
  assert.equal(r.status, 0, r.stderr);
  const a = load(pre), b = load(post);
  assert.deepEqual(b['0.weight'].data, a['0.weight'].data);
  assert.deepEqual(b['0.bias'].data, a['0.bias'].data);
  assert.notDeepEqual(b['2.weight'].data, a['2.weight'].data);
  assert.notDeepEqual(b['4.weight'].data, a['4.weight'].data);
  // with --new-head and no training the head is the fresh init (seed 0), not the pretrained one
  const fresh = join(dir, 'fresh.safetensors'), zero = join(dir, 'zero.safetensors');
  assert.equal(descent('train', '--data', 'digits', '--model', 'mlp:16,8', '--epochs', '0', '--save', fresh, '--json').status, 0);
  assert.equal(descent('train', '--data', 'digits', '--model', 'mlp:16,8', '--epochs', '0', '--init', pre, '--new-head', '--save', zero, '--json').status, 0);
  assert.deepEqual(load(zero)['4.weight'].data, load(fresh)['4.weight'].data);
  assert.deepEqual(load(zero)['2.weight'].data, a['2.weight'].data);
});

test('descent train --freeze: 2 epochs, checkpoint, resume to 4 is bit-identical to 4 straight', () => {
  const dir = mkdtempSync(join(tmpdir(), 'transfer-'));
  const pre = join(dir, 'pre.safetensors');
  const base = ['train', '--data', 'digits', '--model', 'mlp:16', '--json'];
  assert.equal(descent(...base, '--epochs', '1', '--save', pre).status, 0);
  const tail = ['--init', pre, '--freeze', '0'];
  assert.equal(descent(...base, ...tail, '--epochs', '4', '--save', join(dir, 'full.safetensors')).status, 0);
  assert.equal(descent(...base, ...tail, '--epochs', '2', '--checkpoint', join(dir, 'ck')).status, 0);
  // the checkpoint holds the weights: --init beside --resume is refused (issue 19, item 12), so it resumes without it
  const r = descent(...base, '--freeze', '0', '--epochs', '4', '--resume', join(dir, 'ck'), '--save', join(dir, 'resumed.safetensors'));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readFileSync(join(dir, 'resumed.safetensors')), readFileSync(join(dir, 'full.safetensors')));
  assert.deepEqual(load(join(dir, 'resumed.safetensors'))['0.weight'].data, load(pre)['0.weight'].data);
});

test('descent train --freeze / --new-head errors: exit 2, one line', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--data', 'iris', '--model', 'mlp:4', '--freeze', '1'], /--freeze: layer 1 has no parameters; layers with parameters: 0, 2/],
    [['train', '--data', 'iris', '--model', 'softmax', '--freeze', '0'], /--freeze: every parameter is frozen/],
    [['train', '--data', 'iris', '--new-head'], /--new-head: needs --init/],
  ];
  for (const [args, re] of cases) {
    const r = descent(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^descent: error: /);
    assert.match(r.stderr, re);
  }
});
