// Runs the agent memory suite on the in-process store and on SQLite files (PostgreSQL runs it in
// pg-agent-memory.int.test.ts), plus what only the SQLite store shows: its tables share the session
// database file with the sessions, in either opening order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createInProcessAgentMemoryStore } from '../../src/memory/in-process-agent-memory.js';
import { openAgentMemoryStore } from '../../src/memory/open-agent-memory.js';
import { createSqliteAgentMemoryStore } from '../../src/memory/sqlite-agent-memory.js';
import { createId } from '../../src/protocol/ids.js';
import { createSqliteStore } from '../../src/store/index.js';
import { describeAgentMemoryConformance } from '../conformance/agent-memory-suite.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-agent-memory-'));
let databases = 0;

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function newDatabasePath(): string {
  databases += 1;
  return join(directory, `store-${databases}`, 'conclave.db');
}

describeAgentMemoryConformance({ name: 'in-process', create: async () => createInProcessAgentMemoryStore(), destroy: (store) => store.close(), capabilities: {} });

describeAgentMemoryConformance({
  name: 'sqlite',
  create: async () => createSqliteAgentMemoryStore({ path: newDatabasePath() }),
  destroy: (store) => store.close(),
  capabilities: { reopen: async (store) => createSqliteAgentMemoryStore({ path: store.path }) },
});

describe('the SQLite agent memory store', () => {
  it('shares the session database file, in either opening order, and keeps memories across reopening', async () => {
    const path = newDatabasePath();
    const memory = await openAgentMemoryStore({ db: path });
    const sessions = createSqliteStore({ path });
    expect(memory.kind).toBe('sqlite');
    const id = createId('memoryStore');
    await memory.createStore({ id, workspace: 'default', name: 'notes' });
    await memory.createMemory('default', id, { id: createId('memory'), path: '/a.md', content: 'kept on disk', versionId: createId('memoryVersion') });
    await sessions.close();
    await memory.close();
    const again = createSqliteAgentMemoryStore({ path });
    expect((await again.getMemoryByPath('default', id, '/a.md'))?.content).toBe('kept on disk');
    expect((await again.searchMemories('default', id, 'disk')).length).toBe(1);
    await again.close();
  });

  it('opens in process for :memory:', async () => {
    const memory = await openAgentMemoryStore({ db: ':memory:' });
    expect(memory.kind).toBe('memory');
    await memory.close();
  });
});
