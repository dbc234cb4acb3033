/** Shared types of the update rules. */

/** The storage every rule works on: float32 or float64, one flat buffer (or a view of one). */
export type FloatArray = Float32Array | Float64Array;

/** A typed-array constructor, so state is allocated in the precision of the parameters. */
export type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

/** The constructor of `a`'s element type. */
export function arrayTypeOf(a: FloatArray): FloatArrayConstructor {
  return a instanceof Float32Array ? Float32Array : Float64Array;
}

/**
 * Per-parameter state of a rule: a step counter and named buffers of the parameter's length
 * (plus, for a few rules, scalars such as nadam's muProduct). Names are torch's, camelCased.
 */
export interface OptimizerState {
  step: number;
  [buffer: string]: FloatArray | number;
}
