/**
 * The `vault_credentials` row the SQL credential stores (SQLite and PostgreSQL) read, and how it
 * becomes a `CredentialRecord`. Both stores use the same columns; JSON fields are text (PostgreSQL's
 * jsonb would reorder keys), and `sealed` is the ciphertext the credential vault made.
 */
import type { CredentialRecord } from '../protocol/credentials.js';

/** A `vault_credentials` row. */
export interface CredentialRow {
  id: string;
  vault_id: string;
  workspace: string;
  display_name: string | null;
  metadata: string;
  auth: string;
  sealed: string;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

/** The columns of a `CredentialRow`, in order. */
export const credentialColumns = 'id, vault_id, workspace, display_name, metadata, auth, sealed, created_at, updated_at, archived_at';

/**
 * A row as the contract returns it.
 *
 * @example
 * const record = rowToCredential(statement.get(workspace, id));
 */
export function rowToCredential(row: CredentialRow): CredentialRecord {
  return {
    id: row.id,
    vaultId: row.vault_id,
    workspace: row.workspace,
    displayName: row.display_name,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    auth: JSON.parse(row.auth) as Record<string, unknown>,
    sealed: row.sealed,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    archivedAt: row.archived_at,
  };
}
