// The sweep store's SQLite drivers (src/sweep/node/sqlite.ts): each driver that loads on this Node (better-sqlite3
// where its build matches the Node ABI, node:sqlite from Node 22.5) stores and reads back the store's value
// types, rolls a failed transaction back, refuses writes when opened read-only, and writes files the other
// driver reads; a sweep run with DESCENT_SQLITE=node prints no experimental-feature warning; a wrong
// DESCENT_SQLITE is one input error line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSqliteDriver, transaction, type SqliteDriver, type SqliteDriverName } from '../../src/sweep/node/sqlite.js';
import { SweepStore } from '../../src/sweep/node/store.js';
import { runDescent } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';
import { functionSweep, parseLines, sqliteSkip } from './helpers.js';

const names: SqliteDriverName[] = ['better-sqlite3', 'node'];
const loaded = new Map<SqliteDriverName, SqliteDriver | string>();
for (const name of names) {
  try {
    loaded.set(name, loadSqliteDriver(name));
  } catch (e) {
    loaded.set(name, `${name} does not load on Node ${process.version}: ${(e as Error).message.split('\n')[0]}`);
  }
}
const driver = (name: SqliteDriverName): SqliteDriver => loaded.get(name) as SqliteDriver;
const skipOf = (name: SqliteDriverName): string | false => (typeof loaded.get(name) === 'string' ? (loaded.get(name) as string) : false);

for (const name of names) {
  test(`${name}: values round-trip, a throwing transaction rolls back, a read-only handle refuses writes`, { skip: skipOf(name) }, () => {
    const d = driver(name);
    const file = join(scratchDir(`descent-sqlite-${name}-`), 'runs.sqlite');
    const db = d.open(file, false);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, i INTEGER, r REAL, s TEXT)');
    const put = db.prepare('INSERT INTO t (k, i, r, s) VALUES (?, ?, ?, ?)');
    transaction(db, () => {
      put.run('a', 3, 0.1, 'x\u00e9\ud83d\ude00');
      put.run('b', -7, 1e-300, null);
    });
    assert.throws(() => transaction(db, () => {
      put.run('c', 1, 2, 's');
      put.run('a', 0, 0, 'duplicate key'); // fails: the 'c' row goes with it
    }), /UNIQUE|constraint/i);
    const rows = db.prepare('SELECT k, i, r, s FROM t ORDER BY k').all().map((row) => ({ ...row }));
    assert.deepEqual(rows, [{ k: 'a', i: 3, r: 0.1, s: 'x\u00e9\ud83d\ude00' }, { k: 'b', i: -7, r: 1e-300, s: null }]);
    db.close();
    const ro = d.open(file, true);
    assert.equal(ro.prepare('SELECT count(*) AS n FROM t').all()[0].n, 2);
    assert.throws(() => ro.prepare("INSERT INTO t (k) VALUES ('z')").run(), /readonly|read-only|read only/i);
    ro.close();
  });
}

test('a runs.sqlite written by one driver reads back through the other', { skip: skipOf('better-sqlite3') || skipOf('node') }, () => {
  for (const [writer, reader] of [['better-sqlite3', 'node'], ['node', 'better-sqlite3']] as const) {
    const file = join(scratchDir('descent-sqlite-cross-'), 'runs.sqlite');
    const db = driver(writer).open(file, false);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('CREATE TABLE t (k TEXT, r REAL)');
    db.prepare('INSERT INTO t VALUES (?, ?)').run('k', Math.PI);
    db.close();
    const back = driver(reader).open(file, true);
    assert.deepEqual({ ...back.prepare('SELECT k, r FROM t').all()[0] }, { k: 'k', r: Math.PI }, `${writer} → ${reader}`);
    back.close();
  }
});

test('SweepStore: register, finish, rows; a rerun keeps finished runs and requeues crashed ones', { skip: sqliteSkip() }, () => {
  // the store on the driver this Node loads first (better-sqlite3 on the Node it was built for, else node:sqlite);
  // the sweep below forces node:sqlite in a child process
  const file = join(scratchDir('descent-sqlite-store-'), 'runs.sqlite');
  const runs = [0, 1, 2].map((index) => ({ index, kind: 'optimize' as const, seed: index, spec: { lr: 0.1 * (index + 1) } }));
  const store = new SweepStore(file);
  store.register({ grid: 'g' }, runs as never);
  const [a, b] = store.rows();
  store.markRunning(a.key, 'w1');
  store.finish(a.key, { ok: true, result: '{"f":1}', metrics: [1, 2], exitCode: 0, seconds: 0.5 }, 'w1');
  store.markRunning(b.key, 'w2'); // then the process dies
  store.close();
  const again = new SweepStore(file);
  again.register({ grid: 'g' }, runs as never);
  const rows = again.rows();
  assert.deepEqual(rows.map((r) => [r.index, r.status, r.attempts]), [[0, 'done', 1], [1, 'pending', 1], [2, 'pending', 0]]);
  assert.deepEqual([rows[0].result, rows[0].metrics, rows[0].seconds, rows[0].worker], ['{"f":1}', [1, 2], 0.5, 'w1']);
  assert.deepEqual([...again.finishedKeys()], [a.key]);
  again.close();
});

test('descent sweep with DESCENT_SQLITE=node: the results land in runs.sqlite, and stderr has no ExperimentalWarning', { skip: skipOf('node') }, () => {
  const dir = scratchDir('descent-sqlite-sweep-');
  const spec = join(dir, 'sweep.json');
  writeFileSync(spec, JSON.stringify(functionSweep));
  const r = runDescent(['sweep', '--spec', spec, '--out', join(dir, 'out'), '--workers', '2', '--json'], { env: { DESCENT_SQLITE: 'node' } });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /ExperimentalWarning|experimental feature/);
  assert.deepEqual(parseLines(r.stdout).done, { done: true, runs: 24 });
  const db = driver('node').open(join(dir, 'out', 'runs.sqlite'), true);
  assert.equal(db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'done'").all()[0].n, 24);
  db.close();
});

test('DESCENT_SQLITE names a driver that is not there: one input error line, exit 2', () => {
  const dir = scratchDir('descent-sqlite-bad-');
  const spec = join(dir, 'sweep.json');
  writeFileSync(spec, JSON.stringify(functionSweep));
  const r = runDescent(['sweep', '--spec', spec, '--out', join(dir, 'out'), '--json'], { env: { DESCENT_SQLITE: 'postgres' } });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, "descent: error: DESCENT_SQLITE is 'postgres'; expected better-sqlite3 or node\n");
});
