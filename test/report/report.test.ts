// src/report: optimizer spec parsing, the function race against torch.optim (fixture made by
// test/fixtures/tools/compare_beale.py), mean ± std, and the HTML page's self-containment and controls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRunSpec, race, reportHtml, meanStd, firstBelow } from '../../src/report/index.js';
import { makeObjective } from '../../src/objectives/index.js';
import { DescentError } from '../../src/errors.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/compare/beale-headline.json', import.meta.url), 'utf8')) as {
  steps: number; tol: number; results: { x0: number[]; label: string; reachedAt: number | null; divergedAt: number | null; finalX: number[] | null }[];
};
const HEADLINE: Record<string, string> = {
  gd: 'gd=sgd:lr=0.0001',
  momentum: 'momentum=sgd:lr=0.0001,momentum=0.9',
  nesterov: 'nesterov=sgd:lr=0.0001,momentum=0.9,nesterov=true',
  adagrad: 'adagrad=adagrad:lr=1',
  rmsprop: 'rmsprop=rmsprop:lr=0.001',
  'rmsprop+momentum': 'rmsprop+momentum=rmsprop:lr=0.0001,momentum=0.9',
  adam: 'adam=adam:lr=0.1',
};

function inputErr(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof DescentError && e.kind === 'input' && re.test(e.message));
}

test('spec: label=name:key=value, default label, lists with ; for list-valued options', () => {
  assert.deepEqual(parseRunSpec('momentum=sgd:lr=0.01,momentum=0.9'), [{ label: 'momentum', name: 'sgd', options: { lr: 0.01, momentum: 0.9 } }]);
  assert.deepEqual(parseRunSpec('adam'), [{ label: 'adam', name: 'adam', options: {} }]);
  assert.deepEqual(parseRunSpec('adam:lr=0.1,betas=0.8;0.99,amsgrad=true'), [{ label: 'adam:lr=0.1,betas=0.8;0.99,amsgrad=true', name: 'adam', options: { lr: 0.1, betas: [0.8, 0.99], amsgrad: true } }]);
});

test('spec: a ; in a scalar value is a grid, one run per value (cartesian product)', () => {
  const runs = parseRunSpec('sgd:lr=0.001;0.01;0.1,momentum=0.9');
  assert.deepEqual(runs.map((r) => r.options), [{ momentum: 0.9, lr: 0.001 }, { momentum: 0.9, lr: 0.01 }, { momentum: 0.9, lr: 0.1 }]);
  assert.deepEqual(runs.map((r) => r.label), ['sgd:momentum=0.9 lr=0.001', 'sgd:momentum=0.9 lr=0.01', 'sgd:momentum=0.9 lr=0.1']);
  assert.equal(parseRunSpec('x=adam:lr=1;2,eps=1e-8;1e-6').length, 4);
});

test('spec: bad input names the flag and what was expected', () => {
  inputErr(() => parseRunSpec('adamm:lr=0.1'), /^--opt: unknown optimizer 'adamm'; expected one of: .*adam/);
  inputErr(() => parseRunSpec('adam:lrr=0.1'), /--opt: adam has no hyperparameter 'lrr'/);
  inputErr(() => parseRunSpec('adam:lr=abc'), /--opt: 'lr' expected a number, got 'abc'/);
  inputErr(() => parseRunSpec('adam:lr=-1'), /lr/);
  inputErr(() => parseRunSpec('sgd:lr=-0.1'), /lr/); // (torch 2.x gives sgd a default lr, 0.001)
  inputErr(() => parseRunSpec('adam:betas=0.9'), /'betas' expected 2 numbers/);
  inputErr(() => parseRunSpec('=adam'), /empty label/);
});

test('race on Beale matches torch.optim: reach step and divergence step for every headline optimizer and start', () => {
  const beale = makeObjective('beale', 2);
  assert.equal(fixture.results.length, 14);
  for (const ref of fixture.results) {
    const [run] = parseRunSpec(HEADLINE[ref.label]);
    const r = race({ objective: beale, x0: ref.x0, run, steps: fixture.steps, tol: fixture.tol });
    const what = `${ref.label} from (${ref.x0})`;
    assert.equal(r.reachedAt, ref.reachedAt, `${what}: reachedAt`);
    assert.equal(r.divergedAt, ref.divergedAt, `${what}: divergedAt`);
    // after thousands of steps rounding differences grow (momentum circles the minimum): 1e-3 near the end
    if (ref.reachedAt !== null && ref.finalX) {
      assert.ok(Math.abs(r.finalX[0] - ref.finalX[0]) < 1e-3 && Math.abs(r.finalX[1] - ref.finalX[1]) < 1e-3, `${what}: final x ${r.finalX} vs ${ref.finalX}`);
    }
    assert.equal(r.path[0].join(), ref.x0.join());
    if (r.divergedAt === null) assert.equal(r.pathSteps[r.pathSteps.length - 1], fixture.steps);
  }
});

test('race: plain gradient descent on x² + y² (quadratic, A = 2I) follows the closed form x_k = (1 − 2·lr)^k·x0', () => {
  const q = makeObjective({ name: 'quadratic', A: [[2, 0], [0, 2]], b: [0, 0] }, 2);
  const r = race({ objective: q, x0: [1, -2], run: parseRunSpec('sgd:lr=0.1')[0], steps: 50, maxPoints: 10 });
  assert.equal(r.path.length, 11);
  assert.deepEqual(r.pathSteps, [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
  r.path.forEach((p, i) => {
    const c = Math.pow(0.8, r.pathSteps[i]);
    assert.ok(Math.abs(p[0] - c) < 1e-12 && Math.abs(p[1] + 2 * c) < 1e-12);
    assert.ok(Math.abs(r.values[i] - 5 * c * c) < 1e-12); // f = ½xᵀAx = x² + y² = 5c²
  });
  // the minimum (0, 0) is within 0.01 once 0.8^k·√5 ≤ 0.01: k = ceil(log(0.01/√5)/log(0.8)) = 25
  assert.equal(r.reachedAt, Math.ceil(Math.log(0.01 / Math.sqrt(5)) / Math.log(0.8)));
});

test('meanStd and firstBelow: closed forms', () => {
  assert.deepEqual(meanStd([[1, 2, 3], [3, 4], [5, 6, 7]]), { mean: [3, 4], std: [Math.sqrt(8 / 3), Math.sqrt(8 / 3)] });
  assert.equal(firstBelow([3, 2, 1, 0.5], 1), 3);
  assert.equal(firstBelow([3, 2], 1), null);
});

test('report page: self-contained (no external src/href), animation controls, one reach row per optimizer', () => {
  const beale = makeObjective('beale', 2);
  const runs = [...parseRunSpec('adam:lr=0.1'), ...parseRunSpec('gd=sgd:lr=0.0001')];
  const results = runs.map((run) => race({ objective: beale, x0: [2, -2], run, steps: 2000 }));
  const x = new Float64Array(2);
  const html = reportHtml({
    title: 'test <report>', command: 'descent compare',
    functions: [{ fn: 'beale', x0: [2, -2], steps: 2000, tol: 0.01, minimum: [3, 0.5], xDomain: [-4.5, 4.5], yDomain: [-4.5, 4.5], f: (a, b) => { x[0] = a; x[1] = b; return beale.value(x); }, results }],
    training: {
      data: 'toy', model: 'mlp:4', epochs: 2, batch: 8, targetLoss: 0.5,
      runs: [{ label: 'adam', seeds: [1, 2, 3], trainLoss: [[1, 0.4], [1, 0.6], [1, 0.45]], valLoss: [[1, 0.5], [1, 0.6], [1, 0.5]], valAccuracy: [[0.5, 0.8], [0.5, 0.7], [0.6, 0.9]], wallSeconds: [[0.1, 0.2], [0.1, 0.2], [0.1, 0.3]], stepsPerEpoch: 10 }],
    },
  });
  assert.ok(!/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i.test(html), 'no external src/href');
  assert.ok(!/<link\b|@import|url\(\s*["']?https?:/i.test(html));
  for (const c of ['button type="button" class="play"', 'class="pause"', 'class="step"', 'class="speed"', 'class="frame"']) assert.ok(html.includes(c), c);
  assert.ok(html.includes('<script>') && html.includes('player-data'));
  assert.ok(html.includes('test &lt;report&gt;'));
  // each row starts with its run's colour swatch: adam purple, gd (sgd) blue, as in the charts
  assert.match(html, /data-label="adam:lr=0.1" data-reached="true"><td class="l"><span class="swatch" style="background:#b07aa1"><\/span>adam:lr=0.1<\/td>.*?<td>\d+<\/td>/);
  assert.match(html, /data-label="gd" data-reached="false"><td class="l"><span class="swatch" style="background:#4e79a7"><\/span>gd</);
  assert.match(html, /data-label="gd" data-reached="false"/);
  // training table: steps to loss ≤ 0.5 per seed: epoch 2 → 20 steps, never, 20
  assert.ok(html.includes('20 / never / 20'));
  // mean ± std of final val accuracy (0.8, 0.7, 0.9): 0.8000 ± 0.0816
  assert.ok(html.includes('0.8000 ± 0.0816'));
});
