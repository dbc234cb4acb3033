// Shared by torch-reference*.test.ts. Forward values and gradients of small models against PyTorch 1.13 (test/fixtures/tools/nn_reference.py):
// init weights from safetensors, full-batch loss (+ L1/L2 over weight matrices) and gradient on a CSV,
// and one full-batch SGD step with lr 1 (params − grad), in float32 and float64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { tensor, withArena } from '../../src/autograd/index.js';
import { Arena } from '../../src/tensor/arena.js';
import type { DType } from '../../src/tensor/tensor.js';
import { buildModel, parseModelArg, lossByName, l1Penalty, l2Penalty, type LossName } from '../../src/nn/index.js';
import { add } from '../../src/autograd/ops.js';

const root = new URL('../fixtures/', import.meta.url);

function readCsv(path: URL, target: string): { x: number[]; y: number[]; d: number; n: number } {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const head = lines[0].split(',');
  const ti = head.indexOf(target);
  const x: number[] = [], y: number[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map(Number);
    cells.forEach((v, j) => (j === ti ? y.push(v) : x.push(v)));
  }
  return { x, y, d: head.length - 1, n: lines.length - 1 };
}

interface Expected {
  dataLoss: number;
  loss: number;
  grads: Record<string, number[]>;
  afterSgdStep: Record<string, number[]>;
}

function close(got: number, want: number, rel: number, abs: number, what: string): void {
  assert.ok(Math.abs(got - want) <= abs + rel * Math.abs(want), `${what}: got ${got}, torch ${want}`);
}

/** Defines one test per case and dtype; `label` tells the kernel set apart in the test names. */
export function defineTorchReferenceTests(label: string): void {
const cases = readdirSync(new URL('nn/', root));
assert.ok(cases.length >= 7);

for (const name of cases) {
  const ref = JSON.parse(readFileSync(new URL(`nn/${name}/expected.json`, root), 'utf8'));
  const c = ref.case;
  for (const dtype of ['float32', 'float64'] as DType[]) {
    test(`${name} (${dtype}, ${label}): loss, gradient and one SGD step (lr 1) match torch`, () => {
      const e: Expected = ref[dtype];
      const { x, y: rawY, d, n } = readCsv(new URL(c.data, root), 'label');
      const y = c.targetTransform === 'is0' ? rawY.map((v) => (v === 0 ? 1 : 0)) : rawY;
      const loss = c.loss as LossName;
      const k = loss === 'ce' || loss === 'hinge' ? Math.max(...y) + 1 : 1;
      const { kind, hidden } = parseModelArg(c.model);
      const model = buildModel({ kind, hidden, inFeatures: d, outFeatures: k, activation: c.activation, dtype });
      model.loadStateDict(parseSafetensors(readFileSync(new URL(`nn/${name}/init.safetensors`, root)), 'init.safetensors'));
      const weights = model.parameters().filter((p) => p.isWeight).map((p) => p.var);
      const arena = new Arena();
      model.zeroGrad();
      const [dataLoss, total] = withArena(arena, () => {
        const out = model.forward(tensor(x, [n, d], { dtype }));
        const dl = lossByName(loss)(out, y);
        let l = dl;
        if (c.l1) l = add(l, l1Penalty(weights, c.l1));
        if (c.l2) l = add(l, l2Penalty(weights, c.l2));
        l.backward();
        return [dl.item(), l.item()];
      });
      // float32: torch and descent sum in different orders, so agreement is to float32 rounding (~1e-5 relative)
      const [rel, abs] = dtype === 'float32' ? [2e-5, 2e-6] : [1e-10, 1e-13];
      close(dataLoss, e.dataLoss, rel, abs, 'data loss');
      close(total, e.loss, rel, abs, 'loss');
      let maxGrad = 0;
      for (const g of Object.values(e.grads)) for (const v of g) maxGrad = Math.max(maxGrad, Math.abs(v));
      for (const p of model.parameters()) {
        const want = e.grads[p.name];
        assert.equal(want.length, p.size, p.name);
        // gradient entries near zero are differences of larger terms: compare against the gradient's scale
        for (let i = 0; i < p.size; i++) close(p.grad[i], want[i], rel, rel * maxGrad, `grad ${p.name}[${i}]`);
      }
      for (let i = 0; i < model.params.length; i++) model.params[i] -= model.grads[i];
      for (const p of model.parameters()) {
        const want = e.afterSgdStep[p.name];
        for (let i = 0; i < p.size; i++) close(p.data[i], want[i], rel, rel * maxGrad, `after step ${p.name}[${i}]`);
      }
    });
  }
}
}
