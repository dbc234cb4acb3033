/**
 * The stateful Optimizer: a thin layer over the pure rules. It holds param groups (views of a model's
 * contiguous parameter and gradient buffers), their options, and per-group state allocated once.
 */
import { inputError, unknownName } from '../errors.js';
import { arrayTypeOf, type FloatArray } from './types.js';
import { allFiniteValues, bindFusedStep, stateArrayType, CHECK_GRADS, CHECK_PARAMS, STEP_BAD_GRADS, STEP_BAD_PARAMS, type FusedBinding } from './fused.js';
import type { SparseGradRows } from './sparse-adam.js';
import { optimizers, isOptimizerName, resolveOptions, type HyperOptions, type HyperValue, type OptimizerName, type OptimizerOptions, type OptimizerRule } from './registry.js';

/** One group of parameters with its gradients (same length and precision) and per-group overrides. */
export interface ParamGroupSpec {
  params: FloatArray;
  grads: FloatArray;
  options?: Record<string, unknown>;
  /** The tensor's shape when the group is one tensor (adafactor, muon); its product must be params.length. */
  shape?: readonly number[];
  /** The rows a sparse gradient holds (an EmbeddingBag's `sparseRows`); sparse-adam updates only those. */
  sparse?: SparseGradRows & {
    /** Forgets the touched rows; {@link Optimizer.zeroGrad} calls it with the gradients' fill. */
    clear?: () => void;
  };
  /**
   * Another rule for this group, with `options` resolved against its defaults alone: the usual Muon split,
   * muon for hidden 2-D weights and `adamw` for biases and the output layer (one optimizer, as torch's two
   * stepped together).
   */
  optimizer?: OptimizerName;
}

/** A live param group: `options` is mutable; a change (lr from a schedule or a slider) applies on the next step. */
export interface ParamGroup {
  readonly params: FloatArray;
  readonly grads: FloatArray;
  options: HyperOptions;
  readonly shape?: readonly number[];
  /** The rows a sparse gradient holds, as in {@link ParamGroupSpec.sparse}. */
  readonly sparse?: SparseGradRows & {
    /** Forgets the touched rows; {@link Optimizer.zeroGrad} calls it with the gradients' fill. */
    clear?: () => void;
  };
  /** The group's own rule when it is not the optimizer's (`ParamGroupSpec.optimizer`). */
  readonly optimizer?: OptimizerName;
}

/**
 * The serialisable state: per-group options and per-group state (copies; typed arrays stay typed).
 * `loadStateDict` also takes plain number arrays in place of typed arrays, so a JSON round trip
 * (with buffers written as `Array.from(buffer)`) restores it.
 */
export interface OptimizerStateDict {
  name: string;
  paramGroups: { options: HyperOptions }[];
  state: Record<string, FloatArray | number[] | number>[];
}

/**
 * Steps taken in this process by every Optimizer: `fused` by a SIMD kernel (src/optim/fused.ts), `ts` by
 * the TypeScript rule. Commands report them (`descent train --json`'s `compute`), so a test can tell which
 * path ran without timing anything.
 */
export const optimizerStepCounts = { fused: 0, ts: 0 };

/**
 * torch-style optimizer over flat buffers. `createOptimizer('adam', { params, grads }, { lr: 0.01 })`;
 * each step reads the gradients, updates params and state in place, and allocates nothing.
 */
export class Optimizer {
  readonly name: OptimizerName;
  readonly rule: OptimizerRule;
  readonly paramGroups: ParamGroup[];
  /** Per-group state, named as torch names it (step, expAvg, expAvgSq, momentumBuffer, ...). */
  readonly state: Record<string, FloatArray | number>[];
  /** The rule of each group: the optimizer's, or the group's own (`ParamGroupSpec.optimizer`). */
  private readonly rules: OptimizerRule[];

  constructor(name: OptimizerName, groups: ParamGroupSpec | ParamGroupSpec[], options: Record<string, unknown> = {}) {
    this.name = name;
    this.rule = optimizers[name] as unknown as OptimizerRule;
    const list = Array.isArray(groups) ? groups : [groups];
    if (list.length === 0) throw inputError('optimizer: expected at least one param group');
    const base = resolveOptions(this.rule, options);
    this.paramGroups = list.map((g, i) => {
      if (g.params.length !== g.grads.length) {
        throw inputError(`param group ${i}: params has ${g.params.length} values but grads has ${g.grads.length}`);
      }
      if (arrayTypeOf(g.params) !== arrayTypeOf(g.grads)) throw inputError(`param group ${i}: params and grads must share one precision`);
      if (g.shape !== undefined && g.shape.reduce((a, b) => a * b, 1) !== g.params.length) {
        throw inputError(`param group ${i}: shape [${g.shape.join(', ')}] does not hold its ${g.params.length} values`);
      }
      if (g.sparse !== undefined && g.params.length % g.sparse.rowSize !== 0) {
        throw inputError(`param group ${i}: sparse rows of ${g.sparse.rowSize} values do not tile its ${g.params.length} values`);
      }
      if (g.optimizer !== undefined && !isOptimizerName(g.optimizer)) throw unknownName('optimizer', g.optimizer, Object.keys(optimizers));
      const own = g.optimizer !== undefined && g.optimizer !== name ? g.optimizer : undefined;
      const opts = own !== undefined ? resolveOptions(optimizers[own] as unknown as OptimizerRule, g.options ?? {})
        : g.options ? resolveOptions(this.rule, { ...base, ...g.options }) : copyOptions(base);
      return { params: g.params, grads: g.grads, options: opts, shape: g.shape, sparse: g.sparse, optimizer: own };
    });
    this.rules = this.paramGroups.map((g) => (g.optimizer !== undefined ? optimizers[g.optimizer] as unknown as OptimizerRule : this.rule));
    // float32 groups in the wasm arena (models built with the wasm kernels installed) take the fused
    // SIMD step (src/optim/fused.ts) of their own rule, their state in the arena beside them; everything
    // else the TS rule (sparse-gradient groups keep their rule: only the rows a gradient holds move)
    this.fused = this.paramGroups.map((g) => (g.sparse === undefined ? bindFusedStep(g.optimizer ?? name, g.params, g.grads) : null));
    this.state = this.paramGroups.map(
      (g, i) => this.rules[i].init(g.params.length, stateArrayType(g.params), g.options, g.shape) as Record<string, FloatArray | number>,
    );
  }

  private readonly fused: (FusedBinding | null)[];

  /** Whether group i's steps run a fused kernel (src/optim/fused.ts) with its current options. */
  usesFusedStep(i = 0): boolean {
    const f = this.fused[i];
    return f !== null && f !== undefined && f.accepts(this.paramGroups[i].options);
  }

  /** One update of every group from its current gradients. */
  step(): void {
    for (let i = 0; i < this.paramGroups.length; i++) {
      const g = this.paramGroups[i];
      const f = this.fused[i];
      if (f && f.step(this.state[i], g.options, 0) >= 0) {
        optimizerStepCounts.fused++;
        continue;
      }
      optimizerStepCounts.ts++;
      this.rules[i].update(g.params, g.grads, this.state[i], g.options, g.sparse);
    }
  }

  /**
   * One update with a training step's non-finite checks: 'grads' when a gradient value is NaN or ±Infinity
   * (then NOTHING was updated, state included), 'params' when a parameter is not finite after the update,
   * else 'ok'. On the fused path both checks ride in the step's kernel call (no separate passes).
   */
  stepChecked(): 'ok' | 'grads' | 'params' {
    const groups = this.paramGroups;
    const single = groups.length === 1 && this.fused[0] !== null;
    // with several groups, every gradient is checked before any group is updated
    if (!single) for (const g of groups) if (!allFiniteValues(g.grads)) return 'grads';
    let bad = false;
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      const f = this.fused[i];
      const r = f ? f.step(this.state[i], g.options, single ? CHECK_GRADS | CHECK_PARAMS : CHECK_PARAMS) : -1;
      if (r === STEP_BAD_GRADS) return 'grads';
      if (r === STEP_BAD_PARAMS) bad = true;
      if (r >= 0) {
        optimizerStepCounts.fused++;
        continue;
      }
      if (single && !allFiniteValues(g.grads)) return 'grads';
      optimizerStepCounts.ts++;
      this.rules[i].update(g.params, g.grads, this.state[i], g.options, g.sparse);
      if (!allFiniteValues(g.params)) bad = true;
    }
    return bad ? 'params' : 'ok';
  }

  /** Whether every gradient value of every group is finite. */
  gradsFinite(): boolean {
    for (const g of this.paramGroups) if (!allFiniteValues(g.grads)) return false;
    return true;
  }

  /** Sets every gradient to zero (one fill per group). */
  zeroGrad(): void {
    for (const g of this.paramGroups) {
      g.grads.fill(0);
      g.sparse?.clear?.();
    }
  }

  /** A deep copy of options and state; `loadStateDict` of it continues the identical trajectory. */
  stateDict(): OptimizerStateDict {
    return {
      name: this.name,
      paramGroups: this.paramGroups.map((g) => ({ options: copyOptions(g.options) })),
      state: this.state.map((s) => {
        const out: Record<string, FloatArray | number> = {};
        for (const [k, v] of Object.entries(s)) out[k] = typeof v === 'number' ? v : v.slice();
        return out;
      }),
    };
  }

  /** Restores options and state (copied into the buffers already allocated). Checks name and shapes. */
  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.name !== this.name) throw inputError(`optimizer state: saved for '${sd.name}', loading into '${this.name}'`);
    if (sd.state.length !== this.state.length || sd.paramGroups.length !== this.paramGroups.length) {
      throw inputError(`optimizer state: has ${sd.state.length} groups, expected ${this.state.length}`);
    }
    const checked = sd.paramGroups.map((g, i) => resolveOptions(this.rules[i], g.options));
    for (let i = 0; i < this.state.length; i++) {
      const cur = this.state[i];
      const saved = sd.state[i];
      for (const key of Object.keys(cur)) {
        const v = saved[key];
        const c = cur[key];
        if (typeof c === 'number') {
          if (typeof v !== 'number') throw inputError(`optimizer state: group ${i}: '${key}' expected a number`);
        } else if (typeof v === 'number' || v === undefined || v.length !== c.length || !Array.from(v).every((x) => typeof x === 'number')) {
          throw inputError(`optimizer state: group ${i}: '${key}' expected ${c.length} values`);
        }
      }
    }
    for (let i = 0; i < this.state.length; i++) {
      const cur = this.state[i];
      for (const key of Object.keys(cur)) {
        const v = sd.state[i][key];
        const c = cur[key];
        if (typeof c === 'number') cur[key] = v as number;
        else c.set(v as ArrayLike<number>);
      }
      this.paramGroups[i].options = checked[i];
    }
  }
}

function copyOptions(o: HyperOptions): HyperOptions {
  const out: HyperOptions = {};
  for (const [k, v] of Object.entries(o)) out[k] = (Array.isArray(v) ? v.slice() : v) as HyperValue;
  return out;
}

/**
 * A name for `createOptimizer`: a literal must be a registered optimizer (a typo is a compile error); a
 * `string` known only at run time (a CLI flag, a spec file) is accepted and checked then.
 */
export type OptimizerNameArg<N extends string> = string extends N ? N : N extends OptimizerName ? N : OptimizerName;

/**
 * The options `createOptimizer` takes for `N`: the optimizer's own, typed from its defaults object, where an
 * unknown key is a compile error; `Record<string, unknown>` for a name known only at run time (validated then).
 */
export type CreateOptions<N extends string> = string extends N ? Record<string, unknown> : N extends OptimizerName ? OptimizerOptions<N> : never;

/**
 * Builds an Optimizer by name; unknown names fail with the known list. With a literal name the options are
 * typed per optimizer (autocompletion, and `{ lrr: 0.1 }` or `{ momentum: 0.9 }` for adam do not compile;
 * see test/optim/create-optimizer.types.ts).
 * @example
 * ```ts
 * const x = Float64Array.of(1, -2), g = new Float64Array(2);
 * const opt = createOptimizer('adam', { params: x, grads: g }, { lr: 0.1 });
 * for (let t = 0; t < 3; t++) {
 *   opt.zeroGrad();
 *   g[0] = 1; g[1] = -3; // ∇(x − 3y): a constant gradient
 *   opt.step();
 * }
 * console.log(Array.from(x, (v) => v.toFixed(4)).join(' ')); // 0.7000 -1.7000
 * ```
 * (With a constant gradient m̂ = g and v̂ = g², so each step is lr·g/(|g| + eps) ≈ lr·sign(g).)
 */
export function createOptimizer<N extends string>(
  name: N & OptimizerNameArg<N>,
  groups: ParamGroupSpec | ParamGroupSpec[],
  options: CreateOptions<N> = {} as CreateOptions<N>,
): Optimizer {
  if (!isOptimizerName(name)) throw unknownName('optimizer', name, Object.keys(optimizers));
  return new Optimizer(name, groups, options as Record<string, unknown>);
}
