// Runs the resource store conformance suite on the in-memory store and on SQLite files, plus what
// only the SQLite store and openResourceStore do: sharing the session database file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createId } from '../../src/protocol/ids.js';
import {
  createMemoryResourceStore,
  createSqliteResourceStore,
  createSqliteStore,
  openResourceStore,
  type SqliteResourceStore,
} from '../../src/store/index.js';
import { describeResourceStoreConformance } from '../conformance/resource-store-suite.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-resources-'));
let databases = 0;

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function newDatabasePath(): string {
  databases += 1;
  return join(directory, `store-${databases}`, 'conclave.db');
}

describeResourceStoreConformance({
  name: 'memory',
  create: async () => createMemoryResourceStore(),
  destroy: (store) => store.close(),
  capabilities: {},
});

describeResourceStoreConformance<SqliteResourceStore>({
  name: 'sqlite',
  create: async () => createSqliteResourceStore({ path: newDatabasePath() }),
  destroy: async (store) => {
    await store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${store.path}${suffix}`, { force: true });
  },
  capabilities: { reopen: async (store) => createSqliteResourceStore({ path: store.path }) },
});

function sessionCreated() {
  return { id: createId('event'), type: 'session.created', at: new Date().toISOString(), data: { topology: 'pipeline', task: 't', seed: 1, document: {} } };
}

describe('the SQLite resource store and the session database', () => {
  it('shares one file with the session store, whichever opens it first', async () => {
    for (const resourcesFirst of [true, false]) {
      const path = newDatabasePath();
      const first = resourcesFirst ? createSqliteResourceStore({ path }) : createSqliteStore({ path });
      const second = resourcesFirst ? createSqliteStore({ path }) : createSqliteResourceStore({ path });
      const sessions = (resourcesFirst ? second : first) as ReturnType<typeof createSqliteStore>;
      const resources = (resourcesFirst ? first : second) as SqliteResourceStore;
      try {
        await sessions.append('sesn_1', 1, [sessionCreated()]);
        const agent = await resources.createResource({ kind: 'agent', id: createId('agent'), workspace: 'w', body: { name: 'a' } });
        expect(await sessions.head('sesn_1')).toBe(1);
        expect((await resources.getResource('agent', 'w', agent.id))?.body).toEqual({ name: 'a' });
      } finally {
        await sessions.close();
        await resources.close();
      }
      // Reopened in the other order, both find their data.
      const reopenedSessions = createSqliteStore({ path });
      const reopenedResources = createSqliteResourceStore({ path });
      try {
        expect(await reopenedSessions.head('sesn_1')).toBe(1);
        expect((await reopenedResources.listResources('agent', 'w')).items).toHaveLength(1);
      } finally {
        await reopenedSessions.close();
        await reopenedResources.close();
      }
    }
  });

  it('sees what another instance on the same file wrote, and enforces versions across them', async () => {
    const path = newDatabasePath();
    const left = createSqliteResourceStore({ path });
    const right = createSqliteResourceStore({ path });
    try {
      const id = createId('agent');
      await left.createResource({ kind: 'agent', id, workspace: 'w', body: { n: 1 } });
      await right.updateResource('agent', 'w', id, { n: 2 }, 1);
      await expect(left.updateResource('agent', 'w', id, { n: 3 }, 1)).rejects.toMatchObject({ code: 'version_conflict' });
      expect((await left.getResource('agent', 'w', id))?.body).toEqual({ n: 2 });
    } finally {
      await left.close();
      await right.close();
    }
  });

  it('openResourceStore follows --db, CONCLAVE_DB and :memory: like openStore', async () => {
    const memory = openResourceStore({ db: ':memory:' });
    expect(memory.kind).toBe('memory');
    await memory.close();
    const cwd = join(directory, 'project');
    const fromEnv = openResourceStore({ env: { CONCLAVE_DB: 'env.db' }, cwd }) as SqliteResourceStore;
    expect(fromEnv.path).toBe(join(cwd, 'env.db'));
    await fromEnv.close();
    const fromOption = openResourceStore({ db: 'flag.db', env: { CONCLAVE_DB: 'env.db' }, cwd }) as SqliteResourceStore;
    expect(fromOption.path).toBe(join(cwd, 'flag.db'));
    await fromOption.close();
  });

  it('reports a closed store as store_error', async () => {
    const store = createSqliteResourceStore({ path: newDatabasePath() });
    await store.close();
    await expect(store.listKeys()).rejects.toMatchObject({ code: 'store_error' });
  });
});
