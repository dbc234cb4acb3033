/**
 * The autograd node and the engine: a `Var` is a tensor that remembers the primitive that made
 * it (its parents and a backward closure); `backward(root)` visits the graph in reverse
 * topological order (sorted iteratively, so deep graphs cannot overflow the stack) and each
 * closure adds its parents' gradient contributions (+=) into their `grad` buffers.
 *
 * Leaves with `requiresGrad` (parameters) keep their gradient in `grad`, which for a model's
 * parameters is a view into the model's one gradient buffer; gradients accumulate across
 * backward calls, as in torch, until `zeroGrad`. Intermediate buffers come from the active
 * `Arena` when one is set (`withArena`), so a steady-state training step allocates no arrays.
 */
import { inputError } from '../errors.js';
import { Tensor, newArray, sizeOf, type DType, type FloatArray } from '../tensor/tensor.js';
import type { Arena } from '../tensor/arena.js';

let gradEnabled = true;
let arena: Arena | null = null;
let epoch = 0;

/** Whether operations currently record the graph (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording the graph (evaluation, metrics), like `with torch.no_grad()`. */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs fn with `a` as the source of every intermediate buffer (values and gradients). The
 * buffers stay valid until `a.reset()`; read what you need (`loss.item()`) before resetting.
 */
export function withArena<T>(a: Arena, fn: () => T): T {
  const prev = arena;
  arena = a;
  try {
    return fn();
  } finally {
    arena = prev;
  }
}

/** A zero-filled scratch buffer for an intermediate: from the active arena, else a fresh array. */
export function scratch(dtype: DType, n: number): FloatArray {
  return arena ? arena.take(dtype, n) : newArray(dtype, n);
}

/** A tensor in the graph. */
export class Var extends Tensor {
  /** d(root)/d(this), accumulated by backward; null until a gradient flows here. */
  grad: FloatArray | null;
  /** Whether gradients flow to this node. */
  readonly requiresGrad: boolean;
  /** The inputs of the primitive that made this node (empty for leaves). */
  readonly parents: readonly Var[];
  /** Adds this node's contribution to its parents' gradients, given d(root)/d(this). */
  readonly backwardFn: ((grad: FloatArray) => void) | null;
  /** Name of the primitive (for messages) or of the parameter. */
  readonly op: string;
  /** @internal visit mark of the topological sort */
  mark = 0;
  /**
   * The gradient buffer's values are stale and count as zero (a deferred `Module.zeroGrad`): the first
   * backward write that covers the whole gradient overwrites it instead of adding to it, any other
   * (`gradOf`) zero-fills it first. torch's `zero_grad(set_to_none=True)` in effect, without a null.
   */
  gradStale = false;

  constructor(
    data: FloatArray, shape: readonly number[],
    opts: { requiresGrad?: boolean; grad?: FloatArray | null; parents?: readonly Var[]; backwardFn?: ((grad: FloatArray) => void) | null; op?: string } = {},
  ) {
    super(data, shape);
    this.requiresGrad = opts.requiresGrad ?? false;
    this.grad = opts.grad ?? null;
    this.parents = opts.parents ?? [];
    this.backwardFn = opts.backwardFn ?? null;
    this.op = opts.op ?? 'leaf';
  }

  /** Whether this node was made by a user (not by a primitive). */
  get isLeaf(): boolean {
    return this.backwardFn === null;
  }

  /** Backpropagates from this node (a scalar unless `gradOutput` is given). */
  backward(gradOutput?: FloatArray): void {
    backward(this, gradOutput);
  }

  /** Sets this leaf's gradient to zero (no-op when it has none). */
  zeroGrad(): void {
    this.grad?.fill(0);
    this.gradStale = false;
  }
}

/**
 * A leaf tensor from numbers or a typed array (copied unless it already is a typed array of
 * `dtype`, which is then used as the storage).
 */
export function tensor(
  values: ArrayLike<number> | FloatArray, shape?: readonly number[],
  opts: { dtype?: DType; requiresGrad?: boolean } = {},
): Var {
  const dtype = opts.dtype ?? (values instanceof Float64Array ? 'float64' : 'float32');
  let data: FloatArray;
  if ((dtype === 'float64' && values instanceof Float64Array) || (dtype === 'float32' && values instanceof Float32Array)) data = values;
  else {
    data = newArray(dtype, values.length);
    for (let i = 0; i < values.length; i++) data[i] = values[i];
  }
  return new Var(data, shape ?? [values.length], { requiresGrad: opts.requiresGrad ?? false });
}

/** A leaf viewing existing storage and gradient (a parameter of a model). */
export function parameter(data: FloatArray, grad: FloatArray, shape: readonly number[], name: string): Var {
  if (data.length !== sizeOf(shape) || grad.length !== data.length) throw inputError(`parameter ${name}: storage does not match shape [${shape.join(', ')}]`);
  return new Var(data, shape, { requiresGrad: true, grad, op: name });
}

/**
 * Records a primitive's result. Parents are kept (and the closure called in backward) only when
 * grad mode is on and some parent requires grad; otherwise the result is a constant.
 */
export function record(data: FloatArray, shape: readonly number[], parents: readonly Var[], backwardFn: (grad: FloatArray) => void, op: string): Var {
  let needs = false;
  if (gradEnabled) for (const p of parents) if (p.requiresGrad) needs = true;
  if (!needs) return new Var(data, shape, { op });
  return new Var(data, shape, { requiresGrad: true, parents, backwardFn, op });
}

/** The gradient buffer of a node, created (zeroed) on first use: intermediates from the arena. */
export function gradOf(v: Var): FloatArray {
  if (v.grad === null) v.grad = v.isLeaf ? newArray(v.dtype, v.size) : scratch(v.dtype, v.size);
  else if (v.gradStale) {
    v.grad.fill(0);
    v.gradStale = false;
  }
  return v.grad;
}

/**
 * For a backward that writes all of `v`'s gradient in one kernel call: whether that call adds to the
 * buffer (true) or may overwrite it, because it holds stale values that count as zero (see
 * {@link Var.gradStale}). Call it before {@link gradOf}, which would zero-fill them.
 */
export function gradAccumulates(v: Var): boolean {
  if (!v.gradStale) return true;
  v.gradStale = false;
  return false;
}

/**
 * Reverse-mode backpropagation from `root`. Without `gradOutput` the root must hold one element
 * and is seeded with 1 (d root / d root). Leaf gradients accumulate (+=); intermediate gradients
 * are cleared first, so a graph may be backpropagated again with another seed (gradcheck does).
 */
export function backward(root: Var, gradOutput?: FloatArray): void {
  if (!root.requiresGrad) throw inputError(`backward: the ${root.op} result does not require grad (no parameter in its graph, or made under noGrad)`);
  if (gradOutput === undefined && root.size !== 1) throw inputError(`backward: the root has ${root.size} elements; pass gradOutput or reduce it to a scalar first`);
  if (gradOutput !== undefined && gradOutput.length !== root.size) throw inputError(`backward: gradOutput has ${gradOutput.length} values, the root ${root.size}`);
  const order = topoSort(root);
  for (const v of order) if (!v.isLeaf && v.grad) v.grad.fill(0);
  const g = gradOf(root);
  if (gradOutput === undefined) g[0] += 1;
  else for (let i = 0; i < g.length; i++) g[i] += gradOutput[i];
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i];
    if (v.backwardFn && v.grad) v.backwardFn(v.grad);
  }
}

/** Nodes that require grad, parents before children (iterative depth-first post-order). */
export function topoSort(root: Var): Var[] {
  const mark = ++epoch;
  const order: Var[] = [];
  const stack: Var[] = [root];
  const next: number[] = [0];
  root.mark = mark;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const v = stack[top];
    const i = next[top];
    if (i < v.parents.length) {
      next[top] = i + 1;
      const p = v.parents[i];
      if (p.requiresGrad && p.mark !== mark) {
        p.mark = mark;
        stack.push(p);
        next.push(0);
      }
    } else {
      order.push(v);
      stack.pop();
      next.pop();
    }
  }
  return order;
}
