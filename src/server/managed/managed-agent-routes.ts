/**
 * The route table of the Managed Agents agents API (`/anthropic/v1/agents…`): `agents.ts` mounts
 * its handlers on it and `openapi.ts` publishes it.
 */
import { z } from 'zod';
import { pageQueryShape, queryInteger } from '../paging.js';
import { defineRoutes } from '../route-table.js';
import { createAgentBody, updateAgentBody } from './agent-schema.js';
import { managedApiBasePath } from './managed-api-base-path.js';
import { listResourcesQuery } from './managed-fields.js';
import { agentObjectSchema, agentPageSchema } from './managed-response-schemas.js';

const agentId = { id: 'The agent id (`agent_…`).' };
const agent = { name: 'Agent', schema: agentObjectSchema };
const agentPage = { name: 'AgentPage', schema: agentPageSchema };

/** The agent routes, relative to `/anthropic/v1`. */
export const managedAgentRouteTable = defineRoutes({
  basePath: managedApiBasePath,
  face: 'managed',
  routes: {
    createAgent: {
      method: 'post',
      path: '/agents',
      summary: 'Create an agent (version 1)',
      body: { name: 'CreateAgentBody', schema: createAgentBody, required: true },
      responses: { 200: { description: 'The agent, every tool in resolved form.', json: agent } },
      errors: [400, 413],
    },
    listAgents: {
      method: 'get',
      path: '/agents',
      summary: 'List agents of the workspace (their latest versions)',
      query: listResourcesQuery,
      responses: { 200: { description: 'A page of agents.', json: agentPage } },
      errors: [400],
    },
    getAgent: {
      method: 'get',
      path: '/agents/:id',
      summary: 'Get an agent: its latest version, or `version`',
      params: agentId,
      query: z.object({ version: queryInteger(1).optional().meta({ description: 'A version of the agent (default: the latest).' }) }),
      responses: { 200: { description: 'The agent version.', json: agent } },
      errors: [400, 404],
    },
    updateAgent: {
      method: 'post',
      path: '/agents/:id',
      summary: 'Update an agent: a new version; `version` in the body is an optimistic lock (409 on mismatch)',
      params: agentId,
      body: { name: 'UpdateAgentBody', schema: updateAgentBody, required: true },
      responses: { 200: { description: 'The new version.', json: agent } },
      errors: [400, 404, 409, 413],
    },
    archiveAgent: {
      method: 'post',
      path: '/agents/:id/archive',
      summary: 'Archive an agent: it stays readable but can no longer be updated',
      params: agentId,
      responses: { 200: { description: 'The archived agent.', json: agent } },
      errors: [404],
    },
    listAgentVersions: {
      method: 'get',
      path: '/agents/:id/versions',
      summary: 'List the versions of an agent',
      params: agentId,
      query: z.object(pageQueryShape()),
      responses: { 200: { description: 'A page of versions.', json: agentPage } },
      errors: [400, 404],
    },
  },
});
