// The lab's typed functions (src/lab/expression.ts), its own CSV data (csv-data.ts), the surface projection
// (surface.ts) and the new URL keys: values, gradients and Hessians against closed forms and the built-in
// objectives; errors as one message with its column, never a throw (fast-check on random strings).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileNumber, estimateMinimum, parseExpression, typedFunction } from '../../src/lab/expression.js';
import { labObjective } from '../../src/lab/functions.js';
import { csvToyData } from '../../src/lab/csv-data.js';
import { heightField, project, surfaceQuads, surfaceScene } from '../../src/lab/surface.js';
import { decodeState, defaultState, encodeState, parseDomain } from '../../src/lab/state.js';
import { Race } from '../../src/lab/race.js';
import { makeObjective } from '../../src/objectives/index.js';
import { minimize } from '../../src/search/index.js';

function fn(text: string) {
  const t = typedFunction(text);
  assert.ok(t.ok, `${text}: ${t.ok ? '' : t.message}`);
  return t.fn;
}

test('typed functions: values, exact gradients and Hessians against closed forms', () => {
  const x = Float64Array.of(0.7, -1.3), g = new Float64Array(2), h = new Float64Array(4);
  const q = fn('x^2 + 10*y^2');
  assert.ok(Math.abs(q.objective.valueAndGrad(x, g) - (0.7 ** 2 + 10 * 1.3 ** 2)) < 1e-13);
  assert.ok(Math.abs(g[0] - 1.4) < 1e-15 && Math.abs(g[1] + 26) < 1e-13);
  q.objective.hessian!(x, h);
  assert.deepEqual(Array.from(h), [2, 0, 0, 20]);
  const s = fn('sin(x)*cos(y)');
  const [a, b] = [0.7, -1.3];
  assert.ok(Math.abs(s.objective.valueAndGrad(x, g) - Math.sin(a) * Math.cos(b)) < 1e-15);
  assert.ok(Math.abs(g[0] - Math.cos(a) * Math.cos(b)) < 1e-15 && Math.abs(g[1] + Math.sin(a) * Math.sin(b)) < 1e-15);
  s.objective.hessian!(x, h);
  const want = [-Math.sin(a) * Math.cos(b), -Math.cos(a) * Math.sin(b), -Math.cos(a) * Math.sin(b), -Math.sin(a) * Math.cos(b)];
  h.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-15, `H[${i}] ${v} vs ${want[i]}`));
  // precedence and forms people type: −x² is −(x²), 2^-1, implicit products, ** for ^, e and pi
  const cases: [string, number][] = [
    ['-x^2', -(a ** 2)], ['2^-1*x', 0.5 * a], ['2x + 3(y - 1)', 2 * a + 3 * (b - 1)], ['x**3', a ** 3], ['e^x + pi*y', Math.exp(a) + Math.PI * b],
    ['x^y^2', a ** (b ** 2)], ['(1 - x)^2 + 100(y - x^2)^2', (1 - a) ** 2 + 100 * (b - a * a) ** 2], ['sqrt(x^2 + y^2) + ln(1 + x^2) + tanh(y) + sigmoid(x) + tan(y) + exp(-y)',
      Math.hypot(a, b) + Math.log(1 + a * a) + Math.tanh(b) + 1 / (1 + Math.exp(-a)) + Math.tan(b) + Math.exp(-b)],
  ];
  for (const [text, v] of cases) {
    const f = fn(text);
    assert.ok(Math.abs(f.value(a, b) - v) <= 1e-12 * Math.max(1, Math.abs(v)), `${text}: ${f.value(a, b)} vs ${v}`);
    assert.ok(Math.abs(f.objective.value(x) - v) <= 1e-12 * Math.max(1, Math.abs(v)), `${text} (tape): ${f.objective.value(x)} vs ${v}`);
  }
});

test('a typed Rosenbrock is the built-in one: the same f, ∇f and Hessian, and Newton takes the same path', () => {
  const typed = fn('100*(y - x^2)^2 + (1 - x)^2').objective;
  const builtin = makeObjective('rosenbrock', 2);
  const x = Float64Array.of(-1.2, 1), g1 = new Float64Array(2), g2 = new Float64Array(2), h1 = new Float64Array(4), h2 = new Float64Array(4);
  assert.equal(typed.valueAndGrad(x, g1), builtin.valueAndGrad(x, g2));
  assert.deepEqual(Array.from(g1), Array.from(g2));
  typed.hessian!(x, h1);
  builtin.hessian!(x, h2);
  assert.deepEqual(Array.from(h1), Array.from(h2));
  const r1 = minimize(typed, [-1.2, 1], { method: 'newton' }), r2 = minimize(builtin, [-1.2, 1], { method: 'newton' });
  assert.equal(r1.nit, r2.nit);
  r1.path.forEach((p, k) => p.forEach((v, i) => assert.ok(Math.abs(v - r2.path[k][i]) < 1e-12, `iterate ${k}`)));
});

test('errors: one message and its column; random text never throws', () => {
  const bad: [string, RegExp, number][] = [
    ['x^2 +* y', /unexpected '\*'/, 5], ['', /type a function/, 0], ['x +', /ends too early/, 3], ['(x + y', /expected '\)' before the end/, 6],
    ['x + z', /unknown name 'z'/, 4], ['sin x', /sin needs parentheses/, 4], ['x + y)', /unmatched '\)'/, 5], ['3 + 4', /does not depend on x or y/, 0],
    ['x # y', /unexpected character '#'/, 2], ['eval(x)', /unknown name 'eval'/, 0], ['x 2', /expected an operator before '2'/, 2], ['sin(x, y)', /sin takes one argument/, 5],
  ];
  for (const [text, message, at] of bad) {
    const r = parseExpression(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) {
      assert.match(r.message, message, text);
      assert.equal(r.at, at, `${text}: column`);
    }
  }
  assert.equal(parseExpression('('.repeat(200) + 'x' + ')'.repeat(200)).ok, false, 'deep nesting is refused, not a stack overflow');
  assert.equal(parseExpression('x+'.repeat(300) + 'y').ok, false, 'too long');
  fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
    const r = parseExpression(s);
    if (r.ok) assert.ok(Number.isFinite(compileNumber(r.expr)(0.3, 0.4)) || true);
    return typeof r.ok === 'boolean';
  }), { numRuns: 500 });
  fc.assert(fc.property(fc.stringMatching(/^[xy0-9+\-*/^() .sincoexpltqrh]{0,30}$/), (s) => {
    const t = typedFunction(s);
    return t.ok || (typeof t.message === 'string' && t.at >= 0 && t.at <= s.length);
  }), { numRuns: 500 });
});

test('the minimum is estimated: (0, 0) for x² + 10y², (−π/2, 0) for sin(x)cos(y) on [−3, 3]×[−2, 2]; none inside for exp(1000x)', () => {
  const q = estimateMinimum(fn('x^2 + 10*y^2'), [[-3, 3], [-3, 3]])!;
  assert.ok(q.interior && Math.hypot(q.point[0], q.point[1]) < 1e-8 && q.value < 1e-15, JSON.stringify(q));
  const s = estimateMinimum(fn('sin(x)*cos(y)'), [[-3, 3], [-2, 2]])!;
  assert.ok(s.interior && Math.abs(s.point[0] + Math.PI / 2) < 1e-6 && Math.abs(s.point[1]) < 1e-6 && Math.abs(s.value + 1) < 1e-12, JSON.stringify(s));
  const e = estimateMinimum(fn('exp(1000*x)'), [[-3, 3], [-3, 3]])!;
  assert.equal(e.interior, false);
  const lin = estimateMinimum(fn('x + y'), [[-1, 1], [-1, 1]])!;
  assert.equal(lin.interior, false);
  assert.deepEqual(lin.point, [-1, -1]);
  // the lab's objective carries the estimate; the race from the default start reaches it
  const lab = labObjective({ fn: 'custom', expr: 'x^2 + 10*y^2', domain: null });
  assert.ok(lab.ok && lab.lab.objective.minimum && lab.lab.note === '');
  const ex = labObjective({ fn: 'custom', expr: 'exp(1000*x)', domain: null });
  assert.ok(ex.ok && ex.lab.objective.minimum === undefined && /no minimum is marked/.test(ex.lab.note));
  // exp(1000x) from (2, 1.5): f(x0) overflows; every runner is diverged at step 0, and stepping changes nothing
  const state = decodeState('fn=custom&expr=exp(1000*x)&on=sgd,adam&search=newton,bfgs').state;
  const race = new Race(state.fn, ex.ok ? ex.lab.objective : undefined);
  race.step();
  assert.deepEqual(race.runners.map((r) => [r.name, r.diverged, r.divergedAt]), [['sgd', true, 0], ['adam', true, 0], ['newton', true, 0], ['bfgs', true, 0]]);
  assert.ok(race.finished);
});

test('URL keys of the typed function, domain, vectors and surface round-trip; a bad domain is refused', () => {
  const s = defaultState();
  s.fn.fn = 'custom';
  s.fn.expr = 'sin(x) & y';
  s.fn.domain = [-1, 2, -0.5, 0.25];
  s.fn.vectors = true;
  s.fn.surface = true;
  s.fn.yaw = -40;
  s.fn.pitch = 60;
  const back = decodeState(encodeState(s));
  assert.deepEqual(back.warnings, []);
  assert.deepEqual(back.state, s);
  assert.deepEqual(parseDomain('-2, 2'), [-2, 2, -2, 2]);
  assert.match(String(parseDomain('1,0,0,1')), /minimum must be below/);
  assert.match(String(parseDomain('1,2,3')), /4 numbers/);
  const { warnings } = decodeState('dom=0,0,1,1&vectors=yes&pitch=95');
  assert.equal(warnings.length, 3);
});

test('a dropped CSV: two features scaled to [−1, 1], two classes as 0/1, split in half by the seed; a wrong shape is one message', () => {
  const rows = Array.from({ length: 10 }, (_v, i) => `${i * 2},${100 - i},${i % 2 ? 'yes' : 'no'}`);
  const bad = csvToyData(`a,b,label\n${rows.join('\n')}\n`, 'words.csv', 1);
  assert.ok('error' in bad && /words\.csv/.test(bad.error), 'a text label is not a number');
  const ok = csvToyData(`a,b,label\n${Array.from({ length: 10 }, (_v, i) => `${i * 2},${100 - i},${i % 2 ? 5 : -1}`).join('\n')}\n`, 'f.csv', 3);
  assert.ok(!('error' in ok));
  if ('error' in ok) return;
  assert.equal(ok.train.n + ok.test.n, 10);
  const all = [...ok.train.x, ...ok.test.x];
  assert.equal(Math.min(...all), -1);
  assert.equal(Math.max(...all), 1);
  // each row keeps its label: a = 2i maps to −1 + 2i/9; the label is 1 exactly for odd i (5), 0 for −1
  for (const set of [ok.train, ok.test]) for (let k = 0; k < set.n; k++) {
    const i = Math.round(((set.x[2 * k] + 1) * 9) / 2);
    assert.equal(set.y[k], i % 2);
    assert.ok(Math.abs(set.x[2 * k + 1] - (-1 + (2 * (9 - i)) / 9)) < 1e-12);
  }
  const three = csvToyData('a,b,c,label\n1,2,3,0\n4,5,6,1\n', 'three.csv', 1);
  assert.ok('error' in three && /expected 2 feature columns and a class column, got 3/.test(three.error));
  const classes = csvToyData('a,b,label\n1,2,0\n3,4,1\n5,6,2\n7,8,0\n', 'k.csv', 1);
  assert.ok('error' in classes && /expected 2 classes in 'label', got 3/.test(classes.error));
});

test('surface: a top view maps (x, y) to the screen as a plan does; quads paint back to front', () => {
  const top = { yaw: 0, pitch: 90 };
  const p = project([0.5, -0.25, 0.7], top);
  assert.ok(Math.abs(p[0] - 0.5) < 1e-12 && Math.abs(p[1] - 0.25) < 1e-12, `${p}`);
  // yaw 90°: x turns into the screen's depth, y into the screen's x (negated)
  const side = project([0, 1, 0.5], { yaw: 90, pitch: 0 });
  assert.ok(Math.abs(side[0] + 1) < 1e-12 && Math.abs(side[1]) < 1e-12);
  const hf = heightField((x, y) => x * x + y * y, [[-1, 1], [-1, 1]], 9);
  assert.equal(hf.z[4 * 9 + 4], 0, 'the minimum at the centre is height 0');
  assert.equal(Math.max(...hf.z), 1);
  const quads = surfaceQuads(hf, { yaw: 30, pitch: 40 });
  assert.equal(quads.length, 64);
  for (let i = 1; i < quads.length; i++) assert.ok(quads[i].depth >= quads[i - 1].depth);
});

test('surface scene: a path behind a ridge is painted over by nearer quads, a path in front is not; each piece agrees with a ray cast to the eye', () => {
  // a ridge along y = 0 between two paths along x; at yaw 0 the eye looks from −y, 20° above the plane
  const f = (x: number, y: number) => 100 * Math.exp(-40 * y * y) + 0.01 * x * x;
  const hf = heightField(f, [[-1, 1], [-1, 1]], 48);
  const view = { yaw: 0, pitch: 20 };
  const along = (y: number) => Array.from({ length: 7 }, (_v, k): [number, number, number] => [-0.6 + 0.2 * k, y, f(-0.6 + 0.2 * k, y)]);
  const scene = surfaceScene(hf, view, [along(0.5), along(-0.5)]);
  assert.equal(scene.filter((it) => it.kind === 'quad').length, 47 * 47);
  // covered: a quad painted later whose screen polygon holds the point strictly inside
  const inside = (pts: [number, number][], p: [number, number]) => {
    const c = pts.map((a, i) => { const b = pts[(i + 1) % pts.length]; return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]); });
    return c.every((v) => v > 1e-9) || c.every((v) => v < -1e-9);
  };
  // the closed form's own answer: march from the point towards the eye (−y, up) and see whether f's surface rises above the ray
  const e = (20 * Math.PI) / 180;
  const hidden = (x: number, y: number, h: number) => {
    for (let t = 0.01; t < 3; t += 0.01) {
      const yy = y - Math.cos(e) * t;
      if (yy < -1) return false;
      if (hf.height(f(x, yy)) > h + (Math.sin(e) * t) / 1.2 + 1e-3) return true;
    }
    return false;
  };
  const seen = { 0: [0, 0], 1: [0, 0] } as Record<number, [number, number]>;
  scene.forEach((it, k) => {
    if (it.kind !== 'segment') return;
    const m: [number, number] = [(it.a[0] + it.b[0]) / 2, (it.a[1] + it.b[1]) / 2];
    const covered = scene.slice(k + 1).some((q) => q.kind === 'quad' && inside(q.quad.pts, m));
    // yaw 0: the screen's x is the box's x; the piece lies on its path's y, on the surface
    const y = it.path === 0 ? 0.5 : -0.5;
    const want = hidden(m[0], y, hf.height(f(m[0], y)));
    assert.equal(covered, want, `path ${it.path} piece at x = ${m[0].toFixed(3)}: painted over ${covered}, behind the surface ${want}`);
    seen[it.path][covered ? 1 : 0]++;
  });
  assert.ok(seen[0][1] >= 20 && seen[0][0] === 0, `the path behind the ridge: ${seen[0][1]} pieces hidden, ${seen[0][0]} shown`);
  assert.ok(seen[1][0] >= 20 && seen[1][1] === 0, `the path in front: ${seen[1][0]} pieces shown, ${seen[1][1]} hidden`);
  // from above (pitch 90) nothing hides anything: no piece is painted over
  const top = surfaceScene(hf, { yaw: 0, pitch: 90 }, [along(0.5), along(-0.5)]);
  top.forEach((it, k) => {
    if (it.kind !== 'segment') return;
    const m: [number, number] = [(it.a[0] + it.b[0]) / 2, (it.a[1] + it.b[1]) / 2];
    assert.ok(!top.slice(k + 1).some((q) => q.kind === 'quad' && inside(q.quad.pts, m)), 'seen from above, every piece is on top');
  });
});

test('the parser is safe: no eval, no Function constructor anywhere in the lab', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const dir = new URL('../../src/lab/', import.meta.url);
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const src = readFileSync(new URL(name, dir), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    assert.ok(!/(^|[^.\w])eval\s*\(|\bnew\s+Function\b|(^|[^.\w])Function\s*\(/m.test(src), `${name} evaluates code`); // model.eval() is a method, not eval
  }
});
