/**
 * What the agent memory backends share about rows: the SQL rows of stores, memories and versions
 * and how each becomes a record, the filters of a version listing (applied in SQL by the SQL
 * stores, and by `versionMatches` in process), and the sequence number that orders versions
 * (newest first, exactly, even within one millisecond).
 */
import { normalizeTimestamp } from '../store/resource-paging.js';
import type { ListMemoryVersionsOptions, MemoryActor, MemoryRecord, MemoryStoreRecord, MemoryVersionRecord } from './agent-memory-types.js';

/** A version with its position in the store's history. */
export interface StoredVersion extends MemoryVersionRecord {
  seq: number;
}

/** A `memory_stores` row. */
export interface MemoryStoreRow {
  id: string;
  workspace: string;
  name: string;
  description: string;
  metadata: string;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

/** A `memories` row. */
export interface MemoryRow {
  id: string;
  store_id: string;
  path: string;
  content: string;
  content_sha256: string;
  size_bytes: number | string;
  version_id: string;
  created_at: string;
  updated_at: string;
}

/** A `memory_versions` row. */
export interface MemoryVersionRow {
  seq: number | string;
  id: string;
  store_id: string;
  memory_id: string;
  operation: string;
  path: string | null;
  content: string | null;
  content_sha256: string | null;
  size_bytes: number | string | null;
  created_at: string;
  created_by: string | null;
  redacted_at: string | null;
  redacted_by: string | null;
}

export const memoryStoreColumns = 'id, workspace, name, description, metadata, created_at, updated_at, archived_at';
export const memoryColumns = 'id, store_id, path, content, content_sha256, size_bytes, version_id, created_at, updated_at';
export const memoryVersionColumns = 'seq, id, store_id, memory_id, operation, path, content, content_sha256, size_bytes, created_at, created_by, redacted_at, redacted_by';

export function rowToMemoryStore(row: MemoryStoreRow): MemoryStoreRecord {
  return {
    id: row.id,
    workspace: row.workspace,
    name: row.name,
    description: row.description,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    archivedAt: row.archived_at,
  };
}

export function rowToMemory(row: MemoryRow): MemoryRecord {
  return {
    id: row.id,
    storeId: row.store_id,
    path: row.path,
    content: row.content,
    contentSha256: row.content_sha256,
    sizeBytes: Number(row.size_bytes),
    versionId: row.version_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function rowToVersion(row: MemoryVersionRow): StoredVersion {
  return {
    seq: Number(row.seq),
    id: row.id,
    storeId: row.store_id,
    memoryId: row.memory_id,
    operation: row.operation as MemoryVersionRecord['operation'],
    path: row.path,
    content: row.content,
    contentSha256: row.content_sha256,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    createdAt: row.created_at,
    createdBy: row.created_by === null ? null : (JSON.parse(row.created_by) as MemoryActor),
    redactedAt: row.redacted_at,
    redactedBy: row.redacted_by === null ? null : (JSON.parse(row.redacted_by) as MemoryActor),
  };
}

/** A stored version without its sequence number. */
export function versionRecord(stored: StoredVersion): MemoryVersionRecord {
  const { seq: _seq, ...record } = stored;
  return record;
}

/** The actor columns' filter values: `api_actor:<key id>`, `session_actor:<session id>`. */
export function actorKey(actor: MemoryActor | undefined | null): string | null {
  if (actor === undefined || actor === null) return null;
  if (actor.type === 'api_actor') return `api_actor:${actor.api_key_id}`;
  if (actor.type === 'session_actor') return `session_actor:${actor.session_id}`;
  return `user_actor:${actor.user_id}`;
}

/** A version listing's filters, normalised: times in canonical ISO form, authors as actor keys. */
export interface VersionFilters {
  memoryId?: string;
  operation?: string;
  actor?: string;
  /** Set when both `sessionId` and `apiKeyId` are given (no version has two authors). */
  impossible?: boolean;
  createdGte?: string;
  createdLte?: string;
}

/**
 * The filters of a version listing, normalised.
 *
 * @example
 * const filters = versionFilters({ sessionId: 'sesn_1', createdGte: '2025-01-01T00:00:00Z' });
 */
export function versionFilters(options: ListMemoryVersionsOptions): VersionFilters {
  const filters: VersionFilters = {};
  if (options.memoryId !== undefined) filters.memoryId = options.memoryId;
  if (options.operation !== undefined) filters.operation = options.operation;
  const actors = [
    options.sessionId === undefined ? undefined : actorKey({ type: 'session_actor', session_id: options.sessionId }),
    options.apiKeyId === undefined ? undefined : actorKey({ type: 'api_actor', api_key_id: options.apiKeyId }),
  ].filter((key): key is string => key !== undefined && key !== null);
  if (actors.length > 1) filters.impossible = true;
  else if (actors[0] !== undefined) filters.actor = actors[0];
  if (options.createdGte !== undefined) filters.createdGte = normalizeTimestamp(options.createdGte, 'createdGte');
  if (options.createdLte !== undefined) filters.createdLte = normalizeTimestamp(options.createdLte, 'createdLte');
  return filters;
}

/**
 * A predicate for the versions a listing keeps (the in-process store's filter).
 *
 * @example
 * versions.filter(versionMatches({ memoryId: 'mem_1' }))
 */
export function versionMatches(options: ListMemoryVersionsOptions): (version: MemoryVersionRecord) => boolean {
  const filters = versionFilters(options);
  return (version) =>
    filters.impossible !== true &&
    (filters.memoryId === undefined || version.memoryId === filters.memoryId) &&
    (filters.operation === undefined || version.operation === filters.operation) &&
    (filters.actor === undefined || actorKey(version.createdBy) === filters.actor) &&
    (filters.createdGte === undefined || version.createdAt >= filters.createdGte) &&
    (filters.createdLte === undefined || version.createdAt <= filters.createdLte);
}
