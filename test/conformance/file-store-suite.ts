/**
 * The one suite every file store runs (memory, SQLite, PostgreSQL): content comes back byte for
 * byte (empty, multi-chunk and binary files included), listings page through every file once,
 * another workspace's file or resource does not exist, deleting a file leaves the resources that
 * name it, and a durable store's second instance sees the first one's writes.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileStore } from '../../src/protocol/files.js';
import { createId } from '../../src/protocol/ids.js';
import type { StoreConformanceInit } from './store-conformance-init.js';

/** How a file store joins this suite. */
export type FileStoreConformanceInit<S extends FileStore = FileStore> = StoreConformanceInit<S>;

const baseTime = Date.parse('2025-01-01T00:00:00.000Z');
const time = (seconds: number): string => new Date(baseTime + seconds * 1000).toISOString();
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/**
 * Registers the file store suite for one store.
 *
 * @example
 * describeFileStoreConformance({ name: 'memory', create: async () => createMemoryFileStore(), destroy: (store) => store.close(), capabilities: {} });
 */
export function describeFileStoreConformance<S extends FileStore>(init: FileStoreConformanceInit<S>): void {
  describe(`file store conformance: ${init.name}`, () => {
    let store: S;

    beforeEach(async () => {
      store = await init.create();
    });

    afterEach(async () => {
      await init.destroy(store);
    });

    it('keeps metadata and returns the content byte for byte', async () => {
      const content = randomBytes(2.5 * 1024 * 1024);
      const record = await store.createFile({ id: 'file_big', workspace: 'a', filename: 'data.bin', mimeType: 'application/octet-stream', content });
      expect(record).toMatchObject({ id: 'file_big', workspace: 'a', filename: 'data.bin', mimeType: 'application/octet-stream', sizeBytes: content.byteLength });
      expect(await store.getFile('a', 'file_big')).toEqual(record);
      expect(Buffer.from((await store.readFileContent('a', 'file_big')) as Uint8Array).equals(content)).toBe(true);
      await store.createFile({ id: 'file_empty', workspace: 'a', filename: 'empty.txt', mimeType: 'text/plain', content: new Uint8Array() });
      expect((await store.readFileContent('a', 'file_empty'))?.byteLength).toBe(0);
    });

    it('refuses a second file with the same id', async () => {
      await store.createFile({ id: 'file_1', workspace: 'a', filename: 'x', mimeType: 'text/plain', content: text('x') });
      await expect(store.createFile({ id: 'file_1', workspace: 'a', filename: 'y', mimeType: 'text/plain', content: text('y') })).rejects.toMatchObject({ code: 'store_conflict' });
      expect(Buffer.from((await store.readFileContent('a', 'file_1')) as Uint8Array).toString()).toBe('x');
    });

    it('hides another workspace’s files', async () => {
      await store.createFile({ id: 'file_a', workspace: 'a', filename: 'x', mimeType: 'text/plain', content: text('secret') });
      expect(await store.getFile('b', 'file_a')).toBeUndefined();
      expect(await store.readFileContent('b', 'file_a')).toBeUndefined();
      expect(await store.deleteFile('b', 'file_a')).toBe(false);
      expect((await store.listFiles('b')).items).toEqual([]);
      expect(await store.getFile('a', 'file_a')).toBeDefined();
    });

    it('lists newest first and pages through every file exactly once', async () => {
      for (let index = 0; index < 7; index += 1) {
        await store.createFile({ id: `file_${index}`, workspace: 'a', filename: `${index}.txt`, mimeType: 'text/plain', content: text(String(index)), createdAt: time(index % 3) });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await store.listFiles('a', { limit: 3, ...(cursor !== undefined ? { cursor } : {}) });
        seen.push(...page.items.map((item) => item.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(['file_5', 'file_2', 'file_4', 'file_1', 'file_6', 'file_3', 'file_0']);
      await expect(store.listFiles('a', { cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'invalid_argument' });
    });

    it('deletes a file and its content, leaving resources that name it', async () => {
      await store.createFile({ id: 'file_gone', workspace: 'a', filename: 'x', mimeType: 'text/plain', content: text('bye') });
      await store.addSessionResource({ id: 'sesrsc_1', workspace: 'a', sessionId: 'sesn_1', fileId: 'file_gone', mountPath: '/mnt/session/uploads/x' });
      expect(await store.deleteFile('a', 'file_gone')).toBe(true);
      expect(await store.deleteFile('a', 'file_gone')).toBe(false);
      expect(await store.getFile('a', 'file_gone')).toBeUndefined();
      expect(await store.readFileContent('a', 'file_gone')).toBeUndefined();
      expect((await store.listSessionResources('sesn_1')).map((resource) => resource.fileId)).toEqual(['file_gone']);
    });

    it('keeps session resources per session, in the order they were added', async () => {
      const first = await store.addSessionResource({ id: 'sesrsc_b', workspace: 'a', sessionId: 'sesn_1', fileId: 'file_1', mountPath: '/mnt/session/one', createdAt: time(1) });
      await store.addSessionResource({ id: 'sesrsc_a', workspace: 'a', sessionId: 'sesn_1', fileId: 'file_2', mountPath: '/mnt/session/two', createdAt: time(2) });
      await store.addSessionResource({ id: 'sesrsc_c', workspace: 'a', sessionId: 'sesn_2', fileId: 'file_1', mountPath: '/mnt/session/one', createdAt: time(0) });
      expect(first).toEqual({ id: 'sesrsc_b', workspace: 'a', sessionId: 'sesn_1', type: 'file', fileId: 'file_1', mountPath: '/mnt/session/one', createdAt: time(1), updatedAt: time(1) });
      expect((await store.listSessionResources('sesn_1')).map((resource) => resource.id)).toEqual(['sesrsc_b', 'sesrsc_a']);
      expect(await store.getSessionResource('a', 'sesn_1', 'sesrsc_b')).toEqual(first);
      expect(await store.getSessionResource('b', 'sesn_1', 'sesrsc_b')).toBeUndefined();
      expect(await store.getSessionResource('a', 'sesn_2', 'sesrsc_b')).toBeUndefined();
      await expect(store.addSessionResource({ id: 'sesrsc_b', workspace: 'a', sessionId: 'sesn_1', fileId: 'file_3', mountPath: '/x' })).rejects.toMatchObject({ code: 'store_conflict' });
      expect(await store.deleteSessionResource('b', 'sesn_1', 'sesrsc_b')).toBe(false);
      expect(await store.deleteSessionResource('a', 'sesn_1', 'sesrsc_b')).toBe(true);
      expect((await store.listSessionResources('sesn_1')).map((resource) => resource.id)).toEqual(['sesrsc_a']);
    });

    it.skipIf(init.capabilities.reopen === undefined)('shows one instance’s writes to another on the same data', async () => {
      const other = await (init.capabilities.reopen as (store: S) => Promise<S>)(store);
      try {
        const id = createId('file');
        await store.createFile({ id, workspace: 'a', filename: 'shared.txt', mimeType: 'text/plain', content: text('shared') });
        await store.addSessionResource({ id: createId('sessionResource'), workspace: 'a', sessionId: 'sesn_x', fileId: id, mountPath: '/mnt/session/shared.txt' });
        expect(Buffer.from((await other.readFileContent('a', id)) as Uint8Array).toString()).toBe('shared');
        expect(await other.listSessionResources('sesn_x')).toHaveLength(1);
      } finally {
        await other.close();
      }
    });
  });
}
