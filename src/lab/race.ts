/**
 * Function mode's engine: several optimizers stepping on one 2-D test function from one start,
 * each with its own point, gradient buffer and torch optimizer. Pure (no DOM), so Node tests drive
 * it exactly as the browser does.
 */
import { makeObjective, type Objective } from '../objectives/index.js';
import { createOptimizer, type Optimizer } from '../optim/index.js';
import { LAB_OPTIMIZERS, optimizerOptions, startOf, type FnState, type LabOptimizer } from './state.js';

/** Beyond this distance from the origin (or at a non-finite value) a runner is marked diverged and stops. */
export const DIVERGED_NORM = 1e6;

/** One optimizer's run: the path so far (x, y interleaved) and f at each point. */
export interface Runner {
  name: LabOptimizer;
  color: string;
  label: string;
  optimizer: Optimizer;
  /** The current point; the optimizer updates it in place. */
  x: Float64Array;
  g: Float64Array;
  /** Every point visited, x0 first, as [x0, y0, x1, y1, ...]. */
  path: number[];
  /** f at each point of `path`. */
  values: number[];
  diverged: boolean;
}

export class Race {
  readonly objective: Objective;
  readonly runners: Runner[];
  /** Steps taken by every live runner. */
  steps = 0;

  constructor(readonly state: FnState) {
    this.objective = makeObjective(state.fn, 2);
    const [x0, y0] = startOf(state);
    this.runners = state.on.map((name) => {
      const x = Float64Array.of(x0, y0);
      const g = new Float64Array(2);
      const spec = LAB_OPTIMIZERS[name];
      const optimizer = createOptimizer(spec.rule, { params: x, grads: g }, optimizerOptions(name, state));
      const f0 = this.objective.valueAndGrad(x, g);
      return { name, color: spec.color, label: spec.label, optimizer, x, g, path: [x0, y0], values: [f0], diverged: !Number.isFinite(f0) };
    });
  }

  /**
   * Copies the sliders' current values into each optimizer's live options; like torch's
   * `param_groups[0]['lr'] = ...`, a change applies from the next step on and keeps the state.
   */
  applyOptions(): void {
    for (const r of this.runners) {
      const opts = r.optimizer.paramGroups[0].options;
      for (const [k, v] of Object.entries(optimizerOptions(r.name, this.state))) opts[k] = v;
    }
  }

  /** One step of every live runner: gradient at the current point, update, record the new point. */
  step(): void {
    for (const r of this.runners) {
      if (r.diverged) continue;
      this.objective.valueAndGrad(r.x, r.g);
      r.optimizer.step();
      const f = this.objective.value(r.x);
      r.path.push(r.x[0], r.x[1]);
      r.values.push(f);
      if (!Number.isFinite(f) || !(Math.hypot(r.x[0], r.x[1]) < DIVERGED_NORM)) r.diverged = true;
    }
    this.steps++;
  }
}
