/**
 * Opens the file store (uploaded files, session resources) that goes with a session store: the same
 * `--db` / `CONCLAVE_DB` / default path, so files live in the same SQLite file or PostgreSQL schema
 * as everything else; `:memory:` picks the in-memory store. The SQLite and PostgreSQL file stores
 * are imported here, when selected, so a process that never touches files never loads them.
 */
import type { FileStore } from '../protocol/files.js';
import { createMemoryFileStore } from './memory-file-store.js';
import { isPostgresLocation, memoryDatabase, resolveDatabasePath, type OpenStoreOptions } from './open-store.js';

/**
 * Opens the file store selected by `--db`, `CONCLAVE_DB` or the default path; creates its tables
 * when needed.
 *
 * @example
 * const files = await openFileStore({ db: options.db }); // same file as `openStore({ db: options.db })`
 */
export async function openFileStore(options: OpenStoreOptions = {}): Promise<FileStore> {
  const path = resolveDatabasePath(options);
  if (path === memoryDatabase) return createMemoryFileStore();
  if (isPostgresLocation(path)) {
    const { createPostgresFileStore } = await import('./postgres/pg-file-store.js');
    return createPostgresFileStore({ url: path });
  }
  const { createSqliteFileStore } = await import('./sqlite-file-store.js');
  return createSqliteFileStore({ path });
}
