/**
 * Model files: the tensors under torch state_dict names, with `descent` metadata (architecture, loss,
 * standardization, data) so `descent eval` rebuilds the same model and preprocessing; PyTorch's loaders
 * ignore the metadata. Bytes in and out: the caller reads and writes the file.
 */
import { inputError, quoteValue } from '../errors.js';
import { parseSafetensorsWithMetadata, serializeSafetensors, type SafetensorsInput } from '../io/safetensors.js';
import type { Activation, LossName, Sequential } from '../nn/index.js';

/** What a saved model carries beside its tensors. */
export interface ModelMeta {
  model: string;
  activation: Activation;
  dropout: number;
  loss: LossName;
  numClasses: number;
  /** The training rows' statistics, when the features were standardized. */
  standardize?: { mean: number[]; std: number[] };
  data: string;
  target: string;
  val: number;
}

/** Model tensors (torch state_dict names, in the model's dtype) with `descent` metadata. */
export function modelBytes(model: Sequential, meta: ModelMeta): Uint8Array {
  const t: Record<string, SafetensorsInput> = {};
  for (const p of model.parameters()) t[p.name] = { shape: p.shape, data: p.data };
  return serializeSafetensors(t, { descent: JSON.stringify(meta) });
}

/** The tensors of a model file and its metadata (null for a file PyTorch wrote); errors name `source`. */
export function parseModelFile(bytes: Uint8Array, source: string): { tensors: ReturnType<typeof parseSafetensorsWithMetadata>['tensors']; meta: ModelMeta | null } {
  const { tensors, metadata } = parseSafetensorsWithMetadata(bytes, source);
  // NaN or infinite weights would train (or evaluate) to NaN, and be blamed on the learning rate
  for (const [name, t] of Object.entries(tensors)) {
    const k = t.data.findIndex((v) => !Number.isFinite(v));
    if (k >= 0) throw inputError(`${source}: tensor ${quoteValue(name)} holds ${t.data[k]} at index ${k}; expected finite weights`);
  }
  let meta: ModelMeta | null = null;
  if (metadata?.descent) {
    let raw: unknown;
    try {
      raw = JSON.parse(metadata.descent);
    } catch {
      throw inputError(`${source}: its descent metadata is not valid JSON; expected a file written by descent train --save`);
    }
    meta = checkModelMeta(raw, source);
  }
  return { tensors, meta };
}

/**
 * The descent metadata of a model file, every field checked (a std of 0 would divide by zero, a
 * string where a number belongs would standardize to NaN); errors name the file and the field.
 */
export function checkModelMeta(raw: unknown, source: string): ModelMeta {
  const bad = (field: string, expected: string, got: unknown) =>
    inputError(`${source}: metadata field ${field}: expected ${expected}, got ${quoteValue(JSON.stringify(got) ?? String(got), 40)}`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('descent', 'a JSON object', raw);
  const m = raw as Record<string, unknown>;
  for (const k of ['model', 'data', 'target']) if (m[k] !== undefined && typeof m[k] !== 'string') throw bad(k, 'a string', m[k]);
  if (m.activation !== undefined && !['relu', 'sigmoid', 'tanh'].includes(m.activation as string)) throw bad('activation', 'relu, sigmoid or tanh', m.activation);
  if (m.loss !== undefined && !['mse', 'bce', 'ce', 'hinge'].includes(m.loss as string)) throw bad('loss', 'mse, bce, ce or hinge', m.loss);
  if (m.dropout !== undefined && !(typeof m.dropout === 'number' && m.dropout >= 0 && m.dropout < 1)) throw bad('dropout', 'a number in [0, 1)', m.dropout);
  if (m.val !== undefined && !(typeof m.val === 'number' && m.val >= 0 && m.val < 1)) throw bad('val', 'a fraction in [0, 1)', m.val);
  if (m.numClasses !== undefined && !(Number.isInteger(m.numClasses) && (m.numClasses as number) >= 0)) throw bad('numClasses', 'an integer >= 0', m.numClasses);
  if (m.standardize !== undefined && m.standardize !== null) {
    const st = m.standardize as { mean?: unknown; std?: unknown };
    const finiteList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (typeof st !== 'object' || !finiteList(st.mean)) throw bad('standardize.mean', 'a list of finite numbers', st?.mean);
    if (!finiteList(st.std)) throw bad('standardize.std', 'a list of finite numbers', st.std);
    const std = st.std as number[];
    const k = std.findIndex((x) => !(x > 0));
    if (k >= 0) throw bad(`standardize.std[${k}]`, 'a number > 0 (features are divided by it)', std[k]);
    if (std.length !== (st.mean as number[]).length) throw bad('standardize.std', `${(st.mean as number[]).length} numbers, as standardize.mean`, `${std.length} numbers`);
  }
  return m as unknown as ModelMeta;
}
