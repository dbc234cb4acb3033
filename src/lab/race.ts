/**
 * Function mode's engine: several optimizers stepping on one 2-D test function from one start,
 * each with its own point, gradient buffer and torch optimizer, and the line-search and second-order
 * methods beside them: each of those runs `minimize` once, up front (a 2-D run takes milliseconds), and
 * shows one iteration per step. Pure (no DOM), so Node tests drive it exactly as the browser does.
 */
import { makeObjective, type Objective } from '../objectives/index.js';
import { createOptimizer, type Optimizer } from '../optim/index.js';
import { minimize, type StopReason } from '../search/index.js';
import { LAB_OPTIMIZERS, LAB_SEARCH_METHODS, optimizerOptions, startOf, type FnState, type LabOptimizer, type LabSearchMethod } from './state.js';

/** Beyond this distance from the origin (or at a non-finite value) a runner is marked diverged and stops. */
export const DIVERGED_NORM = 1e6;

/** The line-search methods' tolerance and iteration cap in the playground. */
export const SEARCH_GTOL = 1e-10;
export const SEARCH_MAX_ITER = 5000;

/** A line-search method's whole run, computed when the race starts. */
export interface SearchRun {
  /** Every iterate, x0 first, as [x0, y0, x1, y1, ...]; f at each; evaluations used up to each. */
  path: number[];
  values: number[];
  evaluations: number[];
  reason: StopReason;
}

/** One optimizer's run: the path so far (x, y interleaved) and f at each point. */
export interface Runner {
  name: LabOptimizer | LabSearchMethod;
  color: string;
  label: string;
  /** The torch optimizer; null for a line-search method (its iterates come from `search`). */
  optimizer: Optimizer | null;
  search: SearchRun | null;
  /** The current point; the optimizer updates it in place. */
  x: Float64Array;
  g: Float64Array;
  /** Every point visited, x0 first, as [x0, y0, x1, y1, ...]. */
  path: number[];
  /** f at each point of `path`. */
  values: number[];
  diverged: boolean;
  /** A line-search method that has shown its last iterate (it stopped: `search.reason` says why). */
  done: boolean;
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
      return { name, color: spec.color, label: spec.label, optimizer, search: null, x, g, path: [x0, y0], values: [f0], diverged: !Number.isFinite(f0), done: false };
    });
    for (const method of state.search) this.runners.push(this.searchRunner(method, x0, y0));
  }

  private searchRunner(method: LabSearchMethod, x0: number, y0: number): Runner {
    const evaluations: number[] = [];
    const r = minimize(this.objective, [x0, y0], {
      method, gtol: SEARCH_GTOL, maxIter: SEARCH_MAX_ITER, onIterate: (info) => evaluations.push(info.evaluations),
    });
    const search: SearchRun = { path: r.path.flat(), values: r.values, evaluations, reason: r.reason };
    const spec = LAB_SEARCH_METHODS[method];
    const f0 = r.values[0];
    return {
      name: method, color: spec.color, label: spec.label, optimizer: null, search, x: Float64Array.of(x0, y0), g: new Float64Array(2),
      path: [x0, y0], values: [f0], diverged: !Number.isFinite(f0), done: r.values.length === 1,
    };
  }

  /**
   * Copies the sliders' current values into each optimizer's live options; like torch's
   * `param_groups[0]['lr'] = ...`, a change applies from the next step on and keeps the state.
   */
  applyOptions(): void {
    for (const r of this.runners) {
      if (!r.optimizer) continue;
      const opts = r.optimizer.paramGroups[0].options;
      for (const [k, v] of Object.entries(optimizerOptions(r.name as LabOptimizer, this.state))) opts[k] = v;
    }
  }

  /**
   * One step of every live runner: gradient at the current point, update, record the new point (a line-search
   * method's next iterate).
   */
  step(): void {
    for (const r of this.runners) {
      if (r.diverged || r.done) continue;
      let f: number;
      if (r.search) {
        const k = r.values.length;
        r.x[0] = r.search.path[2 * k];
        r.x[1] = r.search.path[2 * k + 1];
        f = r.search.values[k];
        r.done = k + 1 === r.search.values.length;
      } else {
        this.objective.valueAndGrad(r.x, r.g);
        r.optimizer!.step();
        f = this.objective.value(r.x);
      }
      r.path.push(r.x[0], r.x[1]);
      r.values.push(f);
      if (!Number.isFinite(f) || !(Math.hypot(r.x[0], r.x[1]) < DIVERGED_NORM)) r.diverged = true;
    }
    this.steps++;
  }

  /** Whether no runner can move any more (every one diverged or, for a line-search method, stopped). */
  get finished(): boolean {
    return this.runners.every((r) => r.diverged || r.done);
  }

  /** Objective evaluations a line-search runner has used up to the iterate it shows. */
  static evaluationsShown(r: Runner): number {
    return r.search ? r.search.evaluations[r.values.length - 1] : r.values.length - 1;
  }
}
