/**
 * `/v1/agents` of the Managed-Agents-compatible API: create, retrieve (any version), update (a new
 * version each time; `version` in the body is an optimistic lock, a mismatch is a 409 the SDK does
 * not retry), list with paging and filters, archive, and the list of versions. Agents live in the
 * resource store, scoped to the workspace of the API key: another workspace's agent is a 404.
 */
import type { Context, Hono } from 'hono';
import { ConclaveError, isConclaveError } from '../../protocol/errors.js';
import { createId } from '../../protocol/ids.js';
import type { ResourceRecord, ResourceStore } from '../../protocol/resources.js';
import { parseQuery, validateJson } from '../http-errors.js';
import { buildPage } from '../paging.js';
import { mountRoutes } from '../route-table.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';
import { resolveAgentUpdate, resolveNewAgent, type AgentFields } from './agent-schema.js';
import { managedAgentRouteTable } from './managed-agent-routes.js';
import { resolveMultiagent } from './multiagent-schema.js';
import { listOptionsOf, patchMetadata, stringMap } from './managed-fields.js';

/** An agent as the API returns it. */
export type AgentObject = { id: string; type: 'agent' } & AgentFields & {
    version: number;
    created_at: string;
    updated_at: string;
    archived_at: string | null;
  };

/** The agent a session runs, as embedded in a session object (no metadata or times). */
export type AgentSnapshot = { id: string; type: 'agent'; version: number } & Omit<AgentFields, 'metadata'>;

/** How often an update without `version` is re-applied when another writer got in first. */
const unlockedUpdateAttempts = 3;

function agentFields(record: ResourceRecord): AgentFields {
  const body = record.body as unknown as AgentFields;
  return { ...body, metadata: stringMap(body.metadata) };
}

/**
 * A stored agent version as the API returns it.
 *
 * @example
 * return c.json(agentObject(record));
 */
export function agentObject(record: ResourceRecord): AgentObject {
  const fields = agentFields(record);
  return {
    id: record.id,
    type: 'agent',
    name: fields.name,
    description: fields.description,
    model: fields.model,
    system: fields.system,
    tools: fields.tools,
    mcp_servers: fields.mcp_servers,
    skills: fields.skills,
    metadata: fields.metadata,
    multiagent: fields.multiagent,
    execution_identity: fields.execution_identity,
    version: record.version,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    archived_at: record.archivedAt,
  };
}

/**
 * A stored agent version as a session embeds it.
 *
 * @example
 * const session = { …, agent: agentSnapshot(await loadAgent(resources, workspace, 'agent_…')) };
 */
export function agentSnapshot(record: ResourceRecord): AgentSnapshot {
  const { metadata: _metadata, ...fields } = agentFields(record);
  return { id: record.id, type: 'agent', version: record.version, ...fields };
}

/**
 * An agent of the workspace (the latest version, or `version`); `not_found` otherwise.
 *
 * @example
 * const agent = await loadAgent(deps.resources, c.get('workspace'), body.agent, 2);
 */
export async function loadAgent(resources: ResourceStore, workspace: string, id: string, version?: number): Promise<ResourceRecord> {
  const record = await resources.getResource('agent', workspace, id, version);
  if (record !== undefined) return record;
  if (version !== undefined && (await resources.getResource('agent', workspace, id)) !== undefined) {
    throw new ConclaveError('not_found', `agent ${id} has no version ${version}`, { hint: `list its versions with GET /v1/agents/${id}/versions` });
  }
  throw new ConclaveError('not_found', `no agent ${id}`);
}

async function updateAgent(c: Context<ServerEnv>, resources: ResourceStore): Promise<Response> {
  const workspace = c.get('workspace');
  const id = c.req.param('id') as string;
  const body = await validateJson(managedAgentRouteTable.routes.updateAgent.body.schema, c);
  for (let attempt = 1; ; attempt += 1) {
    const current = await loadAgent(resources, workspace, id);
    if (body.version !== undefined && body.version !== current.version) {
      throw new ConclaveError('version_conflict', `agent ${id} is at version ${current.version}, not ${body.version}`, {
        hint: 'fetch the agent, apply your change to the latest version, and send its version',
      });
    }
    if (current.archivedAt !== null) throw new ConclaveError('invalid_argument', `agent ${id} is archived and can no longer be updated`);
    const currentFields = agentFields(current);
    const next = resolveAgentUpdate(currentFields, body, patchMetadata(currentFields.metadata, body.metadata));
    const owner = { workspace, id, version: current.version + 1, metadata: next.metadata };
    next.multiagent = await resolveMultiagent(resources, owner, body.multiagent, currentFields.multiagent);
    try {
      const record = await resources.updateResource('agent', workspace, id, next as unknown as Record<string, unknown>, current.version);
      return c.json(agentObject(record));
    } catch (error) {
      // Without a `version` from the client, a concurrent update is merged with, not refused.
      const retry = body.version === undefined && isConclaveError(error) && error.code === 'version_conflict' && attempt < unlockedUpdateAttempts;
      if (!retry) throw error;
    }
  }
}

/**
 * The agent routes, relative to the Managed API root (`/anthropic/v1`).
 *
 * @example
 * app.route(managedAgentRouteTable.basePath, managedAgentRoutes(deps)); // POST /anthropic/v1/agents, …
 */
export function managedAgentRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const { resources } = deps;
  const { routes } = managedAgentRouteTable;

  return mountRoutes(managedAgentRouteTable, {
    createAgent: async (c) => {
      const body = await validateJson(routes.createAgent.body.schema, c);
      const fields = resolveNewAgent(body);
      const id = createId('agent');
      fields.multiagent = await resolveMultiagent(resources, { workspace: c.get('workspace'), id, version: 1, metadata: fields.metadata }, body.multiagent, null);
      const record = await resources.createResource({
        kind: 'agent',
        id,
        workspace: c.get('workspace'),
        body: fields as unknown as Record<string, unknown>,
      });
      return c.json(agentObject(record));
    },

    listAgents: async (c) => {
      const query = parseQuery(routes.listAgents.query, c);
      const page = await resources.listResources('agent', c.get('workspace'), listOptionsOf(query));
      return c.json(buildPage(page.items.map(agentObject), page.nextCursor));
    },

    getAgent: async (c) => {
      const { version } = parseQuery(routes.getAgent.query, c);
      return c.json(agentObject(await loadAgent(resources, c.get('workspace'), c.req.param('id'), version)));
    },

    updateAgent: (c) => updateAgent(c, resources),

    archiveAgent: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      await loadAgent(resources, workspace, id);
      return c.json(agentObject(await resources.archiveResource('agent', workspace, id)));
    },

    listAgentVersions: async (c) => {
      const query = parseQuery(routes.listAgentVersions.query, c);
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      await loadAgent(resources, workspace, id);
      const page = await resources.listVersions('agent', workspace, id, { limit: query.limit, ...(query.page !== undefined ? { cursor: query.page } : {}) });
      return c.json(buildPage(page.items.map(agentObject), page.nextCursor));
    },
  });
}
