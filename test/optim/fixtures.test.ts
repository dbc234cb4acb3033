// Every PyTorch 1.13 float64 trajectory in test/fixtures/optimize/ (made by torch_reference.py optimize)
// reproduced through the library: |a − b| ≤ 1e-7·max(1, |b|) for every coordinate and value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runFirstOrder } from '../../src/search/index.js';
import { makeObjective } from '../../src/objectives/index.js';

// optimize/: the shared fixtures; optimize-options/: descent's own cases, one per option and schedule
// (test/fixtures/tools/make_optimize_cases.py).
const root = join(import.meta.dirname, '..', 'fixtures');
const cases = ['optimize', 'optimize-options'].flatMap((d) => readdirSync(join(root, d)).sort().map((c) => [d, c] as const));

export function close(a: number, b: number, where: string): void {
  assert.ok(Math.abs(a - b) <= 1e-7 * Math.max(1, Math.abs(b)), `${where}: got ${a}, torch ${b}`);
}

for (const [group, name] of cases) {
  const dir = join(root, group);
  test(`torch fixture ${group}/${name}`, () => {
    const spec = JSON.parse(readFileSync(join(dir, name, 'spec.json'), 'utf8'));
    const expected = JSON.parse(readFileSync(join(dir, name, 'expected.json'), 'utf8'));
    const { name: opt, ...options } = spec.optimizer;
    const r = runFirstOrder({
      objective: makeObjective(spec.function, spec.x0.length),
      x0: spec.x0,
      optimizer: opt,
      options,
      steps: spec.steps,
      schedule: spec.schedule,
    });
    assert.equal(r.path.length, expected.path.length);
    for (let t = 0; t < r.path.length; t++) {
      for (let i = 0; i < r.path[t].length; i++) close(r.path[t][i], expected.path[t][i], `step ${t} x[${i}]`);
      close(r.values[t], expected.values[t], `step ${t} f`);
    }
  });
}
