// The distributed sweep against a real redis-server on loopback (started here; skipped with the reason where
// there is none) with two `descent worker` processes: the results equal the local sweep's, and a worker
// killed with SIGKILL mid-run plus a Redis restart mid-sweep still finish every run exactly once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDescent } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';
import { Bg, RedisServer, freePort, readRows, redisSkip, functionSweep, digitsSweep, parseLines, type Row } from './helpers.js';

const skip = redisSkip();
const procs: Bg[] = [];
const servers: RedisServer[] = [];
after(async () => {
  for (const p of procs) p.kill('SIGKILL');
  for (const s of servers) await s.stop();
});

async function startRedis(): Promise<{ url: string; server: RedisServer }> {
  const server = new RedisServer(await freePort(), scratchDir('descent-redis-'));
  await server.start();
  servers.push(server);
  return { url: `redis://127.0.0.1:${server.port}`, server };
}

function worker(url: string): Bg {
  const w = new Bg(['worker', '--queue', url, '--concurrency', '1', '--stall-seconds', '2']);
  procs.push(w);
  return w;
}

/** result text by run key, from a sweep folder */
const byKey = (rows: Row[]) => new Map(rows.map((r) => [r.key, r.result]));
const untimed = (line: string | null): string => JSON.stringify({ ...JSON.parse(line ?? '{}'), seconds: 0, samplesPerSecond: 0 });

test('descent sweep --queue with two descent worker processes: the local sweep\'s results, each run once', { skip, timeout: 300_000 }, async () => {
  const { url } = await startRedis();
  const dir = scratchDir('descent-sweep-queue-');
  const spec = join(dir, 'sweep.json');
  writeFileSync(spec, JSON.stringify(functionSweep));
  const w1 = worker(url), w2 = worker(url);
  const local = runDescent(['sweep', '--spec', spec, '--out', join(dir, 'local'), '--workers', '2']);
  assert.equal(local.status, 0, local.stderr);
  const q = runDescent(['sweep', '--spec', spec, '--out', join(dir, 'queue'), '--queue', url, '--json'], { timeout: 240_000 });
  assert.equal(q.status, 0, q.stderr);
  const lines = parseLines(q.stdout);
  assert.equal(lines.runs.size, 24);
  const localRows = readRows(join(dir, 'local', 'runs.sqlite'));
  const queueRows = readRows(join(dir, 'queue', 'runs.sqlite'));
  assert.equal(queueRows.length, 24);
  assert.deepEqual(byKey(queueRows), byKey(localRows));
  assert.ok(queueRows.every((r) => r.status === 'done' && r.attempts === 1));
  // the two workers ran them (which one took which is theirs to race for)
  const { hostname } = await import('node:os');
  const names = new Set([`${hostname()}:${w1.proc.pid}`, `${hostname()}:${w2.proc.pid}`]);
  assert.ok(queueRows.every((r) => names.has(r.worker ?? '')), queueRows.map((r) => r.worker).join(', '));
  w1.kill(); w2.kill();
  await Promise.all([w1.exited, w2.exited]);
});

test('a worker killed with SIGKILL mid-run and a Redis restart mid-sweep: every run finishes exactly once', { skip, timeout: 300_000 }, async () => {
  const { url, server } = await startRedis();
  const dir = scratchDir('descent-sweep-queue-kill-');
  const spec = join(dir, 'sweep.json');
  writeFileSync(spec, JSON.stringify({ ...digitsSweep, base: { ...digitsSweep.base, model: 'mlp:32', epochs: 8, batch: 32 }, seeds: [0, 1, 2] }));
  // w1 alone first: once it has finished a run it is on the next one; then w2 starts, and w1 is killed mid-run
  const w1 = worker(url);
  const coord = new Bg(['sweep', '--spec', spec, '--out', join(dir, 'queue'), '--queue', url, '--json']);
  procs.push(coord);
  const { hostname } = await import('node:os');
  const w1Name = `${hostname()}:${w1.proc.pid}`;
  await Promise.race([coord.linesAtLeast(1), coord.exited.then(() => assert.fail(`the sweep ended early: ${coord.stderr}`))]);
  const w2 = worker(url);
  await new Promise((r) => setTimeout(r, 100));
  w1.kill('SIGKILL');
  const seen = coord.lines.length;
  await coord.linesAtLeast(seen + 1);
  await server.stop();
  await new Promise((r) => setTimeout(r, 500));
  await server.start();
  const code = await coord.exited;
  assert.equal(code, 0, coord.stderr);
  const lines = parseLines(coord.lines.join('\n'));
  assert.equal(lines.runs.size, 12);
  const rows = readRows(join(dir, 'queue', 'runs.sqlite'));
  assert.equal(rows.length, 12);
  assert.ok(rows.every((r) => r.status === 'done'), rows.map((r) => r.status).join(','));
  // the run w1 was in the middle of was taken again (its second attempt) by w2
  assert.ok(rows.some((r) => r.attempts >= 2 && r.worker !== w1Name), rows.map((r) => `${r.attempts}@${r.worker}`).join(', '));
  // and the results are the local sweep's
  const local = runDescent(['sweep', '--spec', spec, '--out', join(dir, 'local'), '--workers', '2']);
  assert.equal(local.status, 0, local.stderr);
  const want = byKey(readRows(join(dir, 'local', 'runs.sqlite')));
  for (const r of rows) assert.equal(untimed(r.result), untimed(want.get(r.key) ?? null), `run ${r.idx}`);
  w2.kill();
  await w2.exited;
});

test('a worker reads no file a job names unless it serves that folder (--allow-data); the refused run is run again by the next call', { skip, timeout: 120_000 }, async () => {
  const { url } = await startRedis();
  const dir = scratchDir('descent-sweep-queue-data-');
  const csv = join(dir, 'd.csv');
  writeFileSync(csv, 'a,b,y\n1,2,0\n2,1,1\n3,1,1\n0,2,0\n');
  const spec = join(dir, 'sweep.json');
  writeFileSync(spec, JSON.stringify({ kind: 'train', base: { data: csv, model: 'logistic', epochs: 2 }, optimizers: [{ name: 'adam', lr: [0.01] }] }));
  const w = worker(url);
  const refused = runDescent(['sweep', '--spec', spec, '--out', join(dir, 'a'), '--queue', url, '--json'], { timeout: 60_000 });
  assert.equal(refused.status, 0, refused.stderr);
  assert.match(refused.stdout, /"error":"job [0-9a-f]{64}: data '.*d\.csv' is a file, and this worker serves built-in datasets only/);
  w.kill();
  await w.exited;
  const allowed = new Bg(['worker', '--queue', url, '--concurrency', '1', '--allow-data', dir]);
  procs.push(allowed);
  // the same sweep again: a refusal is the worker's, not the run's, so the run is tried again
  const ok = runDescent(['sweep', '--spec', spec, '--out', join(dir, 'a'), '--queue', url, '--json'], { timeout: 60_000 });
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(readRows(join(dir, 'a', 'runs.sqlite')).map((r) => r.status), ['done']);
  const solo = runDescent(['train', '--data', csv, '--model', 'logistic', '--epochs', '2', '--opt', 'adam', '--lr', '0.01', '--seed', '0', '--json']);
  assert.equal(untimed(parseLines(ok.stdout).runs.get(0)!.raw), untimed(solo.stdout.trim().split('\n').at(-1)!));
  allowed.kill();
  await allowed.exited;
});
