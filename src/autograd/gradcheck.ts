/**
 * Finite-difference gradient checks, as the lectures teach them and as
 * `torch.autograd.gradcheck` does them: the central difference (f(x+ε) − f(x−ε)) / 2ε, with
 * error O(ε²), against the analytic gradient from backward.
 */
import { runError, inputError } from '../errors.js';
import type { FloatArray } from '../tensor/tensor.js';
import { Var, backward } from './var.js';

/**
 * The numeric gradient of a scalar function f at x by central differences:
 * g_i = (f(x + ε e_i) − f(x − ε e_i)) / (2ε). x is perturbed in place and restored.
 */
export function numericGradient(f: (x: FloatArray) => number, x: FloatArray, eps = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    x[i] = xi + eps;
    const fp = f(x);
    x[i] = xi - eps;
    const fm = f(x);
    x[i] = xi;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

/** Tolerances of {@link gradcheck}, torch.autograd.gradcheck's arguments with its defaults. */
export interface GradcheckOptions {
  /** Finite-difference step (torch default 1e-6). */
  eps?: number;
  /** Absolute tolerance (torch default 1e-5). */
  atol?: number;
  /** Relative tolerance (torch default 1e-3). */
  rtol?: number;
  /** Throw on a mismatch (default, as torch) or return false. */
  raiseException?: boolean;
}

/**
 * Compares the full Jacobian of fn's output with respect to every input that requires grad,
 * numeric (central differences) against analytic (one backward per output element), and
 * passes when |analytic − numeric| ≤ atol + rtol·|numeric| everywhere, like
 * torch.autograd.gradcheck. Inputs should be float64 (float32 differences are too coarse).
 * fn must be deterministic (re-seed any dropout inside it). Returns true, or throws a run
 * error naming the input, element and both values (false with raiseException: false).
 */
export function gradcheck(fn: (...inputs: Var[]) => Var, inputs: readonly Var[], opts: GradcheckOptions = {}): boolean {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  const raise = opts.raiseException ?? true;
  const checked = inputs.filter((v) => v.requiresGrad);
  if (checked.length === 0) throw inputError('gradcheck: no input requires grad');
  for (const v of checked) if (!v.isLeaf) throw inputError('gradcheck: inputs must be leaves');

  const out0 = fn(...inputs);
  const nOut = out0.size;
  const value = (): Float64Array => Float64Array.from(fn(...inputs).data);

  for (let k = 0; k < inputs.length; k++) {
    const v = inputs[k];
    if (!v.requiresGrad) continue;
    // numeric Jacobian, column by column: J[j][o] = d out_o / d x_j
    const numeric: Float64Array[] = [];
    for (let j = 0; j < v.size; j++) {
      const xj = v.data[j];
      v.data[j] = xj + eps;
      const fp = value();
      v.data[j] = xj - eps;
      const fm = value();
      v.data[j] = xj;
      const col = new Float64Array(nOut);
      for (let o = 0; o < nOut; o++) col[o] = (fp[o] - fm[o]) / (2 * eps);
      numeric.push(col);
    }
    // analytic Jacobian, row by row: one backward per output element
    const seed = new Float64Array(nOut);
    for (let o = 0; o < nOut; o++) {
      for (const w of checked) w.grad?.fill(0);
      const out = fn(...inputs);
      if (!out.requiresGrad) {
        // the output does not depend on any input: the analytic Jacobian is zero
        for (let j = 0; j < v.size; j++) if (Math.abs(numeric[j][o]) > atol) return fail(k, j, o, 0, numeric[j][o]);
        continue;
      }
      seed.fill(0);
      seed[o] = 1;
      backward(out, out.dtype === 'float64' ? seed : Float32Array.from(seed));
      for (let j = 0; j < v.size; j++) {
        const a = v.grad ? v.grad[j] : 0, nv = numeric[j][o];
        if (!(Math.abs(a - nv) <= atol + rtol * Math.abs(nv))) return fail(k, j, o, a, nv);
      }
    }
  }
  for (const w of checked) w.grad?.fill(0);
  return true;

  function fail(input: number, elem: number, out: number, analytic: number, numeric: number): boolean {
    if (!raise) return false;
    throw runError(`gradcheck: Jacobian mismatch for input ${input}, element ${elem}, output ${out}: analytic ${analytic}, numeric ${numeric}`);
  }
}
