// Runs the session store conformance suite on SQLite files in a temporary directory (with real child
// processes for the cross-process and kill -9 cases), plus what only the SQLite store and openStore do.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createId } from '../../src/protocol/ids.js';
import { createSqliteStore, openStore, resolveDatabasePath, sqliteSchemaVersion, type SqliteSessionStore } from '../../src/store/index.js';
import { describeSessionStoreConformance } from '../conformance/session-store-suite.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-sqlite-'));
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const childWriter = fileURLToPath(new URL('../fixtures/store-child-writer.ts', import.meta.url));
let databases = 0;

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function newDatabasePath(): string {
  databases += 1;
  return join(directory, `store-${databases}`, 'conclave.db');
}

describeSessionStoreConformance<SqliteSessionStore>({
  name: 'sqlite',
  create: async () => createSqliteStore({ path: newDatabasePath() }),
  destroy: async (store) => {
    await store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${store.path}${suffix}`, { force: true });
  },
  capabilities: {
    crossProcess: true,
    reopen: async (store) => createSqliteStore({ path: store.path }),
    childWriter: {
      command: (store, { sessionId, writer, count }) => ({
        command: process.execPath,
        args: ['--import', 'tsx', childWriter, store.path, sessionId, writer, String(count)],
        cwd: projectRoot,
      }),
    },
  },
});

function createdEvent(task: string) {
  return { id: createId('event'), type: 'session.created', at: new Date().toISOString(), data: { topology: 'pipeline', task, seed: 1, document: {} } };
}

describe('openStore and resolveDatabasePath', () => {
  it('prefers --db, then CONCLAVE_DB, then ./.conclave/conclave.db under the working directory', () => {
    const cwd = join(directory, 'project');
    expect(resolveDatabasePath({ db: 'flag.db', env: { CONCLAVE_DB: '/env/conclave.db' }, cwd })).toBe(join(cwd, 'flag.db'));
    expect(resolveDatabasePath({ env: { CONCLAVE_DB: '/env/conclave.db' }, cwd })).toBe('/env/conclave.db');
    expect(resolveDatabasePath({ env: { CONCLAVE_DB: 'relative/x.db' }, cwd })).toBe(join(cwd, 'relative', 'x.db'));
    expect(resolveDatabasePath({ env: {}, cwd })).toBe(join(cwd, '.conclave', 'conclave.db'));
    expect(resolveDatabasePath({ db: '', env: { CONCLAVE_DB: '  ' }, cwd })).toBe(join(cwd, '.conclave', 'conclave.db'));
    expect(resolveDatabasePath({ db: pathToFileURL('/data/c.db').href, env: {}, cwd })).toBe('/data/c.db');
  });

  it('selects the memory store for :memory: and memory:', async () => {
    for (const db of [':memory:', 'memory:']) {
      expect(resolveDatabasePath({ db, env: {} })).toBe(':memory:');
      const store = openStore({ db, env: {} });
      expect(store.kind).toBe('memory');
      await store.close();
    }
    const fromEnv = openStore({ env: { CONCLAVE_DB: ':memory:' } });
    expect(fromEnv.kind).toBe('memory');
    await fromEnv.close();
  });

  it('refuses a database URL it cannot open, naming where it came from; takes postgres:// URLs as they are', () => {
    expect(() => resolveDatabasePath({ env: { CONCLAVE_DB: 'mysql://localhost/conclave' } })).toThrow(
      expect.objectContaining({ code: 'invalid_argument', message: expect.stringContaining('CONCLAVE_DB') }),
    );
    expect(() => resolveDatabasePath({ db: 'mongodb://localhost/conclave', env: {} })).toThrow(expect.objectContaining({ message: expect.stringContaining('--store') }));
    expect(resolveDatabasePath({ env: { CONCLAVE_STORE: 'postgres://db/conclave', CONCLAVE_DB: 'other.db' } })).toBe('postgres://db/conclave');
  });

  it('creates the default database and its directory only when the store is opened', async () => {
    const cwd = join(directory, `default-${createId('run')}`);
    const path = resolveDatabasePath({ env: {}, cwd });
    expect(existsSync(join(cwd, '.conclave'))).toBe(false);
    const store = openStore({ env: {}, cwd });
    expect(store.kind).toBe('sqlite');
    expect(existsSync(path)).toBe(true);
    await store.close();
  });
});

describe('sqlite store', () => {
  it('creates missing parent directories of the database file', async () => {
    const path = join(directory, 'deep', 'er', 'still', 'conclave.db');
    const store = createSqliteStore({ path });
    expect(store.path).toBe(path);
    expect(existsSync(path)).toBe(true);
    await store.close();
  });

  it('keeps events and summaries after close and reopen', async () => {
    const path = newDatabasePath();
    const sessionId = createId('session');
    const first = createSqliteStore({ path });
    await first.append(sessionId, 1, [createdEvent('write the changelog')]);
    await first.append(sessionId, 2, [{ id: createId('event'), type: 'session.status_idle', at: new Date().toISOString(), data: { stopReason: 'end_turn' } }]);
    await first.close();

    const second = createSqliteStore({ path });
    expect((await second.read(sessionId)).map((event) => event.type)).toEqual(['session.created', 'session.status_idle']);
    expect(await second.getSession(sessionId)).toMatchObject({ status: 'idle', title: 'write the changelog', lastSeq: 2 });
    await second.append(sessionId, 3, [{ id: createId('event'), type: 'user.message', at: new Date().toISOString(), data: { text: 'again' } }]);
    expect(await second.head(sessionId)).toBe(3);
    await second.close();
  });

  it('uses WAL and records its schema version', async () => {
    const path = newDatabasePath();
    const store = createSqliteStore({ path });
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(sqliteSchemaVersion);
    raw.close();
    await store.close();
  });

  it('refuses a database written by a newer schema, and a file that is not a database', async () => {
    const newer = newDatabasePath();
    await createSqliteStore({ path: newer }).close();
    const raw = new Database(newer);
    raw.pragma(`user_version = ${sqliteSchemaVersion + 1}`);
    raw.close();
    expect(() => createSqliteStore({ path: newer })).toThrow(expect.objectContaining({ code: 'store_error', message: expect.stringContaining('newer') }));

    const notADatabase = join(directory, 'notes.txt');
    writeFileSync(notADatabase, 'these are not the tables you are looking for\n'.repeat(200));
    expect(() => createSqliteStore({ path: notADatabase })).toThrow(
      expect.objectContaining({ code: 'store_error', message: expect.stringContaining(notADatabase) }),
    );
  });

  it('rejects operations after close with store_error', async () => {
    const store = createSqliteStore({ path: newDatabasePath() });
    await store.close();
    await store.close();
    await expect(store.head(createId('session'))).rejects.toMatchObject({ code: 'store_error' });
    await expect(store.append(createId('session'), 1, [createdEvent('late')])).rejects.toMatchObject({ code: 'store_error' });
  });
});
