// One colour per optimizer everywhere: the same optimizer (by name and variant) has the same colour in the
// function race's charts (f against step, contours, animated player), the training charts and the playground's
// state, whatever its position in a list; extra runs of one optimizer (an lr grid) get distinct shades.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functionContourSvg, functionValueChart, parseRunSpec, race, reportHtml, trainingCharts } from '../../src/report/index.js';
import type { FunctionSection, TrainingRun } from '../../src/report/index.js';
import { makeObjective } from '../../src/objectives/index.js';
import { LAB_OPTIMIZERS } from '../../src/lab/state.js';
import { Race } from '../../src/lab/race.js';
import { defaultState } from '../../src/lab/state.js';
import { OPTIMIZER_COLORS, optimizerVariant, runColors, shade } from '../../src/viz/index.js';

/** stroke colour of each `class="CLS"` element, keyed by its data-label (the legend label). */
function strokes(svg: string, cls: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of svg.matchAll(new RegExp(`<path class="${cls}" data-label="([^"]*)"[^>]* stroke="(#[0-9a-f]{6})"`, 'g'))) out.set(m[1].replace(/ \(diverged at \d+\)$/, ''), m[2]);
  return out;
}

/** Sum of the channel differences of two #rrggbb colours. */
const apart = (a: string, b: string) => [1, 3, 5].reduce((d, i) => d + Math.abs(parseInt(a.slice(i, i + 2), 16) - parseInt(b.slice(i, i + 2), 16)), 0);

const beale = makeObjective('beale', 2);
const xy = new Float64Array(2);
const f = (a: number, b: number) => { xy[0] = a; xy[1] = b; return beale.value(xy); };

function section(specs: string[], x0: number[]): FunctionSection {
  const results = specs.flatMap((s) => parseRunSpec(s)).map((run) => race({ objective: beale, x0, run, steps: 200 }));
  return { fn: 'beale', x0, steps: 200, tol: 0.01, minimum: [3, 0.5], xDomain: [-4.5, 4.5], yDomain: [-4.5, 4.5], f, results };
}

function trainingRun(spec: string): TrainingRun {
  const [r] = parseRunSpec(spec);
  return { label: r.label, name: r.name, options: r.options, seeds: [1, 2], trainLoss: [[1, 0.5], [1.1, 0.6]], valLoss: [[1, 0.7], [1, 0.8]], valAccuracy: [[0.5, 0.7], [0.6, 0.8]], wallSeconds: [[0.1, 0.2], [0.1, 0.2]], stepsPerEpoch: 5 };
}

test('variants: sgd with momentum is momentum, with nesterov nesterov; rmsprop with momentum is rmsprop+momentum', () => {
  assert.equal(optimizerVariant('sgd', { lr: 0.1 }), 'sgd');
  assert.equal(optimizerVariant('sgd', { lr: 0.1, momentum: 0.9 }), 'momentum');
  assert.equal(optimizerVariant('sgd', { lr: 0.1, momentum: 0.9, nesterov: true }), 'nesterov');
  assert.equal(optimizerVariant('rmsprop', { momentum: 0.9 }), 'rmsprop+momentum');
  assert.equal(optimizerVariant('rmsprop', {}), 'rmsprop');
  assert.equal(optimizerVariant('adamw', { lr: 1e-3 }), 'adamw');
  // every named colour is a #rrggbb at least 80 (channel differences summed) from every other one
  const colours = Object.values(OPTIMIZER_COLORS);
  assert.ok(colours.every((c) => /^#[0-9a-f]{6}$/.test(c)));
  for (let i = 0; i < colours.length; i++) for (let j = i + 1; j < colours.length; j++) assert.ok(apart(colours[i], colours[j]) >= 80, `${colours[i]} vs ${colours[j]}`);
});

test('the same optimizer has the same colour in the Beale race, the MNIST-style training charts and the playground', () => {
  // the headline's order on Beale, and the training preset's different order (adam 7th there, 4th here)
  const fn = section(['gd=sgd:lr=0.0001', 'momentum=sgd:lr=0.0001,momentum=0.9', 'nesterov=sgd:lr=0.0001,momentum=0.9,nesterov=true', 'adagrad=adagrad:lr=1', 'rmsprop=rmsprop:lr=0.001', 'rmsprop+momentum=rmsprop:lr=0.0001,momentum=0.9', 'adam=adam:lr=0.1'], [2, -2]);
  const values = strokes(functionValueChart(fn), 'series');
  const contour = strokes(functionContourSvg(fn), 'opt-path');
  const training = { data: 'mnist', model: 'mlp:128', epochs: 2, batch: 64, targetLoss: 0.2, runs: ['adam=adam:lr=0.001', 'sgd=sgd:lr=0.1', 'rmsprop=rmsprop:lr=0.001', 'momentum=sgd:lr=0.05,momentum=0.9'].map(trainingRun) };
  const charts = trainingCharts(training);
  assert.equal(Object.keys(charts).length, 4);
  const page = reportHtml({ title: 't', command: 'c', functions: [fn], training });
  const player = new Map<string, string>();
  for (const m of page.matchAll(/<path class="opt-path" data-i="(\d+)" stroke="(#[0-9a-f]{6})"/g)) player.set(fn.results[Number(m[1])].label, m[2]);
  const lab = new Race({ ...defaultState().fn, on: ['adam', 'momentum', 'sgd', 'rmsprop', 'nesterov', 'adagrad'] });
  const labColour = new Map(lab.runners.map((r) => [r.name as string, r.color]));

  // the Tableau 10 colours of the lectures' Beale comparison, by optimizer
  const expected: Record<string, string> = { sgd: '#4e79a7', momentum: '#f28e2b', nesterov: '#e15759', adagrad: '#76b7b2', rmsprop: '#59a14f', adam: '#b07aa1' };
  const raceName = (v: string) => (v === 'sgd' ? 'gd' : v);
  for (const [variant, colour] of Object.entries(expected)) {
    assert.equal(values.get(raceName(variant)), colour, `${variant}: f against step`);
    assert.equal(contour.get(raceName(variant)), colour, `${variant}: contour plot`);
    assert.equal(player.get(raceName(variant)), colour, `${variant}: animated player`);
    assert.equal(labColour.get(variant), colour, `${variant}: playground`);
    assert.equal(LAB_OPTIMIZERS[variant as keyof typeof LAB_OPTIMIZERS].color, colour, `${variant}: playground state`);
  }
  for (const [name, svg] of Object.entries(charts)) {
    const s = strokes(svg, 'series');
    for (const v of ['adam', 'sgd', 'rmsprop', 'momentum']) assert.equal(s.get(v), expected[v], `${v}: training chart ${name}`);
    // the legend swatch carries it too
    assert.match(svg, new RegExp(`<rect [^>]*fill="${expected.adam}"/><text [^>]*>adam</text>`), name);
  }
  // rmsprop+momentum is its own variant, distinct from every other run of the race
  const rm = values.get('rmsprop+momentum') as string;
  assert.equal(new Set(values.values()).size, 7);
  assert.notEqual(rm, expected.rmsprop);
});

test('an lr grid: the first run has the optimizer colour, the others distinct shades of it, the same on every call', () => {
  const fn = section(['adam:lr=0.01;0.03;0.1;0.3', 'sgd:lr=0.0001'], [2, -2]);
  const s = [...strokes(functionValueChart(fn), 'series').values()];
  assert.equal(s.length, 5);
  assert.equal(s[0], '#b07aa1');
  assert.equal(s[4], '#4e79a7', 'sgd keeps its colour next to a grid');
  assert.equal(new Set(s).size, 5, 'every run distinct');
  assert.deepEqual(s.slice(1, 4), [shade('#b07aa1', -0.4), shade('#b07aa1', 0.45), shade('#b07aa1', -0.6)]);
  assert.deepEqual(runColors(['adam', 'adam', 'adam', 'adam', 'sgd']), s);
  // a shade toward black by 0.4 scales each channel by 0.6: #b07aa1 = (176, 122, 161) → (106, 73, 97)
  assert.equal(shade('#b07aa1', -0.4), '#6a4961');
  // toward white by 0.45: c + 0.45·(255 − c) → (212, 182, 203)
  assert.equal(shade('#b07aa1', 0.45), '#d4b6cb');
  // grids of several optimizers side by side: every two runs of a chart stay apart (channel differences summed)
  for (const chart of [['adam', 'adam', 'adam', 'momentum', 'momentum', 'nadam'], ['sgd', 'sgd', 'sgd', 'momentum', 'momentum', 'momentum', 'nesterov', 'nesterov'], ['rmsprop', 'rmsprop', 'rmsprop+momentum', 'rmsprop+momentum', 'adam', 'adamw', 'adamw']]) {
    const c = runColors(chart);
    for (let i = 0; i < c.length; i++) for (let j = i + 1; j < c.length; j++) assert.ok(apart(c[i], c[j]) >= 80, `${chart}: ${chart[i]} ${c[i]} vs ${chart[j]} ${c[j]}`);
  }
  // a name outside the table still gets a fixed colour
  assert.equal(runColors(['lion'])[0], runColors(['x', 'lion'])[1]);
});
