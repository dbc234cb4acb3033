/**
 * Output paths are checked before a command does any work, so an unwritable path is a bad-input error
 * (exit 2) that names the flag, not a failed run after minutes of training (exit 1) with nothing saved.
 * The writes themselves still go through src/io/atomic-write.ts; this only looks, it creates nothing.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { createExclusive } from '../io/atomic-write.js';
import { dirname, join, resolve } from 'node:path';
import { inputError, quoteValue } from '../errors.js';
import { NAME_MAX, PATH_MAX, outputRefusal } from '../io/output-policy.js';

/** The nearest existing ancestor of `path` (itself included) and whether it is a directory. */
function nearestExisting(path: string): { at: string; isDir: boolean } {
  let at = resolve(path);
  for (;;) {
    try {
      return { at, isDir: statSync(at).isDirectory() };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a file stands where a folder of the path should be; the walk up finds it
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return { at, isDir: false };
      const up = dirname(at);
      if (up === at) return { at, isDir: true };
      at = up;
    }
  }
}

/** Why `dir` cannot be written in ('permission denied', 'read-only file system'), or null when it can. */
function unwritableDir(dir: string): string | null {
  try {
    accessSync(dir, constants.W_OK);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EROFS' ? 'read-only file system' : 'permission denied';
  }
}

function writableDir(dir: string): boolean {
  return unwritableDir(dir) === null;
}

/** A directory that may already exist or will be created (`--out DIR`): refused when a file is in the way or it cannot be written. */
export function checkOutputDir(flag: string, dir: string, forFile?: string): void {
  // '' would mean the current folder (files written beside the user's own); blanks are a slip, not a name
  if (dir.trim() === '') throw inputError(`${flag}: expected a directory name, got '${dir}'`);
  if (dir.includes('\0')) throw inputError(`${flag}: ${quoteValue(dir)} holds a NUL byte; expected a directory name`);
  for (const part of resolve(dir).split('/')) {
    const n = Buffer.byteLength(part);
    if (n > NAME_MAX) throw inputError(`${flag}: a folder name in ${quoteValue(dir)} is ${n} bytes long; expected at most ${NAME_MAX} bytes`);
  }
  // the longest file a run folder holds (checkpoint.safetensors, with its temporary name) must fit too
  if (Buffer.byteLength(resolve(dir)) + 64 > PATH_MAX) throw inputError(`${flag}: the path ${quoteValue(dir, 40)} is too long (${Buffer.byteLength(resolve(dir))} bytes); expected at most ${PATH_MAX - 64}`);
  const { at, isDir } = nearestExisting(dir);
  if (!isDir) {
    if (forFile !== undefined) throw inputError(`${flag}: cannot write '${forFile}': '${at}' is not a directory`);
    throw inputError(at === resolve(dir)
      ? `${flag}: '${dir}' is a file; expected a directory (existing or to be created)`
      : `${flag}: cannot create '${dir}': '${at}' is not a directory`);
  }
  const why = unwritableDir(at);
  if (why !== null) throw inputError(`${flag}: cannot write in '${at}' (${why}); expected a writable directory`);
}

/** A file to be written (`--save FILE`): its folder must be creatable and writable, and the path must not be a directory. */
export function checkOutputFile(flag: string, file: string): void {
  if (file.trim() === '') throw inputError(`${flag}: expected a file name, got ''`);
  // the output policy (src/io/output-policy.ts): a regular file or nothing, writable, a name that fits
  const refusal = outputRefusal(file);
  if (refusal !== null) throw inputError(`${flag}: ${refusal}`);
  checkOutputDir(flag, dirname(resolve(file)), file);
}

/** The files a run folder (`--out`) holds; an existing folder with any of them must be a descent run's. */
export const RUN_FOLDER_FILES = ['config.json', 'metrics.jsonl', 'model.safetensors', 'loss-curve.svg', 'checkpoint.safetensors'];

/** Whether `config.json` text is a descent run folder's configuration (the keys every run records). */
function isRunConfig(text: string): boolean {
  try {
    const c = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    return c !== null && typeof c === 'object' && ['data', 'model', 'opt'].every((k) => k in c);
  } catch {
    return false;
  }
}

/**
 * `--out DIR`: besides checkOutputDir, a folder that already holds files of a run folder's names must be
 * an earlier descent run (its config.json is one), so `--out .` never replaces a project's own
 * config.json; and each of those files must be one the policy lets descent replace.
 */
export function checkRunFolder(flag: string, dir: string): void {
  checkOutputDir(flag, dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // created later
  }
  const present = RUN_FOLDER_FILES.filter((n) => names.includes(n));
  if (present.length === 0) return;
  const config = join(dir, 'config.json');
  let text = '';
  try {
    text = readFileSync(config, 'utf8');
  } catch {
    /* missing or unreadable: not a run folder's */
  }
  if (!isRunConfig(text)) {
    throw inputError(`${flag}: ${quoteValue(dir)} already holds ${present.map((n) => quoteValue(n)).join(', ')}, not from a descent run (no run config.json there); choose a new or empty folder`);
  }
  for (const n of present) {
    const refusal = outputRefusal(join(dir, n));
    if (refusal !== null) throw inputError(`${flag}: ${refusal}`);
  }
}

/** The lock file of a run folder: it holds the PID of the run writing the folder. */
export const LOCK_NAME = '.descent.lock';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Takes the run folder `dir` for this process: creates `dir/.descent.lock` exclusively with this PID,
 * removed when the process exits. A lock held by a live process refuses the run (exit 2), naming the
 * PID; one left by a process that no longer runs (killed) is stale and taken over.
 */
export function lockRunFolder(flag: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, LOCK_NAME);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      createExclusive(lock, `${process.pid}\n`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw inputError(`${flag}: cannot lock ${quoteValue(dir)} (${(err as NodeJS.ErrnoException).code}); expected a writable folder`);
      let owner = NaN;
      try {
        owner = Number(readFileSync(lock, 'utf8').trim());
      } catch {
        continue; // removed meanwhile: try again
      }
      if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && pidAlive(owner)) {
        throw inputError(`${flag}: ${quoteValue(dir)} is in use by another descent run (pid ${owner}, lock file ${LOCK_NAME}); wait for it to finish or choose another folder`);
      }
      try {
        unlinkSync(lock); // stale: its writer was killed
      } catch {
        /* another process took it over first */
      }
      continue;
    }
    process.once('exit', () => {
      try {
        if (readFileSync(lock, 'utf8').trim() === String(process.pid)) unlinkSync(lock);
      } catch {
        /* already gone */
      }
    });
    return;
  }
  throw inputError(`${flag}: cannot lock ${quoteValue(dir)}: its lock file ${LOCK_NAME} keeps changing; expected one run per folder`);
}

/**
 * Where Ctrl-C writes its checkpoint when the run names none (no --checkpoint, no --out): beside the
 * run's --save file, else in the working folder, under a name not yet taken
 * (descent-interrupted.safetensors, then descent-interrupted-2.safetensors, …), never over an earlier one.
 * `null` when that folder cannot be written (the caller says so up front and at the interrupt).
 */
export function interruptFolder(save: string | undefined): { dir: string; writable: boolean } {
  const dir = save !== undefined ? dirname(resolve(save)) : process.cwd();
  const { at, isDir } = nearestExisting(dir);
  return { dir, writable: isDir && writableDir(at) };
}

/** A free name for the interrupt checkpoint in `dir` (chosen at the interrupt, so it is free then). */
export function freeInterruptPath(dir: string): string {
  for (let k = 1; ; k++) {
    const p = join(dir, k === 1 ? 'descent-interrupted.safetensors' : `descent-interrupted-${k}.safetensors`);
    if (!existsSync(p)) return p;
  }
}

