/**
 * The agent memory contract: per-workspace memory stores, each a durable collection of memories —
 * a text at a file-like path (`/projects/foo/notes.md`) — where every write (create, change,
 * rename, delete) adds an immutable memory version. A store belongs to one workspace, and a lookup
 * of another workspace's store, memory or version behaves exactly as if it did not exist. Types
 * only; the in-process, SQLite and PostgreSQL implementations in this folder follow it, held to it
 * by one conformance suite (test/conformance/agent-memory-suite.ts).
 *
 * (Not to be confused with `src/store/memory-store.ts`, the in-memory *session* store.)
 */

/** A memory store as stored. */
export interface MemoryStoreRecord {
  /** `memstore_…`. */
  id: string;
  workspace: string;
  /** 1 to 255 characters; not unique in a workspace. */
  name: string;
  /** What the store holds, for the agents that use it; empty when unset. */
  description: string;
  metadata: Record<string, string>;
  createdAt: string;
  /** Changed by a change of name, description or metadata, and by archiving; not by its memories. */
  updatedAt: string;
  /** Archived stores keep their memories readable and take no new writes. */
  archivedAt: string | null;
}

/** What `createStore` needs; the caller makes the id. */
export interface NewMemoryStore {
  id: string;
  workspace: string;
  name: string;
  description?: string;
  metadata?: Record<string, string>;
  /** Default: now. */
  createdAt?: string;
}

/** A change of a store: each field given replaces the stored one. */
export interface MemoryStoreChanges {
  name?: string;
  description?: string;
  metadata?: Record<string, string>;
  /** Default: now. */
  updatedAt?: string;
}

export interface ListMemoryStoresOptions {
  /** Page size, at least 1. Default 20. */
  limit?: number;
  /** `nextCursor` of the previous page; opaque. */
  cursor?: string;
  /** Include archived stores. Default false. */
  includeArchived?: boolean;
  /** Only stores created at or after this time. */
  createdGte?: string;
  /** Only stores created at or before this time. */
  createdLte?: string;
}

/** One page of stores, newest first; `nextCursor` is null on the last page. */
export interface MemoryStorePage {
  items: MemoryStoreRecord[];
  nextCursor: string | null;
}

/** Who wrote a memory version (as the Managed Agents API shows it). */
export type MemoryActor = { type: 'api_actor'; api_key_id: string } | { type: 'session_actor'; session_id: string } | { type: 'user_actor'; user_id: string };

/** A memory: its current path and content. */
export interface MemoryRecord {
  /** `mem_…`; stays the same when the memory is renamed. */
  id: string;
  storeId: string;
  /** Starts with `/`; unique in the store, and never an ancestor or descendant of another memory's path. */
  path: string;
  content: string;
  /** Lowercase hex SHA-256 of the UTF-8 content. */
  contentSha256: string;
  /** UTF-8 bytes of the content. */
  sizeBytes: number;
  /** The version (`memver_…`) that holds the current content. */
  versionId: string;
  createdAt: string;
  updatedAt: string;
}

/** What every write names: the id of the version it adds, who makes it, and when. */
export interface MemoryWrite {
  /** `memver_…` for the version the write adds (unused when the write changes nothing). */
  versionId: string;
  actor?: MemoryActor;
  /** Default: now. */
  at?: string;
}

/** What `createMemory` needs; the caller makes the ids and checks the path (`checkMemoryPath`). */
export interface NewMemory extends MemoryWrite {
  id: string;
  path: string;
  content: string;
}

/** A change of a memory: new content, a new path (a rename), or both. */
export interface MemoryChanges extends MemoryWrite {
  path?: string;
  content?: string;
  /**
   * Apply only if the current content has this SHA-256; else `MemoryPreconditionError` — unless the
   * memory already has exactly the requested content and path, which succeeds without a version.
   */
  expectedSha256?: string;
}

/** A deletion: adds a `deleted` version; the versions stay. */
export interface MemoryDeletion extends MemoryWrite {
  /** Delete only if the current content has this SHA-256; else `MemoryPreconditionError`. */
  expectedSha256?: string;
}

/** A listing's entry: a memory, or (with `depth`) a directory marker for the memories below it. */
export type MemoryListItem = { type: 'memory'; memory: MemoryRecord } | { type: 'prefix'; path: string };

export interface ListMemoriesOptions {
  /** Only memories below this prefix; it ends with `/` and matches whole segments. Default `/`. */
  pathPrefix?: string;
  /**
   * How many segments below the prefix to list: 0 (default) lists every memory; 1 the direct
   * children, with deeper memories rolled up into one prefix entry per directory; and so on.
   */
  depth?: number;
  /** Page size, at least 1. Default 20. */
  limit?: number;
  cursor?: string;
}

/** One page of a store's memories, in path order (bytewise); `nextCursor` is null on the last page. */
export interface MemoryPage {
  items: MemoryListItem[];
  nextCursor: string | null;
}

export interface SearchMemoriesOptions {
  /** Only memories below this prefix (ends with `/`). */
  pathPrefix?: string;
  /** Most hits. Default 10. */
  limit?: number;
}

/** A search hit: the memory and its relevance (higher is better; comparable within one search only). */
export interface MemorySearchHit {
  memory: MemoryRecord;
  score: number;
}

/** What a version records. */
export type MemoryOperation = 'created' | 'modified' | 'deleted';

/** One immutable entry of a memory's history. */
export interface MemoryVersionRecord {
  /** `memver_…`. */
  id: string;
  storeId: string;
  memoryId: string;
  operation: MemoryOperation;
  /** The memory's path at this write; null once redacted. */
  path: string | null;
  /** The content as of this version; null for `deleted` and once redacted. */
  content: string | null;
  contentSha256: string | null;
  sizeBytes: number | null;
  createdAt: string;
  createdBy: MemoryActor | null;
  redactedAt: string | null;
  redactedBy: MemoryActor | null;
}

export interface ListMemoryVersionsOptions {
  /** Only versions of this memory (also after it was deleted). */
  memoryId?: string;
  operation?: MemoryOperation;
  /** Only versions a session's agents wrote. */
  sessionId?: string;
  /** Only versions written with this API key. */
  apiKeyId?: string;
  createdGte?: string;
  createdLte?: string;
  /** Page size, at least 1. Default 20. */
  limit?: number;
  cursor?: string;
}

/** One page of versions, newest first. */
export interface MemoryVersionPage {
  items: MemoryVersionRecord[];
  nextCursor: string | null;
}

/**
 * Memory stores, memories and their versions. Every method takes the caller's workspace: another
 * workspace's store is `undefined` (reads) or `not_found` (writes). Failures are `ConclaveError`s:
 * `not_found` for an unknown store or memory, `invalid_argument` for a write to an archived store or
 * a bad cursor, `MemoryPathConflictError` (`store_conflict`) for a path that is taken or overlaps
 * another memory's, `MemoryPreconditionError` (`version_conflict`) for a failed SHA-256 check,
 * `store_error` for the storage itself.
 */
export interface AgentMemoryStore {
  readonly specificationVersion: 'v1';
  /** `memory`, `sqlite`, `postgres`. */
  readonly kind: string;

  createStore(store: NewMemoryStore): Promise<MemoryStoreRecord>;
  getStore(workspace: string, id: string): Promise<MemoryStoreRecord | undefined>;
  /** The workspace's stores with exactly this name (names are not unique), oldest first, archived ones too. */
  findStoresByName(workspace: string, name: string): Promise<MemoryStoreRecord[]>;
  /** Refused for an archived store. */
  updateStore(workspace: string, id: string, changes: MemoryStoreChanges): Promise<MemoryStoreRecord>;
  /** Idempotent: the first archiving time stays. */
  archiveStore(workspace: string, id: string, at?: string): Promise<MemoryStoreRecord>;
  /** Removes the store with its memories and versions; false when there was nothing to delete. */
  deleteStore(workspace: string, id: string): Promise<boolean>;
  /** Stores of the workspace, newest first (createdAt desc, then id desc). */
  listStores(workspace: string, options?: ListMemoryStoresOptions): Promise<MemoryStorePage>;

  /** Adds a memory and its `created` version. */
  createMemory(workspace: string, storeId: string, memory: NewMemory): Promise<MemoryRecord>;
  getMemory(workspace: string, storeId: string, memoryId: string): Promise<MemoryRecord | undefined>;
  getMemoryByPath(workspace: string, storeId: string, path: string): Promise<MemoryRecord | undefined>;
  /** Changes content and/or path, adding a `modified` version; a change that changes nothing adds none. */
  updateMemory(workspace: string, storeId: string, memoryId: string, changes: MemoryChanges): Promise<MemoryRecord>;
  /** Removes the memory, adding a `deleted` version; false when there was no such memory. */
  deleteMemory(workspace: string, storeId: string, memoryId: string, deletion: MemoryDeletion): Promise<boolean>;
  listMemories(workspace: string, storeId: string, options?: ListMemoriesOptions): Promise<MemoryPage>;
  /**
   * Full-text search over the store's memories: every word of `query` must appear in the content as
   * a word (case-insensitive); a word ending in `*` matches as a prefix. Best hits first.
   */
  searchMemories(workspace: string, storeId: string, query: string, options?: SearchMemoriesOptions): Promise<MemorySearchHit[]>;

  getVersion(workspace: string, storeId: string, versionId: string): Promise<MemoryVersionRecord | undefined>;
  listVersions(workspace: string, storeId: string, options?: ListMemoryVersionsOptions): Promise<MemoryVersionPage>;
  /**
   * Clears a version's path and content (its operation, memory and author stay). The version that
   * holds a memory's current content cannot be redacted (`store_conflict`): change the memory first.
   */
  redactVersion(workspace: string, storeId: string, versionId: string, actor?: MemoryActor, at?: string): Promise<MemoryVersionRecord>;

  close(): Promise<void>;
}
