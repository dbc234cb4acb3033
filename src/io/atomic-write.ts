/**
 * Every file descent writes goes through here: write a temporary file beside the
 * target, fsync it, then rename over the target. A kill at any moment leaves either
 * the old file or the new one, never a half-written file.
 *
 * A killed run can leave its temporary file (`.NAME.PID.N.tmp`) behind. The first write into a
 * folder removes such files whose PID is no longer a live process; nothing else is touched.
 */
import { writeFileSync, renameSync, openSync, fsyncSync, closeSync, unlinkSync, mkdirSync, readdirSync, lstatSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { runError } from '../errors.js';

let counter = 0;

/** The temporary name of one write: `.NAME.PID.N.tmp`, beside the target. */
export function tempPathFor(path: string, pid = process.pid, n = counter++): string {
  return join(dirname(path), `.${basename(path)}.${pid}.${n}.tmp`);
}

/** Matches only the names tempPathFor makes: a dot, the target's name, the writer's PID, a counter, `.tmp`. */
const TEMP_NAME = /^\.(.+)\.([1-9]\d{0,9})\.(\d+)\.tmp$/;

/** Whether process `pid` exists (EPERM: it does, owned by someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Folders already swept by this process: a run writing a checkpoint every epoch lists its folder once. */
const swept = new Set<string>();

/**
 * Removes the temporary files that writers killed mid-write left in `dir`: regular files named as
 * tempPathFor names them whose PID is not a live process (this process's own are never stale).
 * Best effort: a file that cannot be removed is left. Returns the names removed.
 */
export function removeStaleTempFiles(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || isAlive(pid)) continue;
    const file = join(dir, name);
    try {
      if (!lstatSync(file).isFile()) continue; // never a folder or a link
      unlinkSync(file);
      removed.push(name);
    } catch {
      /* gone already, or not ours to remove */
    }
  }
  return removed;
}

export function atomicWrite(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = tempPathFor(path);
  try {
    mkdirSync(dir, { recursive: true });
    const key = resolve(dir);
    if (!swept.has(key)) {
      swept.add(key);
      removeStaleTempFiles(dir);
    }
    writeFileSync(tmp, data);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* the temporary file may not exist */
    }
    const why = err instanceof Error ? err.message : String(err);
    throw runError(`could not write ${path}: ${why}; check the path and free disk space`);
  }
}
