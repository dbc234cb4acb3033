/** Reading model files for --init and `descent eval --model`: the size checked against the memory budget first. */
import { readFileSync, statSync } from 'node:fs';
import { inputError, quoteValue } from '../errors.js';
import { registerInput } from '../io/output-policy.js';
import { parseModelFile, type ModelMeta } from '../train/model-file.js';
import { memoryLimit } from './limits.js';

/** Reads a model file's tensors and metadata (null for a file PyTorch wrote); `flag` names it in messages. */
export function readModelFile(path: string, flag: string): ReturnType<typeof parseModelFile> & { meta: ModelMeta | null } {
  let bytes: Uint8Array;
  let size = -1;
  try {
    size = statSync(path).size;
  } catch {
    /* reported by the read below */
  }
  // a file larger than the memory budget is refused before it is read whole
  const limit = memoryLimit();
  if (size > limit.bytes) throw inputError(`--${flag} ${path}: the file has ${size} bytes, over the limit of ${limit.bytes} bytes (${limit.why}); expected a model that fits in memory`);
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    throw inputError(`--${flag}: cannot read ${quoteValue(path)}; expected a .safetensors file`);
  }
  // an input of the run: no output may replace it (src/io/output-policy.ts)
  registerInput(`--${flag}`, path);
  return parseModelFile(bytes, `--${flag} ${path}`);
}
