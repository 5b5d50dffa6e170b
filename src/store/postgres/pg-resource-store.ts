/**
 * The PostgreSQL resource store: API keys, agents and environments in the same schema as the
 * PostgreSQL session logs, so one `--store` URL holds everything a server knows. Tables come from
 * the versioned migrations, applied lazily on first use. Every write that reads first (update,
 * archive, delete) runs in a transaction that locks the resource's row with `SELECT … FOR UPDATE`,
 * so version checks hold across processes and hosts. Tables are named with their schema, so a shared
 * pool works whatever search path its connections were given.
 */
import type pg from 'pg';
import type {
  ListResourcesOptions,
  ListVersionsOptions,
  NewApiKey,
  NewResource,
  ResourceKind,
  ResourcePage,
  ResourceStore,
} from '../../protocol/resources.js';
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
} from '../resource-paging.js';
import { createPostgresPool, parsePostgresUrl, type PostgresTarget } from './pg-connection.js';
import { migratePostgres } from './pg-migrations.js';
import { onceReady, pgTransaction, runStoreOperation } from './pg-store-operations.js';
import { keyColumns, resourceColumns, rowToKey, rowToResource, type KeyRow, type ResourceRow } from '../store-rows.js';

export interface PostgresResourceStoreOptions {
  /** `postgres://user:password@host:5432/database?schema=conclave`. */
  url: string;
  /** Overrides the URL's `?schema=`. */
  schema?: string;
  /** Share a pool (not closed by `close()`). */
  pool?: pg.Pool;
  /** Connections of the store's own pool. Default 10. */
  poolSize?: number;
}

/** A PostgreSQL resource store, which also tells where its data lives. */
export interface PostgresResourceStore extends ResourceStore {
  readonly kind: 'postgres';
  readonly target: PostgresTarget;
}

/** The resource columns a write locks and checks. */
type LockedRow = Pick<ResourceRow, 'workspace' | 'version' | 'created_at' | 'archived_at'>;

/** Something that runs queries: the pool, or one client inside a transaction. */
type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** The largest value of a PostgreSQL `integer`, the type of version numbers. */
const maximumVersion = 2 ** 31 - 1;

/**
 * Opens the resource tables in the PostgreSQL schema named by `options` (synchronously: the schema
 * is created or migrated on the first call that needs it).
 *
 * @example
 * const resources = createPostgresResourceStore({ url: 'postgres://postgres@127.0.0.1:5432/conclave' });
 * const keys = await resources.listKeys('default');
 * await resources.close();
 */
export function createPostgresResourceStore(options: PostgresResourceStoreOptions): PostgresResourceStore {
  const target = parsePostgresUrl(options.url, options.schema);
  const ownsPool = options.pool === undefined;
  const pool = options.pool ?? createPostgresPool(target, { max: options.poolSize ?? 10 });
  const keys = `${target.schema}.api_keys`;
  const resources = `${target.schema}.resources`;
  const versions = `${target.schema}.resource_versions`;
  const joinLatest = `${resources} r JOIN ${versions} v ON v.kind = r.kind AND v.id = r.id AND v.version = r.version`;
  const joinAny = `${resources} r JOIN ${versions} v ON v.kind = r.kind AND v.id = r.id`;

  let closed = false;

  // The migrations run once; a failed attempt is forgotten so the next call tries again.
  const whenReady = onceReady(() => migratePostgres(pool, target));
  /** Runs one operation once the schema is ready, with its errors converted. */
  const run = <T>(action: string, body: () => Promise<T>): Promise<T> => runStoreOperation({ action, what: 'resource store', target, closed, whenReady }, body);
  const transaction = <T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> => pgTransaction(pool, body);


  async function selectLatest(queryable: Queryable, kind: ResourceKind, workspace: string, id: string): Promise<ResourceRow | undefined> {
    const { rows } = await queryable.query<ResourceRow>(`SELECT ${resourceColumns} FROM ${joinLatest} WHERE r.kind = $1 AND r.id = $2 AND r.workspace = $3`, [kind, id, workspace]);
    return rows[0];
  }

  /** Locks the resource's row until the transaction ends; undefined when it does not exist here. */
  async function lockResource(client: pg.PoolClient, kind: ResourceKind, workspace: string, id: string): Promise<LockedRow | undefined> {
    // Only the resources row is selected: a join would be re-checked against the version rows of the
    // statement's snapshot after waiting for the lock, and miss a version a concurrent writer added.
    const { rows } = await client.query<LockedRow>(
      `SELECT workspace, version, created_at, archived_at FROM ${resources} WHERE kind = $1 AND id = $2 AND workspace = $3 FOR UPDATE`,
      [kind, id, workspace],
    );
    return rows[0];
  }

  async function insertVersion(queryable: Queryable, kind: ResourceKind, id: string, version: number, bodyText: string, updatedAt: string): Promise<void> {
    await queryable.query(`INSERT INTO ${versions} (kind, id, version, body, updated_at) VALUES ($1, $2, $3, $4, $5)`, [kind, id, version, bodyText, updatedAt]);
  }

  return {
    specificationVersion: 'v1',
    kind: 'postgres',
    target,

    createKey: (key: NewApiKey) =>
      run(`cannot create API key ${key.id}`, async () => {
        const { rows } = await pool.query<KeyRow>(
          `INSERT INTO ${keys} (id, workspace, name, prefix, hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${keyColumns}`,
          [key.id, key.workspace, key.name ?? null, key.prefix, key.hash, key.createdAt ?? new Date().toISOString()],
        );
        return rowToKey(rows[0] as KeyRow);
      }),

    findKeyByHash: (hash: string) =>
      run('cannot look up an API key', async () => {
        const { rows } = await pool.query<KeyRow>(`SELECT ${keyColumns} FROM ${keys} WHERE hash = $1`, [hash]);
        return rows[0] === undefined ? undefined : rowToKey(rows[0]);
      }),

    listKeys: (workspace?: string) =>
      run('cannot list API keys', async () => {
        const { rows } =
          workspace === undefined
            ? await pool.query<KeyRow>(`SELECT ${keyColumns} FROM ${keys} ORDER BY created_at, id`)
            : await pool.query<KeyRow>(`SELECT ${keyColumns} FROM ${keys} WHERE workspace = $1 ORDER BY created_at, id`, [workspace]);
        return rows.map(rowToKey);
      }),

    revokeKey: (id: string) =>
      run(`cannot revoke API key ${id}`, async () => {
        const { rows } = await pool.query<KeyRow>(`UPDATE ${keys} SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2 RETURNING ${keyColumns}`, [
          new Date().toISOString(),
          id,
        ]);
        return rows[0] === undefined ? undefined : rowToKey(rows[0]);
      }),

    touchKey: (id: string, at: string = new Date().toISOString()) =>
      run(`cannot record the use of API key ${id}`, async () => {
        await pool.query(`UPDATE ${keys} SET last_used_at = $1 WHERE id = $2`, [at, id]);
      }),

    createResource: (resource: NewResource) =>
      run(`cannot create ${resource.kind} ${resource.id}`, async () => {
        const createdAt = resource.createdAt === undefined ? new Date().toISOString() : normalizeTimestamp(resource.createdAt, 'createdAt');
        const bodyText = JSON.stringify(resource.body);
        await transaction(async (client) => {
          await client.query(`INSERT INTO ${resources} (kind, id, workspace, version, created_at, archived_at) VALUES ($1, $2, $3, 1, $4, NULL)`, [
            resource.kind,
            resource.id,
            resource.workspace,
            createdAt,
          ]);
          await insertVersion(client, resource.kind, resource.id, 1, bodyText, createdAt);
        });
        return rowToResource({ kind: resource.kind, id: resource.id, workspace: resource.workspace, version: 1, created_at: createdAt, archived_at: null, body: bodyText, updated_at: createdAt });
      }),

    getResource: (kind: ResourceKind, workspace: string, id: string, version?: number) =>
      run(`cannot read ${kind} ${id}`, async () => {
        if (version !== undefined && (!Number.isInteger(version) || version < 1 || version > maximumVersion)) return undefined;
        if (version === undefined) {
          const row = await selectLatest(pool, kind, workspace, id);
          return row === undefined ? undefined : rowToResource(row);
        }
        const { rows } = await pool.query<ResourceRow>(`SELECT ${resourceColumns} FROM ${joinAny} WHERE r.kind = $1 AND r.id = $2 AND r.workspace = $3 AND v.version = $4`, [
          kind,
          id,
          workspace,
          version,
        ]);
        return rows[0] === undefined ? undefined : rowToResource(rows[0]);
      }),

    updateResource: (kind: ResourceKind, workspace: string, id: string, body: Record<string, unknown>, expectedVersion?: number) =>
      run(`cannot update ${kind} ${id}`, async () => {
        const bodyText = JSON.stringify(body);
        const row = await transaction(async (client): Promise<ResourceRow> => {
          const current = await lockResource(client, kind, workspace, id);
          if (current === undefined) throw resourceNotFound(kind, id);
          if (expectedVersion !== undefined && expectedVersion !== current.version) throw versionConflict(kind, id, expectedVersion, current.version);
          if (current.archived_at !== null) throw archivedResource(kind, id);
          const version = current.version + 1;
          const updatedAt = new Date().toISOString();
          await insertVersion(client, kind, id, version, bodyText, updatedAt);
          await client.query(`UPDATE ${resources} SET version = $1 WHERE kind = $2 AND id = $3`, [version, kind, id]);
          return { ...current, kind, id, version, body: bodyText, updated_at: updatedAt };
        });
        return rowToResource(row);
      }),

    archiveResource: (kind: ResourceKind, workspace: string, id: string) =>
      run(`cannot archive ${kind} ${id}`, async () => {
        const row = await transaction(async (client) => {
          if ((await lockResource(client, kind, workspace, id)) === undefined) throw resourceNotFound(kind, id);
          await client.query(`UPDATE ${resources} SET archived_at = coalesce(archived_at, $1) WHERE kind = $2 AND id = $3`, [new Date().toISOString(), kind, id]);
          return (await selectLatest(client, kind, workspace, id)) as ResourceRow;
        });
        return rowToResource(row);
      }),

    deleteResource: (kind: ResourceKind, workspace: string, id: string) =>
      run(`cannot delete ${kind} ${id}`, () =>
        transaction(async (client) => {
          if ((await lockResource(client, kind, workspace, id)) === undefined) return false;
          await client.query(`DELETE FROM ${versions} WHERE kind = $1 AND id = $2`, [kind, id]);
          await client.query(`DELETE FROM ${resources} WHERE kind = $1 AND id = $2`, [kind, id]);
          return true;
        }),
      ),

    listResources: (kind: ResourceKind, workspace: string, listOptions: ListResourcesOptions = {}): Promise<ResourcePage> =>
      run(`cannot list ${kind}s`, async () => {
        const limit = pageSize(listOptions.limit);
        const parameters: Array<string | number> = [kind, workspace];
        const placeholder = (value: string | number): string => `$${parameters.push(value)}`;
        const conditions = ['r.kind = $1', 'r.workspace = $2'];
        if (listOptions.includeArchived !== true) conditions.push('r.archived_at IS NULL');
        if (listOptions.createdGte !== undefined) conditions.push(`r.created_at >= ${placeholder(normalizeTimestamp(listOptions.createdGte, 'createdGte'))}`);
        if (listOptions.createdLte !== undefined) conditions.push(`r.created_at <= ${placeholder(normalizeTimestamp(listOptions.createdLte, 'createdLte'))}`);
        if (listOptions.cursor !== undefined) {
          const after = decodeResourceCursor(listOptions.cursor);
          conditions.push(`(r.created_at, r.id) < (${placeholder(after.createdAt)}, ${placeholder(after.id)})`);
        }
        const { rows } = await pool.query<ResourceRow>(
          `SELECT ${resourceColumns} FROM ${joinLatest} WHERE ${conditions.join(' AND ')} ORDER BY r.created_at DESC, r.id DESC LIMIT ${placeholder(limit + 1)}`,
          parameters,
        );
        return toPage(rows.map(rowToResource), limit, encodeResourceCursor);
      }),

    listVersions: (kind: ResourceKind, workspace: string, id: string, listOptions: ListVersionsOptions = {}): Promise<ResourcePage> =>
      run(`cannot list the versions of ${kind} ${id}`, async () => {
        const limit = pageSize(listOptions.limit);
        const before = listOptions.cursor === undefined ? maximumVersion : Math.min(decodeVersionCursor(listOptions.cursor), maximumVersion);
        const { rows } = await pool.query<ResourceRow>(
          `SELECT ${resourceColumns} FROM ${joinAny} WHERE r.kind = $1 AND r.id = $2 AND r.workspace = $3 AND v.version < $4 ORDER BY v.version DESC LIMIT $5`,
          [kind, id, workspace, before, limit + 1],
        );
        if (rows.length === 0 && (await selectLatest(pool, kind, workspace, id)) === undefined) throw resourceNotFound(kind, id);
        return toPage(rows.map(rowToResource), limit, (last) => encodeVersionCursor(last.version));
      }),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (ownsPool) await pool.end();
    },
  };
}

