// Runs the resource store conformance suite on a real PostgreSQL server, each store in a schema of
// its own that is dropped afterwards, plus what only a shared server shows: the schema appearing on
// first use, two instances seeing each other's writes, and version checks holding between them.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createId } from '../../src/protocol/ids.js';
import { clientConfig, createPostgresPool, parsePostgresUrl } from '../../src/store/postgres/pg-connection.js';
import { postgresSchemaVersion } from '../../src/store/postgres/pg-migrations.js';
import { createPostgresResourceStore, type PostgresResourceStore } from '../../src/store/postgres/pg-resource-store.js';
import { describeResourceStoreConformance } from '../conformance/resource-store-suite.js';

const databaseUrl = 'postgres://postgres@127.0.0.1:5432/test';
/** Every schema this file made, so a failed test still leaves none behind. */
const schemas = new Set<string>();

function newSchemaName(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = [...randomBytes(12)].map((byte) => alphabet[byte % alphabet.length]).join('');
  const schema = `conclave_test_res_${suffix}`;
  schemas.add(schema);
  return schema;
}

/** Runs `body` on a connection of its own, outside any store's pool. */
async function withClient<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(clientConfig(parsePostgresUrl(databaseUrl)));
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

async function dropSchema(schema: string): Promise<void> {
  await withClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  schemas.delete(schema);
}

async function schemaExists(schema: string): Promise<boolean> {
  const { rows } = await withClient((client) => client.query<{ exists: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS exists', [schema]));
  return rows[0]?.exists === true;
}

afterAll(async () => {
  for (const schema of [...schemas]) await dropSchema(schema);
});

describeResourceStoreConformance<PostgresResourceStore>({
  name: 'postgres',
  create: async () => createPostgresResourceStore({ url: databaseUrl, schema: newSchemaName() }),
  destroy: async (store) => {
    await store.close();
    await dropSchema(store.target.schema);
  },
  capabilities: { reopen: async (store) => createPostgresResourceStore({ url: databaseUrl, schema: store.target.schema }) },
});

describe('the PostgreSQL resource store on a shared server', () => {
  it('creates its schema on first use, not before', async () => {
    const schema = newSchemaName();
    const store = createPostgresResourceStore({ url: `${databaseUrl}?schema=${schema}` });
    try {
      expect(store.target.schema).toBe(schema);
      expect(await schemaExists(schema)).toBe(false);
      expect(await store.listKeys()).toEqual([]);
      expect(await schemaExists(schema)).toBe(true);
      const { rows } = await withClient((client) => client.query<{ version: number }>(`SELECT max(version) AS version FROM ${schema}.conclave_migrations`));
      expect(rows[0]?.version).toBe(postgresSchemaVersion);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });

  it("sees another instance's keys and resources", async () => {
    const schema = newSchemaName();
    const left = createPostgresResourceStore({ url: databaseUrl, schema });
    const right = createPostgresResourceStore({ url: databaseUrl, schema });
    try {
      // Both migrate the fresh schema at once; the migration lock lets exactly one of them do it.
      await Promise.all([left.listKeys(), right.listKeys()]);
      const key = await left.createKey({ id: createId('apiKey'), workspace: 'w', prefix: 'ck_shared', hash: '1'.repeat(64) });
      expect(await right.findKeyByHash('1'.repeat(64))).toEqual(key);
      await expect(right.createKey({ id: createId('apiKey'), workspace: 'w', prefix: 'ck_other', hash: '1'.repeat(64) })).rejects.toMatchObject({ code: 'store_conflict' });

      const id = createId('agent');
      await right.createResource({ kind: 'agent', id, workspace: 'w', body: { name: 'shared' } });
      await left.updateResource('agent', 'w', id, { name: 'changed' }, 1);
      expect(await right.getResource('agent', 'w', id)).toMatchObject({ version: 2, body: { name: 'changed' } });
      expect((await right.listResources('agent', 'w')).items.map((item) => item.id)).toEqual([id]);
      expect(await right.deleteResource('agent', 'w', id)).toBe(true);
      expect(await left.getResource('agent', 'w', id)).toBeUndefined();
    } finally {
      await left.close();
      await right.close();
      await dropSchema(schema);
    }
  });

  it('lets exactly one of two racing updates based on the same version win', async () => {
    const schema = newSchemaName();
    const left = createPostgresResourceStore({ url: databaseUrl, schema });
    const right = createPostgresResourceStore({ url: databaseUrl, schema });
    try {
      const id = createId('agent');
      await left.createResource({ kind: 'agent', id, workspace: 'w', body: { round: 0 } });
      for (let round = 1; round <= 10; round += 1) {
        const results = await Promise.allSettled([
          left.updateResource('agent', 'w', id, { round, writer: 'left' }, round),
          right.updateResource('agent', 'w', id, { round, writer: 'right' }, round),
        ]);
        const winners = results.filter((result) => result.status === 'fulfilled');
        const losers = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
        expect(winners, `round ${round}`).toHaveLength(1);
        expect(losers.map((result) => (result.reason as { code?: string }).code)).toEqual(['version_conflict']);
      }
      const latest = await right.getResource('agent', 'w', id);
      expect(latest?.version).toBe(11);
      expect((await left.listVersions('agent', 'w', id, { limit: 100 })).items).toHaveLength(11);
    } finally {
      await left.close();
      await right.close();
      await dropSchema(schema);
    }
  });

  it('leaves a shared pool open when closed, and refuses calls afterwards', async () => {
    const schema = newSchemaName();
    const pool = createPostgresPool(parsePostgresUrl(databaseUrl, schema));
    const store = createPostgresResourceStore({ url: databaseUrl, schema, pool });
    try {
      await store.listKeys();
      await store.close();
      await expect(store.listKeys()).rejects.toMatchObject({ code: 'store_error' });
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
    } finally {
      await pool.end();
      await dropSchema(schema);
    }
  });
});
