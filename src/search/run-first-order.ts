/**
 * Runs one first-order optimizer on one objective for a fixed number of steps, in float64: the loop behind
 * `descent optimize` and the lab. Per step, as PyTorch's loop does: gradient at x, optimizer step,
 * f at the new x, then the schedule (plateau gets that f).
 */
import { inputError, runError } from '../errors.js';
import type { Objective } from '../objectives/objective.js';
import { createSchedule, type ScheduleSpec } from '../schedule/schedule.js';
import { createOptimizer } from '../optim/optimizer.js';

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
}

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
  /** The lr in effect at each step (length steps), after schedules. */
  lrs: number[];
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
  const path: number[][] = [Array.from(x)];
  const f0 = objective.value(x);
  const values: number[] = [f0];
  const lrs: number[] = [];
  checkFinite(0, f0, x, baseLr);
  for (let t = 1; t <= steps; t++) {
    objective.valueAndGrad(x, g);
    lrs.push(group.options.lr as number);
    opt.step();
    const f = objective.value(x);
    checkFinite(t, f, x, group.options.lr as number);
    sched?.step(f);
    path.push(Array.from(x));
    values.push(f);
    run.onStep?.(t, x, f);
  }
  objective.valueAndGrad(x, g);
  let gmax = 0;
  for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i]));
  return { path, values, evaluations: steps, converged: gmax <= (run.gtol ?? 1e-6), lrs };
}

function checkFinite(step: number, f: number, x: Float64Array, lr: number): void {
  let bad = !Number.isFinite(f);
  for (let i = 0; i < x.length && !bad; i++) bad = !Number.isFinite(x[i]);
  if (bad) {
    const what = Number.isFinite(f) ? 'the iterate is not finite' : `f is ${f}`;
    throw runError(`diverged at step ${step}: ${what}; try --lr ${+(lr / 10).toPrecision(6)} or lower`);
  }
}
