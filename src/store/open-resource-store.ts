/**
 * Opens the resource store (API keys, agents, environments) that goes with a session store: the same
 * `--db` / `CONCLAVE_DB` / default path, resolved by the same function, so the server keeps
 * everything in one file (or one PostgreSQL schema). `:memory:` picks the in-memory store.
 */
import type { ResourceStore } from '../protocol/resources.js';
import { createMemoryResourceStore } from './memory-resource-store.js';
import { memoryDatabase, resolveDatabasePath, type OpenStoreOptions } from './open-store.js';
import { createSqliteResourceStore } from './sqlite-resource-store.js';
import { isPostgresUrl } from './postgres/pg-connection.js';
import { createPostgresResourceStore } from './postgres/pg-resource-store.js';

/**
 * Opens the resource store selected by `--db`, `CONCLAVE_DB` or the default path; creates the
 * database file, its directory and the resource tables when needed.
 *
 * @example
 * const sessions = openStore({ db: options.db });
 * const resources = openResourceStore({ db: options.db }); // same file as `sessions`
 */
export function openResourceStore(options: OpenStoreOptions = {}): ResourceStore {
  const path = resolveDatabasePath(options);
  // A few connections are plenty: keys are checked once per request, resources change rarely.
  if (isPostgresUrl(path)) return createPostgresResourceStore({ url: path, poolSize: 4 });
  return path === memoryDatabase ? createMemoryResourceStore() : createSqliteResourceStore({ path });
}
