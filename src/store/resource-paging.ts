/**
 * What the resource stores share about listings: the opaque page cursors (base64url JSON, so a
 * client cannot mistake them for ids and a store can change their contents freely), the listing
 * order, and the normalisation of time filters — timestamps are compared as ISO strings, so
 * `2025-01-01T00:00:00Z` must become `2025-01-01T00:00:00.000Z` before it is compared.
 */
import { ConclaveError } from '../protocol/errors.js';
import type { ResourceRecord } from '../protocol/resources.js';

/** Where a listing of resources stopped: the last item of the previous page. */
export interface ResourcePosition {
  createdAt: string;
  id: string;
}

/** Page size when the caller gives none. */
export const defaultResourcePageSize = 20;

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function badCursor(cursor: string): ConclaveError {
  return new ConclaveError('invalid_argument', `invalid page cursor "${cursor.slice(0, 40)}"`, {
    hint: 'pass the next_page value of the previous response unchanged, or omit it for the first page',
  });
}

/**
 * The cursor that continues a resource listing after `record`.
 *
 * @example
 * const nextCursor = hasMore ? encodeResourceCursor(items.at(-1)!) : null;
 */
export function encodeResourceCursor(record: ResourcePosition): string {
  return encode({ r: [record.createdAt, record.id] });
}

/**
 * Reads a cursor made by `encodeResourceCursor`; `invalid_argument` for anything else.
 *
 * @example
 * const after = options.cursor === undefined ? undefined : decodeResourceCursor(options.cursor);
 */
export function decodeResourceCursor(cursor: string): ResourcePosition {
  const value = decode(cursor) as { r?: unknown } | undefined;
  const position = value?.r;
  if (!Array.isArray(position) || position.length !== 2 || typeof position[0] !== 'string' || typeof position[1] !== 'string') throw badCursor(cursor);
  return { createdAt: position[0], id: position[1] };
}

/**
 * The cursor that continues a version listing after `version` (versions are listed newest first).
 *
 * @example
 * encodeVersionCursor(4) // next page starts at version 3
 */
export function encodeVersionCursor(version: number): string {
  return encode({ v: version });
}

/**
 * Reads a cursor made by `encodeVersionCursor`; `invalid_argument` for anything else.
 *
 * @example
 * const before = decodeVersionCursor(options.cursor); // versions < before
 */
export function decodeVersionCursor(cursor: string): number {
  const value = decode(cursor) as { v?: unknown } | undefined;
  const version = value?.v;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw badCursor(cursor);
  return version;
}

/**
 * Whether `record` comes after `position` in listing order (createdAt desc, then id desc).
 *
 * @example
 * items.filter((item) => after === undefined || comesAfter(item, after));
 */
export function comesAfter(record: ResourcePosition, position: ResourcePosition): boolean {
  return record.createdAt < position.createdAt || (record.createdAt === position.createdAt && record.id < position.id);
}

/**
 * Listing order: newest first, ties broken by id (descending), so the order is total and stable.
 *
 * @example
 * records.sort(compareListingOrder);
 */
export function compareListingOrder(left: ResourcePosition, right: ResourcePosition): number {
  if (left.createdAt !== right.createdAt) return left.createdAt < right.createdAt ? 1 : -1;
  if (left.id === right.id) return 0;
  return left.id < right.id ? 1 : -1;
}

/**
 * An RFC 3339 time in the canonical form the stores keep (`toISOString`); `invalid_argument` if it
 * is not a time.
 *
 * @example
 * normalizeTimestamp('2025-01-01T01:00:00+01:00', 'createdGte') // → '2025-01-01T00:00:00.000Z'
 */
export function normalizeTimestamp(value: string, label: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new ConclaveError('invalid_argument', `${label} must be an RFC 3339 time, got "${value}"`, { hint: 'for example 2025-01-31T12:00:00Z' });
  }
  return new Date(time).toISOString();
}

/**
 * A page size: at least 1, the default when omitted.
 *
 * @example
 * pageSize(options.limit) // → 20 when undefined
 */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return defaultResourcePageSize;
  if (!Number.isInteger(limit) || limit < 1) throw new ConclaveError('invalid_argument', `page size must be a whole number ≥ 1, got ${limit}`);
  return limit;
}

/**
 * Cuts `candidates` (already in listing order, one more than a page when more exist) into a page.
 *
 * @example
 * const page = toPage(rows.map(toRecord), limit, encodeResourceCursor);
 */
export function toPage(candidates: ResourceRecord[], limit: number, cursorOf: (last: ResourceRecord) => string): { items: ResourceRecord[]; nextCursor: string | null } {
  if (candidates.length <= limit) return { items: candidates, nextCursor: null };
  const items = candidates.slice(0, limit);
  return { items, nextCursor: cursorOf(items[items.length - 1] as ResourceRecord) };
}

/**
 * The error of a write to an unknown resource (also what another workspace's resource looks like).
 *
 * @example
 * if (row === undefined) throw resourceNotFound('agent', id);
 */
export function resourceNotFound(kind: string, id: string): ConclaveError {
  return new ConclaveError('not_found', `no ${kind} ${id}`);
}

/**
 * The error of an update based on a version that is no longer the latest.
 *
 * @example
 * if (expectedVersion !== latest) throw versionConflict('agent', id, expectedVersion, latest);
 */
export function versionConflict(kind: string, id: string, expectedVersion: number, latest: number): ConclaveError {
  return new ConclaveError('version_conflict', `${kind} ${id} is at version ${latest}, not ${expectedVersion}`, {
    hint: 'fetch the latest version, apply your change to it, and send its version',
  });
}

/**
 * The error of an update to an archived resource.
 *
 * @example
 * if (row.archived_at !== null) throw archivedResource('environment', id);
 */
export function archivedResource(kind: string, id: string): ConclaveError {
  return new ConclaveError('invalid_argument', `${kind} ${id} is archived and can no longer be changed`);
}
