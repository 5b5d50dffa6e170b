// The vaults and credentials API on the memory and SQLite stores (see the shared cases in
// test/conformance/vault-api-suite.ts; PostgreSQL runs them in managed-vaults-pg.int.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createMemoryResourceStore, createSqliteResourceStore } from '../../src/store/index.js';
import { createMemoryCredentialStore } from '../../src/store/memory-credential-store.js';
import { createSqliteCredentialStore } from '../../src/store/sqlite-credential-store.js';
import { describeVaultApi } from '../conformance/vault-api-suite.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-vault-api-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describeVaultApi({ name: 'memory', create: async () => ({ resources: createMemoryResourceStore(), credentials: createMemoryCredentialStore() }) });

describeVaultApi({
  name: 'sqlite',
  create: async () => {
    const path = join(directory, 'conclave.db');
    return { resources: createSqliteResourceStore({ path }), credentials: createSqliteCredentialStore({ path }) };
  },
});
