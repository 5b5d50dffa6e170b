/**
 * Which store a process uses and where its data lives, decided in one place so that the CLI, the
 * server, the workers and the benchmarks agree: `--store` / `--db`, else `CONCLAVE_STORE` or
 * `CONCLAVE_DB`, else `./.conclave/conclave.db`. A `postgres://` URL picks PostgreSQL; `:memory:`
 * (or `memory:`) the in-memory store; anything else is a SQLite file.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConclaveError } from '../protocol/errors.js';
import type { SessionStore } from '../protocol/store.js';
import { createMemoryStore } from './memory-store.js';
import { createSqliteStore } from './sqlite-store.js';
import { isPostgresUrl } from './postgres/pg-connection.js';
import { createPostgresStore } from './postgres/pg-session-store.js';

export interface OpenStoreOptions {
  /** The CLI's `--store` / `--db`: a file path, `file://` URL, `postgres://` URL or `:memory:`. Wins over the environment. */
  db?: string;
  /** Environment to read `CONCLAVE_STORE` / `CONCLAVE_DB` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  cwd?: string;
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
  if (isPostgresUrl(value)) return value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ConclaveError('invalid_argument', `unsupported session store "${value}" (from ${origin})`, {
      hint: 'use a SQLite file path, a file:// URL, a postgres:// URL, or :memory:',
    });
  }
  return isAbsolute(value) ? value : resolve(cwd, value);
}

/**
 * Opens the session store selected by `--db`, `CONCLAVE_DB` or the default; creates the database
 * file and its directory when needed.
 *
 * @example
 * const store = openStore({ db: options.db });
 * console.log(`sessions in ${resolveDatabasePath({ db: options.db })}`);
 */
export function openStore(options: OpenStoreOptions = {}): SessionStore {
  const path = resolveDatabasePath(options);
  if (isPostgresUrl(path)) return createPostgresStore({ url: path });
  return path === memoryDatabase ? createMemoryStore() : createSqliteStore({ path });
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
