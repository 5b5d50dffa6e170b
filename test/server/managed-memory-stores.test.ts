// The memory API through the official SDK on the in-process and SQLite agent memory stores (see the
// shared cases in test/conformance/memory-store-api-suite.ts; PostgreSQL runs them in
// managed-memory-stores-pg.int.test.ts), and a SQLite store read back by a second server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { createInProcessAgentMemoryStore } from '../../src/memory/in-process-agent-memory.js';
import { createSqliteAgentMemoryStore } from '../../src/memory/sqlite-agent-memory.js';
import { describeMemoryStoreApi } from '../conformance/memory-store-api-suite.js';
import { startTestServer } from '../support/test-server.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-memory-api-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describeMemoryStoreApi({ name: 'in-process', create: async () => createInProcessAgentMemoryStore() });
describeMemoryStoreApi({ name: 'sqlite', create: async () => createSqliteAgentMemoryStore({ path: join(directory, 'suite.db') }) });

describe('memory stores on SQLite', () => {
  it('are read back, with their versions, by a server started on the same file', async () => {
    const path = join(directory, 'restart.db');
    const firstStore = createSqliteAgentMemoryStore({ path });
    const first = await startTestServer({ memory: firstStore });
    const client = new Anthropic({ apiKey: first.key, baseURL: `${first.url}/anthropic`, maxRetries: 0 });
    const store = await client.beta.memoryStores.create({ name: 'durable' });
    const memory = await client.beta.memoryStores.memories.create(store.id, { path: '/facts.md', content: 'water boils at 100 °C' });
    await client.beta.memoryStores.memories.update(memory.id, { memory_store_id: store.id, content: 'water boils at 100 °C at sea level' });
    await first.close();
    await firstStore.close();

    const secondStore = createSqliteAgentMemoryStore({ path });
    const second = await startTestServer({ memory: secondStore });
    try {
      // Keys live in each test server's own resource store: read the records back directly.
      expect(await secondStore.getStore('team-a', store.id)).toMatchObject({ name: 'durable' });
      expect((await secondStore.getMemory('team-a', store.id, memory.id))?.content).toBe('water boils at 100 °C at sea level');
      expect((await secondStore.listVersions('team-a', store.id)).items.map((version) => version.operation)).toEqual(['modified', 'created']);
    } finally {
      await second.close();
      await secondStore.close();
    }
  });
});
