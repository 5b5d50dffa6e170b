/**
 * The PostgreSQL credential store: vault credentials in their own table (`vault_credentials`) of
 * the schema the session logs and resources live in. The table is created on first use with IF NOT
 * EXISTS, under an advisory lock (concurrent creators would otherwise race on the catalog), after the
 * numbered migrations have made the schema — so it adds a table without changing the migration
 * list, and never touches the existing tables. Secret values arrive sealed: the table holds
 * ciphertext only.
 */
import type pg from 'pg';
import type { CredentialChanges, CredentialPage, CredentialStore, ListCredentialsOptions, NewCredential } from '../../protocol/credentials.js';
import { credentialColumns, rowToCredential, type CredentialRow } from '../credential-rows.js';
import { credentialPage } from '../memory-credential-store.js';
import { decodeResourceCursor, pageSize, resourceNotFound } from '../resource-paging.js';
import { createPostgresPool, parsePostgresUrl } from './pg-connection.js';
import { createTablesUnderLock, onceReady, runStoreOperation } from './pg-store-operations.js';

export interface PostgresCredentialStoreOptions {
  /** `postgres://user:password@host:5432/database?schema=conclave`. */
  url: string;
  /** Overrides the URL's `?schema=`. */
  schema?: string;
  /** Share a pool (not closed by `close()`). */
  pool?: pg.Pool;
  /** Connections of the store's own pool. Default 4. */
  poolSize?: number;
}


/**
 * Opens the credential table in the PostgreSQL schema named by `options` (created on first use).
 *
 * @example
 * const credentials = createPostgresCredentialStore({ url: 'postgres://postgres@127.0.0.1:5432/conclave' });
 */
export function createPostgresCredentialStore(options: PostgresCredentialStoreOptions): CredentialStore {
  const target = parsePostgresUrl(options.url, options.schema);
  const ownsPool = options.pool === undefined;
  const pool = options.pool ?? createPostgresPool(target, { max: options.poolSize ?? 4 });
  const table = `${target.schema}.vault_credentials`;
  let closed = false;

  // The table is created once, under its own advisory lock, after the numbered migrations.
  const whenReady = onceReady(() =>
    createTablesUnderLock(pool, target, `conclave:credentials:${target.schema}`, async (client) => {
      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
        id text COLLATE "C" PRIMARY KEY,
        vault_id text NOT NULL,
        workspace text NOT NULL,
        display_name text,
        metadata text NOT NULL,
        auth text NOT NULL,
        sealed text NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        updated_at text NOT NULL,
        archived_at text
      )`);
      await client.query(`CREATE INDEX IF NOT EXISTS vault_credentials_by_vault ON ${table} (workspace, vault_id, created_at DESC, id DESC)`);
    }),
  );

  const run = <T>(action: string, body: () => Promise<T>): Promise<T> => runStoreOperation({ action, what: 'credential store', target, closed, whenReady }, body);


  async function selectOne(workspace: string, id: string): Promise<CredentialRow | undefined> {
    const { rows } = await pool.query<CredentialRow>(`SELECT ${credentialColumns} FROM ${table} WHERE id = $1 AND workspace = $2`, [id, workspace]);
    return rows[0];
  }

  return {
    specificationVersion: 'v1',
    kind: 'postgres',

    createCredential: (credential: NewCredential) =>
      run('create credential', async () => {
        const createdAt = credential.createdAt ?? new Date().toISOString();
        const { rows } = await pool.query<CredentialRow>(
          `INSERT INTO ${table} (id, vault_id, workspace, display_name, metadata, auth, sealed, created_at, updated_at, archived_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, NULL) RETURNING ${credentialColumns}`,
          [credential.id, credential.vaultId, credential.workspace, credential.displayName, JSON.stringify(credential.metadata), JSON.stringify(credential.auth), credential.sealed, createdAt],
        );
        return rowToCredential(rows[0] as CredentialRow);
      }),

    getCredential: (workspace: string, id: string) =>
      run('get credential', async () => {
        const row = await selectOne(workspace, id);
        return row === undefined ? undefined : rowToCredential(row);
      }),

    updateCredential: (workspace: string, id: string, changes: CredentialChanges) =>
      run('update credential', async () => {
        // One statement: each column keeps its value unless the change names it.
        const { rows } = await pool.query<CredentialRow>(
          `UPDATE ${table} SET
             display_name = CASE WHEN $3 THEN $4 ELSE display_name END,
             metadata = coalesce($5, metadata),
             auth = coalesce($6, auth),
             sealed = coalesce($7, sealed),
             updated_at = $8
           WHERE id = $1 AND workspace = $2 RETURNING ${credentialColumns}`,
          [
            id,
            workspace,
            changes.displayName !== undefined,
            changes.displayName ?? null,
            changes.metadata !== undefined ? JSON.stringify(changes.metadata) : null,
            changes.auth !== undefined ? JSON.stringify(changes.auth) : null,
            changes.sealed ?? null,
            changes.updatedAt ?? new Date().toISOString(),
          ],
        );
        if (rows[0] === undefined) throw resourceNotFound('credential', id);
        return rowToCredential(rows[0]);
      }),

    archiveCredential: (workspace: string, id: string, at: string = new Date().toISOString()) =>
      run('archive credential', async () => {
        const { rows } = await pool.query<CredentialRow>(
          `UPDATE ${table} SET archived_at = coalesce(archived_at, $3) WHERE id = $1 AND workspace = $2 RETURNING ${credentialColumns}`,
          [id, workspace, at],
        );
        if (rows[0] === undefined) throw resourceNotFound('credential', id);
        return rowToCredential(rows[0]);
      }),

    deleteCredential: (workspace: string, id: string) =>
      run('delete credential', async () => ((await pool.query(`DELETE FROM ${table} WHERE id = $1 AND workspace = $2`, [id, workspace])).rowCount ?? 0) > 0),

    listCredentials: (workspace: string, vaultId: string, options: ListCredentialsOptions = {}) =>
      run('list credentials', async (): Promise<CredentialPage> => {
        const limit = pageSize(options.limit);
        const after = options.cursor === undefined ? undefined : decodeResourceCursor(options.cursor);
        const parameters: unknown[] = [workspace, vaultId];
        let where = 'workspace = $1 AND vault_id = $2';
        if (options.includeArchived !== true) where += ' AND archived_at IS NULL';
        if (after !== undefined) {
          parameters.push(after.createdAt, after.id);
          where += ` AND (created_at < $3 OR (created_at = $3 AND id < $4))`;
        }
        parameters.push(limit + 1);
        const { rows } = await pool.query<CredentialRow>(
          `SELECT ${credentialColumns} FROM ${table} WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $${parameters.length}`,
          parameters,
        );
        return credentialPage(rows.map(rowToCredential), limit);
      }),

    deleteVaultCredentials: (workspace: string, vaultId: string) =>
      run('delete vault credentials', async () => (await pool.query(`DELETE FROM ${table} WHERE workspace = $1 AND vault_id = $2`, [workspace, vaultId])).rowCount ?? 0),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (ownsPool) await pool.end();
    },
  };
}
