/**
 * The PostgreSQL agent memory store: memory stores, memories and versions in tables of the schema
 * the sessions live in. Like the file and credential tables they are not a numbered migration: they
 * are created with IF NOT EXISTS under an advisory lock of their own, after the numbered migrations
 * made the schema, so they never compete for a migration number and an older conclave ignores them.
 * Full-text search is a generated `tsvector` column (`to_tsvector('simple', content)`) with a GIN
 * index, queried with `to_tsquery`. A write locks its store's row (`FOR UPDATE`), so the path checks
 * and the write are one step for concurrent writers of the same store, in any process.
 */
import type pg from 'pg';
import { ConclaveError } from '../protocol/errors.js';
import { createPostgresPool, parsePostgresUrl, type PostgresTarget } from '../store/postgres/pg-connection.js';
import { createTablesUnderLock, onceReady, pgTransaction, runStoreOperation } from '../store/postgres/pg-store-operations.js';
import { decodeResourceCursor, decodeVersionCursor, encodeResourceCursor, encodeVersionCursor, normalizeTimestamp, pageSize } from '../store/resource-paging.js';
import type {
  AgentMemoryStore,
  ListMemoriesOptions,
  ListMemoryStoresOptions,
  ListMemoryVersionsOptions,
  MemoryActor,
  MemoryChanges,
  MemoryDeletion,
  MemoryOperation,
  MemoryStoreChanges,
  MemoryStorePage,
  MemoryStoreRecord,
  MemoryVersionPage,
  NewMemory,
  NewMemoryStore,
  SearchMemoriesOptions,
} from './agent-memory-types.js';
import { listMemoryPage } from './memory-listing.js';
import { postgresAgentMemoryTables as tablesSql } from './postgres-agent-memory-schema.js';
import {
  ancestorPaths,
  archivedStore,
  checkPathPrefix,
  contentBytes,
  contentSha256,
  currentVersionConflict,
  MemoryPathConflictError,
  MemoryPreconditionError,
  memoryNotFound,
  prefixEnd,
  storeNotFound,
} from './memory-paths.js';
import { queryTerms, tsQuery } from './memory-search.js';
import {
  actorKey,
  memoryColumns,
  memoryStoreColumns,
  memoryVersionColumns,
  rowToMemory,
  rowToMemoryStore,
  rowToVersion,
  versionFilters,
  versionRecord,
  type MemoryRow,
  type MemoryStoreRow,
  type MemoryVersionRow,
  type StoredVersion,
} from './memory-versions.js';

export interface PostgresAgentMemoryStoreOptions {
  /** `postgres://user:password@host:5432/database?schema=conclave`. */
  url: string;
  /** Overrides the URL's `?schema=`. */
  schema?: string;
  /** Share a pool (not closed by `close()`). */
  pool?: pg.Pool;
  /** Connections of the store's own pool. Default 4. */
  poolSize?: number;
}

const qualifiedMemoryColumns = memoryColumns
  .split(', ')
  .map((column) => `m.${column}`)
  .join(', ');

type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * Opens the memory tables in the PostgreSQL schema named by `options` (created on first use).
 *
 * @example
 * const memory = createPostgresAgentMemoryStore({ url: 'postgres://postgres@127.0.0.1:5432/conclave' });
 * const page = await memory.listStores('default');
 * await memory.close();
 */
export function createPostgresAgentMemoryStore(options: PostgresAgentMemoryStoreOptions): AgentMemoryStore & { readonly kind: 'postgres'; readonly target: PostgresTarget } {
  const target = parsePostgresUrl(options.url, options.schema);
  const ownsPool = options.pool === undefined;
  const pool = options.pool ?? createPostgresPool(target, { max: options.poolSize ?? 4 });
  const storesTable = `${target.schema}.memory_stores`;
  const memoriesTable = `${target.schema}.memories`;
  const versionsTable = `${target.schema}.memory_versions`;
  let closed = false;

  const whenReady = onceReady(() => createTablesUnderLock(pool, target, `conclave:memory:${target.schema}`, (client) => client.query(tablesSql(target.schema))));
  const run = <T>(action: string, body: () => Promise<T>): Promise<T> => runStoreOperation({ action, what: 'memory store', target, closed, whenReady }, body);
  const transaction = <T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> => pgTransaction(pool, body);

  async function selectStore(client: Queryable, workspace: string, id: string, lock = false): Promise<MemoryStoreRow | undefined> {
    const { rows } = await client.query<MemoryStoreRow>(`SELECT ${memoryStoreColumns} FROM ${storesTable} WHERE id = $1 AND workspace = $2${lock ? ' FOR UPDATE' : ''}`, [id, workspace]);
    return rows[0];
  }

  async function existing(client: Queryable, workspace: string, id: string): Promise<MemoryStoreRow> {
    const row = await selectStore(client, workspace, id, true);
    if (row === undefined) throw storeNotFound(id);
    return row;
  }

  async function writable(client: Queryable, workspace: string, id: string): Promise<MemoryStoreRow> {
    const row = await existing(client, workspace, id);
    if (row.archived_at !== null) throw archivedStore(id);
    return row;
  }

  async function selectMemory(client: Queryable, storeId: string, memoryId: string): Promise<MemoryRow | undefined> {
    const { rows } = await client.query<MemoryRow>(`SELECT ${memoryColumns} FROM ${memoriesTable} WHERE id = $1 AND store_id = $2`, [memoryId, storeId]);
    return rows[0];
  }

  async function checkPath(client: Queryable, storeId: string, path: string, except: string): Promise<void> {
    const { rows } = await client.query<{ id: string; path: string }>(
      `SELECT id, path FROM ${memoriesTable} WHERE store_id = $1 AND id <> $2 AND (path = ANY($3::text[]) OR (path >= $4 AND path < $5)) ORDER BY path LIMIT 1`,
      [storeId, except, [path, ...ancestorPaths(path)], `${path}/`, prefixEnd(`${path}/`)],
    );
    const taken = rows[0];
    if (taken !== undefined) throw new MemoryPathConflictError(path, taken.path, taken.id);
  }

  async function addVersion(client: Queryable, storeId: string, memory: { id: string; path: string }, operation: MemoryOperation, content: string | null, write: { versionId: string; actor?: MemoryActor }, at: string): Promise<void> {
    await client.query(
      `INSERT INTO ${versionsTable} (id, store_id, memory_id, operation, path, content, content_sha256, size_bytes, created_at, created_by, created_by_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        write.versionId,
        storeId,
        memory.id,
        operation,
        memory.path,
        content,
        content === null ? null : contentSha256(content),
        content === null ? null : contentBytes(content),
        at,
        write.actor === undefined ? null : JSON.stringify(write.actor),
        actorKey(write.actor),
      ],
    );
  }

  return {
    specificationVersion: 'v1',
    kind: 'postgres',
    target,

    createStore: (store: NewMemoryStore) =>
      run(`cannot create memory store ${store.id}`, async () => {
        const createdAt = store.createdAt === undefined ? new Date().toISOString() : normalizeTimestamp(store.createdAt, 'createdAt');
        const { rows } = await pool.query<MemoryStoreRow>(
          `INSERT INTO ${storesTable} (id, workspace, name, description, metadata, created_at, updated_at, archived_at) VALUES ($1, $2, $3, $4, $5, $6, $6, NULL) RETURNING ${memoryStoreColumns}`,
          [store.id, store.workspace, store.name, store.description ?? '', JSON.stringify(store.metadata ?? {}), createdAt],
        );
        return rowToMemoryStore(rows[0] as MemoryStoreRow);
      }),

    getStore: (workspace: string, id: string) =>
      run(`cannot read memory store ${id}`, async () => {
        const row = await selectStore(pool, workspace, id);
        return row === undefined ? undefined : rowToMemoryStore(row);
      }),

    findStoresByName: (workspace: string, name: string) =>
      run(`cannot look up memory store "${name}"`, async () => {
        const { rows } = await pool.query<MemoryStoreRow>(`SELECT ${memoryStoreColumns} FROM ${storesTable} WHERE workspace = $1 AND name = $2 ORDER BY created_at, id`, [workspace, name]);
        return rows.map(rowToMemoryStore);
      }),

    updateStore: (workspace: string, id: string, changes: MemoryStoreChanges) =>
      run(`cannot update memory store ${id}`, () =>
        transaction(async (client): Promise<MemoryStoreRecord> => {
          const current = rowToMemoryStore(await existing(client, workspace, id));
          if (current.archivedAt !== null) throw new ConclaveError('invalid_argument', `memory store ${id} is archived and can no longer be changed`);
          const next = { ...current, ...changes, updatedAt: changes.updatedAt ?? new Date().toISOString() };
          const { rows } = await client.query<MemoryStoreRow>(`UPDATE ${storesTable} SET name = $1, description = $2, metadata = $3, updated_at = $4 WHERE id = $5 RETURNING ${memoryStoreColumns}`, [
            next.name,
            next.description,
            JSON.stringify(next.metadata),
            next.updatedAt,
            id,
          ]);
          return rowToMemoryStore(rows[0] as MemoryStoreRow);
        }),
      ),

    archiveStore: (workspace: string, id: string, at: string = new Date().toISOString()) =>
      run(`cannot archive memory store ${id}`, async () => {
        const { rows } = await pool.query<MemoryStoreRow>(
          `UPDATE ${storesTable} SET archived_at = coalesce(archived_at, $3), updated_at = CASE WHEN archived_at IS NULL THEN $3 ELSE updated_at END WHERE id = $1 AND workspace = $2 RETURNING ${memoryStoreColumns}`,
          [id, workspace, at],
        );
        if (rows[0] === undefined) throw storeNotFound(id);
        return rowToMemoryStore(rows[0]);
      }),

    deleteStore: (workspace: string, id: string) =>
      run(`cannot delete memory store ${id}`, () =>
        transaction(async (client) => {
          const deleted = await client.query(`DELETE FROM ${storesTable} WHERE id = $1 AND workspace = $2`, [id, workspace]);
          if ((deleted.rowCount ?? 0) === 0) return false;
          await client.query(`DELETE FROM ${memoriesTable} WHERE store_id = $1`, [id]);
          await client.query(`DELETE FROM ${versionsTable} WHERE store_id = $1`, [id]);
          return true;
        }),
      ),

    listStores: (workspace: string, listOptions: ListMemoryStoresOptions = {}): Promise<MemoryStorePage> =>
      run('cannot list memory stores', async () => {
        const limit = pageSize(listOptions.limit);
        const parameters: unknown[] = [workspace];
        let where = 'workspace = $1';
        const add = (clause: (index: number) => string, ...values: unknown[]): void => {
          where += ` AND ${clause(parameters.length + 1)}`;
          parameters.push(...values);
        };
        if (listOptions.includeArchived !== true) where += ' AND archived_at IS NULL';
        if (listOptions.createdGte !== undefined) add((at) => `created_at >= $${at}`, normalizeTimestamp(listOptions.createdGte, 'createdGte'));
        if (listOptions.createdLte !== undefined) add((at) => `created_at <= $${at}`, normalizeTimestamp(listOptions.createdLte, 'createdLte'));
        if (listOptions.cursor !== undefined) {
          const after = decodeResourceCursor(listOptions.cursor);
          add((at) => `(created_at, id) < ($${at}, $${at + 1})`, after.createdAt, after.id);
        }
        parameters.push(limit + 1);
        const { rows } = await pool.query<MemoryStoreRow>(`SELECT ${memoryStoreColumns} FROM ${storesTable} WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $${parameters.length}`, parameters);
        const records = rows.map(rowToMemoryStore);
        if (records.length <= limit) return { items: records, nextCursor: null };
        const items = records.slice(0, limit);
        return { items, nextCursor: encodeResourceCursor(items[items.length - 1] as MemoryStoreRecord) };
      }),

    createMemory: (workspace: string, storeId: string, memory: NewMemory) =>
      run(`cannot create memory ${memory.path}`, () =>
        transaction(async (client) => {
          await writable(client, workspace, storeId);
          await checkPath(client, storeId, memory.path, '');
          const at = memory.at ?? new Date().toISOString();
          const { rows } = await client.query<MemoryRow>(
            `INSERT INTO ${memoriesTable} (id, store_id, path, content, content_sha256, size_bytes, version_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ${memoryColumns}`,
            [memory.id, storeId, memory.path, memory.content, contentSha256(memory.content), contentBytes(memory.content), memory.versionId, at],
          );
          await addVersion(client, storeId, memory, 'created', memory.content, memory, at);
          return rowToMemory(rows[0] as MemoryRow);
        }),
      ),

    getMemory: (workspace: string, storeId: string, memoryId: string) =>
      run(`cannot read memory ${memoryId}`, async () => {
        const { rows } = await pool.query<MemoryRow>(
          `SELECT ${qualifiedMemoryColumns} FROM ${memoriesTable} m JOIN ${storesTable} s ON s.id = m.store_id WHERE m.id = $1 AND m.store_id = $2 AND s.workspace = $3`,
          [memoryId, storeId, workspace],
        );
        return rows[0] === undefined ? undefined : rowToMemory(rows[0]);
      }),

    getMemoryByPath: (workspace: string, storeId: string, memoryPath: string) =>
      run(`cannot read memory ${memoryPath}`, async () => {
        const { rows } = await pool.query<MemoryRow>(
          `SELECT ${qualifiedMemoryColumns} FROM ${memoriesTable} m JOIN ${storesTable} s ON s.id = m.store_id WHERE m.store_id = $1 AND m.path = $2 AND s.workspace = $3`,
          [storeId, memoryPath, workspace],
        );
        return rows[0] === undefined ? undefined : rowToMemory(rows[0]);
      }),

    updateMemory: (workspace: string, storeId: string, memoryId: string, changes: MemoryChanges) =>
      run(`cannot update memory ${memoryId}`, () =>
        transaction(async (client) => {
          await writable(client, workspace, storeId);
          const current = await selectMemory(client, storeId, memoryId);
          if (current === undefined) throw memoryNotFound(memoryId, storeId);
          const path = changes.path ?? current.path;
          const content = changes.content ?? current.content;
          const unchanged = path === current.path && content === current.content;
          if (changes.expectedSha256 !== undefined && changes.expectedSha256 !== current.content_sha256 && !unchanged) throw new MemoryPreconditionError(memoryId, changes.expectedSha256);
          if (unchanged) return rowToMemory(current);
          if (path !== current.path) await checkPath(client, storeId, path, memoryId);
          const at = changes.at ?? new Date().toISOString();
          const { rows } = await client.query<MemoryRow>(
            `UPDATE ${memoriesTable} SET path = $1, content = $2, content_sha256 = $3, size_bytes = $4, version_id = $5, updated_at = $6 WHERE id = $7 RETURNING ${memoryColumns}`,
            [path, content, contentSha256(content), contentBytes(content), changes.versionId, at, memoryId],
          );
          await addVersion(client, storeId, { id: memoryId, path }, 'modified', content, changes, at);
          return rowToMemory(rows[0] as MemoryRow);
        }),
      ),

    deleteMemory: (workspace: string, storeId: string, memoryId: string, deletion: MemoryDeletion) =>
      run(`cannot delete memory ${memoryId}`, () =>
        transaction(async (client) => {
          await existing(client, workspace, storeId);
          const current = await selectMemory(client, storeId, memoryId);
          if (current === undefined) return false;
          if (deletion.expectedSha256 !== undefined && deletion.expectedSha256 !== current.content_sha256) throw new MemoryPreconditionError(memoryId, deletion.expectedSha256);
          await client.query(`DELETE FROM ${memoriesTable} WHERE id = $1`, [memoryId]);
          await addVersion(client, storeId, current, 'deleted', null, deletion, deletion.at ?? new Date().toISOString());
          return true;
        }),
      ),

    listMemories: (workspace: string, storeId: string, listOptions: ListMemoriesOptions = {}) =>
      run('cannot list memories', async () => {
        const prefix = checkPathPrefix(listOptions.pathPrefix ?? '/');
        const known = (await selectStore(pool, workspace, storeId)) !== undefined;
        return listMemoryPage(listOptions, async (bound, count) => {
          if (!known) return [];
          const { rows } = await pool.query<MemoryRow>(
            `SELECT ${memoryColumns} FROM ${memoriesTable} WHERE store_id = $1 AND path >= $2 AND path < $3 AND path ${bound.inclusive ? '>=' : '>'} $4 ORDER BY path LIMIT $5`,
            [storeId, prefix, prefixEnd(prefix), bound.path, count],
          );
          return rows.map(rowToMemory);
        });
      }),

    searchMemories: (workspace: string, storeId: string, query: string, searchOptions: SearchMemoriesOptions = {}) =>
      run('cannot search memories', async () => {
        const terms = queryTerms(query);
        const prefix = searchOptions.pathPrefix === undefined ? '/' : checkPathPrefix(searchOptions.pathPrefix);
        if ((await selectStore(pool, workspace, storeId)) === undefined) return [];
        const { rows } = await pool.query<MemoryRow & { rank: number }>(
          `SELECT ${qualifiedMemoryColumns}, ts_rank(m.content_tsv, q) AS rank FROM ${memoriesTable} m, to_tsquery('simple', $1) q
           WHERE m.store_id = $2 AND m.path >= $3 AND m.path < $4 AND m.content_tsv @@ q ORDER BY rank DESC, m.path LIMIT $5`,
          [tsQuery(terms), storeId, prefix, prefixEnd(prefix), pageSize(searchOptions.limit ?? 10)],
        );
        return rows.map((row) => ({ memory: rowToMemory(row), score: Number(row.rank) }));
      }),

    getVersion: (workspace: string, storeId: string, versionId: string) =>
      run(`cannot read memory version ${versionId}`, async () => {
        const { rows } = await pool.query<MemoryVersionRow>(
          `SELECT ${memoryVersionColumns
            .split(', ')
            .map((column) => `v.${column}`)
            .join(', ')} FROM ${versionsTable} v JOIN ${storesTable} s ON s.id = v.store_id WHERE v.id = $1 AND v.store_id = $2 AND s.workspace = $3`,
          [versionId, storeId, workspace],
        );
        return rows[0] === undefined ? undefined : versionRecord(rowToVersion(rows[0]));
      }),

    listVersions: (workspace: string, storeId: string, listOptions: ListMemoryVersionsOptions = {}): Promise<MemoryVersionPage> =>
      run('cannot list memory versions', async () => {
        const limit = pageSize(listOptions.limit);
        const filters = versionFilters(listOptions);
        if (filters.impossible === true || (await selectStore(pool, workspace, storeId)) === undefined) return { items: [], nextCursor: null };
        const parameters: unknown[] = [storeId];
        let where = 'store_id = $1';
        const add = (clause: string, value: unknown): void => {
          parameters.push(value);
          where += ` AND ${clause} $${parameters.length}`;
        };
        if (filters.memoryId !== undefined) add('memory_id =', filters.memoryId);
        if (filters.operation !== undefined) add('operation =', filters.operation);
        if (filters.actor !== undefined) add('created_by_key =', filters.actor);
        if (filters.createdGte !== undefined) add('created_at >=', filters.createdGte);
        if (filters.createdLte !== undefined) add('created_at <=', filters.createdLte);
        if (listOptions.cursor !== undefined) add('seq <', decodeVersionCursor(listOptions.cursor));
        parameters.push(limit + 1);
        const { rows } = await pool.query<MemoryVersionRow>(`SELECT ${memoryVersionColumns} FROM ${versionsTable} WHERE ${where} ORDER BY seq DESC LIMIT $${parameters.length}`, parameters);
        const versions = rows.map(rowToVersion);
        if (versions.length <= limit) return { items: versions.map(versionRecord), nextCursor: null };
        const items = versions.slice(0, limit);
        return { items: items.map(versionRecord), nextCursor: encodeVersionCursor((items[items.length - 1] as StoredVersion).seq) };
      }),

    redactVersion: (workspace: string, storeId: string, versionId: string, actor?: MemoryActor, at: string = new Date().toISOString()) =>
      run(`cannot redact memory version ${versionId}`, () =>
        transaction(async (client) => {
          await existing(client, workspace, storeId);
          const { rows } = await client.query<MemoryVersionRow>(`SELECT ${memoryVersionColumns} FROM ${versionsTable} WHERE id = $1 AND store_id = $2`, [versionId, storeId]);
          const version = rows[0];
          if (version === undefined) throw new ConclaveError('not_found', `no memory version ${versionId} in memory store ${storeId}`);
          if ((await selectMemory(client, storeId, version.memory_id))?.version_id === versionId) throw currentVersionConflict(versionId, version.memory_id);
          const redacted = await client.query<MemoryVersionRow>(
            `UPDATE ${versionsTable} SET path = NULL, content = NULL, content_sha256 = NULL, size_bytes = NULL, redacted_at = coalesce(redacted_at, $1), redacted_by = CASE WHEN redacted_at IS NULL THEN $2 ELSE redacted_by END
             WHERE id = $3 RETURNING ${memoryVersionColumns}`,
            [at, actor === undefined ? null : JSON.stringify(actor), versionId],
          );
          return versionRecord(rowToVersion(redacted.rows[0] as MemoryVersionRow));
        }),
      ),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (ownsPool) await pool.end();
    },
  };
}
