// The stores every kernel and topology suite runs against (STYLE: kernel suites run on every store):
// memory, a SQLite file, and a schema of its own on the machine's real PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { createSqliteStore } from '../../src/store/sqlite-store.js';
import { createPostgresStore } from '../../src/store/postgres/pg-session-store.js';
import type { SessionEvent, SessionStore } from '../../src/protocol/index.js';
import { dropSchema, postgresUrl, uniqueSchema } from './postgres.js';

export interface StoreFixture {
  name: string;
  /** A store; within one test, later calls open the same data again. */
  create(): SessionStore;
  /** Removes the data of the test (after its stores are closed). */
  cleanup(): Promise<void>;
}

export function storeFixtures(): StoreFixture[] {
  let directory: string | undefined;
  let schema: string | undefined;
  return [
    { name: 'memory', create: () => createMemoryStore(), cleanup: async () => undefined },
    {
      name: 'sqlite',
      create: () => {
        directory ??= mkdtempSync(join(tmpdir(), 'conclave-kernel-'));
        return createSqliteStore({ path: join(directory, 'conclave.db') });
      },
      cleanup: async () => {
        if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
        directory = undefined;
      },
    },
    {
      name: 'postgres',
      create: () => {
        schema ??= uniqueSchema('kernel');
        return createPostgresStore({ url: postgresUrl(schema), poolSize: 4 });
      },
      cleanup: async () => {
        if (schema !== undefined) await dropSchema(schema);
        schema = undefined;
      },
    },
  ];
}

/** The log of one session in a SQLite file, read through a store opened and closed for the purpose. */
export async function readSqliteEvents(path: string, sessionId: string): Promise<SessionEvent[]> {
  const store = createSqliteStore({ path });
  try {
    return await store.read(sessionId);
  } finally {
    await store.close();
  }
}
