/**
 * Runs one first-order optimizer on one objective for a fixed number of steps, in float64: the loop behind
 * `descent optimize` and the lab. Per step, as PyTorch's loop does: gradient at x, optimizer step,
 * f at the new x, then the schedule (plateau gets that f).
 */
import { inputError, runError } from '../errors.js';
import type { Objective } from '../objectives/objective.js';
import { createSchedule, type ScheduleSpec } from '../schedule/schedule.js';
import { createOptimizer } from '../optim/optimizer.js';
import { ThinnedPath, type PathThinning } from './path-thinning.js';

/** One first-order run on a test function: the objective, start, optimizer with its options, steps and schedule. */
export interface FirstOrderRun {
  objective: Objective;
  x0: number[];
  optimizer: string;
  options?: Record<string, unknown>;
  steps: number;
  schedule?: ScheduleSpec | string;
  /** Tolerance of `converged` (default 1e-6). */
  gtol?: number;
  /** Called after each step with the step number (1-based), x and f(x): progress and live plots. */
  onStep?: (step: number, x: Float64Array, f: number) => void;
  /**
   * Most points kept in `path`/`values`/`lrs` (default: all). Past it the path is thinned so memory stays
   * bounded however many steps run: see `PathThinning`.
   */
  maxPathPoints?: number;
}

export type { PathThinning } from './path-thinning.js';

/** The trajectory of a first-order run: points, values, evaluations, and where it diverged or converged. */
export interface FirstOrderResult {
  /** x0, x1, ..., x_steps. */
  path: number[][];
  /** f at each point of path. */
  values: number[];
  /** Gradient evaluations made by the optimizer: exactly `steps`. */
  evaluations: number;
  /**
   * max_i |∂f/∂x_i| at the last point ≤ gtol. For first-order methods, which run a fixed number of
   * steps, this reports whether the run ended at a stationary point; the check's own gradient
   * evaluation is not counted in `evaluations`.
   */
  converged: boolean;
  /** The lr in effect at each step (length steps), after schedules; thinned as the path, one per kept step after x0. */
  lrs: number[];
  /** Present when the path was thinned (a run longer than maxPathPoints). */
  thinned?: PathThinning;
}

/**
 * Runs `steps` steps. A non-finite f or iterate stops the run with a run error
 * `diverged at step N: f is Infinity; try --lr X or lower` (X = lr/10).
 */
export function runFirstOrder(run: FirstOrderRun): FirstOrderResult {
  const { objective, steps } = run;
  const n = run.x0.length;
  const x = Float64Array.from(run.x0);
  const g = new Float64Array(n);
  const opt = createOptimizer(run.optimizer, { params: x, grads: g }, run.options ?? {});
  const group = opt.paramGroups[0];
  const baseLr = group.options.lr as number;
  // attached as torch's scheduler: it sets the group's lr (and a cycled momentum or β₁) itself
  const sched = run.schedule === undefined ? null : createSchedule(run.schedule, opt);
  if (sched?.maxSteps !== undefined && steps > sched.maxSteps) {
    throw inputError(`schedule '${sched.name}': ${steps} steps would step it past its totalSteps ${sched.maxSteps}`);
  }
  // bounded however many steps run: the rule of src/search/path-thinning.ts
  const kept = new ThinnedPath(run.maxPathPoints ?? Infinity);
  const f0 = objective.value(x);
  checkFinite(0, f0, x, baseLr);
  kept.record(0, x, f0);
  for (let t = 1; t <= steps; t++) {
    objective.valueAndGrad(x, g);
    const lr = group.options.lr as number;
    opt.step();
    const f = objective.value(x);
    checkFinite(t, f, x, group.options.lr as number);
    sched?.step(f);
    kept.record(t, x, f, lr);
    run.onStep?.(t, x, f);
  }
  const thinned = kept.finish();
  const { path, values } = kept;
  // lrs[k] belongs to path[k + 1] (x0 has none)
  const lrs = kept.tags.slice(1);
  objective.valueAndGrad(x, g);
  let gmax = 0;
  for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i]));
  return { path, values, evaluations: steps, converged: gmax <= (run.gtol ?? 1e-6), lrs, ...(thinned ? { thinned } : {}) };
}

function checkFinite(step: number, f: number, x: Float64Array, lr: number): void {
  let bad = !Number.isFinite(f);
  for (let i = 0; i < x.length && !bad; i++) bad = !Number.isFinite(x[i]);
  if (bad) {
    const what = Number.isFinite(f) ? 'the iterate is not finite' : `f is ${f}`;
    // a lower lr helps only where a step with lr > 0 led there: at x0, or with lr 0, it is the start point
    const advice = step > 0 && lr > 0 ? `try --lr ${+(lr / 10).toPrecision(6)} or lower` : step === 0 ? 'f is not finite at the start point; try another --x0' : 'lr is 0, so the start point gives it; try another --x0';
    throw runError(`diverged at step ${step}: ${what}; ${advice}`);
  }
}
