import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSafetensors, parseSafetensorsWithMetadata, serializeSafetensors } from '../../src/io/safetensors.js';

const fixture = (p: string) => new Uint8Array(readFileSync(new URL(`../fixtures/train/${p}`, import.meta.url)));

/** A file from a header object and a data section, laid out by hand (the reference format). */
function file(header: unknown, data: Uint8Array, headerLength?: number): Uint8Array {
  const h = typeof header === 'string' ? new TextEncoder().encode(header) : new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, headerLength ?? h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test('reads the torch-written fixtures: names, shapes and values as F32', () => {
  const init = parseSafetensors(fixture('digits-mlp-adam/init.safetensors'));
  assert.deepEqual(Object.fromEntries(Object.entries(init).map(([k, v]) => [k, [v.dtype, v.shape]])), {
    '0.weight': ['F32', [16, 64]], '0.bias': ['F32', [16]], '2.weight': ['F32', [10, 16]], '2.bias': ['F32', [10]],
  });
  // torch's default init: every value within ±1/√fan_in
  assert.ok(init['0.weight'].data.every((v) => Math.abs(v) <= 1 / 8));
  assert.ok(init['2.weight'].data.every((v) => Math.abs(v) <= 1 / 4));
  const fin = parseSafetensors(fixture('iris-softmax-sgd-momentum/final.safetensors'));
  assert.deepEqual(fin['0.weight'].shape, [3, 4]);
  assert.ok(fin['0.weight'].data instanceof Float32Array);
});

test('the header layout is byte-identical to the reference writer (compact JSON, space padding to 8)', () => {
  const bytes = fixture('iris-softmax-sgd-momentum/init.safetensors');
  const t = parseSafetensors(bytes);
  assert.deepEqual(serializeSafetensors(t), bytes);
});

test('round trip of F32 and F64 with metadata, in order; the header is 8-aligned', () => {
  const a = Float32Array.from([1.5, -2, 3.25, 0, 1e-30, -7]);
  const b = Float64Array.from([Math.PI, -Math.E, 1e300]);
  const bytes = serializeSafetensors({ 'w': { shape: [2, 3], data: a }, 'b': { shape: [3], data: b }, 'empty': { shape: [0, 4], data: new Float32Array(0) } }, { format: 'pt' });
  const n = new DataView(bytes.buffer).getUint32(0, true);
  assert.equal(n % 8, 0);
  const { tensors, metadata } = parseSafetensorsWithMetadata(bytes);
  assert.deepEqual(metadata, { format: 'pt' });
  assert.deepEqual(Object.keys(tensors), ['w', 'b', 'empty']);
  assert.deepEqual(tensors.w, { dtype: 'F32', shape: [2, 3], data: a });
  assert.deepEqual(tensors.b, { dtype: 'F64', shape: [3], data: b });
  assert.deepEqual(tensors.empty.shape, [0, 4]);
});

test('malformed files are input errors that say what is wrong', () => {
  const four = new Uint8Array(4);
  const ok = { w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } };
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(3), /file is 3 bytes; expected at least 8/],
    [file(ok, four, 1000), /header length 1000 runs past the end/],
    [file('{"w": ', four), /header is not valid UTF-8 JSON/],
    [file([1, 2], four), /header: expected a JSON object/],
    [file({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, four), /tensor 'w': dtype 'F16' is not supported; expected F32 or F64/],
    [file({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, four), /tensor 'w': shape: expected an array of non-negative integers/],
    [file({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, four), /shape \[2\] F32 needs 8 bytes, data_offsets give 4/],
    [file({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, four), /past the end of the data \(4 bytes\)/],
    [file({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, four), /data_offsets: expected \[begin, end\]/],
    [file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)), /overlap/],
    [file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /leave a gap after byte 0/],
    [file(ok, new Uint8Array(8)), /cover 4 bytes of data but the file holds 8/],
    [file({ ...ok, __metadata__: { n: 1 } }, four), /__metadata__: expected an object of string values/],
  ];
  for (const [bytes, re] of cases) assert.throws(() => parseSafetensors(bytes, 'init.safetensors'), (e: Error) => e.name === 'DescentError' && /^init.safetensors: /.test(e.message) && re.test(e.message), String(re));
  assert.throws(() => serializeSafetensors({ w: { shape: [3], data: new Float32Array(2) } }), /tensor 'w' has 2 values for shape \[3\]/);
});

test('reads what the official safetensors library (0.8) writes, F32 and F64 with metadata, and writes the same bytes back', () => {
  // test/fixtures/tools/safetensors_interop.py wrote these with safetensors.numpy.save_file
  const bytes = new Uint8Array(readFileSync(new URL('../fixtures/safetensors/hf-written.safetensors', import.meta.url)));
  const want = JSON.parse(readFileSync(new URL('../fixtures/safetensors/hf-written.json', import.meta.url), 'utf8'));
  const { tensors, metadata } = parseSafetensorsWithMetadata(bytes);
  assert.deepEqual(metadata, { note: 'written by safetensors', format: 'pt' });
  for (const [name, e] of Object.entries(want) as [string, { dtype: string; shape: number[]; data: number[] }][]) {
    const t = tensors[name];
    assert.equal(t.dtype, e.dtype === 'float64' ? 'F64' : 'F32', name);
    assert.deepEqual(t.shape, e.shape, name);
    assert.deepEqual([...t.data], e.data, name); // float32 values widen exactly to the JSON doubles
  }
  assert.deepEqual(serializeSafetensors(tensors, metadata!), bytes);
});

test('a model state dict survives serialize → parse → loadStateDict', async () => {
  const { buildModel } = await import('../../src/nn/index.js');
  const { Rng } = await import('../../src/tensor/rng.js');
  const a = buildModel({ kind: 'mlp', inFeatures: 3, outFeatures: 2, hidden: [4], rng: new Rng(1) });
  const b = buildModel({ kind: 'mlp', inFeatures: 3, outFeatures: 2, hidden: [4], rng: new Rng(2) });
  b.loadStateDict(parseSafetensors(serializeSafetensors(a.stateDict())));
  assert.deepEqual([...b.params], [...a.params]);
});
