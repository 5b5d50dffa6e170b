/**
 * `/v1/memory_stores` of the Managed-Agents-compatible API: memory stores (create, retrieve,
 * update, list, archive, delete), their memories (create, retrieve, update with a `content_sha256`
 * precondition, list by path prefix and depth, delete with `expected_content_sha256`) and their
 * memory versions (list with filters, retrieve, redact). Everything is scoped to the API key's
 * workspace: another workspace's store is a 404, and so is everything in it. Writes made here are
 * recorded as the API key's (`api_actor`); agents' writes as their session's (`session_actor`).
 */
import type { Context, Hono } from 'hono';
import type { MemoryActor, MemoryStoreRecord } from '../../memory/agent-memory-types.js';
import { checkMemoryContent, checkMemoryPath, checkPathPrefix } from '../../memory/memory-paths.js';
import { ConclaveError } from '../../protocol/errors.js';
import { createId } from '../../protocol/ids.js';
import { parseQuery, validateJson } from '../http-errors.js';
import { buildPage } from '../paging.js';
import { mountRoutes } from '../route-table.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';
import { listOptionsOf, patchMetadata } from './managed-fields.js';
import { managedMemoryStoreRouteTable } from './managed-memory-store-routes.js';
import { loadMemoryStore, managedMemoryError, memoryStoreOf } from './memory-store-lookup.js';
import { memoryObject, memoryStoreObject, memoryVersionObject } from './memory-store-schema.js';

/** With `view=full`, a list page holds at most this many items. */
const fullViewPageLimit = 20;

function actorOf(c: Context<ServerEnv>): MemoryActor {
  return { type: 'api_actor', api_key_id: c.get('keyId') };
}

/** Runs a store call, reporting its conflicts as the Managed API does. */
async function managed<T>(work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => Promise.reject(managedMemoryError(error)));
}

/**
 * The memory routes, relative to the Managed API root (`/anthropic/v1`).
 *
 * @example
 * app.route(managedMemoryStoreRouteTable.basePath, managedMemoryStoreRoutes(deps)); // POST /anthropic/v1/memory_stores, …
 */
export function managedMemoryStoreRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const store = memoryStoreOf(deps);
  const { routes } = managedMemoryStoreRouteTable;

  async function writableStore(workspace: string, id: string): Promise<MemoryStoreRecord> {
    const record = await loadMemoryStore(deps, workspace, id);
    if (record.archivedAt !== null) throw new ConclaveError('invalid_argument', `memory store ${id} is archived: its memories can be read and deleted, not written`);
    return record;
  }

  return mountRoutes(managedMemoryStoreRouteTable, {
    createMemoryStore: async (c) => {
      const body = await validateJson(routes.createMemoryStore.body.schema, c);
      const record = await store.createStore({
        id: createId('memoryStore'),
        workspace: c.get('workspace'),
        name: body.name,
        ...(body.description !== undefined ? { description: body.description } : {}),
        metadata: body.metadata ?? {},
      });
      return c.json(memoryStoreObject(record));
    },

    listMemoryStores: async (c) => {
      const page = await store.listStores(c.get('workspace'), listOptionsOf(parseQuery(routes.listMemoryStores.query, c)));
      return c.json(buildPage(page.items.map(memoryStoreObject), page.nextCursor));
    },

    getMemoryStore: async (c) => c.json(memoryStoreObject(await loadMemoryStore(deps, c.get('workspace'), c.req.param('id')))),

    updateMemoryStore: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      const body = await validateJson(routes.updateMemoryStore.body.schema, c);
      const current = await loadMemoryStore(deps, workspace, id);
      if (current.archivedAt !== null) throw new ConclaveError('invalid_argument', `memory store ${id} is archived and can no longer be updated`);
      const record = await store.updateStore(workspace, id, {
        ...(body.name !== undefined && body.name !== null ? { name: body.name } : {}),
        ...(body.description !== undefined && body.description !== null ? { description: body.description } : {}),
        metadata: patchMetadata(current.metadata, body.metadata),
      });
      return c.json(memoryStoreObject(record));
    },

    deleteMemoryStore: async (c) => {
      const id = c.req.param('id');
      if (!(await store.deleteStore(c.get('workspace'), id))) throw new ConclaveError('not_found', `no memory store ${id}`);
      return c.json({ id, type: 'memory_store_deleted' as const });
    },

    archiveMemoryStore: async (c) => c.json(memoryStoreObject(await store.archiveStore(c.get('workspace'), c.req.param('id')))),

    createMemory: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      const query = parseQuery(routes.createMemory.query, c);
      const body = await validateJson(routes.createMemory.body.schema, c);
      const path = checkMemoryPath(body.path, 'body.path');
      const content = checkMemoryContent(body.content ?? '', 'body.content');
      await writableStore(workspace, id);
      const memory = await managed(store.createMemory(workspace, id, { id: createId('memory'), path, content, versionId: createId('memoryVersion'), actor: actorOf(c) }));
      return c.json(memoryObject(memory, query.view ?? 'basic'));
    },

    listMemories: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      const query = parseQuery(routes.listMemories.query, c);
      const shown = query.view ?? 'basic';
      await loadMemoryStore(deps, workspace, id);
      const page = await store.listMemories(workspace, id, {
        limit: shown === 'full' ? Math.min(query.limit, fullViewPageLimit) : query.limit,
        ...(query.page !== undefined ? { cursor: query.page } : {}),
        ...(query.path_prefix !== undefined ? { pathPrefix: checkPathPrefix(query.path_prefix, 'query.path_prefix') } : {}),
        ...(query.depth !== undefined ? { depth: query.depth } : {}),
      });
      const data = page.items.map((item) => (item.type === 'memory' ? memoryObject(item.memory, shown) : { type: 'memory_prefix' as const, path: item.path }));
      return c.json(buildPage(data, page.nextCursor));
    },

    getMemory: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      const memoryId = c.req.param('memory_id');
      const query = parseQuery(routes.getMemory.query, c);
      await loadMemoryStore(deps, workspace, id);
      const memory = await store.getMemory(workspace, id, memoryId);
      if (memory === undefined) throw new ConclaveError('not_found', `no memory ${memoryId} in memory store ${id}`);
      return c.json(memoryObject(memory, query.view ?? 'full'));
    },

    updateMemory: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      const memoryId = c.req.param('memory_id');
      const query = parseQuery(routes.updateMemory.query, c);
      const body = await validateJson(routes.updateMemory.body.schema, c);
      const path = body.path === undefined || body.path === null ? undefined : checkMemoryPath(body.path, 'body.path');
      const content = body.content === undefined || body.content === null ? undefined : checkMemoryContent(body.content, 'body.content');
      await writableStore(workspace, id);
      const memory = await managed(
        store.updateMemory(workspace, id, memoryId, {
          ...(path !== undefined ? { path } : {}),
          ...(content !== undefined ? { content } : {}),
          ...(body.precondition?.content_sha256 !== undefined ? { expectedSha256: body.precondition.content_sha256 } : {}),
          versionId: createId('memoryVersion'),
          actor: actorOf(c),
        }),
      );
      return c.json(memoryObject(memory, query.view ?? 'basic'));
    },

    deleteMemory: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      const memoryId = c.req.param('memory_id');
      const query = parseQuery(routes.deleteMemory.query, c);
      await loadMemoryStore(deps, workspace, id);
      const deleted = await managed(
        store.deleteMemory(workspace, id, memoryId, {
          ...(query.expected_content_sha256 !== undefined ? { expectedSha256: query.expected_content_sha256 } : {}),
          versionId: createId('memoryVersion'),
          actor: actorOf(c),
        }),
      );
      if (!deleted) throw new ConclaveError('not_found', `no memory ${memoryId} in memory store ${id}`);
      return c.json({ id: memoryId, type: 'memory_deleted' as const });
    },

    listMemoryVersions: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      const query = parseQuery(routes.listMemoryVersions.query, c);
      const shown = query.view ?? 'basic';
      await loadMemoryStore(deps, workspace, id);
      // conclave has no service accounts: nothing was written by one.
      if (query.service_account_id !== undefined) return c.json(buildPage([], null));
      const page = await store.listVersions(workspace, id, {
        limit: shown === 'full' ? Math.min(query.limit, fullViewPageLimit) : query.limit,
        ...(query.page !== undefined ? { cursor: query.page } : {}),
        ...(query.memory_id !== undefined ? { memoryId: query.memory_id } : {}),
        ...(query.operation !== undefined ? { operation: query.operation } : {}),
        ...(query.session_id !== undefined ? { sessionId: query.session_id } : {}),
        ...(query.api_key_id !== undefined ? { apiKeyId: query.api_key_id } : {}),
        ...(query['created_at[gte]'] !== undefined ? { createdGte: query['created_at[gte]'] } : {}),
        ...(query['created_at[lte]'] !== undefined ? { createdLte: query['created_at[lte]'] } : {}),
      });
      return c.json(buildPage(page.items.map((item) => memoryVersionObject(item, shown)), page.nextCursor));
    },

    getMemoryVersion: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      const versionId = c.req.param('version_id');
      const query = parseQuery(routes.getMemoryVersion.query, c);
      await loadMemoryStore(deps, workspace, id);
      const version = await store.getVersion(workspace, id, versionId);
      if (version === undefined) throw new ConclaveError('not_found', `no memory version ${versionId} in memory store ${id}`);
      return c.json(memoryVersionObject(version, query.view ?? 'full'));
    },

    redactMemoryVersion: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      await loadMemoryStore(deps, workspace, id);
      const version = await managed(store.redactVersion(workspace, id, c.req.param('version_id'), actorOf(c)));
      return c.json(memoryVersionObject(version, 'full'));
    },
  });
}
