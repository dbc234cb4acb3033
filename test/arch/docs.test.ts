/**
 * `npm run docs` (TypeDoc over every package entry point) builds the API reference with no warning: an
 * undocumented public export, a broken link in a doc comment or a type referenced but not exported fails it
 * (typedoc.json: validation on, treatWarningsAsErrors). The exports documented nowhere yet are listed by name
 * in typedoc.json's intentionallyNotDocumented; TypeDoc also fails when a listed one gets documented, so the
 * list only shrinks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');

test('typedoc.json fails the build on undocumented exports, broken links and warnings, over every package entry point', () => {
  const cfg = JSON.parse(readFileSync(join(repo, 'typedoc.json'), 'utf8')) as {
    entryPoints: string[]; validation: Record<string, boolean>; treatWarningsAsErrors: boolean; treatValidationWarningsAsErrors: boolean;
  };
  assert.equal(cfg.treatWarningsAsErrors, true);
  assert.equal(cfg.treatValidationWarningsAsErrors, true);
  for (const k of ['notExported', 'invalidLink', 'notDocumented']) assert.equal(cfg.validation[k], true, k);
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, { types: string }>; scripts: Record<string, string> };
  assert.equal(pkg.scripts.docs, 'typedoc');
  const fromExports = Object.values(pkg.exports).map((e) => e.types.replace('./dist/', 'src/').replace(/\.d\.ts$/, '.ts')).sort();
  assert.deepEqual([...cfg.entryPoints].sort(), fromExports, 'every package.json export is documented');
});

test('npm run docs builds the API reference with no warning', () => {
  const out = mkdtempSync(join(tmpdir(), 'descent-api-'));
  try {
    const r = spawnSync(process.execPath, [join(repo, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out], { cwd: repo, encoding: 'utf8' });
    const text = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
    assert.equal(r.status, 0, text);
    assert.doesNotMatch(text, /\[warning\]|\[error\]/, text);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
