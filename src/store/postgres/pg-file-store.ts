/**
 * The PostgreSQL file store: uploaded files (bytea chunks, see file-store-rows.ts) and session
 * resources in the same schema as the session logs and resource tables. The file tables are not a
 * numbered migration: they are created with IF NOT EXISTS, under the migration advisory lock, after
 * the numbered migrations ran — so the file store never competes for a migration number with other
 * stores added alongside it, and an older conclave opening the schema simply ignores them. A file is
 * written in one transaction (chunks, then its row), so it is visible whole or not at all.
 */
import type pg from 'pg';
import { ConclaveError } from '../../protocol/errors.js';
import type { FilePage, FileStore, ListFilesOptions, NewFile, NewSessionFileResource } from '../../protocol/files.js';
import { contentChunks, fileColumns, joinChunks, rowToFile, rowToSessionResource, sessionResourceColumns, type FileRow, type SessionResourceRow } from '../file-store-rows.js';
import { decodeResourceCursor, encodeResourceCursor, normalizeTimestamp, pageSize } from '../resource-paging.js';
import { createPostgresPool, parsePostgresUrl, type PostgresTarget } from './pg-connection.js';
import { createTablesUnderLock, onceReady, pgTransaction, runStoreOperation } from './pg-store-operations.js';

export interface PostgresFileStoreOptions {
  /** `postgres://user:password@host:5432/database?schema=conclave`. */
  url: string;
  /** Overrides the URL's `?schema=`. */
  schema?: string;
  /** Share a pool (not closed by `close()`). */
  pool?: pg.Pool;
  /** Connections of the store's own pool. Default 4. */
  poolSize?: number;
}

const fileTablesSql = `
  CREATE TABLE IF NOT EXISTS files (
    id text COLLATE "C" PRIMARY KEY,
    workspace text NOT NULL,
    filename text NOT NULL,
    mime_type text NOT NULL,
    size_bytes bigint NOT NULL,
    created_at text COLLATE "C" NOT NULL
  );
  CREATE INDEX IF NOT EXISTS files_by_workspace ON files (workspace, created_at DESC, id DESC);
  CREATE TABLE IF NOT EXISTS file_chunks (
    file_id text NOT NULL,
    seq integer NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (file_id, seq)
  );
  CREATE TABLE IF NOT EXISTS session_resources (
    id text COLLATE "C" PRIMARY KEY,
    workspace text NOT NULL,
    session_id text NOT NULL,
    file_id text NOT NULL,
    mount_path text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    updated_at text NOT NULL
  );
  CREATE INDEX IF NOT EXISTS session_resources_by_session ON session_resources (session_id, created_at, id);`;


/**
 * Opens the file tables in the PostgreSQL schema named by `options` (created on first use).
 *
 * @example
 * const files = createPostgresFileStore({ url: 'postgres://postgres@127.0.0.1:5432/conclave' });
 * const page = await files.listFiles('default');
 * await files.close();
 */
export function createPostgresFileStore(options: PostgresFileStoreOptions): FileStore & { readonly kind: 'postgres'; readonly target: PostgresTarget } {
  const target = parsePostgresUrl(options.url, options.schema);
  const ownsPool = options.pool === undefined;
  const pool = options.pool ?? createPostgresPool(target, { max: options.poolSize ?? 4 });
  const files = `${target.schema}.files`;
  const chunks = `${target.schema}.file_chunks`;
  const resources = `${target.schema}.session_resources`;
  let closed = false;

  // The tables are created once, under the migration's advisory lock, after the numbered migrations.
  const whenReady = onceReady(() => createTablesUnderLock(pool, target, `conclave:migrate:${target.schema}`, (client) => client.query(fileTablesSql)));
  const run = <T>(action: string, body: () => Promise<T>): Promise<T> => runStoreOperation({ action, what: 'file store', target, closed, whenReady }, body);
  const transaction = <T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> => pgTransaction(pool, body);


  return {
    specificationVersion: 'v1',
    kind: 'postgres',
    target,

    createFile: (file: NewFile) =>
      run(`cannot store file ${file.id}`, async () => {
        const createdAt = file.createdAt === undefined ? new Date().toISOString() : normalizeTimestamp(file.createdAt, 'createdAt');
        const row = await transaction(async (client) => {
          for (const [seq, chunk] of contentChunks(file.content).entries()) {
            await client.query(`INSERT INTO ${chunks} (file_id, seq, data) VALUES ($1, $2, $3)`, [file.id, seq, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)]);
          }
          const { rows } = await client.query<FileRow>(
            `INSERT INTO ${files} (id, workspace, filename, mime_type, size_bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${fileColumns}`,
            [file.id, file.workspace, file.filename, file.mimeType, file.content.byteLength, createdAt],
          );
          return rows[0] as FileRow;
        });
        return rowToFile(row);
      }),

    getFile: (workspace: string, id: string) =>
      run(`cannot read file ${id}`, async () => {
        const { rows } = await pool.query<FileRow>(`SELECT ${fileColumns} FROM ${files} WHERE id = $1 AND workspace = $2`, [id, workspace]);
        return rows[0] === undefined ? undefined : rowToFile(rows[0]);
      }),

    readFileContent: (workspace: string, id: string) =>
      run(`cannot read the content of file ${id}`, async () => {
        // One snapshot for the row and its chunks, so a concurrent delete cannot cut the content.
        return transaction(async (client) => {
          await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
          const { rows } = await client.query<FileRow>(`SELECT ${fileColumns} FROM ${files} WHERE id = $1 AND workspace = $2`, [id, workspace]);
          const row = rows[0];
          if (row === undefined) return undefined;
          const size = Number(row.size_bytes);
          const parts: Uint8Array[] = [];
          for (let seq = 0, read = 0; read < size; seq += 1) {
            const chunk = await client.query<{ data: Buffer }>(`SELECT data FROM ${chunks} WHERE file_id = $1 AND seq = $2`, [id, seq]);
            const data = chunk.rows[0]?.data;
            if (data === undefined) throw new ConclaveError('store_error', `file ${id} is missing content chunk ${seq}`);
            parts.push(data);
            read += data.byteLength;
          }
          return joinChunks(parts, size);
        });
      }),

    listFiles: (workspace: string, listOptions: ListFilesOptions = {}): Promise<FilePage> =>
      run('cannot list files', async () => {
        const limit = pageSize(listOptions.limit);
        const after = listOptions.cursor === undefined ? undefined : decodeResourceCursor(listOptions.cursor);
        const { rows } =
          after === undefined
            ? await pool.query<FileRow>(`SELECT ${fileColumns} FROM ${files} WHERE workspace = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [workspace, limit + 1])
            : await pool.query<FileRow>(
                `SELECT ${fileColumns} FROM ${files} WHERE workspace = $1 AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT $4`,
                [workspace, after.createdAt, after.id, limit + 1],
              );
        const records = rows.map(rowToFile);
        if (records.length <= limit) return { items: records, nextCursor: null };
        const items = records.slice(0, limit);
        return { items, nextCursor: encodeResourceCursor(items[items.length - 1] as { createdAt: string; id: string }) };
      }),

    deleteFile: (workspace: string, id: string) =>
      run(`cannot delete file ${id}`, () =>
        transaction(async (client) => {
          const deleted = await client.query(`DELETE FROM ${files} WHERE id = $1 AND workspace = $2`, [id, workspace]);
          if (deleted.rowCount === 0) return false;
          await client.query(`DELETE FROM ${chunks} WHERE file_id = $1`, [id]);
          return true;
        }),
      ),

    addSessionResource: (resource: NewSessionFileResource) =>
      run(`cannot add session resource ${resource.id}`, async () => {
        const createdAt = resource.createdAt === undefined ? new Date().toISOString() : normalizeTimestamp(resource.createdAt, 'createdAt');
        const { rows } = await pool.query<SessionResourceRow>(
          `INSERT INTO ${resources} (id, workspace, session_id, file_id, mount_path, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ${sessionResourceColumns}`,
          [resource.id, resource.workspace, resource.sessionId, resource.fileId, resource.mountPath, createdAt],
        );
        return rowToSessionResource(rows[0] as SessionResourceRow);
      }),

    getSessionResource: (workspace: string, sessionId: string, id: string) =>
      run(`cannot read session resource ${id}`, async () => {
        const { rows } = await pool.query<SessionResourceRow>(`SELECT ${sessionResourceColumns} FROM ${resources} WHERE id = $1 AND workspace = $2 AND session_id = $3`, [
          id,
          workspace,
          sessionId,
        ]);
        return rows[0] === undefined ? undefined : rowToSessionResource(rows[0]);
      }),

    listSessionResources: (sessionId: string) =>
      run(`cannot list the resources of session ${sessionId}`, async () => {
        const { rows } = await pool.query<SessionResourceRow>(`SELECT ${sessionResourceColumns} FROM ${resources} WHERE session_id = $1 ORDER BY created_at, id`, [sessionId]);
        return rows.map(rowToSessionResource);
      }),

    deleteSessionResource: (workspace: string, sessionId: string, id: string) =>
      run(`cannot delete session resource ${id}`, async () => {
        const deleted = await pool.query(`DELETE FROM ${resources} WHERE id = $1 AND workspace = $2 AND session_id = $3`, [id, workspace, sessionId]);
        return (deleted.rowCount ?? 0) > 0;
      }),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (ownsPool) await pool.end();
    },
  };
}
