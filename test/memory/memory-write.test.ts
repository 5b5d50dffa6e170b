// Writing a memory by its path (`writeMemoryAtPath`) on the in-process and SQLite agent memory
// stores: created, then updated, then unchanged (no version); an `expectedSha256` that does not
// hold — or has no memory to hold for — writes nothing; a path another writer creates between the
// lookup and the create is written over once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentMemoryStore } from '../../src/memory/agent-memory-types.js';
import { createInProcessAgentMemoryStore } from '../../src/memory/in-process-agent-memory.js';
import { contentSha256, MemoryPreconditionError } from '../../src/memory/memory-paths.js';
import { writeMemoryAtPath } from '../../src/memory/memory-write.js';
import { createSqliteAgentMemoryStore } from '../../src/memory/sqlite-agent-memory.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-memory-write-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const backends: Array<{ name: string; open: () => AgentMemoryStore }> = [
  { name: 'in-process', open: () => createInProcessAgentMemoryStore() },
  { name: 'sqlite', open: () => createSqliteAgentMemoryStore({ path: join(directory, 'memory.db') }) },
];

describe.each(backends)('writeMemoryAtPath ($name)', ({ open }) => {
  it('creates, updates, and leaves an unchanged memory without a new version', async () => {
    const store = open();
    try {
      await store.createStore({ id: 'memstore_write', workspace: 'default', name: 'notes' });
      const created = await writeMemoryAtPath(store, 'default', 'memstore_write', { path: '/a.md', content: 'one', actor: { type: 'user_actor', user_id: 'ada' } });
      expect(created).toMatchObject({ outcome: 'created', memory: { path: '/a.md', content: 'one' } });
      const updated = await writeMemoryAtPath(store, 'default', 'memstore_write', { path: '/a.md', content: 'two', expectedSha256: contentSha256('one') });
      expect(updated).toMatchObject({ outcome: 'updated', memory: { id: created.memory.id, content: 'two' } });
      const unchanged = await writeMemoryAtPath(store, 'default', 'memstore_write', { path: '/a.md', content: 'two' });
      expect(unchanged).toMatchObject({ outcome: 'unchanged', memory: { versionId: updated.memory.versionId } });
      const versions = (await store.listVersions('default', 'memstore_write')).items;
      expect(versions.map((version) => [version.operation, version.createdBy])).toEqual([
        ['modified', null],
        ['created', { type: 'user_actor', user_id: 'ada' }],
      ]);
    } finally {
      await store.close();
    }
  });

  it('writes nothing when the expected SHA-256 does not hold, or there is no memory', async () => {
    const store = open();
    try {
      await store.createStore({ id: 'memstore_checked', workspace: 'default', name: 'checked' });
      await writeMemoryAtPath(store, 'default', 'memstore_checked', { path: '/b.md', content: 'current' });
      await expect(writeMemoryAtPath(store, 'default', 'memstore_checked', { path: '/b.md', content: 'lost', expectedSha256: contentSha256('stale') })).rejects.toBeInstanceOf(MemoryPreconditionError);
      await expect(writeMemoryAtPath(store, 'default', 'memstore_checked', { path: '/c.md', content: 'new', expectedSha256: contentSha256('stale') })).rejects.toBeInstanceOf(MemoryPreconditionError);
      expect((await store.getMemoryByPath('default', 'memstore_checked', '/b.md'))?.content).toBe('current');
      expect(await store.getMemoryByPath('default', 'memstore_checked', '/c.md')).toBeUndefined();
      expect((await store.listVersions('default', 'memstore_checked')).items).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('writes over a memory another writer created after the lookup', async () => {
    const store = open();
    try {
      await store.createStore({ id: 'memstore_raced', workspace: 'default', name: 'raced' });
      const theirs = await writeMemoryAtPath(store, 'default', 'memstore_raced', { path: '/d.md', content: 'theirs' });
      // The first lookup misses what the other writer has just created, as in a race.
      let lookups = 0;
      const late: AgentMemoryStore = Object.assign(Object.create(store) as AgentMemoryStore, {
        getMemoryByPath: async (workspace: string, storeId: string, path: string) => (++lookups === 1 ? undefined : store.getMemoryByPath(workspace, storeId, path)),
      });
      const ours = await writeMemoryAtPath(late, 'default', 'memstore_raced', { path: '/d.md', content: 'ours' });
      expect(ours).toMatchObject({ outcome: 'updated', memory: { id: theirs.memory.id, content: 'ours' } });
      expect(lookups).toBe(2);
    } finally {
      await store.close();
    }
  });
});
