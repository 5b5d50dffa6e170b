/**
 * Session resources on the Managed face (`/anthropic/v1/sessions/{id}/resources…`, and `resources`
 * of a new session): files of the workspace mounted into the session's sandbox, and memory stores
 * its agent reads and writes with the memory tools. Files are kept in the file store next to the
 * files (durable, so a session resumed by another process mounts the same), and the session's tools
 * write them into its workspace before each tool call (see `src/sandbox/mounted-files.ts`). A memory
 * store is attached when the session is created: checked here (a store of the workspace, not
 * archived), resolved by the kernel's `prepareDefinition` (`src/memory/memory-session.ts`) and
 * journaled with the session's document, where the resources list reads it back. A repository is a
 * 400 saying why, never accepted and dropped; a mount path that leaves the mount roots is a 400.
 */
import type { Hono } from 'hono';
import type { z } from 'zod';
import { ConclaveError } from '../../protocol/errors.js';
import type { SessionFileResource } from '../../protocol/files.js';
import { createId } from '../../protocol/ids.js';
import { defaultMountPath, resolveMountPath } from '../../sandbox/mount-paths.js';
import { validateJson, validateValue } from '../http-errors.js';
import { ownedSession } from '../native/sessions.js';
import { buildPage, parsePageQuery } from '../paging.js';
import { mountRoutes } from '../route-table.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';
import { addSessionResourceBody, sessionResourceObject, type SessionResourceObject, type deletedSessionResourceSchema } from './file-schemas.js';
import { fileStoreOf } from './file-upload.js';
import { managedSessionResourceRouteTable } from './managed-file-routes.js';
import { memoryStoreOf } from './memory-store-lookup.js';
import { memoryStoreResourceObject, type MemoryStoreResourceObject } from './memory-store-schema.js';
import type { ResolvedMemoryEntry } from '../../memory/memory-settings.js';

/** A resource that passed the checks, ready to store. */
export interface CheckedResource {
  fileId: string;
  mountPath: string;
}

const unsupportedTypes: Record<string, string> = {
  github_repository: 'conclave does not clone repositories into the sandbox; upload the files with the Files API and mount them as file resources',
};

/** Checks a `memory_store` resource of a new session: a live store of the workspace, a known access. */
async function checkMemoryStoreResource(deps: ServerDeps, workspace: string, body: Record<string, unknown>, at: (field: string) => string, seen: Set<string>): Promise<void> {
  const id = body['memory_store_id'];
  if (typeof id !== 'string' || id === '') throw refuse(at('memory_store_id'), 'a memory_store resource needs the id of a memory store (memstore_…)');
  const store = await memoryStoreOf(deps).getStore(workspace, id);
  if (store === undefined) throw new ConclaveError('not_found', `${at('memory_store_id')}: no memory store ${id}`, { location: { path: at('memory_store_id') }, hint: 'create it first with POST /anthropic/v1/memory_stores' });
  if (store.archivedAt !== null) throw refuse(at('memory_store_id'), `memory store ${id} is archived and cannot be attached to a session`);
  if (seen.has(id)) throw refuse(at('memory_store_id'), `memory store ${id} is attached twice`, 'attach each store once');
  seen.add(id);
  const access = body['access'];
  if (access !== undefined && access !== null && access !== 'read_write' && access !== 'read_only') throw refuse(at('access'), `expected "read_write" or "read_only", got ${JSON.stringify(access)}`);
  const instructions = body['instructions'];
  if (instructions !== undefined && instructions !== null && (typeof instructions !== 'string' || instructions.length > 4096)) throw refuse(at('instructions'), 'expected a string of at most 4096 characters');
}

function refuse(path: string, message: string, hint?: string): ConclaveError {
  return new ConclaveError('invalid_argument', `${path}: ${message}`, { location: { path }, ...(hint !== undefined ? { hint } : {}) });
}

/**
 * Checks resources a client asks for (the body of an add, or a new session's `resources`) against
 * the session's current ones: the type, that the file exists in the workspace, and the mount path.
 *
 * @example
 * const checked = await checkSessionResources(deps, workspace, body.resources ?? [], 'resources');
 */
export async function checkSessionResources(deps: ServerDeps, workspace: string, entries: readonly unknown[], root: string, existing: readonly SessionFileResource[] = []): Promise<CheckedResource[]> {
  const files = fileStoreOf(deps);
  const taken = new Map(existing.map((resource) => [resource.mountPath, resource.id]));
  const checked: CheckedResource[] = [];
  const memoryStores = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const path = root === '' ? '' : `${root}[${index}]`;
    const at = (field: string): string => (path === '' ? field : `${path}.${field}`);
    const body = validateValue(addSessionResourceBody, entry, path === '' ? 'body' : path);
    // Attached with the session, through its document (see the module comment); nothing to store here.
    if (body.type === 'memory_store') {
      if (path === '') throw refuse('type', 'a memory store is attached when the session is created', 'give it in the `resources` of POST /anthropic/v1/sessions');
      await checkMemoryStoreResource(deps, workspace, body, at, memoryStores);
      continue;
    }
    if (body.type !== 'file') {
      const why = unsupportedTypes[body.type] ?? 'only file resources are supported';
      throw refuse(at('type'), `"${body.type}" resources are not supported by this server: ${why}`, 'add {type: "file", file_id, mount_path?} resources');
    }
    if (body.file_id === undefined) throw refuse(at('file_id'), 'a file resource needs the id of an uploaded file');
    if ((await files.getFile(workspace, body.file_id)) === undefined) {
      throw new ConclaveError('not_found', `${at('file_id')}: no file ${body.file_id}`, { location: { path: at('file_id') }, hint: 'upload it first with POST /anthropic/v1/files' });
    }
    let mountPath: string;
    try {
      mountPath = resolveMountPath(body.mount_path ?? defaultMountPath(body.file_id)).mountPath;
    } catch (error) {
      if (error instanceof ConclaveError) throw new ConclaveError(error.code, error.message, { location: { path: at('mount_path') }, ...(error.hint !== undefined ? { hint: error.hint } : {}) });
      throw error;
    }
    const holder = taken.get(mountPath);
    if (holder !== undefined) throw refuse(at('mount_path'), `${mountPath} is already where ${holder} is mounted`, 'choose another mount_path, or delete that resource first');
    taken.set(mountPath, path === '' ? 'another resource' : `resources[${index}]`);
    checked.push({ fileId: body.file_id, mountPath });
  }
  return checked;
}

/**
 * Stores checked resources of a session; returns them as the API shows them.
 *
 * @example
 * await storeSessionResources(deps, workspace, sessionId, checked);
 */
export async function storeSessionResources(deps: ServerDeps, workspace: string, sessionId: string, checked: readonly CheckedResource[]): Promise<Array<SessionResourceObject | MemoryStoreResourceObject>> {
  return [...(await storeFileResources(deps, workspace, sessionId, checked)), ...(await memoryStoreResources(deps, sessionId))];
}

async function storeFileResources(deps: ServerDeps, workspace: string, sessionId: string, checked: readonly CheckedResource[]): Promise<SessionResourceObject[]> {
  const files = fileStoreOf(deps);
  const stored: SessionResourceObject[] = [];
  for (const resource of checked) {
    stored.push(sessionResourceObject(await files.addSessionResource({ id: createId('sessionResource'), workspace, sessionId, fileId: resource.fileId, mountPath: resource.mountPath })));
  }
  return stored;
}

/** The memory stores a session uses, as journaled with its document when it was created. */
async function memoryStoreResources(deps: ServerDeps, sessionId: string): Promise<MemoryStoreResourceObject[]> {
  const [created] = await deps.kernel.store.read(sessionId, { limit: 1 });
  const document = created?.type === 'session.created' ? (created.data['document'] as { memory?: unknown } | undefined) : undefined;
  const entries = Array.isArray(document?.memory) ? (document.memory as Array<Partial<ResolvedMemoryEntry>>) : [];
  return entries.filter((entry): entry is ResolvedMemoryEntry => typeof entry.name === 'string' && typeof entry.store === 'string').map(memoryStoreResourceObject);
}

/**
 * A session's resources as the API shows them (the session object's `resources`).
 *
 * @example
 * const resources = await sessionResources(deps, summary.id);
 */
export async function sessionResources(deps: ServerDeps, sessionId: string): Promise<Array<SessionResourceObject | MemoryStoreResourceObject>> {
  return [...(await fileStoreOf(deps).listSessionResources(sessionId)).map(sessionResourceObject), ...(await memoryStoreResources(deps, sessionId))];
}

/**
 * The session resource routes, relative to the Managed API root (`/anthropic/v1`).
 *
 * @example
 * app.route(managedSessionResourceRouteTable.basePath, managedSessionResourceRoutes(deps));
 */
export function managedSessionResourceRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const files = fileStoreOf(deps);

  async function ownedResource(workspace: string, sessionId: string, resourceId: string): Promise<SessionFileResource> {
    const summary = await ownedSession(deps, workspace, sessionId);
    const resource = await files.getSessionResource(workspace, summary.id, resourceId);
    if (resource === undefined) throw new ConclaveError('not_found', `session ${summary.id} has no resource ${resourceId}`, { hint: `list them with GET /anthropic/v1/sessions/${summary.id}/resources` });
    return resource;
  }

  return mountRoutes(managedSessionResourceRouteTable, {
    addSessionResource: async (c) => {
      const workspace = c.get('workspace');
      const summary = await ownedSession(deps, workspace, c.req.param('id'));
      const body = await validateJson(managedSessionResourceRouteTable.routes.addSessionResource.body.schema, c);
      const [checked] = await checkSessionResources(deps, workspace, [body], '', await files.listSessionResources(summary.id));
      const [stored] = await storeFileResources(deps, workspace, summary.id, [checked as CheckedResource]);
      return c.json(stored);
    },

    listSessionResources: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const { limit, page } = parsePageQuery(c.req.query());
      if (page !== undefined && !/^\d+$/.test(page)) throw new ConclaveError('invalid_argument', `query.page: "${page}" is not a page cursor from this API`, { location: { path: 'page' } });
      const all = await sessionResources(deps, summary.id);
      const offset = page === undefined ? 0 : Number(page);
      return c.json(buildPage(all.slice(offset, offset + limit), offset + limit < all.length ? String(offset + limit) : null));
    },

    getSessionResource: async (c) => {
      return c.json(sessionResourceObject(await ownedResource(c.get('workspace'), c.req.param('id'), c.req.param('resource_id'))));
    },

    updateSessionResource: async (c) => {
      await ownedResource(c.get('workspace'), c.req.param('id'), c.req.param('resource_id'));
      await validateJson(managedSessionResourceRouteTable.routes.updateSessionResource.body.schema, c);
      throw refuse('authorization_token', 'a file resource has nothing to update: token rotation applies to github_repository resources, which this server does not support', 'to mount another file, delete this resource and add a new one');
    },

    deleteSessionResource: async (c) => {
      const workspace = c.get('workspace');
      const resource = await ownedResource(workspace, c.req.param('id'), c.req.param('resource_id'));
      await files.deleteSessionResource(workspace, resource.sessionId, resource.id);
      const deleted: z.infer<typeof deletedSessionResourceSchema> = { id: resource.id, type: 'session_resource_deleted' };
      return c.json(deleted);
    },
  });
}
