/**
 * CI runs the suite on every Node major that package.json's engines admit and that is current: after the main
 * run (Node 20), .ci/run runs it again on Node 22 and Node 24 from the npm registry's `node` package,
 * which ships the binary (no download from elsewhere). Checked on the script's text: each version's line must run the test
 * runner under that Node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');

test('.ci/run runs the whole suite on Node 22 and 24 as well, after the main run', () => {
  const ci = readFileSync(join(repo, '.ci', 'run'), 'utf8');
  const engines = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  assert.equal(engines, '>=20');
  const main = ci.indexOf('npm test');
  assert.ok(main >= 0, '.ci/run runs npm test');
  const loop = /for v in ([\d ]+); do[\s\S]*?npx -y -p "node@\$v" node scripts\/run-tests\.mjs[\s\S]*?done/.exec(ci);
  assert.ok(loop, '.ci/run loops over Node versions running scripts/run-tests.mjs through npx -p node@$v');
  assert.deepEqual(loop[1].trim().split(/\s+/), ['22', '24']);
  assert.ok(loop.index > main, 'the other Nodes run after the main run');
});
