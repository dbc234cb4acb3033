/** The playground's URL state: defaults encode to nothing, every field round-trips exactly, bad input falls back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, defaultState, encodeState, optimizerOptions, startOf, LAB_FUNCTIONS } from '../../src/lab/state.js';
import { makeObjective } from '../../src/objectives/index.js';

test('the default view has an empty hash and decodes back to the defaults', () => {
  assert.equal(encodeState(defaultState()), '');
  const { state, warnings } = decodeState('');
  assert.deepEqual(state, defaultState());
  assert.deepEqual(warnings, []);
});

test('a changed view round-trips exactly through the hash', () => {
  const s = defaultState();
  s.mode = 'data';
  s.fn.fn = 'rosenbrock';
  s.fn.x0 = [-1.2345678901234567, 0.1 + 0.2];
  s.fn.on = ['adam', 'sgd', 'adadelta'];
  s.fn.search = ['lbfgs', 'newton'];
  s.fn.lr.adam = 0.0794;
  s.fn.lr.sgd = 1e-5;
  s.fn.momentum = 0.5;
  s.fn.beta1 = 0;
  s.fn.beta2 = 0.99;
  s.fn.speed = 17;
  s.data = { dataset: 'spirals', noise: 0.25, seed: 42, width: 3, depth: 4, activation: 'relu', l2: 0.003, dropout: 0.2, opt: 'sgd', lr: 0.5 };
  const hash = encodeState(s);
  const { state, warnings } = decodeState(`#${hash}`);
  assert.deepEqual(warnings, []);
  // `on` is kept in the panel's order (the optimizer registry's) whatever order it was given in.
  assert.deepEqual(state.fn.on, ['sgd', 'adadelta', 'adam']);
  assert.deepEqual(state.fn.search, ['newton', 'lbfgs']);
  state.fn.on = s.fn.on;
  state.fn.search = s.fn.search;
  assert.deepEqual(state, s);
  assert.match(hash, /&search=newton%2Clbfgs&/);
  assert.match(hash, /^mode=data&fn=rosenbrock&x0=-1\.2345678901234567%2C0\.30000000000000004&/);
  assert.equal(decodeState('on=none').state.fn.on.length, 0);
  assert.equal(encodeState({ ...s, fn: { ...s.fn, on: [] } }).includes('on=none'), true);
});

test('unknown keys, names and out-of-range values keep their defaults and are reported', () => {
  const { state, warnings } = decodeState(
    '#mode=3d&fn=ackley&x0=1,abc&on=sgd,lion&lr=adam:-1,sgd:0.01,foo:1,adagrad:&momentum=1.5&beta1=x&speed=2.5&ds=moons&noise=-0.1&seed=1.5&width=0&depth=9&act=gelu&l2=1&dropout=0.9&dopt=lbfgs&dlr=100&evil=1',
  );
  const d = defaultState();
  assert.equal(state.mode, d.mode);
  assert.equal(state.fn.fn, d.fn.fn);
  assert.equal(state.fn.x0, null);
  assert.deepEqual(state.fn.on, ['sgd']);
  assert.equal(state.fn.lr.adam, d.fn.lr.adam);
  assert.equal(state.fn.lr.sgd, 0.01);
  assert.equal(state.fn.lr.adagrad, d.fn.lr.adagrad);
  assert.deepEqual({ ...state.fn, on: d.fn.on, lr: d.fn.lr }, d.fn);
  assert.deepEqual(state.data, d.data);
  assert.equal(warnings.length, 21); // one per bad item: 18 keys, plus three bad lr entries (adam, foo, adagrad)
  assert.ok(warnings.some((w) => w === "unknown key 'evil'"));
  assert.ok(warnings.some((w) => w.startsWith('momentum: expected a number in [0.1, 0.99]')));
});

test('optimizer options: momentum and nesterov variants of sgd, betas for adam-like rules', () => {
  const f = defaultState().fn;
  f.momentum = 0.7;
  f.beta1 = 0.8;
  assert.deepEqual(optimizerOptions('sgd', f), { lr: f.lr.sgd });
  assert.deepEqual(optimizerOptions('momentum', f), { lr: f.lr.momentum, momentum: 0.7 });
  assert.deepEqual(optimizerOptions('nesterov', f), { lr: f.lr.nesterov, momentum: 0.7, nesterov: true });
  assert.deepEqual(optimizerOptions('adam', f), { lr: f.lr.adam, betas: [0.8, 0.999] });
  assert.deepEqual(optimizerOptions('rmsprop', f), { lr: f.lr.rmsprop });
});

test('every offered function exists and its default start lies inside its plotted domain', () => {
  for (const name of Object.keys(LAB_FUNCTIONS) as (keyof typeof LAB_FUNCTIONS)[]) {
    const obj = makeObjective(name, 2);
    const [x, y] = startOf({ ...defaultState().fn, fn: name });
    const [[x0, x1], [y0, y1]] = obj.domain!;
    assert.ok(x > x0 && x < x1 && y > y0 && y < y1, `${name}: start (${x}, ${y}) outside the domain`);
  }
});

test('line-search methods in the hash: unknown names are reported and dropped, known ones kept in panel order', () => {
  const { state, warnings } = decodeState('#search=bfgs,adam,gd-backtracking');
  assert.deepEqual(state.fn.search, ['gd-backtracking', 'bfgs']);
  assert.deepEqual(warnings, ["search: unknown method(s) adam; expected gd-backtracking, newton, bfgs, lbfgs, cg"]);
  assert.deepEqual(defaultState().fn.search, []);
});
