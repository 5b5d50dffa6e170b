/**
 * The resource store contract: what the HTTP server keeps besides session logs. API keys (only a
 * hash of each secret, never the secret) and versioned JSON resources — agents, environments and
 * vaults (a vault's credentials live in their own store, `credentials.ts`) —
 * scoped by workspace. Every update writes a new version and keeps the old ones, and an update may
 * state the version it was based on, so two writers can never silently overwrite each other.
 * Types only; the memory and SQLite stores in `src/store/` implement it.
 */

/** An API key as stored. The secret itself is never stored; `hash` is its sha256 (hex). */
export interface ApiKeyRecord {
  /** `key_…`. */
  id: string;
  /** Every resource the key can reach lives in this workspace. */
  workspace: string;
  /** A label chosen by whoever created the key. */
  name: string | null;
  /** The first 12 characters of the secret, shown in listings so people can tell keys apart. */
  prefix: string;
  /** sha256 of the full secret, lowercase hex. */
  hash: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What `createKey` needs; the caller makes the id, the secret and its hash. */
export interface NewApiKey {
  id: string;
  workspace: string;
  name?: string | null;
  prefix: string;
  hash: string;
  /** Default: now. */
  createdAt?: string;
}

/** The kinds of versioned resources the store keeps. */
export type ResourceKind = 'agent' | 'environment' | 'vault';

/** One version of a resource. `createdAt` and `archivedAt` belong to the resource, `updatedAt` to the version. */
export interface ResourceRecord {
  kind: ResourceKind;
  id: string;
  workspace: string;
  /** 1 for the created resource, +1 for every update. */
  version: number;
  /** The resource's fields as the API returns them (without id, version and timestamps). */
  body: Record<string, unknown>;
  createdAt: string;
  /** When this version was written. */
  updatedAt: string;
  archivedAt: string | null;
}

/** What `createResource` needs; the caller makes the id. */
export interface NewResource {
  kind: ResourceKind;
  id: string;
  workspace: string;
  body: Record<string, unknown>;
  /** Default: now. */
  createdAt?: string;
}

export interface ListResourcesOptions {
  /** Page size, at least 1. Default 20. */
  limit?: number;
  /** `nextCursor` of the previous page; opaque. */
  cursor?: string;
  /** Whether archived resources are listed too. Default false. */
  includeArchived?: boolean;
  /** Only resources created at or after this RFC 3339 time. */
  createdGte?: string;
  /** Only resources created at or before this RFC 3339 time. */
  createdLte?: string;
}

export interface ListVersionsOptions {
  /** Page size, at least 1. Default 20. */
  limit?: number;
  /** `nextCursor` of the previous page; opaque. */
  cursor?: string;
}

/** One page of a listing; `nextCursor` is null on the last page. */
export interface ResourcePage {
  items: ResourceRecord[];
  nextCursor: string | null;
}

/**
 * Keys and versioned resources. Lookups of another workspace's resource behave exactly as if it did
 * not exist. Failures are `ConclaveError`s: `not_found` for an unknown resource on write,
 * `version_conflict` when `expectedVersion` is not the latest, `invalid_argument` for a bad cursor
 * or a write to an archived resource, `store_error` for the storage itself.
 */
export interface ResourceStore {
  readonly specificationVersion: 'v1';
  /** `memory`, `sqlite`, … */
  readonly kind: string;

  /** Stores a new key; fails with `store_conflict` if the id or hash is already taken. */
  createKey(key: NewApiKey): Promise<ApiKeyRecord>;
  /** The key whose secret hashes to `hash`, revoked or not. */
  findKeyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  /** All keys (of one workspace when given), oldest first. */
  listKeys(workspace?: string): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked (idempotent: the first revocation time is kept); undefined for an unknown id. */
  revokeKey(id: string): Promise<ApiKeyRecord | undefined>;
  /** Records that a key was just used. Optional: a store may not track use. */
  touchKey?(id: string, at?: string): Promise<void>;

  /** Stores version 1 of a new resource; fails with `store_conflict` if the id is taken. */
  createResource(resource: NewResource): Promise<ResourceRecord>;
  /** The given version, or the latest when `version` is omitted. */
  getResource(kind: ResourceKind, workspace: string, id: string, version?: number): Promise<ResourceRecord | undefined>;
  /**
   * Writes `body` as the next version. With `expectedVersion`, fails with `version_conflict`
   * unless the latest version is exactly that one.
   */
  updateResource(kind: ResourceKind, workspace: string, id: string, body: Record<string, unknown>, expectedVersion?: number): Promise<ResourceRecord>;
  /** Sets `archivedAt` (idempotent) and returns the latest version. The version does not change. */
  archiveResource(kind: ResourceKind, workspace: string, id: string): Promise<ResourceRecord>;
  /** Removes the resource and all its versions; false when there was nothing to delete. */
  deleteResource(kind: ResourceKind, workspace: string, id: string): Promise<boolean>;
  /** Latest versions, newest first (createdAt desc, then id desc), without skips or repeats across pages. */
  listResources(kind: ResourceKind, workspace: string, options?: ListResourcesOptions): Promise<ResourcePage>;
  /** Every version of one resource, newest first; `not_found` for an unknown resource. */
  listVersions(kind: ResourceKind, workspace: string, id: string, options?: ListVersionsOptions): Promise<ResourcePage>;

  close(): Promise<void>;
}
