/**
 * The reference agent memory store: stores, memories and versions in one process's memory (tests,
 * `--db :memory:`, the library's default). The conformance suite holds the SQLite and PostgreSQL
 * stores to its behaviour. Every write runs to its end without yielding, so it is atomic; records
 * are copied in and out, so a caller can never change stored data through a reference.
 */
import { ConclaveError } from '../protocol/errors.js';
import { comesAfter, compareListingOrder, decodeResourceCursor, decodeVersionCursor, encodeResourceCursor, encodeVersionCursor, normalizeTimestamp, pageSize } from '../store/resource-paging.js';
import type {
  AgentMemoryStore,
  ListMemoryStoresOptions,
  ListMemoryVersionsOptions,
  MemoryActor,
  MemoryChanges,
  MemoryDeletion,
  MemoryRecord,
  MemoryStoreChanges,
  MemoryStorePage,
  MemoryStoreRecord,
  MemoryVersionPage,
  MemoryVersionRecord,
  NewMemory,
  NewMemoryStore,
  SearchMemoriesOptions,
} from './agent-memory-types.js';
import { listMemoryPage } from './memory-listing.js';
import {
  ancestorPaths,
  archivedStore,
  checkPathPrefix,
  compareBytewise,
  contentBytes,
  contentSha256,
  currentVersionConflict,
  MemoryPathConflictError,
  MemoryPreconditionError,
  memoryNotFound,
  storeNotFound,
} from './memory-paths.js';
import { matchScore, queryTerms } from './memory-search.js';
import { versionMatches, type StoredVersion } from './memory-versions.js';

interface StoreState {
  record: MemoryStoreRecord;
  memories: Map<string, MemoryRecord>;
  versions: StoredVersion[];
}

const copyStore = (record: MemoryStoreRecord): MemoryStoreRecord => ({ ...record, metadata: { ...record.metadata } });
const copyVersion = (stored: StoredVersion): MemoryVersionRecord => {
  const { seq: _seq, ...record } = stored;
  return { ...record, createdBy: record.createdBy === null ? null : { ...record.createdBy }, redactedBy: record.redactedBy === null ? null : { ...record.redactedBy } };
};

/**
 * Creates an empty in-process agent memory store.
 *
 * @example
 * const memory = createInProcessAgentMemoryStore();
 * const store = await memory.createStore({ id: createId('memoryStore'), workspace: 'default', name: 'notes' });
 */
export function createInProcessAgentMemoryStore(): AgentMemoryStore {
  const stores = new Map<string, StoreState>();
  let versionSeq = 0;
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new ConclaveError('store_error', 'the in-process memory store is closed');
  }

  function find(workspace: string, id: string): StoreState | undefined {
    assertOpen();
    const state = stores.get(id);
    return state !== undefined && state.record.workspace === workspace ? state : undefined;
  }

  function existing(workspace: string, id: string): StoreState {
    const state = find(workspace, id);
    if (state === undefined) throw storeNotFound(id);
    return state;
  }

  function writable(workspace: string, id: string): StoreState {
    const state = existing(workspace, id);
    if (state.record.archivedAt !== null) throw archivedStore(id);
    return state;
  }

  /** The memory in the way of `path` (itself, an ancestor or a descendant), other than `except`. */
  function conflictFor(state: StoreState, path: string, except?: string): MemoryPathConflictError | undefined {
    const ancestors = new Set(ancestorPaths(path));
    for (const memory of state.memories.values()) {
      if (memory.id === except) continue;
      if (memory.path === path || ancestors.has(memory.path) || memory.path.startsWith(`${path}/`)) return new MemoryPathConflictError(path, memory.path, memory.id);
    }
    return undefined;
  }

  function addVersion(state: StoreState, memory: { id: string; path: string }, operation: MemoryVersionRecord['operation'], content: string | null, write: { versionId: string; actor?: MemoryActor }, at: string): void {
    versionSeq += 1;
    state.versions.push({
      seq: versionSeq,
      id: write.versionId,
      storeId: state.record.id,
      memoryId: memory.id,
      operation,
      path: memory.path,
      content,
      contentSha256: content === null ? null : contentSha256(content),
      sizeBytes: content === null ? null : contentBytes(content),
      createdAt: at,
      createdBy: write.actor ?? null,
      redactedAt: null,
      redactedBy: null,
    });
  }

  return {
    specificationVersion: 'v1',
    kind: 'memory',

    async createStore(store: NewMemoryStore): Promise<MemoryStoreRecord> {
      assertOpen();
      if (stores.has(store.id)) throw new ConclaveError('store_conflict', `memory store ${store.id} already exists`);
      const createdAt = store.createdAt === undefined ? new Date().toISOString() : normalizeTimestamp(store.createdAt, 'createdAt');
      const record: MemoryStoreRecord = {
        id: store.id,
        workspace: store.workspace,
        name: store.name,
        description: store.description ?? '',
        metadata: { ...store.metadata },
        createdAt,
        updatedAt: createdAt,
        archivedAt: null,
      };
      stores.set(store.id, { record, memories: new Map(), versions: [] });
      return copyStore(record);
    },

    async getStore(workspace: string, id: string): Promise<MemoryStoreRecord | undefined> {
      const state = find(workspace, id);
      return state === undefined ? undefined : copyStore(state.record);
    },

    async findStoresByName(workspace: string, name: string): Promise<MemoryStoreRecord[]> {
      assertOpen();
      return [...stores.values()]
        .map((state) => state.record)
        .filter((record) => record.workspace === workspace && record.name === name)
        .sort((left, right) => -compareListingOrder(left, right))
        .map(copyStore);
    },

    async updateStore(workspace: string, id: string, changes: MemoryStoreChanges): Promise<MemoryStoreRecord> {
      const state = existing(workspace, id);
      if (state.record.archivedAt !== null) throw new ConclaveError('invalid_argument', `memory store ${id} is archived and can no longer be changed`);
      state.record = {
        ...state.record,
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.metadata !== undefined ? { metadata: { ...changes.metadata } } : {}),
        updatedAt: changes.updatedAt ?? new Date().toISOString(),
      };
      return copyStore(state.record);
    },

    async archiveStore(workspace: string, id: string, at: string = new Date().toISOString()): Promise<MemoryStoreRecord> {
      const state = existing(workspace, id);
      if (state.record.archivedAt === null) state.record = { ...state.record, archivedAt: at, updatedAt: at };
      return copyStore(state.record);
    },

    async deleteStore(workspace: string, id: string): Promise<boolean> {
      return find(workspace, id) !== undefined && stores.delete(id);
    },

    async listStores(workspace: string, options: ListMemoryStoresOptions = {}): Promise<MemoryStorePage> {
      assertOpen();
      const limit = pageSize(options.limit);
      const after = options.cursor === undefined ? undefined : decodeResourceCursor(options.cursor);
      const gte = options.createdGte === undefined ? undefined : normalizeTimestamp(options.createdGte, 'createdGte');
      const lte = options.createdLte === undefined ? undefined : normalizeTimestamp(options.createdLte, 'createdLte');
      const candidates = [...stores.values()]
        .map((state) => state.record)
        .filter(
          (record) =>
            record.workspace === workspace &&
            (options.includeArchived === true || record.archivedAt === null) &&
            (gte === undefined || record.createdAt >= gte) &&
            (lte === undefined || record.createdAt <= lte) &&
            (after === undefined || comesAfter(record, after)),
        )
        .sort(compareListingOrder)
        .slice(0, limit + 1)
        .map(copyStore);
      if (candidates.length <= limit) return { items: candidates, nextCursor: null };
      const items = candidates.slice(0, limit);
      return { items, nextCursor: encodeResourceCursor(items[items.length - 1] as MemoryStoreRecord) };
    },

    async createMemory(workspace: string, storeId: string, memory: NewMemory): Promise<MemoryRecord> {
      const state = writable(workspace, storeId);
      const conflict = conflictFor(state, memory.path);
      if (conflict !== undefined) throw conflict;
      if ([...stores.values()].some((other) => other.memories.has(memory.id))) throw new ConclaveError('store_conflict', `memory ${memory.id} already exists`);
      const at = memory.at ?? new Date().toISOString();
      const record: MemoryRecord = {
        id: memory.id,
        storeId,
        path: memory.path,
        content: memory.content,
        contentSha256: contentSha256(memory.content),
        sizeBytes: contentBytes(memory.content),
        versionId: memory.versionId,
        createdAt: at,
        updatedAt: at,
      };
      state.memories.set(record.id, record);
      addVersion(state, record, 'created', record.content, memory, at);
      return { ...record };
    },

    async getMemory(workspace: string, storeId: string, memoryId: string): Promise<MemoryRecord | undefined> {
      const memory = find(workspace, storeId)?.memories.get(memoryId);
      return memory === undefined ? undefined : { ...memory };
    },

    async getMemoryByPath(workspace: string, storeId: string, path: string): Promise<MemoryRecord | undefined> {
      const state = find(workspace, storeId);
      if (state === undefined) return undefined;
      for (const memory of state.memories.values()) if (memory.path === path) return { ...memory };
      return undefined;
    },

    async updateMemory(workspace: string, storeId: string, memoryId: string, changes: MemoryChanges): Promise<MemoryRecord> {
      const state = writable(workspace, storeId);
      const current = state.memories.get(memoryId);
      if (current === undefined) throw memoryNotFound(memoryId, storeId);
      const path = changes.path ?? current.path;
      const content = changes.content ?? current.content;
      const unchanged = path === current.path && content === current.content;
      if (changes.expectedSha256 !== undefined && changes.expectedSha256 !== current.contentSha256 && !unchanged) throw new MemoryPreconditionError(memoryId, changes.expectedSha256);
      if (unchanged) return { ...current };
      if (path !== current.path) {
        const conflict = conflictFor(state, path, memoryId);
        if (conflict !== undefined) throw conflict;
      }
      const at = changes.at ?? new Date().toISOString();
      const next: MemoryRecord = { ...current, path, content, contentSha256: contentSha256(content), sizeBytes: contentBytes(content), versionId: changes.versionId, updatedAt: at };
      state.memories.set(memoryId, next);
      addVersion(state, next, 'modified', content, changes, at);
      return { ...next };
    },

    async deleteMemory(workspace: string, storeId: string, memoryId: string, deletion: MemoryDeletion): Promise<boolean> {
      const state = existing(workspace, storeId);
      const current = state.memories.get(memoryId);
      if (current === undefined) return false;
      if (deletion.expectedSha256 !== undefined && deletion.expectedSha256 !== current.contentSha256) throw new MemoryPreconditionError(memoryId, deletion.expectedSha256);
      state.memories.delete(memoryId);
      addVersion(state, current, 'deleted', null, deletion, deletion.at ?? new Date().toISOString());
      return true;
    },

    async listMemories(workspace, storeId, options = {}) {
      const state = find(workspace, storeId);
      const prefix = checkPathPrefix(options.pathPrefix ?? '/');
      const sorted = state === undefined ? [] : [...state.memories.values()].filter((memory) => memory.path.startsWith(prefix)).sort((left, right) => compareBytewise(left.path, right.path));
      return listMemoryPage(options, (bound, count) =>
        sorted
          .filter((memory) => {
            const order = compareBytewise(memory.path, bound.path);
            return bound.inclusive ? order >= 0 : order > 0;
          })
          .slice(0, count)
          .map((memory) => ({ ...memory })),
      );
    },

    async searchMemories(workspace: string, storeId: string, query: string, options: SearchMemoriesOptions = {}) {
      const terms = queryTerms(query);
      const state = find(workspace, storeId);
      if (state === undefined) return [];
      const prefix = options.pathPrefix === undefined ? '/' : checkPathPrefix(options.pathPrefix);
      return [...state.memories.values()]
        .filter((memory) => memory.path.startsWith(prefix))
        .map((memory) => ({ memory: { ...memory }, score: matchScore(memory.content, terms) }))
        .filter((hit) => hit.score > 0)
        .sort((left, right) => right.score - left.score || compareBytewise(left.memory.path, right.memory.path))
        .slice(0, pageSize(options.limit ?? 10));
    },

    async getVersion(workspace: string, storeId: string, versionId: string): Promise<MemoryVersionRecord | undefined> {
      const version = find(workspace, storeId)?.versions.find((stored) => stored.id === versionId);
      return version === undefined ? undefined : copyVersion(version);
    },

    async listVersions(workspace: string, storeId: string, options: ListMemoryVersionsOptions = {}): Promise<MemoryVersionPage> {
      const state = find(workspace, storeId);
      const limit = pageSize(options.limit);
      const before = options.cursor === undefined ? undefined : decodeVersionCursor(options.cursor);
      const matches = versionMatches(options);
      const candidates = (state?.versions ?? [])
        .filter((version) => (before === undefined || version.seq < before) && matches(version))
        .sort((left, right) => right.seq - left.seq)
        .slice(0, limit + 1);
      if (candidates.length <= limit) return { items: candidates.map(copyVersion), nextCursor: null };
      const items = candidates.slice(0, limit);
      return { items: items.map(copyVersion), nextCursor: encodeVersionCursor((items[items.length - 1] as StoredVersion).seq) };
    },

    async redactVersion(workspace: string, storeId: string, versionId: string, actor?: MemoryActor, at: string = new Date().toISOString()): Promise<MemoryVersionRecord> {
      const state = existing(workspace, storeId);
      const index = state.versions.findIndex((stored) => stored.id === versionId);
      const version = state.versions[index];
      if (version === undefined) throw new ConclaveError('not_found', `no memory version ${versionId} in memory store ${storeId}`);
      if (state.memories.get(version.memoryId)?.versionId === versionId) throw currentVersionConflict(versionId, version.memoryId);
      if (version.redactedAt === null) state.versions[index] = { ...version, path: null, content: null, contentSha256: null, sizeBytes: null, redactedAt: at, redactedBy: actor ?? null };
      return copyVersion(state.versions[index] as StoredVersion);
    },

    async close(): Promise<void> {
      closed = true;
    },
  };
}
