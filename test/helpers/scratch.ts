// A fresh temporary folder that is removed when the test file's process exits. node --test runs each
// file in its own process, so the folders of a file go with it (mkdtemp names never collide between
// files running at the same time; without the removal a full run left ~100 folders in /tmp).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** mkdtemp under the OS temporary folder, with `prefix` (e.g. 'descent-train-'), removed at exit. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
