// The committed wasm (base64 in src/tensor/wasm/kernels-wasm.ts) is what a fresh build of kernels.as
// gives, both variants validate with SIMD, and the backend falls back cleanly when wasm is off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { kernelsWasmShared, kernelsWasmPlain } from '../../src/tensor/wasm/kernels-wasm.ts';
import { getBackend, setBackendEnabled, backendEnabled, allocF32, allocI32 } from '../../src/tensor/backend.ts';
import { adamUpdateFused, adamInitFused, sgdUpdateFused, sgdInitFused } from '../../src/optim/fused.ts';
import { adamUpdate, adamInit, adamDefaults } from '../../src/optim/adam.ts';
import { sgdUpdate, sgdInit, sgdDefaults } from '../../src/optim/sgd.ts';

const root = join(import.meta.dirname, '..', '..');
const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

test('the committed wasm equals a fresh build from kernels.as (reproducible)', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr + r.stdout);
});

test('both variants validate and export the kernels; the shared one imports a shared memory', () => {
  for (const b64 of [kernelsWasmShared, kernelsWasmPlain]) {
    const b = bytes(b64);
    assert.ok(WebAssembly.validate(b));
    const mod = new WebAssembly.Module(b);
    const names = WebAssembly.Module.exports(mod).map((e) => e.name);
    for (const k of ['matmulBlock', 'biasAct', 'reluBackward', 'colSum', 'softmaxCrossEntropy', 'adamF32', 'sgdF32']) assert.ok(names.includes(k), k);
    assert.deepEqual(WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`), ['env.memory:memory']);
  }
  // a plain memory cannot link to the shared variant: the variants really differ
  assert.throws(() => new WebAssembly.Instance(new WebAssembly.Module(bytes(kernelsWasmShared)), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } }));
});

test('with wasm disabled everything falls back to plain typed arrays and the TS rules, exactly', () => {
  setBackendEnabled(false);
  try {
    assert.equal(getBackend(), null);
    assert.equal(backendEnabled(), false);
    const x = allocF32(9), g = allocF32(9);
    assert.ok(x instanceof Float32Array && !(x.buffer instanceof SharedArrayBuffer));
    assert.ok(allocI32(2) instanceof Int32Array);
    const xr = new Float32Array(9);
    for (let i = 0; i < 9; i++) { x[i] = xr[i] = i - 4; g[i] = Math.sin(i); }
    const sa = adamInitFused(9), sr = adamInit(9, Float32Array);
    const qa = sgdInitFused(9), qr = sgdInit(9, Float32Array);
    const so = { ...sgdDefaults, lr: 0.1, momentum: 0.5 };
    for (let t = 0; t < 4; t++) {
      adamUpdateFused(x, g, sa, adamDefaults); adamUpdate(xr, g, sr, adamDefaults);
      sgdUpdateFused(x, g, qa, so); sgdUpdate(xr, g, qr, so);
    }
    assert.deepEqual(Array.from(x), Array.from(xr));
  } finally {
    setBackendEnabled(true);
  }
  assert.ok(getBackend() !== null);
});
