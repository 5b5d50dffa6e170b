/**
 * The embedded file store: uploaded files and session resources in the same SQLite file as the
 * session logs and the resource tables (better-sqlite3, WAL). Content is stored as BLOB chunks
 * (file-store-rows.ts): each chunk is its own short statement with the event loop running between
 * them, so a 32 MiB upload never holds the loop for more than one chunk's write. The `files` row is
 * written last, so a crash mid-upload leaves only unreachable chunks, removed by the next write of
 * the same id or never seen. Tables are created with IF NOT EXISTS, like the resource tables, and
 * `PRAGMA user_version` (the session store's) is left alone.
 */
import { sqliteStoreError } from './store-errors.js';
import { resolve } from 'node:path';
import { ConclaveError } from '../protocol/errors.js';
import type { FilePage, FileStore, ListFilesOptions, NewFile, NewSessionFileResource } from '../protocol/files.js';
import {
  contentChunks,
  fileColumns,
  joinChunks,
  rowToFile,
  rowToSessionResource,
  sessionResourceColumns,
  yieldToEventLoop,
  type FileRow,
  type SessionResourceRow,
} from './file-store-rows.js';
import { decodeResourceCursor, encodeResourceCursor, normalizeTimestamp, pageSize } from './resource-paging.js';
import { openWalDatabase } from './sqlite-database.js';

export interface SqliteFileStoreOptions {
  /** Database file (usually the session database). `:memory:` for a private database. */
  path: string;
  /** How long a writer waits for another process's transaction before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
}

const schema = `
  CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    filename TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS files_by_workspace ON files (workspace, created_at DESC, id DESC);
  CREATE TABLE IF NOT EXISTS file_chunks (
    file_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (file_id, seq)
  );
  CREATE TABLE IF NOT EXISTS session_resources (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    session_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    mount_path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS session_resources_by_session ON session_resources (session_id, created_at, id);`;

/**
 * Opens (creating if needed) the file tables in the SQLite file at `options.path`.
 *
 * @example
 * const files = createSqliteFileStore({ path: '.conclave/conclave.db' });
 * const page = await files.listFiles('default');
 */
export function createSqliteFileStore(options: SqliteFileStoreOptions): FileStore & { readonly kind: 'sqlite'; readonly path: string } {
  const path = options.path === ':memory:' ? options.path : resolve(options.path);
  const db = openWalDatabase(path, options.busyTimeoutMs ?? 5000, 'the file tables in', (opened) => opened.exec(schema));

  const insertChunk = db.prepare<[string, number, Uint8Array]>('INSERT INTO file_chunks (file_id, seq, data) VALUES (?, ?, ?)');
  const deleteChunks = db.prepare<[string]>('DELETE FROM file_chunks WHERE file_id = ?');
  const selectChunk = db.prepare<[string, number], { data: Buffer }>('SELECT data FROM file_chunks WHERE file_id = ? AND seq = ?');
  const insertFile = db.prepare<[string, string, string, string, number, string]>(
    'INSERT INTO files (id, workspace, filename, mime_type, size_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectFileById = db.prepare<[string], FileRow>(`SELECT ${fileColumns} FROM files WHERE id = ?`);
  const selectFile = db.prepare<[string, string], FileRow>(`SELECT ${fileColumns} FROM files WHERE id = ? AND workspace = ?`);
  const selectFiles = db.prepare<[string, number], FileRow>(`SELECT ${fileColumns} FROM files WHERE workspace = ? ORDER BY created_at DESC, id DESC LIMIT ?`);
  const selectFilesAfter = db.prepare<[string, string, string, string, number], FileRow>(
    `SELECT ${fileColumns} FROM files WHERE workspace = ? AND (created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT ?`,
  );
  const deleteFileRow = db.prepare<[string, string]>('DELETE FROM files WHERE id = ? AND workspace = ?');
  const insertResource = db.prepare<[string, string, string, string, string, string, string]>(
    'INSERT INTO session_resources (id, workspace, session_id, file_id, mount_path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const selectResource = db.prepare<[string, string, string], SessionResourceRow>(
    `SELECT ${sessionResourceColumns} FROM session_resources WHERE id = ? AND workspace = ? AND session_id = ?`,
  );
  const selectResources = db.prepare<[string], SessionResourceRow>(`SELECT ${sessionResourceColumns} FROM session_resources WHERE session_id = ? ORDER BY created_at, id`);
  const deleteResource = db.prepare<[string, string, string]>('DELETE FROM session_resources WHERE id = ? AND workspace = ? AND session_id = ?');

  const deleteFileTransaction = db.transaction((workspace: string, id: string): boolean => {
    if (deleteFileRow.run(id, workspace).changes === 0) return false;
    deleteChunks.run(id);
    return true;
  });

  let closed = false;

  async function run<T>(action: string, body: () => T | Promise<T>): Promise<T> {
    if (closed) throw new ConclaveError('store_error', `${action}: the file store at ${path} is closed`);
    try {
      return await body();
    } catch (error) {
      throw sqliteStoreError(error, action, path);
    }
  }

  return {
    specificationVersion: 'v1',
    kind: 'sqlite',
    path,

    createFile: (file: NewFile) =>
      run(`cannot store file ${file.id}`, async () => {
        const createdAt = file.createdAt === undefined ? new Date().toISOString() : normalizeTimestamp(file.createdAt, 'createdAt');
        if (selectFileById.get(file.id) !== undefined) throw new ConclaveError('store_conflict', `cannot store file ${file.id}: it already exists`);
        // Chunks of an upload that died half-way under the same id would collide: clear them first.
        deleteChunks.run(file.id);
        try {
          for (const [seq, chunk] of contentChunks(file.content).entries()) {
            insertChunk.run(file.id, seq, chunk);
            await yieldToEventLoop();
          }
          insertFile.run(file.id, file.workspace, file.filename, file.mimeType, file.content.byteLength, createdAt);
        } catch (error) {
          deleteChunks.run(file.id);
          throw error;
        }
        return rowToFile(selectFileById.get(file.id) as FileRow);
      }),

    getFile: (workspace: string, id: string) =>
      run(`cannot read file ${id}`, () => {
        const row = selectFile.get(id, workspace);
        return row === undefined ? undefined : rowToFile(row);
      }),

    readFileContent: (workspace: string, id: string) =>
      run(`cannot read the content of file ${id}`, async () => {
        const row = selectFile.get(id, workspace);
        if (row === undefined) return undefined;
        const size = Number(row.size_bytes);
        const chunks: Uint8Array[] = [];
        for (let seq = 0, read = 0; read < size; seq += 1) {
          const chunk = selectChunk.get(id, seq);
          if (chunk === undefined) throw new ConclaveError('store_error', `file ${id} is missing content chunk ${seq}`);
          chunks.push(chunk.data);
          read += chunk.data.byteLength;
          await yieldToEventLoop();
        }
        return joinChunks(chunks, size);
      }),

    listFiles: (workspace: string, listOptions: ListFilesOptions = {}): Promise<FilePage> =>
      run('cannot list files', () => {
        const limit = pageSize(listOptions.limit);
        const after = listOptions.cursor === undefined ? undefined : decodeResourceCursor(listOptions.cursor);
        const rows = after === undefined ? selectFiles.all(workspace, limit + 1) : selectFilesAfter.all(workspace, after.createdAt, after.createdAt, after.id, limit + 1);
        const records = rows.map(rowToFile);
        if (records.length <= limit) return { items: records, nextCursor: null };
        const items = records.slice(0, limit);
        return { items, nextCursor: encodeResourceCursor(items[items.length - 1] as { createdAt: string; id: string }) };
      }),

    deleteFile: (workspace: string, id: string) => run(`cannot delete file ${id}`, () => deleteFileTransaction.immediate(workspace, id)),

    addSessionResource: (resource: NewSessionFileResource) =>
      run(`cannot add session resource ${resource.id}`, () => {
        const createdAt = resource.createdAt === undefined ? new Date().toISOString() : normalizeTimestamp(resource.createdAt, 'createdAt');
        insertResource.run(resource.id, resource.workspace, resource.sessionId, resource.fileId, resource.mountPath, createdAt, createdAt);
        return rowToSessionResource(selectResource.get(resource.id, resource.workspace, resource.sessionId) as SessionResourceRow);
      }),

    getSessionResource: (workspace: string, sessionId: string, id: string) =>
      run(`cannot read session resource ${id}`, () => {
        const row = selectResource.get(id, workspace, sessionId);
        return row === undefined ? undefined : rowToSessionResource(row);
      }),

    listSessionResources: (sessionId: string) => run(`cannot list the resources of session ${sessionId}`, () => selectResources.all(sessionId).map(rowToSessionResource)),

    deleteSessionResource: (workspace: string, sessionId: string, id: string) =>
      run(`cannot delete session resource ${id}`, () => deleteResource.run(id, workspace, sessionId).changes > 0),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
