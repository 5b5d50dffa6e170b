/**
 * The reference resource store: API keys and versioned resources in one process's memory. Tests and
 * `--db :memory:` use it, and the conformance suite holds every other resource store to its
 * behaviour. Bodies are kept as JSON text, as a durable store keeps them, so callers always get
 * fresh objects and can never change stored data through a reference.
 */
import { ConclaveError } from '../protocol/errors.js';
import type {
  ApiKeyRecord,
  ListResourcesOptions,
  ListVersionsOptions,
  NewApiKey,
  NewResource,
  ResourceKind,
  ResourcePage,
  ResourceRecord,
  ResourceStore,
} from '../protocol/resources.js';
import {
  archivedResource,
  comesAfter,
  compareListingOrder,
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

interface StoredVersion {
  version: number;
  bodyJson: string;
  updatedAt: string;
}

interface StoredResource {
  kind: ResourceKind;
  id: string;
  workspace: string;
  createdAt: string;
  archivedAt: string | null;
  versions: StoredVersion[];
}

/**
 * Creates an empty in-memory resource store.
 *
 * @example
 * const resources = createMemoryResourceStore();
 * await resources.createResource({ kind: 'agent', id: createId('agent'), workspace: 'default', body: { name: 'Ada' } });
 */
export function createMemoryResourceStore(): ResourceStore {
  const keys = new Map<string, ApiKeyRecord>();
  const resources = new Map<string, StoredResource>();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new ConclaveError('store_error', 'the memory resource store is closed');
  }

  function slot(kind: ResourceKind, id: string): string {
    return `${kind}\u0000${id}`;
  }

  /** The resource, only when it belongs to `workspace`: another workspace's resource does not exist. */
  function find(kind: ResourceKind, workspace: string, id: string): StoredResource | undefined {
    const stored = resources.get(slot(kind, id));
    return stored !== undefined && stored.workspace === workspace ? stored : undefined;
  }

  function latest(stored: StoredResource): StoredVersion {
    return stored.versions[stored.versions.length - 1] as StoredVersion;
  }

  function toRecord(stored: StoredResource, version: StoredVersion): ResourceRecord {
    return {
      kind: stored.kind,
      id: stored.id,
      workspace: stored.workspace,
      version: version.version,
      body: JSON.parse(version.bodyJson) as Record<string, unknown>,
      createdAt: stored.createdAt,
      updatedAt: version.updatedAt,
      archivedAt: stored.archivedAt,
    };
  }

  return {
    specificationVersion: 'v1',
    kind: 'memory',

    async createKey(key: NewApiKey): Promise<ApiKeyRecord> {
      assertOpen();
      if (keys.has(key.id) || [...keys.values()].some((existing) => existing.hash === key.hash)) {
        throw new ConclaveError('store_conflict', `an API key with id ${key.id} or the same secret already exists`);
      }
      const record: ApiKeyRecord = {
        id: key.id,
        workspace: key.workspace,
        name: key.name ?? null,
        prefix: key.prefix,
        hash: key.hash,
        createdAt: key.createdAt ?? new Date().toISOString(),
        lastUsedAt: null,
        revokedAt: null,
      };
      keys.set(record.id, record);
      return { ...record };
    },

    async findKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
      assertOpen();
      for (const record of keys.values()) if (record.hash === hash) return { ...record };
      return undefined;
    },

    async listKeys(workspace?: string): Promise<ApiKeyRecord[]> {
      assertOpen();
      return [...keys.values()]
        .filter((record) => workspace === undefined || record.workspace === workspace)
        .sort((left, right) => (left.createdAt === right.createdAt ? (left.id < right.id ? -1 : 1) : left.createdAt < right.createdAt ? -1 : 1))
        .map((record) => ({ ...record }));
    },

    async revokeKey(id: string): Promise<ApiKeyRecord | undefined> {
      assertOpen();
      const record = keys.get(id);
      if (record === undefined) return undefined;
      record.revokedAt ??= new Date().toISOString();
      return { ...record };
    },

    async touchKey(id: string, at: string = new Date().toISOString()): Promise<void> {
      assertOpen();
      const record = keys.get(id);
      if (record !== undefined) record.lastUsedAt = at;
    },

    async createResource(resource: NewResource): Promise<ResourceRecord> {
      assertOpen();
      if (resources.has(slot(resource.kind, resource.id))) {
        throw new ConclaveError('store_conflict', `${resource.kind} ${resource.id} already exists`);
      }
      const createdAt = resource.createdAt === undefined ? new Date().toISOString() : normalizeTimestamp(resource.createdAt, 'createdAt');
      const stored: StoredResource = {
        kind: resource.kind,
        id: resource.id,
        workspace: resource.workspace,
        createdAt,
        archivedAt: null,
        versions: [{ version: 1, bodyJson: JSON.stringify(resource.body), updatedAt: createdAt }],
      };
      resources.set(slot(resource.kind, resource.id), stored);
      return toRecord(stored, latest(stored));
    },

    async getResource(kind: ResourceKind, workspace: string, id: string, version?: number): Promise<ResourceRecord | undefined> {
      assertOpen();
      const stored = find(kind, workspace, id);
      if (stored === undefined) return undefined;
      const found = version === undefined ? latest(stored) : stored.versions.find((candidate) => candidate.version === version);
      return found === undefined ? undefined : toRecord(stored, found);
    },

    async updateResource(kind: ResourceKind, workspace: string, id: string, body: Record<string, unknown>, expectedVersion?: number): Promise<ResourceRecord> {
      assertOpen();
      const stored = find(kind, workspace, id);
      if (stored === undefined) throw resourceNotFound(kind, id);
      const current = latest(stored);
      if (expectedVersion !== undefined && expectedVersion !== current.version) throw versionConflict(kind, id, expectedVersion, current.version);
      if (stored.archivedAt !== null) throw archivedResource(kind, id);
      const next: StoredVersion = { version: current.version + 1, bodyJson: JSON.stringify(body), updatedAt: new Date().toISOString() };
      stored.versions.push(next);
      return toRecord(stored, next);
    },

    async archiveResource(kind: ResourceKind, workspace: string, id: string): Promise<ResourceRecord> {
      assertOpen();
      const stored = find(kind, workspace, id);
      if (stored === undefined) throw resourceNotFound(kind, id);
      stored.archivedAt ??= new Date().toISOString();
      return toRecord(stored, latest(stored));
    },

    async deleteResource(kind: ResourceKind, workspace: string, id: string): Promise<boolean> {
      assertOpen();
      if (find(kind, workspace, id) === undefined) return false;
      return resources.delete(slot(kind, id));
    },

    async listResources(kind: ResourceKind, workspace: string, options: ListResourcesOptions = {}): Promise<ResourcePage> {
      assertOpen();
      const limit = pageSize(options.limit);
      const after = options.cursor === undefined ? undefined : decodeResourceCursor(options.cursor);
      const gte = options.createdGte === undefined ? undefined : normalizeTimestamp(options.createdGte, 'createdGte');
      const lte = options.createdLte === undefined ? undefined : normalizeTimestamp(options.createdLte, 'createdLte');
      const candidates = [...resources.values()]
        .filter(
          (stored) =>
            stored.kind === kind &&
            stored.workspace === workspace &&
            (options.includeArchived === true || stored.archivedAt === null) &&
            (gte === undefined || stored.createdAt >= gte) &&
            (lte === undefined || stored.createdAt <= lte) &&
            (after === undefined || comesAfter(stored, after)),
        )
        .sort(compareListingOrder)
        .slice(0, limit + 1)
        .map((stored) => toRecord(stored, latest(stored)));
      return toPage(candidates, limit, encodeResourceCursor);
    },

    async listVersions(kind: ResourceKind, workspace: string, id: string, options: ListVersionsOptions = {}): Promise<ResourcePage> {
      assertOpen();
      const stored = find(kind, workspace, id);
      if (stored === undefined) throw resourceNotFound(kind, id);
      const limit = pageSize(options.limit);
      const before = options.cursor === undefined ? Number.POSITIVE_INFINITY : decodeVersionCursor(options.cursor);
      const candidates = stored.versions
        .filter((candidate) => candidate.version < before)
        .reverse()
        .slice(0, limit + 1)
        .map((candidate) => toRecord(stored, candidate));
      return toPage(candidates, limit, (last) => encodeVersionCursor(last.version));
    },

    async close(): Promise<void> {
      closed = true;
    },
  };
}
