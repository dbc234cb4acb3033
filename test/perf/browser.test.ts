// The backend in a real browser (the test Chromium through playwright-core, test/helpers/browser.ts):
// bundled without any Node API, it compiles the wasm asynchronously, falls back to the plain-memory
// build on a page without cross-origin isolation (no SharedArrayBuffer), and its matmul, softmax-CE
// and fused Adam match an independent float64 computation done here in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { build } from 'esbuild';
import { launchChromium } from '../helpers/browser.js';

const root = join(import.meta.dirname, '..', '..');

const entry = `
import { initBackend } from ${JSON.stringify(join(root, 'src/tensor/backend.ts'))};
import { adamUpdateFused, adamInitFused } from ${JSON.stringify(join(root, 'src/optim/fused.ts'))};
import { adamDefaults } from ${JSON.stringify(join(root, 'src/optim/adam.ts'))};
globalThis.runDescent = async (m, k, n) => {
  const be = await initBackend();
  const a = be.allocF32(m * k), b = be.allocF32(n * k), c = be.allocF32(m * n);
  for (let i = 0; i < a.length; i++) a[i] = Math.sin(i);
  for (let i = 0; i < b.length; i++) b[i] = Math.cos(i * 0.5);
  be.matmul(a, b, c, m, k, n, false, true);
  const z = be.allocF32(20), dz = be.allocF32(20), y = be.allocI32(2);
  for (let i = 0; i < 20; i++) z[i] = Math.sin(i * 3);
  y.set([4, 7]);
  const loss = be.softmaxCrossEntropy(z, y, dz, 2, 10);
  const p = be.allocF32(9), g = be.allocF32(9);
  for (let i = 0; i < 9; i++) { p[i] = i / 4; g[i] = Math.cos(i); }
  const st = adamInitFused(9);
  adamUpdateFused(p, g, st, adamDefaults);
  return { shared: be.shared, sab: typeof SharedArrayBuffer, c: Array.from(c), loss, dz: Array.from(dz), p: Array.from(p) };
};
`;

test('the wasm kernels load and compute in Chromium (plain memory, no Node APIs)', { timeout: 60_000 }, async () => {
  const bundle = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' },
    bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'silent',
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><title>descent</title>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const m = 7, k = 13, n = 9;
    const r = await page.evaluate(([m, k, n]) => (globalThis as any).runDescent(m, k, n), [m, k, n]);
    assert.equal(r.shared, false, 'no cross-origin isolation: the plain-memory build');
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += Math.fround(Math.sin(i * k + p)) * Math.fround(Math.cos((j * k + p) * 0.5));
        assert.ok(Math.abs(r.c[i * n + j] - s) < 1e-5, `c[${i},${j}] ${r.c[i * n + j]} vs ${s}`);
      }
    let want = 0;
    for (const [row, lab] of [[0, 4], [1, 7]]) {
      const zs = Array.from({ length: 10 }, (_, j) => Math.fround(Math.sin((row * 10 + j) * 3)));
      const lse = Math.log(zs.reduce((s, v) => s + Math.exp(v), 0));
      want += (lse - zs[lab]) / 2;
      for (let j = 0; j < 10; j++) assert.ok(Math.abs(r.dz[row * 10 + j] - (Math.exp(zs[j] - lse) - (j === lab ? 1 : 0)) / 2) < 1e-6);
    }
    assert.ok(Math.abs(r.loss - want) < 1e-5);
    // Adam's first step moves every coordinate by lr·sign(g) (m̂/√v̂ = g/|g|), up to eps
    for (let i = 0; i < 9; i++) assert.ok(Math.abs(r.p[i] - (i / 4 - 1e-3 * Math.sign(Math.cos(i)))) < 1e-6, `p[${i}]`);
  } finally {
    await browser.close();
  }
});
