/**
 * Which store a process uses and where its data lives, decided in one place so that the CLI, the
 * server, the workers and the benchmarks agree: `--store` / `--db`, else `CONCLAVE_STORE` or
 * `CONCLAVE_DB`, else `./.conclave/conclave.db`. A `postgres://` URL picks PostgreSQL; `:memory:`
 * (or `memory:`) the in-memory store; anything else is a SQLite file.
 *
 * The PostgreSQL stores (and `pg` under them) are imported only for a `postgres://` location, the
 * SQLite stores (and the native `better-sqlite3`) only for a file, by `prepareStore`, which a process
 * awaits once before `openStore` / `openResourceStore`: a CLI command loads only the driver its
 * store needs (benchmarks/startup/). The `store/index.ts` barrel, which exports every store anyway,
 * provides both drivers up front, so `openStore` imported from it needs no `prepareStore`.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConclaveError } from '../protocol/errors.js';
import type { SessionStore } from '../protocol/store.js';
import { createMemoryStore } from './memory-store.js';
import type { createSqliteStore } from './sqlite-store.js';
import type { createSqliteResourceStore } from './sqlite-resource-store.js';
import type { createPostgresStore } from './postgres/pg-session-store.js';
import type { createPostgresResourceStore } from './postgres/pg-resource-store.js';

export interface OpenStoreOptions {
  /** The CLI's `--store` / `--db`: a file path, `file://` URL, `postgres://` URL or `:memory:`. Wins over the environment. */
  db?: string;
  /** Environment to read `CONCLAVE_STORE` / `CONCLAVE_DB` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  cwd?: string;
}

/** The PostgreSQL store factories, once `prepareStore` has imported them. */
export interface PostgresStoreDriver {
  createPostgresStore: typeof createPostgresStore;
  createPostgresResourceStore: typeof createPostgresResourceStore;
}

/** The SQLite store factories, once `prepareStore` has imported them. */
export interface SqliteStoreDriver {
  createSqliteStore: typeof createSqliteStore;
  createSqliteResourceStore: typeof createSqliteResourceStore;
}

let postgresDriver: PostgresStoreDriver | undefined;
let sqliteDriver: SqliteStoreDriver | undefined;

/**
 * Whether a location is a PostgreSQL URL: the same test as `isPostgresUrl` in
 * `postgres/pg-connection.ts`, repeated here because that module imports `pg`.
 *
 * @example
 * isPostgresLocation('postgres://127.0.0.1/conclave') // → true
 * isPostgresLocation('/tmp/conclave.db')              // → false
 */
export function isPostgresLocation(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value.trim());
}

/**
 * Imports what the selected store needs that is not loaded up front — the PostgreSQL stores for a
 * `postgres://` location, the SQLite stores for a file, nothing for `:memory:`. Await it once
 * before `openStore` or `openResourceStore`.
 *
 * @example
 * await prepareStore({ db: options.db });
 * const store = openStore({ db: options.db });
 */
export async function prepareStore(options: OpenStoreOptions = {}): Promise<void> {
  const path = resolveDatabasePath(options);
  if (path === memoryDatabase) return;
  if (isPostgresLocation(path)) {
    if (postgresDriver !== undefined) return;
    const [sessions, resources] = await Promise.all([import('./postgres/pg-session-store.js'), import('./postgres/pg-resource-store.js')]);
    postgresDriver = { createPostgresStore: sessions.createPostgresStore, createPostgresResourceStore: resources.createPostgresResourceStore };
    return;
  }
  if (sqliteDriver !== undefined) return;
  const [sessions, resources] = await Promise.all([import('./sqlite-store.js'), import('./sqlite-resource-store.js')]);
  sqliteDriver = { createSqliteStore: sessions.createSqliteStore, createSqliteResourceStore: resources.createSqliteResourceStore };
}

/**
 * Hands over store factories the caller has imported already (the `store/index.ts` barrel does,
 * since it exports them), so that `openStore` needs no `prepareStore` for them.
 *
 * @example
 * provideStoreDrivers({ postgres: { createPostgresStore, createPostgresResourceStore }, sqlite: { createSqliteStore, createSqliteResourceStore } });
 */
export function provideStoreDrivers(drivers: { postgres?: PostgresStoreDriver; sqlite?: SqliteStoreDriver }): void {
  if (drivers.postgres !== undefined) postgresDriver = drivers.postgres;
  if (drivers.sqlite !== undefined) sqliteDriver = drivers.sqlite;
}

/**
 * The SQLite store factories; throws when `prepareStore` has not imported them yet.
 *
 * @example
 * await prepareStore({ db: '/tmp/conclave.db' });
 * const store = preparedSqliteDriver().createSqliteStore({ path: '/tmp/conclave.db' });
 */
export function preparedSqliteDriver(): SqliteStoreDriver {
  if (sqliteDriver === undefined) {
    throw new ConclaveError('internal', 'the SQLite store is not loaded: await prepareStore(options) before opening a SQLite store');
  }
  return sqliteDriver;
}

/**
 * The PostgreSQL store factories; throws when `prepareStore` has not imported them yet.
 *
 * @example
 * await prepareStore({ db: 'postgres://127.0.0.1/conclave' });
 * const store = preparedPostgresDriver().createPostgresStore({ url: 'postgres://127.0.0.1/conclave' });
 */
export function preparedPostgresDriver(): PostgresStoreDriver {
  if (postgresDriver === undefined) {
    throw new ConclaveError('internal', 'the PostgreSQL store is not loaded: await prepareStore(options) before opening a postgres:// store');
  }
  return postgresDriver;
}

/** What `resolveDatabasePath` returns when the in-memory store is selected. */
export const memoryDatabase = ':memory:';

/** Default database location, relative to the working directory. */
export const defaultDatabasePath = join('.conclave', 'conclave.db');

/**
 * Where session data lives: an absolute file path, a `postgres://` URL (returned as given), or
 * `:memory:` for the in-memory store. Creates nothing.
 *
 * @example
 * resolveDatabasePath({ env: {}, cwd: '/home/ada/project' }) // → '/home/ada/project/.conclave/conclave.db'
 * resolveDatabasePath({ db: 'memory:' })                      // → ':memory:'
 */
export function resolveDatabasePath(options: OpenStoreOptions = {}): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fromOption = nonEmpty(options.db);
  const fromEnv = nonEmpty(env.CONCLAVE_STORE) ?? nonEmpty(env.CONCLAVE_DB);
  const value = fromOption ?? fromEnv ?? defaultDatabasePath;
  const origin = fromOption !== undefined ? '--store' : fromEnv !== undefined ? (nonEmpty(env.CONCLAVE_STORE) !== undefined ? 'CONCLAVE_STORE' : 'CONCLAVE_DB') : 'the default';
  if (value === ':memory:' || value === 'memory:') return memoryDatabase;
  if (value.startsWith('file://')) return fileURLToPath(value);
  if (isPostgresLocation(value)) return value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ConclaveError('invalid_argument', `unsupported session store "${value}" (from ${origin})`, {
      hint: 'use a SQLite file path, a file:// URL, a postgres:// URL, or :memory:',
    });
  }
  return isAbsolute(value) ? value : resolve(cwd, value);
}

/**
 * Opens the session store selected by `--db`, `CONCLAVE_DB` or the default; creates the database
 * file and its directory when needed. A `postgres://` location needs `await prepareStore(options)`
 * first.
 *
 * @example
 * await prepareStore({ db: options.db });
 * const store = openStore({ db: options.db });
 * console.log(`sessions in ${resolveDatabasePath({ db: options.db })}`);
 */
export function openStore(options: OpenStoreOptions = {}): SessionStore {
  const path = resolveDatabasePath(options);
  if (isPostgresLocation(path)) return preparedPostgresDriver().createPostgresStore({ url: path });
  return path === memoryDatabase ? createMemoryStore() : preparedSqliteDriver().createSqliteStore({ path });
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
