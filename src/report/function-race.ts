/**
 * Function mode of `descent compare`: every optimizer run from every start on one objective, in float64,
 * recording the path, f, and the first step at which the iterate is within `tol` of the known minimum.
 * Pure (no Node APIs): the lab can run the same races in the browser.
 */
import type { Objective } from '../objectives/objective.js';
import { createOptimizer } from '../optim/index.js';
import type { RunSpec } from './spec.js';

export interface RaceResult {
  label: string;
  name: string;
  options: RunSpec['options'];
  x0: number[];
  /** x0 then every `stride`-th iterate, and always the last one reached (at most maxPoints + 2 points). */
  path: number[][];
  /** The step number of each point of path. */
  pathSteps: number[];
  /** f at each point of path. */
  values: number[];
  /** f at the last iterate (NaN when diverged). */
  finalValue: number;
  finalX: number[];
  /** Steps actually taken (less than the cap only when the run diverged). */
  steps: number;
  /** First step k with ‖x_k − x*‖₂ ≤ tol; null when never (or when no minimum is known). */
  reachedAt: number | null;
  /** Step at which f or x became non-finite; null when it did not. */
  divergedAt: number | null;
  /** Distance to the minimum at the end (NaN when no minimum is known or diverged). */
  finalDistance: number;
  seconds: number;
}

export interface RaceOptions {
  objective: Objective;
  x0: number[];
  run: RunSpec;
  steps: number;
  /** Distance to the minimum counted as reaching it (default 1e-2). */
  tol?: number;
  /** Points kept for plots and the animation (default 600). */
  maxPoints?: number;
  /** Clock for `seconds` (performance.now by default). */
  now?: () => number;
}

function dist(x: ArrayLike<number>, m: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += (x[i] - m[i]) ** 2;
  return Math.sqrt(s);
}

/**
 * Runs `steps` optimizer steps from x0 (torch's loop: gradient at x, step). A non-finite iterate or value ends
 * the run early and is recorded as divergence, not thrown: a comparison shows the optimizers that blow up.
 */
export function race(o: RaceOptions): RaceResult {
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  const n = o.x0.length;
  const x = Float64Array.from(o.x0);
  const g = new Float64Array(n);
  const opt = createOptimizer(o.run.name, { params: x, grads: g }, o.run.options);
  const tol = o.tol ?? 1e-2;
  const maxPoints = o.maxPoints ?? 600;
  const stride = Math.max(1, Math.ceil(o.steps / maxPoints));
  const min = o.objective.minimum;
  const path: number[][] = [Array.from(x)];
  const pathSteps: number[] = [0];
  const values: number[] = [o.objective.value(x)];
  let reachedAt: number | null = min && dist(x, min) <= tol ? 0 : null;
  let divergedAt: number | null = null;
  let taken = 0;
  let lastKept = 0;
  const prev = new Float64Array(n); // the last finite iterate, kept so a diverging path is drawn up to its end
  for (let k = 1; k <= o.steps; k++) {
    prev.set(x);
    o.objective.valueAndGrad(x, g);
    opt.step();
    taken = k;
    let finite = true;
    for (let i = 0; i < n; i++) if (!Number.isFinite(x[i])) finite = false;
    if (!finite || !Number.isFinite(o.objective.value(x))) {
      divergedAt = k;
      if (lastKept < k - 1) {
        path.push(Array.from(prev));
        pathSteps.push(k - 1);
        values.push(o.objective.value(prev));
      }
      break;
    }
    if (reachedAt === null && min && dist(x, min) <= tol) reachedAt = k;
    if (k % stride === 0) {
      path.push(Array.from(x));
      pathSteps.push(k);
      values.push(o.objective.value(x));
      lastKept = k;
    }
  }
  if (divergedAt === null && lastKept !== taken) {
    path.push(Array.from(x));
    pathSteps.push(taken);
    values.push(o.objective.value(x));
  }
  const finalValue = divergedAt === null ? o.objective.value(x) : NaN;
  return {
    label: o.run.label,
    name: o.run.name,
    options: o.run.options,
    x0: o.x0.slice(),
    path,
    pathSteps,
    values,
    finalValue,
    finalX: Array.from(x),
    steps: taken,
    reachedAt,
    divergedAt,
    finalDistance: divergedAt === null && min ? dist(x, min) : NaN,
    seconds: (now() - t0) / 1000,
  };
}
