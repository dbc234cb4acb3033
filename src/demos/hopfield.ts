/**
 * Lecture 003's associative memory: a Hopfield network stores P patterns of ±1 with the Hebbian rule
 * W = (1/N) Σ_μ ξ^μ ξ^μᵀ (zero diagonal) and recalls one from a corrupted copy by asynchronous updates
 * s_i ← sign(Σ_j W_ij s_j), one unit at a time in a fresh random order each sweep, until a sweep changes
 * nothing. Each update can only lower the energy E = −½ sᵀWs (a flip happens only where s_i·h_i < 0, and
 * then ΔE = 2·s_i·h_i < 0), so recall runs downhill to a fixed point. Storage works while the load P/N
 * stays below about 0.138 (Amit, Gutfreund & Sompolinsky 1985); past it the stored patterns stop being
 * fixed points. Everything here is pure and browser-safe: the CLI report and the lab mode both call it.
 */
import { Rng } from '../tensor/rng.js';
import { inputError } from '../errors.js';
import type { ClassData } from './linear-models.js';

/** Hebbian weights for P patterns of N units (patterns row-major, P×N, values ±1): N×N, zero diagonal. */
export function hebbianWeights(patterns: Int8Array, n: number): Float64Array {
  if (patterns.length % n !== 0) throw inputError(`hebbianWeights: ${patterns.length} values is not a whole number of ${n}-unit patterns`);
  const p = patterns.length / n;
  const w = new Float64Array(n * n);
  for (let mu = 0; mu < p; mu++) {
    const o = mu * n;
    for (let i = 0; i < n; i++) {
      const xi = patterns[o + i] / n;
      const row = i * n;
      for (let j = 0; j < n; j++) w[row + j] += xi * patterns[o + j];
    }
  }
  for (let i = 0; i < n; i++) w[i * n + i] = 0;
  return w;
}

/** E = −½ sᵀWs, computed from scratch. */
export function hopfieldEnergy(w: Float64Array, s: ArrayLike<number>): number {
  const n = s.length;
  let e = 0;
  for (let i = 0; i < n; i++) {
    let h = 0;
    for (let j = 0; j < n; j++) h += w[i * n + j] * s[j];
    e += s[i] * h;
  }
  return -0.5 * e;
}

/** Options of {@link recall}: the sweep budget and a per-update hook (the lab animates with it). */
export interface RecallOptions {
  /** At most this many sweeps (default 50); recall also stops after a sweep without a flip. */
  maxSweeps?: number;
  /** Called after every single-unit update (flip or not) with the update count, the unit and the energy. */
  onUpdate?: (update: number, unit: number, energy: number, state: Int8Array) => void;
}

/** How {@link recall} ended: sweeps, single-unit updates and flips done, whether it reached a fixed point, and E there. */
export interface RecallResult {
  sweeps: number;
  updates: number;
  flips: number;
  /** True when the last sweep changed nothing (a fixed point). */
  converged: boolean;
  energy: number;
}

/**
 * Asynchronous updates on `s` (±1, changed in place), one unit per `update()`, in a fresh random order each
 * sweep. Local fields h = Ws are kept up to date as units flip, so an update costs O(1) and a flip O(N);
 * sign(0) keeps the unit as it is. `recall` runs it to a fixed point; the lab steps it a few units a frame.
 */
export class AsyncRecall {
  readonly n: number;
  readonly s: Int8Array;
  private readonly w: Float64Array;
  private readonly h: Float64Array;
  private readonly order: Int32Array;
  private readonly rng: Rng;
  private pos: number;
  private changedThisSweep = 0;
  energy = 0;
  updates = 0;
  flips = 0;
  sweeps = 0;
  /** True once a whole sweep changed nothing. */
  converged = false;

  constructor(w: Float64Array, s: Int8Array, rng: Rng) {
    const n = s.length;
    if (w.length !== n * n) throw inputError(`recall: weights for ${Math.round(Math.sqrt(w.length))} units, state of ${n}`);
    this.n = n;
    this.s = s;
    this.w = w;
    this.rng = rng;
    this.h = new Float64Array(n);
    this.order = new Int32Array(n);
    this.pos = n;
    this.refresh();
  }

  /** Recomputes the fields and the energy from the state (after the state was edited from outside). */
  refresh(): void {
    const { n, w, s, h } = this;
    this.energy = 0;
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v += w[i * n + j] * s[j];
      h[i] = v;
      this.energy -= 0.5 * s[i] * v;
    }
    this.converged = false;
    this.pos = n;
    this.changedThisSweep = 0;
  }

  /** One unit's update; returns the unit. */
  update(): number {
    const { n, w, s, h } = this;
    if (this.pos === n) {
      for (let i = 0; i < n; i++) this.order[i] = i;
      this.rng.shuffle(this.order);
      this.pos = 0;
      this.changedThisSweep = 0;
    }
    const i = this.order[this.pos++];
    const a = s[i];
    if (a * h[i] < 0) {
      // flip a → −a: every field moves by −2a·W_ji, the energy by 2a·h_i (< 0)
      this.energy += 2 * a * h[i];
      s[i] = -a;
      const row = i * n;
      for (let j = 0; j < n; j++) h[j] -= 2 * a * w[row + j];
      this.changedThisSweep++;
      this.flips++;
    }
    this.updates++;
    if (this.pos === n) {
      this.sweeps++;
      if (this.changedThisSweep === 0) this.converged = true;
    }
    return i;
  }
}

/** Asynchronous recall in place on `s` until a sweep changes nothing (or `maxSweeps`). */
export function recall(w: Float64Array, s: Int8Array, rng: Rng, o: RecallOptions = {}): RecallResult {
  const maxSweeps = o.maxSweeps ?? 50;
  const r = new AsyncRecall(w, s, rng);
  while (!r.converged && r.sweeps < maxSweeps) {
    const unit = r.update();
    o.onUpdate?.(r.updates, unit, r.energy, s);
  }
  return { sweeps: r.sweeps, updates: r.updates, flips: r.flips, converged: r.converged, energy: r.energy };
}

/** Flips exactly round(fraction·N) units of a copy of `pattern`, chosen at random. */
export function corrupt(pattern: Int8Array, fraction: number, rng: Rng): Int8Array {
  if (!(fraction >= 0 && fraction <= 1)) throw inputError(`corrupt: expected a fraction in [0, 1], got ${fraction}`);
  const s = pattern.slice();
  const perm = rng.permutation(s.length);
  const k = Math.round(fraction * s.length);
  for (let t = 0; t < k; t++) s[perm[t]] = -s[perm[t]] as -1 | 1;
  return s;
}

/** The overlap m = (1/N) Σ s_i ξ_i: 1 for the pattern itself, −1 for its negative. */
export function overlap(s: ArrayLike<number>, pattern: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) m += s[i] * pattern[i];
  return m / s.length;
}

/** P random ±1 patterns of N units, row-major. */
export function randomPatterns(p: number, n: number, rng: Rng): Int8Array {
  const out = new Int8Array(p * n);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform() < 0.5 ? -1 : 1;
  return out;
}

/** Settings of {@link capacityCurve}: network size, loads P/N, trials, probes, the noise and the success threshold. */
export interface CapacityOptions {
  /** Units N (default 256). */
  n?: number;
  /** Loads P/N to try (default 0.01, 0.02, ..., 0.30). */
  loads?: number[];
  /** Fresh networks per load (default 4). */
  trials?: number;
  /** Patterns recalled per network, at most P (default 12). */
  probes?: number;
  /** Fraction of units flipped in each probe (default 0.1). */
  flip?: number;
  /** Final overlap that counts as recalled (default 0.95: at most 2.5% of the units wrong). */
  success?: number;
  seed?: number;
}

/** One load of {@link capacityCurve}: P/N, the P stored, the probes recalled, the fraction recalled and the mean overlap. */
export interface CapacityPoint {
  load: number;
  patterns: number;
  probes: number;
  /** Fraction of probes recalled (final overlap ≥ success). */
  recall: number;
  /** Mean final overlap. */
  meanOverlap: number;
}

/** The theoretical capacity of a Hebbian Hopfield network, P/N ≈ 0.138 (Amit, Gutfreund & Sompolinsky, 1985). */
export const HOPFIELD_CAPACITY = 0.138;

/** Recall success against the load P/N on random patterns. */
export function capacityCurve(o: CapacityOptions = {}): { n: number; flip: number; success: number; points: CapacityPoint[] } {
  const n = o.n ?? 256, trials = o.trials ?? 4, probes = o.probes ?? 12, flip = o.flip ?? 0.1, success = o.success ?? 0.95;
  const loads = o.loads ?? Array.from({ length: 30 }, (_v, i) => (i + 1) / 100);
  const rng = new Rng(o.seed ?? 0);
  const points: CapacityPoint[] = [];
  for (const load of loads) {
    const p = Math.max(1, Math.round(load * n));
    let ok = 0, tried = 0, m = 0;
    for (let t = 0; t < trials; t++) {
      const pats = randomPatterns(p, n, rng);
      const w = hebbianWeights(pats, n);
      for (let q = 0; q < Math.min(p, probes); q++) {
        const xi = pats.subarray(q * n, (q + 1) * n);
        const s = corrupt(xi, flip, rng);
        recall(w, s, rng);
        const ov = overlap(s, xi);
        m += ov;
        if (ov >= success) ok++;
        tried++;
      }
    }
    points.push({ load: p / n, patterns: p, probes: tried, recall: ok / tried, meanOverlap: m / tried });
  }
  return { n, flip, success, points };
}

/** Side of the digit images the Hopfield digit memory stores. */
export function digitSide(data: ClassData): number {
  const side = Math.round(Math.sqrt(data.d));
  if (side * side !== data.d) throw inputError(`digit patterns: expected square images, got ${data.d} features`);
  return side;
}

/**
 * Digit patterns to store: each class's mean image thresholded at its own median (so about half the
 * units are +1), then greedily the `count` classes whose patterns overlap least, starting from class 0.
 */
export function digitPatterns(data: ClassData, count: number): { classes: number[]; patterns: Int8Array } {
  const { d, k } = data;
  const means = new Float64Array(k * d), counts = new Float64Array(k);
  for (let r = 0; r < data.n; r++) {
    const c = data.y[r];
    counts[c]++;
    for (let j = 0; j < d; j++) means[c * d + j] += data.x[r * d + j];
  }
  const all = new Int8Array(k * d);
  for (let c = 0; c < k; c++) {
    const row = Array.from(means.subarray(c * d, (c + 1) * d), (v) => v / Math.max(1, counts[c]));
    const median = [...row].sort((a, b) => a - b)[Math.floor(d / 2)];
    for (let j = 0; j < d; j++) all[c * d + j] = row[j] > median ? 1 : -1;
  }
  const chosen = [0];
  while (chosen.length < Math.min(count, k)) {
    let best = -1, bestMax = Infinity;
    for (let c = 0; c < k; c++) {
      if (chosen.includes(c)) continue;
      const worst = Math.max(...chosen.map((q) => Math.abs(overlap(all.subarray(c * d, (c + 1) * d), all.subarray(q * d, (q + 1) * d)))));
      if (worst < bestMax) { bestMax = worst; best = c; }
    }
    chosen.push(best);
  }
  const patterns = new Int8Array(chosen.length * d);
  chosen.forEach((c, i) => patterns.set(all.subarray(c * d, (c + 1) * d), i * d));
  return { classes: chosen, patterns };
}
