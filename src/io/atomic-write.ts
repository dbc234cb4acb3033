/**
 * Every file descent writes goes through here: write a temporary file beside the
 * target, fsync it, then rename over the target. A kill at any moment leaves either
 * the old file or the new one, never a half-written file.
 *
 * The output policy (src/io/output-policy.ts) is enforced here for every write: only a regular file
 * or nothing is replaced (a link is followed to the file it names), a read-only file or an input of
 * the run is refused (exit 2), and the old file's mode is kept.
 *
 * A killed run can leave its temporary file (`.NAME.PID.N.tmp`) behind. The first write into a
 * folder removes such files whose PID is no longer a live process; nothing else is touched.
 */
import { writeSync, renameSync, openSync, fsyncSync, closeSync, unlinkSync, mkdirSync, readdirSync, lstatSync, realpathSync, statSync, fchmodSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { inputError, quoteValue, runError } from '../errors.js';
import { NAME_MAX, inputAt, outputRefusal } from './output-policy.js';

let counter = 0;

/**
 * The temporary name of one write: `.NAME.PID.N.tmp`, beside the target. NAME is shortened (at a
 * character boundary) when the whole would pass the file system's 255-byte name limit.
 */
export function tempPathFor(path: string, pid = process.pid, n = counter++): string {
  const suffix = `.${pid}.${n}.tmp`;
  let name = basename(path);
  const room = NAME_MAX - 1 - Buffer.byteLength(suffix);
  if (Buffer.byteLength(name) > room) {
    let cut = '';
    for (const ch of name) {
      if (Buffer.byteLength(cut + ch) > room) break;
      cut += ch;
    }
    name = cut;
  }
  return join(dirname(path), `.${name}${suffix}`);
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

/**
 * Creates `path` exclusively (an error with code EEXIST when it exists) holding `text`, not atomically
 * renamed: for lock files, whose point is that only one process can create them.
 */
export function createExclusive(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** The file a write replaces: `path`, or, for a link, the file it names (so the link stays a link). */
function writeTarget(path: string): string {
  try {
    if (lstatSync(path).isSymbolicLink()) return realpathSync(path);
  } catch {
    /* nothing there yet */
  }
  return path;
}

/**
 * Writes `data` to `path` atomically. Refuses with an input error (exit 2), before writing anything,
 * a target the output policy does not allow (a device, a FIFO, a folder, a read-only file, an input of
 * this run); a failed write is a run error (exit 1) that leaves the old file as it was.
 */
export function atomicWrite(path: string, data: string | Uint8Array): void {
  const refusal = outputRefusal(path);
  if (refusal !== null) throw inputError(`cannot write ${quoteValue(path)}: ${refusal}`);
  const input = inputAt(path);
  if (input !== undefined) throw inputError(`cannot write ${quoteValue(path)}: it is the same file as ${input.flag} ${quoteValue(input.path)}, an input of this run; choose another output name`);
  const target = writeTarget(path);
  const dir = dirname(target);
  const tmp = tempPathFor(target);
  let oldMode: number | undefined;
  try {
    oldMode = statSync(target).mode & 0o7777;
  } catch {
    /* a new file: the default mode (umask) */
  }
  try {
    mkdirSync(dir, { recursive: true });
    const key = resolve(dir);
    if (!swept.has(key)) {
      swept.add(key);
      removeStaleTempFiles(dir);
    }
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    // 'wx': the temporary name is new (never follows a link planted there)
    const fd = openSync(tmp, 'wx', 0o666);
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      if (oldMode !== undefined) fchmodSync(fd, oldMode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
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
