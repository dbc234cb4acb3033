// The tests, examples and sources type-check together (tsconfig.test.json), and the lab page (`npm run typecheck`): the tests run
// through tsx, which strips types without checking them, so a test calling a helper or a library function with
// the wrong argument types would otherwise only show up, if at all, as a confusing failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');

test('tests, examples, sources and the lab page type-check (the tsconfig.test.json and src/lab/app projects)', () => {
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const project of ['tsconfig.test.json', join('src', 'lab', 'app', 'tsconfig.json')]) {
    const r = spawnSync(process.execPath, [tsc, '-p', join(repo, project)], { cwd: repo, encoding: 'utf8', timeout: 180_000 });
    assert.equal(r.status, 0, `tsc -p ${project} found type errors:\n${r.stdout}${r.stderr}`);
  }
});
