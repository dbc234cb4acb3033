/**
 * The output policy (docs/errors.md, "Files are complete or absent"): what descent may replace, checked
 * twice, once before any work (src/cli/output-paths.ts) and again at each write (atomicWrite), so no
 * path through the code can skip it.
 *
 * - Only a regular file, or nothing, is replaced: never a device, a FIFO, a socket or a folder. A
 *   symbolic link is followed, and the file it names is replaced (the link stays).
 * - A read-only file (no write bit, or not writable by this user) is refused, not replaced.
 * - The replacement keeps the old file's mode (atomicWrite copies it onto the temporary file).
 * - An output that is the same file as an input of the run (same device and inode, links followed) is
 *   refused: `--data d.csv --save d.csv` would destroy the data.
 * - Names fit the file system: at most 255 bytes per name (the temporary name is shortened to fit),
 *   4,095 bytes per path, and a path ending in '/' names a folder, not a file.
 *
 * Node-only (node:fs), beside atomic-write.ts; not re-exported from src/io/index.ts.
 */
import { accessSync, constants, existsSync, lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { inputError, quoteValue } from '../errors.js';

/** Longest file name (bytes) on Linux, macOS and Windows file systems. */
export const NAME_MAX = 255;
/** Longest path (bytes) the kernel accepts (PATH_MAX, with its terminating NUL). */
export const PATH_MAX = 4095;

/** What a path is, in words, for a message ('a character device', …). */
export function kindOf(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** The path's status with links followed; undefined when nothing is there (or a link points nowhere: `dangling` says so). */
function statTarget(path: string): { st?: Stats; dangling: boolean } {
  try {
    return { st: statSync(path), dangling: false };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    try {
      return { dangling: lstatSync(path).isSymbolicLink() };
    } catch {
      return { dangling: false };
    }
  }
}

/**
 * Why `path` may not be written as a file under the policy, or null when it may (nothing there, or a
 * writable regular file). Looks only; creates nothing. The parent folders are checked by the caller.
 */
export function outputRefusal(path: string): string | null {
  const shown = quoteValue(path);
  if (path.trim() === '') return `expected a file name, got ${shown}`;
  if (/[/\\]$/.test(path) || basename(path) === '.' || basename(path) === '..') return `${shown} names a directory (it ends in '${path.slice(-1)}'); expected a file name`;
  if (path.includes('\0')) return `${shown} holds a NUL byte; expected a file name`;
  const nameBytes = Buffer.byteLength(basename(path));
  if (nameBytes > NAME_MAX) return `the file name is ${nameBytes} bytes long; expected at most ${NAME_MAX} bytes (the file system's limit)`;
  const pathBytes = Buffer.byteLength(resolve(path));
  if (pathBytes > PATH_MAX) return `the path is ${pathBytes} bytes long; expected at most ${PATH_MAX} bytes`;
  let target: { st?: Stats; dangling: boolean };
  try {
    target = statTarget(path);
  } catch (err) {
    return `cannot examine ${shown} (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (target.dangling) return `${shown} is a symbolic link to a missing file; expected a regular file or a new name`;
  const st = target.st;
  if (st === undefined) return null;
  if (st.isDirectory()) return `${shown} is a directory; expected a file name`;
  if (!st.isFile()) return `${shown} is ${kindOf(st)}; only regular files are replaced`;
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
  if ((st.mode & 0o222) === 0) return `${shown} is read-only (mode ${mode}); descent does not replace it: make it writable (chmod u+w) or choose another name`;
  try {
    accessSync(path, constants.W_OK);
  } catch {
    return `${shown} is not writable by this user (mode ${mode}); choose another name`;
  }
  return null;
}

/** One file of a run, by the flag that names it. */
export interface RunFile {
  flag: string;
  path: string;
}

/**
 * A key that is equal for two paths naming one file: device and inode when it exists (links
 * followed, hard links included), else the real path of its folder plus its name.
 */
export function fileIdentity(path: string): string {
  try {
    const st = statSync(path);
    return `ino:${st.dev}:${st.ino}`;
  } catch {
    let dir = resolve(dirname(path));
    try {
      dir = realpathSync(dir);
    } catch {
      /* a folder still to be created: its resolved name is the key */
    }
    return `path:${join(dir, basename(path))}`;
  }
}

/**
 * Refuses (exit 2) an output that is the same file as an input, or as another output: a run would
 * destroy its own input, or write two things to one file. `allowed(output, input)` names the pairs
 * that are meant to be one file (a checkpoint that a resumed run continues to update).
 */
export function checkDistinctFiles(outputs: readonly RunFile[], inputs: readonly RunFile[], allowed: (output: RunFile, input: RunFile) => boolean = () => false): void {
  const inputIds = inputs.map((f) => ({ f, id: fileIdentity(f.path) }));
  const seen: { f: RunFile; id: string }[] = [];
  for (const out of outputs) {
    const id = fileIdentity(out.path);
    for (const inp of inputIds) {
      if (inp.id === id && !allowed(out, inp.f)) {
        throw inputError(`${out.flag} ${quoteValue(out.path)}: is the same file as ${inp.f.flag} ${quoteValue(inp.f.path)}; writing it would destroy that input; choose another output name`);
      }
    }
    for (const other of seen) {
      if (other.id === id) throw inputError(`${out.flag} ${quoteValue(out.path)}: is the same file as ${other.f.flag} ${quoteValue(other.f.path)}; expected a separate file for each output`);
    }
    seen.push({ f: out, id });
  }
}

/**
 * The same refusal as checkDistinctFiles for the files a command writes into a folder (`--out DIR`):
 * `isOutput(name)` says which names there the command writes. Only a file that already exists can be
 * an input, so the folder is listed once and its matching entries compared with the inputs (links
 * followed, hard links included): the cost follows what is there, not how many files a run would
 * write (`--bagging 60000`). Inputs that do not exist (a built-in dataset's name) are skipped.
 */
export function checkFolderOutputs(flag: string, dir: string, isOutput: (name: string) => boolean, inputs: readonly RunFile[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // not there yet (created by the run), or not a folder (checkOutputDir says so)
  }
  const ids = inputs.filter((f) => existsSync(f.path)).map((f) => ({ f, id: fileIdentity(f.path) }));
  if (ids.length === 0) return;
  for (const name of names) {
    if (!isOutput(name)) continue;
    const path = join(dir, name);
    const id = fileIdentity(path);
    for (const inp of ids) {
      if (inp.id === id) throw inputError(`${flag} ${quoteValue(dir)}: its ${quoteValue(name)} is the same file as ${inp.f.flag} ${quoteValue(inp.f.path)}; writing it would destroy that input; choose another output folder`);
    }
  }
}

/**
 * The inputs of this process, registered as they are opened (readCsvFile, model and checkpoint
 * readers): atomicWrite refuses to replace one of them even where a command forgot the up-front check.
 */
const registeredInputs = new Map<string, RunFile>();
/** Pairs of (output identity, input identity) that may coincide (see checkDistinctFiles' `allowed`). */
const allowedOverwrites = new Set<string>();

/** Notes that this process reads `path` as its input `flag`. */
export function registerInput(flag: string, path: string): void {
  registeredInputs.set(fileIdentity(path), { flag, path });
}

/** Allows the file `path` (an input) to be replaced: the checkpoint that a resumed run continues. */
export function allowOverwrite(path: string): void {
  allowedOverwrites.add(fileIdentity(path));
}

/** The registered input that `path` would overwrite, if any. */
export function inputAt(path: string): RunFile | undefined {
  const id = fileIdentity(path);
  if (allowedOverwrites.has(id)) return undefined;
  return registeredInputs.get(id);
}

/** For tests: forget the registered inputs. */
export function clearRegisteredInputs(): void {
  registeredInputs.clear();
  allowedOverwrites.clear();
}
