/**
 * Opens the resource store (API keys, agents, environments) that goes with a session store: the same
 * `--db` / `CONCLAVE_DB` / default path, resolved by the same function, so the server keeps
 * everything in one file. `:memory:` picks the in-memory store.
 */
import type { ResourceStore } from '../protocol/resources.js';
import { createMemoryResourceStore } from './memory-resource-store.js';
import { memoryDatabase, resolveDatabasePath, type OpenStoreOptions } from './open-store.js';
import { createSqliteResourceStore } from './sqlite-resource-store.js';

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
  return path === memoryDatabase ? createMemoryResourceStore() : createSqliteResourceStore({ path });
}
