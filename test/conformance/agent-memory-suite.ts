/**
 * The one suite every agent memory store runs (in-process, SQLite, PostgreSQL): stores are created,
 * changed, archived (no more writes) and deleted with everything in them; every memory write adds
 * exactly one immutable version (none when it changes nothing), with its SHA-256 and author; the
 * SHA-256 preconditions and the path rules (no taken or overlapping path) hold; listings go in path
 * order, roll directories up at a depth and page through everything once; full-text search means
 * the same on every backend; and another workspace's store, memory or version does not exist.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createId } from '../../src/protocol/ids.js';
import type { AgentMemoryStore, MemoryListItem, MemoryRecord } from '../../src/memory/agent-memory-types.js';
import { MemoryPathConflictError } from '../../src/memory/memory-paths.js';
import type { StoreConformanceInit } from './store-conformance-init.js';

/** How an agent memory store joins this suite. */
export type AgentMemoryConformanceInit<S extends AgentMemoryStore = AgentMemoryStore> = StoreConformanceInit<S>;

const baseTime = Date.parse('2025-01-01T00:00:00.000Z');
const time = (seconds: number): string => new Date(baseTime + seconds * 1000).toISOString();
const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const version = (): { versionId: string } => ({ versionId: createId('memoryVersion') });
const paths = (items: MemoryListItem[]): string[] => items.map((item) => (item.type === 'memory' ? item.memory.path : `${item.path} (dir)`));

/**
 * Registers the agent memory conformance suite for one store.
 *
 * @example
 * describeAgentMemoryConformance({ name: 'memory', create: async () => createInProcessAgentMemoryStore(), destroy: (store) => store.close(), capabilities: {} });
 */
export function describeAgentMemoryConformance<S extends AgentMemoryStore>(init: AgentMemoryConformanceInit<S>): void {
  describe(`agent memory conformance: ${init.name}`, () => {
    let store: S;

    beforeEach(async () => {
      store = await init.create();
    });

    afterEach(async () => {
      await init.destroy(store);
    });

    async function newStore(workspace = 'a', name = 'notes', createdAt?: string): Promise<string> {
      const id = createId('memoryStore');
      await store.createStore({ id, workspace, name, description: `the ${name}`, metadata: { owner: 'ada' }, ...(createdAt !== undefined ? { createdAt } : {}) });
      return id;
    }

    async function write(storeId: string, path: string, content: string, workspace = 'a'): Promise<MemoryRecord> {
      return store.createMemory(workspace, storeId, { id: createId('memory'), path, content, ...version() });
    }

    describe('stores', () => {
      it('keeps what was created and finds it by id and by name', async () => {
        const id = createId('memoryStore');
        const created = await store.createStore({ id, workspace: 'a', name: 'prefs', description: 'What the user likes', metadata: { user: 'u1' }, createdAt: time(1) });
        expect(created).toEqual({ id, workspace: 'a', name: 'prefs', description: 'What the user likes', metadata: { user: 'u1' }, createdAt: time(1), updatedAt: time(1), archivedAt: null });
        expect(await store.getStore('a', id)).toEqual(created);
        expect(await store.findStoresByName('a', 'prefs')).toEqual([created]);
        expect(await store.findStoresByName('a', 'other')).toEqual([]);
        await expect(store.createStore({ id, workspace: 'a', name: 'again' })).rejects.toMatchObject({ code: 'store_conflict' });
        const bare = await store.createStore({ id: createId('memoryStore'), workspace: 'a', name: 'bare' });
        expect(bare).toMatchObject({ description: '', metadata: {} });
      });

      it('updates what a change names, and nothing once archived', async () => {
        const id = await newStore('a', 'notes', time(0));
        const updated = await store.updateStore('a', id, { description: 'Team notes', metadata: { owner: 'bo' }, updatedAt: time(5) });
        expect(updated).toMatchObject({ name: 'notes', description: 'Team notes', metadata: { owner: 'bo' }, createdAt: time(0), updatedAt: time(5) });
        const archived = await store.archiveStore('a', id, time(9));
        expect(archived).toMatchObject({ archivedAt: time(9), updatedAt: time(9) });
        expect((await store.archiveStore('a', id, time(20))).archivedAt).toBe(time(9));
        await expect(store.updateStore('a', id, { name: 'x' })).rejects.toMatchObject({ code: 'invalid_argument' });
      });

      it('lists newest first, pages through every store once, and leaves archived ones out unless asked', async () => {
        const ids: string[] = [];
        for (let index = 0; index < 5; index += 1) ids.push(await newStore('a', `s${index}`, time(index)));
        await newStore('b', 'elsewhere', time(3));
        await store.archiveStore('a', ids[1] as string);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 10; pages += 1) {
          const page = await store.listStores('a', { limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
          seen.push(...page.items.map((item) => item.name));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(seen).toEqual(['s4', 's3', 's2', 's0']);
        expect((await store.listStores('a', { includeArchived: true })).items.map((item) => item.name)).toEqual(['s4', 's3', 's2', 's1', 's0']);
        expect((await store.listStores('a', { createdGte: time(2), createdLte: '2025-01-01T00:00:03Z' })).items.map((item) => item.name)).toEqual(['s3', 's2']);
        await expect(store.listStores('a', { cursor: 'nope' })).rejects.toMatchObject({ code: 'invalid_argument' });
      });

      it('deletes a store with its memories and versions', async () => {
        const id = await newStore();
        const memory = await write(id, '/a.md', 'alpha');
        expect(await store.deleteStore('a', id)).toBe(true);
        expect(await store.deleteStore('a', id)).toBe(false);
        expect(await store.getStore('a', id)).toBeUndefined();
        expect(await store.getMemory('a', id, memory.id)).toBeUndefined();
        expect(await store.getVersion('a', id, memory.versionId)).toBeUndefined();
        expect(await store.searchMemories('a', id, 'alpha')).toEqual([]);
        // The path is free again in a new store of the same name.
        const again = await newStore();
        await write(again, '/a.md', 'alpha');
      });

      it('hides another workspace’s stores, memories and versions', async () => {
        const id = await newStore('a');
        const memory = await write(id, '/secret.md', 'the launch code');
        expect(await store.getStore('b', id)).toBeUndefined();
        expect(await store.findStoresByName('b', 'notes')).toEqual([]);
        expect(await store.getMemory('b', id, memory.id)).toBeUndefined();
        expect(await store.getMemoryByPath('b', id, '/secret.md')).toBeUndefined();
        expect((await store.listMemories('b', id)).items).toEqual([]);
        expect(await store.searchMemories('b', id, 'launch')).toEqual([]);
        expect(await store.getVersion('b', id, memory.versionId)).toBeUndefined();
        expect((await store.listVersions('b', id)).items).toEqual([]);
        await expect(store.createMemory('b', id, { id: createId('memory'), path: '/x', content: 'x', ...version() })).rejects.toMatchObject({ code: 'not_found' });
        await expect(store.updateMemory('b', id, memory.id, { content: 'stolen', ...version() })).rejects.toMatchObject({ code: 'not_found' });
        await expect(store.deleteMemory('b', id, memory.id, version())).rejects.toMatchObject({ code: 'not_found' });
        await expect(store.updateStore('b', id, { name: 'mine' })).rejects.toMatchObject({ code: 'not_found' });
        await expect(store.archiveStore('b', id)).rejects.toMatchObject({ code: 'not_found' });
        await expect(store.redactVersion('b', id, memory.versionId)).rejects.toMatchObject({ code: 'not_found' });
        expect(await store.deleteStore('b', id)).toBe(false);
        expect((await store.getMemory('a', id, memory.id))?.content).toBe('the launch code');
      });
    });

    describe('memories and versions', () => {
      it('creates a memory with its hash, size and first version', async () => {
        const id = await newStore();
        const versionId = createId('memoryVersion');
        const memory = await store.createMemory('a', id, { id: createId('memory'), path: '/projects/café.md', content: 'Grüße', versionId, actor: { type: 'api_actor', api_key_id: 'key_1' }, at: time(3) });
        expect(memory).toMatchObject({ storeId: id, path: '/projects/café.md', content: 'Grüße', contentSha256: sha('Grüße'), sizeBytes: 7, versionId, createdAt: time(3), updatedAt: time(3) });
        expect(await store.getMemory('a', id, memory.id)).toEqual(memory);
        expect(await store.getMemoryByPath('a', id, '/projects/café.md')).toEqual(memory);
        expect(await store.getVersion('a', id, versionId)).toEqual({
          id: versionId,
          storeId: id,
          memoryId: memory.id,
          operation: 'created',
          path: '/projects/café.md',
          content: 'Grüße',
          contentSha256: sha('Grüße'),
          sizeBytes: 7,
          createdAt: time(3),
          createdBy: { type: 'api_actor', api_key_id: 'key_1' },
          redactedAt: null,
          redactedBy: null,
        });
        const empty = await write(id, '/empty', '');
        expect(empty).toMatchObject({ content: '', sizeBytes: 0, contentSha256: sha('') });
      });

      it('adds a version for each change, none for a change that changes nothing', async () => {
        const id = await newStore();
        const memory = await write(id, '/todo.md', 'one');
        const changed = await store.updateMemory('a', id, memory.id, { content: 'two', at: time(8), actor: { type: 'session_actor', session_id: 'sesn_1' }, ...version() });
        expect(changed).toMatchObject({ id: memory.id, content: 'two', contentSha256: sha('two'), updatedAt: time(8), createdAt: memory.createdAt });
        expect(changed.versionId).not.toBe(memory.versionId);
        const same = await store.updateMemory('a', id, memory.id, { content: 'two', ...version() });
        expect(same).toEqual(changed);
        const renamed = await store.updateMemory('a', id, memory.id, { path: '/done/todo.md', ...version() });
        expect(renamed).toMatchObject({ id: memory.id, path: '/done/todo.md', content: 'two' });
        expect(await store.getMemoryByPath('a', id, '/todo.md')).toBeUndefined();
        const history = (await store.listVersions('a', id, { memoryId: memory.id })).items;
        expect(history.map((item) => [item.operation, item.path, item.content])).toEqual([
          ['modified', '/done/todo.md', 'two'],
          ['modified', '/todo.md', 'two'],
          ['created', '/todo.md', 'one'],
        ]);
        expect(history[0]?.id).toBe(renamed.versionId);
        expect(history[1]?.createdBy).toEqual({ type: 'session_actor', session_id: 'sesn_1' });
      });

      it('holds the SHA-256 preconditions of update and delete', async () => {
        const id = await newStore();
        const memory = await write(id, '/plan.md', 'v1');
        await expect(store.updateMemory('a', id, memory.id, { content: 'v2', expectedSha256: sha('stale'), ...version() })).rejects.toMatchObject({ code: 'version_conflict' });
        // Already exactly what was asked for: succeeds though the hash differs, without a version.
        expect(await store.updateMemory('a', id, memory.id, { content: 'v1', expectedSha256: sha('stale'), ...version() })).toEqual(memory);
        const updated = await store.updateMemory('a', id, memory.id, { content: 'v2', expectedSha256: sha('v1'), ...version() });
        expect(updated.content).toBe('v2');
        await expect(store.deleteMemory('a', id, memory.id, { expectedSha256: sha('v1'), ...version() })).rejects.toMatchObject({ code: 'version_conflict' });
        expect((await store.getMemory('a', id, memory.id))?.content).toBe('v2');
        expect(await store.deleteMemory('a', id, memory.id, { expectedSha256: sha('v2'), ...version() })).toBe(true);
        expect((await store.listVersions('a', id)).items).toHaveLength(3);
      });

      it('deletes a memory, keeping its versions and recording the deletion', async () => {
        const id = await newStore();
        const memory = await write(id, '/gone.md', 'bye');
        const deletion = version();
        expect(await store.deleteMemory('a', id, memory.id, { ...deletion, at: time(30), actor: { type: 'api_actor', api_key_id: 'key_9' } })).toBe(true);
        expect(await store.deleteMemory('a', id, memory.id, version())).toBe(false);
        expect(await store.getMemory('a', id, memory.id)).toBeUndefined();
        expect(await store.getVersion('a', id, deletion.versionId)).toMatchObject({ operation: 'deleted', memoryId: memory.id, path: '/gone.md', content: null, contentSha256: null, sizeBytes: null, createdAt: time(30) });
        expect((await store.getVersion('a', id, memory.versionId))?.content).toBe('bye');
        await expect(store.updateMemory('a', id, memory.id, { content: 'x', ...version() })).rejects.toMatchObject({ code: 'not_found' });
        // The path is free again.
        await write(id, '/gone.md', 'back');
      });

      it('refuses a taken or overlapping path, on create and on rename', async () => {
        const id = await newStore();
        const notes = await write(id, '/notes', 'a file where a directory would go');
        const todo = await write(id, '/todo/today.md', 'x');
        const taken = await store.createMemory('a', id, { id: createId('memory'), path: '/notes', content: 'y', ...version() }).catch((error: unknown) => error);
        expect(taken).toBeInstanceOf(MemoryPathConflictError);
        expect(taken).toMatchObject({ code: 'store_conflict', conflictingPath: '/notes', conflictingMemoryId: notes.id });
        await expect(store.createMemory('a', id, { id: createId('memory'), path: '/notes/inner.md', content: 'y', ...version() })).rejects.toMatchObject({ conflictingPath: '/notes', conflictingMemoryId: notes.id });
        await expect(store.createMemory('a', id, { id: createId('memory'), path: '/todo', content: 'y', ...version() })).rejects.toMatchObject({ conflictingPath: '/todo/today.md', conflictingMemoryId: todo.id });
        await expect(store.updateMemory('a', id, todo.id, { path: '/notes/today.md', ...version() })).rejects.toMatchObject({ conflictingMemoryId: notes.id });
        // Siblings that share a prefix but not a segment do not overlap.
        await write(id, '/notes.md', 'fine');
        await write(id, '/todo-archive/x.md', 'fine');
        // A rename onto its own descendant's parent path is still checked against others only.
        expect((await store.updateMemory('a', id, todo.id, { path: '/todo/tomorrow.md', ...version() })).path).toBe('/todo/tomorrow.md');
        expect((await store.listVersions('a', id)).items).toHaveLength(5);
      });

      it('takes no writes in an archived store but still reads and deletes', async () => {
        const id = await newStore();
        const memory = await write(id, '/kept.md', 'kept');
        await store.archiveStore('a', id);
        await expect(write(id, '/new.md', 'no')).rejects.toMatchObject({ code: 'invalid_argument' });
        await expect(store.updateMemory('a', id, memory.id, { content: 'no', ...version() })).rejects.toMatchObject({ code: 'invalid_argument' });
        expect((await store.getMemory('a', id, memory.id))?.content).toBe('kept');
        expect((await store.searchMemories('a', id, 'kept')).map((hit) => hit.memory.id)).toEqual([memory.id]);
        expect(await store.deleteMemory('a', id, memory.id, version())).toBe(true);
      });

      it('lists versions newest first with every filter, and pages through them once', async () => {
        const id = await newStore();
        const first = await store.createMemory('a', id, { id: createId('memory'), path: '/a', content: '1', at: time(1), actor: { type: 'api_actor', api_key_id: 'key_a' }, ...version() });
        const second = await store.createMemory('a', id, { id: createId('memory'), path: '/b', content: '1', at: time(2), actor: { type: 'session_actor', session_id: 'sesn_x' }, ...version() });
        await store.updateMemory('a', id, first.id, { content: '2', at: time(3), actor: { type: 'session_actor', session_id: 'sesn_x' }, ...version() });
        await store.deleteMemory('a', id, second.id, { at: time(4), actor: { type: 'api_actor', api_key_id: 'key_a' }, ...version() });
        const all = (await store.listVersions('a', id)).items;
        expect(all.map((item) => `${item.operation} ${item.memoryId === first.id ? 'first' : 'second'}`)).toEqual(['deleted second', 'modified first', 'created second', 'created first']);
        expect((await store.listVersions('a', id, { operation: 'created' })).items).toHaveLength(2);
        expect((await store.listVersions('a', id, { memoryId: second.id })).items.map((item) => item.operation)).toEqual(['deleted', 'created']);
        expect((await store.listVersions('a', id, { sessionId: 'sesn_x' })).items.map((item) => item.operation)).toEqual(['modified', 'created']);
        expect((await store.listVersions('a', id, { apiKeyId: 'key_a' })).items.map((item) => item.operation)).toEqual(['deleted', 'created']);
        expect((await store.listVersions('a', id, { apiKeyId: 'key_a', sessionId: 'sesn_x' })).items).toEqual([]);
        expect((await store.listVersions('a', id, { createdGte: time(2), createdLte: time(3) })).items.map((item) => item.createdAt)).toEqual([time(3), time(2)]);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 10; pages += 1) {
          const page = await store.listVersions('a', id, { limit: 3, ...(cursor !== undefined ? { cursor } : {}) });
          seen.push(...page.items.map((item) => item.id));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(seen).toEqual(all.map((item) => item.id));
      });

      it('redacts an earlier version, never the current one', async () => {
        const id = await newStore();
        const memory = await write(id, '/secret.md', 'password=hunter2');
        await expect(store.redactVersion('a', id, memory.versionId)).rejects.toMatchObject({ code: 'store_conflict' });
        const updated = await store.updateMemory('a', id, memory.id, { content: 'password=<rotated>', ...version() });
        const redacted = await store.redactVersion('a', id, memory.versionId, { type: 'api_actor', api_key_id: 'key_r' }, time(50));
        expect(redacted).toMatchObject({ id: memory.versionId, operation: 'created', memoryId: memory.id, path: null, content: null, contentSha256: null, sizeBytes: null, redactedAt: time(50), redactedBy: { type: 'api_actor', api_key_id: 'key_r' } });
        expect(await store.getVersion('a', id, memory.versionId)).toEqual(redacted);
        expect((await store.redactVersion('a', id, memory.versionId, undefined, time(60))).redactedAt).toBe(time(50));
        expect((await store.getVersion('a', id, updated.versionId))?.content).toBe('password=<rotated>');
        await expect(store.redactVersion('a', id, createId('memoryVersion'))).rejects.toMatchObject({ code: 'not_found' });
      });
    });

    describe('listing', () => {
      it('lists in path order below a prefix, rolling directories up at a depth', async () => {
        const id = await newStore();
        for (const path of ['/b.md', '/a/2.md', '/a/1.md', '/a/deep/x.md', '/a.md', '/c/z/y.md', '/a-b/q.md']) await write(id, path, path);
        expect(paths((await store.listMemories('a', id)).items)).toEqual(['/a-b/q.md', '/a.md', '/a/1.md', '/a/2.md', '/a/deep/x.md', '/b.md', '/c/z/y.md']);
        expect(paths((await store.listMemories('a', id, { depth: 1 })).items)).toEqual(['/a-b/ (dir)', '/a.md', '/a/ (dir)', '/b.md', '/c/ (dir)']);
        expect(paths((await store.listMemories('a', id, { pathPrefix: '/a/' })).items)).toEqual(['/a/1.md', '/a/2.md', '/a/deep/x.md']);
        expect(paths((await store.listMemories('a', id, { pathPrefix: '/a/', depth: 1 })).items)).toEqual(['/a/1.md', '/a/2.md', '/a/deep/ (dir)']);
        expect(paths((await store.listMemories('a', id, { depth: 2 })).items)).toEqual(['/a-b/q.md', '/a.md', '/a/1.md', '/a/2.md', '/a/deep/ (dir)', '/b.md', '/c/z/ (dir)']);
        expect((await store.listMemories('a', id, { pathPrefix: '/nothing/' })).items).toEqual([]);
        await expect(store.listMemories('a', id, { pathPrefix: '/a' })).rejects.toMatchObject({ code: 'invalid_argument' });
        await expect(store.listMemories('a', id, { cursor: 'bogus' })).rejects.toMatchObject({ code: 'invalid_argument' });
      });

      it('pages through memories and directories exactly once', async () => {
        const id = await newStore();
        for (let index = 0; index < 6; index += 1) await write(id, `/dir${index % 2}/m${index}.md`, String(index));
        for (let index = 0; index < 5; index += 1) await write(id, `/top${index}.md`, String(index));
        for (const depth of [0, 1]) {
          const whole = paths((await store.listMemories('a', id, { depth, limit: 100 })).items);
          const seen: string[] = [];
          let cursor: string | undefined;
          for (let pages = 0; pages < 20; pages += 1) {
            const page = await store.listMemories('a', id, { depth, limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
            seen.push(...paths(page.items));
            if (page.nextCursor === null) break;
            cursor = page.nextCursor;
          }
          expect(seen).toEqual(whole);
          expect(whole).toHaveLength(depth === 0 ? 11 : 7);
        }
      });
    });

    describe('search', () => {
      it('finds memories holding every word of the query, as words, in any case', async () => {
        const id = await newStore();
        const deploy = await write(id, '/runbooks/deploy.md', 'Deploy checklist: run the migrations, then restart the API servers.');
        const rollback = await write(id, '/runbooks/rollback.md', 'Rollback: restore the database snapshot, then redeploy the previous API build.');
        await write(id, '/people/ada.md', 'Ada prefers tabs over spaces and short meetings.');
        const found = async (query: string, options = {}): Promise<string[]> => (await store.searchMemories('a', id, query, options)).map((hit) => hit.memory.path).sort();
        expect(await found('api')).toEqual([deploy.path, rollback.path].sort());
        expect(await found('API restart')).toEqual([deploy.path]);
        expect(await found('the DATABASE')).toEqual([rollback.path]);
        expect(await found('deploy')).toEqual([deploy.path]);
        expect(await found('deploy*')).toEqual([deploy.path]);
        expect(await found('redeploy')).toEqual([rollback.path]);
        expect(await found('migration')).toEqual([]);
        expect(await found('migration*')).toEqual([deploy.path]);
        expect(await found('tabs', { pathPrefix: '/runbooks/' })).toEqual([]);
        expect(await found('api', { pathPrefix: '/runbooks/', limit: 1 })).toHaveLength(1);
        expect(await found('nothing matches this')).toEqual([]);
        const [hit] = await store.searchMemories('a', id, 'tabs');
        expect(hit?.memory).toMatchObject({ path: '/people/ada.md', content: 'Ada prefers tabs over spaces and short meetings.' });
        expect(hit?.score).toBeGreaterThan(0);
        await expect(store.searchMemories('a', id, '  ?! ')).rejects.toMatchObject({ code: 'invalid_argument' });
      });

      it('follows changes: new content is found, old and deleted content is not', async () => {
        const id = await newStore();
        const other = await newStore('a', 'other');
        const memory = await write(id, '/x.md', 'apples and pears');
        await write(other, '/y.md', 'apples elsewhere');
        expect((await store.searchMemories('a', id, 'apples')).map((hit) => hit.memory.id)).toEqual([memory.id]);
        await store.updateMemory('a', id, memory.id, { content: 'plums only', ...version() });
        expect(await store.searchMemories('a', id, 'apples')).toEqual([]);
        expect((await store.searchMemories('a', id, 'plums')).map((hit) => hit.memory.content)).toEqual(['plums only']);
        await store.deleteMemory('a', id, memory.id, version());
        expect(await store.searchMemories('a', id, 'plums')).toEqual([]);
      });

      it('ranks the memory that matches more often first', async () => {
        const id = await newStore();
        await write(id, '/once.md', 'The budget is mentioned here once, among many other words about travel, food and weather.');
        await write(id, '/often.md', 'Budget budget budget: the budget review.');
        const hits = await store.searchMemories('a', id, 'budget');
        expect(hits.map((hit) => hit.memory.path)).toEqual(['/often.md', '/once.md']);
        expect((hits[0] as { score: number }).score).toBeGreaterThan((hits[1] as { score: number }).score);
      });
    });

    it.skipIf(init.capabilities.reopen === undefined)('shows one instance’s writes to another on the same data', async () => {
      const other = await (init.capabilities.reopen as (store: S) => Promise<S>)(store);
      try {
        const id = await newStore();
        const memory = await write(id, '/shared.md', 'shared across processes');
        expect(await other.getStore('a', id)).toMatchObject({ name: 'notes' });
        expect(await other.getMemory('a', id, memory.id)).toEqual(memory);
        expect((await other.searchMemories('a', id, 'processes')).map((hit) => hit.memory.id)).toEqual([memory.id]);
        await other.updateMemory('a', id, memory.id, { content: 'changed by the other', ...version() });
        expect((await store.listVersions('a', id)).items).toHaveLength(2);
      } finally {
        await other.close();
      }
    });
  });
}
