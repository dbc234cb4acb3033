// --plot: which picture a run becomes (2-D path on contours, 1-D curve with iterates, n-D f against step),
// checked through plotSvg with a recording stand-in for src/viz's pure functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plotSvg, runOptimize, checkSpec } from '../../src/cli/commands/optimize.js';
import { optimizerColor, optimizerVariant } from '../../src/viz/index.js';

// the optimizers' colours of the playground and compare's reports (Tableau 10: adam purple, sgd blue)
const ADAM = '#b07aa1';
const SGD = '#4e79a7';

function recorder() {
  const calls: { fn: string; arg: any }[] = [];
  return {
    calls,
    viz: {
      contourPlotSvg: (arg: any) => { calls.push({ fn: 'contour', arg }); return '<svg>contour</svg>'; },
      lineChartSvg: (arg: any) => { calls.push({ fn: 'line', arg }); return '<svg>line</svg>'; },
      functionPlotSvg: (arg: any) => { calls.push({ fn: 'function', arg }); return '<svg>function</svg>'; },
      optimizerColor,
      optimizerVariant,
    },
  };
}

test('2-D: the path on a contour plot of f, with the known minimum, in a box holding domain and path', () => {
  const spec = checkSpec({ function: 'beale', x0: [-3, 3], optimizer: { name: 'adam', lr: 0.5 }, steps: 30 });
  const r = runOptimize(spec);
  const { calls, viz } = recorder();
  assert.equal(plotSvg(viz, spec, r, r.objective), '<svg>contour</svg>');
  const a = calls[0].arg;
  assert.equal(calls[0].fn, 'contour');
  assert.deepEqual(a.paths, [{ label: 'adam', points: r.path, color: ADAM }]);
  assert.deepEqual(a.minimum, [3, 0.5]);
  // f(x, y) is Beale's function: f(3, 0.5) = 0, f(0, 0) = 1.5² + 2.25² + 2.625² = 14.203125
  assert.equal(a.f(3, 0.5), 0);
  assert.equal(a.f(0, 0), 14.203125);
  for (const p of r.path) {
    assert.ok(a.xDomain[0] <= p[0] && p[0] <= a.xDomain[1] && a.yDomain[0] <= p[1] && p[1] <= a.yDomain[1]);
  }
  assert.ok(a.xDomain[0] <= -4.5 && a.xDomain[1] >= 4.5);
});

test('1-D: the curve with the iterates', () => {
  const spec = checkSpec({ function: 'square', x0: [10], optimizer: { name: 'sgd', lr: 0.2 }, steps: 10 });
  const r = runOptimize(spec);
  const { calls, viz } = recorder();
  plotSvg(viz, spec, r, r.objective);
  assert.equal(calls[0].fn, 'function');
  assert.deepEqual(calls[0].arg.points, r.path.map((p) => p[0]));
  assert.equal(calls[0].arg.f(3), 9);
  assert.equal(calls[0].arg.color, SGD);
});

test('n-D: f against the step, on a log scale when f stays positive', () => {
  const spec = checkSpec({ function: 'rosenbrock', x0: [-1, 1, -1, 1], optimizer: { name: 'adam', lr: 0.01 }, steps: 20 });
  const r = runOptimize(spec);
  const { calls, viz } = recorder();
  plotSvg(viz, spec, r, r.objective);
  assert.equal(calls[0].fn, 'line');
  assert.deepEqual(calls[0].arg.series[0].y, r.values);
  assert.deepEqual(calls[0].arg.series[0].x, r.values.map((_v: number, i: number) => i));
  assert.equal(calls[0].arg.logY, true);
  assert.equal(calls[0].arg.series[0].color, ADAM);
});
