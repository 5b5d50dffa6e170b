/**
 * The embedded resource store: API keys, agents and environments in the same SQLite file as the
 * session logs (better-sqlite3, WAL), so one `--db` holds everything a server knows. Its tables are
 * created with IF NOT EXISTS and it never touches `PRAGMA user_version`, which belongs to the
 * session store's migrations — the two stores can open the file in any order. Every write that reads
 * first (update, archive) runs in a `BEGIN IMMEDIATE` transaction, so version checks hold across
 * processes too.
 */
import { sqliteStoreError } from './store-errors.js';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { ConclaveError } from '../protocol/errors.js';
import type {
  ListResourcesOptions,
  ListVersionsOptions,
  NewApiKey,
  NewResource,
  ResourceKind,
  ResourcePage,
  ResourceStore,
} from '../protocol/resources.js';
import {
  archivedResource,
  decodeResourceCursor,
  decodeVersionCursor,
  encodeResourceCursor,
  encodeVersionCursor,
  normalizeTimestamp,
  pageSize,
  resourceNotFound,
  toPage,
  versionConflict,
} from './resource-paging.js';
import { openWalDatabase } from './sqlite-database.js';
import { keyColumns, resourceColumns, rowToKey, rowToResource, type KeyRow, type ResourceRow } from './store-rows.js';

export interface SqliteResourceStoreOptions {
  /** Database file (usually the session database); its directory is created. `:memory:` for a private database. */
  path: string;
  /** How long a writer waits for another process's transaction before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
}

/** A SQLite resource store, which also tells where its data lives. */
export interface SqliteResourceStore extends ResourceStore {
  readonly kind: 'sqlite';
  /** Absolute path of the database file (or `:memory:`). */
  readonly path: string;
}

const schema = `
  CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    name TEXT,
    prefix TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
  );
  CREATE TABLE IF NOT EXISTS resources (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    workspace TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    archived_at TEXT,
    PRIMARY KEY (kind, id)
  );
  CREATE INDEX IF NOT EXISTS resources_by_workspace ON resources (kind, workspace, created_at DESC, id DESC);
  CREATE TABLE IF NOT EXISTS resource_versions (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, id, version)
  );`;

/**
 * Opens (creating if needed) the resource tables in the SQLite file at `options.path`.
 *
 * @example
 * const resources = createSqliteResourceStore({ path: resolveDatabasePath({ db: '.conclave/conclave.db' }) });
 * const keys = await resources.listKeys('default');
 * await resources.close();
 */
export function createSqliteResourceStore(options: SqliteResourceStoreOptions): SqliteResourceStore {
  const path = options.path === ':memory:' ? options.path : resolve(options.path);
  const db = openDatabase(path, options.busyTimeoutMs ?? 5000);

  const insertKey = db.prepare<[string, string, string | null, string, string, string]>(
    'INSERT INTO api_keys (id, workspace, name, prefix, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectKeyByHash = db.prepare<[string], KeyRow>(`SELECT ${keyColumns} FROM api_keys WHERE hash = ?`);
  const selectKeyById = db.prepare<[string], KeyRow>(`SELECT ${keyColumns} FROM api_keys WHERE id = ?`);
  const selectKeys = db.prepare<[], KeyRow>(`SELECT ${keyColumns} FROM api_keys ORDER BY created_at, id`);
  const selectWorkspaceKeys = db.prepare<[string], KeyRow>(`SELECT ${keyColumns} FROM api_keys WHERE workspace = ? ORDER BY created_at, id`);
  const revokeKeyRow = db.prepare<[string, string]>('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?');
  const touchKeyRow = db.prepare<[string, string]>('UPDATE api_keys SET last_used_at = ? WHERE id = ?');

  const insertResource = db.prepare<[string, string, string, string]>(
    'INSERT INTO resources (kind, id, workspace, version, created_at, archived_at) VALUES (?, ?, ?, 1, ?, NULL)',
  );
  const insertVersion = db.prepare<[string, string, number, string, string]>(
    'INSERT INTO resource_versions (kind, id, version, body, updated_at) VALUES (?, ?, ?, ?, ?)',
  );
  const selectLatest = db.prepare<[string, string, string], ResourceRow>(
    `SELECT ${resourceColumns} FROM resources r JOIN resource_versions v ON v.kind = r.kind AND v.id = r.id AND v.version = r.version
     WHERE r.kind = ? AND r.id = ? AND r.workspace = ?`,
  );
  const selectVersion = db.prepare<[string, string, string, number], ResourceRow>(
    `SELECT ${resourceColumns} FROM resources r JOIN resource_versions v ON v.kind = r.kind AND v.id = r.id
     WHERE r.kind = ? AND r.id = ? AND r.workspace = ? AND v.version = ?`,
  );
  const selectVersions = db.prepare<[string, string, string, number, number], ResourceRow>(
    `SELECT ${resourceColumns} FROM resources r JOIN resource_versions v ON v.kind = r.kind AND v.id = r.id
     WHERE r.kind = ? AND r.id = ? AND r.workspace = ? AND v.version < ? ORDER BY v.version DESC LIMIT ?`,
  );
  const setVersion = db.prepare<[number, string, string]>('UPDATE resources SET version = ? WHERE kind = ? AND id = ?');
  const setArchived = db.prepare<[string, string, string]>('UPDATE resources SET archived_at = coalesce(archived_at, ?) WHERE kind = ? AND id = ?');
  const deleteVersions = db.prepare<[string, string]>('DELETE FROM resource_versions WHERE kind = ? AND id = ?');
  const deleteRow = db.prepare<[string, string, string]>('DELETE FROM resources WHERE kind = ? AND id = ? AND workspace = ?');

  const createTransaction = db.transaction((resource: NewResource, createdAt: string, bodyText: string) => {
    insertResource.run(resource.kind, resource.id, resource.workspace, createdAt);
    insertVersion.run(resource.kind, resource.id, 1, bodyText, createdAt);
  });

  const updateTransaction = db.transaction(
    (kind: ResourceKind, workspace: string, id: string, bodyText: string, expectedVersion: number | undefined): ResourceRow => {
      const current = selectLatest.get(kind, id, workspace);
      if (current === undefined) throw resourceNotFound(kind, id);
      if (expectedVersion !== undefined && expectedVersion !== current.version) throw versionConflict(kind, id, expectedVersion, current.version);
      if (current.archived_at !== null) throw archivedResource(kind, id);
      const version = current.version + 1;
      const updatedAt = new Date().toISOString();
      insertVersion.run(kind, id, version, bodyText, updatedAt);
      setVersion.run(version, kind, id);
      return { ...current, version, body: bodyText, updated_at: updatedAt };
    },
  );

  const archiveTransaction = db.transaction((kind: ResourceKind, workspace: string, id: string): ResourceRow => {
    if (selectLatest.get(kind, id, workspace) === undefined) throw resourceNotFound(kind, id);
    setArchived.run(new Date().toISOString(), kind, id);
    return selectLatest.get(kind, id, workspace) as ResourceRow;
  });

  const deleteTransaction = db.transaction((kind: ResourceKind, workspace: string, id: string): boolean => {
    if (deleteRow.run(kind, id, workspace).changes === 0) return false;
    deleteVersions.run(kind, id);
    return true;
  });

  /** Listing statements by their WHERE clause: at most 16 shapes, each prepared once. */
  const listStatements = new Map<string, Database.Statement<Array<string | number>, ResourceRow>>();
  function listStatement(where: string): Database.Statement<Array<string | number>, ResourceRow> {
    let statement = listStatements.get(where);
    if (statement === undefined) {
      statement = db.prepare<Array<string | number>, ResourceRow>(
        `SELECT ${resourceColumns} FROM resources r JOIN resource_versions v ON v.kind = r.kind AND v.id = r.id AND v.version = r.version
         WHERE ${where} ORDER BY r.created_at DESC, r.id DESC LIMIT ?`,
      );
      listStatements.set(where, statement);
    }
    return statement;
  }

  let closed = false;

  function assertOpen(): void {
    if (closed) throw new ConclaveError('store_error', `the resource store at ${path} is closed`);
  }

  /** Runs a synchronous database operation as the store's async API, with its errors converted. */
  async function run<T>(action: string, body: () => T): Promise<T> {
    assertOpen();
    try {
      return body();
    } catch (error) {
      throw sqliteStoreError(error, action, path);
    }
  }

  return {
    specificationVersion: 'v1',
    kind: 'sqlite',
    path,

    createKey: (key: NewApiKey) =>
      run(`cannot create API key ${key.id}`, () => {
        insertKey.run(key.id, key.workspace, key.name ?? null, key.prefix, key.hash, key.createdAt ?? new Date().toISOString());
        return rowToKey(selectKeyById.get(key.id) as KeyRow);
      }),

    findKeyByHash: (hash: string) =>
      run('cannot look up an API key', () => {
        const row = selectKeyByHash.get(hash);
        return row === undefined ? undefined : rowToKey(row);
      }),

    listKeys: (workspace?: string) =>
      run('cannot list API keys', () => (workspace === undefined ? selectKeys.all() : selectWorkspaceKeys.all(workspace)).map(rowToKey)),

    revokeKey: (id: string) =>
      run(`cannot revoke API key ${id}`, () => {
        revokeKeyRow.run(new Date().toISOString(), id);
        const row = selectKeyById.get(id);
        return row === undefined ? undefined : rowToKey(row);
      }),

    touchKey: (id: string, at: string = new Date().toISOString()) =>
      run(`cannot record the use of API key ${id}`, () => {
        touchKeyRow.run(at, id);
      }),

    createResource: (resource: NewResource) =>
      run(`cannot create ${resource.kind} ${resource.id}`, () => {
        const createdAt = resource.createdAt === undefined ? new Date().toISOString() : normalizeTimestamp(resource.createdAt, 'createdAt');
        createTransaction.immediate(resource, createdAt, JSON.stringify(resource.body));
        return rowToResource(selectLatest.get(resource.kind, resource.id, resource.workspace) as ResourceRow);
      }),

    getResource: (kind: ResourceKind, workspace: string, id: string, version?: number) =>
      run(`cannot read ${kind} ${id}`, () => {
        const row = version === undefined ? selectLatest.get(kind, id, workspace) : selectVersion.get(kind, id, workspace, version);
        return row === undefined ? undefined : rowToResource(row);
      }),

    updateResource: (kind: ResourceKind, workspace: string, id: string, body: Record<string, unknown>, expectedVersion?: number) =>
      run(`cannot update ${kind} ${id}`, () => rowToResource(updateTransaction.immediate(kind, workspace, id, JSON.stringify(body), expectedVersion))),

    archiveResource: (kind: ResourceKind, workspace: string, id: string) =>
      run(`cannot archive ${kind} ${id}`, () => rowToResource(archiveTransaction.immediate(kind, workspace, id))),

    deleteResource: (kind: ResourceKind, workspace: string, id: string) =>
      run(`cannot delete ${kind} ${id}`, () => deleteTransaction.immediate(kind, workspace, id)),

    listResources: (kind: ResourceKind, workspace: string, listOptions: ListResourcesOptions = {}): Promise<ResourcePage> =>
      run(`cannot list ${kind}s`, () => {
        const limit = pageSize(listOptions.limit);
        const conditions = ['r.kind = ?', 'r.workspace = ?'];
        const parameters: Array<string | number> = [kind, workspace];
        if (listOptions.includeArchived !== true) conditions.push('r.archived_at IS NULL');
        if (listOptions.createdGte !== undefined) {
          conditions.push('r.created_at >= ?');
          parameters.push(normalizeTimestamp(listOptions.createdGte, 'createdGte'));
        }
        if (listOptions.createdLte !== undefined) {
          conditions.push('r.created_at <= ?');
          parameters.push(normalizeTimestamp(listOptions.createdLte, 'createdLte'));
        }
        if (listOptions.cursor !== undefined) {
          const after = decodeResourceCursor(listOptions.cursor);
          conditions.push('(r.created_at < ? OR (r.created_at = ? AND r.id < ?))');
          parameters.push(after.createdAt, after.createdAt, after.id);
        }
        parameters.push(limit + 1);
        const rows = listStatement(conditions.join(' AND ')).all(...parameters);
        return toPage(rows.map(rowToResource), limit, encodeResourceCursor);
      }),

    listVersions: (kind: ResourceKind, workspace: string, id: string, listOptions: ListVersionsOptions = {}): Promise<ResourcePage> =>
      run(`cannot list the versions of ${kind} ${id}`, () => {
        const limit = pageSize(listOptions.limit);
        const before = listOptions.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeVersionCursor(listOptions.cursor);
        const rows = selectVersions.all(kind, id, workspace, before, limit + 1);
        if (rows.length === 0 && selectLatest.get(kind, id, workspace) === undefined) throw resourceNotFound(kind, id);
        return toPage(rows.map(rowToResource), limit, (last) => encodeVersionCursor(last.version));
      }),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  return openWalDatabase(path, busyTimeoutMs, 'the resource tables in', (db) => db.exec(schema));
}

