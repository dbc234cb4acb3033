// Stale temporary files: a run killed mid-write leaves `.NAME.PID.N.tmp` beside its output. The next write into
// that folder removes those whose PID is not a live process, and nothing else: not a live writer's, not a file
// or folder that only looks similar. In-process (atomicWrite) and through the CLI (spawns bin/descent.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicWrite } from '../../src/io/atomic-write.js';

const repo = join(import.meta.dirname, '..', '..');

/** The PID of a process that has exited (spawnSync waits for it and reaps it). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  assert.equal(r.status, 0);
  assert.ok(r.pid && r.pid > 0);
  assert.throws(() => process.kill(r.pid!, 0), /ESRCH/, 'the exited PID is free');
  return r.pid!;
}

/** A live process that is not descent, for a PID that must be left alone. */
function liveProcess(): { pid: number; stop: () => void } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

/** A folder with one stale temp (dead PID), one live writer's temp, and look-alikes that are not temps of the helper. */
function folderWithLeftovers(dead: number, live: number): { dir: string; stale: string; keep: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'descent-stale-'));
  const stale = `.model.safetensors.${dead}.0.tmp`;
  const keep = [
    `.model.safetensors.${live}.3.tmp`, // a live process's write in progress
    `.notes.${dead}.tmp`, // no counter: not the helper's pattern
    `model.safetensors.${dead}.0.tmp`, // no leading dot
    `.model.safetensors.${dead}.0.tmp.bak`, // does not end in .tmp
    `.model.safetensors.0.0.tmp`, // PID 0 is never a writer
    'model.safetensors', // a result
  ];
  for (const name of [stale, ...keep]) writeFileSync(join(dir, name), `contents of ${name}\n`);
  // a folder and a link named like stale temps are never removed
  mkdirSync(join(dir, `.run.${dead}.1.tmp`));
  keep.push(`.run.${dead}.1.tmp`);
  symlinkSync(join(dir, 'model.safetensors'), join(dir, `.link.${dead}.2.tmp`));
  keep.push(`.link.${dead}.2.tmp`);
  return { dir, stale, keep };
}

test('atomicWrite removes a dead writer\'s temporary file from the folder it writes into, and nothing else', () => {
  const dead = deadPid();
  const live = liveProcess();
  const { dir, stale, keep } = folderWithLeftovers(dead, live.pid);
  try {
    atomicWrite(join(dir, 'metrics.jsonl'), '{"epoch":1}\n');
    const names = readdirSync(dir).sort();
    assert.equal(names.includes(stale), false, `${stale} (PID ${dead}, exited) is removed`);
    assert.deepEqual(names, [...keep, 'metrics.jsonl'].sort());
    for (const name of keep.filter((n) => !n.startsWith('.run.') && !n.startsWith('.link.'))) {
      assert.equal(readFileSync(join(dir, name), 'utf8'), `contents of ${name}\n`, `${name} unchanged`);
    }
    assert.equal(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'), '{"epoch":1}\n');
    // a folder is swept on its first write only; a new stale file appearing later stays until the next process
    const later = `.metrics.jsonl.${dead}.7.tmp`;
    writeFileSync(join(dir, later), 'x');
    atomicWrite(join(dir, 'metrics.jsonl'), '{"epoch":2}\n');
    assert.ok(existsSync(join(dir, later)));
  } finally {
    live.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('descent train --save into a folder with leftovers removes only the dead writer\'s temporary file', () => {
  assert.ok(existsSync(join(repo, 'dist', 'cli', 'main.js')), 'dist/cli/main.js is missing: run `npm run build` first');
  const dead = deadPid();
  // the test process itself is the live PID here: alive, and not the writer
  const { dir, stale, keep } = folderWithLeftovers(dead, process.pid);
  try {
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'descent.js'), 'train', '--data', 'iris', '--epochs', '1', '--save', join(dir, 'iris.safetensors')], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const names = readdirSync(dir).sort();
    assert.deepEqual(names, [...keep, 'iris.safetensors'].sort(), `only ${stale} is gone`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
