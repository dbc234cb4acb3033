/**
 * Seeded PRNG for init, shuffling, dropout masks and bootstrap samples.
 *
 * Algorithm: xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c),
 * a 128-bit state of four uint32 words, seeded by running splitmix32 over the seed. It uses only
 * 32-bit integer arithmetic (`Math.imul`, shifts), so the same seed gives the same numbers on
 * every machine and in every JavaScript engine. The state is exportable (`getState`) and
 * importable (`setState`) for checkpoints.
 *
 * - `uniform()`: a double in [0, 1) from 53 random bits (27 + 26 bits of two draws).
 * - `normal()`: Box–Muller from two uniforms; the second value of each pair is cached (part of the state).
 * - `int(n)`: an integer in [0, n), unbiased (rejection sampling).
 * - `permutation(n)`: Fisher–Yates (Durstenfeld): for i = n−1 … 1 swap a[i] with a[int(i+1)].
 */
import { inputError } from '../errors.js';
import type { FloatArray } from './tensor.js';

/** The full generator state, JSON-safe. */
export interface RngState {
  /** The four uint32 words of xoshiro128**. */
  s: [number, number, number, number];
  /** The cached second normal deviate of the last Box–Muller pair, or null. */
  spare: number | null;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** splitmix32 step: returns [nextState, output]. */
function splitmix32(x: number): [number, number] {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [x, z >>> 0];
}

/**
 * A seeded generator (xoshiro128**, seeded through splitmix32): the same seed gives the same numbers on every
 * machine and engine. It plays the part of torch.Generator / numpy.random.Generator, but its numbers differ
 * from theirs for the same seed. Draws: `uniform()` in [0, 1), `normal(mean, std)`, `int(n)` in [0, n),
 * `permutation(n)`; `getState()`/`setState()` save and restore it (checkpoints).
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /**
   * A generator seeded by a non-negative integer below 2^53. The low and high 32 bits are
   * mixed into the splitmix32 state, which then yields the four state words.
   */
  constructor(seed = 0) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw inputError(`seed: expected an integer in [0, 2^53), got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let x = (lo ^ Math.imul(hi, 0x9e3779b1)) | 0;
    const w: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [nx, out] = splitmix32(x);
      x = nx;
      w.push(out | 0);
    }
    [this.s0, this.s1, this.s2, this.s3] = w;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** The next uint32 (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A double uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** A double uniform in [lo, hi). */
  uniformRange(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** A standard normal deviate times std plus mean (Box–Muller, pairs cached). */
  normal(mean = 0, std = 1): number {
    let z: number;
    if (this.spare !== null) {
      z = this.spare;
      this.spare = null;
    } else {
      const u1 = 1 - this.uniform(); // (0, 1]: log is finite
      const u2 = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      z = r * Math.cos(2 * Math.PI * u2);
      this.spare = r * Math.sin(2 * Math.PI * u2);
    }
    return mean + std * z;
  }

  /** An integer uniform in [0, n), n a positive integer ≤ 2^32 (unbiased by rejection). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw inputError(`int(n): expected an integer in [1, 2^32], got ${n}`);
    // accept draws below the largest multiple of n that fits in 2^32
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** An integer uniform in [lo, hi). */
  intRange(lo: number, hi: number): number {
    return lo + this.int(hi - lo);
  }

  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    return this.shuffle(a);
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** Fills `out` with U[lo, hi) values. */
  fillUniform(out: FloatArray, lo: number, hi: number): FloatArray {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** Fills `out` with N(mean, std²) values. */
  fillNormal(out: FloatArray, mean = 0, std = 1): FloatArray {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** The state, for checkpoints. */
  getState(): RngState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spare: this.spare };
  }

  /** Restores a state from `getState` (throws an input error naming the bad field). */
  setState(state: RngState): this {
    const s = state?.s;
    if (!Array.isArray(s) || s.length !== 4 || !s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw inputError('rng state: s: expected 4 integers in [0, 2^32)');
    }
    if (s.every((w) => w === 0)) throw inputError('rng state: s: the all-zero state is not valid');
    if (state.spare !== null && typeof state.spare !== 'number') throw inputError('rng state: spare: expected a number or null');
    [this.s0, this.s1, this.s2, this.s3] = s.map((w) => w | 0);
    this.spare = state.spare;
    return this;
  }

  /** A generator restored from a state. */
  static fromState(state: RngState): Rng {
    return new Rng(0).setState(state);
  }
}
