/**
 * The embedded agent memory store: memory stores, memories and their versions in tables of the
 * same SQLite file as the sessions (better-sqlite3, WAL), created with IF NOT EXISTS like the file
 * and credential tables, so the session store's `user_version` is left alone. Full-text search is
 * an FTS5 index over the memories' content (external content, kept in step by triggers). Every
 * write is one IMMEDIATE transaction: the path checks, the memory row and its version commit
 * together or not at all, and concurrent writers (other processes on the file) queue on the lock.
 */
import { sqliteStoreError } from '../store/store-errors.js';
import { resolve } from 'node:path';
import { ConclaveError } from '../protocol/errors.js';
import { decodeResourceCursor, decodeVersionCursor, encodeResourceCursor, encodeVersionCursor, normalizeTimestamp, pageSize } from '../store/resource-paging.js';
import { openWalDatabase } from '../store/sqlite-database.js';
import type {
  AgentMemoryStore,
  ListMemoriesOptions,
  ListMemoryStoresOptions,
  ListMemoryVersionsOptions,
  MemoryActor,
  MemoryChanges,
  MemoryDeletion,
  MemoryOperation,
  MemoryRecord,
  MemoryStoreChanges,
  MemoryStorePage,
  MemoryStoreRecord,
  MemoryVersionPage,
  NewMemory,
  NewMemoryStore,
  SearchMemoriesOptions,
} from './agent-memory-types.js';
import { listMemoryPage } from './memory-listing.js';
import { sqliteAgentMemorySchema as schema } from './sqlite-agent-memory-schema.js';
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
import { fts5Query, queryTerms } from './memory-search.js';
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

export interface SqliteAgentMemoryStoreOptions {
  /** Database file (usually the session database). `:memory:` for a private database. */
  path: string;
  /** How long a writer waits for another process's transaction before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
}

const qualifiedMemoryColumns = memoryColumns
  .split(', ')
  .map((column) => `m.${column}`)
  .join(', ');

/**
 * Opens (creating if needed) the memory tables in the SQLite file at `options.path`.
 *
 * @example
 * const memory = createSqliteAgentMemoryStore({ path: '.conclave/conclave.db' });
 * const page = await memory.listStores('default');
 */
export function createSqliteAgentMemoryStore(options: SqliteAgentMemoryStoreOptions): AgentMemoryStore & { readonly kind: 'sqlite'; readonly path: string } {
  const path = options.path === ':memory:' ? options.path : resolve(options.path);
  const db = openWalDatabase(path, options.busyTimeoutMs ?? 5000, 'the memory store tables in', (opened) => opened.exec(schema));

  const insertStore = db.prepare<[string, string, string, string, string, string, string]>(
    'INSERT INTO memory_stores (id, workspace, name, description, metadata, created_at, updated_at, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)',
  );
  const selectStore = db.prepare<[string, string], MemoryStoreRow>(`SELECT ${memoryStoreColumns} FROM memory_stores WHERE id = ? AND workspace = ?`);
  const selectStoresByName = db.prepare<[string, string], MemoryStoreRow>(`SELECT ${memoryStoreColumns} FROM memory_stores WHERE workspace = ? AND name = ? ORDER BY created_at, id`);
  const updateStoreRow = db.prepare<[string, string, string, string, string]>('UPDATE memory_stores SET name = ?, description = ?, metadata = ?, updated_at = ? WHERE id = ?');
  const archiveStoreRow = db.prepare<[string, string, string]>('UPDATE memory_stores SET archived_at = ?, updated_at = ? WHERE id = ? AND archived_at IS NULL');
  const deleteStoreRow = db.prepare<[string, string]>('DELETE FROM memory_stores WHERE id = ? AND workspace = ?');
  const deleteStoreMemories = db.prepare<[string]>('DELETE FROM memories WHERE store_id = ?');
  const deleteStoreVersions = db.prepare<[string]>('DELETE FROM memory_versions WHERE store_id = ?');

  const insertMemory = db.prepare<[string, string, string, string, string, number, string, string, string]>(
    'INSERT INTO memories (id, store_id, path, content, content_sha256, size_bytes, version_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const selectMemory = db.prepare<[string, string], MemoryRow>(`SELECT ${memoryColumns} FROM memories WHERE id = ? AND store_id = ?`);
  const selectMemoryById = db.prepare<[string], MemoryRow>(`SELECT ${memoryColumns} FROM memories WHERE id = ?`);
  const selectMemoryByPath = db.prepare<[string, string], MemoryRow>(`SELECT ${memoryColumns} FROM memories WHERE store_id = ? AND path = ?`);
  const selectAtPaths = db.prepare<[string, string, string], { id: string; path: string }>(
    'SELECT id, path FROM memories WHERE store_id = ? AND path IN (SELECT value FROM json_each(?)) AND id != ? ORDER BY path LIMIT 1',
  );
  const selectBelow = db.prepare<[string, string, string, string], { id: string; path: string }>(
    'SELECT id, path FROM memories WHERE store_id = ? AND path >= ? AND path < ? AND id != ? ORDER BY path LIMIT 1',
  );
  const updateMemoryRow = db.prepare<[string, string, string, number, string, string, string]>(
    'UPDATE memories SET path = ?, content = ?, content_sha256 = ?, size_bytes = ?, version_id = ?, updated_at = ? WHERE id = ?',
  );
  const deleteMemoryRow = db.prepare<[string]>('DELETE FROM memories WHERE id = ?');
  const selectFrom = db.prepare<[string, string, string, string, number], MemoryRow>(`SELECT ${memoryColumns} FROM memories WHERE store_id = ? AND path >= ? AND path < ? AND path >= ? ORDER BY path LIMIT ?`);
  const selectAfter = db.prepare<[string, string, string, string, number], MemoryRow>(`SELECT ${memoryColumns} FROM memories WHERE store_id = ? AND path >= ? AND path < ? AND path > ? ORDER BY path LIMIT ?`);
  const search = db.prepare<[string, string, string, string, number], MemoryRow & { rank: number }>(
    `SELECT ${qualifiedMemoryColumns}, bm25(memories_fts) AS rank FROM memories_fts JOIN memories m ON m.seq = memories_fts.rowid
     WHERE memories_fts MATCH ? AND m.store_id = ? AND m.path >= ? AND m.path < ? ORDER BY rank, m.path LIMIT ?`,
  );

  const insertVersion = db.prepare<[string, string, string, string, string, string | null, string | null, number | null, string, string | null, string | null]>(
    `INSERT INTO memory_versions (id, store_id, memory_id, operation, path, content, content_sha256, size_bytes, created_at, created_by, created_by_key)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectVersion = db.prepare<[string, string], MemoryVersionRow>(`SELECT ${memoryVersionColumns} FROM memory_versions WHERE id = ? AND store_id = ?`);
  const redactVersionRow = db.prepare<[string, string | null, string]>(
    'UPDATE memory_versions SET path = NULL, content = NULL, content_sha256 = NULL, size_bytes = NULL, redacted_at = ?, redacted_by = ? WHERE id = ? AND redacted_at IS NULL',
  );

  let closed = false;

  async function run<T>(action: string, body: () => T | Promise<T>): Promise<T> {
    if (closed) throw new ConclaveError('store_error', `${action}: the memory store tables at ${path} are closed`);
    try {
      return await body();
    } catch (error) {
      throw sqliteStoreError(error, action, path);
    }
  }

  function existing(workspace: string, id: string): MemoryStoreRow {
    const row = selectStore.get(id, workspace);
    if (row === undefined) throw storeNotFound(id);
    return row;
  }

  function writable(workspace: string, id: string): MemoryStoreRow {
    const row = existing(workspace, id);
    if (row.archived_at !== null) throw archivedStore(id);
    return row;
  }

  function checkPath(storeId: string, path: string, except: string): void {
    const taken = selectAtPaths.get(storeId, JSON.stringify([path, ...ancestorPaths(path)]), except) ?? selectBelow.get(storeId, `${path}/`, prefixEnd(`${path}/`), except);
    if (taken !== undefined) throw new MemoryPathConflictError(path, taken.path, taken.id);
  }

  function addVersion(storeId: string, memory: { id: string; path: string }, operation: MemoryOperation, content: string | null, write: { versionId: string; actor?: MemoryActor }, at: string): void {
    insertVersion.run(
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
    );
  }

  const createMemoryTransaction = db.transaction((workspace: string, storeId: string, memory: NewMemory): MemoryRow => {
    writable(workspace, storeId);
    checkPath(storeId, memory.path, '');
    const at = memory.at ?? new Date().toISOString();
    insertMemory.run(memory.id, storeId, memory.path, memory.content, contentSha256(memory.content), contentBytes(memory.content), memory.versionId, at, at);
    addVersion(storeId, memory, 'created', memory.content, memory, at);
    return selectMemoryById.get(memory.id) as MemoryRow;
  });

  const updateMemoryTransaction = db.transaction((workspace: string, storeId: string, memoryId: string, changes: MemoryChanges): MemoryRow => {
    writable(workspace, storeId);
    const current = selectMemory.get(memoryId, storeId);
    if (current === undefined) throw memoryNotFound(memoryId, storeId);
    const path = changes.path ?? current.path;
    const content = changes.content ?? current.content;
    const unchanged = path === current.path && content === current.content;
    if (changes.expectedSha256 !== undefined && changes.expectedSha256 !== current.content_sha256 && !unchanged) throw new MemoryPreconditionError(memoryId, changes.expectedSha256);
    if (unchanged) return current;
    if (path !== current.path) checkPath(storeId, path, memoryId);
    const at = changes.at ?? new Date().toISOString();
    updateMemoryRow.run(path, content, contentSha256(content), contentBytes(content), changes.versionId, at, memoryId);
    addVersion(storeId, { id: memoryId, path }, 'modified', content, changes, at);
    return selectMemoryById.get(memoryId) as MemoryRow;
  });

  const deleteMemoryTransaction = db.transaction((workspace: string, storeId: string, memoryId: string, deletion: MemoryDeletion): boolean => {
    existing(workspace, storeId);
    const current = selectMemory.get(memoryId, storeId);
    if (current === undefined) return false;
    if (deletion.expectedSha256 !== undefined && deletion.expectedSha256 !== current.content_sha256) throw new MemoryPreconditionError(memoryId, deletion.expectedSha256);
    deleteMemoryRow.run(memoryId);
    addVersion(storeId, current, 'deleted', null, deletion, deletion.at ?? new Date().toISOString());
    return true;
  });

  const deleteStoreTransaction = db.transaction((workspace: string, id: string): boolean => {
    if (deleteStoreRow.run(id, workspace).changes === 0) return false;
    deleteStoreMemories.run(id);
    deleteStoreVersions.run(id);
    return true;
  });

  const redactTransaction = db.transaction((workspace: string, storeId: string, versionId: string, actor: MemoryActor | undefined, at: string): MemoryVersionRow => {
    existing(workspace, storeId);
    const version = selectVersion.get(versionId, storeId);
    if (version === undefined) throw new ConclaveError('not_found', `no memory version ${versionId} in memory store ${storeId}`);
    if (selectMemory.get(version.memory_id, storeId)?.version_id === versionId) throw currentVersionConflict(versionId, version.memory_id);
    redactVersionRow.run(at, actor === undefined ? null : JSON.stringify(actor), versionId);
    return selectVersion.get(versionId, storeId) as MemoryVersionRow;
  });

  return {
    specificationVersion: 'v1',
    kind: 'sqlite',
    path,

    createStore: (store: NewMemoryStore) =>
      run(`cannot create memory store ${store.id}`, () => {
        const createdAt = store.createdAt === undefined ? new Date().toISOString() : normalizeTimestamp(store.createdAt, 'createdAt');
        insertStore.run(store.id, store.workspace, store.name, store.description ?? '', JSON.stringify(store.metadata ?? {}), createdAt, createdAt);
        return rowToMemoryStore(selectStore.get(store.id, store.workspace) as MemoryStoreRow);
      }),

    getStore: (workspace: string, id: string) =>
      run(`cannot read memory store ${id}`, () => {
        const row = selectStore.get(id, workspace);
        return row === undefined ? undefined : rowToMemoryStore(row);
      }),

    findStoresByName: (workspace: string, name: string) => run(`cannot look up memory store "${name}"`, () => selectStoresByName.all(workspace, name).map(rowToMemoryStore)),

    updateStore: (workspace: string, id: string, changes: MemoryStoreChanges) =>
      run(`cannot update memory store ${id}`, () =>
        db
          .transaction((): MemoryStoreRecord => {
            const current = rowToMemoryStore(existing(workspace, id));
            if (current.archivedAt !== null) throw new ConclaveError('invalid_argument', `memory store ${id} is archived and can no longer be changed`);
            const next = { ...current, ...changes, updatedAt: changes.updatedAt ?? new Date().toISOString() };
            updateStoreRow.run(next.name, next.description, JSON.stringify(next.metadata), next.updatedAt, id);
            return rowToMemoryStore(selectStore.get(id, workspace) as MemoryStoreRow);
          })
          .immediate(),
      ),

    archiveStore: (workspace: string, id: string, at: string = new Date().toISOString()) =>
      run(`cannot archive memory store ${id}`, () =>
        db
          .transaction((): MemoryStoreRecord => {
            existing(workspace, id);
            archiveStoreRow.run(at, at, id);
            return rowToMemoryStore(selectStore.get(id, workspace) as MemoryStoreRow);
          })
          .immediate(),
      ),

    deleteStore: (workspace: string, id: string) => run(`cannot delete memory store ${id}`, () => deleteStoreTransaction.immediate(workspace, id)),

    listStores: (workspace: string, listOptions: ListMemoryStoresOptions = {}): Promise<MemoryStorePage> =>
      run('cannot list memory stores', () => {
        const limit = pageSize(listOptions.limit);
        const parameters: Array<string | number> = [workspace];
        let where = 'workspace = ?';
        if (listOptions.includeArchived !== true) where += ' AND archived_at IS NULL';
        if (listOptions.createdGte !== undefined) {
          where += ' AND created_at >= ?';
          parameters.push(normalizeTimestamp(listOptions.createdGte, 'createdGte'));
        }
        if (listOptions.createdLte !== undefined) {
          where += ' AND created_at <= ?';
          parameters.push(normalizeTimestamp(listOptions.createdLte, 'createdLte'));
        }
        if (listOptions.cursor !== undefined) {
          const after = decodeResourceCursor(listOptions.cursor);
          where += ' AND (created_at < ? OR (created_at = ? AND id < ?))';
          parameters.push(after.createdAt, after.createdAt, after.id);
        }
        parameters.push(limit + 1);
        const rows = db.prepare<Array<string | number>, MemoryStoreRow>(`SELECT ${memoryStoreColumns} FROM memory_stores WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ?`).all(...parameters);
        const records = rows.map(rowToMemoryStore);
        if (records.length <= limit) return { items: records, nextCursor: null };
        const items = records.slice(0, limit);
        return { items, nextCursor: encodeResourceCursor(items[items.length - 1] as MemoryStoreRecord) };
      }),

    createMemory: (workspace: string, storeId: string, memory: NewMemory) =>
      run(`cannot create memory ${memory.path}`, () => rowToMemory(createMemoryTransaction.immediate(workspace, storeId, memory))),

    getMemory: (workspace: string, storeId: string, memoryId: string) =>
      run(`cannot read memory ${memoryId}`, () => {
        if (selectStore.get(storeId, workspace) === undefined) return undefined;
        const row = selectMemory.get(memoryId, storeId);
        return row === undefined ? undefined : rowToMemory(row);
      }),

    getMemoryByPath: (workspace: string, storeId: string, memoryPath: string) =>
      run(`cannot read memory ${memoryPath}`, () => {
        if (selectStore.get(storeId, workspace) === undefined) return undefined;
        const row = selectMemoryByPath.get(storeId, memoryPath);
        return row === undefined ? undefined : rowToMemory(row);
      }),

    updateMemory: (workspace: string, storeId: string, memoryId: string, changes: MemoryChanges) =>
      run(`cannot update memory ${memoryId}`, () => rowToMemory(updateMemoryTransaction.immediate(workspace, storeId, memoryId, changes))),

    deleteMemory: (workspace: string, storeId: string, memoryId: string, deletion: MemoryDeletion) =>
      run(`cannot delete memory ${memoryId}`, () => deleteMemoryTransaction.immediate(workspace, storeId, memoryId, deletion)),

    listMemories: (workspace: string, storeId: string, listOptions: ListMemoriesOptions = {}) =>
      run('cannot list memories', () => {
        const prefix = checkPathPrefix(listOptions.pathPrefix ?? '/');
        const known = selectStore.get(storeId, workspace) !== undefined;
        return listMemoryPage(listOptions, (bound, count): MemoryRecord[] => {
          if (!known) return [];
          const statement = bound.inclusive ? selectFrom : selectAfter;
          return statement.all(storeId, prefix, prefixEnd(prefix), bound.path, count).map(rowToMemory);
        });
      }),

    searchMemories: (workspace: string, storeId: string, query: string, searchOptions: SearchMemoriesOptions = {}) =>
      run('cannot search memories', () => {
        const terms = queryTerms(query);
        const prefix = searchOptions.pathPrefix === undefined ? '/' : checkPathPrefix(searchOptions.pathPrefix);
        if (selectStore.get(storeId, workspace) === undefined) return [];
        return search.all(fts5Query(terms), storeId, prefix, prefixEnd(prefix), pageSize(searchOptions.limit ?? 10)).map((row) => ({ memory: rowToMemory(row), score: -row.rank }));
      }),

    getVersion: (workspace: string, storeId: string, versionId: string) =>
      run(`cannot read memory version ${versionId}`, () => {
        if (selectStore.get(storeId, workspace) === undefined) return undefined;
        const row = selectVersion.get(versionId, storeId);
        return row === undefined ? undefined : versionRecord(rowToVersion(row));
      }),

    listVersions: (workspace: string, storeId: string, listOptions: ListMemoryVersionsOptions = {}): Promise<MemoryVersionPage> =>
      run('cannot list memory versions', () => {
        const limit = pageSize(listOptions.limit);
        const filters = versionFilters(listOptions);
        if (filters.impossible === true || selectStore.get(storeId, workspace) === undefined) return { items: [], nextCursor: null };
        const parameters: Array<string | number> = [storeId];
        let where = 'store_id = ?';
        const add = (clause: string, value: string | number): void => {
          where += ` AND ${clause}`;
          parameters.push(value);
        };
        if (filters.memoryId !== undefined) add('memory_id = ?', filters.memoryId);
        if (filters.operation !== undefined) add('operation = ?', filters.operation);
        if (filters.actor !== undefined) add('created_by_key = ?', filters.actor);
        if (filters.createdGte !== undefined) add('created_at >= ?', filters.createdGte);
        if (filters.createdLte !== undefined) add('created_at <= ?', filters.createdLte);
        if (listOptions.cursor !== undefined) add('seq < ?', decodeVersionCursor(listOptions.cursor));
        parameters.push(limit + 1);
        const rows = db.prepare<Array<string | number>, MemoryVersionRow>(`SELECT ${memoryVersionColumns} FROM memory_versions WHERE ${where} ORDER BY seq DESC LIMIT ?`).all(...parameters);
        const versions = rows.map(rowToVersion);
        if (versions.length <= limit) return { items: versions.map(versionRecord), nextCursor: null };
        const items = versions.slice(0, limit);
        return { items: items.map(versionRecord), nextCursor: encodeVersionCursor((items[items.length - 1] as StoredVersion).seq) };
      }),

    redactVersion: (workspace: string, storeId: string, versionId: string, actor?: MemoryActor, at: string = new Date().toISOString()) =>
      run(`cannot redact memory version ${versionId}`, () => versionRecord(rowToVersion(redactTransaction.immediate(workspace, storeId, versionId, actor, at)))),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

