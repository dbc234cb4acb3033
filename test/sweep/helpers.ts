// Shared by the sweep tests: whether a SQLite driver loads on this Node (src/sweep/node/sqlite.ts), a real redis-server on loopback
// (started and stopped by the test; the tests skip, with the reason, where there is none), reading runs.sqlite.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import assert from 'node:assert/strict';
import { bin, repo } from '../helpers/cli.js';
import { openSqlite, sqliteDriver } from '../../src/sweep/node/sqlite.js';


/** A one-line reason when no SQLite driver loads here (better-sqlite3 built for another Node's ABI, and no node:sqlite), else false. */
export function sqliteSkip(): string | false {
  try {
    sqliteDriver();
    return false;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

/** A one-line reason when there is no redis-server to start, else false. */
export function redisSkip(): string | false {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'no redis-server on PATH (.ci/run installs Debian\'s redis-server)';
  return sqliteSkip();
}

export interface Row { key: string; idx: number; status: string; result: string | null; attempts: number; finished_at: string | null; worker: string | null }

/** Every row of a sweep folder's runs.sqlite. */
export function readRows(file: string): Row[] {
  const db = openSqlite(file, { readonly: true });
  try {
    return db.prepare('SELECT key, idx, status, result, attempts, finished_at, worker FROM runs ORDER BY idx').all() as unknown as Row[];
  } finally {
    db.close();
  }
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves when HOST:PORT answers PING with PONG (or rejects after `ms`). */
export async function waitForRedis(port: number, host = '127.0.0.1', ms = 10_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, host);
      c.setTimeout(500);
      c.once('connect', () => c.write('PING\r\n'));
      c.once('data', (d) => { c.destroy(); resolve(d.toString().startsWith('+PONG')); });
      c.once('error', () => resolve(false));
      c.once('timeout', () => { c.destroy(); resolve(false); });
    });
    if (ok) return;
    if (Date.now() - t0 > ms) throw new Error(`redis on ${host}:${port} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A redis-server on loopback with an append-only file in `dir` (so a restart keeps the queue). */
export class RedisServer {
  proc?: ChildProcess;
  constructor(readonly port: number, readonly dir: string, readonly bind = '127.0.0.1', readonly prefix: string[] = []) {}
  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', this.bind, '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'no'];
    const [cmd, ...pre] = [...this.prefix, 'redis-server'];
    this.proc = spawn(cmd, [...pre, ...args], { stdio: 'ignore' });
    await waitForRedis(this.port, this.bind === '0.0.0.0' ? '127.0.0.1' : this.bind);
  }
  /** Stops the server (SIGTERM: it flushes its append-only file) and waits for it to exit. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => { p.once('exit', () => resolve()); p.kill('SIGTERM'); });
  }
}

/** A `descent ...` process started in the background, with its stdout lines collected as they come. */
export class Bg {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  private waiters: { n: number; resolve: () => void }[] = [];
  readonly exited: Promise<number | null>;
  constructor(args: string[], opts: { prefix?: string[]; cwd?: string } = {}) {
    const [cmd, ...pre] = [...(opts.prefix ?? []), process.execPath];
    this.proc = spawn(cmd, [...pre, bin, ...args], { cwd: opts.cwd ?? repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        this.lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      this.waiters = this.waiters.filter((w) => (this.lines.length >= w.n ? (w.resolve(), false) : true));
    });
    this.proc.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }
  /** Resolves once `n` stdout lines have come. */
  linesAtLeast(n: number): Promise<void> {
    if (this.lines.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
  }
}

/** 3 optimizers × 4 learning rates × 2 seeds on Rosenbrock = 24 runs. */
export const functionSweep = {
  kind: 'optimize',
  base: { function: 'rosenbrock', x0: [-1.5, 2], steps: 150 },
  optimizers: [
    { name: 'sgd', lr: { log: [1e-5, 1e-4], num: 4 }, momentum: [0.9] },
    { name: 'rmsprop', lr: [1e-4, 3e-4, 1e-3, 3e-3] },
    { name: 'adam', lr: { log: [1e-3, 1e-1], num: 4 } },
  ],
  seeds: [0, 1],
};

/** 2 optimizers × 2 learning rates × 2 seeds of a small MLP on digits = 8 runs. */
export const digitsSweep = {
  kind: 'train',
  base: { data: 'digits', model: 'mlp:16', epochs: 3, batch: 64 },
  optimizers: [{ name: 'sgd', lr: [0.05, 0.2], momentum: [0.9] }, { name: 'adam', lr: [0.003, 0.03] }],
  seeds: [0, 1],
};

/** The sweep's --json lines: the run lines (by index) and the final {"done": true, "runs": n}. */
export function parseLines(stdout: string): { runs: Map<number, { spec: Record<string, unknown>; raw: string }>; done: unknown } {
  const lines = stdout.trim().split('\n');
  const runs = new Map<number, { spec: Record<string, unknown>; raw: string }>();
  for (const l of lines.slice(0, -1)) {
    const o = JSON.parse(l) as { run: number; spec: Record<string, unknown>; result: unknown };
    assert.deepEqual(Object.keys(o), ['run', 'spec', 'result']);
    assert.ok(!runs.has(o.run), `run ${o.run} printed twice`);
    // R exactly as printed: the text after "result":, the line's closing brace dropped
    runs.set(o.run, { spec: o.spec, raw: l.slice(l.indexOf('"result":') + '"result":'.length, -1) });
  }
  return { runs, done: JSON.parse(lines[lines.length - 1]) };
}

