/**
 * The one conformance suite every resource store runs (memory, SQLite). Each case is behaviour a
 * server relies on: a key found by its hash and refused once revoked, every version of a resource
 * kept, a stale update refused, listings that page through everything exactly once, and one
 * workspace never seeing another's resources.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createId } from '../../src/protocol/ids.js';
import type { ResourceRecord, ResourceStore } from '../../src/protocol/resources.js';
import type { StoreConformanceInit } from './store-conformance-init.js';

/** How a resource store joins this suite. */
export type ResourceStoreConformanceInit<S extends ResourceStore = ResourceStore> = StoreConformanceInit<S>;

const baseTime = Date.parse('2025-01-01T00:00:00.000Z');

function time(seconds: number): string {
  return new Date(baseTime + seconds * 1000).toISOString();
}

async function collectAll(list: (cursor: string | undefined) => Promise<{ items: ResourceRecord[]; nextCursor: string | null }>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await list(cursor);
    pages += 1;
    ids.push(...page.items.map((item) => `${item.id}@${item.version}`));
    if (page.nextCursor === null) return { ids, pages };
    cursor = page.nextCursor;
    if (pages > 1000) throw new Error('paging did not end');
  }
}

/**
 * Registers the resource store conformance suite for one store.
 *
 * @example
 * describeResourceStoreConformance({
 *   name: 'memory',
 *   create: async () => createMemoryResourceStore(),
 *   destroy: (store) => store.close(),
 *   capabilities: {},
 * });
 */
export function describeResourceStoreConformance<S extends ResourceStore>(init: ResourceStoreConformanceInit<S>): void {
  describe(`resource store conformance: ${init.name}`, () => {
    let store: S;

    beforeEach(async () => {
      store = await init.create();
    });

    afterEach(async () => {
      await init.destroy(store);
    });

    describe('API keys', () => {
      it('finds a key by its hash, lists keys without secrets, and keeps the first revocation time', async () => {
        const created = await store.createKey({ id: createId('apiKey'), workspace: 'team-a', name: 'laptop', prefix: 'ck_abcdefghi', hash: 'a'.repeat(64), createdAt: time(1) });
        expect(created).toMatchObject({ workspace: 'team-a', name: 'laptop', prefix: 'ck_abcdefghi', hash: 'a'.repeat(64), lastUsedAt: null, revokedAt: null });
        expect(created.createdAt).toBe(time(1));
        await store.createKey({ id: createId('apiKey'), workspace: 'team-b', prefix: 'ck_zzzzzzzzz', hash: 'b'.repeat(64), createdAt: time(2) });

        expect(await store.findKeyByHash('a'.repeat(64))).toEqual(created);
        expect(await store.findKeyByHash('c'.repeat(64))).toBeUndefined();
        expect((await store.listKeys()).map((key) => key.workspace)).toEqual(['team-a', 'team-b']);
        expect((await store.listKeys('team-b')).map((key) => key.name)).toEqual([null]);

        const revoked = await store.revokeKey(created.id);
        expect(revoked?.revokedAt).not.toBeNull();
        const again = await store.revokeKey(created.id);
        expect(again?.revokedAt).toBe(revoked?.revokedAt);
        expect((await store.findKeyByHash('a'.repeat(64)))?.revokedAt).toBe(revoked?.revokedAt);
        expect(await store.revokeKey('key_unknown')).toBeUndefined();
      });

      it('refuses a second key with the same secret hash', async () => {
        await store.createKey({ id: createId('apiKey'), workspace: 'w', prefix: 'ck_1', hash: 'd'.repeat(64) });
        await expect(store.createKey({ id: createId('apiKey'), workspace: 'w', prefix: 'ck_2', hash: 'd'.repeat(64) })).rejects.toMatchObject({ code: 'store_conflict' });
      });

      it('records when a key was last used', async (context) => {
        if (store.touchKey === undefined) return context.skip('this store does not track key use');
        const created = await store.createKey({ id: createId('apiKey'), workspace: 'w', prefix: 'ck_1', hash: 'e'.repeat(64) });
        await store.touchKey(created.id, time(5));
        expect((await store.findKeyByHash('e'.repeat(64)))?.lastUsedAt).toBe(time(5));
      });
    });

    describe('versioned resources', () => {
      it('keeps every version and returns the latest by default', async () => {
        const id = createId('agent');
        const first = await store.createResource({ kind: 'agent', id, workspace: 'w', body: { name: 'one', tags: ['a'] } });
        expect(first).toMatchObject({ kind: 'agent', id, workspace: 'w', version: 1, body: { name: 'one', tags: ['a'] }, archivedAt: null });
        expect(first.updatedAt).toBe(first.createdAt);

        const second = await store.updateResource('agent', 'w', id, { name: 'two' });
        const third = await store.updateResource('agent', 'w', id, { name: 'three' }, 2);
        expect([second.version, third.version]).toEqual([2, 3]);
        expect(third.createdAt).toBe(first.createdAt);
        expect(third.updatedAt >= first.updatedAt).toBe(true);

        expect((await store.getResource('agent', 'w', id))?.body).toEqual({ name: 'three' });
        expect((await store.getResource('agent', 'w', id, 1))?.body).toEqual({ name: 'one', tags: ['a'] });
        expect((await store.getResource('agent', 'w', id, 2))?.version).toBe(2);
        expect(await store.getResource('agent', 'w', id, 4)).toBeUndefined();
        expect(await store.getResource('environment', 'w', id)).toBeUndefined();
      });

      it('returns copies: changing a returned body does not change what is stored', async () => {
        const id = createId('agent');
        const created = await store.createResource({ kind: 'agent', id, workspace: 'w', body: { list: [1] } });
        (created.body['list'] as number[]).push(2);
        expect((await store.getResource('agent', 'w', id))?.body).toEqual({ list: [1] });
      });

      it('refuses an update based on a stale version with version_conflict, and writes nothing', async () => {
        const id = createId('agent');
        await store.createResource({ kind: 'agent', id, workspace: 'w', body: { n: 1 } });
        await store.updateResource('agent', 'w', id, { n: 2 }, 1);
        await expect(store.updateResource('agent', 'w', id, { n: 3 }, 1)).rejects.toMatchObject({ code: 'version_conflict' });
        expect((await store.getResource('agent', 'w', id))?.version).toBe(2);
        await expect(store.updateResource('agent', 'w', 'agent_missing', { n: 1 })).rejects.toMatchObject({ code: 'not_found' });
      });

      it('refuses a second resource with the same id', async () => {
        const id = createId('environment');
        await store.createResource({ kind: 'environment', id, workspace: 'w', body: {} });
        await expect(store.createResource({ kind: 'environment', id, workspace: 'other', body: {} })).rejects.toMatchObject({ code: 'store_conflict' });
      });

      it('archives without a new version, idempotently, and refuses later updates', async () => {
        const id = createId('environment');
        await store.createResource({ kind: 'environment', id, workspace: 'w', body: { name: 'e' } });
        const archived = await store.archiveResource('environment', 'w', id);
        expect(archived.version).toBe(1);
        expect(archived.archivedAt).not.toBeNull();
        expect((await store.archiveResource('environment', 'w', id)).archivedAt).toBe(archived.archivedAt);
        expect((await store.getResource('environment', 'w', id))?.archivedAt).toBe(archived.archivedAt);
        await expect(store.updateResource('environment', 'w', id, { name: 'f' })).rejects.toMatchObject({ code: 'invalid_argument' });
        await expect(store.archiveResource('environment', 'w', 'env_missing')).rejects.toMatchObject({ code: 'not_found' });
      });

      it('deletes a resource with all its versions', async () => {
        const id = createId('environment');
        await store.createResource({ kind: 'environment', id, workspace: 'w', body: { n: 1 } });
        await store.updateResource('environment', 'w', id, { n: 2 });
        expect(await store.deleteResource('environment', 'w', id)).toBe(true);
        expect(await store.getResource('environment', 'w', id)).toBeUndefined();
        expect(await store.getResource('environment', 'w', id, 1)).toBeUndefined();
        expect(await store.deleteResource('environment', 'w', id)).toBe(false);
        await expect(store.listVersions('environment', 'w', id)).rejects.toMatchObject({ code: 'not_found' });
        // The id can be used again afterwards, starting at version 1.
        expect((await store.createResource({ kind: 'environment', id, workspace: 'w', body: {} })).version).toBe(1);
      });
    });

    describe('workspace isolation', () => {
      it("never shows, changes, archives or deletes another workspace's resource", async () => {
        const id = createId('agent');
        await store.createResource({ kind: 'agent', id, workspace: 'team-a', body: { name: 'mine' } });
        expect(await store.getResource('agent', 'team-b', id)).toBeUndefined();
        expect(await store.getResource('agent', 'team-b', id, 1)).toBeUndefined();
        await expect(store.updateResource('agent', 'team-b', id, { name: 'theirs' })).rejects.toMatchObject({ code: 'not_found' });
        await expect(store.archiveResource('agent', 'team-b', id)).rejects.toMatchObject({ code: 'not_found' });
        await expect(store.listVersions('agent', 'team-b', id)).rejects.toMatchObject({ code: 'not_found' });
        expect(await store.deleteResource('agent', 'team-b', id)).toBe(false);
        expect((await store.listResources('agent', 'team-b')).items).toEqual([]);
        const untouched = await store.getResource('agent', 'team-a', id);
        expect(untouched).toMatchObject({ version: 1, archivedAt: null, body: { name: 'mine' } });
      });
    });

    describe('listing', () => {
      it('pages through every resource exactly once, newest first, even when many share a creation time', async () => {
        const created: Array<{ id: string; createdAt: string }> = [];
        for (let index = 0; index < 23; index += 1) {
          // Groups of three share a timestamp, so order within a group comes from the id alone.
          const createdAt = time(Math.floor(index / 3));
          const id = createId('agent');
          await store.createResource({ kind: 'agent', id, workspace: 'w', body: { index }, createdAt });
          created.push({ id, createdAt });
        }
        await store.createResource({ kind: 'environment', id: createId('environment'), workspace: 'w', body: {} });
        await store.createResource({ kind: 'agent', id: createId('agent'), workspace: 'elsewhere', body: {} });
        const expected = [...created]
          .sort((left, right) => (left.createdAt === right.createdAt ? (left.id < right.id ? 1 : -1) : left.createdAt < right.createdAt ? 1 : -1))
          .map((item) => `${item.id}@1`);

        for (const limit of [1, 4, 5, 23, 100]) {
          const { ids, pages } = await collectAll((cursor) => store.listResources('agent', 'w', { limit, ...(cursor !== undefined ? { cursor } : {}) }));
          expect(ids, `limit ${limit}`).toEqual(expected);
          expect(pages, `limit ${limit}`).toBe(Math.max(1, Math.ceil(23 / limit)));
        }
      });

      it('lists the latest version of each resource', async () => {
        const id = createId('agent');
        await store.createResource({ kind: 'agent', id, workspace: 'w', body: { n: 1 } });
        await store.updateResource('agent', 'w', id, { n: 2 });
        const page = await store.listResources('agent', 'w');
        expect(page.items.map((item) => [item.version, item.body])).toEqual([[2, { n: 2 }]]);
        expect(page.nextCursor).toBeNull();
      });

      it('keeps paging consistent when resources are created between pages', async () => {
        for (let index = 0; index < 6; index += 1) await store.createResource({ kind: 'agent', id: createId('agent'), workspace: 'w', body: { index }, createdAt: time(index) });
        const first = await store.listResources('agent', 'w', { limit: 3 });
        await store.createResource({ kind: 'agent', id: createId('agent'), workspace: 'w', body: { index: 99 }, createdAt: time(100) });
        const second = await store.listResources('agent', 'w', { limit: 3, cursor: first.nextCursor as string });
        expect([...first.items, ...second.items].map((item) => item.body['index'])).toEqual([5, 4, 3, 2, 1, 0]);
        expect(second.nextCursor).toBeNull();
      });

      it('hides archived resources unless asked, and filters by creation time (bounds included)', async () => {
        const ids: string[] = [];
        for (let index = 0; index < 5; index += 1) {
          const id = createId('environment');
          ids.push(id);
          await store.createResource({ kind: 'environment', id, workspace: 'w', body: { index }, createdAt: time(index * 60) });
        }
        await store.archiveResource('environment', 'w', ids[1] as string);
        const indexes = async (options: Parameters<ResourceStore['listResources']>[2]) =>
          (await store.listResources('environment', 'w', options)).items.map((item) => item.body['index']);
        expect(await indexes({})).toEqual([4, 3, 2, 0]);
        expect(await indexes({ includeArchived: true })).toEqual([4, 3, 2, 1, 0]);
        expect(await indexes({ includeArchived: true, createdGte: time(60), createdLte: time(180) })).toEqual([3, 2, 1]);
        // Times in another spelling of the same instant compare equal.
        expect(await indexes({ createdGte: '2025-01-01T01:03:00+01:00' })).toEqual([4, 3]);
        expect(await indexes({ createdLte: '2025-01-01T00:02:00Z' })).toEqual([2, 0]);
      });

      it('refuses a cursor it did not make', async () => {
        await expect(store.listResources('agent', 'w', { cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'invalid_argument' });
        await expect(store.listResources('agent', 'w', { limit: 0 })).rejects.toMatchObject({ code: 'invalid_argument' });
      });

      it('pages through versions newest first', async () => {
        const id = createId('agent');
        await store.createResource({ kind: 'agent', id, workspace: 'w', body: { n: 1 } });
        for (let version = 2; version <= 7; version += 1) await store.updateResource('agent', 'w', id, { n: version }, version - 1);
        const { ids, pages } = await collectAll((cursor) => store.listVersions('agent', 'w', id, { limit: 3, ...(cursor !== undefined ? { cursor } : {}) }));
        expect(ids).toEqual([7, 6, 5, 4, 3, 2, 1].map((version) => `${id}@${version}`));
        expect(pages).toBe(3);
        const all = await store.listVersions('agent', 'w', id, { limit: 7 });
        expect(all.items.map((item) => item.body['n'])).toEqual([7, 6, 5, 4, 3, 2, 1]);
        expect(all.nextCursor).toBeNull();
      });
    });

    const reopenTitle = 'keeps keys, versions and archive state across reopening';
    (init.capabilities.reopen === undefined ? it.skip : it)(
      init.capabilities.reopen === undefined ? `${reopenTitle} (skipped: this store is not durable)` : reopenTitle,
      async () => {
        const id = createId('agent');
        await store.createKey({ id: createId('apiKey'), workspace: 'w', prefix: 'ck_1', hash: 'f'.repeat(64) });
        await store.createResource({ kind: 'agent', id, workspace: 'w', body: { n: 1 } });
        await store.updateResource('agent', 'w', id, { n: 2 });
        await store.archiveResource('agent', 'w', id);
        const reopened = await (init.capabilities.reopen as (store: S) => Promise<S>)(store);
        try {
          expect((await reopened.findKeyByHash('f'.repeat(64)))?.workspace).toBe('w');
          expect(await reopened.getResource('agent', 'w', id)).toMatchObject({ version: 2, body: { n: 2 } });
          expect((await reopened.getResource('agent', 'w', id))?.archivedAt).not.toBeNull();
          expect((await reopened.getResource('agent', 'w', id, 1))?.body).toEqual({ n: 1 });
        } finally {
          await reopened.close();
        }
      },
    );
  });
}
