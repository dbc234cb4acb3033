/**
 * The lab's Hopfield mode, without the DOM: a grid of ±1 units the user draws on, a memory of stored
 * patterns (Hebbian weights, src/demos/hopfield.ts), corruption, and asynchronous recall stepped a few
 * units per frame with the energy after every update. The page (app/hopfield-view.ts) only draws it.
 */
import { Rng } from '../tensor/rng.js';
import { AsyncRecall, corrupt, hebbianWeights, HOPFIELD_CAPACITY, overlap, randomPatterns } from '../demos/hopfield.js';

/** Three glyphs to store with one click, 12×12 ('#' is +1). */
export const HOPFIELD_GLYPHS: Record<string, string[]> = {
  T: ['############', '############', '....####....', '....####....', '....####....', '....####....', '....####....', '....####....', '....####....', '....####....', '....####....', '....####....'],
  O: ['...######...', '..########..', '.###....###.', '###......###', '###......###', '###......###', '###......###', '###......###', '###......###', '.###....###.', '..########..', '...######...'],
  X: ['##........##', '###......###', '.###....###.', '..###..###..', '...######...', '....####....', '....####....', '...######...', '..###..###..', '.###....###.', '###......###', '##........##'],
};

export class HopfieldLab {
  readonly side: number;
  readonly n: number;
  /** The units, ±1, row-major. */
  readonly state: Int8Array;
  readonly stored: Int8Array[] = [];
  /** Energy after every update since the last edit (the first entry is the energy at the edit). */
  energy: number[] = [];
  private weights: Float64Array;
  private rng: Rng;
  private run: AsyncRecall;

  constructor(side = 12, seed = 1) {
    this.side = side;
    this.n = side * side;
    this.state = new Int8Array(this.n).fill(-1);
    this.rng = new Rng(seed);
    this.weights = new Float64Array(this.n * this.n);
    this.run = new AsyncRecall(this.weights, this.state, this.rng);
    this.edited();
  }

  /** The load P/N and the classic capacity it is measured against. */
  get load(): number {
    return this.stored.length / this.n;
  }
  static readonly capacity = HOPFIELD_CAPACITY;

  /** True once a whole sweep changed nothing. */
  get settled(): boolean {
    return this.run.converged;
  }

  private edited(): void {
    this.run.refresh();
    this.energy = [this.run.energy];
  }

  /** Sets one unit (drawing); `value` +1 or −1. */
  set(unit: number, value: 1 | -1): void {
    if (unit < 0 || unit >= this.n || this.state[unit] === value) return;
    this.state[unit] = value;
    this.edited();
  }

  clear(): void {
    this.state.fill(-1);
    this.edited();
  }

  /** Adds the current picture to the memory (it stays on the grid). */
  store(): void {
    this.stored.push(this.state.slice());
    this.rebuild();
  }

  /** Stores the three glyphs T, O, X. */
  storeGlyphs(): void {
    for (const rows of Object.values(HOPFIELD_GLYPHS)) this.stored.push(glyphPattern(rows, this.side));
    this.rebuild();
  }

  /** Stores `count` random ±1 patterns (to push the load towards and past the capacity). */
  storeRandom(count: number): void {
    const p = randomPatterns(count, this.n, this.rng);
    for (let i = 0; i < count; i++) this.stored.push(p.slice(i * this.n, (i + 1) * this.n));
    this.rebuild();
  }

  forget(): void {
    this.stored.length = 0;
    this.rebuild();
  }

  /** Puts stored pattern k on the grid. */
  show(k: number): void {
    this.state.set(this.stored[k]);
    this.edited();
  }

  /** Flips round(fraction·N) units at random. */
  corrupt(fraction: number): void {
    this.state.set(corrupt(this.state, fraction, this.rng));
    this.edited();
  }

  /** Up to `updates` asynchronous single-unit updates (fewer once settled); returns the units visited. */
  step(updates: number): number[] {
    const visited: number[] = [];
    for (let t = 0; t < updates && !this.run.converged; t++) {
      visited.push(this.run.update());
      this.energy.push(this.run.energy);
    }
    return visited;
  }

  /** Overlap of the grid with each stored pattern. */
  overlaps(): number[] {
    return this.stored.map((p) => overlap(this.state, p));
  }

  private rebuild(): void {
    const all = new Int8Array(this.stored.length * this.n);
    this.stored.forEach((p, i) => all.set(p, i * this.n));
    this.weights = hebbianWeights(all, this.n);
    this.run = new AsyncRecall(this.weights, this.state, this.rng);
    this.edited();
  }
}

/** A glyph ('#' +1, anything else −1), centred on a side×side grid. */
export function glyphPattern(rows: string[], side: number): Int8Array {
  const p = new Int8Array(side * side).fill(-1);
  const top = Math.floor((side - rows.length) / 2);
  rows.forEach((row, r) => {
    const left = Math.floor((side - row.length) / 2);
    for (let c = 0; c < row.length; c++) if (row[c] === '#' && r + top >= 0 && r + top < side && c + left >= 0 && c + left < side) p[(r + top) * side + c + left] = 1;
  });
  return p;
}
