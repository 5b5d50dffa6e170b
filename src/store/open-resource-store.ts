/**
 * Opens the resource store (API keys, agents, environments) that goes with a session store: the same
 * `--db` / `CONCLAVE_DB` / default path, resolved by the same function, so the server keeps
 * everything in one file (or one PostgreSQL schema). `:memory:` picks the in-memory store. The
 * SQLite and PostgreSQL stores are imported only when selected, by `prepareStore` (open-store.ts).
 */
import type { ResourceStore } from '../protocol/resources.js';
import { createMemoryResourceStore } from './memory-resource-store.js';
import { isPostgresLocation, memoryDatabase, preparedPostgresDriver, preparedSqliteDriver, resolveDatabasePath, type OpenStoreOptions } from './open-store.js';

/**
 * Opens the resource store selected by `--db`, `CONCLAVE_DB` or the default path; creates the
 * database file, its directory and the resource tables when needed. A `postgres://` location needs
 * `await prepareStore(options)` first.
 *
 * @example
 * await prepareStore({ db: options.db });
 * const sessions = openStore({ db: options.db });
 * const resources = openResourceStore({ db: options.db }); // same file as `sessions`
 */
export function openResourceStore(options: OpenStoreOptions = {}): ResourceStore {
  const path = resolveDatabasePath(options);
  // A few connections are plenty: keys are checked once per request, resources change rarely.
  if (isPostgresLocation(path)) return preparedPostgresDriver().createPostgresResourceStore({ url: path, poolSize: 4 });
  return path === memoryDatabase ? createMemoryResourceStore() : preparedSqliteDriver().createSqliteResourceStore({ path });
}
