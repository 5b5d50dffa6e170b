// Runs the file store suite on a real PostgreSQL server, each store in a schema of its own that is
// dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { clientConfig, parsePostgresUrl } from '../../src/store/postgres/pg-connection.js';
import { createPostgresFileStore } from '../../src/store/postgres/pg-file-store.js';
import { describeFileStoreConformance } from '../conformance/file-store-suite.js';

const databaseUrl = 'postgres://postgres@127.0.0.1:5432/test';
const schemas = new Set<string>();

function newSchemaName(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const schema = `conclave_test_files_${[...randomBytes(12)].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
  schemas.add(schema);
  return schema;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client(clientConfig(parsePostgresUrl(databaseUrl)));
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
  schemas.delete(schema);
}

afterAll(async () => {
  for (const schema of [...schemas]) await dropSchema(schema);
});

describeFileStoreConformance({
  name: 'postgres',
  create: async () => createPostgresFileStore({ url: databaseUrl, schema: newSchemaName() }),
  destroy: async (store) => {
    await store.close();
    await dropSchema(store.target.schema);
  },
  capabilities: { reopen: async (store) => createPostgresFileStore({ url: databaseUrl, schema: store.target.schema }) },
});
