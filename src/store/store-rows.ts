/**
 * The rows the SQL stores (SQLite and PostgreSQL) read, and how each becomes what the contracts
 * return. Both stores use the same column names, so one mapping serves both; the only difference,
 * how a boolean comes back (SQLite 0/1, PostgreSQL true/false), is absorbed here.
 */
import type { SessionStatus } from '../protocol/events.js';
import type { ApiKeyRecord, ResourceKind, ResourceRecord } from '../protocol/resources.js';
import type { SessionSummary } from '../protocol/store.js';

/** An `events` row. */
export interface EventRow {
  seq: number;
  id: string;
  type: string;
  at: string;
  data: string;
}

/** A `sessions` row. */
export interface SessionRow {
  id: string;
  created_at: string;
  updated_at: string;
  status: string;
  topology: string;
  title: string;
  last_seq: number;
  workspace: string;
  archived_at: string | null;
  deleted: number | boolean;
}

/** The `sessions` columns a summary needs, in `SessionRow` order. */
export const sessionColumns = 'id, created_at, updated_at, status, topology, title, last_seq, workspace, archived_at, deleted';

/** An `api_keys` row. */
export interface KeyRow {
  id: string;
  workspace: string;
  name: string | null;
  prefix: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A `resources` row joined with one of its `resource_versions` (`v`). */
export interface ResourceRow {
  kind: string;
  id: string;
  workspace: string;
  version: number;
  created_at: string;
  archived_at: string | null;
  body: string;
  updated_at: string;
}

/** The `api_keys` columns, in `KeyRow` order. */
export const keyColumns = 'id, workspace, name, prefix, hash, created_at, last_used_at, revoked_at';

/** A resource joined with one of its versions (`r` and `v`), in `ResourceRow` order. */
export const resourceColumns = 'r.kind, r.id, r.workspace, v.version, r.created_at, r.archived_at, v.body, v.updated_at';

/**
 * A session summary from its row.
 *
 * @example
 * const summary = rowToSummary(selectSession.get(sessionId));
 */
export function rowToSummary(row: SessionRow): SessionSummary {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    status: row.status as SessionStatus,
    topology: row.topology,
    title: row.title,
    lastSeq: row.last_seq,
    workspace: row.workspace,
    archivedAt: row.archived_at,
    deleted: row.deleted === true || row.deleted === 1,
  };
}

/**
 * An API key record from its row.
 *
 * @example
 * const key = rowToKey(selectKeyByHash.get(hash));
 */
export function rowToKey(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    workspace: row.workspace,
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/**
 * A resource version from its joined row.
 *
 * @example
 * const agent = rowToResource(selectLatest.get('agent', id, workspace));
 */
export function rowToResource(row: ResourceRow): ResourceRecord {
  return {
    kind: row.kind as ResourceKind,
    id: row.id,
    workspace: row.workspace,
    version: row.version,
    body: JSON.parse(row.body) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    archivedAt: row.archived_at,
  };
}

/**
 * Session counts by status from `SELECT status, count(*) … GROUP BY status` rows; statuses with
 * no session count 0.
 *
 * @example
 * countsByStatus([{ status: 'idle', count: 3 }]) // → { created: 0, running: 0, idle: 3, terminated: 0 }
 */
export function countsByStatus(rows: ReadonlyArray<{ status: string; count: number | string }>): Record<SessionStatus, number> {
  const counts: Record<SessionStatus, number> = { created: 0, running: 0, idle: 0, terminated: 0 };
  for (const row of rows) if (row.status in counts) counts[row.status as SessionStatus] = Number(row.count);
  return counts;
}
