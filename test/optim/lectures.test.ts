// The lectures' forms against torch's: classical momentum v ← αv − εg, θ ← θ + v equals SGD(momentum);
// Nesterov as the look-ahead gradient ∇J(θ + αv) and as θ += −μ·v_prev + (1 + μ)·v equals SGD(nesterov);
// RMSProp with Nesterov momentum (Goodfellow et al., Algorithm 8.6) against its formula written out here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sgdInit, sgdUpdate, sgdDefaults, velocityInit, classicalMomentumUpdate, nesterovLookaheadStep, nesterovRewrittenUpdate,
  rmspropNesterovInit, rmspropNesterovUpdate, rmspropNesterovDefaults, rmspropInit, rmspropUpdate, rmspropDefaults,
} from '../../src/optim/index.js';
import { makeObjective } from '../../src/objectives/index.js';

const beale = makeObjective('beale');
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));

test('classical momentum v ← αv − εg, θ ← θ + v equals torch SGD(momentum) under a constant lr', () => {
  const lr = 0.001, momentum = 0.9;
  const a = Float64Array.of(1, 1), b = Float64Array.of(1, 1);
  const ga = new Float64Array(2), gb = new Float64Array(2);
  const sa = sgdInit(2), sb = velocityInit(2);
  for (let t = 0; t < 300; t++) {
    beale.valueAndGrad(a, ga);
    sgdUpdate(a, ga, sa, { ...sgdDefaults, lr, momentum });
    beale.valueAndGrad(b, gb);
    classicalMomentumUpdate(b, gb, sb, { lr, momentum });
    for (let i = 0; i < 2; i++) assert.ok(rel(b[i], a[i]) < 1e-12, `step ${t}: ${b[i]} vs ${a[i]}`);
    // v = −lr·b: the two velocities are the same quantity in different units
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(sb.velocity[i] + lr * sa.momentumBuffer[i]) < 1e-12);
  }
  assert.notDeepEqual(Array.from(a), [1, 1]);
});

test('Nesterov: look-ahead gradient ∇J(θ + αv) and the rewritten update both equal torch SGD(nesterov)', () => {
  const lr = 0.001, momentum = 0.9;
  const torchP = Float64Array.of(2, -1), gT = new Float64Array(2), st = sgdInit(2);
  const theta = Float64Array.of(2, -1), sl = velocityInit(2), look = new Float64Array(2), gl = new Float64Array(2);
  const rw = Float64Array.of(2, -1), sr = velocityInit(2), gr = new Float64Array(2);
  const gradAt = (x: Float64Array | Float32Array, g: Float64Array | Float32Array): void => { beale.valueAndGrad(x as Float64Array, g as Float64Array); };
  for (let t = 0; t < 300; t++) {
    beale.valueAndGrad(torchP, gT);
    sgdUpdate(torchP, gT, st, { ...sgdDefaults, lr, momentum, nesterov: true });
    nesterovLookaheadStep(theta, sl, { lr, momentum }, gradAt, look, gl);
    beale.valueAndGrad(rw, gr);
    nesterovRewrittenUpdate(rw, gr, sr, { lr, momentum });
    for (let i = 0; i < 2; i++) {
      // torch holds the look-ahead point θ + αv of Sutskever's form
      assert.ok(rel(theta[i] + momentum * sl.velocity[i], torchP[i]) < 1e-11, `look-ahead step ${t}`);
      assert.ok(rel(rw[i], torchP[i]) < 1e-11, `rewritten step ${t}: ${rw[i]} vs ${torchP[i]}`);
    }
  }
});

test('RMSProp with Nesterov momentum follows Algorithm 8.6 step by step', () => {
  // Algorithm 8.6 written out on θ with the gradient at θ̃ = θ + αv; the rule holds θ̃.
  const o = { ...rmspropNesterovDefaults, lr: 0.01, momentum: 0.8, alpha: 0.9, eps: 1e-6 };
  for (const epsInside of [true, false]) {
    const opts = { ...o, epsInside };
    let theta = [1, 1.5], v = [0, 0], r = [0, 0];
    const p = Float64Array.of(1, 1.5), g = new Float64Array(2), s = rmspropNesterovInit(2);
    const gl = new Float64Array(2);
    // 100 steps: near the minimum this normalised-step iteration becomes chaotic (rounding differences
    // grow ×4 a step), so later steps would test rounding, not the formula
    for (let t = 0; t < 100; t++) {
      const look = Float64Array.from(theta.map((x, i) => x + o.momentum * v[i]));
      beale.valueAndGrad(look, gl);
      r = r.map((ri, i) => o.alpha * ri + (1 - o.alpha) * gl[i] * gl[i]);
      v = v.map((vi, i) => o.momentum * vi - (o.lr * gl[i]) / (epsInside ? Math.sqrt(r[i] + o.eps) : Math.sqrt(r[i]) + o.eps));
      theta = theta.map((x, i) => x + v[i]);
      beale.valueAndGrad(p, g);
      rmspropNesterovUpdate(p, g, s, opts);
      for (let i = 0; i < 2; i++) assert.ok(rel(p[i], theta[i] + o.momentum * v[i]) < 1e-13, `step ${t} (epsInside ${epsInside})`);
    }
  }
});

test('eps inside vs outside the square root: √(v + eps) (lectures) and √v + eps (torch) differ, as documented', () => {
  // one step from v = 0 with g = 1e-4, alpha 0.99: v = 1e-10.
  // outside: step = lr·g/(√v + eps) = 0.01·1e-4/(1e-5 + 1e-8); inside: 0.01·1e-4/√(1e-10 + 1e-8)
  const out = Float64Array.of(0), inn = Float64Array.of(0), g = Float64Array.of(1e-3);
  rmspropUpdate(out, g, rmspropInit(1), { ...rmspropDefaults, lr: 0.01 });
  rmspropUpdate(inn, g, rmspropInit(1), { ...rmspropDefaults, lr: 0.01, epsInside: true });
  // v = 0.01·1e-6 = 1e-8
  assert.ok(Math.abs(out[0] - -(0.01 * 1e-3) / (Math.sqrt(1e-8) + 1e-8)) < 1e-15);
  assert.ok(Math.abs(inn[0] - -(0.01 * 1e-3) / Math.sqrt(1e-8 + 1e-8)) < 1e-15);
  assert.ok(Math.abs(out[0] / inn[0] - Math.SQRT2) < 1e-3); // the lectures' form takes a step √2 smaller here
});

test('momentum annealed 0.5 → 0.99 (a schedule of a hyperparameter): torch SGD with μ_t equals v ← μ_t·v − εg', async () => {
  const { anneal } = await import('../../src/schedule/index.js');
  const { createOptimizer } = await import('../../src/optim/index.js');
  const mu = anneal({ from: 0.5, to: 0.99, steps: 200 });
  const lr = 5e-4;
  const a = Float64Array.of(1, 1), ga = new Float64Array(2);
  const opt = createOptimizer('sgd', { params: a, grads: ga }, { lr, momentum: 0.5 });
  const b = Float64Array.of(1, 1), gb = new Float64Array(2), sb = velocityInit(2);
  for (let t = 0; t < 300; t++) {
    opt.paramGroups[0].options.momentum = mu(t);
    beale.valueAndGrad(a, ga); opt.step();
    beale.valueAndGrad(b, gb); classicalMomentumUpdate(b, gb, sb, { lr, momentum: mu(t) });
    for (let i = 0; i < 2; i++) assert.ok(rel(b[i], a[i]) < 1e-11, `step ${t}`);
  }
  assert.equal(opt.paramGroups[0].options.momentum, 0.99);
});

test('Adagrad eps placement: torch √s + eps (default) and √(s + eps) (epsInside)', async () => {
  const { adagradInit, adagradUpdate, adagradDefaults } = await import('../../src/optim/index.js');
  // one step from s = 0 with g = 1e-5, eps = 1e-10 (default): s = 1e-10
  // outside: Δ = −0.01·1e-5/(1e-5 + 1e-10);  inside: Δ = −0.01·1e-5/√(2e-10)
  const out = Float64Array.of(0), inn = Float64Array.of(0), g = Float64Array.of(1e-5);
  adagradUpdate(out, g, adagradInit(1), { ...adagradDefaults });
  adagradUpdate(inn, g, adagradInit(1), { ...adagradDefaults, epsInside: true });
  assert.ok(Math.abs(out[0] - -(0.01 * 1e-5) / (1e-5 + 1e-10)) < 1e-17);
  assert.ok(Math.abs(inn[0] - -(0.01 * 1e-5) / Math.sqrt(2e-10)) < 1e-17);
});
