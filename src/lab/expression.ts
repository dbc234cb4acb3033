/**
 * The lab's typed functions: a small, safe parser (no `eval`, no `Function`) for f(x, y) written as a person
 * writes it (`x^2 + 10*y^2`, `sin(x)*cos(y)`, `(1 - x)^2 + 100(y - x^2)^2`), compiled two ways:
 * - to autograd Scalars (`expressionObjective`), so every optimizer gets the exact gradient and Newton the exact
 *   Hessian by forward-over-reverse; its operations do not depend on x, so it is recorded once and replayed;
 * - to a plain closure for the many values a contour or a surface needs.
 * Parsing never throws: a bad input gives `{ ok: false, message, at }` for the page to show inline.
 * Pure (no DOM, no Node APIs).
 */
import type { Scalar, ScalarFunction } from '../autograd/second-order.js';
import { expressionObjective, type Objective } from '../objectives/index.js';
import { minimize } from '../search/index.js';

/** The parsed form. */
export type Expr =
  | { k: 'num'; v: number }
  | { k: 'var'; name: 'x' | 'y' }
  | { k: 'neg'; a: Expr }
  | { k: 'bin'; op: '+' | '-' | '*' | '/' | '^'; a: Expr; b: Expr }
  | { k: 'call'; f: FunctionName; a: Expr };

/** The functions a typed expression may call. */
export const FUNCTIONS = ['sin', 'cos', 'tan', 'exp', 'log', 'ln', 'sqrt', 'tanh', 'sigmoid'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

/** Longest expression accepted, and deepest nesting (a page must not freeze or overflow its stack). */
export const MAX_LENGTH = 400;
const MAX_DEPTH = 60;

export type ParseResult = { ok: true; expr: Expr; text: string } | { ok: false; message: string; at: number };

class ParseError {
  constructor(readonly message: string, readonly at: number) {}
}

interface Token {
  t: 'num' | 'id' | 'op' | 'end';
  v: string;
  at: number;
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(s.slice(i));
    if (num) {
      out.push({ t: 'num', v: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z_0-9]*/.exec(s.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0], at: i });
      i += id[0].length;
      continue;
    }
    if (s.startsWith('**', i)) {
      out.push({ t: 'op', v: '^', at: i });
      i += 2;
      continue;
    }
    if ('+-*/^(),'.includes(c)) {
      out.push({ t: 'op', v: c, at: i });
      i++;
      continue;
    }
    if (c === '·' || c === '×') { out.push({ t: 'op', v: '*', at: i }); i++; continue; }
    if (c === '−') { out.push({ t: 'op', v: '-', at: i }); i++; continue; }
    throw new ParseError(`unexpected character '${c}'`, i);
  }
  out.push({ t: 'end', v: '', at: s.length });
  return out;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i];
  }
  private next(): Token {
    return this.tokens[this.i++];
  }
  private expectOp(v: string): void {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new ParseError(t.t === 'end' ? `expected '${v}' before the end` : `expected '${v}', got '${t.v}'`, t.at);
  }
  private enter(at: number): void {
    if (++this.depth > MAX_DEPTH) throw new ParseError('too deeply nested', at);
  }

  parse(): Expr {
    const e = this.sum();
    const t = this.peek();
    if (t.t !== 'end') throw new ParseError(t.v === ')' ? "unmatched ')'" : `unexpected '${t.v}'`, t.at);
    return e;
  }

  private sum(): Expr {
    let a = this.product();
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && (t.v === '+' || t.v === '-')) {
        this.next();
        a = { k: 'bin', op: t.v, a, b: this.product() };
      } else return a;
    }
  }

  private product(): Expr {
    let a = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && (t.v === '*' || t.v === '/')) {
        this.next();
        a = { k: 'bin', op: t.v, a, b: this.unary() };
      } else if (t.t === 'id' || (t.t === 'op' && t.v === '(') || t.t === 'num') {
        // implicit product: 2x, 3(x + 1), x y, (x + 1)(y − 1)
        if (t.t === 'num') throw new ParseError(`expected an operator before '${t.v}'`, t.at);
        a = { k: 'bin', op: '*', a, b: this.unary() };
      } else return a;
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.t === 'op' && (t.v === '-' || t.v === '+')) {
      this.next();
      this.enter(t.at);
      const a = this.unary();
      this.depth--;
      return t.v === '-' ? { k: 'neg', a } : a;
    }
    return this.power();
  }

  private power(): Expr {
    const base = this.primary();
    const t = this.peek();
    if (t.t === 'op' && t.v === '^') {
      this.next();
      this.enter(t.at);
      const exp = this.unary(); // right-associative; 2^-x allowed
      this.depth--;
      return { k: 'bin', op: '^', a: base, b: exp };
    }
    return base;
  }

  private primary(): Expr {
    const t = this.next();
    if (t.t === 'num') {
      const v = Number(t.v);
      if (!Number.isFinite(v)) throw new ParseError(`number '${t.v}' is out of range`, t.at);
      return { k: 'num', v };
    }
    if (t.t === 'id') {
      const name = t.v;
      if (name === 'x' || name === 'y') return { k: 'var', name };
      if (Object.hasOwn(CONSTANTS, name.toLowerCase()) && !(this.peek().t === 'op' && this.peek().v === '(')) return { k: 'num', v: CONSTANTS[name.toLowerCase()] };
      const f = name.toLowerCase();
      if ((FUNCTIONS as readonly string[]).includes(f)) {
        const open = this.peek();
        if (!(open.t === 'op' && open.v === '(')) throw new ParseError(`${f} needs parentheses: ${f}(…)`, open.at);
        this.next();
        this.enter(open.at);
        const a = this.sum();
        this.depth--;
        if (this.peek().t === 'op' && this.peek().v === ',') throw new ParseError(`${f} takes one argument`, this.peek().at);
        this.expectOp(')');
        return { k: 'call', f: f as FunctionName, a };
      }
      throw new ParseError(`unknown name '${name}': use x, y, pi, e and ${FUNCTIONS.join(', ')}`, t.at);
    }
    if (t.t === 'op' && t.v === '(') {
      this.enter(t.at);
      const e = this.sum();
      this.depth--;
      this.expectOp(')');
      return e;
    }
    if (t.t === 'end') throw new ParseError('the expression ends too early', t.at);
    throw new ParseError(`unexpected '${t.v}'`, t.at);
  }
}

/** Parses f(x, y); never throws. */
export function parseExpression(text: string): ParseResult {
  const s = String(text ?? '');
  if (s.trim() === '') return { ok: false, message: 'type a function of x and y, e.g. x^2 + 10*y^2', at: 0 };
  if (s.length > MAX_LENGTH) return { ok: false, message: `at most ${MAX_LENGTH} characters`, at: MAX_LENGTH };
  try {
    const expr = new Parser(tokenize(s)).parse();
    if (!usesVariable(expr)) return { ok: false, message: 'the function does not depend on x or y', at: 0 };
    return { ok: true, expr, text: s };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, message: e.message, at: e.at };
    return { ok: false, message: 'could not read the expression', at: 0 };
  }
}

function usesVariable(e: Expr): boolean {
  switch (e.k) {
    case 'num': return false;
    case 'var': return true;
    case 'neg': case 'call': return usesVariable(e.a);
    case 'bin': return usesVariable(e.a) || usesVariable(e.b);
  }
}

function applyNumber(f: FunctionName, v: number): number {
  switch (f) {
    case 'sin': return Math.sin(v);
    case 'cos': return Math.cos(v);
    case 'tan': return Math.tan(v);
    case 'exp': return Math.exp(v);
    case 'log': case 'ln': return Math.log(v);
    case 'sqrt': return Math.sqrt(v);
    case 'tanh': return Math.tanh(v);
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
  }
}

function binNumber(op: '+' | '-' | '*' | '/' | '^', a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '^': return Math.pow(a, b);
  }
}

/** f as a plain closure over numbers (the contour grid and the 3-D surface evaluate it thousands of times). */
export function compileNumber(e: Expr): (x: number, y: number) => number {
  switch (e.k) {
    case 'num': { const v = e.v; return () => v; }
    case 'var': return e.name === 'x' ? (x) => x : (_x, y) => y;
    case 'neg': { const a = compileNumber(e.a); return (x, y) => -a(x, y); }
    case 'call': { const a = compileNumber(e.a), f = e.f; return (x, y) => applyNumber(f, a(x, y)); }
    case 'bin': {
      const a = compileNumber(e.a), b = compileNumber(e.b), op = e.op;
      return (x, y) => binNumber(op, a(x, y), b(x, y));
    }
  }
}

/** The constant value of a subtree without x or y, else null. */
function constantOf(e: Expr): number | null {
  return usesVariable(e) ? null : compileNumber(e)(0, 0);
}

function applyScalar(f: FunctionName, a: Scalar): Scalar {
  switch (f) {
    case 'sin': return a.sin();
    case 'cos': return a.cos();
    case 'tan': return a.sin().div(a.cos());
    case 'exp': return a.exp();
    case 'log': case 'ln': return a.log();
    case 'sqrt': return a.sqrt();
    case 'tanh': return a.tanh();
    case 'sigmoid': return a.sigmoid();
  }
}

/** f over autograd Scalars: constants folded, a constant exponent as a power, a variable one through exp·log. */
export function compileScalar(e: Expr): ScalarFunction {
  const build = (n: Expr, v: readonly Scalar[], c: (value: number) => Scalar): Scalar => {
    const k = constantOf(n);
    if (k !== null) return c(k);
    switch (n.k) {
      case 'var': return n.name === 'x' ? v[0] : v[1];
      case 'neg': return build(n.a, v, c).neg();
      case 'call': return applyScalar(n.f, build(n.a, v, c));
      case 'num': return c(n.v);
      case 'bin': {
        const ka = constantOf(n.a), kb = constantOf(n.b);
        if (n.op === '^') {
          if (kb !== null) return kb === 2 ? build(n.a, v, c).square() : kb === 1 ? build(n.a, v, c) : build(n.a, v, c).pow(kb);
          // a^b = exp(b·ln a): a constant base, or both variable
          const lnA = ka !== null ? Math.log(ka) : null;
          return lnA !== null ? build(n.b, v, c).mul(lnA).exp() : build(n.b, v, c).mul(build(n.a, v, c).log()).exp();
        }
        if (ka !== null) {
          const b = build(n.b, v, c);
          switch (n.op) {
            case '+': return b.add(ka);
            case '-': return b.rsub(ka);
            case '*': return b.mul(ka);
            case '/': return b.rdiv(ka);
          }
        }
        const a = build(n.a, v, c);
        const b = kb !== null ? kb : build(n.b, v, c);
        switch (n.op) {
          case '+': return a.add(b);
          case '-': return a.sub(b);
          case '*': return a.mul(b);
          case '/': return a.div(b);
        }
      }
    }
  };
  return (x, c) => build(e, x, c);
}

/** A typed function, ready for the race: its objective (exact gradient and Hessian), its plain values. */
export interface TypedFunction {
  text: string;
  objective: Objective;
  value: (x: number, y: number) => number;
}

/** Parses and compiles; never throws. */
export function typedFunction(text: string): { ok: true; fn: TypedFunction } | { ok: false; message: string; at: number } {
  const p = parseExpression(text);
  if (!p.ok) return p;
  const objective = expressionObjective(2, compileScalar(p.expr), { name: 'f(x, y)', fixedOperations: true });
  return { ok: true, fn: { text: p.text, objective, value: compileNumber(p.expr) } };
}

/** Where the minimum seems to be over a domain, and whether it is inside it (not a descent past the edge). */
export interface MinimumEstimate {
  point: [number, number];
  value: number;
  /** False when f keeps falling past the domain's edge (exp(x), x + y): no minimum is marked. */
  interior: boolean;
}

/**
 * The minimum of f over the domain, estimated: the best of a 101×101 grid, refined by BFGS from there (exact
 * gradients). Interior when the refined point stays within the domain; else the grid's best, on the edge.
 * Null when f is nowhere finite on the grid.
 */
export function estimateMinimum(fn: TypedFunction, domain: [[number, number], [number, number]]): MinimumEstimate | null {
  const [[x0, x1], [y0, y1]] = domain;
  const n = 101;
  let best = Infinity, bx = NaN, by = NaN, bi = 0, bj = 0;
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const x = x0 + ((x1 - x0) * i) / (n - 1), y = y0 + ((y1 - y0) * j) / (n - 1);
    const v = fn.value(x, y);
    if (v < best) { best = v; bx = x; by = y; bi = i; bj = j; }
  }
  if (!Number.isFinite(best)) return null;
  const onEdge = bi === 0 || bj === 0 || bi === n - 1 || bj === n - 1;
  try {
    const r = minimize(fn.objective, [bx, by], { method: 'bfgs', gtol: 1e-10, maxIter: 200 });
    const [px, py] = [r.x[0], r.x[1]];
    const mx = 0.01 * (x1 - x0), my = 0.01 * (y1 - y0);
    const inside = px >= x0 && px <= x1 && py >= y0 && py <= y1;
    const wellInside = px > x0 + mx && px < x1 - mx && py > y0 + my && py < y1 - my;
    // a stationary point found well inside is a minimum even where the grid's best sat on the edge
    if (Number.isFinite(r.fun) && r.fun <= best && inside) return { point: [px, py], value: r.fun, interior: wellInside && (r.reason === 'gtol' || !onEdge) };
  } catch {
    // a refinement that fails leaves the grid's answer
  }
  return { point: [bx, by], value: best, interior: !onEdge };
}
