/**
 * Memory paths and contents, as the Managed Agents API defines them: a path starts with `/`, has 1
 * to 20 segments, none empty, `.` or `..`, no control or format characters nor U+2028/U+2029, is
 * NFC and at most 1,024 UTF-8 bytes; a content is UTF-8 text of at most 102,400 bytes whose
 * SHA-256 is taken over its bytes, unnormalised. Two paths overlap when one is an ancestor of the
 * other (`/notes` and `/notes/todo.md`); a store never holds overlapping paths. Also the errors a
 * write can meet (a taken path, a failed precondition), shared by every backend.
 */
import { createHash } from 'node:crypto';
import { ConclaveError } from '../protocol/errors.js';

/** Largest content, in UTF-8 bytes. */
export const maximumMemoryBytes = 102_400;
/** Largest path, in UTF-8 bytes. */
export const maximumPathBytes = 1024;
/** Most segments of a path. */
export const maximumPathSegments = 20;

// Control (Cc), format (Cf) and the line and paragraph separators.
const forbiddenCharacter = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/**
 * Why `path` is not a valid memory path, or undefined when it is.
 *
 * @example
 * memoryPathProblem('/notes/todo.md') // → undefined
 * memoryPathProblem('notes') // → 'a memory path starts with "/"'
 */
export function memoryPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'a memory path starts with "/"';
  if (Buffer.byteLength(path, 'utf8') > maximumPathBytes) return `a memory path is at most ${maximumPathBytes} bytes`;
  if (path.normalize('NFC') !== path) return 'a memory path must be in Unicode Normalization Form C';
  if (forbiddenCharacter.test(path)) return 'a memory path cannot contain control or format characters';
  const segments = path.slice(1).split('/');
  if (segments.length > maximumPathSegments) return `a memory path has at most ${maximumPathSegments} segments`;
  if (segments.some((segment) => segment === '')) return 'a memory path has no empty segment (no "//" and no trailing "/")';
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'a memory path has no "." or ".." segment';
  return undefined;
}

/**
 * Throws `invalid_argument` (at `label`) unless `path` is a valid memory path.
 *
 * @example
 * checkMemoryPath(body.path, 'body.path');
 */
export function checkMemoryPath(path: string, label = 'path'): string {
  const problem = memoryPathProblem(path);
  if (problem !== undefined) throw new ConclaveError('invalid_argument', `${label}: ${problem}, got ${JSON.stringify(path.slice(0, 80))}`, { location: { path: label }, hint: 'for example /projects/foo/notes.md' });
  return path;
}

/**
 * Throws `invalid_argument` (at `label`) unless `prefix` is a listing prefix: `/`, or a valid path
 * followed by `/`.
 *
 * @example
 * checkPathPrefix('/notes/') // → '/notes/'
 */
export function checkPathPrefix(prefix: string, label = 'path_prefix'): string {
  if (prefix === '/') return prefix;
  const problem = prefix.endsWith('/') ? memoryPathProblem(prefix.slice(0, -1)) : 'a path prefix ends with "/"';
  if (problem !== undefined) throw new ConclaveError('invalid_argument', `${label}: ${problem}, got ${JSON.stringify(prefix.slice(0, 80))}`, { location: { path: label }, hint: 'for example /notes/' });
  return prefix;
}

/**
 * Throws `invalid_argument` (at `label`) when `content` is larger than a memory may be.
 *
 * @example
 * checkMemoryContent(body.content ?? '', 'body.content');
 */
export function checkMemoryContent(content: string, label = 'content'): string {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > maximumMemoryBytes) throw new ConclaveError('invalid_argument', `${label}: a memory holds at most ${maximumMemoryBytes} bytes, this one has ${bytes}`, { location: { path: label } });
  return content;
}

/**
 * Lowercase hex SHA-256 of the UTF-8 bytes of `content`.
 *
 * @example
 * contentSha256('') // → 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 */
export function contentSha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** UTF-8 bytes of `content`. */
export function contentBytes(content: string): number {
  return Buffer.byteLength(content, 'utf8');
}

/**
 * The proper ancestors of a path, nearest last: `/a/b/c` → `/a`, `/a/b`.
 *
 * @example
 * ancestorPaths('/a/b/c') // → ['/a', '/a/b']
 */
export function ancestorPaths(path: string): string[] {
  const segments = path.slice(1).split('/');
  const ancestors: string[] = [];
  for (let count = 1; count < segments.length; count += 1) ancestors.push(`/${segments.slice(0, count).join('/')}`);
  return ancestors;
}

/**
 * The first path after every path that starts with `prefix` (which ends with `/`), in bytewise
 * order: `/notes/` → `/notes0` (`0` follows `/`). Paths under the prefix are `>= prefix` and `<` it.
 *
 * @example
 * prefixEnd('/notes/') // → '/notes0'
 */
export function prefixEnd(prefix: string): string {
  return `${prefix.slice(0, -1)}0`;
}

/** Bytewise comparison of two strings' UTF-8 forms (the order SQLite and PostgreSQL `COLLATE "C"` use). */
export function compareBytewise(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

/**
 * A write whose path is taken by another memory or overlaps one (an ancestor or a descendant). The
 * Managed API answers it with a 409 `memory_path_conflict_error` naming the memory in the way.
 */
export class MemoryPathConflictError extends ConclaveError {
  readonly conflictingPath: string;
  readonly conflictingMemoryId: string;

  constructor(path: string, conflictingPath: string, conflictingMemoryId: string) {
    const how = conflictingPath === path ? 'is already used by' : conflictingPath.startsWith(`${path}/`) ? 'is a directory of' : 'is below';
    super('store_conflict', `path ${path} ${how} memory ${conflictingMemoryId}${conflictingPath === path ? '' : ` (${conflictingPath})`}`, {
      hint: 'rename or delete that memory first, or update it instead of creating a new one',
    });
    this.conflictingPath = conflictingPath;
    this.conflictingMemoryId = conflictingMemoryId;
  }
}

/** A write whose `content_sha256` precondition does not hold for the memory's current content. */
export class MemoryPreconditionError extends ConclaveError {
  constructor(memoryId: string, expected: string) {
    super('version_conflict', `memory ${memoryId} has changed: its content_sha256 is not ${expected}`, {
      hint: 'retrieve the memory, apply your change to its current content, and send its content_sha256',
    });
  }
}

/**
 * The error of a write to an archived store.
 *
 * @example
 * if (store.archivedAt !== null) throw archivedStore(store.id);
 */
export function archivedStore(id: string): ConclaveError {
  return new ConclaveError('invalid_argument', `memory store ${id} is archived: its memories can be read and deleted, not written`);
}

/** The error of a write to an unknown store (another workspace's included). */
export function storeNotFound(id: string): ConclaveError {
  return new ConclaveError('not_found', `no memory store ${id}`);
}

/** The error of a write to an unknown memory. */
export function memoryNotFound(id: string, storeId: string): ConclaveError {
  return new ConclaveError('not_found', `no memory ${id} in memory store ${storeId}`);
}

/**
 * The error of redacting the version that holds a memory's current content.
 *
 * @example
 * if (current.version_id === versionId) throw currentVersionConflict(versionId, memoryId);
 */
export function currentVersionConflict(versionId: string, memoryId: string): ConclaveError {
  return new ConclaveError('store_conflict', `memory version ${versionId} holds the current content of memory ${memoryId} and cannot be redacted`, {
    hint: 'update or delete the memory first; then its earlier versions can be redacted',
  });
}
