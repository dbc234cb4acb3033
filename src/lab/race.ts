/**
 * Function mode's engine: several optimizers stepping on one 2-D test function from one start,
 * each with its own point, gradient buffer and torch optimizer, and the line-search and second-order
 * methods beside them: each of those runs `minimize` once, up front (a 2-D run takes milliseconds), and
 * shows one iteration per step. Pure (no DOM), so Node tests drive it exactly as the browser does.
 */
import type { Objective } from '../objectives/index.js';
import { labObjective } from './functions.js';
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
  /** The step at which f or x stopped being finite or x left the |x| < 1e6 disc (0: at the start); null while finite. */
  divergedAt: number | null;
  /** A line-search method that has shown its last iterate (it stopped: `search.reason` says why). */
  done: boolean;
}

export class Race {
  readonly objective: Objective;
  readonly runners: Runner[];
  /** Steps taken by every live runner. */
  steps = 0;

  /**
   * `objective`: the function to race on (a typed one); by default the state's listed function. A typed
   * function that does not parse has no race: the page shows its error instead.
   */
  constructor(readonly state: FnState, objective?: Objective) {
    if (!objective) {
      const lab = labObjective(state);
      if (!lab.ok) throw new Error(`lab: ${lab.message}`);
      objective = lab.lab.objective;
    }
    this.objective = objective;
    const [x0, y0] = startOf(state);
    this.runners = state.on.map((name) => {
      const x = Float64Array.of(x0, y0);
      const g = new Float64Array(2);
      const spec = LAB_OPTIMIZERS[name];
      const optimizer = createOptimizer(spec.rule, { params: x, grads: g }, optimizerOptions(name, state));
      const f0 = this.objective.valueAndGrad(x, g);
      return { name, color: spec.color, label: spec.label, optimizer, search: null, x, g, path: [x0, y0], values: [f0], diverged: !Number.isFinite(f0) || !g.every(Number.isFinite), divergedAt: Number.isFinite(f0) && g.every(Number.isFinite) ? null : 0, done: false };
    });
    for (const method of state.search) this.runners.push(this.searchRunner(method, x0, y0));
  }

  private searchRunner(method: LabSearchMethod, x0: number, y0: number): Runner {
    const evaluations: number[] = [];
    const spec = LAB_SEARCH_METHODS[method];
    let r;
    try {
      r = minimize(this.objective, [x0, y0], {
        method, gtol: SEARCH_GTOL, maxIter: SEARCH_MAX_ITER, onIterate: (info) => evaluations.push(info.evaluations),
      });
    } catch {
      // a typed function can overflow where a method cannot start (f(x0) = ∞): shown as diverged at once
      const f0 = this.objective.value(Float64Array.of(x0, y0));
      return { name: method, color: spec.color, label: spec.label, optimizer: null, search: { path: [x0, y0], values: [f0], evaluations: [1], reason: 'non-finite' }, x: Float64Array.of(x0, y0), g: new Float64Array(2), path: [x0, y0], values: [f0], diverged: true, divergedAt: 0, done: true };
    }
    const search: SearchRun = { path: r.path.flat(), values: r.values, evaluations, reason: r.reason };
    const f0 = r.values[0];
    return {
      name: method, color: spec.color, label: spec.label, optimizer: null, search, x: Float64Array.of(x0, y0), g: new Float64Array(2),
      path: [x0, y0], values: [f0], diverged: !Number.isFinite(f0), divergedAt: Number.isFinite(f0) ? null : 0, done: r.values.length === 1,
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
      if (!Number.isFinite(f) || !(Math.hypot(r.x[0], r.x[1]) < DIVERGED_NORM)) {
        r.diverged = true;
        r.divergedAt = this.steps + 1;
      }
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

/** What the page draws at a runner's current point (all in data units, ready to map through the plot's scales). */
export interface RunnerVectors {
  x: number;
  y: number;
  /** −∇f at the current point. */
  descent: [number, number];
  /** The direction of motion the optimizer carries: −(momentum buffer) for SGD/RMSProp with momentum, −m̂ for Adam and NAdam; null without one. */
  velocity: [number, number] | null;
  /**
   * The per-coordinate step sizes η_i the rule would apply to the current gradient (Adam: lr/(√v̂_i + ε),
   * RMSProp: lr/(√v_i + ε), Adagrad: lr_t/(√Σg_i² + ε), Adadelta: lr·√(Δ_i + ε)/√(v_i + ε)); null for a rule
   * with one step size for every coordinate.
   */
  stepSizes: [number, number] | null;
}

const scratchX = new Float64Array(2);
const scratchG = new Float64Array(2);

/** The vectors at a first-order runner's current point, from its optimizer's own state (torch's names). */
export function runnerVectors(race: Race, r: Runner): RunnerVectors | null {
  if (!r.optimizer || r.diverged) return null;
  scratchX.set(r.x);
  race.objective.valueAndGrad(scratchX, scratchG);
  if (!Number.isFinite(scratchG[0]) || !Number.isFinite(scratchG[1])) return null;
  const st = r.optimizer.state[0] as Record<string, Float64Array | number>;
  const o = r.optimizer.paramGroups[0].options as Record<string, unknown>;
  const lr = Number(o.lr);
  const eps = typeof o.eps === 'number' ? o.eps : 1e-8;
  const step = typeof st.step === 'number' ? st.step : 0;
  const pair = (a: ArrayLike<number>, k = 1): [number, number] => [k * a[0], k * a[1]];
  let velocity: [number, number] | null = null;
  let stepSizes: [number, number] | null = null;
  const rule = r.optimizer.name;
  if ((rule === 'sgd' || rule === 'rmsprop') && Number(o.momentum) > 0 && st.momentumBuffer instanceof Float64Array && step > 0) velocity = pair(st.momentumBuffer, -1);
  if ((rule === 'adam' || rule === 'nadam' || rule === 'adamw') && st.expAvg instanceof Float64Array && step > 0) {
    const [b1, b2] = o.betas as [number, number];
    velocity = pair(st.expAvg, -1 / (1 - Math.pow(b1, step)));
    const v = st.expAvgSq as Float64Array;
    const c2 = 1 - Math.pow(b2, step);
    stepSizes = [lr / (Math.sqrt(v[0] / c2) + eps), lr / (Math.sqrt(v[1] / c2) + eps)];
  }
  if (rule === 'rmsprop' && st.squareAvg instanceof Float64Array && step > 0) {
    const v = st.squareAvg;
    stepSizes = [lr / (Math.sqrt(v[0]) + eps), lr / (Math.sqrt(v[1]) + eps)];
  }
  if (rule === 'adagrad' && st.sum instanceof Float64Array && step > 0) {
    const clr = lr / (1 + step * Number(o.lrDecay ?? 0)); // the next step's
    const v = st.sum;
    stepSizes = [clr / (Math.sqrt(v[0]) + eps), clr / (Math.sqrt(v[1]) + eps)];
  }
  if (rule === 'adadelta' && st.squareAvg instanceof Float64Array && step > 0) {
    const v = st.squareAvg, d = st.accDelta as Float64Array;
    const e = typeof o.eps === 'number' ? o.eps : 1e-6;
    stepSizes = [lr * Math.sqrt(d[0] + e) / Math.sqrt(v[0] + e), lr * Math.sqrt(d[1] + e) / Math.sqrt(v[1] + e)];
  }
  return { x: r.x[0], y: r.x[1], descent: [-scratchG[0], -scratchG[1]], velocity, stepSizes };
}
