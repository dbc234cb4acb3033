/**
 * Second derivatives by automatic differentiation: forward-over-reverse on a tape of scalar operations.
 *
 * f is written once over `Scalar`s (`x[1].sub(x[0].square()).square().mul(100)`). Recording runs it and
 * keeps, for every operation z = φ(a, b), its local first derivatives ∂z/∂a, ∂z/∂b and second derivatives
 * ∂²z/∂a², ∂²z/∂a∂b, ∂²z/∂b² (n-ary sums and linear combinations have constant first and zero second ones).
 * From the tape:
 * - a reverse sweep gives ∇f (adjoints ā = Σ z̄·∂z/∂a);
 * - ∇²f·u takes a forward sweep of tangents along u (ż = Σ ∂z/∂a·ȧ) and a reverse sweep of the adjoints'
 *   tangents, ā̇ += ż̄·∂z/∂a + z̄·(∂²z/∂a²·ȧ + ∂²z/∂a∂b·ḃ): the derivative of the reverse sweep along u
 *   (Griewank & Walther, Evaluating Derivatives, ch. 5, "second-order adjoints");
 * - the Hessian is n such products, with u the unit vectors, exact to rounding.
 * A function whose operations do not depend on x (no branch on a value; all of descent's test functions)
 * is recorded once and `replay`ed at each new x: a flat loop over typed arrays that allocates nothing.
 * A function that branches on x must be recorded again at each x (`record`), as with any tape (ADOL-C's
 * "retaping").
 */
import { inputError } from '../errors.js';

const enum Op {
  Input, Const, Add, Sub, Mul, Div, Neg, AddC, MulC, DivC, RSubC, RDivC,
  Square, PowC, Exp, Log, Sqrt, Sin, Cos, Tanh, Sigmoid, Linear,
}

/** A value on a tape: combine Scalars (or a Scalar and a number) with the methods below while recording. */
export class Scalar {
  constructor(readonly tape: Tape, readonly id: number) {}
  /** The value at the point being recorded. */
  get value(): number {
    return this.tape.valueOf(this.id);
  }
  /** this + o. */
  add(o: Scalar | number): Scalar { return typeof o === 'number' ? this.tape.unary(Op.AddC, this, o) : this.tape.binary(Op.Add, this, o); }
  /** this − o. */
  sub(o: Scalar | number): Scalar { return typeof o === 'number' ? this.tape.unary(Op.AddC, this, -o) : this.tape.binary(Op.Sub, this, o); }
  /** this · o. */
  mul(o: Scalar | number): Scalar { return typeof o === 'number' ? this.tape.unary(Op.MulC, this, o) : this.tape.binary(Op.Mul, this, o); }
  /** this / o. */
  div(o: Scalar | number): Scalar { return typeof o === 'number' ? this.tape.unary(Op.DivC, this, o) : this.tape.binary(Op.Div, this, o); }
  /** c − this. */
  rsub(c: number): Scalar { return this.tape.unary(Op.RSubC, this, c); }
  /** c / this. */
  rdiv(c: number): Scalar { return this.tape.unary(Op.RDivC, this, c); }
  /** −this. */
  neg(): Scalar { return this.tape.unary(Op.Neg, this, 0); }
  /** this² (cheaper on the tape than this·this: one operand). */
  square(): Scalar { return this.tape.unary(Op.Square, this, 0); }
  /** this^p for a constant p. */
  pow(p: number): Scalar { return this.tape.unary(Op.PowC, this, p); }
  /** e^this. */
  exp(): Scalar { return this.tape.unary(Op.Exp, this, 0); }
  /** The natural logarithm of this. */
  log(): Scalar { return this.tape.unary(Op.Log, this, 0); }
  /** √this. */
  sqrt(): Scalar { return this.tape.unary(Op.Sqrt, this, 0); }
  /** sin(this), this in radians. */
  sin(): Scalar { return this.tape.unary(Op.Sin, this, 0); }
  /** cos(this), this in radians. */
  cos(): Scalar { return this.tape.unary(Op.Cos, this, 0); }
  /** tanh(this). */
  tanh(): Scalar { return this.tape.unary(Op.Tanh, this, 0); }
  /** The logistic function 1/(1 + e^−this) (torch.sigmoid). */
  sigmoid(): Scalar { return this.tape.unary(Op.Sigmoid, this, 0); }
}

/** f written over Scalars: x are the inputs, and the constant `c(v)` makes a number a Scalar. */
export type ScalarFunction = (x: readonly Scalar[], c: (v: number) => Scalar) => Scalar;

/** Σ terms (one n-ary node: its Hessian sweeps cost one edge per term). */
export function sumOf(terms: readonly Scalar[]): Scalar {
  if (terms.length === 0) throw inputError('sumOf: expected at least one term');
  return terms[0].tape.linear(terms, null);
}

/** Σ coefficients[i]·terms[i] with constant coefficients (one n-ary node). */
export function linearCombination(terms: readonly Scalar[], coefficients: ArrayLike<number>): Scalar {
  if (terms.length === 0 || terms.length !== coefficients.length) throw inputError(`linearCombination: expected as many coefficients as terms (${terms.length}), got ${coefficients.length}`);
  return terms[0].tape.linear(terms, coefficients);
}

/** Columns found together: groupStart/members list each group's columns; rowStart/rows each column's rows. */
interface HessianPlan {
  groups: number;
  groupStart: Int32Array;
  members: Int32Array;
  rowStart: Int32Array;
  rows: Int32Array;
}

/** Whether an operation has a nonzero second derivative (where it does, its operands' inputs interact). */
function nonlinear(o: Op, c: number): boolean {
  switch (o) {
    case Op.Mul: case Op.Div: case Op.RDivC: case Op.Square: case Op.Exp: case Op.Log: case Op.Sqrt:
    case Op.Sin: case Op.Cos: case Op.Tanh: case Op.Sigmoid:
      return true;
    case Op.PowC:
      return c !== 0 && c !== 1;
    default:
      return false;
  }
}

/** Growable typed arrays: the tape reuses them from one recording to the next. */
function grow<T extends Float64Array | Int32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as { new (n: number): T })(Math.max(need, 2 * a.length));
  b.set(a);
  return b;
}

/**
 * A tape of scalar operations with exact gradients, Hessian-vector products and Hessians (forward-over-reverse,
 * as torch.autograd.functional.hessian or JAX's jax.hessian give). Record f once with {@link Tape.record}, then
 * {@link Tape.replay} at each new x when f does not branch on x; {@link hessianOf} and
 * {@link hessianVectorProductOf} are the one-call forms. Storage grows once and is reused, so replays allocate nothing.
 */
export class Tape {
  /** Inputs are nodes 0..n−1. */
  n = 0;
  /** Nodes recorded (inputs included). */
  size = 0;
  /** The node f returned. */
  root = -1;
  private op = new Int32Array(64);
  private constant = new Float64Array(64);
  private value = new Float64Array(64);
  // local second derivatives ∂²z/∂a², ∂²z/∂a∂b, ∂²z/∂b² (a, b: the node's first two edges)
  private haa = new Float64Array(64);
  private hab = new Float64Array(64);
  private hbb = new Float64Array(64);
  // node k's edges are edgeStart[k] .. edgeStart[k + 1] − 1: the parent and ∂z/∂parent
  private edgeStart = new Int32Array(65);
  private parent = new Int32Array(128);
  private partial = new Float64Array(128);
  private edges = 0;
  // sweeps: primal adjoints (∂f/∂node), tangents along u, the adjoints' tangents
  private adjoint = new Float64Array(64);
  private tangent = new Float64Array(64);
  private adjointTangent = new Float64Array(64);
  private recording = false;
  // the Hessian's sweep plan, made from the structure at the first hessian() after a recording
  private plan: HessianPlan | null = null;
  private columnOut = new Float64Array(0);

  /** Records f at x, replacing what the tape held; returns f(x). */
  record(fn: ScalarFunction, x: ArrayLike<number>): number {
    this.size = 0;
    this.edges = 0;
    this.n = x.length;
    this.plan = null;
    this.recording = true;
    try {
      const inputs: Scalar[] = [];
      for (let i = 0; i < x.length; i++) {
        const k = this.push(Op.Input, 0);
        this.value[k] = x[i];
        inputs.push(new Scalar(this, k));
      }
      const out = fn(inputs, (v) => {
        const k = this.push(Op.Const, v);
        this.value[k] = v;
        return new Scalar(this, k);
      });
      if (!(out instanceof Scalar) || out.tape !== this) throw inputError('second-order: the function must return a Scalar built from its inputs');
      this.root = out.id;
    } finally {
      this.recording = false;
    }
    this.edgeStart[this.size] = this.edges;
    return this.value[this.root];
  }

  /** The value of node `id` at the point last recorded or replayed ({@link Scalar.value} reads it). */
  valueOf(id: number): number {
    return this.value[id];
  }

  /**
   * Recomputes every node at a new x with the recorded operations (valid when f's operations do not depend
   * on x); f(x) is then `output`. Allocates nothing (it returns nothing: a returned double is boxed).
   */
  replay(x: ArrayLike<number>): void {
    if (x.length !== this.n) throw inputError(`second-order: x has length ${x.length}, the tape was recorded with ${this.n}`);
    const { op, value: v, parent, partial: d, edgeStart } = this;
    for (let i = 0; i < this.n; i++) v[i] = x[i];
    for (let k = this.n; k < this.size; k++) {
      const e = edgeStart[k];
      const o = op[k];
      if (o === Op.Const) continue;
      if (o === Op.Linear) {
        // constant partials (the coefficients), set when recorded
        let s = 0;
        for (let j = e; j < edgeStart[k + 1]; j++) s += d[j] * v[parent[j]];
        v[k] = s;
        continue;
      }
      this.local(o, k, e);
    }
  }

  /** Sweeps per Hessian (colour groups of columns; n for a dense pattern), once a Hessian has been taken. */
  get hessianSweeps(): number {
    return this.plan ? this.plan.groups : 0;
  }

  /** f at the point last recorded or replayed. */
  get output(): number {
    return this.value[this.root];
  }

  /** Writes ∇f into gOut (length n) by one reverse sweep at the point last recorded or replayed. */
  gradient(gOut: Float64Array): void {
    this.reverse();
    for (let i = 0; i < this.n; i++) gOut[i] = this.adjoint[i];
  }

  /** Writes ∇²f·u into hvOut, and ∇f into gOut when given. */
  hessianVectorProduct(u: ArrayLike<number>, hvOut: Float64Array, gOut?: Float64Array): void {
    this.reverse();
    if (gOut) for (let i = 0; i < this.n; i++) gOut[i] = this.adjoint[i];
    const t = this.tangent;
    for (let i = 0; i < this.n; i++) t[i] = u[i];
    this.secondOrderSweep(hvOut, -1);
  }

  /**
   * Writes the n×n Hessian (row-major, symmetrized) into hOut. Columns that share no possibly nonzero row
   * are found together (Curtis, Powell and Reid): one sweep along the sum of their unit vectors gives the sum
   * of the columns, and each row of it belongs to one of them. The pattern comes from the tape's structure:
   * H = Σ_k z̄_k·J_kᵀ(∇²φ_k)J_k, so (i, j) can be nonzero only if x_i and x_j both reach one nonlinear operation.
   * Rosenbrock's tridiagonal Hessian takes 3 sweeps at any n; a dense one takes n.
   */
  hessian(hOut: Float64Array): void {
    const n = this.n;
    if (this.plan === null) this.plan = this.hessianPlan();
    const { groups, groupStart, members, rowStart, rows } = this.plan;
    if (this.columnOut.length < n) this.columnOut = new Float64Array(n);
    const hv = this.columnOut;
    this.reverse();
    hOut.fill(0, 0, n * n);
    for (let c = 0; c < groups; c++) {
      this.tangent.fill(0, 0, n);
      for (let m = groupStart[c]; m < groupStart[c + 1]; m++) this.tangent[members[m]] = 1;
      this.secondOrderSweep(hv, -1);
      for (let m = groupStart[c]; m < groupStart[c + 1]; m++) {
        const j = members[m];
        for (let r = rowStart[j]; r < rowStart[j + 1]; r++) hOut[rows[r] * n + j] = hv[rows[r]];
      }
    }
    // exact arithmetic gives a symmetric matrix; rounding may differ in the last bit between (i, j) and (j, i)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const s = 0.5 * (hOut[i * n + j] + hOut[j * n + i]);
        hOut[i * n + j] = s;
        hOut[j * n + i] = s;
      }
    }
  }

  /**
   * Which columns share a sweep, and the rows each column may have nonzero. Falls back to one column per
   * sweep when the tape is too large for the pattern's bitsets or the pattern is dense.
   */
  private hessianPlan(): HessianPlan {
    const n = this.n, words = (n + 31) >>> 5, root = this.root;
    const dense = (): HessianPlan => {
      const groupStart = Int32Array.from({ length: n + 1 }, (_v, i) => i);
      const rowStart = Int32Array.from({ length: n + 1 }, (_v, i) => i * n);
      const rows = Int32Array.from({ length: n * n }, (_v, k) => k % n);
      return { groups: n, groupStart, members: Int32Array.from({ length: n }, (_v, i) => i), rowStart, rows };
    };
    if ((root + 1) * words > 2e7) return dense();
    // deps[k]: the inputs node k depends on; pattern[i]: the columns row i may have nonzero
    const deps = new Uint32Array((root + 1) * words);
    const pattern = new Uint32Array(n * words);
    for (let i = 0; i < n; i++) deps[i * words + (i >>> 5)] |= 1 << (i & 31);
    for (let k = n; k <= root; k++) {
      const base = k * words;
      for (let e = this.edgeStart[k]; e < this.edgeStart[k + 1]; e++) {
        const p = this.parent[e] * words;
        for (let w = 0; w < words; w++) deps[base + w] |= deps[p + w];
      }
      if (!nonlinear(this.op[k], this.constant[k])) continue;
      for (let w = 0; w < words; w++) {
        for (let bits = deps[base + w]; bits !== 0; bits &= bits - 1) {
          const i = (w << 5) + (31 - Math.clz32(bits & -bits));
          for (let v = 0; v < words; v++) pattern[i * words + v] |= deps[base + v];
        }
      }
    }
    const rowStart = new Int32Array(n + 1);
    const list: number[] = [];
    for (let j = 0; j < n; j++) {
      rowStart[j] = list.length;
      // the pattern is symmetric: column j's rows are row j's columns
      for (let w = 0; w < words; w++) {
        for (let bits = pattern[j * words + w]; bits !== 0; bits &= bits - 1) list.push((w << 5) + (31 - Math.clz32(bits & -bits)));
      }
    }
    rowStart[n] = list.length;
    if (list.length > (n * n) / 4) return dense();
    const rows = Int32Array.from(list);
    // greedy coloring: column j takes the first group holding no column that shares a row with it
    const groupOf = new Int32Array(n).fill(-1);
    const blocked = new Int32Array(n).fill(-1);
    let groups = 0;
    for (let j = 0; j < n; j++) {
      for (let r = rowStart[j]; r < rowStart[j + 1]; r++) {
        const i = rows[r];
        for (let q = rowStart[i]; q < rowStart[i + 1]; q++) {
          const g = groupOf[rows[q]];
          if (g >= 0) blocked[g] = j;
        }
      }
      let g = 0;
      while (blocked[g] === j) g++;
      groupOf[j] = g;
      if (g + 1 > groups) groups = g + 1;
    }
    const groupStart = new Int32Array(groups + 1);
    for (let j = 0; j < n; j++) groupStart[groupOf[j] + 1]++;
    for (let g = 0; g < groups; g++) groupStart[g + 1] += groupStart[g];
    const fill = groupStart.slice(0, groups);
    const members = new Int32Array(n);
    for (let j = 0; j < n; j++) members[fill[groupOf[j]]++] = j;
    return { groups, groupStart, members, rowStart, rows };
  }

  // ---- recording

  /** @internal */
  unary(o: Op, a: Scalar, c: number): Scalar {
    this.check(a);
    const k = this.push(o, c);
    this.addEdge(a.id);
    this.edgeStart[k + 1] = this.edges;
    this.local(o, k, this.edgeStart[k]);
    return new Scalar(this, k);
  }

  /** @internal */
  binary(o: Op, a: Scalar, b: Scalar): Scalar {
    this.check(a);
    this.check(b);
    const k = this.push(o, 0);
    this.addEdge(a.id);
    this.addEdge(b.id);
    this.edgeStart[k + 1] = this.edges;
    this.local(o, k, this.edgeStart[k]);
    return new Scalar(this, k);
  }

  /** @internal */
  linear(terms: readonly Scalar[], coefficients: ArrayLike<number> | null): Scalar {
    const k = this.push(Op.Linear, 0);
    let s = 0;
    for (let i = 0; i < terms.length; i++) {
      this.check(terms[i]);
      const w = coefficients ? coefficients[i] : 1;
      if (!Number.isFinite(w)) throw inputError(`linearCombination: coefficient ${i} is not finite`);
      const e = this.addEdge(terms[i].id);
      this.partial[e] = w;
      s += w * this.value[terms[i].id];
    }
    this.value[k] = s;
    return new Scalar(this, k);
  }

  private check(a: Scalar): void {
    if (!(a instanceof Scalar) || a.tape !== this) throw inputError('second-order: an operand is not a Scalar of this recording');
    if (!this.recording) throw inputError('second-order: Scalars combine only while their function is being recorded');
  }

  private push(o: Op, c: number): number {
    const k = this.size++;
    if (k + 1 >= this.op.length) {
      const m = 2 * this.op.length;
      this.op = grow(this.op, m);
      this.constant = grow(this.constant, m);
      this.value = grow(this.value, m);
      this.haa = grow(this.haa, m);
      this.hab = grow(this.hab, m);
      this.hbb = grow(this.hbb, m);
      this.edgeStart = grow(this.edgeStart, m + 1);
      this.adjoint = grow(this.adjoint, m);
      this.tangent = grow(this.tangent, m);
      this.adjointTangent = grow(this.adjointTangent, m);
    }
    this.op[k] = o;
    this.constant[k] = c;
    this.edgeStart[k] = this.edges;
    this.haa[k] = 0;
    this.hab[k] = 0;
    this.hbb[k] = 0;
    return k;
  }

  private addEdge(p: number): number {
    const e = this.edges++;
    if (e >= this.parent.length) {
      this.parent = grow(this.parent, 2 * this.parent.length);
      this.partial = grow(this.partial, 2 * this.partial.length);
    }
    this.parent[e] = p;
    return e;
  }

  /**
   * z = φ(a, b) for node k: writes ∂z/∂a (edge e), ∂z/∂b (edge e + 1) and the second derivatives; returns z.
   */
  private local(o: Op, k: number, e: number): void {
    const d = this.partial, v = this.value;
    // operands read here, not passed in: doubles passed to a call V8 does not inline are boxed too
    const a = v[this.parent[e]];
    const b = this.edgeStart[k + 1] - e > 1 ? v[this.parent[e + 1]] : 0;
    const c = this.constant[k];
    switch (o) {
      case Op.Add: d[e] = 1; d[e + 1] = 1; v[k] = a + b; return;
      case Op.Sub: d[e] = 1; d[e + 1] = -1; v[k] = a - b; return;
      case Op.Mul: d[e] = b; d[e + 1] = a; this.hab[k] = 1; v[k] = a * b; return;
      case Op.Div: {
        const r = 1 / b;
        d[e] = r;
        d[e + 1] = -a * r * r;
        this.hab[k] = -r * r;
        this.hbb[k] = 2 * a * r * r * r;
        v[k] = a / b; return;
      }
      case Op.Neg: d[e] = -1; v[k] = -a; return;
      case Op.AddC: d[e] = 1; v[k] = a + c; return;
      case Op.MulC: d[e] = c; v[k] = a * c; return;
      case Op.DivC: d[e] = 1 / c; v[k] = a / c; return;
      case Op.RSubC: d[e] = -1; v[k] = c - a; return;
      case Op.RDivC: {
        const r = 1 / a;
        d[e] = -c * r * r;
        this.haa[k] = 2 * c * r * r * r;
        v[k] = c / a; return;
      }
      case Op.Square: d[e] = 2 * a; this.haa[k] = 2; v[k] = a * a; return;
      case Op.PowC: {
        d[e] = c === 0 ? 0 : c * a ** (c - 1);
        this.haa[k] = c === 0 || c === 1 ? 0 : c * (c - 1) * a ** (c - 2);
        v[k] = a ** c; return;
      }
      case Op.Exp: { const z = Math.exp(a); d[e] = z; this.haa[k] = z; v[k] = z; return; }
      case Op.Log: d[e] = 1 / a; this.haa[k] = -1 / (a * a); v[k] = Math.log(a); return;
      case Op.Sqrt: { const z = Math.sqrt(a); d[e] = 0.5 / z; this.haa[k] = -0.25 / (z * a); v[k] = z; return; }
      case Op.Sin: { const s = Math.sin(a); d[e] = Math.cos(a); this.haa[k] = -s; v[k] = s; return; }
      case Op.Cos: { const z = Math.cos(a); d[e] = -Math.sin(a); this.haa[k] = -z; v[k] = z; return; }
      case Op.Tanh: { const z = Math.tanh(a); const p = 1 - z * z; d[e] = p; this.haa[k] = -2 * z * p; v[k] = z; return; }
      case Op.Sigmoid: {
        const z = a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a));
        const p = z * (1 - z);
        d[e] = p;
        this.haa[k] = p * (1 - 2 * z);
        v[k] = z; return;
      }
      default: throw new Error(`second-order: no local rule for op ${o}`);
    }
  }

  // ---- sweeps

  private reverse(): void {
    const { adjoint: adj, parent, partial: d, edgeStart } = this;
    adj.fill(0, 0, this.size);
    adj[this.root] = 1;
    for (let k = this.root; k >= this.n; k--) {
      const w = adj[k];
      if (w === 0) continue;
      for (let e = edgeStart[k]; e < edgeStart[k + 1]; e++) adj[parent[e]] += w * d[e];
    }
  }

  /** With tangent[0..n) = u and the primal adjoints current: writes (∇²f·u)ᵢ into out[offset + i]. */
  private secondOrderSweep(out: Float64Array, offset: number): void {
    const { adjoint: adj, tangent: t, adjointTangent: at, parent, partial: d, edgeStart, haa, hab, hbb } = this;
    const root = this.root;
    for (let k = this.n; k <= root; k++) {
      let s = 0;
      for (let e = edgeStart[k]; e < edgeStart[k + 1]; e++) s += d[e] * t[parent[e]];
      t[k] = s;
    }
    at.fill(0, 0, root + 1);
    for (let k = root; k >= this.n; k--) {
      const w = adj[k], wt = at[k];
      const e0 = edgeStart[k], e1 = edgeStart[k + 1];
      if (this.op[k] === Op.Linear) {
        // constant partials, no second derivatives
        if (wt !== 0) for (let e = e0; e < e1; e++) at[parent[e]] += wt * d[e];
        continue;
      }
      // a unary or binary operation (a constant has no edges)
      if (e1 === e0) continue;
      const ta = t[parent[e0]];
      const tb = e1 - e0 > 1 ? t[parent[e0 + 1]] : 0;
      at[parent[e0]] += wt * d[e0] + w * (haa[k] * ta + hab[k] * tb);
      if (e1 - e0 > 1) at[parent[e0 + 1]] += wt * d[e0 + 1] + w * (hab[k] * ta + hbb[k] * tb);
    }
    const base = offset < 0 ? 0 : offset;
    for (let i = 0; i < this.n; i++) out[base + i] = at[i];
  }
}

/**
 * f's Hessian at x by forward-over-reverse (records f at x; for repeated use, keep a Tape and `replay`).
 * Writes it into hOut (n×n row-major) and ∇f into gOut when given; returns f(x).
 */
export function hessianOf(fn: ScalarFunction, x: ArrayLike<number>, hOut: Float64Array, gOut?: Float64Array): number {
  const tape = new Tape();
  const f = tape.record(fn, x);
  tape.hessian(hOut);
  if (gOut) tape.gradient(gOut);
  return f;
}

/** ∇²f(x)·u by one forward and one reverse sweep; writes ∇f into gOut when given; returns f(x). */
export function hessianVectorProductOf(fn: ScalarFunction, x: ArrayLike<number>, u: ArrayLike<number>, hvOut: Float64Array, gOut?: Float64Array): number {
  const tape = new Tape();
  const f = tape.record(fn, x);
  tape.hessianVectorProduct(u, hvOut, gOut);
  return f;
}
