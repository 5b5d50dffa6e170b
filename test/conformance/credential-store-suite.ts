/**
 * The one conformance suite every credential store runs (memory, SQLite, PostgreSQL): what the
 * vault credential API relies on — records come back as stored, updates change only what they
 * name, archiving is idempotent, listings page through a vault exactly once and newest first, and
 * one workspace (or vault) never sees another's credentials.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CredentialStore, NewCredential } from '../../src/protocol/credentials.js';
import { createId } from '../../src/protocol/ids.js';
import type { StoreConformanceInit } from './store-conformance-init.js';

/** How a credential store joins this suite. */
export type CredentialStoreConformanceInit<S extends CredentialStore = CredentialStore> = StoreConformanceInit<S>;

const baseTime = Date.parse('2025-01-01T00:00:00.000Z');

function credential(overrides: Partial<NewCredential> = {}): NewCredential {
  return {
    id: createId('credential'),
    vaultId: 'vlt_one',
    workspace: 'team-a',
    displayName: 'GitHub',
    metadata: { team: 'infra' },
    auth: { type: 'static_bearer', mcp_server_url: 'https://mcp.example.com/mcp' },
    sealed: '{"iv":"a","data":"b","tag":"c"}',
    ...overrides,
  };
}

/**
 * Registers the credential store conformance suite for one store.
 *
 * @example
 * describeCredentialStoreConformance({ name: 'memory', create: async () => createMemoryCredentialStore(), destroy: (store) => store.close(), capabilities: {} });
 */
export function describeCredentialStoreConformance<S extends CredentialStore>(init: CredentialStoreConformanceInit<S>): void {
  describe(`credential store conformance: ${init.name}`, () => {
    let store: S;

    beforeEach(async () => {
      store = await init.create();
    });
    afterEach(async () => {
      await init.destroy(store);
    });

    it('returns a credential as it was stored, and nothing for another workspace', async () => {
      const created = await store.createCredential(credential({ id: 'vcrd_a', createdAt: new Date(baseTime).toISOString() }));
      expect(created).toEqual({
        id: 'vcrd_a',
        vaultId: 'vlt_one',
        workspace: 'team-a',
        displayName: 'GitHub',
        metadata: { team: 'infra' },
        auth: { type: 'static_bearer', mcp_server_url: 'https://mcp.example.com/mcp' },
        sealed: '{"iv":"a","data":"b","tag":"c"}',
        createdAt: '2025-01-01T00:00:00.000Z',
        updatedAt: '2025-01-01T00:00:00.000Z',
        archivedAt: null,
      });
      expect(await store.getCredential('team-a', 'vcrd_a')).toEqual(created);
      expect(await store.getCredential('team-b', 'vcrd_a')).toBeUndefined();
      await expect(store.updateCredential('team-b', 'vcrd_a', { displayName: 'x' })).rejects.toMatchObject({ code: 'not_found' });
      await expect(store.archiveCredential('team-b', 'vcrd_a')).rejects.toMatchObject({ code: 'not_found' });
      expect(await store.deleteCredential('team-b', 'vcrd_a')).toBe(false);
      expect(await store.getCredential('team-a', 'vcrd_a')).toEqual(created);
    });

    it('refuses a taken id', async () => {
      await store.createCredential(credential({ id: 'vcrd_same' }));
      await expect(store.createCredential(credential({ id: 'vcrd_same', workspace: 'team-b' }))).rejects.toMatchObject({ code: 'store_conflict' });
    });

    it('updates only the fields named, and archives once', async () => {
      await store.createCredential(credential({ id: 'vcrd_u' }));
      const renamed = await store.updateCredential('team-a', 'vcrd_u', { displayName: null, updatedAt: '2025-02-01T00:00:00.000Z' });
      expect(renamed).toMatchObject({ displayName: null, metadata: { team: 'infra' }, sealed: '{"iv":"a","data":"b","tag":"c"}', updatedAt: '2025-02-01T00:00:00.000Z' });
      const resealed = await store.updateCredential('team-a', 'vcrd_u', { sealed: 'new', auth: { type: 'mcp_oauth', mcp_server_url: 'https://x', expires_at: null }, metadata: {} });
      expect(resealed).toMatchObject({ displayName: null, sealed: 'new', auth: { type: 'mcp_oauth', mcp_server_url: 'https://x', expires_at: null }, metadata: {} });
      const archived = await store.archiveCredential('team-a', 'vcrd_u', '2025-03-01T00:00:00.000Z');
      expect(archived.archivedAt).toBe('2025-03-01T00:00:00.000Z');
      expect((await store.archiveCredential('team-a', 'vcrd_u', '2025-04-01T00:00:00.000Z')).archivedAt).toBe('2025-03-01T00:00:00.000Z');
      expect(await store.deleteCredential('team-a', 'vcrd_u')).toBe(true);
      expect(await store.getCredential('team-a', 'vcrd_u')).toBeUndefined();
      expect(await store.deleteCredential('team-a', 'vcrd_u')).toBe(false);
    });

    it('lists one vault newest first, page by page, archived only when asked', async () => {
      const ids: string[] = [];
      for (let index = 0; index < 7; index += 1) {
        const id = `vcrd_${String(index).padStart(2, '0')}`;
        ids.push(id);
        // Two share a creation time: the id breaks the tie.
        await store.createCredential(credential({ id, createdAt: new Date(baseTime + Math.min(index, 5) * 1000).toISOString() }));
      }
      await store.createCredential(credential({ id: 'vcrd_other_vault', vaultId: 'vlt_two' }));
      await store.createCredential(credential({ id: 'vcrd_other_team', workspace: 'team-b' }));
      await store.archiveCredential('team-a', 'vcrd_03');
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listCredentials('team-a', 'vlt_one', { limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor !== undefined && pages < 20);
      expect(seen).toEqual(['vcrd_06', 'vcrd_05', 'vcrd_04', 'vcrd_02', 'vcrd_01', 'vcrd_00']);
      const all = await store.listCredentials('team-a', 'vlt_one', { includeArchived: true, limit: 100 });
      expect(all.items.map((item) => item.id)).toEqual([...ids].reverse());
      expect(all.nextCursor).toBeNull();
      await expect(store.listCredentials('team-a', 'vlt_one', { cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'invalid_argument' });
    });

    it('deletes a vault’s credentials, and only those', async () => {
      await store.createCredential(credential({ id: 'vcrd_v1' }));
      await store.createCredential(credential({ id: 'vcrd_v2' }));
      await store.createCredential(credential({ id: 'vcrd_keep', vaultId: 'vlt_two' }));
      await store.createCredential(credential({ id: 'vcrd_keep_b', workspace: 'team-b' }));
      expect(await store.deleteVaultCredentials('team-a', 'vlt_one')).toBe(2);
      expect(await store.getCredential('team-a', 'vcrd_keep')).toBeDefined();
      expect(await store.getCredential('team-b', 'vcrd_keep_b')).toBeDefined();
      expect((await store.listCredentials('team-a', 'vlt_one')).items).toEqual([]);
    });

    it.skipIf(init.capabilities.reopen === undefined)('keeps credentials across instances', async () => {
      const created = await store.createCredential(credential({ id: 'vcrd_durable' }));
      const other = await (init.capabilities.reopen as (store: S) => Promise<S>)(store);
      try {
        expect(await other.getCredential('team-a', 'vcrd_durable')).toEqual(created);
      } finally {
        await other.close();
      }
    });
  });
}
