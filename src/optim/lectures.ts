/**
 * The lectures' own forms of momentum and Nesterov momentum, kept beside torch's so each can be checked
 * against the other (test/optim/lectures.test.ts). They hold the velocity v as a step in parameter space,
 * where torch holds a gradient-scaled buffer b (v = −lr·b), so they agree with torch's SGD while lr is constant.
 */
import type { FloatArray, FloatArrayConstructor } from './types.js';

/** State of the lectures' momentum rules: the step count and the velocity v (a step in parameter space). */
export interface VelocityState {
  step: number;
  velocity: FloatArray;
}

/** Options of {@link classicalMomentumUpdate}, {@link nesterovLookaheadStep} and {@link nesterovRewrittenUpdate}. */
export interface MomentumOptions {
  /** ε, the learning rate. */
  lr: number;
  /** α (or μ), the momentum coefficient. */
  momentum: number;
}

/** Zeroed velocity for n parameters, in ArrayType (the parameters' Float64Array or Float32Array). */
export function velocityInit(n: number, ArrayType: FloatArrayConstructor = Float64Array): VelocityState {
  return { step: 0, velocity: new ArrayType(n) };
}

/**
 * Classical momentum (Polyak; Goodfellow et al., Algorithm 8.2): v ← αv − εg, θ ← θ + v.
 * Equals torch's SGD(momentum = α, dampening 0) for a constant lr.
 */
export function classicalMomentumUpdate(params: FloatArray, grads: FloatArray, state: VelocityState, o: MomentumOptions): void {
  const { lr, momentum } = o;
  const v = state.velocity;
  state.step += 1;
  for (let i = 0; i < params.length; i++) {
    v[i] = momentum * v[i] - lr * grads[i];
    params[i] = params[i] + v[i];
  }
}

/**
 * Nesterov momentum in its look-ahead form (Sutskever et al., 2013; Goodfellow et al., Algorithm 8.3):
 *   g = ∇J(θ + αv);  v ← αv − εg;  θ ← θ + v.
 * `gradAt(x, gOut)` evaluates the gradient; `lookahead` is caller-owned scratch of length n.
 * torch's nesterov SGD holds θ + αv as its parameters, so its iterates are θ_t + αv_t of this form.
 */
export function nesterovLookaheadStep(
  theta: FloatArray,
  state: VelocityState,
  o: MomentumOptions,
  gradAt: (x: FloatArray, gOut: FloatArray) => void,
  lookahead: FloatArray,
  grads: FloatArray,
): void {
  const { lr, momentum } = o;
  const v = state.velocity;
  state.step += 1;
  for (let i = 0; i < theta.length; i++) lookahead[i] = theta[i] + momentum * v[i];
  gradAt(lookahead, grads);
  for (let i = 0; i < theta.length; i++) {
    v[i] = momentum * v[i] - lr * grads[i];
    theta[i] = theta[i] + v[i];
  }
}

/**
 * Nesterov momentum rewritten so the gradient is taken at the parameters held (Bengio et al., 2013):
 *   v' = μv − εg(θ);  θ ← θ − μ·v + (1 + μ)·v'.
 * Equals torch's SGD(momentum = μ, nesterov = true) for a constant lr.
 */
export function nesterovRewrittenUpdate(params: FloatArray, grads: FloatArray, state: VelocityState, o: MomentumOptions): void {
  const { lr, momentum } = o;
  const v = state.velocity;
  state.step += 1;
  for (let i = 0; i < params.length; i++) {
    const vPrev = v[i];
    v[i] = momentum * vPrev - lr * grads[i];
    params[i] = params[i] - momentum * vPrev + (1 + momentum) * v[i];
  }
}
