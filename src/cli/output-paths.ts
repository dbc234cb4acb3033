/**
 * Output paths are checked before a command does any work, so an unwritable path is a bad-input error
 * (exit 2) that names the flag, not a failed run after minutes of training (exit 1) with nothing saved.
 * The writes themselves still go through src/io/atomic-write.ts; this only looks, it creates nothing.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inputError } from '../errors.js';

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

function writableDir(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A directory that may already exist or will be created (`--out DIR`): refused when a file is in the way or it cannot be written. */
export function checkOutputDir(flag: string, dir: string, forFile?: string): void {
  // '' would mean the current folder (files written beside the user's own); blanks are a slip, not a name
  if (dir.trim() === '') throw inputError(`${flag}: expected a directory name, got '${dir}'`);
  const { at, isDir } = nearestExisting(dir);
  if (!isDir) {
    if (forFile !== undefined) throw inputError(`${flag}: cannot write '${forFile}': '${at}' is not a directory`);
    throw inputError(at === resolve(dir)
      ? `${flag}: '${dir}' is a file; expected a directory (existing or to be created)`
      : `${flag}: cannot create '${dir}': '${at}' is not a directory`);
  }
  if (!writableDir(at)) throw inputError(`${flag}: cannot write in '${at}' (permission denied); expected a writable directory`);
}

/** A file to be written (`--save FILE`): its folder must be creatable and writable, and the path must not be a directory. */
export function checkOutputFile(flag: string, file: string): void {
  if (file.trim() === '') throw inputError(`${flag}: expected a file name, got ''`);
  try {
    if (statSync(file).isDirectory()) throw inputError(`${flag}: '${file}' is a directory; expected a file name`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === undefined) throw err;
  }
  checkOutputDir(flag, dirname(resolve(file)), file);
}
