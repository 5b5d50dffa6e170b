/**
 * Opens the agent memory store that goes with a session store: the same `--store` / `CONCLAVE_DB` /
 * default location, so memory stores live beside the sessions (their own tables in the same SQLite
 * file or PostgreSQL schema); `:memory:` picks the in-process store. The SQLite and PostgreSQL
 * backends are imported only here, when selected, so a process that never touches memory loads
 * neither.
 */
import { isPostgresLocation, memoryDatabase, resolveDatabasePath, type OpenStoreOptions } from '../store/open-store.js';
import type { AgentMemoryStore } from './agent-memory-types.js';
import { createInProcessAgentMemoryStore } from './in-process-agent-memory.js';

/**
 * Opens the agent memory store at the location `options` resolve to; creates its tables when needed.
 *
 * @example
 * const memory = await openAgentMemoryStore({ db: '.conclave/conclave.db' });
 */
export async function openAgentMemoryStore(options: OpenStoreOptions = {}): Promise<AgentMemoryStore> {
  const path = resolveDatabasePath(options);
  if (path === memoryDatabase) return createInProcessAgentMemoryStore();
  if (isPostgresLocation(path)) return (await import('./postgres-agent-memory.js')).createPostgresAgentMemoryStore({ url: path });
  return (await import('./sqlite-agent-memory.js')).createSqliteAgentMemoryStore({ path });
}
