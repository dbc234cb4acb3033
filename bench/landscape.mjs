#!/usr/bin/env node
// The loss landscape's cost and its row sample's error, on the MNIST MLP (mlp:512,256, mnist's default recipe):
// trains it for 2 epochs, then evaluates the random filter-normalized slice on an N×N grid (default 21) with
// the same directions over a seeded subset of R training rows for each R in --rows (default 256,1024,2048) and
// over all of them, and reports per R the time and the error against the full-data grid: the largest |ΔL|,
// that as a share of the full grid's range (max − min: what the contours resolve) and the mean |ΔL|, each the
// median and the worst over --samples seeded subsets (default 5).
// Then the time of both 41×41 grids (random slice and PCA plane) at the default row count, as the CLI runs it.
// --only-both skips the row-subset study (just the time of both 41×41 grids, with the GFLOP/s of their matmuls).
// Usage: node bench/landscape.mjs [--grid N] [--rows 256,1024,...] [--samples S] [--epochs E] [--no-both | --only-both]  (needs `npm run build`)
import { performance } from 'node:perf_hooks';

const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const grid = Number(arg('--grid', '21'));
const rowsList = arg('--rows', '256,1024,2048').split(',').map(Number);
const epochs = arg('--epochs', '2');
const samples = Number(arg('--samples', '5'));
const { startFastPath } = await import('../dist/cli/fast-path.js');
const { trainConfigFromFlags } = await import('../dist/cli/commands/train.js');
const { train } = await import('../dist/train/train.js');
const { filterNormalizedDirection, lossGrid, lossLandscape, rowSubset, linspace } = await import('../dist/train/landscape.js');
const { Rng } = await import('../dist/tensor/rng.js');

startFastPath(undefined);
const config = trainConfigFromFlags({ data: 'mnist', epochs, shuffle: true }, []);
const iterates = [];
let model;
const t0 = performance.now();
const r = await train(config, { onStart: (s) => { model = s.model; iterates.push(Float32Array.from(s.model.params)); }, onEpoch: () => iterates.push(Float32Array.from(model.params)) });
const ds = config.data.train;
process.stderr.write(`trained ${r.meta.model} on ${ds.n} rows, ${epochs} epochs, in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
const rng = new Rng(0);
const d1 = filterNormalizedDirection(r.model, rng), d2 = filterNormalizedDirection(r.model, rng);
const center = Float64Array.from(r.model.params);
const axis = linspace(-1, 1, grid);
const run = (rows, seed = 0) => {
  const sub = rowSubset(ds, rows, seed);
  const c0 = process.cpuUsage(), w0 = performance.now();
  const g = lossGrid(r.model, r.meta.loss, sub, center, d1, d2, axis, axis);
  const cpu = process.cpuUsage(c0);
  return { rows: sub.n, loss: g.loss, wall: (performance.now() - w0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
};
const onlyBoth = process.argv.includes('--only-both');
const full = onlyBoth ? { rows: ds.n, loss: [0], wall: 0, cpu: 0 } : run(ds.n);
let lo = Infinity, hi = -Infinity;
for (const v of full.loss) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
const out = { model: r.meta.model, trainRows: ds.n, grid, fullRange: [lo, hi], results: [] };
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const rows of onlyBoth ? [] : rowsList) {
  const per = [];
  for (let seed = 0; seed < samples; seed++) {
    const s = run(rows, seed);
    let max = 0, sum = 0;
    for (let k = 0; k < s.loss.length; k++) { const e = Math.abs(s.loss[k] - full.loss[k]); max = Math.max(max, e); sum += e; }
    per.push({ max, share: max / (hi - lo), mean: sum / s.loss.length, wall: s.wall, cpu: s.cpu });
  }
  const fmt = (v) => +v.toPrecision(3);
  out.results.push({
    rows, samples,
    cpuSecondsPerGrid: fmt(median(per.map((p) => p.cpu))),
    maxErrorShareOfRange: { median: fmt(median(per.map((p) => p.share))), worst: fmt(Math.max(...per.map((p) => p.share))) },
    maxAbsError: { median: fmt(median(per.map((p) => p.max))), worst: fmt(Math.max(...per.map((p) => p.max))) },
    meanAbsError: { median: fmt(median(per.map((p) => p.mean))), worst: fmt(Math.max(...per.map((p) => p.mean))) },
  });
}
if (!onlyBoth) out.results.push({ rows: full.rows, wallSeconds: +full.wall.toFixed(2), cpuSeconds: +full.cpu.toFixed(2), maxAbsError: 0 });
if (process.argv.includes('--no-both')) { process.stdout.write(JSON.stringify(out, null, 1) + '\n'); process.exit(0); }
const c0 = process.cpuUsage();
const l = lossLandscape(r.model, r.meta.loss, ds, iterates, { resolution: 41 });
const cpu = process.cpuUsage(c0);
// multiply-adds per point after the first-layer shortcut: every later Linear, rows × in × out (×2 for FLOPs)
const macs = r.model.layers.slice(1).reduce((s, layer) => s + (layer.paramSpecs().length ? layer.paramSpecs()[0].shape.reduce((a, b) => a * b, 1) : 0), 0) * l.rows;
const points = 41 * 41 * (l.pca ? 2 : 1);
const cpuS = (cpu.user + cpu.system) / 1e6;
out.both41 = { rows: l.rows, points, wallSeconds: +l.seconds.toFixed(2), cpuSeconds: +cpuS.toFixed(2), gflopPerWallSecond: +((2 * macs * points) / l.seconds / 1e9).toFixed(1), loadAverage: (await import('node:os')).loadavg().map((v) => +v.toFixed(2)) };
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
