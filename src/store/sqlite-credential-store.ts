/**
 * The embedded credential store: vault credentials in their own table (`vault_credentials`) of the
 * same SQLite file as the sessions and resources, created with IF NOT EXISTS so it never touches
 * the session store's migrations or the resource tables. Secret values arrive sealed: the table
 * holds ciphertext only.
 */
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { ConclaveError, isConclaveError } from '../protocol/errors.js';
import type { CredentialChanges, CredentialPage, CredentialRecord, CredentialStore, ListCredentialsOptions, NewCredential } from '../protocol/credentials.js';
import { credentialColumns, rowToCredential, type CredentialRow } from './credential-rows.js';
import { credentialPage } from './memory-credential-store.js';
import { decodeResourceCursor, pageSize, resourceNotFound } from './resource-paging.js';
import { openWalDatabase } from './sqlite-database.js';

export interface SqliteCredentialStoreOptions {
  /** Database file (usually the session database). `:memory:` for a private database. */
  path: string;
  /** How long a writer waits for another process's transaction. Default 5000 ms. */
  busyTimeoutMs?: number;
}

const schema = `
  CREATE TABLE IF NOT EXISTS vault_credentials (
    id TEXT PRIMARY KEY,
    vault_id TEXT NOT NULL,
    workspace TEXT NOT NULL,
    display_name TEXT,
    metadata TEXT NOT NULL,
    auth TEXT NOT NULL,
    sealed TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    archived_at TEXT
  );
  CREATE INDEX IF NOT EXISTS vault_credentials_by_vault ON vault_credentials (workspace, vault_id, created_at DESC, id DESC);`;

/**
 * Opens (creating if needed) the credential table in the SQLite file at `options.path`.
 *
 * @example
 * const credentials = createSqliteCredentialStore({ path: '.conclave/conclave.db' });
 */
export function createSqliteCredentialStore(options: SqliteCredentialStoreOptions): CredentialStore {
  const path = options.path === ':memory:' ? options.path : resolve(options.path);
  const db = openWalDatabase(path, options.busyTimeoutMs ?? 5000, 'the credential table in', (opened) => opened.exec(schema));

  const insert = db.prepare<[string, string, string, string | null, string, string, string, string, string]>(
    'INSERT INTO vault_credentials (id, vault_id, workspace, display_name, metadata, auth, sealed, created_at, updated_at, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
  );
  const selectOne = db.prepare<[string, string], CredentialRow>(`SELECT ${credentialColumns} FROM vault_credentials WHERE id = ? AND workspace = ?`);
  const update = db.prepare<[string | null, string, string, string, string, string, string]>(
    'UPDATE vault_credentials SET display_name = ?, metadata = ?, auth = ?, sealed = ?, updated_at = ? WHERE id = ? AND workspace = ?',
  );
  const archive = db.prepare<[string, string, string]>('UPDATE vault_credentials SET archived_at = coalesce(archived_at, ?) WHERE id = ? AND workspace = ?');
  const remove = db.prepare<[string, string]>('DELETE FROM vault_credentials WHERE id = ? AND workspace = ?');
  const removeVault = db.prepare<[string, string]>('DELETE FROM vault_credentials WHERE workspace = ? AND vault_id = ?');
  const listStatement = (archived: boolean, after: boolean): Database.Statement<Array<string | number>, CredentialRow> =>
    db.prepare<Array<string | number>, CredentialRow>(
      `SELECT ${credentialColumns} FROM vault_credentials WHERE workspace = ? AND vault_id = ?${archived ? '' : ' AND archived_at IS NULL'}${
        after ? ' AND (created_at < ? OR (created_at = ? AND id < ?))' : ''
      } ORDER BY created_at DESC, id DESC LIMIT ?`,
    );
  const lists = new Map<string, Database.Statement<Array<string | number>, CredentialRow>>();

  const updateTransaction = db.transaction((workspace: string, id: string, changes: CredentialChanges): CredentialRow => {
    const current = selectOne.get(id, workspace);
    if (current === undefined) throw resourceNotFound('credential', id);
    const next: CredentialRow = {
      ...current,
      display_name: changes.displayName !== undefined ? changes.displayName : current.display_name,
      metadata: changes.metadata !== undefined ? JSON.stringify(changes.metadata) : current.metadata,
      auth: changes.auth !== undefined ? JSON.stringify(changes.auth) : current.auth,
      sealed: changes.sealed ?? current.sealed,
      updated_at: changes.updatedAt ?? new Date().toISOString(),
    };
    update.run(next.display_name, next.metadata, next.auth, next.sealed, next.updated_at, id, workspace);
    return next;
  });

  let closed = false;
  function run<T>(action: () => T): T {
    if (closed) throw new ConclaveError('store_error', `the credential store at ${path} is closed`);
    try {
      return action();
    } catch (error) {
      if (isConclaveError(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (/UNIQUE constraint failed/.test(message)) throw new ConclaveError('store_conflict', `credential id already taken: ${message}`, { cause: error });
      throw new ConclaveError('store_error', `the credential store at ${path} failed: ${message}`, { cause: error });
    }
  }

  function existing(workspace: string, id: string): CredentialRecord {
    const row = selectOne.get(id, workspace);
    if (row === undefined) throw resourceNotFound('credential', id);
    return rowToCredential(row);
  }

  return {
    specificationVersion: 'v1',
    kind: 'sqlite',

    async createCredential(credential: NewCredential): Promise<CredentialRecord> {
      return run(() => {
        const createdAt = credential.createdAt ?? new Date().toISOString();
        insert.run(credential.id, credential.vaultId, credential.workspace, credential.displayName, JSON.stringify(credential.metadata), JSON.stringify(credential.auth), credential.sealed, createdAt, createdAt);
        return existing(credential.workspace, credential.id);
      });
    },

    async getCredential(workspace: string, id: string): Promise<CredentialRecord | undefined> {
      return run(() => {
        const row = selectOne.get(id, workspace);
        return row === undefined ? undefined : rowToCredential(row);
      });
    },

    async updateCredential(workspace: string, id: string, changes: CredentialChanges): Promise<CredentialRecord> {
      return run(() => rowToCredential(updateTransaction.immediate(workspace, id, changes)));
    },

    async archiveCredential(workspace: string, id: string, at: string = new Date().toISOString()): Promise<CredentialRecord> {
      return run(() => {
        if (archive.run(at, id, workspace).changes === 0) throw resourceNotFound('credential', id);
        return existing(workspace, id);
      });
    },

    async deleteCredential(workspace: string, id: string): Promise<boolean> {
      return run(() => remove.run(id, workspace).changes > 0);
    },

    async listCredentials(workspace: string, vaultId: string, options: ListCredentialsOptions = {}): Promise<CredentialPage> {
      return run(() => {
        const limit = pageSize(options.limit);
        const after = options.cursor === undefined ? undefined : decodeResourceCursor(options.cursor);
        const archived = options.includeArchived === true;
        const key = `${archived}:${after !== undefined}`;
        let statement = lists.get(key);
        if (statement === undefined) {
          statement = listStatement(archived, after !== undefined);
          lists.set(key, statement);
        }
        const parameters: Array<string | number> = [workspace, vaultId, ...(after !== undefined ? [after.createdAt, after.createdAt, after.id] : []), limit + 1];
        return credentialPage(statement.all(...parameters).map(rowToCredential), limit);
      });
    },

    async deleteVaultCredentials(workspace: string, vaultId: string): Promise<number> {
      return run(() => removeVault.run(workspace, vaultId).changes);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
