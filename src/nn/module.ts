/**
 * Layers and the Sequential container. A model's parameters live in ONE contiguous buffer
 * (`params`) and their gradients in another (`grads`), allocated through `alloc`; every
 * parameter is a view into them, so an optimizer updates everything in one fused loop and
 * `zeroGrad()` is one fill. Parameter names are torch.nn.Sequential's state_dict names
 * (`0.weight` [out, in], `0.bias`, `2.weight`, ...; activation and dropout layers take indices too).
 */
import { inputError } from '../errors.js';
import { alloc } from '../tensor/alloc.js';
import { Rng } from '../tensor/rng.js';
import { Tensor, newArray, sizeOf, type DType, type FloatArray } from '../tensor/tensor.js';
import { Var, parameter, scratch } from '../autograd/var.js';
import { linear, mulMask, relu, sigmoid, tanh } from '../autograd/ops.js';

/** One parameter of a model: views into the model's buffers and where they sit. */
export interface ParamInfo {
  /** torch state_dict name, e.g. "0.weight". */
  name: string;
  shape: number[];
  /** View into `model.params`. */
  data: FloatArray;
  /** View into `model.grads`. */
  grad: FloatArray;
  /** First element in `model.params` / `model.grads`. */
  offset: number;
  size: number;
  /** True for weight matrices (the L1/L2 penalties apply to these, not to biases). */
  isWeight: boolean;
  /** The autograd leaf over the same views. */
  var: Var;
}

/** Declared parameter: name relative to the module, shape, weight or bias. */
export interface ParamSpec {
  name: string;
  shape: number[];
  isWeight: boolean;
}

/** Anything a state dict entry may be: a Tensor, or a parsed safetensors entry. */
export interface StateEntry {
  shape: readonly number[];
  data: ArrayLike<number>;
}

/**
 * A layer or a container. Subclasses declare their parameters (`paramSpecs`) and bind them
 * to storage (`attach`); the base class allocates the contiguous buffers the first time they
 * are needed (a layer placed in a Sequential is bound into the Sequential's buffers instead).
 */
export abstract class Module {
  readonly dtype: DType;
  /** Training mode (dropout active) or evaluation mode. */
  training = true;
  private store: { params: FloatArray; grads: FloatArray; infos: ParamInfo[] } | null = null;

  constructor(dtype: DType) {
    this.dtype = dtype;
  }

  /** y = layer(x) for a batch x [m, features]. */
  abstract forward(x: Var): Var;

  /** The parameters this module declares, names relative to it, in storage order. */
  abstract paramSpecs(): ParamSpec[];

  /**
   * Binds this module's parameters to views of `params`/`grads` starting at `offset` (copying
   * their current values there) and returns the parameter leaves in `paramSpecs` order.
   */
  abstract attach(params: FloatArray, grads: FloatArray, offset: number): Var[];

  /** Child modules (for train/eval). */
  children(): Module[] {
    return [];
  }

  private bound(): { params: FloatArray; grads: FloatArray; infos: ParamInfo[] } {
    if (this.store) return this.store;
    let n = 0;
    for (const s of this.paramSpecs()) n += sizeOf(s.shape);
    this.bindInto(alloc(this.dtype, n), alloc(this.dtype, n), 0);
    return this.store!;
  }

  /**
   * Binds this module's parameters into `params`/`grads` from `offset` (a container calls it for
   * each child), after which this module's own `params`/`grads` are views of that region.
   */
  bindInto(params: FloatArray, grads: FloatArray, offset: number): Var[] {
    const specs = this.paramSpecs();
    const vars = this.attach(params, grads, offset);
    const infos: ParamInfo[] = [];
    let off = 0;
    specs.forEach((s, i) => {
      const size = sizeOf(s.shape);
      infos.push({ name: s.name, shape: [...s.shape], data: vars[i].data, grad: vars[i].grad!, offset: off, size, isWeight: s.isWeight, var: vars[i] });
      off += size;
    });
    this.store = { params: params.subarray(offset, offset + off), grads: grads.subarray(offset, offset + off), infos };
    return vars;
  }

  /** All parameter values, contiguous (each parameter a view into it). */
  get params(): FloatArray {
    return this.bound().params;
  }

  /** All gradients, contiguous, parallel to `params`. */
  get grads(): FloatArray {
    return this.bound().grads;
  }

  /** Number of parameters (elements). */
  get numParams(): number {
    return this.bound().params.length;
  }

  /** The parameters in state_dict order with their views and offsets. */
  parameters(): ParamInfo[] {
    return this.bound().infos;
  }

  /**
   * Sets every gradient to zero: one fill over the gradient buffer. With `deferred`, no fill: each
   * gradient counts as zero until the next backward's first write, which overwrites it (torch's
   * `zero_grad(set_to_none=True)`); call {@link settleGrads} after that backward, before reading
   * the gradients, so that those it did not reach read 0. The Trainer does this every step.
   */
  zeroGrad(opts: { deferred?: boolean } = {}): void {
    const { grads, infos } = this.bound();
    if (opts.deferred) {
      for (const p of infos) p.var.gradStale = true;
      return;
    }
    grads.fill(0);
    for (const p of infos) p.var.gradStale = false;
  }

  /** Zero-fills the gradients that a deferred {@link zeroGrad} left stale and no backward wrote since. */
  settleGrads(): void {
    for (const p of this.bound().infos) {
      if (p.var.gradStale) {
        p.var.grad!.fill(0);
        p.var.gradStale = false;
      }
    }
  }

  /** Training mode (dropout on) or, with false, evaluation mode. Returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }

  /** Evaluation mode (dropout off). Returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Copies of the parameters by state_dict name (like torch's state_dict()). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const p of this.parameters()) out[p.name] = new Tensor(p.data.slice(), p.shape);
    return out;
  }

  /**
   * Loads parameters by name (values converted to this model's dtype). Every parameter must be
   * present with its exact shape; an unexpected name is an error too (torch's strict=True).
   */
  loadStateDict(dict: Record<string, StateEntry>, source = 'state dict'): void {
    const infos = this.parameters();
    const known = new Set(infos.map((p) => p.name));
    for (const name of Object.keys(dict)) {
      if (!known.has(name)) throw inputError(`${source}: unexpected tensor '${name}'; the model has: ${[...known].join(', ')}`);
    }
    for (const p of infos) {
      const e = dict[p.name];
      if (!e) throw inputError(`${source}: missing tensor '${p.name}' (shape [${p.shape.join(', ')}])`);
      if (e.shape.length !== p.shape.length || e.shape.some((d, i) => d !== p.shape[i])) {
        throw inputError(`${source}: '${p.name}' has shape [${e.shape.join(', ')}], the model expects [${p.shape.join(', ')}]`);
      }
      if (e.data.length !== p.size) throw inputError(`${source}: '${p.name}' has ${e.data.length} values, expected ${p.size}`);
    }
    for (const p of infos) {
      const src = dict[p.name].data;
      for (let i = 0; i < p.size; i++) p.data[i] = src[i];
    }
  }
}

/** Parameter-free layers share this. */
abstract class Stateless extends Module {
  paramSpecs(): ParamSpec[] {
    return [];
  }
  attach(): Var[] {
    return [];
  }
}

/**
 * Options of {@link Linear}'s constructor (torch.nn.Linear's `bias`, `dtype`; `rng` stands for torch's global generator).
 */
export interface LinearOptions {
  /** Initialization draws (default: a generator seeded with 0). */
  rng?: Rng;
  dtype?: DType;
  /** Whether to add a bias (default true). */
  bias?: boolean;
}

/**
 * y = x·Wᵀ + b, W [out, in], b [out] (torch.nn.Linear).
 * Init as torch.nn.Linear.reset_parameters (1.13): W ~ kaiming_uniform(a = √5), which is
 * U(−1/√in, 1/√in) (gain √(2/(1+a²)) = √(1/3), bound = gain·√(3/in)), then b ~ U(−1/√in, 1/√in).
 * The draws come from descent's Rng, so the numbers differ from torch's for the same seed;
 * load torch's weights through safetensors to reproduce a torch run.
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly hasBias: boolean;
  private w: Var | null = null;
  private b: Var | null = null;
  private staged: Float64Array | null;

  /** The weight leaf [out, in] (a view into the owning model's buffers). */
  get weight(): Var {
    if (this.staged) void this.params; // standalone use: bind to the layer's own buffers
    return this.w!;
  }

  /** The bias leaf [out], or null. */
  get bias(): Var | null {
    if (this.staged) void this.params;
    return this.b;
  }

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super(opts.dtype ?? 'float32');
    for (const [k, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw inputError(`Linear: ${k}: expected a positive integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.hasBias = opts.bias ?? true;
    const rng = opts.rng ?? new Rng(0);
    const bound = 1 / Math.sqrt(inFeatures);
    const nw = inFeatures * outFeatures;
    // values wait here until the layer is bound to its model's buffers (no double allocation)
    this.staged = new Float64Array(nw + (this.hasBias ? outFeatures : 0));
    for (let i = 0; i < nw; i++) this.staged[i] = rng.uniformRange(-bound, bound);
    for (let i = nw; i < this.staged.length; i++) this.staged[i] = rng.uniformRange(-bound, bound);
  }

  paramSpecs(): ParamSpec[] {
    const s: ParamSpec[] = [{ name: 'weight', shape: [this.outFeatures, this.inFeatures], isWeight: true }];
    if (this.hasBias) s.push({ name: 'bias', shape: [this.outFeatures], isWeight: false });
    return s;
  }

  attach(params: FloatArray, grads: FloatArray, offset: number): Var[] {
    const nw = this.inFeatures * this.outFeatures, nb = this.hasBias ? this.outFeatures : 0;
    const data = params.subarray(offset, offset + nw + nb), grad = grads.subarray(offset, offset + nw + nb);
    if (this.staged) data.set(this.staged);
    else {
      data.set(this.w!.data);
      if (this.b) data.set(this.b.data, nw);
    }
    this.staged = null;
    this.w = parameter(data.subarray(0, nw), grad.subarray(0, nw), [this.outFeatures, this.inFeatures], 'weight');
    this.b = this.hasBias ? parameter(data.subarray(nw), grad.subarray(nw), [this.outFeatures], 'bias') : null;
    return this.b ? [this.w, this.b] : [this.w];
  }

  forward(x: Var): Var {
    return linear(x, this.weight, this.bias);
  }
}

/** max(x, 0) elementwise (torch.nn.ReLU). */
export class ReLU extends Stateless {
  constructor(dtype: DType = 'float32') {
    super(dtype);
  }
  forward(x: Var): Var {
    return relu(x);
  }
}

/** 1/(1+e^{−x}) elementwise (torch.nn.Sigmoid). */
export class Sigmoid extends Stateless {
  constructor(dtype: DType = 'float32') {
    super(dtype);
  }
  forward(x: Var): Var {
    return sigmoid(x);
  }
}

/** tanh x elementwise (torch.nn.Tanh). */
export class Tanh extends Stateless {
  constructor(dtype: DType = 'float32') {
    super(dtype);
  }
  forward(x: Var): Var {
    return tanh(x);
  }
}

/**
 * Inverted dropout (torch.nn.Dropout): in training each element is zeroed with probability p
 * (p is the DROP probability, as in torch) and the survivors are scaled by 1/(1 − p), so the
 * expected activation is unchanged and evaluation is the identity.
 *
 * The lectures' form is the same model written the other way: keep each unit with probability
 * q = 1 − p during training without scaling, and at test time multiply the weights (or
 * activations) by q ("weight scaling"). Both give the same expected activations; inverted dropout
 * moves the scaling into training so the evaluation network needs no change.
 */
export class Dropout extends Stateless {
  readonly p: number;
  /** The generator for the masks (reseed or setState it for reproducible masks). */
  rng: Rng;

  constructor(p = 0.5, opts: { rng?: Rng; dtype?: DType } = {}) {
    super(opts.dtype ?? 'float32');
    if (!(p >= 0 && p <= 1)) throw inputError(`Dropout: p: expected a drop probability in [0, 1], got ${p}`);
    this.p = p;
    this.rng = opts.rng ?? new Rng(0);
  }

  forward(x: Var): Var {
    if (!this.training || this.p === 0) return x;
    const n = x.size, mask = scratch(x.dtype, n);
    if (this.p < 1) {
      const scale = 1 / (1 - this.p);
      for (let i = 0; i < n; i++) mask[i] = this.rng.uniform() < this.p ? 0 : scale;
    } // p = 1: all zero, as torch
    return mulMask(x, mask);
  }
}

/**
 * Layers applied in order (torch.nn.Sequential). Building it binds every layer's parameters into
 * the Sequential's two contiguous buffers, named `${index}.${name}` as torch's state_dict does.
 */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super(layers.find((l) => l.paramSpecs().length > 0)?.dtype ?? layers[0]?.dtype ?? 'float32');
    for (const l of layers) {
      if (l.paramSpecs().length > 0 && l.dtype !== this.dtype) throw inputError(`Sequential: layers mix ${this.dtype} and ${l.dtype}`);
    }
    this.layers = layers;
    void this.params; // bind now: the layers' views point into this model's buffers from here on
  }

  override children(): Module[] {
    return this.layers;
  }

  /** One fill over the gradient buffer, and every sparse-input layer forgets the rows it touched. */
  override zeroGrad(opts: { deferred?: boolean } = {}): void {
    super.zeroGrad(opts);
    for (const l of this.layers) (l as { sparseRows?: { clear(): void } }).sparseRows?.clear();
  }

  paramSpecs(): ParamSpec[] {
    const out: ParamSpec[] = [];
    this.layers.forEach((l, i) => {
      for (const s of l.paramSpecs()) out.push({ ...s, name: `${i}.${s.name}` });
    });
    return out;
  }

  attach(params: FloatArray, grads: FloatArray, offset: number): Var[] {
    const out: Var[] = [];
    let off = offset;
    for (const l of this.layers) {
      const vs = l.bindInto(params, grads, off);
      for (const v of vs) off += v.size;
      out.push(...vs);
    }
    return out;
  }

  forward(x: Var): Var {
    let h = x;
    for (const l of this.layers) h = l.forward(h);
    return h;
  }
}

/** A Float32/Float64 copy of plain numbers (short-lived inputs). */
export function toArray(values: ArrayLike<number>, dtype: DType): FloatArray {
  const a = newArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) a[i] = values[i];
  return a;
}
