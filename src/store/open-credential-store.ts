/**
 * Opens the credential store that goes with a session store: the same `--store` / `CONCLAVE_DB` /
 * default location, so the vault credentials live beside the sessions (their own table in the same
 * SQLite file or PostgreSQL schema). The selected driver is imported only here, when a credential
 * is first needed, so commands that never touch vaults load nothing more.
 */
import type { CredentialStore } from '../protocol/credentials.js';
import { createMemoryCredentialStore } from './memory-credential-store.js';
import { isPostgresLocation, memoryDatabase, resolveDatabasePath, type OpenStoreOptions } from './open-store.js';

/**
 * Opens the credential store at the location `options` resolve to.
 *
 * @example
 * const credentials = await openCredentialStore({ db: '.conclave/conclave.db' });
 */
export async function openCredentialStore(options: OpenStoreOptions = {}): Promise<CredentialStore> {
  const path = resolveDatabasePath(options);
  if (isPostgresLocation(path)) return (await import('./postgres/pg-credential-store.js')).createPostgresCredentialStore({ url: path });
  if (path === memoryDatabase) return createMemoryCredentialStore();
  return (await import('./sqlite-credential-store.js')).createSqliteCredentialStore({ path });
}
