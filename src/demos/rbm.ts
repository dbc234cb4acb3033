/**
 * Lecture 003's Boltzmann machine in its restricted form: binary visible units v (V) and hidden units h (H)
 * with energy E(v, h) = −vᵀWh − bᵀv − cᵀh and no connections within a layer, so p(h | v) and p(v | h)
 * factorise into logistic units. The free energy F(v) = −bᵀv − Σ_j softplus(c_j + (vᵀW)_j) gives
 * log p(v) = −F(v) − log Z. The gradient of the mean negative log-likelihood is
 *   ∂/∂W_ij = ⟨v_i h_j⟩_model − ⟨v_i p(h_j = 1 | v)⟩_data   (and likewise for b and c),
 * exact here by enumeration for tiny machines, and estimated by contrastive divergence (CD-k: k Gibbs steps
 * from the data) or persistent CD (chains kept across updates) for real ones. Parameters live in one
 * Float64Array (W row-major V×H, then b, then c), so descent's optimizers step them as one param group.
 * Pure and browser-safe.
 */
import { Rng } from '../tensor/rng.js';
import { inputError } from '../errors.js';
import { sigmoid, softplus } from './linear-models.js';

/** A binary restricted Boltzmann machine: V visible and H hidden units, its parameters in one flat buffer. */
export interface Rbm {
  visible: number;
  hidden: number;
  /** W (V×H, row-major), then b (V), then c (H). */
  params: Float64Array;
}

/** V·H + V + H: the weights W and the biases b (visible) and c (hidden). */
export function rbmParamCount(visible: number, hidden: number): number {
  return visible * hidden + visible + hidden;
}

/** Weights ~ N(0, std²), biases 0. */
export function createRbm(visible: number, hidden: number, rng: Rng, std = 0.01): Rbm {
  const params = new Float64Array(rbmParamCount(visible, hidden));
  for (let i = 0; i < visible * hidden; i++) params[i] = rng.normal(0, std);
  return { visible, hidden, params };
}

/** p(h_j = 1 | v) for every j, into `out` (H). */
export function hiddenProbs(rbm: Rbm, v: ArrayLike<number>, out: Float64Array): Float64Array {
  const { visible: V, hidden: H, params: p } = rbm;
  const cOff = V * H + V;
  for (let j = 0; j < H; j++) out[j] = p[cOff + j];
  for (let i = 0; i < V; i++) {
    const vi = v[i];
    if (vi === 0) continue;
    const row = i * H;
    for (let j = 0; j < H; j++) out[j] += vi * p[row + j];
  }
  for (let j = 0; j < H; j++) out[j] = sigmoid(out[j]);
  return out;
}

/** p(v_i = 1 | h) for every i, into `out` (V). */
export function visibleProbs(rbm: Rbm, h: ArrayLike<number>, out: Float64Array): Float64Array {
  const { visible: V, hidden: H, params: p } = rbm;
  const bOff = V * H;
  for (let i = 0; i < V; i++) {
    let z = p[bOff + i];
    const row = i * H;
    for (let j = 0; j < H; j++) z += p[row + j] * h[j];
    out[i] = sigmoid(z);
  }
  return out;
}

/** F(v) = −bᵀv − Σ_j softplus(c_j + (vᵀW)_j). */
export function freeEnergy(rbm: Rbm, v: ArrayLike<number>): number {
  const { visible: V, hidden: H, params: p } = rbm;
  const bOff = V * H, cOff = bOff + V;
  let f = 0;
  for (let i = 0; i < V; i++) f -= p[bOff + i] * v[i];
  for (let j = 0; j < H; j++) {
    let a = p[cOff + j];
    for (let i = 0; i < V; i++) a += v[i] * p[i * H + j];
    f -= softplus(a);
  }
  return f;
}

function logSumExp(v: number[]): number {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
}

/** The 2^n binary vectors of length n, as arrays of 0/1 (bit i of the index is unit i). */
function binaryStates(n: number): number[][] {
  return Array.from({ length: 2 ** n }, (_v, s) => Array.from({ length: n }, (_u, i) => (s >> i) & 1));
}

/** log Z = log Σ_v e^{−F(v)}, by enumerating every visible vector (V ≤ 20). */
export function logPartition(rbm: Rbm): number {
  if (rbm.visible > 20) throw inputError(`logPartition: enumeration needs at most 20 visible units, got ${rbm.visible}`);
  return logSumExp(binaryStates(rbm.visible).map((v) => -freeEnergy(rbm, v)));
}

/** Mean negative log-likelihood of the rows of `data` (row-major, V values each), exact (V ≤ 20). */
export function exactNll(rbm: Rbm, data: ArrayLike<number>, rows: number): number {
  const logZ = logPartition(rbm);
  let s = 0;
  for (let r = 0; r < rows; r++) s += freeEnergy(rbm, Array.from({ length: rbm.visible }, (_v, i) => data[r * rbm.visible + i]));
  return s / rows + logZ;
}

/** Adds ±(v ⊗ ph, v, ph)·scale to `grads`: one phase of the gradient. */
function accumulate(rbm: Rbm, v: ArrayLike<number>, ph: ArrayLike<number>, scale: number, grads: Float64Array): void {
  const { visible: V, hidden: H } = rbm;
  const bOff = V * H, cOff = bOff + V;
  for (let i = 0; i < V; i++) {
    const vi = v[i] * scale;
    if (vi !== 0) {
      const row = i * H;
      for (let j = 0; j < H; j++) grads[row + j] += vi * ph[j];
    }
    grads[bOff + i] += vi;
  }
  for (let j = 0; j < H; j++) grads[cOff + j] += scale * ph[j];
}

/** The exact gradient of the mean NLL (model expectations by enumerating every visible vector; V ≤ 20), into `grads`. */
export function exactGradient(rbm: Rbm, data: ArrayLike<number>, rows: number, grads: Float64Array): Float64Array {
  if (rbm.visible > 20) throw inputError(`exactGradient: enumeration needs at most 20 visible units, got ${rbm.visible}`);
  grads.fill(0);
  const ph = new Float64Array(rbm.hidden);
  for (let r = 0; r < rows; r++) {
    const v = Array.from({ length: rbm.visible }, (_x, i) => data[r * rbm.visible + i]);
    accumulate(rbm, v, hiddenProbs(rbm, v, ph), -1 / rows, grads);
  }
  const logZ = logPartition(rbm);
  for (const v of binaryStates(rbm.visible)) accumulate(rbm, v, hiddenProbs(rbm, v, ph), Math.exp(-freeEnergy(rbm, v) - logZ), grads);
  return grads;
}

/** Draws each unit 1 with its probability, in place. */
function sample(probs: Float64Array, out: Float64Array, rng: Rng): void {
  for (let i = 0; i < probs.length; i++) out[i] = rng.uniform() < probs[i] ? 1 : 0;
}

/** Buffers of one contrastive-divergence estimator: allocated once, reused every step. */
export interface CdState {
  k: number;
  persistent: boolean;
  /** Persistent chains' visible states (chains × V), kept across updates (PCD). */
  chains: Float64Array;
  chainCount: number;
  ph: Float64Array;
  pv: Float64Array;
  h: Float64Array;
  v: Float64Array;
}

/**
 * The Gibbs-sampling state of CD-k (`persistent` false) or PCD-k (true, Tieleman 2008): k steps per update,
 * `chainCount` persistent chains started at random binary states, and the scratch vectors, allocated once.
 */
export function createCd(rbm: Rbm, k: number, persistent: boolean, chainCount: number, rng: Rng): CdState {
  if (!(Number.isInteger(k) && k >= 1)) throw inputError(`CD-k: expected k an integer >= 1, got ${k}`);
  const chains = new Float64Array(chainCount * rbm.visible);
  for (let i = 0; i < chains.length; i++) chains[i] = rng.uniform() < 0.5 ? 1 : 0;
  return { k, persistent, chains, chainCount, ph: new Float64Array(rbm.hidden), pv: new Float64Array(rbm.visible), h: new Float64Array(rbm.hidden), v: new Float64Array(rbm.visible) };
}

/**
 * The CD-k (or PCD-k) estimate of the mean-NLL gradient over the minibatch rows order[start .. start+m) of
 * `data`, into `grads`: the data term with p(h | v) and the model term from k Gibbs steps, started at each
 * data row (CD) or at the persistent chains (PCD, which then keep the final states).
 */
export function cdGradient(rbm: Rbm, cd: CdState, data: ArrayLike<number>, order: ArrayLike<number>, start: number, m: number, grads: Float64Array, rng: Rng): void {
  const V = rbm.visible;
  grads.fill(0);
  const { ph, pv, h, v } = cd;
  for (let t = 0; t < m; t++) {
    const row = order[start + t] * V;
    for (let i = 0; i < V; i++) v[i] = data[row + i];
    hiddenProbs(rbm, v, ph);
    accumulate(rbm, v, ph, -1 / m, grads);
    if (cd.persistent) {
      const c = (t % cd.chainCount) * V;
      for (let i = 0; i < V; i++) v[i] = cd.chains[c + i];
      hiddenProbs(rbm, v, ph);
    }
    for (let s = 0; s < cd.k; s++) {
      sample(ph, h, rng);
      visibleProbs(rbm, h, pv);
      sample(pv, v, rng);
      hiddenProbs(rbm, v, ph);
    }
    accumulate(rbm, v, ph, 1 / m, grads);
    if (cd.persistent) cd.chains.set(v, (t % cd.chainCount) * V);
  }
}

/** Mean squared error per pixel of the mean-field reconstruction v → p(h | v) → p(v | h). */
export function reconstructionError(rbm: Rbm, data: ArrayLike<number>, rows: number): number {
  const V = rbm.visible, ph = new Float64Array(rbm.hidden), pv = new Float64Array(V);
  let s = 0;
  for (let r = 0; r < rows; r++) {
    const v = (data as Float64Array).subarray(r * V, (r + 1) * V);
    visibleProbs(rbm, hiddenProbs(rbm, v, ph), pv);
    for (let i = 0; i < V; i++) s += (v[i] - pv[i]) ** 2;
  }
  return s / (rows * V);
}

/**
 * Mean pseudo-log-likelihood per pixel, Σ_i log p(v_i | v_−i) / V with p(v_i | v_−i) = σ(F(v with v_i
 * flipped) − F(v)); exact, every pixel of every row (the flip changes each hidden input by ±W_ij, so a
 * row costs V·H).
 */
export function pseudoLogLikelihood(rbm: Rbm, data: ArrayLike<number>, rows: number): number {
  const { visible: V, hidden: H, params: p } = rbm;
  const bOff = V * H, cOff = bOff + V;
  const a = new Float64Array(H);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * V;
    for (let j = 0; j < H; j++) a[j] = p[cOff + j];
    for (let i = 0; i < V; i++) if (data[o + i] !== 0) for (let j = 0; j < H; j++) a[j] += data[o + i] * p[i * H + j];
    let spBase = 0;
    for (let j = 0; j < H; j++) spBase += softplus(a[j]);
    for (let i = 0; i < V; i++) {
      const vi = data[o + i], sign = vi === 1 ? -1 : 1;
      // F(flip) − F(v) = −b_i·(v'_i − v_i) − Σ_j [softplus(a_j + sign·W_ij) − softplus(a_j)]
      let d = -p[bOff + i] * sign;
      let sp = 0;
      for (let j = 0; j < H; j++) sp += softplus(a[j] + sign * p[i * H + j]);
      d -= sp - spBase;
      total += Math.log(sigmoid(d));
    }
  }
  return total / (rows * V);
}
