/**
 * Listing a store's memories the same way on every backend: in bytewise path order, below a path
 * prefix, and with a `depth` that rolls the memories deeper than it up into one directory entry
 * (`/notes/`) each. A backend only has to fetch memories in path order from a bound; this module
 * does the rolling up, skips a rolled-up directory's memories with one new bound, and makes the
 * opaque cursors (base64url JSON of where the last page stopped).
 */
import { ConclaveError } from '../protocol/errors.js';
import type { ListMemoriesOptions, MemoryListItem, MemoryPage, MemoryRecord } from './agent-memory-types.js';
import { checkPathPrefix, prefixEnd } from './memory-paths.js';

/** Where a fetch starts: after a path (`>`) or at one (`>=`). */
export interface PathBound {
  path: string;
  inclusive: boolean;
}

/** Fetches up to `count` memories of the listing's prefix from `bound`, in bytewise path order. */
export type FetchMemories = (bound: PathBound, count: number) => Promise<MemoryRecord[]> | MemoryRecord[];

function encodeCursor(bound: PathBound): string {
  return Buffer.from(JSON.stringify({ m: [bound.path, bound.inclusive ? 1 : 0] }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): PathBound {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { m?: unknown };
    if (Array.isArray(value.m) && value.m.length === 2 && typeof value.m[0] === 'string' && (value.m[1] === 0 || value.m[1] === 1)) return { path: value.m[0], inclusive: value.m[1] === 1 };
  } catch {
    // Reported below.
  }
  throw new ConclaveError('invalid_argument', `invalid page cursor "${cursor.slice(0, 40)}"`, { hint: 'pass the next_page value of the previous response unchanged, or omit it for the first page' });
}

/** The entry a memory is listed as at `depth` below `prefix`: itself, or the directory it is in. */
function entryOf(memory: MemoryRecord, prefix: string, depth: number): MemoryListItem {
  if (depth === 0) return { type: 'memory', memory };
  const segments = memory.path.slice(prefix.length).split('/');
  if (segments.length <= depth) return { type: 'memory', memory };
  return { type: 'prefix', path: `${prefix}${segments.slice(0, depth).join('/')}/` };
}

/** The bound that continues a listing after `item`: after a memory's path, or past a directory. */
function boundAfter(item: MemoryListItem): PathBound {
  return item.type === 'memory' ? { path: item.memory.path, inclusive: false } : { path: prefixEnd(item.path), inclusive: true };
}

/** The listing options, checked and with their defaults. */
export function listingOptions(options: ListMemoriesOptions): { prefix: string; depth: number; limit: number; cursor: string | undefined } {
  const prefix = checkPathPrefix(options.pathPrefix ?? '/');
  const depth = options.depth ?? 0;
  if (!Number.isInteger(depth) || depth < 0) throw new ConclaveError('invalid_argument', `depth must be a whole number ≥ 0, got ${depth}`, { location: { path: 'depth' } });
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1) throw new ConclaveError('invalid_argument', `page size must be a whole number ≥ 1, got ${limit}`);
  return { prefix, depth, limit, cursor: options.cursor };
}

/**
 * One page of a listing, fetching from the backend as needed.
 *
 * @example
 * return listMemoryPage(options, (bound, count) => selectFrom(storeId, prefix, bound, count));
 */
export async function listMemoryPage(options: ListMemoriesOptions, fetch: FetchMemories): Promise<MemoryPage> {
  const { prefix, depth, limit, cursor } = listingOptions(options);
  let bound: PathBound = cursor === undefined ? { path: prefix, inclusive: true } : decodeCursor(cursor);
  const items: MemoryListItem[] = [];
  const batch = Math.min(limit + 1, 200);
  for (;;) {
    const rows = await fetch(bound, batch);
    let skipped = false;
    for (const row of rows) {
      const item = entryOf(row, prefix, depth);
      items.push(item);
      bound = boundAfter(item);
      if (items.length > limit) break;
      // A directory entry stands for every memory below it: fetch again from past them.
      if (item.type === 'prefix') {
        skipped = true;
        break;
      }
    }
    if (items.length > limit || (!skipped && rows.length < batch)) break;
  }
  if (items.length <= limit) return { items, nextCursor: null };
  const page = items.slice(0, limit);
  return { items: page, nextCursor: encodeCursor(boundAfter(page[page.length - 1] as MemoryListItem)) };
}
