// lbfgs-torch's step (src/search/lbfgs-torch.ts) allocates nothing: with and without strong Wolfe, in float64
// and float32, the young generation grows by under one byte per step(closure) over many steps after warm-up
// (test/helpers/allocation.ts measures it). The closure itself allocates nothing: it writes ∇f into the
// gradient buffer and f into a one-element buffer, and returns f from there (a closure that returned f from a
// call V8 does not inline would box it: 16 B per evaluation, the closure's own cost, not the optimizer's).
// A control run whose closure keeps one small array per call shows the probe sees allocation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesAllocated, recompile } from '../helpers/allocation.js';
import { LbfgsTorch, type LbfgsTorchLineSearch } from '../../src/search/lbfgs-torch.js';

type FloatArray = Float32Array | Float64Array;

interface Problem { x: FloatArray; g: FloatArray }

/** 4-D Rosenbrock at p.x: ∇f into p.g, f into fOut[0]. */
function rosenbrock(p: Problem): void {
  const { x, g } = p, n = x.length;
  let f = 0;
  for (let i = 0; i < n; i++) g[i] = 0;
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  fOut[0] = f;
}

const x0 = [-1.2, 1, -1.5, 2];
const fOut = new Float64Array(1);
let active: Problem;
// One closure for every run (each points `active` at its own problem first), so that lbfgs-torch's call site
// sees one target; short (as V8 counts bytecode), so that V8 inlines it there and f stays an unboxed double.
const closure = (): number => { rosenbrock(active); return fOut[0]; };
const keep: Float64Array[] = new Array(8);
let calls = 0;
const allocatingClosure = (): number => { keep[calls++ & 7] = new Float64Array(4); rosenbrock(active); return fOut[0]; };

/** k steps of one optimizer; every 16th step starts x again from x0, so that every step keeps iterating. */
function stepper(T: typeof Float64Array | typeof Float32Array, lineSearchFn: LbfgsTorchLineSearch, allocating = false) {
  const p: Problem = { x: new T(4), g: new T(4) };
  p.x.set(x0);
  const f = allocating ? allocatingClosure : closure;
  // a small history (3 pairs) so that the ring wraps; 5 iterations a step
  const opt = new LbfgsTorch(p.x, p.g, { lineSearchFn, maxIter: 5, historySize: 3 });
  let k = 0;
  const run = (steps: number): void => {
    active = p;
    for (let s = 0; s < steps; s++) {
      if (++k % 16 === 0) for (let i = 0; i < 4; i++) p.x[i] = x0[i];
      opt.step(f);
    }
  };
  return { run, opt, stepsTaken: () => k };
}

const configs = [
  { T: Float64Array, ls: null },
  { T: Float64Array, ls: 'strong_wolfe' },
  { T: Float32Array, ls: null },
  { T: Float32Array, ls: 'strong_wolfe' },
] as const;

test('no allocation per step: lbfgs-torch step(closure), with and without strong Wolfe, float64 and float32 (young-generation bytes per step)', () => {
  const steps = 2000;
  const runs = configs.map(({ T, ls }) => ({ name: `${T.name} lineSearchFn ${ls}`, ...stepper(T, ls) }));
  // let the JIT settle first, the four interleaved: the code V8 then keeps has seen both array types and
  // both line-search settings, so that running one of them alone below deoptimizes nothing
  for (let k = 0; k < 20000; k++) for (const r of runs) r.run(1);
  // V8 compiles iterate (and the methods it inlines) once it is hot, from what it knows then. If the closure
  // had been compiled on its own first, with rosenbrock inlined, V8 no longer counts it as small and, with
  // iterate's inlining budget spent on larger calls, calls it instead of inlining it: each f it returns
  // is then boxed (16 B an evaluation, 80 B a step; CI saw it on Node 22 in about 1 run in 4 under load).
  // Compiled again, with the closure's own code dropped first, every run measures the same code.
  const proto = LbfgsTorch.prototype as unknown as Record<string, Function>;
  recompile(['step', 'iterate', 'strongWolfe', 'directional', 'evaluate'].map((name) => proto[name]), () => { for (const r of runs) r.run(1); }, [closure]);
  for (const r of runs) {
    const evals = r.opt.funcEvals, taken = r.stepsTaken();
    const bytes = bytesAllocated(r.run, steps);
    // the steps did work: several closure calls each, not the early return of a converged step
    const perStep = (r.opt.funcEvals - evals) / (r.stepsTaken() - taken);
    assert.ok(perStep > 2, `${r.name}: only ${perStep} closure calls per step`);
    // under one byte per step: nothing per step (one boxed double per step would be 16 B)
    assert.ok(bytes < steps, `${r.name}: ${bytes} B allocated over ${steps} steps`);
  }
  // the probe sees allocation: the same steps with a closure that keeps one 4-value array per call (measured
  // last: a second closure literal makes the optimizer's call site polymorphic, and V8 then inlines neither)
  const control = stepper(Float64Array, 'strong_wolfe', true);
  control.run(20000);
  const controlBytes = bytesAllocated(control.run, steps);
  assert.ok(controlBytes >= 64 * steps, `the allocating control measured only ${controlBytes} B over ${steps} steps`);
});
