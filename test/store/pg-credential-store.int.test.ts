// Runs the credential store conformance suite on a real PostgreSQL server (127.0.0.1:5432, database
// test), each store in a schema of its own that is dropped afterwards; and checks that the table
// is created on first use beside the migrated tables, by two instances at once without a race.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../src/protocol/credentials.js';
import { createPostgresCredentialStore } from '../../src/store/postgres/pg-credential-store.js';
import { createPostgresResourceStore } from '../../src/store/postgres/pg-resource-store.js';
import { describeCredentialStoreConformance } from '../conformance/credential-store-suite.js';
import { dropSchema, postgresUrl, testPostgresUrl, uniqueSchema } from '../support/postgres.js';

const schemas = new Set<string>();
const schemaOf = new WeakMap<CredentialStore, string>();

afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

function newSchema(): string {
  const schema = uniqueSchema('cred');
  schemas.add(schema);
  return schema;
}

describeCredentialStoreConformance({
  name: 'postgres',
  create: async () => {
    const schema = newSchema();
    const store = createPostgresCredentialStore({ url: postgresUrl(schema), poolSize: 2 });
    schemaOf.set(store, schema);
    return store;
  },
  destroy: async (store) => {
    await store.close();
    await dropSchema(schemaOf.get(store) as string);
  },
  capabilities: { reopen: async (store) => createPostgresCredentialStore({ url: postgresUrl(schemaOf.get(store) as string), poolSize: 2 }) },
});

describe('the PostgreSQL credential table', () => {
  it('appears on first use beside the migrated tables, even with two instances racing', async () => {
    const schema = newSchema();
    const first = createPostgresCredentialStore({ url: postgresUrl(schema), poolSize: 2 });
    const second = createPostgresCredentialStore({ url: postgresUrl(schema), poolSize: 2 });
    const resources = createPostgresResourceStore({ url: postgresUrl(schema), poolSize: 2 });
    try {
      const record = { vaultId: 'vlt_x', workspace: 'w', displayName: null, metadata: {}, auth: { type: 'static_bearer', mcp_server_url: 'https://x' }, sealed: 's' };
      await Promise.all([first.createCredential({ ...record, id: 'vcrd_1' }), second.createCredential({ ...record, id: 'vcrd_2' })]);
      await resources.createResource({ kind: 'vault', id: 'vlt_x', workspace: 'w', body: { display_name: 'x' } });
      expect((await first.listCredentials('w', 'vlt_x')).items.map((item) => item.id).sort()).toEqual(['vcrd_1', 'vcrd_2']);
      const client = new pg.Client({ connectionString: testPostgresUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
        expect(rows.map((row) => row.table_name)).toEqual(expect.arrayContaining(['sessions', 'events', 'api_keys', 'resources', 'resource_versions', 'vault_credentials']));
      } finally {
        await client.end();
      }
    } finally {
      await Promise.all([first.close(), second.close(), resources.close()]);
    }
  });
});
