// Runs the file store suite on the in-memory store and on SQLite files, plus what only the SQLite
// store shows: sharing the session database file, and a large file written without holding the
// event loop for long.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/index.js';
import { createMemoryFileStore } from '../../src/store/memory-file-store.js';
import { openFileStore } from '../../src/store/open-file-store.js';
import { createSqliteFileStore } from '../../src/store/sqlite-file-store.js';
import { describeFileStoreConformance } from '../conformance/file-store-suite.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-files-'));
let databases = 0;

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function newDatabasePath(): string {
  databases += 1;
  return join(directory, `store-${databases}`, 'conclave.db');
}

describeFileStoreConformance({ name: 'memory', create: async () => createMemoryFileStore(), destroy: (store) => store.close(), capabilities: {} });

describeFileStoreConformance({
  name: 'sqlite',
  create: async () => createSqliteFileStore({ path: newDatabasePath() }),
  destroy: (store) => store.close(),
  capabilities: { reopen: async (store) => createSqliteFileStore({ path: store.path }) },
});

describe('the SQLite file store', () => {
  it('shares the session database file, in either opening order', async () => {
    const path = newDatabasePath();
    const files = await openFileStore({ db: path });
    const sessions = createSqliteStore({ path });
    await files.createFile({ id: 'file_1', workspace: 'default', filename: 'a.txt', mimeType: 'text/plain', content: new TextEncoder().encode('a') });
    expect(files.kind).toBe('sqlite');
    await sessions.close();
    await files.close();
    const again = createSqliteFileStore({ path });
    expect((await again.getFile('default', 'file_1'))?.sizeBytes).toBe(1);
    await again.close();
  });

  it('lets timers run while a 32 MiB file is written and read', async () => {
    const store = createSqliteFileStore({ path: newDatabasePath() });
    const content = new Uint8Array(32 * 1024 * 1024).fill(7);
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    try {
      await store.createFile({ id: 'file_large', workspace: 'default', filename: 'large.bin', mimeType: 'application/octet-stream', content });
      const read = await store.readFileContent('default', 'file_large');
      expect(read?.byteLength).toBe(content.byteLength);
    } finally {
      clearInterval(timer);
      await store.close();
    }
    // 32 chunks each way, with the loop running between them: timers fire during the transfer.
    expect(ticks).toBeGreaterThan(4);
  });
});
