// The multi-host sweep on one machine: network namespaces joined by veth pairs on a private subnet made for
// the test, Redis and the coordinator in one, a `descent worker` in each of two others, so the queue crosses
// real network interfaces. One worker's link is cut mid-run (ip link set ... down); every run still finishes
// exactly once. Everything is torn down afterwards. Needs root and iproute2 (`ip netns`); skipped, with the
// reason, where namespaces cannot be made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDescent } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';
import { Bg, readRows, redisSkip, digitsSweep, parseLines } from './helpers.js';

const sfx = String(process.pid % 100000);
const ns = { c: `dsw${sfx}c`, a: `dsw${sfx}a`, b: `dsw${sfx}b` };
const net = `10.231.${process.pid % 250}`;

const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });

function netnsSkip(): string | false {
  const r = redisSkip();
  if (r) return r;
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = `dsw${sfx}p`;
  const add = ip('netns', 'add', probe);
  if (add.error || add.status !== 0) return `ip netns add is not permitted here (${(add.stderr || String(add.error)).trim().split('\n')[0]})`;
  const veth = ip('-n', probe, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  ip('netns', 'del', probe);
  if (veth.status !== 0) return `veth pairs cannot be made here (${veth.stderr.trim().split('\n')[0]})`;
  if (spawnSync('redis-cli', ['--version']).status !== 0) return 'no redis-cli on PATH (Debian\'s redis-tools)';
  return false;
}

function must(r: ReturnType<typeof ip>, what: string): void {
  if (r.status !== 0) throw new Error(`${what}: ${r.stderr.trim()}`);
}

/** Namespace C, and A and B each joined to C by a veth pair: C .1 ↔ A .2, C .5 ↔ B .6 (two /30s). */
function setUp(): void {
  for (const n of Object.values(ns)) {
    must(ip('netns', 'add', n), `netns add ${n}`);
    must(ip('-n', n, 'link', 'set', 'lo', 'up'), 'lo up');
  }
  const pairs: [string, string, string, string][] = [[ns.a, `${net}.1`, `${net}.2`, 'a'], [ns.b, `${net}.5`, `${net}.6`, 'b']];
  for (const [other, cAddr, oAddr, tag] of pairs) {
    const [vc, vo] = [`dsw${sfx}c${tag}`, `dsw${sfx}${tag}`];
    must(ip('link', 'add', vc, 'type', 'veth', 'peer', 'name', vo), 'veth');
    must(ip('link', 'set', vc, 'netns', ns.c), 'veth to C');
    must(ip('link', 'set', vo, 'netns', other), 'veth to worker');
    must(ip('-n', ns.c, 'addr', 'add', `${cAddr}/30`, 'dev', vc), 'addr C');
    must(ip('-n', other, 'addr', 'add', `${oAddr}/30`, 'dev', vo), 'addr worker');
    must(ip('-n', ns.c, 'link', 'set', vc, 'up'), 'up C');
    must(ip('-n', other, 'link', 'set', vo, 'up'), 'up worker');
  }
}

function tearDown(): void {
  for (const n of Object.values(ns)) ip('netns', 'del', n);
}

test('multi-host: Redis and the coordinator in one namespace, a worker in each of two others over veth; a link cut mid-run', { skip: netnsSkip(), timeout: 300_000 }, async () => {
  const dir = scratchDir('descent-sweep-netns-');
  const spec = join(dir, 'sweep.json');
  writeFileSync(spec, JSON.stringify({ ...digitsSweep, base: { ...digitsSweep.base, model: 'mlp:32', epochs: 8, batch: 32 }, seeds: [0, 1, 2] }));
  const procs: Bg[] = [];
  let redis: ChildProcess | undefined;
  const port = 6379;
  setUp();
  try {
    redis = spawn('ip', ['netns', 'exec', ns.c, 'redis-server', '--port', String(port), '--bind', '0.0.0.0', '--protected-mode', 'no', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; ; i++) {
      if (spawnSync('ip', ['netns', 'exec', ns.c, 'redis-cli', '-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.startsWith('PONG')) break;
      assert.ok(i < 100, 'redis did not start in the namespace');
      await new Promise((r) => setTimeout(r, 100));
    }
    const inNs = (n: string) => ({ prefix: ['ip', 'netns', 'exec', n] });
    // worker A reaches Redis at C's address on the A link, worker B on the B link: real interfaces, not loopback
    const wa = new Bg(['worker', '--queue', `redis://${net}.1:${port}`, '--concurrency', '1', '--stall-seconds', '2'], inNs(ns.a));
    procs.push(wa);
    const coord = new Bg(['sweep', '--spec', spec, '--out', join(dir, 'queue'), '--queue', `redis://127.0.0.1:${port}`, '--json'], inNs(ns.c));
    procs.push(coord);
    await Promise.race([coord.linesAtLeast(1), coord.exited.then(() => assert.fail(`the sweep ended early: ${coord.stderr}`))]);
    // A has finished a run and taken the next: B joins, then A's link goes down mid-run
    const aName = readRows(join(dir, 'queue', 'runs.sqlite')).find((r) => r.status === 'done')!.worker;
    const wb = new Bg(['worker', '--queue', `redis://${net}.5:${port}`, '--concurrency', '1', '--stall-seconds', '2'], inNs(ns.b));
    procs.push(wb);
    await new Promise((r) => setTimeout(r, 100));
    must(ip('-n', ns.c, 'link', 'set', `dsw${sfx}ca`, 'down'), 'cut the A link');
    const code = await Promise.race([coord.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 200_000))]);
    assert.equal(code, 0, coord.stderr);
    const lines = parseLines(coord.lines.join('\n'));
    assert.equal(lines.runs.size, 12);
    const rows = readRows(join(dir, 'queue', 'runs.sqlite'));
    assert.equal(rows.length, 12);
    assert.ok(rows.every((r) => r.status === 'done'));
    // the run A was on when its link went down was finished by B, on its second attempt
    assert.ok(rows.some((r) => r.attempts >= 2 && r.worker !== aName), rows.map((r) => `${r.attempts}@${r.worker}`).join(', '));
    assert.ok(rows.some((r) => r.worker === aName) && rows.some((r) => r.worker !== aName));
    // the same numbers as the sweep on this machine alone
    const local = runDescent(['sweep', '--spec', spec, '--out', join(dir, 'local'), '--workers', '2']);
    assert.equal(local.status, 0, local.stderr);
    const want = new Map(readRows(join(dir, 'local', 'runs.sqlite')).map((r) => [r.key, r.result]));
    const untimed = (s: string | null | undefined) => JSON.stringify({ ...JSON.parse(s ?? '{}'), seconds: 0, samplesPerSecond: 0 });
    for (const r of rows) assert.equal(untimed(r.result), untimed(want.get(r.key)), `run ${r.idx}`);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    if (redis && redis.exitCode === null) {
      const done = new Promise((r) => redis!.once('exit', r));
      redis.kill('SIGKILL');
      await done;
    }
    tearDown();
    const left = ip('netns', 'list').stdout;
    assert.ok(!Object.values(ns).some((n) => left.includes(n)), `namespaces left: ${left}`);
  }
});
