// The vaults and credentials API on a real PostgreSQL server (a schema of its own, dropped after):
// the shared cases of test/conformance/vault-api-suite.ts.
import { afterAll } from 'vitest';
import { createPostgresResourceStore } from '../../src/store/postgres/pg-resource-store.js';
import { createPostgresCredentialStore } from '../../src/store/postgres/pg-credential-store.js';
import { describeVaultApi } from '../conformance/vault-api-suite.js';
import { dropSchema, postgresUrl, uniqueSchema } from '../support/postgres.js';

const schema = uniqueSchema('vault_api');
afterAll(() => dropSchema(schema));

describeVaultApi({
  name: 'postgres',
  create: async () => ({
    resources: createPostgresResourceStore({ url: postgresUrl(schema), poolSize: 2 }),
    credentials: createPostgresCredentialStore({ url: postgresUrl(schema), poolSize: 2 }),
  }),
});
