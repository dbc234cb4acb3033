/**
 * Loss landscapes of a trained network (Li, Xu, Taylor, Studer & Goldstein, "Visualizing the Loss Landscape of
 * Neural Nets", NeurIPS 2018):
 * - a 2-D slice around the trained weights θ*: L(θ* + α·d₁ + β·d₂) on a grid, along two random Gaussian
 *   directions that are filter-normalized: each filter (for a fully connected layer, the row of a weight matrix
 *   feeding one output unit) of dᵢ is rescaled to the norm of the same filter of θ*, and bias directions are 0
 *   (§4 of the paper), so the slice's scale matches the weights' own and slices of different nets compare;
 * - the training trajectory θ₀ … θₙ projected on the top two principal directions of the matrix whose rows
 *   are θᵢ − θₙ (§7: random directions are nearly orthogonal to the path and show it as a point), with the loss
 *   over the plane those two directions span around θₙ.
 * Every grid point is one forward pass over a fixed subset of the training rows in evaluation mode (the
 * Trainer's fast path: wasm kernels and an arena, no autograd tape), with the weights moved in place and put
 * back afterwards. Pure (no Node APIs).
 */
import { inputError } from '../errors.js';
import { noGrad, tensor, withArena } from '../autograd/index.js';
import type { Dataset } from '../data/dataset.js';
import { Linear, lossByName, type LossName, type Sequential } from '../nn/index.js';
import { Arena } from '../tensor/arena.js';
import { alloc } from '../tensor/alloc.js';
import { kernels } from '../tensor/kernels.js';
import type { FloatArray } from '../tensor/tensor.js';
import { Rng } from '../tensor/rng.js';

/** A direction in parameter space: one value per parameter, in model.params order (float64). */
export type Direction = Float64Array;

/**
 * A random direction with Li et al.'s filter normalization: d ~ N(0, I), then for each weight matrix row r
 * (a filter: one output unit's incoming weights) d_r ← d_r · ‖θ_r‖ / ‖d_r‖; biases and other non-weight
 * parameters get 0.
 */
export function filterNormalizedDirection(model: Sequential, rng: Rng): Direction {
  const theta = model.params;
  const d = new Float64Array(theta.length);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  for (const p of model.parameters()) {
    if (!p.isWeight) {
      d.fill(0, p.offset, p.offset + p.size);
      continue;
    }
    const rows = p.shape[0];
    const cols = p.size / rows;
    for (let r = 0; r < rows; r++) {
      const a = p.offset + r * cols;
      let nd = 0, nt = 0;
      for (let k = a; k < a + cols; k++) {
        nd += d[k] * d[k];
        nt += theta[k] * theta[k];
      }
      const s = nd > 0 ? Math.sqrt(nt / nd) : 0;
      for (let k = a; k < a + cols; k++) d[k] *= s;
    }
  }
  return d;
}

/** The loss over a grid of the plane θc + α·d₁ + β·d₂. */
export interface LossGrid {
  /** Grid coordinates along d₁ (columns) and d₂ (rows). */
  alphas: number[];
  betas: number[];
  /** loss[j·alphas.length + i] at (alphas[i], betas[j]). */
  loss: Float64Array;
}

/** A subset of rows of a dataset (the first `n` of a seeded permutation), so every grid point sees the same rows. */
export function rowSubset(ds: Dataset, n: number, seed: number): Dataset {
  if (n >= ds.n) return ds;
  const perm = new Rng(seed).permutation(ds.n) as ArrayLike<number>;
  const x = new (ds.x.constructor as { new (k: number): Float32Array | Float64Array })(n * ds.d);
  const y = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = perm[k];
    x.set(ds.x.subarray(i * ds.d, (i + 1) * ds.d), k * ds.d);
    y[k] = ds.y[i];
  }
  return { ...ds, x, y, n };
}

/**
 * L(center + α·d₁ + β·d₂) for every α in `alphas`, β in `betas`: the model's weights are set in place for each
 * point and restored to what they were at the end (also when the evaluation throws). `onProgress(done, total)`
 * after each point.
 */
export function lossGrid(
  model: Sequential, lossName: LossName, ds: Dataset, center: ArrayLike<number>, d1: Direction, d2: Direction,
  alphas: number[], betas: number[], onProgress?: (done: number, total: number) => void,
): LossGrid {
  const p = model.params;
  if (center.length !== p.length || d1.length !== p.length || d2.length !== p.length) throw inputError(`landscape: directions of ${d1.length} and ${d2.length} values for a model of ${p.length} parameters`);
  const saved = p.slice();
  const loss = new Float64Array(alphas.length * betas.length);
  const total = loss.length;
  // one arena for every forward pass (reset after each chunk): thousands of evaluations allocate nothing new
  const arena = new Arena();
  const f = lossByName(lossName);
  const wasTraining = model.training;
  model.eval();
  const CHUNK = 1024;
  const chunks: { s: number; m: number; a0: FloatArray; a1: FloatArray; a2: FloatArray }[] = [];
  // The first layer is linear in its parameters: at θc + α·d₁ + β·d₂ its output is A₀ + α·A₁ + β·A₂, where A₀ is
  // the layer at θc and A₁, A₂ are the layer with the directions as its weights and bias. Computed once, it
  // turns the largest matmul of an MLP (784×512 of MNIST's 535k parameters) into an axpy per grid point.
  const first = model.layers[0];
  const firstParams = first ? first.paramSpecs().length : 0;
  const linearFirst = first instanceof Linear && firstParams > 0;
  const span = linearFirst ? model.parameters().slice(0, firstParams).reduce((e, q) => Math.max(e, q.offset + q.size), 0) : 0;
  if (linearFirst) {
    // kept in `alloc` memory (the wasm arena for float32), like z below: the kernels take them without copies
    const layerAt = (src: ArrayLike<number>, s0: number, m: number) => {
      for (let k = 0; k < span; k++) p[k] = src[k];
      let out: FloatArray = new Float32Array(0);
      noGrad(() => withArena(arena, () => {
        const h = first.forward(tensor(ds.x.subarray(s0 * ds.d, (s0 + m) * ds.d), [m, ds.d])).data;
        out = alloc(model.dtype, h.length);
        out.set(h);
      }));
      arena.reset();
      return out;
    };
    for (let s0 = 0; s0 < ds.n; s0 += CHUNK) {
      const m = Math.min(CHUNK, ds.n - s0);
      chunks.push({ s: s0, m, a0: layerAt(center, s0, m), a1: layerAt(d1, s0, m), a2: layerAt(d2, s0, m) });
    }
  }
  const rest = model.layers.slice(1);
  const z = linearFirst ? alloc(model.dtype, chunks[0].a0.length) : null;
  // the rows in chunks, each with its views and shape made once: a grid point creates no typed array and no
  // buffer (the arena hands the same ones back), only the layers' small Tensor objects
  const parts: { m: number; x: FloatArray; shape: number[]; y: Float64Array; c?: (typeof chunks)[number] }[] = [];
  if (z) for (const c of chunks) parts.push({ m: c.m, x: z.subarray(0, c.a0.length), shape: [c.m, c.a0.length / c.m], y: ds.y.subarray(c.s, c.s + c.m), c });
  else for (let s0 = 0; s0 < ds.n; s0 += CHUNK) {
    const m = Math.min(CHUNK, ds.n - s0);
    parts.push({ m, x: ds.x.subarray(s0 * ds.d, (s0 + m) * ds.d), shape: [m, ds.d], y: ds.y.subarray(s0, s0 + m) });
  }
  let a = 0, b = 0, sum = 0, part = parts[0];
  const pass = () => {
    const c = part.c;
    if (c) {
      kernels.plane(c.a0, c.a1, c.a2, a, b, part.x, part.x.length);
      let h = tensor(part.x, part.shape);
      for (const l of rest) h = l.forward(h);
      sum += part.m * f(h, part.y).item();
    } else sum += part.m * f(model.forward(tensor(part.x, part.shape)), part.y).item();
  };
  const evaluate = (): number => {
    sum = 0;
    for (const q of parts) {
      part = q;
      withArena(arena, pass);
      arena.reset();
    }
    return sum / ds.n;
  };
  try {
    for (let j = 0; j < betas.length; j++) {
      for (let i = 0; i < alphas.length; i++) {
        a = alphas[i];
        b = betas[j];
        // with the first layer precomputed only the later layers' weights move
        for (let k = span; k < p.length; k++) p[k] = center[k] + a * d1[k] + b * d2[k];
        loss[j * alphas.length + i] = noGrad(evaluate);
        onProgress?.(j * alphas.length + i + 1, total);
      }
    }
  } finally {
    p.set(saved);
    model.train(wasTraining);
  }
  return { alphas, betas, loss };
}

/** `n` evenly spaced values from lo to hi. */
export function linspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_v, i) => (n === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * i) / (n - 1)));
}

/** Eigenvalues (descending) and unit eigenvectors (columns of `vectors`, row-major m×m) of a symmetric m×m matrix, by cyclic Jacobi. */
export function symmetricEigen(a: Float64Array, m: number): { values: number[]; vectors: Float64Array } {
  const A = a.slice();
  const V = new Float64Array(m * m);
  for (let i = 0; i < m; i++) V[i * m + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) off += A[i * m + j] ** 2;
    if (off < 1e-30 * (1 + A.reduce((s, v) => s + v * v, 0))) break;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) {
      const apq = A[p * m + q];
      if (apq === 0) continue;
      const theta = (A[q * m + q] - A[p * m + p]) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < m; k++) {
        const akp = A[k * m + p], akq = A[k * m + q];
        A[k * m + p] = c * akp - s * akq;
        A[k * m + q] = s * akp + c * akq;
      }
      for (let k = 0; k < m; k++) {
        const apk = A[p * m + k], aqk = A[q * m + k];
        A[p * m + k] = c * apk - s * aqk;
        A[q * m + k] = s * apk + c * aqk;
      }
      for (let k = 0; k < m; k++) {
        const vkp = V[k * m + p], vkq = V[k * m + q];
        V[k * m + p] = c * vkp - s * vkq;
        V[k * m + q] = s * vkp + c * vkq;
      }
    }
  }
  const order = Array.from({ length: m }, (_v, i) => i).sort((x, y) => A[y * m + y] - A[x * m + x]);
  const vectors = new Float64Array(m * m);
  order.forEach((col, k) => { for (let r = 0; r < m; r++) vectors[r * m + k] = V[r * m + col]; });
  return { values: order.map((i) => A[i * m + i]), vectors };
}

/** The trajectory in the plane of its top two principal directions. */
export interface TrajectoryPca {
  /** Unit directions in parameter space (orthogonal). */
  d1: Direction;
  d2: Direction;
  /** (θᵢ − θₙ)·d₁ and (θᵢ − θₙ)·d₂ for each iterate, θ₀ first; the last is (0, 0). */
  coords: [number, number][];
  /** The share of Σ‖θᵢ − θₙ‖² along d₁ and along d₂. */
  explained: [number, number];
}

/**
 * PCA of the iterates θ₀ … θₙ as Li et al. do it: the rows θᵢ − θₙ (i < n), their top two right singular
 * vectors (from the small Gram matrix M·Mᵀ, so the cost is n² dot products of length P), and each iterate's
 * coordinates along them. Needs at least 3 iterates.
 */
export function trajectoryPca(iterates: readonly ArrayLike<number>[]): TrajectoryPca {
  const n = iterates.length - 1;
  if (n < 2) throw inputError(`landscape: the trajectory needs at least 3 weight iterates (the start and 2 epochs), got ${iterates.length}`);
  const last = iterates[n];
  const P = last.length;
  const rows = iterates.slice(0, n).map((t) => {
    const r = new Float64Array(P);
    for (let k = 0; k < P; k++) r[k] = t[k] - last[k];
    return r;
  });
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) {
    let s = 0;
    const a = rows[i], b = rows[j];
    for (let k = 0; k < P; k++) s += a[k] * b[k];
    G[i * n + j] = G[j * n + i] = s;
  }
  const { values, vectors } = symmetricEigen(G, n);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0) || 1;
  const direction = (c: number): Direction => {
    const d = new Float64Array(P);
    const lambda = Math.max(values[c], 0);
    if (!(lambda > 0)) return d;
    for (let i = 0; i < n; i++) {
      const w = vectors[i * n + c] / Math.sqrt(lambda);
      const r = rows[i];
      for (let k = 0; k < P; k++) d[k] += w * r[k];
    }
    return d;
  };
  const d1 = direction(0), d2 = direction(1);
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let s = 0;
    for (let k = 0; k < P; k++) s += a[k] * b[k];
    return s;
  };
  const coords = iterates.map((t): [number, number] => {
    const r = new Float64Array(P);
    for (let k = 0; k < P; k++) r[k] = t[k] - last[k];
    return [dot(r, d1), dot(r, d2)];
  });
  return { d1, d2, coords, explained: [Math.max(values[0], 0) / total, Math.max(values[1] ?? 0, 0) / total] };
}

/**
 * Training rows per grid point by default: a seeded subset, the same at every point. On the MNIST MLP
 * (bench/landscape.mjs, 5 subsets against all 60,000 rows on a 9×9 slice) the largest error is a median 3.8%
 * of the slice's loss range with 1,024 rows against 13.1% with 256; 2,048 and 4,096 rows gain little more
 * (4.2%, 3.6%) at twice and four times the cost. Every point costs one forward pass over them.
 */
export const LANDSCAPE_ROWS = 1024;

/** Settings of `lossLandscape`: the grid, the random slice's extent, the seed, the rows, a progress callback. */
export interface LandscapeOptions {
  /** Grid points per axis (default 41). */
  resolution?: number;
  /** The random slice spans α, β ∈ [−span, span] (default 1: one filter norm each way). */
  span?: number;
  /** Seed of the random directions and the row subset (default 0). */
  seed?: number;
  /** Training rows each grid point evaluates (default LANDSCAPE_ROWS, the same rows at every point; all when fewer; Infinity: all). */
  rows?: number;
  /** After each grid point of both slices: points done and in all. */
  onProgress?: (done: number, total: number) => void;
}

/** Both slices of a landscape, the rows each point evaluated, the grid size and the time taken. */
export interface Landscape {
  /** The random filter-normalized slice around θ*. */
  random: LossGrid & { span: number };
  /** The PCA plane with the trajectory on it (absent with fewer than 3 iterates). */
  pca?: LossGrid & { path: [number, number][]; explained: [number, number] };
  rows: number;
  resolution: number;
  seconds: number;
}

/**
 * Both landscapes of a trained model: the random slice around its weights and, given the weight iterates
 * θ₀ … θₙ (θₙ the trained weights), the PCA plane with the path; the PCA grid covers the path's extent plus a
 * fifth on each side.
 */
export function lossLandscape(model: Sequential, lossName: LossName, trainRows: Dataset, iterates: readonly ArrayLike<number>[], o: LandscapeOptions = {}): Landscape {
  const t0 = performance.now();
  const n = o.resolution ?? 41;
  if (!Number.isInteger(n) || n < 3 || n > 201) throw inputError(`landscape: resolution: expected an integer in [3, 201], got ${n}`);
  const span = o.span ?? 1;
  const seed = o.seed ?? 0;
  const ds = rowSubset(trainRows, o.rows ?? LANDSCAPE_ROWS, seed);
  const rng = new Rng(seed);
  const d1 = filterNormalizedDirection(model, rng), d2 = filterNormalizedDirection(model, rng);
  const center = Float64Array.from(model.params);
  const withPca = iterates.length >= 3;
  const total = n * n * (withPca ? 2 : 1);
  const random = { ...lossGrid(model, lossName, ds, center, d1, d2, linspace(-span, span, n), linspace(-span, span, n), (k) => o.onProgress?.(k, total)), span };
  let pca: Landscape['pca'];
  if (withPca) {
    const t = trajectoryPca(iterates);
    const last = iterates[iterates.length - 1];
    const xs = t.coords.map((c) => c[0]), ys = t.coords.map((c) => c[1]);
    const pad = (lo: number, hi: number): [number, number] => {
      const w = Math.max(hi - lo, 1e-6 * (1 + Math.abs(lo)));
      return [lo - 0.2 * w, hi + 0.2 * w];
    };
    let [a0, a1] = pad(Math.min(...xs), Math.max(...xs)), [b0, b1] = pad(Math.min(...ys), Math.max(...ys));
    // the plane is drawn in its true aspect: a path nearly along PC 1 gets room across it (at least half its length)
    const widen = (lo: number, hi: number, other: number): [number, number] => {
      const extra = Math.max(0, other / 2 - (hi - lo)) / 2;
      return [lo - extra, hi + extra];
    };
    [b0, b1] = widen(b0, b1, a1 - a0);
    [a0, a1] = widen(a0, a1, b1 - b0);
    const g = lossGrid(model, lossName, ds, last, t.d1, t.d2, linspace(a0, a1, n), linspace(b0, b1, n), (k) => o.onProgress?.(n * n + k, total));
    pca = { ...g, path: t.coords, explained: t.explained };
  }
  return { random, pca, rows: ds.n, resolution: n, seconds: (performance.now() - t0) / 1000 };
}
