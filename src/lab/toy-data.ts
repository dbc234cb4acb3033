/**
 * Two-class toy data sets in the square [−1, 1]², in the spirit of TensorFlow Playground, drawn from
 * descent's seeded xoshiro128** Rng so every engine and machine gets the same points for a seed.
 */
import { inputError, unknownName } from '../errors.js';
import { Rng } from '../tensor/rng.js';

export const TOY_DATASETS = ['circles', 'xor', 'spirals', 'gaussians'] as const;
export type ToyDatasetName = (typeof TOY_DATASETS)[number];

export interface ToyData {
  /** Row-major n×2 features. */
  x: Float64Array;
  /** Class index 0 or 1 per row. */
  y: Int32Array;
  n: number;
}

export interface ToyOptions {
  /** Number of points (split evenly between the classes where the set is built per class). */
  n?: number;
  /** Standard deviation of Gaussian noise added to each coordinate (before clamping to [−1, 1]). */
  noise?: number;
  seed?: number;
}

/**
 * - circles: class 1 inside radius 0.5, class 0 in the ring 0.7..1 (uniform angle and radius);
 * - xor: uniform in the square, kept 0.05 away from the axes; class 1 where x·y > 0;
 * - spirals: two interleaved arms r = t, θ = 3.5πt (+π for class 1), t uniform in (0, 1];
 * - gaussians: class 1 around (0.45, 0.45), class 0 around (−0.45, −0.45), σ = 0.15 + noise.
 * Labels are decided before the noise is added, as in TensorFlow Playground.
 */
export function makeToyData(name: string, opts: ToyOptions = {}): ToyData {
  if (!(TOY_DATASETS as readonly string[]).includes(name)) throw unknownName('dataset', name, TOY_DATASETS);
  const n = opts.n ?? 200;
  const noise = opts.noise ?? 0;
  if (!Number.isInteger(n) || n < 2) throw inputError(`dataset '${name}': n: expected an integer ≥ 2, got ${n}`);
  if (!(noise >= 0 && Number.isFinite(noise))) throw inputError(`dataset '${name}': noise: expected a number ≥ 0, got ${noise}`);
  const rng = new Rng(opts.seed ?? 0);
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2; // alternating keeps the classes balanced for every n
    let px: number, py: number;
    switch (name as ToyDatasetName) {
      case 'circles': {
        const r = label === 1 ? rng.uniformRange(0, 0.5) : rng.uniformRange(0.7, 1);
        const a = rng.uniformRange(0, 2 * Math.PI);
        px = r * Math.cos(a);
        py = r * Math.sin(a);
        break;
      }
      case 'xor': {
        px = rng.uniformRange(0.05, 1) * (rng.uniform() < 0.5 ? -1 : 1);
        py = rng.uniformRange(0.05, 1) * (rng.uniform() < 0.5 ? -1 : 1);
        y[i] = px * py > 0 ? 1 : 0;
        break;
      }
      case 'spirals': {
        const t = 1 - rng.uniform(); // (0, 1]
        const a = 3.5 * Math.PI * t + (label === 1 ? Math.PI : 0);
        px = t * Math.cos(a);
        py = t * Math.sin(a);
        break;
      }
      case 'gaussians': {
        const c = label === 1 ? 0.45 : -0.45;
        px = rng.normal(c, 0.15 + noise);
        py = rng.normal(c, 0.15 + noise);
        break;
      }
    }
    if (name !== 'xor') y[i] = label;
    if (noise > 0 && name !== 'gaussians') {
      px += rng.normal(0, noise);
      py += rng.normal(0, noise);
    }
    x[2 * i] = Math.max(-1, Math.min(1, px));
    x[2 * i + 1] = Math.max(-1, Math.min(1, py));
  }
  return { x, y, n };
}
