/**
 * A path of iterates kept in bounded memory, one rule for every method `descent optimize` runs (the
 * first-order loop, the line-search and second-order methods, lbfgs-torch): every iterate is kept until
 * `cap` points are held; then every other kept point is dropped and the stride doubles, so the path holds
 * the iterates whose step is a multiple of `stride` (x0 included) plus the last iterate. Memory is
 * O(cap) however many steps run, and the kept points stay evenly spaced in steps.
 */

/** How a long path was thinned (`pathThinned` in optimize's --json): the stride, the points kept, the step of each. */
export interface PathThinning {
  stride: number;
  kept: number;
  steps: number[];
}

/**
 * Records a run's iterates under the thinning rule. `record` is called with x0 (step 0) and after each
 * step; a point kept only for being the last is overwritten in place by the next one, so steps between
 * kept points allocate nothing. `tag` is one number carried with each point (the lr of the step that
 * reached it), thinned with it.
 */
export class ThinnedPath {
  readonly path: number[][] = [];
  readonly values: number[] = [];
  readonly steps: number[] = [];
  readonly tags: number[] = [];
  private stride = 1;
  private readonly cap: number;

  /** `cap`: the most points held (at least 4; Infinity keeps every iterate). `withPoints` false keeps values only. */
  constructor(cap = Infinity, private readonly withPoints = true) {
    this.cap = Math.max(4, cap);
  }

  record(step: number, x: ArrayLike<number>, f: number, tag = NaN): void {
    const last = this.steps.length - 1;
    if (last > 0 && this.steps[last] % this.stride !== 0) {
      // the previous point was kept only for being the last: this one takes its place
      if (this.withPoints) {
        const p = this.path[last];
        if (p.length === x.length) for (let i = 0; i < x.length; i++) p[i] = x[i];
        else this.path[last] = Array.from(x);
      }
      this.values[last] = f;
      this.steps[last] = step;
      this.tags[last] = tag;
    } else {
      if (this.withPoints) this.path.push(Array.from(x));
      this.values.push(f);
      this.steps.push(step);
      this.tags.push(tag);
    }
    if (step % this.stride === 0) this.compact();
  }

  /** Ends the run: a last point held beyond the cap is thinned too. Returns the thinning, undefined when every iterate was kept. */
  finish(): PathThinning | undefined {
    this.compact();
    return this.stride > 1 ? { stride: this.stride, kept: this.steps.length, steps: this.steps } : undefined;
  }

  private compact(): void {
    while (this.steps.length > this.cap) {
      this.stride *= 2;
      const n = this.steps.length;
      let w = 0;
      for (let r = 0; r < n; r++) {
        if (this.steps[r] % this.stride !== 0 && r !== n - 1) continue;
        if (this.withPoints) this.path[w] = this.path[r];
        this.values[w] = this.values[r];
        this.tags[w] = this.tags[r];
        this.steps[w++] = this.steps[r];
      }
      if (this.withPoints) this.path.length = w;
      this.values.length = this.tags.length = this.steps.length = w;
    }
  }
}
