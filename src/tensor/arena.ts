/**
 * A reusable pool of scratch buffers for the intermediates of a training step. `take` hands out
 * a zero-filled buffer of an exact dtype and length, reusing one given back by `reset`; after the
 * first step of a loop with fixed shapes, every later step finds its buffers in the free lists and
 * allocates no typed arrays. New buffers come from `alloc` (so the wasm kernels can use them).
 */
import { alloc } from './alloc.js';
import type { DType, FloatArray } from './tensor.js';

/**
 * A pool of scratch buffers for one step's intermediates: `take` hands out a zero-filled buffer, `reset` gives
 * every buffer back for the next step, so a loop with fixed shapes allocates nothing after its first step.
 * Autograd ops draw from the arena that {@link withArena} makes current.
 */
export class Arena {
  private readonly free = new Map<number, FloatArray[]>();
  private readonly used: FloatArray[] = [];
  /** Buffers created (not reused) so far: constant in a steady-state loop. */
  created = 0;

  /** A zero-filled buffer of n elements of `dtype`, valid until the next `reset`. */
  take(dtype: DType, n: number): FloatArray {
    const key = dtype === 'float64' ? -n - 1 : n; // one map for both dtypes: float64 keys are negative
    const list = this.free.get(key);
    let buf = list?.pop();
    if (buf) buf.fill(0);
    else {
      buf = alloc(dtype, n);
      this.created++;
    }
    this.used.push(buf);
    return buf;
  }

  /** Gives every buffer taken since the last reset back to the pool. */
  reset(): void {
    for (const buf of this.used) {
      const key = buf instanceof Float64Array ? -buf.length - 1 : buf.length;
      let list = this.free.get(key);
      if (!list) this.free.set(key, (list = []));
      list.push(buf);
    }
    this.used.length = 0;
  }
}
