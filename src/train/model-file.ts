/**
 * Model files: the tensors under torch state_dict names, with `descent` metadata (architecture, loss,
 * standardization, data) so `descent eval` rebuilds the same model and preprocessing; PyTorch's loaders
 * ignore the metadata. Bytes in and out: the caller reads and writes the file.
 */
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
  let meta: ModelMeta | null = null;
  if (metadata?.descent) {
    try {
      meta = JSON.parse(metadata.descent) as ModelMeta;
    } catch {
      meta = null;
    }
  }
  return { tensors, meta };
}
