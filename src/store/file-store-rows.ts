/**
 * What the SQL file stores (SQLite and PostgreSQL) share: the rows they read and how each becomes a
 * record, and how content is cut into chunks. Content is stored as chunks of at most 1 MiB, one row
 * each, so that writing or reading a large file is a series of short statements between which the
 * event loop runs (better-sqlite3 is synchronous), and a file row is written only after its chunks,
 * so a file is never visible half-stored.
 */
import type { FileRecord, SessionFileResource } from '../protocol/files.js';

/** Bytes of one content chunk. */
export const fileChunkBytes = 1024 * 1024;

/** A `files` row. */
export interface FileRow {
  id: string;
  workspace: string;
  filename: string;
  mime_type: string;
  size_bytes: number | string;
  created_at: string;
}

/** A `session_resources` row. */
export interface SessionResourceRow {
  id: string;
  workspace: string;
  session_id: string;
  file_id: string;
  mount_path: string;
  created_at: string;
  updated_at: string;
}

/** The `files` columns, in `FileRow` order. */
export const fileColumns = 'id, workspace, filename, mime_type, size_bytes, created_at';

/** The `session_resources` columns, in `SessionResourceRow` order. */
export const sessionResourceColumns = 'id, workspace, session_id, file_id, mount_path, created_at, updated_at';

/**
 * A file record from its row (PostgreSQL returns a `bigint` as a string).
 *
 * @example
 * const file = rowToFile(selectFile.get(id, workspace));
 */
export function rowToFile(row: FileRow): FileRecord {
  return { id: row.id, workspace: row.workspace, filename: row.filename, mimeType: row.mime_type, sizeBytes: Number(row.size_bytes), createdAt: row.created_at };
}

/**
 * A session resource from its row.
 *
 * @example
 * const resources = selectResources.all(sessionId).map(rowToSessionResource);
 */
export function rowToSessionResource(row: SessionResourceRow): SessionFileResource {
  return {
    id: row.id,
    workspace: row.workspace,
    sessionId: row.session_id,
    type: 'file',
    fileId: row.file_id,
    mountPath: row.mount_path,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * `content` cut into chunks of `fileChunkBytes` (views, not copies); an empty file has no chunk.
 *
 * @example
 * for (const [seq, chunk] of contentChunks(file.content).entries()) insertChunk.run(file.id, seq, chunk);
 */
export function contentChunks(content: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < content.byteLength; start += fileChunkBytes) chunks.push(content.subarray(start, start + fileChunkBytes));
  return chunks;
}

/**
 * Joins chunks read back into one buffer of the file's size.
 *
 * @example
 * const bytes = joinChunks(rows.map((row) => row.data), file.sizeBytes);
 */
export function joinChunks(chunks: readonly Uint8Array[], sizeBytes: number): Uint8Array {
  const joined = new Uint8Array(sizeBytes);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}

/**
 * Lets the event loop run (pending I/O, timers) before the next chunk.
 *
 * @example
 * for (const chunk of chunks) { insertChunk.run(…); await yieldToEventLoop(); }
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
