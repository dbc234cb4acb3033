/**
 * The contract's test functions plus two from the lectures (a long narrow valley and a plateau).
 * Each has a hand-written gradient, the fast path of every run: it follows the order in which torch's
 * autograd accumulates, where that is cheap to do, so float64 trajectories agree with PyTorch's. Each also
 * writes f once as an `expression` over autograd Scalars, and its Hessian comes from that expression by
 * forward-over-reverse automatic differentiation (src/autograd/second-order.ts, `withTapedHessian`).
 */
import { inputError } from '../errors.js';
import { linearCombination, sumOf, type Scalar } from '../autograd/second-order.js';
import { withTapedHessian, type Objective, type ObjectiveFamily } from './objective.js';

/** c of xcos: f(x) = x·cos(c·x), c = 0.15π. On [−10, 10] it has a local minimum at x ≈ −1.826 (f ≈ −1.19) and the lower one at x ≈ 7.269 (f ≈ −6.98). */
export const XCOS_C = 0.15 * Math.PI;

function fixed2(name: string): (n: number | undefined) => void {
  return (n) => {
    if (n !== undefined && n !== 2) throw inputError(`function '${name}': expected x0 of length 2, got ${n}`);
  };
}

/** f(x) = x². The lectures' first demo: GD with η = 0.2 from 10 converges; η = 1.1 diverges. */
export const square: ObjectiveFamily = {
  dim: 1,
  params: {},
  description: 'x² (1-D)',
  make(): Objective {
    return withTapedHessian({
      name: 'square', n: 1, dim: 1, minimum: [0], minimumValue: 0, domain: [[-10, 10]],
      value: (x) => x[0] ** 2,
      // d/dx x**2 as autograd computes it: 1 * (2 * x)
      valueAndGrad(x, g) { g[0] = 2 * x[0]; return x[0] ** 2; },
      expression: (x) => x[0].square(),
    });
  },
};

/** f(x) = x·cos(c·x), c = 0.15π: a 1-D function with a local and a global minimum. */
export const xcos: ObjectiveFamily = {
  dim: 1,
  params: {},
  description: 'x·cos(0.15πx) (1-D, a local and a global minimum)',
  make(): Objective {
    const c = XCOS_C;
    return withTapedHessian({
      name: 'xcos', n: 1, dim: 1, domain: [[-10, 10]],
      value: (x) => x[0] * Math.cos(c * x[0]),
      valueAndGrad(x, g) {
        const u = c * x[0];
        const cu = Math.cos(u);
        // product rule: cos(cx) + x·(−sin(cx))·c
        g[0] = cu + x[0] * -Math.sin(u) * c;
        return x[0] * cu;
      },
      expression: (x) => x[0].mul(x[0].mul(c).cos()),
    });
  },
};

/** f(x) = ½xᵀAx − bᵀx + c with A symmetric n×n. ∇f = Ax − b, ∇²f = A. */
export const quadratic: ObjectiveFamily = {
  dim: 'any',
  minDim: 1,
  params: { A: undefined, b: undefined, c: 0 },
  description: '½xᵀAx − bᵀx + c; parameters A (n×n, symmetric), b (n), c (default 0)',
  make(n, p): Objective {
    const A = p.A;
    if (!Array.isArray(A) || A.length === 0) throw inputError(`function 'quadratic': A: expected an n×n array of numbers`);
    const m = A.length;
    if (n !== undefined && n !== m) throw inputError(`function 'quadratic': x0 has length ${n} but A is ${m}×${m}`);
    const a = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      const row = A[i];
      if (!Array.isArray(row) || row.length !== m) throw inputError(`function 'quadratic': A[${i}]: expected ${m} numbers`);
      for (let j = 0; j < m; j++) {
        const v = row[j];
        if (typeof v !== 'number' || !Number.isFinite(v)) throw inputError(`function 'quadratic': A[${i}][${j}]: expected a finite number`);
        a[i * m + j] = v;
      }
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < i; j++) {
        const x = a[i * m + j], y = a[j * m + i];
        if (Math.abs(x - y) > 1e-12 * Math.max(1, Math.abs(x), Math.abs(y))) {
          throw inputError(`function 'quadratic': A must be symmetric; A[${i}][${j}] = ${x} but A[${j}][${i}] = ${y}`);
        }
      }
    }
    const bArr = p.b === undefined ? new Array<number>(m).fill(0) : p.b;
    if (!Array.isArray(bArr) || bArr.length !== m || bArr.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw inputError(`function 'quadratic': b: expected ${m} finite numbers`);
    }
    const b = Float64Array.from(bArr as number[]);
    const c0 = p.c;
    if (typeof c0 !== 'number' || !Number.isFinite(c0)) throw inputError(`function 'quadratic': c: expected a finite number`);
    const ax = new Float64Array(m); // scratch for Ax, made once
    const mulA = (x: Float64Array): void => {
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += a[i * m + j] * x[j];
        ax[i] = s;
      }
    };
    const valueFromAx = (x: Float64Array): number => {
      let xax = 0, bx = 0;
      for (let i = 0; i < m; i++) { xax += x[i] * ax[i]; bx += b[i] * x[i]; }
      return 0.5 * xax - bx + c0;
    };
    const obj: Objective = withTapedHessian({
      name: 'quadratic', n: m, dim: 'any',
      value(x) { mulA(x); return valueFromAx(x); },
      valueAndGrad(x, g) {
        mulA(x);
        for (let i = 0; i < m; i++) g[i] = ax[i] - b[i];
        return valueFromAx(x);
      },
      // ½·xᵀ(Ax) − bᵀx + c: one n-ary node per row of A, so a Hessian costs n sweeps of n² + O(n) edges
      expression: (x) => {
        const ax = Array.from({ length: m }, (_v, i) => linearCombination(x, a.subarray(i * m, (i + 1) * m)));
        return sumOf(x.map((xi, i) => xi.mul(ax[i]))).mul(0.5).sub(linearCombination(x, b)).add(c0);
      },
    });
    const min = solveSpd(a, b, m);
    if (min) {
      const xm = Float64Array.from(min);
      Object.assign(obj, { minimum: min, minimumValue: obj.value(xm) });
    }
    if (m === 2) {
      const cx = min ? min[0] : 0, cy = min ? min[1] : 0;
      Object.assign(obj, { domain: [[cx - 3, cx + 3], [cy - 3, cy + 3]] });
    }
    return obj;
  },
};

/** Solves Ax = b by Cholesky when A is positive definite; null otherwise (no unique minimum). */
function solveSpd(a: Float64Array, b: Float64Array, m: number): number[] | null {
  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * m + j];
      for (let k = 0; k < j; k++) s -= L[i * m + k] * L[j * m + k];
      if (i === j) {
        if (!(s > 0)) return null;
        L[i * m + i] = Math.sqrt(s);
      } else L[i * m + j] = s / L[j * m + j];
    }
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * m + k] * y[k];
    y[i] = s / L[i * m + i];
  }
  const x = new Array<number>(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < m; k++) s -= L[k * m + i] * x[k];
    x[i] = s / L[i * m + i];
  }
  return x;
}

/**
 * Rosenbrock, any n ≥ 2: f = Σ_{i=1}^{n−1} 100·(x_{i+1} − x_i²)² + (1 − x_i)². Minimum 0 at (1, ..., 1).
 * The gradient is accumulated per term as autograd does: t = x_{i+1} − x_i², g_t = 100·(2t),
 * ∂/∂x_{i+1} += g_t, ∂/∂x_i += −g_t·(2x_i) − 2(1 − x_i).
 */
export const rosenbrock: ObjectiveFamily = {
  dim: 'any',
  minDim: 2,
  params: {},
  description: 'Σ 100·(x_{i+1} − x_i²)² + (1 − x_i)² (any n ≥ 2)',
  make(n0): Objective {
    const n = n0 ?? 2;
    if (n < 2) throw inputError(`function 'rosenbrock': expected x0 of length at least 2, got ${n}`);
    return withTapedHessian({
      name: 'rosenbrock', n, dim: 'any',
      minimum: new Array<number>(n).fill(1), minimumValue: 0,
      domain: n === 2 ? [[-2, 2], [-1, 3]] : undefined,
      value(x) {
        let f = 0;
        for (let i = 0; i < n - 1; i++) {
          const t = x[i + 1] - x[i] ** 2;
          const u = 1 - x[i];
          f += 100 * t ** 2 + u ** 2;
        }
        return f;
      },
      valueAndGrad(x, g) {
        g.fill(0);
        let f = 0;
        for (let i = 0; i < n - 1; i++) {
          const t = x[i + 1] - x[i] ** 2;
          const u = 1 - x[i];
          f += 100 * t ** 2 + u ** 2;
          const gt = 100 * (2 * t);
          g[i + 1] += gt;
          g[i] += -gt * (2 * x[i]) + -(2 * u);
        }
        return f;
      },
      expression: (x) => sumOf(x.slice(0, -1).map((xi, i) => x[i + 1].sub(xi.square()).square().mul(100).add(xi.rsub(1).square()))),
    });
  },
};

/**
 * Beale: (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)². Minimum 0 at (3, 0.5);
 * flat, curved valleys make it the lectures' showcase for momentum and adaptive methods.
 */
export const beale: ObjectiveFamily = {
  dim: 2,
  params: {},
  description: '(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)² (2-D)',
  make(n): Objective {
    fixed2('beale')(n);
    return withTapedHessian({
      name: 'beale', n: 2, dim: 2, minimum: [3, 0.5], minimumValue: 0, domain: [[-4.5, 4.5], [-4.5, 4.5]],
      value(p) {
        const x = p[0], y = p[1];
        return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2;
      },
      valueAndGrad(p, g) {
        const x = p[0], y = p[1];
        const y2 = y ** 2, y3 = y ** 3;
        const u1 = 1.5 - x + x * y, u2 = 2.25 - x + x * y2, u3 = 2.625 - x + x * y3;
        g[0] = 2 * u1 * (y - 1) + 2 * u2 * (y2 - 1) + 2 * u3 * (y3 - 1);
        g[1] = 2 * u1 * x + 2 * u2 * (2 * x * y) + 2 * u3 * (3 * x * y2);
        return u1 ** 2 + u2 ** 2 + u3 ** 2;
      },
      expression: ([x, y]) => {
        const term = (c: number, yk: Scalar): Scalar => x.rsub(c).add(x.mul(yk)).square();
        return term(1.5, y).add(term(2.25, y.square())).add(term(2.625, y.pow(3)));
      },
    });
  },
};

/** Booth: (x + 2y − 7)² + (2x + y − 5)². Minimum 0 at (1, 3). */
export const booth: ObjectiveFamily = {
  dim: 2,
  params: {},
  description: '(x + 2y − 7)² + (2x + y − 5)² (2-D)',
  make(n): Objective {
    fixed2('booth')(n);
    return withTapedHessian({
      name: 'booth', n: 2, dim: 2, minimum: [1, 3], minimumValue: 0, domain: [[-10, 10], [-10, 10]],
      value: (p) => (p[0] + 2 * p[1] - 7) ** 2 + (2 * p[0] + p[1] - 5) ** 2,
      valueAndGrad(p, g) {
        const a = p[0] + 2 * p[1] - 7, b = 2 * p[0] + p[1] - 5;
        g[0] = 2 * a + 2 * b * 2;
        g[1] = 2 * a * 2 + 2 * b;
        return a ** 2 + b ** 2;
      },
      expression: ([x, y]) => x.add(y.mul(2)).sub(7).square().add(x.mul(2).add(y).sub(5).square()),
    });
  },
};

/** Himmelblau: (x² + y − 11)² + (x + y² − 7)². Four minima of value 0; `minimum` is (3, 2). */
export const himmelblau: ObjectiveFamily = {
  dim: 2,
  params: {},
  description: '(x² + y − 11)² + (x + y² − 7)² (2-D, four minima)',
  make(n): Objective {
    fixed2('himmelblau')(n);
    return withTapedHessian({
      name: 'himmelblau', n: 2, dim: 2, minimum: [3, 2], minimumValue: 0, domain: [[-5, 5], [-5, 5]],
      value: (p) => (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2,
      valueAndGrad(p, g) {
        const x = p[0], y = p[1];
        const a = x ** 2 + y - 11, b = x + y ** 2 - 7;
        g[0] = 2 * a * (2 * x) + 2 * b;
        g[1] = 2 * a + 2 * b * (2 * y);
        return a ** 2 + b ** 2;
      },
      expression: ([x, y]) => x.square().add(y).sub(11).square().add(x.add(y.square()).sub(7).square()),
    });
  },
};

/** Saddle: x² − y². A saddle point at the origin, unbounded below along y. */
export const saddle: ObjectiveFamily = {
  dim: 2,
  params: {},
  description: 'x² − y² (2-D, a saddle at the origin)',
  make(n): Objective {
    fixed2('saddle')(n);
    return withTapedHessian({
      name: 'saddle', n: 2, dim: 2, domain: [[-2, 2], [-2, 2]],
      value: (p) => p[0] ** 2 - p[1] ** 2,
      valueAndGrad(p, g) { g[0] = 2 * p[0]; g[1] = -(2 * p[1]); return p[0] ** 2 - p[1] ** 2; },
      expression: ([x, y]) => x.square().sub(y.square()),
    });
  },
};

/**
 * The lectures' long narrow valley: f = ½(a·x² + b·y²), defaults a = 0.1, b = 10, so the Hessian's
 * condition number is b/a = 100. Gradient descent zig-zags across the valley (lr must stay below 2/b)
 * while crawling along it; momentum and adaptive methods cure this. Minimum 0 at the origin.
 */
export const valley: ObjectiveFamily = {
  dim: 2,
  params: { a: 0.1, b: 10 },
  description: '½(a·x² + b·y²), a long narrow valley (defaults a = 0.1, b = 10: condition number 100)',
  make(n, p): Objective {
    fixed2('valley')(n);
    const a = p.a, b = p.b;
    if (typeof a !== 'number' || !(a > 0) || !Number.isFinite(a)) throw inputError(`function 'valley': a: expected a number > 0`);
    if (typeof b !== 'number' || !(b > 0) || !Number.isFinite(b)) throw inputError(`function 'valley': b: expected a number > 0`);
    return withTapedHessian({
      name: 'valley', n: 2, dim: 2, minimum: [0, 0], minimumValue: 0,
      domain: [[-10, 10], [-10 * Math.sqrt(a / b) * 3, 10 * Math.sqrt(a / b) * 3]],
      value: (x) => 0.5 * (a * x[0] ** 2 + b * x[1] ** 2),
      valueAndGrad(x, g) { g[0] = a * x[0]; g[1] = b * x[1]; return 0.5 * (a * x[0] ** 2 + b * x[1] ** 2); },
      expression: ([x, y]) => x.square().mul(a).add(y.square().mul(b)).mul(0.5),
    });
  },
};

/**
 * A plateau: f = 1 − exp(−(x² + y²)/(2σ²)) (default σ = 1). Minimum 0 at the origin; beyond about 3σ
 * the surface is nearly flat (|∇f| < 0.04 at r = 3σ, < 2e-5 at 5σ), so plain gradient descent stalls there
 * while methods that normalise the gradient (Adam, RMSProp, Rprop) walk off the plateau.
 */
export const plateau: ObjectiveFamily = {
  dim: 2,
  params: { sigma: 1 },
  description: '1 − exp(−(x² + y²)/(2σ²)), flat far from the origin (default σ = 1)',
  make(n, p): Objective {
    fixed2('plateau')(n);
    const s = p.sigma;
    if (typeof s !== 'number' || !(s > 0) || !Number.isFinite(s)) throw inputError(`function 'plateau': sigma: expected a number > 0`);
    const k = 1 / (2 * s * s);
    return withTapedHessian({
      name: 'plateau', n: 2, dim: 2, minimum: [0, 0], minimumValue: 0, domain: [[-6 * s, 6 * s], [-6 * s, 6 * s]],
      value: (x) => 1 - Math.exp(-k * (x[0] ** 2 + x[1] ** 2)),
      valueAndGrad(x, g) {
        const e = Math.exp(-k * (x[0] ** 2 + x[1] ** 2));
        g[0] = 2 * k * x[0] * e;
        g[1] = 2 * k * x[1] * e;
        return 1 - e;
      },
      expression: ([x, y]) => x.square().add(y.square()).mul(-k).exp().rsub(1),
    });
  },
};
