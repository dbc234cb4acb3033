// Issue 19, items 1 and 2, the cases that need root: in a private mount namespace (unshare -m, propagation
// private) a tmpfs is mounted over /dev, holding a fresh /dev/null (mknod c 1 3), so `--save /dev/null` is
// tried for real without any risk to the machine's own /dev; a bind mount makes a second name for the data
// file with the same device and inode. Skipped, with the reason, where the runner cannot (not root, or no
// unshare/mount namespaces, as in most containers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

/** Why the namespace cases cannot run here, or null when they can. */
function cannot(): string | null {
  if (process.getuid?.() !== 0) return 'needs root for unshare -m, mount and mknod';
  const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs tmpfs "$d" && umount "$d"'], { encoding: 'utf8' });
  if (probe.error) return `unshare is not available (${probe.error.message})`;
  if (probe.status !== 0) return `cannot make a private mount namespace here: ${probe.stderr.trim()}`;
  return null;
}
const skip = cannot();

const dir = scratchDir('descent-adv-ns-');
writeFileSync(join(dir, 'good.csv'), 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n');
const node = process.execPath;

/** Runs `script` (sh) in a private mount namespace in `dir`; $D is the descent command. */
function inNamespace(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, D: `"${node}" "${bin}"` }, timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('item 1: --save /dev/null (a real character device, in a private /dev) is refused and stays a device', { skip: skip ?? false }, () => {
  const r = inNamespace(`
    mount -t tmpfs tmpfs /dev && mknod -m 666 /dev/null c 1 3 || exit 90
    eval "$D train --data good.csv --epochs 1 --save /dev/null"; echo "exit=$?"
    eval "$D optimize --fn rosenbrock --x0 1,2 --opt adam --steps 3 --plot /dev/null.svg" >/dev/null 2>&1
    ln -s /dev/null null-link.svg
    eval "$D optimize --fn rosenbrock --x0 1,2 --opt adam --steps 3 --plot null-link.svg"; echo "exit=$?"
    stat -c '%F' /dev/null`);
  assert.notEqual(r.status, 90, `setup failed: ${r.stderr}`);
  assert.match(r.stderr, /^descent: error: --save: '\/dev\/null' is a character device; only regular files are replaced$/m);
  assert.match(r.stderr, /^descent: error: --plot: 'null-link\.svg' is a character device; only regular files are replaced$/m);
  assert.deepEqual(r.stdout.match(/exit=\d+/g), ['exit=2', 'exit=2']);
  assert.match(r.stdout, /character special file\s*$/);
});

test('item 2: a bind-mounted second name of the data file (same device and inode) is refused as an output', { skip: skip ?? false }, () => {
  const r = inNamespace(`
    touch alias.csv && mount --bind good.csv alias.csv || exit 90
    eval "$D train --data good.csv --epochs 1 --save alias.csv"; echo "exit=$?"
    eval "$D train --data alias.csv --epochs 1 --checkpoint good.csv"; echo "exit=$?"
    cat good.csv | head -1`);
  assert.notEqual(r.status, 90, `setup failed: ${r.stderr}`);
  assert.match(r.stderr, /--save 'alias\.csv': is the same file as --data 'good\.csv'/);
  assert.match(r.stderr, /--checkpoint 'good\.csv': is the same file as --data 'alias\.csv'/);
  assert.deepEqual(r.stdout.match(/exit=\d+/g), ['exit=2', 'exit=2']);
  assert.match(r.stdout, /^a,b,y$/m);
});

test('item 5: Ctrl-C in a read-only working folder (no --out/--checkpoint): said up front, exit 130, nothing written', { skip: skip ?? false }, () => {
  // root ignores mode bits, so the folder is made read-only the way that binds root too: a read-only bind mount
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `
    rm -rf ro && mkdir ro && cp good.csv ro/ && mount --bind ro ro && mount -o remount,ro,bind ro || exit 90
    cd ro
    touch probe 2>/dev/null && exit 91
    "$N" "$B" train --data good.csv --batch 2 --epochs 1000000 > ../ro-out.txt 2> ../ro-err.txt &
    pid=$!
    i=0; while ! grep -q '^epoch 1/' ../ro-out.txt && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
    kill -INT $pid; wait $pid; echo "exit=$?"
    ls -A | tr '\n' ' '; echo
    "$N" "$B" train --data good.csv --epochs 1 --save m.st; echo "exit=$?"`], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, N: node, B: bin }, timeout: 120_000,
  });
  assert.notEqual(r.status, 90, `setup failed: ${r.stderr}`);
  assert.notEqual(r.status, 91, 'the bind mount is not read-only for root');
  const err = readFileSync(join(dir, 'ro-err.txt'), 'utf8').trim().split('\n');
  // the folder is checked before training starts: the note is the first line, the interrupt the last
  assert.equal(err.length, 2, err.join('\n'));
  assert.match(err[0], /^descent: note: '.*\/ro' is not writable, so Ctrl-C would save no checkpoint; add --checkpoint FILE to keep one$/);
  assert.match(err[1], /^descent: interrupted after epoch \d+, batch \d+; no checkpoint written \(its folder is not writable\)$/);
  assert.match(readFileSync(join(dir, 'ro-out.txt'), 'utf8'), /^epoch 1\//m);
  assert.deepEqual(r.stdout.match(/exit=\d+/g), ['exit=130', 'exit=2'], r.stdout + r.stderr);
  assert.match(r.stdout, /^good\.csv $/m, 'nothing written in the read-only folder');
  // an output named in it is refused before training
  assert.match(r.stderr, /^descent: error: --save: cannot write in '.*\/ro' \(read-only file system\); expected a writable directory$/m);
});

test('the namespace cases ran here, or say why not', () => {
  // a visible record in the test output of whether the root-only cases were exercised
  if (skip) process.stdout.write(`# namespace cases skipped: ${skip}\n`);
  assert.ok(skip === null || skip.length > 0);
});
