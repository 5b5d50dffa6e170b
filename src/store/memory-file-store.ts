/**
 * The reference file store: files and session resources in one process's memory. Tests and
 * `--db :memory:` use it, and the shared file store suite holds the SQL stores to its behaviour.
 * Content is copied in and out, so a caller can never change stored bytes through a reference.
 */
import { ConclaveError } from '../protocol/errors.js';
import type { FilePage, FileRecord, FileStore, ListFilesOptions, NewFile, NewSessionFileResource, SessionFileResource } from '../protocol/files.js';
import { comesAfter, compareListingOrder, decodeResourceCursor, encodeResourceCursor, normalizeTimestamp, pageSize } from './resource-paging.js';

interface StoredFile {
  record: FileRecord;
  content: Uint8Array;
}

/**
 * Creates an empty in-memory file store.
 *
 * @example
 * const files = createMemoryFileStore();
 * await files.createFile({ id: createId('file'), workspace: 'default', filename: 'a.txt', mimeType: 'text/plain', content: new TextEncoder().encode('hi') });
 */
export function createMemoryFileStore(): FileStore {
  const files = new Map<string, StoredFile>();
  const resources = new Map<string, SessionFileResource>();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new ConclaveError('store_error', 'the memory file store is closed');
  }

  function find(workspace: string, id: string): StoredFile | undefined {
    const stored = files.get(id);
    return stored !== undefined && stored.record.workspace === workspace ? stored : undefined;
  }

  return {
    specificationVersion: 'v1',
    kind: 'memory',

    async createFile(file: NewFile): Promise<FileRecord> {
      assertOpen();
      if (files.has(file.id)) throw new ConclaveError('store_conflict', `file ${file.id} already exists`);
      const createdAt = file.createdAt === undefined ? new Date().toISOString() : normalizeTimestamp(file.createdAt, 'createdAt');
      const record: FileRecord = { id: file.id, workspace: file.workspace, filename: file.filename, mimeType: file.mimeType, sizeBytes: file.content.byteLength, createdAt };
      files.set(file.id, { record, content: Uint8Array.from(file.content) });
      return { ...record };
    },

    async getFile(workspace: string, id: string): Promise<FileRecord | undefined> {
      assertOpen();
      const stored = find(workspace, id);
      return stored === undefined ? undefined : { ...stored.record };
    },

    async readFileContent(workspace: string, id: string): Promise<Uint8Array | undefined> {
      assertOpen();
      const stored = find(workspace, id);
      return stored === undefined ? undefined : Uint8Array.from(stored.content);
    },

    async listFiles(workspace: string, options: ListFilesOptions = {}): Promise<FilePage> {
      assertOpen();
      const limit = pageSize(options.limit);
      const after = options.cursor === undefined ? undefined : decodeResourceCursor(options.cursor);
      const candidates = [...files.values()]
        .map((stored) => stored.record)
        .filter((record) => record.workspace === workspace && (after === undefined || comesAfter(record, after)))
        .sort(compareListingOrder)
        .slice(0, limit + 1)
        .map((record) => ({ ...record }));
      if (candidates.length <= limit) return { items: candidates, nextCursor: null };
      const items = candidates.slice(0, limit);
      return { items, nextCursor: encodeResourceCursor(items[items.length - 1] as FileRecord) };
    },

    async deleteFile(workspace: string, id: string): Promise<boolean> {
      assertOpen();
      return find(workspace, id) !== undefined && files.delete(id);
    },

    async addSessionResource(resource: NewSessionFileResource): Promise<SessionFileResource> {
      assertOpen();
      if (resources.has(resource.id)) throw new ConclaveError('store_conflict', `session resource ${resource.id} already exists`);
      const createdAt = resource.createdAt === undefined ? new Date().toISOString() : normalizeTimestamp(resource.createdAt, 'createdAt');
      const record: SessionFileResource = {
        id: resource.id,
        workspace: resource.workspace,
        sessionId: resource.sessionId,
        type: 'file',
        fileId: resource.fileId,
        mountPath: resource.mountPath,
        createdAt,
        updatedAt: createdAt,
      };
      resources.set(record.id, record);
      return { ...record };
    },

    async getSessionResource(workspace: string, sessionId: string, id: string): Promise<SessionFileResource | undefined> {
      assertOpen();
      const record = resources.get(id);
      return record !== undefined && record.workspace === workspace && record.sessionId === sessionId ? { ...record } : undefined;
    },

    async listSessionResources(sessionId: string): Promise<SessionFileResource[]> {
      assertOpen();
      return [...resources.values()]
        .filter((record) => record.sessionId === sessionId)
        .sort((left, right) => (left.createdAt === right.createdAt ? (left.id < right.id ? -1 : 1) : left.createdAt < right.createdAt ? -1 : 1))
        .map((record) => ({ ...record }));
    },

    async deleteSessionResource(workspace: string, sessionId: string, id: string): Promise<boolean> {
      assertOpen();
      const record = resources.get(id);
      if (record === undefined || record.workspace !== workspace || record.sessionId !== sessionId) return false;
      return resources.delete(id);
    },

    async close(): Promise<void> {
      closed = true;
    },
  };
}
