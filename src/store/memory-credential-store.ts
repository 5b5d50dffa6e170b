/**
 * The reference credential store: vault credentials in one process's memory (tests, `--db
 * :memory:`). The conformance suite holds the SQLite and PostgreSQL stores to its behaviour.
 * Records are copied in and out, so a caller can never change stored data through a reference.
 */
import { ConclaveError } from '../protocol/errors.js';
import type { CredentialChanges, CredentialPage, CredentialRecord, CredentialStore, ListCredentialsOptions, NewCredential } from '../protocol/credentials.js';
import { comesAfter, compareListingOrder, decodeResourceCursor, encodeResourceCursor, pageSize, resourceNotFound } from './resource-paging.js';

function copy(record: CredentialRecord): CredentialRecord {
  return { ...record, metadata: { ...record.metadata }, auth: structuredClone(record.auth) };
}

/**
 * Cuts credentials (in listing order, one more than a page when more exist) into a page.
 *
 * @example
 * const page = credentialPage(rows.map(rowToCredential), limit);
 */
export function credentialPage(candidates: CredentialRecord[], limit: number): CredentialPage {
  if (candidates.length <= limit) return { items: candidates, nextCursor: null };
  const items = candidates.slice(0, limit);
  return { items, nextCursor: encodeResourceCursor(items[items.length - 1] as CredentialRecord) };
}

/**
 * Creates an empty in-memory credential store.
 *
 * @example
 * const credentials = createMemoryCredentialStore();
 * await credentials.createCredential({ id: createId('credential'), vaultId, workspace: 'default', … });
 */
export function createMemoryCredentialStore(): CredentialStore {
  const credentials = new Map<string, CredentialRecord>();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new ConclaveError('store_error', 'the memory credential store is closed');
  }

  function find(workspace: string, id: string): CredentialRecord | undefined {
    const stored = credentials.get(id);
    return stored !== undefined && stored.workspace === workspace ? stored : undefined;
  }

  function existing(workspace: string, id: string): CredentialRecord {
    const stored = find(workspace, id);
    if (stored === undefined) throw resourceNotFound('credential', id);
    return stored;
  }

  return {
    specificationVersion: 'v1',
    kind: 'memory',

    async createCredential(credential: NewCredential): Promise<CredentialRecord> {
      assertOpen();
      if (credentials.has(credential.id)) throw new ConclaveError('store_conflict', `a credential with id ${credential.id} already exists`);
      const createdAt = credential.createdAt ?? new Date().toISOString();
      const record: CredentialRecord = {
        id: credential.id,
        vaultId: credential.vaultId,
        workspace: credential.workspace,
        displayName: credential.displayName,
        metadata: { ...credential.metadata },
        auth: structuredClone(credential.auth),
        sealed: credential.sealed,
        createdAt,
        updatedAt: createdAt,
        archivedAt: null,
      };
      credentials.set(record.id, record);
      return copy(record);
    },

    async getCredential(workspace: string, id: string): Promise<CredentialRecord | undefined> {
      assertOpen();
      const stored = find(workspace, id);
      return stored === undefined ? undefined : copy(stored);
    },

    async updateCredential(workspace: string, id: string, changes: CredentialChanges): Promise<CredentialRecord> {
      assertOpen();
      const stored = existing(workspace, id);
      if (changes.displayName !== undefined) stored.displayName = changes.displayName;
      if (changes.metadata !== undefined) stored.metadata = { ...changes.metadata };
      if (changes.auth !== undefined) stored.auth = structuredClone(changes.auth);
      if (changes.sealed !== undefined) stored.sealed = changes.sealed;
      stored.updatedAt = changes.updatedAt ?? new Date().toISOString();
      return copy(stored);
    },

    async archiveCredential(workspace: string, id: string, at: string = new Date().toISOString()): Promise<CredentialRecord> {
      assertOpen();
      const stored = existing(workspace, id);
      stored.archivedAt ??= at;
      return copy(stored);
    },

    async deleteCredential(workspace: string, id: string): Promise<boolean> {
      assertOpen();
      return find(workspace, id) !== undefined && credentials.delete(id);
    },

    async listCredentials(workspace: string, vaultId: string, options: ListCredentialsOptions = {}): Promise<CredentialPage> {
      assertOpen();
      const limit = pageSize(options.limit);
      const after = options.cursor === undefined ? undefined : decodeResourceCursor(options.cursor);
      const candidates = [...credentials.values()]
        .filter((record) => record.workspace === workspace && record.vaultId === vaultId)
        .filter((record) => options.includeArchived === true || record.archivedAt === null)
        .filter((record) => after === undefined || comesAfter(record, after))
        .sort(compareListingOrder)
        .slice(0, limit + 1)
        .map(copy);
      return credentialPage(candidates, limit);
    },

    async deleteVaultCredentials(workspace: string, vaultId: string): Promise<number> {
      assertOpen();
      let removed = 0;
      for (const record of [...credentials.values()]) {
        if (record.workspace === workspace && record.vaultId === vaultId && credentials.delete(record.id)) removed += 1;
      }
      return removed;
    },

    async close(): Promise<void> {
      closed = true;
    },
  };
}
