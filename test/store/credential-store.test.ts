// Runs the credential store conformance suite on the memory and SQLite stores, and checks that the
// SQLite credential table sits beside the session and resource tables of one file without
// touching them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../src/protocol/credentials.js';
import { createMemoryCredentialStore } from '../../src/store/memory-credential-store.js';
import { createSqliteCredentialStore } from '../../src/store/sqlite-credential-store.js';
import { createSqliteResourceStore, createSqliteStore } from '../../src/store/index.js';
import { describeCredentialStoreConformance } from '../conformance/credential-store-suite.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-credentials-'));
let databases = 0;
const paths = new WeakMap<CredentialStore, string>();

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function newDatabasePath(): string {
  databases += 1;
  return join(directory, `store-${databases}`, 'conclave.db');
}

describeCredentialStoreConformance({
  name: 'memory',
  create: async () => createMemoryCredentialStore(),
  destroy: (store) => store.close(),
  capabilities: {},
});

describeCredentialStoreConformance({
  name: 'sqlite',
  create: async () => {
    const path = newDatabasePath();
    const store = createSqliteCredentialStore({ path });
    paths.set(store, path);
    return store;
  },
  destroy: async (store) => {
    await store.close();
    const path = paths.get(store) as string;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  },
  capabilities: { reopen: async (store) => createSqliteCredentialStore({ path: paths.get(store) as string }) },
});

describe('the SQLite credential table', () => {
  it('lives in the session database beside the other tables, opened in any order', async () => {
    const path = newDatabasePath();
    const credentials = createSqliteCredentialStore({ path });
    const sessions = createSqliteStore({ path });
    const resources = createSqliteResourceStore({ path });
    await credentials.createCredential({ id: 'vcrd_x', vaultId: 'vlt_x', workspace: 'w', displayName: null, metadata: {}, auth: { type: 'static_bearer', mcp_server_url: 'https://x' }, sealed: 's' });
    await resources.createResource({ kind: 'vault', id: 'vlt_x', workspace: 'w', body: { display_name: 'x' } });
    await Promise.all([credentials.close(), sessions.close(), resources.close()]);
    const db = new Database(path, { readonly: true });
    try {
      const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((row) => row.name);
      expect(tables).toEqual(expect.arrayContaining(['events', 'sessions', 'resources', 'resource_versions', 'api_keys', 'vault_credentials']));
    } finally {
      db.close();
    }
  });
});
