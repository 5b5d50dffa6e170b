/**
 * The route table of the Managed Agents memory API (`/anthropic/v1/memory_stores…`, their
 * `memories` and `memory_versions`): `memory-store-handlers.ts` mounts its handlers and
 * `openapi.ts` publishes it.
 */
import { defineRoutes } from '../route-table.js';
import { managedApiBasePath } from './managed-api-base-path.js';
import {
  createMemoryBody,
  createMemoryStoreBody,
  deletedMemorySchema,
  deletedMemoryStoreSchema,
  deleteMemoryQuery,
  listMemoriesQuery,
  listMemoryStoresQuery,
  listMemoryVersionsQuery,
  memoryObjectSchema,
  memoryPageSchema,
  memoryStoreObjectSchema,
  memoryStorePageSchema,
  memoryVersionObjectSchema,
  memoryVersionPageSchema,
  memoryViewQuery,
  updateMemoryBody,
  updateMemoryStoreBody,
} from './memory-store-schema.js';

const storeId = { id: 'The memory store id (`memstore_…`).' };
const memoryIds = { id: 'The memory store id (`memstore_…`).', memory_id: 'The memory id (`mem_…`).' };
const versionIds = { id: 'The memory store id (`memstore_…`).', version_id: 'The memory version id (`memver_…`).' };
const store = { name: 'MemoryStore', schema: memoryStoreObjectSchema };
const memory = { name: 'Memory', schema: memoryObjectSchema };
const version = { name: 'MemoryVersion', schema: memoryVersionObjectSchema };

/** The memory store, memory and memory version routes, relative to `/anthropic/v1`. */
export const managedMemoryStoreRouteTable = defineRoutes({
  basePath: managedApiBasePath,
  face: 'managed',
  routes: {
    createMemoryStore: {
      method: 'post',
      path: '/memory_stores',
      summary: 'Create a memory store: a durable, versioned collection of memories (text at file-like paths) that agents of this workspace can read, search and write',
      body: { name: 'CreateMemoryStoreBody', schema: createMemoryStoreBody, required: true },
      responses: { 200: { description: 'The memory store.', json: store } },
      errors: [400, 413],
    },
    listMemoryStores: {
      method: 'get',
      path: '/memory_stores',
      summary: 'List the memory stores of the workspace, newest first',
      query: listMemoryStoresQuery,
      responses: { 200: { description: 'A page of memory stores.', json: { name: 'MemoryStorePage', schema: memoryStorePageSchema } } },
      errors: [400],
    },
    getMemoryStore: {
      method: 'get',
      path: '/memory_stores/:id',
      summary: 'Get a memory store',
      params: storeId,
      responses: { 200: { description: 'The memory store.', json: store } },
      errors: [404],
    },
    updateMemoryStore: {
      method: 'post',
      path: '/memory_stores/:id',
      summary: 'Update a memory store: its name, description, and a metadata patch (a null value deletes its key)',
      params: storeId,
      body: { name: 'UpdateMemoryStoreBody', schema: updateMemoryStoreBody, required: true },
      responses: { 200: { description: 'The memory store.', json: store } },
      errors: [400, 404, 413],
    },
    deleteMemoryStore: {
      method: 'delete',
      path: '/memory_stores/:id',
      summary: 'Delete a memory store with all its memories and versions',
      params: storeId,
      responses: { 200: { description: 'What was deleted.', json: { name: 'DeletedMemoryStore', schema: deletedMemoryStoreSchema } } },
      errors: [404],
    },
    archiveMemoryStore: {
      method: 'post',
      path: '/memory_stores/:id/archive',
      summary: 'Archive a memory store: its memories stay readable and deletable, nothing can be written, and no new session can attach it',
      params: storeId,
      responses: { 200: { description: 'The archived memory store.', json: store } },
      errors: [404],
    },
    createMemory: {
      method: 'post',
      path: '/memory_stores/:id/memories',
      summary: 'Create a memory at a path (409 when the path is taken or overlaps another memory’s)',
      params: storeId,
      query: memoryViewQuery,
      body: { name: 'CreateMemoryBody', schema: createMemoryBody, required: true },
      responses: { 200: { description: 'The memory (`content` null unless `view=full`).', json: memory } },
      errors: [400, 404, 409, 413],
    },
    listMemories: {
      method: 'get',
      path: '/memory_stores/:id/memories',
      summary: 'List the memories of a store in path order, below a path prefix, rolled up into directories at a depth',
      params: storeId,
      query: listMemoriesQuery,
      responses: { 200: { description: 'A page of memories and `memory_prefix` directory markers.', json: { name: 'MemoryPage', schema: memoryPageSchema } } },
      errors: [400, 404],
    },
    getMemory: {
      method: 'get',
      path: '/memory_stores/:id/memories/:memory_id',
      summary: 'Get a memory (with its content unless `view=basic`)',
      params: memoryIds,
      query: memoryViewQuery,
      responses: { 200: { description: 'The memory.', json: memory } },
      errors: [400, 404],
    },
    updateMemory: {
      method: 'post',
      path: '/memory_stores/:id/memories/:memory_id',
      summary: 'Change a memory’s content and/or path; with a `content_sha256` precondition, only if its content is still that (else 409)',
      params: memoryIds,
      query: memoryViewQuery,
      body: { name: 'UpdateMemoryBody', schema: updateMemoryBody, required: true },
      responses: { 200: { description: 'The memory (`content` null unless `view=full`).', json: memory } },
      errors: [400, 404, 409, 413],
    },
    deleteMemory: {
      method: 'delete',
      path: '/memory_stores/:id/memories/:memory_id',
      summary: 'Delete a memory (its versions stay); with `expected_content_sha256`, only if its content is still that (else 409)',
      params: memoryIds,
      query: deleteMemoryQuery,
      responses: { 200: { description: 'What was deleted.', json: { name: 'DeletedMemory', schema: deletedMemorySchema } } },
      errors: [400, 404, 409],
    },
    listMemoryVersions: {
      method: 'get',
      path: '/memory_stores/:id/memory_versions',
      summary: 'List the versions of a store’s memories, newest first: every create, change and delete, with who made it',
      params: storeId,
      query: listMemoryVersionsQuery,
      responses: { 200: { description: 'A page of memory versions.', json: { name: 'MemoryVersionPage', schema: memoryVersionPageSchema } } },
      errors: [400, 404],
    },
    getMemoryVersion: {
      method: 'get',
      path: '/memory_stores/:id/memory_versions/:version_id',
      summary: 'Get a memory version (with its content unless `view=basic`)',
      params: versionIds,
      query: memoryViewQuery,
      responses: { 200: { description: 'The memory version.', json: version } },
      errors: [400, 404],
    },
    redactMemoryVersion: {
      method: 'post',
      path: '/memory_stores/:id/memory_versions/:version_id/redact',
      summary: 'Redact a memory version: its path and content are cleared for good (not the version a memory’s current content is in: 409)',
      params: versionIds,
      responses: { 200: { description: 'The redacted memory version.', json: version } },
      errors: [404, 409],
    },
  },
});
