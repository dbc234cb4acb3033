#!/usr/bin/env node
// The sweep row of `npm run bench` (issue 18): a 200-run sweep of short optimize runs (Rosenbrock, 50 steps)
// through the library's sweep() — the call `descent sweep` makes — on 1 and 2 local worker processes and on
// 2 `descent worker` processes over BullMQ + a redis-server on loopback (skipped with a note without one).
// Wall time runs from the call to the last run's result (the report is left out: it is the same for all three);
// per-run overhead = (wall × workers − the runs' own compute seconds) / runs. Prints one JSON line.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { sweep, SweepStore } = await import('../dist/sweep/node/index.js');

const RUNS = 200;
const spec = (steps) => ({
  kind: 'optimize',
  base: { function: 'rosenbrock', x0: [-1.5, 2], steps },
  optimizers: [{ name: 'sgd', lr: { log: [1e-5, 1e-3], num: RUNS / 2 } }, { name: 'adam', lr: { log: [1e-3, 1e-1], num: RUNS / 2 } }],
});
const tmp = mkdtempSync(join(tmpdir(), 'descent-bench-sweep-'));
const cleanup = [];
process.on('exit', () => {
  for (const f of cleanup.reverse()) f();
  rmSync(tmp, { recursive: true, force: true });
});

async function timed(label, workers, opts) {
  const out = join(tmp, label.replace(/\W+/g, '-'));
  const t0 = performance.now();
  let last = t0;
  await sweep({ spec: spec(50), out, ...opts, onRun: () => { last = performance.now(); } });
  const wall = (last - t0) / 1000;
  const store = new SweepStore(join(out, 'runs.sqlite'));
  const rows = store.rows();
  store.close();
  if (rows.length !== RUNS || rows.some((r) => r.status !== 'done')) throw new Error(`${label}: ${rows.length} rows, not ${RUNS} done`);
  const compute = rows.reduce((s, r) => s + (r.seconds ?? 0), 0);
  return { setup: label, workers, runs: RUNS, seconds: wall, computeSeconds: compute, overheadMs: ((wall * workers - compute) / RUNS) * 1000 };
}

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const ping = (port) => new Promise((resolve) => {
  const c = connect(port, '127.0.0.1');
  c.once('connect', () => c.write('PING\r\n'));
  c.once('data', (d) => { c.destroy(); resolve(d.toString().startsWith('+PONG')); });
  c.once('error', () => resolve(false));
});

const rows = [];
rows.push(await timed('1 local worker process', 1, { workers: 1 }));
rows.push(await timed('2 local worker processes', 2, { workers: 2 }));
let note;
if (spawnSync('redis-server', ['--version']).status === 0) {
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  cleanup.push(() => redis.kill());
  for (let i = 0; i < 100 && !(await ping(port)); i++) await new Promise((r) => setTimeout(r, 50));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 2; i++) {
    const w = spawn(process.execPath, [join(root, 'bin/descent.js'), 'worker', '--queue', url, '--concurrency', '1'], { stdio: 'ignore' });
    cleanup.push(() => w.kill());
  }
  // warm-up: both workers connected, their run processes started
  await sweep({ spec: { ...spec(10), optimizers: [{ name: 'adam', lr: [0.1, 0.2, 0.3, 0.4] }] }, out: join(tmp, 'warm'), queue: url });
  rows.push(await timed('2 BullMQ workers (loopback Redis)', 2, { queue: url }));
} else note = 'sweep: no redis-server on PATH; the BullMQ row is left out';
for (const r of rows) r.speedup = rows[0].seconds / r.seconds;
process.stdout.write(JSON.stringify({ peer: 'descent sweep', rows, ...(note ? { note } : {}) }) + '\n');
process.exit(0);
