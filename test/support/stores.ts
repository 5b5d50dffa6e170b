// The stores every kernel and topology suite runs against (STYLE: kernel suites run on every store).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { createSqliteStore } from '../../src/store/sqlite-store.js';
import type { SessionStore } from '../../src/protocol/index.js';

export interface StoreFixture {
  name: string;
  create(): SessionStore;
  cleanup(): void;
}

export function storeFixtures(): StoreFixture[] {
  let directory: string | undefined;
  return [
    { name: 'memory', create: () => createMemoryStore(), cleanup: () => undefined },
    {
      name: 'sqlite',
      create: () => {
        directory ??= mkdtempSync(join(tmpdir(), 'conclave-kernel-'));
        return createSqliteStore({ path: join(directory, 'conclave.db') });
      },
      cleanup: () => {
        if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
        directory = undefined;
      },
    },
  ];
}
