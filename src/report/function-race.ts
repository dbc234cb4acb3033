/**
 * Function mode of `descent compare`: every optimizer run from every start on one objective, in float64,
 * recording the path, f, and the first step at which the iterate is within `tol` of the known minimum.
 * First-order rules take `steps` steps (one gradient evaluation each); the line-search and second-order
 * methods (bfgs, newton, ...) run `minimize` until their stop reason or `steps` iterations, and lbfgs-torch
 * makes up to `steps` step(closure) calls; each counts its objective evaluations, so the reach table can
 * compare a gradient step with a line-search iteration.
 * Pure (no Node APIs): the lab can run the same races in the browser.
 */
import type { Objective } from '../objectives/objective.js';
import { createOptimizer } from '../optim/index.js';
import type { HyperOptions } from '../optim/index.js';
import { minimize, type StopReason } from '../search/minimize.js';
import { LbfgsTorch } from '../search/lbfgs-torch.js';
import { isRaceSearchMethod, type RunSpec } from './spec.js';

/**
 * Why a search method stopped: minimize's reasons, and lbfgs-torch's 'no-progress' (a step() call that left x
 * where it was with max|∇f| above toleranceGrad: its loss or step tolerance ended every later call the same way).
 */
export type RaceStopReason = StopReason | 'no-progress';

export interface RaceResult {
  label: string;
  name: string;
  options: RunSpec['options'];
  x0: number[];
  /** x0 then every `stride`-th iterate, and always the last one reached (at most maxPoints + 2 points). */
  path: number[][];
  /** The step number of each point of path. */
  pathSteps: number[];
  /** Objective evaluations made by each point of path (= pathSteps for a first-order rule). */
  pathEvaluations: number[];
  /** f at each point of path. */
  values: number[];
  /** f at the last iterate (NaN when diverged). */
  finalValue: number;
  finalX: number[];
  /** Steps (first-order) or iterations (search methods) actually taken. */
  steps: number;
  /** 'first-order': torch.optim rules, one gradient evaluation per step; 'search': line-search and second-order methods. */
  kind: 'first-order' | 'search';
  /** Objective evaluations (f and ∇f together count once): one per step for a first-order rule. */
  evaluations: number;
  /** Analytic Hessian evaluations (newton on a function with a Hessian; 0 otherwise). */
  hessianEvaluations: number;
  /** Why a search method stopped; null for first-order rules (they run the cap unless they diverge). */
  stopReason: RaceStopReason | null;
  /** First step k with ‖x_k − x*‖₂ ≤ tol; null when never (or when no minimum is known). */
  reachedAt: number | null;
  /** Objective evaluations made up to that iterate (reachedAt itself for a first-order rule); null when never. */
  reachedAtEvaluations: number | null;
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
  if (o.run.name === 'lbfgs-torch') return raceLbfgsTorch(o);
  if (isRaceSearchMethod(o.run.name)) return raceSearch(o);
  return raceFirstOrder(o);
}

function raceFirstOrder(o: RaceOptions): RaceResult {
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  const n = o.x0.length;
  const x = Float64Array.from(o.x0);
  const g = new Float64Array(n);
  const opt = createOptimizer(o.run.name, { params: x, grads: g }, o.run.options as HyperOptions);
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
    pathEvaluations: pathSteps.slice(),
    values,
    finalValue,
    finalX: Array.from(x),
    steps: taken,
    kind: 'first-order',
    evaluations: taken,
    hessianEvaluations: 0,
    stopReason: null,
    reachedAt,
    reachedAtEvaluations: reachedAt,
    divergedAt,
    finalDistance: divergedAt === null && min ? dist(x, min) : NaN,
    seconds: (now() - t0) / 1000,
  };
}

/**
 * The kept points of a run whose length is not known in advance: every iterate while there are at most
 * 2·maxPoints, then every second kept one, and so on (the stride doubles), plus always the last finite
 * iterate. A 40-iteration BFGS path keeps all 40 points beside a strided 5,000-step Adam path.
 */
class PathSampler {
  readonly path: number[][] = [];
  readonly pathSteps: number[] = [];
  readonly pathEvaluations: number[] = [];
  readonly values: number[] = [];
  private stride = 1;
  private last: { k: number; x: number[]; f: number; e: number } | null = null;

  constructor(private readonly maxPoints: number) {}

  add(k: number, x: ArrayLike<number>, f: number, evaluations: number): void {
    this.last = { k, x: Array.from(x), f, e: evaluations };
    if (k % this.stride !== 0) return;
    this.path.push(this.last.x);
    this.pathSteps.push(k);
    this.pathEvaluations.push(evaluations);
    this.values.push(f);
    if (this.path.length <= 2 * this.maxPoints) return;
    this.stride *= 2;
    let j = 0;
    for (let i = 0; i < this.path.length; i++) {
      if (this.pathSteps[i] % this.stride !== 0) continue;
      this.path[j] = this.path[i];
      this.pathSteps[j] = this.pathSteps[i];
      this.pathEvaluations[j] = this.pathEvaluations[i];
      this.values[j] = this.values[i];
      j++;
    }
    this.path.length = this.pathSteps.length = this.pathEvaluations.length = this.values.length = j;
  }

  /** Adds the last iterate seen when the stride skipped it. */
  finish(): void {
    const l = this.last;
    if (l && this.pathSteps[this.pathSteps.length - 1] !== l.k) {
      this.path.push(l.x);
      this.pathSteps.push(l.k);
      this.pathEvaluations.push(l.e);
      this.values.push(l.f);
    }
  }
}

function isFinitePoint(x: ArrayLike<number>, f: number): boolean {
  if (!Number.isFinite(f)) return false;
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/**
 * A line-search or second-order method: `minimize` from x0 with maxIter = steps; each iterate is a point of
 * the path. A non-finite f or iterate ends the run as divergence at that iteration (the path stops at the last
 * finite iterate), as a first-order run's does.
 */
function raceSearch(o: RaceOptions): RaceResult {
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  const tol = o.tol ?? 1e-2;
  const min = o.objective.minimum;
  const sampler = new PathSampler(o.maxPoints ?? 600);
  let reachedAt: number | null = null;
  let reachedAtEvaluations: number | null = null;
  let divergedAt: number | null = null;
  const r = minimize(o.objective, o.x0, {
    ...o.run.options,
    method: o.run.name,
    maxIter: o.steps,
    recordPath: false,
    onIterate: (info) => {
      if (divergedAt !== null) return;
      if (!isFinitePoint(info.x, info.fun)) {
        divergedAt = info.nit;
        return;
      }
      sampler.add(info.nit, info.x, info.fun, info.evaluations);
      if (reachedAt === null && min && dist(info.x, min) <= tol) {
        reachedAt = info.nit;
        reachedAtEvaluations = info.evaluations;
      }
    },
  });
  if (divergedAt === null && r.reason === 'non-finite') divergedAt = r.nit; // a gradient that overflowed at a finite f
  return searchRaceResult(o, sampler, {
    x: r.x, f: r.fun, steps: r.nit, evaluations: r.evaluations, hessianEvaluations: r.hessianEvaluations,
    stopReason: r.reason, reachedAt, reachedAtEvaluations, divergedAt, seconds: (now() - t0) / 1000,
  });
}

/** Where a search-kind run ended: what `searchRaceResult` needs beyond the options and the sampled path. */
interface SearchRunEnd {
  x: ArrayLike<number>;
  f: number;
  steps: number;
  evaluations: number;
  hessianEvaluations: number;
  stopReason: RaceStopReason;
  reachedAt: number | null;
  reachedAtEvaluations: number | null;
  divergedAt: number | null;
  seconds: number;
}

/** The RaceResult of a search-kind run (minimize's methods and lbfgs-torch alike). */
function searchRaceResult(o: RaceOptions, sampler: PathSampler, end: SearchRunEnd): RaceResult {
  sampler.finish();
  const diverged = end.divergedAt !== null;
  const min = o.objective.minimum;
  return {
    label: o.run.label,
    name: o.run.name,
    options: o.run.options,
    x0: o.x0.slice(),
    path: sampler.path,
    pathSteps: sampler.pathSteps,
    pathEvaluations: sampler.pathEvaluations,
    values: sampler.values,
    finalValue: diverged ? NaN : end.f,
    finalX: Array.from(end.x),
    steps: end.steps,
    kind: 'search',
    evaluations: end.evaluations,
    hessianEvaluations: end.hessianEvaluations,
    stopReason: end.stopReason,
    reachedAt: end.reachedAt,
    reachedAtEvaluations: end.reachedAtEvaluations,
    divergedAt: end.divergedAt,
    finalDistance: !diverged && min ? dist(end.x, min) : NaN,
    seconds: end.seconds,
  };
}

/**
 * torch.optim.LBFGS as a PyTorch loop runs it: up to `steps` calls of step(closure), each call one point of
 * the path, evaluations every closure call. The loop ends early when a call leaves x unchanged (torch returns
 * at its first check, max|∇f| ≤ toleranceGrad, and every later call would re-evaluate the same point): reason
 * 'gtol', or 'no-progress' when the gradient is still above toleranceGrad.
 */
function raceLbfgsTorch(o: RaceOptions): RaceResult {
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  const tol = o.tol ?? 1e-2;
  const min = o.objective.minimum;
  const n = o.x0.length;
  const x = Float64Array.from(o.x0);
  const g = new Float64Array(n);
  const prev = new Float64Array(n);
  const opt = new LbfgsTorch(x, g, o.run.options);
  let evaluations = 0;
  const closure = (): number => {
    evaluations++;
    return o.objective.valueAndGrad(x, g);
  };
  const sampler = new PathSampler(o.maxPoints ?? 600);
  const f0 = o.objective.value(x);
  let divergedAt: number | null = isFinitePoint(x, f0) ? null : 0;
  let reachedAt: number | null = divergedAt === null && min && dist(x, min) <= tol ? 0 : null;
  let reachedAtEvaluations: number | null = reachedAt === null ? null : 0;
  sampler.add(0, x, f0, 0);
  let stopReason: RaceStopReason = divergedAt === null ? 'max-iterations' : 'non-finite';
  let taken = 0;
  let f = f0;
  for (let k = 1; k <= o.steps && divergedAt === null; k++) {
    prev.set(x);
    opt.step(closure);
    let moved = false;
    for (let i = 0; i < n; i++) if (x[i] !== prev[i]) moved = true;
    if (!moved) {
      let gmax = 0;
      for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i])); // g is ∇f at x: the call's first closure
      stopReason = gmax <= opt.options.toleranceGrad ? 'gtol' : 'no-progress';
      break;
    }
    f = o.objective.value(x);
    if (!isFinitePoint(x, f)) {
      divergedAt = taken = k; // the diverging call counts as run, as a first-order rule's diverging step does
      stopReason = 'non-finite';
      break;
    }
    taken = k;
    sampler.add(k, x, f, evaluations);
    if (reachedAt === null && min && dist(x, min) <= tol) {
      reachedAt = k;
      reachedAtEvaluations = evaluations;
    }
  }
  return searchRaceResult(o, sampler, {
    x, f, steps: taken, evaluations, hessianEvaluations: 0, stopReason, reachedAt, reachedAtEvaluations, divergedAt,
    seconds: (now() - t0) / 1000,
  });
}
