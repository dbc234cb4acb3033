// Several steps end to end at the library level: model + losses + autograd + torch.optim rules (src/optim)
// reproduce the torch 1.13 float32 runs of the shared train fixtures (batches in row order, last one partial):
// the per-epoch trainLoss and the final weights (final.safetensors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { tensor, withArena } from '../../src/autograd/index.js';
import { Arena } from '../../src/tensor/arena.js';
import { buildModel, parseModelArg, lossByName, type LossName } from '../../src/nn/index.js';
import { createOptimizer } from '../../src/optim/index.js';

const dir = (c: string) => new URL(`../fixtures/train/${c}/`, import.meta.url);

for (const name of ['iris-softmax-sgd-momentum', 'digits-mlp-adam']) {
  test(`${name}: per-epoch train loss and final weights match torch (float32)`, () => {
    const c = JSON.parse(readFileSync(new URL('case.json', dir(name)), 'utf8'));
    const expected = JSON.parse(readFileSync(new URL('expected.json', dir(name)), 'utf8'));
    const lines = readFileSync(new URL('data.csv', dir(name)), 'utf8').trim().split(/\r?\n/);
    const ti = lines[0].split(',').indexOf(c.target);
    const d = lines[0].split(',').length - 1, n = lines.length - 1;
    const x = new Float32Array(n * d), y = new Int32Array(n);
    lines.slice(1).forEach((line, i) => {
      let j = 0;
      line.split(',').forEach((v, col) => (col === ti ? (y[i] = Number(v)) : (x[i * d + j++] = Number(v))));
    });
    const { kind, hidden } = parseModelArg(c.model);
    const model = buildModel({ kind, hidden, inFeatures: d, outFeatures: Math.max(...y) + 1, activation: c.activation });
    model.loadStateDict(parseSafetensors(new Uint8Array(readFileSync(new URL('init.safetensors', dir(name))))));
    const { name: optName, ...hyper } = c.opt;
    const opt = createOptimizer(optName, { params: model.params, grads: model.grads }, hyper);
    const loss = lossByName(c.loss as LossName);
    const arena = new Arena();
    const b = c.batch;
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      let total = 0;
      for (let i = 0; i < n; i += b) {
        const m = Math.min(b, n - i);
        model.zeroGrad();
        total += m * withArena(arena, () => {
          const l = loss(model.forward(tensor(x.subarray(i * d, (i + m) * d), [m, d])), y.subarray(i, i + m));
          l.backward();
          return l.item();
        });
        arena.reset();
        opt.step();
      }
      const want = expected.trainLoss[epoch];
      assert.ok(Math.abs(total / n - want) < 1e-4 * want, `epoch ${epoch}: ${total / n} vs torch ${want}`);
    }
    const final = parseSafetensors(new Uint8Array(readFileSync(new URL('final.safetensors', dir(name)))));
    for (const p of model.parameters()) {
      const want = final[p.name].data;
      for (let i = 0; i < p.size; i++) assert.ok(Math.abs(p.data[i] - want[i]) < 1e-4 * (1 + Math.abs(want[i])), `${p.name}[${i}]: ${p.data[i]} vs ${want[i]}`);
    }
  });
}
