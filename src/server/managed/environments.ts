/**
 * `/v1/environments` of the Managed-Agents-compatible API: create, retrieve, list, update, delete
 * and archive. An environment says where a session's tools run: `cloud` (on the server, with
 * networking and packages — returned in full, defaults filled in) or `self_hosted` (the client runs
 * the tools). Errors use the codes the SDK knows (`environment_not_found`, `environment_archived`,
 * `invalid_config_type_change`), so it raises its specific error classes.
 */
import type { Context, Hono } from 'hono';
import { isConclaveError } from '../../protocol/errors.js';
import { createId } from '../../protocol/ids.js';
import type { ResourceRecord, ResourceStore } from '../../protocol/resources.js';
import { ApiError, parseQuery, validateJson } from '../http-errors.js';
import { buildPage } from '../paging.js';
import { mountRoutes } from '../route-table.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';
import { type ConfigParam } from './environment-schema.js';
import { managedEnvironmentRouteTable } from './managed-environment-routes.js';
import { listOptionsOf, patchMetadata, stringMap } from './managed-fields.js';

/** The resolved `config` of an environment. */
export type EnvironmentConfig =
  | {
      type: 'cloud';
      networking: { type: 'unrestricted' } | { type: 'limited'; allowed_hosts: string[]; allow_mcp_servers: boolean; allow_package_managers: boolean };
      packages: { type: 'packages'; apt: string[]; cargo: string[]; gem: string[]; go: string[]; npm: string[]; pip: string[] };
    }
  | { type: 'self_hosted' };

/** The fields of an environment that the store keeps. */
export interface EnvironmentFields {
  name: string;
  description: string | null;
  config: EnvironmentConfig;
  metadata: Record<string, string>;
  scope?: 'organization' | 'account';
}

/** An environment as the API returns it. */
export type EnvironmentObject = { id: string; type: 'environment' } & EnvironmentFields & {
    created_at: string;
    updated_at: string;
    archived_at: string | null;
  };

/**
 * `config` with every default filled in; omitted means a cloud environment with unrestricted
 * networking and no packages.
 *
 * @example
 * resolveEnvironmentConfig({ type: 'cloud', networking: { type: 'limited' } }).networking
 * // → { type: 'limited', allowed_hosts: [], allow_mcp_servers: false, allow_package_managers: false }
 */
export function resolveEnvironmentConfig(config: ConfigParam | null | undefined): EnvironmentConfig {
  if (config?.type === 'self_hosted') return { type: 'self_hosted' };
  const networking = config?.networking ?? { type: 'unrestricted' as const };
  const packages = config?.packages;
  return {
    type: 'cloud',
    networking:
      networking.type === 'unrestricted'
        ? { type: 'unrestricted' }
        : {
            type: 'limited',
            allowed_hosts: networking.allowed_hosts ?? [],
            allow_mcp_servers: networking.allow_mcp_servers ?? false,
            allow_package_managers: networking.allow_package_managers ?? false,
          },
    packages: {
      type: 'packages',
      apt: packages?.apt ?? [],
      cargo: packages?.cargo ?? [],
      gem: packages?.gem ?? [],
      go: packages?.go ?? [],
      npm: packages?.npm ?? [],
      pip: packages?.pip ?? [],
    },
  };
}

function environmentFields(record: ResourceRecord): EnvironmentFields {
  const body = record.body as unknown as EnvironmentFields;
  return { ...body, metadata: stringMap(body.metadata) };
}

/**
 * A stored environment as the API returns it.
 *
 * @example
 * return c.json(environmentObject(record));
 */
export function environmentObject(record: ResourceRecord): EnvironmentObject {
  const fields = environmentFields(record);
  const environment: EnvironmentObject = {
    id: record.id,
    type: 'environment',
    name: fields.name,
    description: fields.description,
    config: fields.config,
    metadata: fields.metadata,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    archived_at: record.archivedAt,
  };
  if (fields.scope !== undefined) environment.scope = fields.scope;
  return environment;
}

/**
 * An environment of the workspace; a 404 with `environment_not_found` otherwise.
 *
 * @example
 * const environment = await loadEnvironment(deps.resources, c.get('workspace'), body.environment_id);
 */
export async function loadEnvironment(resources: ResourceStore, workspace: string, id: string): Promise<ResourceRecord> {
  const record = await resources.getResource('environment', workspace, id);
  if (record === undefined) throw environmentNotFound(id);
  return record;
}

function environmentNotFound(id: string): ApiError {
  return new ApiError('not_found', `no environment ${id}`, { errorCode: 'environment_not_found' });
}

const unlockedUpdateAttempts = 3;

async function updateEnvironment(c: Context<ServerEnv>, resources: ResourceStore): Promise<Response> {
  const workspace = c.get('workspace');
  const id = c.req.param('id') as string;
  const body = await validateJson(managedEnvironmentRouteTable.routes.updateEnvironment.body.schema, c);
  for (let attempt = 1; ; attempt += 1) {
    const current = await loadEnvironment(resources, workspace, id);
    if (current.archivedAt !== null) {
      throw new ApiError('invalid_argument', `environment ${id} is archived and can no longer be updated`, { errorCode: 'environment_archived' });
    }
    const fields = environmentFields(current);
    if (body.config !== undefined && body.config !== null && body.config.type !== fields.config.type) {
      throw new ApiError('invalid_argument', `environment ${id} is ${fields.config.type}; its config type cannot change to ${body.config.type}`, {
        errorCode: 'invalid_config_type_change',
        location: { path: 'body.config.type' },
        hint: 'create a new environment instead',
      });
    }
    const next: EnvironmentFields = {
      name: body.name ?? fields.name,
      description: body.description === undefined ? fields.description : body.description,
      config: body.config === undefined || body.config === null ? fields.config : resolveEnvironmentConfig(body.config),
      metadata: patchMetadata(fields.metadata, body.metadata),
    };
    const scope = body.scope === undefined ? fields.scope : (body.scope ?? undefined);
    if (scope !== undefined) next.scope = scope;
    try {
      return c.json(environmentObject(await resources.updateResource('environment', workspace, id, next as unknown as Record<string, unknown>, current.version)));
    } catch (error) {
      // Updates carry no version: one that raced another is applied again on top of it.
      if (!(isConclaveError(error) && error.code === 'version_conflict' && attempt < unlockedUpdateAttempts)) throw error;
    }
  }
}

/**
 * The environment routes, relative to the Managed API root (`/anthropic/v1`).
 *
 * @example
 * app.route(managedEnvironmentRouteTable.basePath, managedEnvironmentRoutes(deps)); // POST /anthropic/v1/environments, …
 */
export function managedEnvironmentRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const { resources } = deps;

  return mountRoutes(managedEnvironmentRouteTable, {
    createEnvironment: async (c) => {
      const body = await validateJson(managedEnvironmentRouteTable.routes.createEnvironment.body.schema, c);
      const fields: EnvironmentFields = {
        name: body.name,
        description: body.description ?? null,
        config: resolveEnvironmentConfig(body.config),
        metadata: { ...(body.metadata ?? {}) },
      };
      if (body.scope !== undefined && body.scope !== null) fields.scope = body.scope;
      const record = await resources.createResource({
        kind: 'environment',
        id: createId('environment'),
        workspace: c.get('workspace'),
        body: fields as unknown as Record<string, unknown>,
      });
      return c.json(environmentObject(record));
    },

    listEnvironments: async (c) => {
      const query = parseQuery(managedEnvironmentRouteTable.routes.listEnvironments.query, c);
      const page = await resources.listResources('environment', c.get('workspace'), listOptionsOf(query));
      return c.json(buildPage(page.items.map(environmentObject), page.nextCursor));
    },

    getEnvironment: async (c) => c.json(environmentObject(await loadEnvironment(resources, c.get('workspace'), c.req.param('id')))),

    updateEnvironment: (c) => updateEnvironment(c, resources),

    deleteEnvironment: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      if (!(await resources.deleteResource('environment', workspace, id))) throw environmentNotFound(id);
      return c.json({ id, type: 'environment_deleted' as const });
    },

    archiveEnvironment: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      await loadEnvironment(resources, workspace, id);
      return c.json(environmentObject(await resources.archiveResource('environment', workspace, id)));
    },
  });
}
