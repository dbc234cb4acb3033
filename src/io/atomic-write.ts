/**
 * Every file descent writes goes through here: write a temporary file beside the
 * target, fsync it, then rename over the target. A kill at any moment leaves either
 * the old file or the new one, never a half-written file.
 */
import { writeFileSync, renameSync, openSync, fsyncSync, closeSync, unlinkSync, mkdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { runError } from '../errors.js';

let counter = 0;

export function atomicWrite(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
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
