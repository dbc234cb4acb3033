/** The Node file access of `train()` runs: atomic writes (src/io/atomic-write.ts), folders, path joining. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite } from '../io/atomic-write.js';
import type { RunFiles } from '../train/train.js';

/** Writes a run's files atomically: a reader (or a crash) never sees half a file. */
export const nodeRunFiles: RunFiles = {
  write: (path, data) => atomicWrite(path, data),
  mkdir: (path) => { mkdirSync(path, { recursive: true }); },
  join: (dir, name) => join(dir, name),
};
