/**
 * The SQLite the sweep store writes runs.sqlite with: better-sqlite3 where its native build loads on this
 * Node, else Node's own `node:sqlite` (Node ≥ 22.5). A native addon is built for one Node ABI, so an
 * install made with one Node, or one whose build could not run, would otherwise leave sweeps unusable on
 * another; both drivers write the same file format. `DESCENT_SQLITE=better-sqlite3` or `=node` picks one.
 */
import { createRequire } from 'node:module';
import { inputError, runError } from '../../errors.js';

/** A value bound to a statement's `?` or read back from a column. */
export type SqlValue = string | number | null;

/** A prepared statement: the part of better-sqlite3's Statement and node:sqlite's StatementSync both have. */
export interface SqliteStatement {
  run(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): Record<string, unknown>[];
}

/** An open database: the part of better-sqlite3's Database and node:sqlite's DatabaseSync both have. */
export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
}

/** The names `DESCENT_SQLITE` accepts. */
export type SqliteDriverName = 'better-sqlite3' | 'node';

/** A loaded driver: its name and how it opens a file. */
export interface SqliteDriver {
  name: SqliteDriverName;
  open(file: string, readonly: boolean): SqliteDatabase;
}

const require = createRequire(import.meta.url);

function betterSqlite3(): SqliteDriver {
  const Database = require('better-sqlite3') as new (file: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => SqliteDatabase;
  new Database(':memory:').close(); // loading alone does not reach the binding; opening does
  return { name: 'better-sqlite3', open: (file, readonly) => new Database(file, readonly ? { readonly: true, fileMustExist: true } : {}) };
}

function nodeSqlite(): SqliteDriver {
  // node:sqlite announces itself as experimental on load; that line is noise on a CLI's stderr
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!String(typeof warning === 'string' ? warning : warning.message).startsWith('SQLite is an experimental feature')) {
      (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
    }
  }) as typeof process.emitWarning;
  let DatabaseSync: new (file: string, options?: { readOnly?: boolean }) => SqliteDatabase;
  try {
    ({ DatabaseSync } = require('node:sqlite') as { DatabaseSync: typeof DatabaseSync });
  } finally {
    process.emitWarning = emitWarning;
  }
  return { name: 'node', open: (file, readonly) => new DatabaseSync(file, readonly ? { readOnly: true } : {}) };
}

const drivers: Record<SqliteDriverName, () => SqliteDriver> = { 'better-sqlite3': betterSqlite3, node: nodeSqlite };
let loaded: SqliteDriver | undefined;

/** Loads the driver `name` afresh (no cache, no fallback); throws the driver's own error where it cannot load here. */
export function loadSqliteDriver(name: SqliteDriverName): SqliteDriver {
  return drivers[name]();
}

/**
 * The driver in use, loaded on first call: `DESCENT_SQLITE`'s if set, else the first of better-sqlite3 and
 * node:sqlite that loads. Where none does, one line saying why and what to do.
 */
export function sqliteDriver(): SqliteDriver {
  if (loaded) return loaded;
  const wanted = process.env.DESCENT_SQLITE;
  if (wanted !== undefined && wanted !== '' && !(wanted in drivers)) {
    throw inputError(`DESCENT_SQLITE is '${wanted}'; expected better-sqlite3 or node`);
  }
  const order: SqliteDriverName[] = wanted ? [wanted as SqliteDriverName] : ['better-sqlite3', 'node'];
  const failures: string[] = [];
  for (const name of order) {
    try {
      return (loaded = loadSqliteDriver(name));
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw runError(`runs.sqlite needs better-sqlite3 built for this Node (${process.version}) or Node 22.5 or later's node:sqlite (${failures.join('; ')}); run npm rebuild better-sqlite3`);
}

/** Opens (creating unless `readonly`) the SQLite file at `file` with the driver in use. */
export function openSqlite(file: string, options: { readonly?: boolean } = {}): SqliteDatabase {
  return sqliteDriver().open(file, options.readonly === true);
}

/** Runs `work` in one transaction: committed if it returns, rolled back if it throws. */
export function transaction(db: SqliteDatabase, work: () => void): void {
  db.exec('BEGIN');
  try {
    work();
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
  db.exec('COMMIT');
}
