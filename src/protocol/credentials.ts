/**
 * The credential store contract: the credentials of the Managed Agents vaults, scoped by workspace
 * and vault. A credential has public fields (what the API returns: the auth type, the MCP server
 * URL, display name, metadata) and a sealed part — the secret values, encrypted before they reach
 * the store (`src/vault/credential-vault.ts`), so no store ever holds a secret in plain text.
 * Types only; the memory, SQLite and PostgreSQL stores in `src/store/` implement it.
 */

/** A credential as stored. */
export interface CredentialRecord {
  /** `vcrd_…`. */
  id: string;
  /** `vlt_…`: the vault it belongs to. */
  vaultId: string;
  workspace: string;
  displayName: string | null;
  metadata: Record<string, string>;
  /** The public auth fields as the API returns them (`{ type: 'static_bearer', mcp_server_url }`). */
  auth: Record<string, unknown>;
  /** The secret values, sealed (opaque text; only the credential vault can open it). */
  sealed: string;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
}

/** What `createCredential` needs; the caller makes the id and seals the secrets. */
export interface NewCredential {
  id: string;
  vaultId: string;
  workspace: string;
  displayName: string | null;
  metadata: Record<string, string>;
  auth: Record<string, unknown>;
  sealed: string;
  /** Default: now. */
  createdAt?: string;
}

/** The fields an update replaces (each one absent keeps its value). */
export interface CredentialChanges {
  displayName?: string | null;
  metadata?: Record<string, string>;
  auth?: Record<string, unknown>;
  sealed?: string;
  /** Default: now. */
  updatedAt?: string;
}

export interface ListCredentialsOptions {
  /** Page size, at least 1. Default 20. */
  limit?: number;
  /** `nextCursor` of the previous page; opaque. */
  cursor?: string;
  /** Whether archived credentials are listed too. Default false. */
  includeArchived?: boolean;
}

/** One page of credentials, newest first; `nextCursor` is null on the last page. */
export interface CredentialPage {
  items: CredentialRecord[];
  nextCursor: string | null;
}

/**
 * Credentials. A lookup with another workspace (or another vault) behaves exactly as if the
 * credential did not exist. Failures are `ConclaveError`s: `not_found` for an unknown credential on
 * write, `store_conflict` for a taken id, `invalid_argument` for a bad cursor, `store_error` for the
 * storage itself.
 */
export interface CredentialStore {
  readonly specificationVersion: 'v1';
  /** `memory`, `sqlite`, `postgres`. */
  readonly kind: string;

  createCredential(credential: NewCredential): Promise<CredentialRecord>;
  /** The credential of `workspace` with this id, in any vault. */
  getCredential(workspace: string, id: string): Promise<CredentialRecord | undefined>;
  updateCredential(workspace: string, id: string, changes: CredentialChanges): Promise<CredentialRecord>;
  /** Sets `archivedAt` (idempotent: the first time is kept) and returns the credential. */
  archiveCredential(workspace: string, id: string, at?: string): Promise<CredentialRecord>;
  /** False when there was nothing to delete. */
  deleteCredential(workspace: string, id: string): Promise<boolean>;
  /** The credentials of one vault, newest first (createdAt desc, then id desc). */
  listCredentials(workspace: string, vaultId: string, options?: ListCredentialsOptions): Promise<CredentialPage>;
  /** Removes every credential of a vault (when the vault is deleted); how many there were. */
  deleteVaultCredentials(workspace: string, vaultId: string): Promise<number>;

  close(): Promise<void>;
}
