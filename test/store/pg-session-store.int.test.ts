// Runs the session store conformance suite on the machine's real PostgreSQL, each store in a schema
// of its own (dropped afterwards), with real child processes for the cross-process and kill -9
// cases; plus what only the PostgreSQL store does: migrations, notifications and their fallback.
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createId } from '../../src/protocol/ids.js';
import { createPostgresStore, type PostgresSessionStore } from '../../src/store/postgres/pg-session-store.js';
import { migratePostgres, postgresSchemaVersion } from '../../src/store/postgres/pg-migrations.js';
import { createPostgresPool, parsePostgresUrl } from '../../src/store/postgres/pg-connection.js';
import { describeSessionStoreConformance } from '../conformance/session-store-suite.js';
import { dropSchema, postgresUrl, uniqueSchema } from '../support/postgres.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const childWriter = fileURLToPath(new URL('../fixtures/store-child-writer.ts', import.meta.url));

describeSessionStoreConformance<PostgresSessionStore>({
  name: 'postgres',
  create: async () => createPostgresStore({ url: postgresUrl(uniqueSchema('store')) }),
  destroy: async (store) => {
    await store.close();
    await dropSchema(store.target.schema);
  },
  capabilities: {
    crossProcess: true,
    reopen: async (store) => createPostgresStore({ url: postgresUrl(store.target.schema) }),
    childWriter: {
      command: (store, { sessionId, writer, count }) => ({
        command: process.execPath,
        args: ['--import', 'tsx', childWriter, postgresUrl(store.target.schema), sessionId, writer, String(count)],
        cwd: projectRoot,
      }),
    },
  },
});

describe('the PostgreSQL store', () => {
  const schemas: string[] = [];
  const stores: PostgresSessionStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });
  function open(schema = uniqueSchema('pg')): PostgresSessionStore {
    if (!schemas.includes(schema)) schemas.push(schema);
    const store = createPostgresStore({ url: postgresUrl(schema), pollIntervalMs: 50 });
    stores.push(store);
    return store;
  }

  it('migrates a fresh schema on first use, once, even with several openers at the same moment', async () => {
    const schema = uniqueSchema('migrate');
    const openers = [open(schema), open(schema), open(schema)];
    await Promise.all(openers.map((store) => store.head(createId('session'))));
    const target = parsePostgresUrl(postgresUrl(schema));
    const pool = createPostgresPool(target, { max: 1 });
    try {
      const { rows } = await pool.query<{ version: number }>(`SELECT version FROM ${schema}.conclave_migrations ORDER BY version`);
      expect(rows.map((row) => row.version)).toEqual(Array.from({ length: postgresSchemaVersion }, (_, index) => index + 1));
      expect(await migratePostgres(pool, target)).toMatchObject({ from: postgresSchemaVersion, to: postgresSchemaVersion, applied: [] });
    } finally {
      await pool.end();
    }
  });

  it('refuses a schema newer than this code, saying what to do', async () => {
    const schema = uniqueSchema('newer');
    const store = open(schema);
    await store.ready();
    const client = new pg.Client({ connectionString: postgresUrl(schema).replace(/\?.*$/, '') });
    await client.connect();
    await client.query(`INSERT INTO ${schema}.conclave_migrations (version, name) VALUES (99, 'from the future')`);
    await client.end();
    await expect(open(schema).head('x')).rejects.toThrow(/version 99, newer than this conclave understands/);
  });

  it('wakes a follower through LISTEN/NOTIFY without polling, and falls back to polling while the listener is gone', async () => {
    const schema = uniqueSchema('notify');
    const reader = open(schema);
    const writer = open(schema);
    const sessionId = createId('session');
    await writer.append(sessionId, 1, [{ id: createId('event'), type: 'user.message', at: new Date().toISOString(), data: {} }]);
    const controller = new AbortController();
    const seen: number[] = [];
    const following = (async () => {
      for await (const followed of reader.follow(sessionId, { signal: controller.signal, pollIntervalMs: 60_000 })) seen.push(followed.seq);
    })();
    const until = async (condition: () => boolean): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error('timed out');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    // A watcher is told a seq only by a notification's payload (a poll or a reconnection tells it
    // none), so seeing 2 here is the writer's NOTIFY reaching the reader; the same notification
    // wakes the follower.
    const announced: Array<number | undefined> = [];
    const stopWatching = reader.watch?.(sessionId, (seq) => announced.push(seq));
    expect(stopWatching).toBeTypeOf('function');
    await until(() => seen.length === 1 && reader.listening);
    await writer.append(sessionId, 2, [{ id: createId('event'), type: 'user.message', at: new Date().toISOString(), data: {} }]);
    await until(() => announced.includes(2));
    await until(() => seen.length === 2);
    stopWatching?.();

    // Kill the listening connection from the server side: the store polls until it reconnects.
    const admin = new pg.Client({ connectionString: postgresUrl(schema).replace(/\?.*$/, '') });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN conclave_${schema}%' AND pid <> pg_backend_pid()`);
    await admin.end();
    await until(() => !reader.listening);
    await writer.append(sessionId, 3, [{ id: createId('event'), type: 'user.message', at: new Date().toISOString(), data: {} }]);
    await until(() => seen.length === 3);
    await until(() => reader.listening);
    controller.abort();
    await following;
    expect(seen).toEqual([1, 2, 3]);
  });

  it('names the database, without its password, when PostgreSQL cannot be reached', async () => {
    const store = createPostgresStore({ url: 'postgres://postgres:hunter2@127.0.0.1:1/test?schema=nowhere' });
    stores.push(store);
    const failure = await store.head('x').catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'store_error', retryable: true });
    expect(String((failure as Error).message)).toContain('127.0.0.1:1');
    expect(String((failure as Error).message)).not.toContain('hunter2');
  });
});
