// Whole optimizer trajectories under torch 2.13's new schedules (test/fixtures/schedule/trajectories.json, made by
// test/fixtures/tools/make_schedule_trajectories.py): every optimizer × constant, polynomial, multiplicative,
// cyclic (three modes, momentum or β₁ cycled), oneCycle (two- and three-phase), cosineRestarts and composites,
// float64, through runFirstOrder (the loop of `descent optimize`): x, f and the lr of every step to 1e-7 relative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runFirstOrder } from '../../src/search/index.js';
import { makeObjective } from '../../src/objectives/index.js';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'schedule', 'trajectories.json'), 'utf8'));
const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-7 * Math.max(1, Math.abs(b));

test('every optimizer under every new schedule follows torch 2.13 float64 to 1e-7', () => {
  let worst = 0;
  for (const c of fixture.cases) {
    const { name, ...options } = c.spec.optimizer;
    const r = runFirstOrder({ objective: makeObjective(c.spec.function, 3), x0: c.spec.x0, optimizer: name, options, steps: c.spec.steps, schedule: c.spec.schedule });
    const where = `${JSON.stringify(c.spec.optimizer)} ${JSON.stringify(c.spec.schedule)}`;
    for (let t = 0; t < c.lrs.length; t++) assert.ok(Math.abs(r.lrs[t] - c.lrs[t]) <= 1e-15 * c.lrs[t], `${where} lr at step ${t + 1}: ${r.lrs[t]} vs torch ${c.lrs[t]}`);
    for (let t = 0; t < r.path.length; t++) {
      for (let i = 0; i < 3; i++) {
        const want = c.path[t][i];
        worst = Math.max(worst, Math.abs(r.path[t][i] - want) / Math.max(1, Math.abs(want)));
        assert.ok(near(r.path[t][i], want), `${where} step ${t} x[${i}]: ${r.path[t][i]} vs torch ${want}`);
      }
      assert.ok(near(r.values[t], c.values[t]), `${where} step ${t} f`);
    }
  }
  assert.equal(fixture.cases.length, 99);
  assert.ok(worst < 1e-7, String(worst));
});
