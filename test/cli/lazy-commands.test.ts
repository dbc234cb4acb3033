// The CLI loads only the command it runs (src/cli/commands/index.ts): `descent optimize` imports no module of
// training, sweeps, the lab or the demos, nor bullmq (a module-load hook records every URL the process loads);
// `descent --help` and `descent help NAME` still know every command, in the table's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, repo } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

const order = ['optimize', 'lab', 'kmeans', 'train', 'eval', 'ensemble', 'compare', 'demo', 'sweep', 'worker'];

/** The URLs `node bin/descent.js ...args` loads, through a module.register load hook. */
function loadedBy(args: string[]): { status: number; urls: string[] } {
  const dir = scratchDir('descent-lazy-');
  const log = join(dir, 'loaded.txt');
  writeFileSync(log, '');
  writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }
`);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});
`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, bin, ...args], { cwd: repo, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { status: r.status ?? -1, urls: readFileSync(log, 'utf8').trim().split('\n') };
}

test('descent optimize loads optimize\'s modules, not those of training, sweeps, the lab or the demos', () => {
  const spec = join(repo, 'test', 'fixtures', 'optimize', 'adam', 'spec.json');
  const { urls } = loadedBy(['optimize', '--spec', spec, '--json']);
  assert.ok(urls.some((u) => u.includes('/dist/cli/commands/optimize.js')), 'optimize\'s module');
  for (const part of ['/dist/train/', '/dist/sweep/', '/dist/lab/', '/dist/demos/', '/dist/cli/commands/train.js', '/node_modules/bullmq/']) {
    assert.deepEqual(urls.filter((u) => u.includes(part)), [], part);
  }
});

test('descent --help lists every command in the table\'s order; descent help NAME gives that command\'s help', () => {
  const help = spawnSync(process.execPath, [bin, '--help'], { cwd: repo, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  const listed = [...help.stdout.matchAll(/^ {2}(\w+)\b/gm)].map((m) => m[1]).filter((name) => order.includes(name));
  assert.deepEqual(listed, order);
  const one = spawnSync(process.execPath, [bin, 'help', 'kmeans'], { cwd: repo, encoding: 'utf8' });
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stdout, /^Usage: descent kmeans/);
});
