/**
 * What an upload goes through before it is stored: the size limit (the server policy's
 * `limits.file_bytes`, 32 MiB by default; the app's body limit lets this one route take that much and
 * no other), the file name cut down to its last path component with nothing a file system or a
 * header would choke on, and a MIME type that is a plain `type/subtype` or else
 * `application/octet-stream`. Also where the server finds its file store.
 */
import type { FileStore } from '../../protocol/files.js';
import { ConclaveError } from '../../protocol/errors.js';
import type { ServerPolicy } from '../../policy/server-policy.js';
import { createMemoryFileStore } from '../../store/memory-file-store.js';
import type { ServerDeps } from '../server-deps.js';

/** The largest upload when the policy sets no `limits.file_bytes`: 32 MiB. */
export const defaultFileBytes = 32 * 1024 * 1024;

/** Room in an upload's body for the multipart framing around the file. */
export const multipartOverheadBytes = 64 * 1024;

const fallbackStores = new WeakMap<ServerDeps, FileStore>();

/**
 * The server's file store: `deps.files`, else one in memory for this server (tests that never
 * upload need not make one).
 *
 * @example
 * const record = await fileStoreOf(deps).getFile(workspace, id);
 */
export function fileStoreOf(deps: ServerDeps): FileStore {
  if (deps.files !== undefined) return deps.files;
  let store = fallbackStores.get(deps);
  if (store === undefined) {
    store = createMemoryFileStore();
    fallbackStores.set(deps, store);
  }
  return store;
}

/**
 * The largest file this server accepts, in bytes.
 *
 * @example
 * fileUploadLimit(defaultServerPolicy()) // → 33554432
 */
export function fileUploadLimit(policy: ServerPolicy): number {
  return policy.limits.file_bytes ?? defaultFileBytes;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * The 413 of an upload over the limit, naming the limit and where it is set.
 *
 * @example
 * if (file.size > limit) throw fileTooLarge(limit, file.size);
 */
export function fileTooLarge(limit: number, size?: number): ConclaveError {
  const found = size === undefined ? 'the upload is larger than' : `the file is ${formatSize(size)}, more than`;
  return new ConclaveError('payload_too_large', `${found} the upload limit of ${formatSize(limit)} (limits.file_bytes)`, {
    hint: 'upload a smaller file, or raise limits.file_bytes in the server policy (--policy FILE)',
  });
}

const extensions: Record<string, string> = {
  'text/plain': '.txt',
  'text/csv': '.csv',
  'text/markdown': '.md',
  'text/html': '.html',
  'application/json': '.json',
  'application/pdf': '.pdf',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
};

/**
 * A plain `type/subtype` (lowercase, parameters kept), else `application/octet-stream`.
 *
 * @example
 * normalizeMimeType('Text/CSV; charset=utf-8') // → 'text/csv; charset=utf-8'
 * normalizeMimeType('')                        // → 'application/octet-stream'
 */
export function normalizeMimeType(declared: string): string {
  const value = declared.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;\s*[a-z0-9_.-]+=("[^"\r\n]*"|[^;\s"]+))*$/.test(value) ? value : 'application/octet-stream';
}

/**
 * The name a file is stored under: the last component of what the upload said (`/` and `\` both
 * separate), without control characters, at most 255 characters; `unnamed` plus the type's extension
 * when nothing is left (or only `.` / `..`).
 *
 * @example
 * sanitizeFilename('../../etc/passwd', 'text/plain') // → 'passwd'
 * sanitizeFilename('', 'text/csv')                   // → 'unnamed.csv'
 */
export function sanitizeFilename(name: string, mimeType: string): string {
  const last = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = last.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return `unnamed${extensions[mimeType.split(';')[0]?.trim() ?? ''] ?? ''}`;
  return cleaned;
}
