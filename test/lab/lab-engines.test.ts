/**
 * The playground's engines, checked against independent references: gradient descent on the long
 * valley in closed form (before and after an lr change mid-run), torch's heavy-ball and Nesterov
 * recurrences written out here, the toy data sets' geometry, and the MLP trainer's loss and first
 * SGD step against a hand-written float64 forward pass and central differences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Race } from '../../src/lab/race.js';
import { defaultState, type DataState } from '../../src/lab/state.js';
import { makeToyData } from '../../src/lab/toy-data.js';
import { ToyTrainer } from '../../src/lab/toy-trainer.js';
import { DescentError } from '../../src/errors.js';

// valley: f = ½(a·x² + b·y²), a = 0.1, b = 10
const A = 0.1, B = 10;

function close(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

test('SGD on the valley follows x_t = (1 − ηa)^t x₀, y_t = (1 − ηb)^t y₀; an lr change applies from the next step', () => {
  const s = defaultState().fn;
  s.fn = 'valley';
  s.x0 = [-9, 2];
  s.on = ['sgd'];
  s.lr.sgd = 0.05;
  const race = new Race(s);
  for (let t = 0; t < 10; t++) race.step();
  s.lr.sgd = 0.15; // the slider moves
  race.applyOptions();
  for (let t = 0; t < 5; t++) race.step();
  const p = race.runners[0].path;
  assert.equal(p.length, 2 * 16);
  for (let t = 0; t <= 15; t++) {
    const fx = t <= 10 ? (1 - 0.05 * A) ** t : (1 - 0.05 * A) ** 10 * (1 - 0.15 * A) ** (t - 10);
    const fy = t <= 10 ? (1 - 0.05 * B) ** t : (1 - 0.05 * B) ** 10 * (1 - 0.15 * B) ** (t - 10);
    close(p[2 * t], -9 * fx, 1e-13, `x_${t}`);
    close(p[2 * t + 1], 2 * fy, 1e-13, `y_${t}`);
    close(race.runners[0].values[t], 0.5 * (A * (9 * fx) ** 2 + B * (2 * fy) ** 2), 1e-12, `f_${t}`);
  }
});

test('momentum and Nesterov follow torch.optim.SGD recurrences (v ← μv + g; x ← x − η·v or x − η·(g + μv))', () => {
  const s = defaultState().fn;
  s.fn = 'valley';
  s.x0 = [-9, 2];
  s.on = ['momentum', 'nesterov'];
  s.lr.momentum = s.lr.nesterov = 0.02;
  s.momentum = 0.8;
  const race = new Race(s);
  for (let t = 0; t < 30; t++) race.step();
  for (const [k, nesterov] of [[0, false], [1, true]] as const) {
    const x = [-9, 2], v = [0, 0];
    for (let t = 0; t < 30; t++) {
      const g = [A * x[0], B * x[1]];
      for (let i = 0; i < 2; i++) {
        v[i] = t === 0 ? g[i] : 0.8 * v[i] + g[i]; // torch: the buffer starts as a copy of g
        x[i] -= 0.02 * (nesterov ? g[i] + 0.8 * v[i] : v[i]);
      }
      close(race.runners[k].path[2 * (t + 1)], x[0], 1e-12, `${race.runners[k].name} x_${t + 1}`);
      close(race.runners[k].path[2 * (t + 1) + 1], x[1], 1e-12, `${race.runners[k].name} y_${t + 1}`);
    }
  }
});

test('a diverging runner is marked and stops; the others go on', () => {
  const s = defaultState().fn;
  s.fn = 'valley';
  s.x0 = [-9, 2];
  s.on = ['sgd', 'adam'];
  s.lr.sgd = 1; // |1 − b| = 9 > 1: y grows ninefold each step
  const race = new Race(s);
  for (let t = 0; t < 20; t++) race.step();
  const [sgd, adam] = race.runners;
  assert.equal(sgd.diverged, true);
  // 2·9^t passes 1e6 at t = 6 (2·9⁶ ≈ 1.06e6): seven points, then no more.
  assert.equal(sgd.path.length, 2 * 7);
  assert.equal(adam.diverged, false);
  assert.equal(adam.path.length, 2 * 21);
});

test('toy data: deterministic per seed, balanced, and shaped as documented', () => {
  for (const name of ['circles', 'xor', 'spirals', 'gaussians']) {
    const a = makeToyData(name, { n: 300, noise: 0.1, seed: 7 });
    assert.deepEqual(makeToyData(name, { n: 300, noise: 0.1, seed: 7 }), a, `${name}: same seed, same data`);
    assert.notDeepEqual(makeToyData(name, { n: 300, noise: 0.1, seed: 8 }).x, a.x, `${name}: another seed, other data`);
    assert.ok(a.x.every((v) => v >= -1 && v <= 1), `${name}: inside [−1, 1]²`);
    if (name !== 'xor') assert.equal(a.y.reduce((s, v) => s + v, 0), 150, `${name}: balanced`);
  }
  const c = makeToyData('circles', { n: 400, seed: 1 });
  for (let i = 0; i < c.n; i++) {
    const r = Math.hypot(c.x[2 * i], c.x[2 * i + 1]);
    assert.ok(c.y[i] === 1 ? r <= 0.5 : r >= 0.7 - 1e-12 && r <= 1 + 1e-12, `circles point ${i}: r = ${r}, class ${c.y[i]}`);
  }
  const x = makeToyData('xor', { n: 400, seed: 1 });
  for (let i = 0; i < x.n; i++) {
    const [u, v] = [x.x[2 * i], x.x[2 * i + 1]];
    assert.equal(x.y[i], u * v > 0 ? 1 : 0);
    assert.ok(Math.abs(u) >= 0.05 && Math.abs(v) >= 0.05);
  }
  const sp = makeToyData('spirals', { n: 400, seed: 1 });
  for (let i = 0; i < sp.n; i++) {
    const [u, v] = [sp.x[2 * i], sp.x[2 * i + 1]];
    const t = Math.hypot(u, v);
    const a = 3.5 * Math.PI * t + (sp.y[i] === 1 ? Math.PI : 0);
    close(u, t * Math.cos(a), 1e-9, `spiral x ${i}`);
    close(v, t * Math.sin(a), 1e-9, `spiral y ${i}`);
  }
  const g = makeToyData('gaussians', { n: 4000, seed: 3 });
  const mean = [0, 0, 0, 0];
  for (let i = 0; i < g.n; i++) {
    mean[2 * g.y[i]] += g.x[2 * i] / 2000;
    mean[2 * g.y[i] + 1] += g.x[2 * i + 1] / 2000;
  }
  // σ = 0.15: the standard error of each mean is 0.15/√2000 ≈ 0.0034
  for (const [k, m] of [[0, -0.45], [1, -0.45], [2, 0.45], [3, 0.45]]) close(mean[k], m, 0.02, `gaussians mean ${k}`);
  assert.throws(() => makeToyData('moons'), (e: unknown) => e instanceof DescentError && /unknown dataset 'moons'; expected one of: circles, xor, spirals, gaussians/.test(e.message));
});

/** Cross-entropy + λ·ΣW² of a tanh MLP, written out in float64 from torch-layout parameters. */
function handLoss(params: Float64Array, layers: [number, number][], x: Float64Array, y: Int32Array, l2: number): number {
  const n = y.length;
  let total = 0;
  for (let r = 0; r < n; r++) {
    let h = [x[2 * r], x[2 * r + 1]];
    let off = 0;
    layers.forEach(([inF, outF], li) => {
      const out: number[] = [];
      for (let o = 0; o < outF; o++) {
        let z = params[off + inF * outF + o];
        for (let i = 0; i < inF; i++) z += params[off + o * inF + i] * h[i];
        out.push(li < layers.length - 1 ? Math.tanh(z) : z);
      }
      off += inF * outF + outF;
      h = out;
    });
    const mx = Math.max(...h);
    const lse = mx + Math.log(h.reduce((s, z) => s + Math.exp(z - mx), 0));
    total += lse - h[y[r]];
  }
  let pen = 0, off = 0;
  for (const [inF, outF] of layers) {
    for (let k = 0; k < inF * outF; k++) pen += params[off + k] ** 2;
    off += inF * outF + outF;
  }
  return total / n + l2 * pen;
}

test('the MLP trainer: loss equals a hand-written forward pass; one SGD step is p − lr·∇ (central differences)', () => {
  const state: DataState = { dataset: 'gaussians', noise: 0.1, seed: 5, width: 3, depth: 2, activation: 'tanh', l2: 0.01, dropout: 0, opt: 'sgd', lr: 0.1 };
  const tr = new ToyTrainer(state);
  const layers: [number, number][] = [[2, 3], [3, 3], [3, 2]];
  assert.deepEqual(tr.model.parameters().map((p) => p.name), ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
  const p0 = Float64Array.from(tr.model.params);
  const x = Float64Array.from(Float32Array.from(tr.data.x)); // the trainer feeds float32 features
  const loss = tr.step();
  close(loss, handLoss(p0, layers, x, tr.data.y, 0.01), 1e-5, 'loss');
  // The held-out loss is the data term alone, at the same parameters, on the other 200 points.
  const xTest = Float64Array.from(Float32Array.from(tr.test.x));
  close(tr.testLosses[0], handLoss(p0, layers, xTest, tr.test.y, 0), 1e-5, 'test loss');
  assert.notDeepEqual(tr.test.x, tr.data.x);
  const h = 1e-5;
  for (let k = 0; k < p0.length; k++) {
    const up = Float64Array.from(p0), dn = Float64Array.from(p0);
    up[k] += h;
    dn[k] -= h;
    const grad = (handLoss(up, layers, x, tr.data.y, 0.01) - handLoss(dn, layers, x, tr.data.y, 0.01)) / (2 * h);
    const step = (p0[k] - tr.model.params[k]) / 0.1;
    assert.ok(Math.abs(step - grad) < 2e-4, `param ${k}: step/lr ${step} vs central difference ${grad}`);
  }
});

test('the MLP trainer learns: loss falls and the points end up classified', () => {
  const tr = new ToyTrainer({ ...defaultState().data, dataset: 'circles' });
  for (let t = 0; t < 150; t++) tr.step();
  assert.ok(tr.losses[149] < tr.losses[0] / 10, `loss ${tr.losses[0]} → ${tr.losses[149]}`);
  assert.ok(tr.accuracy() >= 0.95);
  assert.ok(tr.accuracy('test') >= 0.9, `test accuracy ${tr.accuracy('test')}`);
  assert.equal(tr.testLosses.length, 150);
  assert.ok(tr.testLosses[149] < tr.testLosses[0] / 3, `test loss ${tr.testLosses[0]} → ${tr.testLosses[149]}`);
  const p = tr.predict(Float32Array.of(0, 0, 0.95, 0.95), new Float32Array(2));
  assert.ok(p[0] > 0.9 && p[1] < 0.1, `centre is class 1, corner class 0: ${p}`);
});

test('the MLP trainer reports divergence when the loss stops being finite', () => {
  const tr = new ToyTrainer({ ...defaultState().data, opt: 'sgd', lr: 0.1 });
  tr.step();
  assert.equal(tr.diverged(), false);
  // Overflowed weights (as a runaway lr leaves them) make the loss non-finite.
  tr.model.params[0] = Number.POSITIVE_INFINITY;
  tr.model.params[1] = Number.NEGATIVE_INFINITY;
  tr.step();
  assert.equal(tr.diverged(), true, `losses ${tr.losses}`);
});

test('line-search methods in the race: Newton lands on the valley\'s minimizer in one step; BFGS ends there; both then stop', () => {
  const s = defaultState().fn;
  s.fn = 'valley';
  s.x0 = [-9, 2];
  s.on = ['sgd'];
  s.search = ['newton', 'bfgs'];
  const race = new Race(s);
  const [sgd, newton, bfgs] = race.runners;
  assert.deepEqual([newton.name, bfgs.name, newton.optimizer, newton.done], ['newton', 'bfgs', null, false]);
  race.step();
  // on a quadratic the Newton step −H⁻¹∇f from any point is the minimizer: (0, 0) after one iteration, one
  // evaluation at x0 and one at the full step the backtracking search accepts
  assert.ok(Math.abs(newton.x[0]) < 1e-15 && Math.abs(newton.x[1]) < 1e-15, `newton at ${newton.x}`);
  assert.equal(Race.evaluationsShown(newton), 2);
  assert.equal(newton.done, true);
  assert.equal(newton.search!.reason, 'gtol');
  for (let t = 0; t < 200 && !bfgs.done; t++) race.step();
  assert.equal(bfgs.done, true);
  assert.ok(Math.hypot(bfgs.x[0], bfgs.x[1]) < 1e-9, `bfgs at ${bfgs.x}`);
  // each shown point is f's own value there, and evaluations never fall behind iterations
  for (let k = 0; k < bfgs.values.length; k++) close(bfgs.values[k], 0.5 * (A * bfgs.path[2 * k] ** 2 + B * bfgs.path[2 * k + 1] ** 2), 1e-15, `bfgs f at ${k}`);
  assert.ok(Race.evaluationsShown(bfgs) >= bfgs.values.length - 1);
  // the torch optimizer keeps stepping; a stopped method stays where it stopped
  const [steps, bfgsPoints] = [sgd.path.length, bfgs.path.length];
  assert.equal(race.finished, false);
  race.step();
  assert.equal(sgd.path.length, steps + 2);
  assert.equal(bfgs.path.length, bfgsPoints);
  // with only line-search methods, the race is finished once each has shown its last iterate
  s.on = [];
  const alone = new Race(s);
  for (let t = 0; t < 200 && !alone.finished; t++) alone.step();
  assert.equal(alone.finished, true);
});
