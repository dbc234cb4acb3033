/**
 * Composable gradient transforms (Optax style) for experiments and extras: clipping, decoupled weight decay,
 * Adam's scaling, learning-rate scaling, chained with `chain(...)`. Each transform rewrites the update
 * buffer in place (it starts as the gradient and ends as the step added to the parameters); state is made
 * once by `init`. The torch-compatible optimizers are written out whole in their own files; these are for
 * combining pieces, e.g. `chain(clipByGlobalNorm(1), scaleByAdam(), addDecayedWeights(0.01), scaleByLearningRate(1e-3))`.
 */
import { arrayTypeOf, type FloatArray, type FloatArrayConstructor } from './types.js';

/**
 * One composable stage of an update (optax's GradientTransformation): `init` makes its state, `update` rewrites
 * the update vector in place. {@link chain} composes stages; {@link transformStepper} applies one to parameters.
 */
export interface GradientTransform<S = unknown> {
  readonly name: string;
  /** The stage's state for n parameters, in ArrayType (the parameters' Float64Array or Float32Array). */
  init(n: number, ArrayType: FloatArrayConstructor): S;
  /** Rewrites `updates` in place; `params` are the current parameters (read only). */
  update(updates: FloatArray, state: S, params: FloatArray): void;
}

/**
 * Scales the whole update so its Euclidean norm is at most maxNorm, as torch.nn.utils.clip_grad_norm_:
 * ‖u‖ = √Σu², coef = maxNorm/(‖u‖ + 1e-6), u ← u·coef when coef < 1.
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransform<null> {
  return {
    name: 'clipByGlobalNorm',
    init: () => null,
    update(u) {
      let s = 0;
      for (let i = 0; i < u.length; i++) s += u[i] * u[i];
      const coef = maxNorm / (Math.sqrt(s) + 1e-6);
      if (coef < 1) for (let i = 0; i < u.length; i++) u[i] *= coef;
    },
  };
}

/** Clamps each component to [−c, c], as torch.nn.utils.clip_grad_value_. */
export function clipByValue(c: number): GradientTransform<null> {
  return {
    name: 'clipByValue',
    init: () => null,
    update(u) {
      for (let i = 0; i < u.length; i++) u[i] = u[i] < -c ? -c : u[i] > c ? c : u[i];
    },
  };
}

/**
 * u ← u + λθ. Placed before an adaptive scaling it is L2 regularisation (torch's `weightDecay` in Adam);
 * placed after it (just before the learning rate) it is decoupled weight decay (AdamW). For plain SGD the
 * two placements give the same step.
 */
export function addDecayedWeights(weightDecay: number): GradientTransform<null> {
  return {
    name: 'addDecayedWeights',
    init: () => null,
    update(u, _s, params) {
      for (let i = 0; i < u.length; i++) u[i] = u[i] + weightDecay * params[i];
    },
  };
}

/** {@link scaleByAdam}'s state: the step count and Adam's moments m (`expAvg`) and v (`expAvgSq`). */
export interface ScaleByAdamState {
  step: number;
  expAvg: FloatArray;
  expAvgSq: FloatArray;
}

/** Adam's direction: u ← m̂/(√v̂ + eps), with m̂, v̂ bias-corrected as in torch (no learning rate). */
export function scaleByAdam(betas: [number, number] = [0.9, 0.999], eps = 1e-8): GradientTransform<ScaleByAdamState> {
  const [b1, b2] = betas;
  return {
    name: 'scaleByAdam',
    init: (n, T) => ({ step: 0, expAvg: new T(n), expAvgSq: new T(n) }),
    update(u, s) {
      s.step += 1;
      const bc1 = 1 - b1 ** s.step;
      const bc2Sqrt = Math.sqrt(1 - b2 ** s.step);
      for (let i = 0; i < u.length; i++) {
        s.expAvg[i] = s.expAvg[i] * b1 + (1 - b1) * u[i];
        s.expAvgSq[i] = s.expAvgSq[i] * b2 + (1 - b2) * u[i] * u[i];
        u[i] = s.expAvg[i] / bc1 / (Math.sqrt(s.expAvgSq[i]) / bc2Sqrt + eps);
      }
    },
  };
}

/** u ← −lr·u: the last transform of a descent chain. `lr` may be a function of the step (a schedule). */
export function scaleByLearningRate(lr: number | ((step: number) => number)): GradientTransform<{ step: number }> {
  return {
    name: 'scaleByLearningRate',
    init: () => ({ step: 0 }),
    update(u, s) {
      const a = typeof lr === 'number' ? lr : lr(s.step);
      s.step += 1;
      for (let i = 0; i < u.length; i++) u[i] = -a * u[i];
    },
  };
}

/** Applies transforms left to right. */
export function chain(...transforms: GradientTransform<any>[]): GradientTransform<unknown[]> {
  return {
    name: `chain(${transforms.map((t) => t.name).join(', ')})`,
    init: (n, T) => transforms.map((t) => t.init(n, T)),
    update(u, states, params) {
      for (let i = 0; i < transforms.length; i++) transforms[i].update(u, states[i], params);
    },
  };
}

/**
 * A transform bound to a params/grads pair with its state and update scratch, allocated once:
 * `step()` copies the gradient into the update buffer, runs the transform, and adds the result.
 */
export function transformStepper(t: GradientTransform<any>, params: FloatArray, grads: FloatArray): {
  /** One step: θ ← θ + t(∇), with ∇ read from `grads` as it is now. */
  step(): void;
  state: unknown;
} {
  const T = arrayTypeOf(params);
  const updates = new T(params.length);
  const state = t.init(params.length, T);
  return {
    state,
    step() {
      updates.set(grads);
      t.update(updates, state, params);
      for (let i = 0; i < params.length; i++) params[i] = params[i] + updates[i];
    },
  };
}
