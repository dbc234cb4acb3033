/**
 * safetensors (https://github.com/huggingface/safetensors), F32 and F64:
 * 8 bytes little-endian u64 N, then N bytes of UTF-8 JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`
 * (offsets relative to the byte buffer after the header), then the tensors' bytes, little-endian,
 * row-major. The writer pads the header with spaces to a multiple of 8 bytes, as the reference
 * writer (shared/tools/torch_reference.py) and the Rust crate do.
 *
 * Bytes in, bytes out: no Node-only API here; the CLI reads and writes the files (through atomicWrite).
 */
import { inputError, quoteValue } from '../errors.js';
import type { FloatArray } from '../tensor/tensor.js';

/** The tensor element types descent reads and writes: `'F32'` (Float32Array) and `'F64'` (Float64Array). */
export type SafetensorsDType = 'F32' | 'F64';

/**
 * One tensor read from a safetensors file: its dtype, its shape (row-major) and its values in a typed array of that dtype.
 */
export interface SafetensorsEntry {
  dtype: SafetensorsDType;
  shape: number[];
  data: FloatArray;
}

/** What `serializeSafetensors` takes: a typed array picks the dtype (Float32Array → F32, Float64Array → F64). */
export interface SafetensorsInput {
  shape: readonly number[];
  data: FloatArray;
}

const BYTES: Record<SafetensorsDType, number> = { F32: 4, F64: 8 };
/** Upper bound on the header, as the reference implementation (100 MB). */
const MAX_HEADER = 100_000_000;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Parses a safetensors file. Validates the header length, the JSON, each entry's dtype (F32 or
 * F64; others are refused by name), shape, and data_offsets (sizes match shapes, offsets in range,
 * tensors contiguous from 0 without gaps or overlaps, covering the whole data section). Throws an
 * input error naming `source` and what is wrong. Returns name → {dtype, shape, data} with the
 * data copied into fresh aligned arrays; `metadata` holds `__metadata__` when present.
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors'): Record<string, SafetensorsEntry> {
  return parseSafetensorsWithMetadata(bytes, source).tensors;
}

/** Like `parseSafetensors`, also returning the `__metadata__` map. */
export function parseSafetensorsWithMetadata(
  bytes: Uint8Array, source = 'safetensors',
): { tensors: Record<string, SafetensorsEntry>; metadata: Record<string, string> | null } {
  const bad = (why: string) => inputError(`${source}: ${why}`);
  if (bytes.length < 8) throw bad(`file is ${bytes.length} bytes; expected at least 8 (the header length)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true), hi = dv.getUint32(4, true);
  const n = hi * 4294967296 + lo;
  // a CSV or text file passed as a model reads as a header length of ~10^18: say that, not the raw 19 digits
  const shownLength = n < 1e15 ? String(n) : `about ${n.toPrecision(3)}`;
  const notSafetensors = n > MAX_HEADER || 8 + n > bytes.length ? '; this is not a safetensors file (its first 8 bytes must give the JSON header\'s length)' : '';
  if (n > MAX_HEADER) throw bad(`header length ${shownLength} is larger than the limit of ${MAX_HEADER} bytes${notSafetensors}`);
  if (8 + n > bytes.length) throw bad(`header length ${shownLength} runs past the end of the file (${bytes.length} bytes)${notSafetensors}`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw bad(`header is not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad('header: expected a JSON object');
  const data = bytes.subarray(8 + n);
  let metadata: Record<string, string> | null = null;
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors: Record<string, SafetensorsEntry> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
        throw bad('__metadata__: expected an object of string values');
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(`tensor ${quoteValue(name)}: expected an object with dtype, shape, data_offsets`);
    const e = raw as Record<string, unknown>;
    if (typeof e.dtype !== 'string') throw bad(`tensor ${quoteValue(name)}: dtype: expected a string`);
    if (e.dtype !== 'F32' && e.dtype !== 'F64') throw bad(`tensor ${quoteValue(name)}: dtype ${quoteValue(e.dtype)} is not supported; expected F32 or F64`);
    const dtype = e.dtype as SafetensorsDType;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw bad(`tensor ${quoteValue(name)}: shape: expected an array of non-negative integers`);
    }
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw bad(`tensor ${quoteValue(name)}: data_offsets: expected [begin, end] non-negative integers`);
    }
    const [begin, end] = off as number[];
    if (end < begin) throw bad(`tensor ${quoteValue(name)}: data_offsets [${begin}, ${end}] end before begin`);
    if (end > data.length) throw bad(`tensor ${quoteValue(name)}: data_offsets [${begin}, ${end}] past the end of the data (${data.length} bytes)`);
    let count = 1;
    for (const d of shape) count *= d;
    if (end - begin !== count * BYTES[dtype]) {
      throw bad(`tensor ${quoteValue(name)}: shape [${shape.join(', ')}] ${dtype} needs ${count * BYTES[dtype]} bytes, data_offsets give ${end - begin}`);
    }
    spans.push({ name, begin, end });
    // a fresh, aligned buffer (not bytes.slice: on a Node Buffer that is a view into a shared pool)
    const copy = new Uint8Array(end - begin);
    copy.set(bytes.subarray(8 + n + begin, 8 + n + end));
    let arr: FloatArray;
    if (littleEndian) arr = dtype === 'F32' ? new Float32Array(copy.buffer, 0, count) : new Float64Array(copy.buffer, 0, count);
    else {
      const v = new DataView(copy.buffer);
      arr = dtype === 'F32' ? new Float32Array(count) : new Float64Array(count);
      for (let i = 0; i < count; i++) arr[i] = dtype === 'F32' ? v.getFloat32(4 * i, true) : v.getFloat64(8 * i, true);
    }
    tensors[name] = { dtype, shape: [...shape], data: arr };
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const s of spans) {
    if (s.begin < at) throw bad(`tensor ${quoteValue(s.name)}: data_offsets [${s.begin}, ${s.end}] overlap the previous tensor (ends at ${at})`);
    if (s.begin > at) throw bad(`tensor ${quoteValue(s.name)}: data_offsets [${s.begin}, ${s.end}] leave a gap after byte ${at}`);
    at = s.end;
  }
  if (at !== data.length) throw bad(`the tensors cover ${at} bytes of data but the file holds ${data.length}`);
  return { tensors, metadata };
}

/**
 * Serializes tensors (in the given order) with an optional `__metadata__` string map. The
 * header is compact JSON padded with spaces to a multiple of 8 bytes; data little-endian.
 */
export function serializeSafetensors(tensors: Record<string, SafetensorsInput>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let off = 0;
  const parts: { data: FloatArray; begin: number }[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw inputError("safetensors: '__metadata__' is reserved and cannot name a tensor");
    let count = 1;
    for (const d of t.shape) count *= d;
    if (count !== t.data.length) throw inputError(`safetensors: tensor ${quoteValue(name)} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    const dtype: SafetensorsDType = t.data instanceof Float64Array ? 'F64' : 'F32';
    const size = count * BYTES[dtype];
    header[name] = { dtype, shape: [...t.shape], data_offsets: [off, off + size] };
    parts.push({ data: t.data, begin: off });
    off += size;
  }
  let h = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (h.length % 8)) % 8;
  if (pad > 0) {
    const p = new Uint8Array(h.length + pad).fill(0x20);
    p.set(h);
    h = p;
  }
  const out = new Uint8Array(8 + h.length + off);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, h.length, true);
  dv.setUint32(4, 0, true);
  out.set(h, 8);
  const base = 8 + h.length;
  for (const { data, begin } of parts) {
    if (data instanceof Float64Array) for (let i = 0; i < data.length; i++) dv.setFloat64(base + begin + 8 * i, data[i], true);
    else for (let i = 0; i < data.length; i++) dv.setFloat32(base + begin + 4 * i, data[i], true);
  }
  return out;
}
