/**
 * The memory API through the official SDK over real HTTP, run on each agent memory store
 * (in-process, SQLite, PostgreSQL): memory stores created, retrieved, updated, listed, archived and
 * deleted; memories created, read, changed under a `content_sha256` precondition (a stale one is a
 * 409), renamed, listed by prefix and depth, and deleted; every change a memory version, listed and
 * redacted; and another workspace's store, memory or version a 404.
 */
import { createHash } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentMemoryStore } from '../../src/memory/agent-memory-types.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

export interface MemoryStoreApiSuiteInit {
  name: string;
  /** A new, empty store; the suite closes it. */
  create(): Promise<AgentMemoryStore>;
}

const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

async function failure(call: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof Anthropic.APIError)) throw new Error(`expected an API error, got ${String(error)}`);
  return error;
}

function errorCode(error: InstanceType<typeof Anthropic.APIError>): string | undefined {
  return (error.error as { error?: { details?: { error_code?: string } } } | undefined)?.error?.details?.error_code;
}

/**
 * Registers the memory API cases for one agent memory store.
 *
 * @example
 * describeMemoryStoreApi({ name: 'in-process', create: async () => createInProcessAgentMemoryStore() });
 */
export function describeMemoryStoreApi(init: MemoryStoreApiSuiteInit): void {
  describe(`memory stores API: ${init.name}`, () => {
    let server: TestServer;
    let client: Anthropic;
    let other: Anthropic;
    let memory: AgentMemoryStore;

    beforeAll(async () => {
      memory = await init.create();
      server = await startTestServer({ memory });
      client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
      other = new Anthropic({ apiKey: server.otherKey, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
    });
    afterAll(async () => {
      await server.close();
      await memory.close();
    });

    it('creates, retrieves, updates, lists, archives and deletes memory stores', async () => {
      const store = await client.beta.memoryStores.create({ name: 'User preferences', description: 'What the user likes', metadata: { user: 'u1', tier: 'gold' } });
      expect(store).toMatchObject({ type: 'memory_store', name: 'User preferences', description: 'What the user likes', metadata: { user: 'u1', tier: 'gold' }, archived_at: null });
      expect(store.id).toMatch(/^memstore_/);
      expect(await client.beta.memoryStores.retrieve(store.id)).toEqual(store);
      const updated = await client.beta.memoryStores.update(store.id, { name: 'Prefs', metadata: { tier: null, region: 'eu' } });
      expect(updated).toMatchObject({ name: 'Prefs', description: 'What the user likes', metadata: { user: 'u1', region: 'eu' } });
      const bare = await client.beta.memoryStores.create({ name: 'bare' });
      expect(bare).toMatchObject({ description: '', metadata: {} });
      const listed: string[] = [];
      for await (const item of client.beta.memoryStores.list({ limit: 1 })) listed.push(item.id);
      expect(listed).toEqual([bare.id, store.id]);
      const archived = await client.beta.memoryStores.archive(bare.id);
      expect(archived.archived_at).toEqual(expect.any(String));
      expect((await client.beta.memoryStores.list()).data.map((item) => item.id)).toEqual([store.id]);
      expect((await client.beta.memoryStores.list({ include_archived: true })).data.map((item) => item.id)).toEqual([bare.id, store.id]);
      expect((await failure(client.beta.memoryStores.update(bare.id, { name: 'again' }))).status).toBe(400);
      expect(await client.beta.memoryStores.delete(bare.id)).toEqual({ id: bare.id, type: 'memory_store_deleted' });
      expect((await failure(client.beta.memoryStores.retrieve(bare.id))).status).toBe(404);
      expect((await failure(client.beta.memoryStores.create({ name: '' }))).status).toBe(400);
    });

    it('creates, reads, changes under a precondition, renames, lists and deletes memories, each change a version', async () => {
      const store = await client.beta.memoryStores.create({ name: 'notes' });
      const created = await client.beta.memoryStores.memories.create(store.id, { path: '/projects/foo/notes.md', content: 'first draft' });
      expect(created).toMatchObject({ type: 'memory', memory_store_id: store.id, path: '/projects/foo/notes.md', content: null, content_sha256: sha('first draft'), content_size_bytes: 11 });
      expect(created.id).toMatch(/^mem_/);
      expect(created.memory_version_id).toMatch(/^memver_/);
      expect(await client.beta.memoryStores.memories.retrieve(created.id, { memory_store_id: store.id })).toMatchObject({ content: 'first draft' });
      expect((await client.beta.memoryStores.memories.retrieve(created.id, { memory_store_id: store.id, view: 'basic' })).content).toBeNull();

      const stale = await failure(client.beta.memoryStores.memories.update(created.id, { memory_store_id: store.id, content: 'second', precondition: { type: 'content_sha256', content_sha256: sha('not it') } }));
      expect(stale).toBeInstanceOf(Anthropic.ConflictError);
      expect(errorCode(stale)).toBe('memory_precondition_failed_error');
      const changed = await client.beta.memoryStores.memories.update(created.id, {
        memory_store_id: store.id,
        content: 'second draft',
        precondition: { type: 'content_sha256', content_sha256: created.content_sha256 },
        view: 'full',
      });
      expect(changed).toMatchObject({ id: created.id, content: 'second draft', content_sha256: sha('second draft') });
      expect(changed.memory_version_id).not.toBe(created.memory_version_id);
      const renamed = await client.beta.memoryStores.memories.update(created.id, { memory_store_id: store.id, path: '/projects/foo/README.md' });
      expect(renamed).toMatchObject({ id: created.id, path: '/projects/foo/README.md' });

      await client.beta.memoryStores.memories.create(store.id, { path: '/projects/bar.md', content: 'bar' });
      await client.beta.memoryStores.memories.create(store.id, { path: '/top.md', content: null });
      const taken = await failure(client.beta.memoryStores.memories.create(store.id, { path: '/projects/foo', content: 'a file over a directory' }));
      expect(taken.status).toBe(409);
      expect(errorCode(taken)).toBe('memory_path_conflict_error');
      expect(taken.message).toContain(created.id);
      expect((await failure(client.beta.memoryStores.memories.create(store.id, { path: 'relative.md', content: 'x' }))).status).toBe(400);
      expect((await failure(client.beta.memoryStores.memories.create(store.id, { path: '/big.md', content: 'x'.repeat(102_401) }))).status).toBe(400);

      const all = (await client.beta.memoryStores.memories.list(store.id)).data;
      expect(all.map((item) => item.path)).toEqual(['/projects/bar.md', '/projects/foo/README.md', '/top.md']);
      expect(all.every((item) => item.type === 'memory' && item.content === null)).toBe(true);
      const shallow = (await client.beta.memoryStores.memories.list(store.id, { depth: 1 })).data;
      expect(shallow).toEqual([{ type: 'memory_prefix', path: '/projects/' }, expect.objectContaining({ type: 'memory', path: '/top.md' })]);
      const below = (await client.beta.memoryStores.memories.list(store.id, { path_prefix: '/projects/', depth: 1, view: 'full' })).data;
      expect(below).toEqual([expect.objectContaining({ path: '/projects/bar.md', content: 'bar' }), { type: 'memory_prefix', path: '/projects/foo/' }]);
      const paged: string[] = [];
      for await (const item of client.beta.memoryStores.memories.list(store.id, { limit: 1 })) paged.push(item.path);
      expect(paged).toEqual(['/projects/bar.md', '/projects/foo/README.md', '/top.md']);

      const refused = await failure(client.beta.memoryStores.memories.delete(created.id, { memory_store_id: store.id, expected_content_sha256: sha('first draft') }));
      expect(refused.status).toBe(409);
      expect(await client.beta.memoryStores.memories.delete(created.id, { memory_store_id: store.id, expected_content_sha256: sha('second draft') })).toEqual({ id: created.id, type: 'memory_deleted' });
      expect((await failure(client.beta.memoryStores.memories.retrieve(created.id, { memory_store_id: store.id }))).status).toBe(404);

      const history = (await client.beta.memoryStores.memoryVersions.list(store.id, { memory_id: created.id, view: 'full' })).data;
      expect(history.map((version) => [version.operation, version.path, version.content])).toEqual([
        ['deleted', '/projects/foo/README.md', null],
        ['modified', '/projects/foo/README.md', 'second draft'],
        ['modified', '/projects/foo/notes.md', 'second draft'],
        ['created', '/projects/foo/notes.md', 'first draft'],
      ]);
      expect(history[3]).toMatchObject({ type: 'memory_version', memory_id: created.id, memory_store_id: store.id, content_sha256: sha('first draft'), content_size_bytes: 11, created_by: { type: 'api_actor' } });
      expect((await client.beta.memoryStores.memoryVersions.list(store.id, { operation: 'created' })).data).toHaveLength(3);
      expect((await client.beta.memoryStores.memoryVersions.list(store.id, { operation: 'created' })).data.every((version) => version.content === null)).toBe(true);
      expect((await client.beta.memoryStores.memoryVersions.list(store.id, { session_id: 'sesn_none' })).data).toEqual([]);
      const first = await client.beta.memoryStores.memoryVersions.retrieve(created.memory_version_id, { memory_store_id: store.id });
      expect(first).toMatchObject({ operation: 'created', content: 'first draft' });
      const redacted = await client.beta.memoryStores.memoryVersions.redact(created.memory_version_id, { memory_store_id: store.id });
      expect(redacted).toMatchObject({ id: created.memory_version_id, content: null, path: null, content_sha256: null, redacted_by: { type: 'api_actor' } });
      expect(redacted.redacted_at).toEqual(expect.any(String));
      const current = (await client.beta.memoryStores.memories.list(store.id, { path_prefix: '/projects/' })).data[0] as { memory_version_id: string };
      expect((await failure(client.beta.memoryStores.memoryVersions.redact(current.memory_version_id, { memory_store_id: store.id }))).status).toBe(409);
    });

    it('takes no memory writes in an archived store', async () => {
      const store = await client.beta.memoryStores.create({ name: 'old' });
      const kept = await client.beta.memoryStores.memories.create(store.id, { path: '/kept.md', content: 'kept' });
      await client.beta.memoryStores.archive(store.id);
      expect((await failure(client.beta.memoryStores.memories.create(store.id, { path: '/new.md', content: 'no' }))).status).toBe(400);
      expect((await failure(client.beta.memoryStores.memories.update(kept.id, { memory_store_id: store.id, content: 'no' }))).status).toBe(400);
      expect((await client.beta.memoryStores.memories.retrieve(kept.id, { memory_store_id: store.id })).content).toBe('kept');
      expect(await client.beta.memoryStores.memories.delete(kept.id, { memory_store_id: store.id })).toMatchObject({ type: 'memory_deleted' });
    });

    it('answers 404 for another workspace’s store and everything in it', async () => {
      const store = await client.beta.memoryStores.create({ name: 'private' });
      const memory = await client.beta.memoryStores.memories.create(store.id, { path: '/secret.md', content: 'the launch code' });
      const calls: Array<() => Promise<unknown>> = [
        () => other.beta.memoryStores.retrieve(store.id),
        () => other.beta.memoryStores.update(store.id, { name: 'mine' }),
        () => other.beta.memoryStores.archive(store.id),
        () => other.beta.memoryStores.delete(store.id),
        () => other.beta.memoryStores.memories.create(store.id, { path: '/x.md', content: 'x' }),
        () => other.beta.memoryStores.memories.retrieve(memory.id, { memory_store_id: store.id }),
        () => other.beta.memoryStores.memories.update(memory.id, { memory_store_id: store.id, content: 'stolen' }),
        () => other.beta.memoryStores.memories.delete(memory.id, { memory_store_id: store.id }),
        () => other.beta.memoryStores.memories.list(store.id),
        () => other.beta.memoryStores.memoryVersions.list(store.id),
        () => other.beta.memoryStores.memoryVersions.retrieve(memory.memory_version_id, { memory_store_id: store.id }),
        () => other.beta.memoryStores.memoryVersions.redact(memory.memory_version_id, { memory_store_id: store.id }),
      ];
      for (const call of calls) expect((await failure(call())).status).toBe(404);
      expect((await other.beta.memoryStores.list()).data.map((item) => item.id)).not.toContain(store.id);
      expect((await client.beta.memoryStores.memories.retrieve(memory.id, { memory_store_id: store.id })).content).toBe('the launch code');
    });
  });
}
