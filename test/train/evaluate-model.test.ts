// The library's evaluateModel(config) (src/train/evaluate-model.ts), the work of `descent eval`: torch-written
// weights scored as torch scores them (test/fixtures/eval/expected.json, from test/fixtures/tools/eval_reference.py),
// a trained model's held-out rows chosen and standardized as training did, and bad shapes refused before building.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateModel } from '../../src/train/evaluate-model.js';
import { parseModelFile } from '../../src/train/model-file.js';
import { modelBytes } from '../../src/train/model-file.js';
import { train } from '../../src/train/train.js';
import { loadDataset, loadRows } from '../../src/node/datasets.js';
import { DescentError } from '../../src/errors.js';
import type { Activation, LossName } from '../../src/nn/index.js';
import { repo } from '../helpers/cli.ts';

const fixtures = join(repo, 'test', 'fixtures', 'train');

test('evaluateModel scores torch-written weights (no metadata) as torch does', () => {
  const exp = (JSON.parse(readFileSync(join(repo, 'test', 'fixtures', 'eval', 'expected.json'), 'utf8')) as { cases: Record<string, { n: number; loss: number; accuracy: number; args: string[] }> }).cases;
  for (const [name, want] of Object.entries(exp)) {
    const dir = join(fixtures, name);
    const file = join(dir, 'final.safetensors');
    const { tensors, meta } = parseModelFile(new Uint8Array(readFileSync(file)), file);
    const flag = (f: string) => { const i = want.args.indexOf(f); return i < 0 ? undefined : want.args[i + 1]; };
    const r = evaluateModel({ tensors, meta, source: file, data: loadRows(join(dir, 'data.csv')), all: true, arch: flag('--arch'), activation: flag('--activation') as Activation | undefined, loss: flag('--loss') as LossName | undefined });
    assert.equal(r.n, want.n);
    assert.ok(Math.abs(r.loss - want.loss) <= 1e-5 * want.loss, `${name}: loss ${r.loss} vs torch ${want.loss}`);
    assert.ok(Math.abs(r.accuracy! - want.accuracy) < 1e-6, `${name}: accuracy ${r.accuracy} vs torch ${want.accuracy}`);
    assert.equal(r.which, 'all rows');
  }
});

test('evaluateModel on a trained model: the held-out tail, standardized with the training statistics, scores as train() validated', async () => {
  const data = loadDataset('breast-cancer');
  const t = await train({ data, epochs: 3, seed: 2 });
  const { tensors, meta } = parseModelFile(modelBytes(t.model, t.meta), 'mem');
  const r = evaluateModel({ tensors, meta, source: 'mem', data: loadRows('breast-cancer') });
  assert.equal(r.n, data.val!.n);
  assert.equal(r.which, `the last ${data.val!.n} rows (--val 0.2)`);
  assert.equal(r.standardized, true);
  assert.equal(r.accuracy, t.final!.accuracy);
  assert.ok(Math.abs(r.loss - t.final!.loss) < 1e-12, `${r.loss} vs ${t.final!.loss}`);
  // without the standardization the same weights score worse on raw features
  const raw = evaluateModel({ tensors, meta, source: 'mem', data: loadRows('breast-cancer'), standardize: false });
  assert.equal(raw.standardized, false);
  assert.ok(raw.loss > r.loss);
  const refused = (cfg: Partial<Parameters<typeof evaluateModel>[0]>, re: RegExp) =>
    assert.throws(() => evaluateModel({ tensors, meta, source: 'mem', data: loadRows('breast-cancer'), ...cfg }), (e: unknown) => e instanceof DescentError && e.kind === 'input' && re.test(e.message));
  refused({ data: loadRows('iris') }, /--data: iris has 4 features, the model's standardization 30/);
  refused({ meta: null }, /--arch: mem has no descent metadata/);
  refused({ loss: 'ce' }, /--loss ce: the model in mem has 1 output; ce needs one per class/);
});
