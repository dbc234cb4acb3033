// Every reference fixture says which library version computed it, and none comes from torch 1.x: PyTorch 2.13
// is the reference since contract v2 (docs/optimizers.md, "torch 2.13 against torch 1.13"). The one exception
// is NAdam's 1.13 rule (`nadam: {torch113: true}`), whose fixtures are torch 1.13's own trajectories, kept on
// purpose (test/fixtures/optimize-options/nadam-torch113-*, schedule-multistep-nadam-torch113).
// A fixture is a JSON file under test/fixtures that a generator of test/fixtures/tools wrote as a reference;
// spec.json and case.json are the inputs those generators ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', 'fixtures');

/** Fixtures that no versioned library computed, with why. */
const UNVERSIONED: Record<string, string> = {
  'rng/expected.json': "xoshiro128** in Python integers (rng_reference.py), no library involved",
  'safetensors/hf-written.json': 'the tensors of hf-written.safetensors listed by name (the file itself is the fixture); keys are tensor names',
};
/** Kept from torch 1.13 on purpose: NAdam's torch113 rule. */
const TORCH113 = /(^|\/)(nadam-torch113-[^/]+|schedule-multistep-nadam-torch113)\//;

function fixtureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'tools' && e.name !== 'data') out.push(...fixtureFiles(p));
    } else if (e.name.endsWith('.json') && e.name !== 'spec.json' && e.name !== 'case.json') out.push(p);
  }
  return out;
}

/** The version record: the top-level keys the generators write it under. */
function versionRecord(json: unknown): string {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return '';
  const o = json as Record<string, unknown>;
  return ['reference', 'source', 'torch', 'versions', 'generator'].map((k) => (o[k] === undefined ? '' : `${k}: ${JSON.stringify(o[k])}`)).join(' ');
}

const files = fixtureFiles(root).map((p) => relative(root, p).split('\\').join('/')).sort();

test(`every one of the ${files.length} reference fixtures records the library version that computed it`, () => {
  assert.ok(files.length > 200, `${files.length} fixtures found under ${root}`);
  const missing = files.filter((f) => !(f in UNVERSIONED) && !/\b\d+\.\d+\.\d+/.test(versionRecord(JSON.parse(readFileSync(join(root, f), 'utf8')))));
  assert.deepEqual(missing, [], `no version recorded in: ${missing.join(', ')}`);
});

test('no fixture comes from torch 1.x, but NAdam\'s deliberate torch113 ones', () => {
  const torch1 = /torch\W{0,4}1\.\d+\.\d+/;
  const old = files.filter((f) => !TORCH113.test(f) && torch1.test(versionRecord(JSON.parse(readFileSync(join(root, f), 'utf8')))));
  assert.deepEqual(old, [], `from torch 1.x: ${old.join(', ')}`);
  // and the exception holds what it says: NAdam's 1.13 trajectories, made by torch 1.13
  const kept = files.filter((f) => TORCH113.test(f));
  assert.ok(kept.length >= 5, `${kept.length} torch113 fixtures`);
  for (const f of kept) assert.match(versionRecord(JSON.parse(readFileSync(join(root, f), 'utf8'))), /torch 1\.13\./, f);
});

test('the version check sees a torch 1.13 record', () => {
  // the test above would pass vacuously if the pattern missed the generators' spelling; both forms they write
  const torch1 = /torch\W{0,4}1\.\d+\.\d+/;
  assert.ok(torch1.test(versionRecord({ reference: 'torch 1.13.0a0 float64' })));
  assert.ok(torch1.test(versionRecord({ torch: '1.13.1' })));
  assert.ok(torch1.test(versionRecord({ reference: 'scipy 1.10.1, f and gradient from torch 1.13.0a0 autograd' })));
  assert.ok(!torch1.test(versionRecord({ reference: 'scipy 1.10.1, f and gradient from torch 2.13.0+cpu autograd' })));
});
