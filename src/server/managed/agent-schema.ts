/**
 * Agents of the Managed Agents API: the request schemas (create, update) and the resolution of what
 * a client sends into what the API returns — `model` always an object, every tool in its resolved
 * form (defaults filled in: the agent toolset allows by default, an MCP toolset asks), skills with a
 * version. The resolved fields are what the resource store keeps, so a read never resolves again.
 */
import { z } from 'zod';
import { ConclaveError, type ConclaveErrorJSON } from '../../protocol/errors.js';
import { metadataPatchSchema, metadataSchema } from './managed-fields.js';
import { multiagentParam } from './multiagent-schema.js';

/** Tools of `agent_toolset_20260401`. */
export const agentToolNames = ['bash', 'edit', 'read', 'write', 'glob', 'grep', 'web_fetch', 'web_search'] as const;
export type AgentToolName = (typeof agentToolNames)[number];

const efforts = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

const permissionPolicy = z.object({ type: z.enum(['always_allow', 'always_ask', 'auto']) });
export type PermissionPolicy = z.output<typeof permissionPolicy>;

const modelParam = z.union([
  z.string().min(1),
  z.object({
    id: z.string().min(1),
    effort: z.union([z.enum(efforts), z.object({ type: z.enum(efforts) })]).nullable().optional(),
    speed: z.enum(['standard', 'fast']).nullable().optional(),
    inference_geo: z.string().nullable().optional(),
  }),
]);

const defaultConfigParam = z
  .object({ enabled: z.boolean().nullable().optional(), permission_policy: permissionPolicy.nullable().optional() })
  .nullable()
  .optional();

const toolReference = z.object({ type: z.literal('tool_reference'), name: z.string().min(1) });
const sourceShorthand = z.enum(['all', 'none']);
const sourceFilter = z.union([
  sourceShorthand,
  z.object({ type: z.enum(['all', 'none']) }),
  z.object({ type: z.enum(['only', 'except']), tools: z.array(toolReference) }),
]);
const userInputFilter = z.union([sourceShorthand, z.object({ type: z.enum(['all', 'none']) })]);
const urlSourcesParam = z.object({
  client_tool_results: sourceFilter.nullable().optional(),
  server_tool_results: sourceFilter.nullable().optional(),
  user_input: userInputFilter.nullable().optional(),
});

const userLocation = z.object({
  type: z.literal('approximate'),
  city: z.string().nullable().optional(),
  country: z.string().nullable().optional(),
  region: z.string().nullable().optional(),
  timezone: z.string().nullable().optional(),
});

const agentToolConfigParam = z.object({
  name: z.enum(agentToolNames),
  type: z.enum(agentToolNames).optional(),
  enabled: z.boolean().nullable().optional(),
  permission_policy: permissionPolicy.nullable().optional(),
  allowed_domains: z.array(z.string()).optional(),
  blocked_domains: z.array(z.string()).optional(),
  max_content_tokens: z.number().int().min(1).nullable().optional(),
  url_sources: urlSourcesParam.nullable().optional(),
  user_location: userLocation.nullable().optional(),
});

const agentToolsetParam = z.object({
  type: z.literal('agent_toolset_20260401'),
  default_config: defaultConfigParam,
  configs: z.array(agentToolConfigParam).optional(),
});

const mcpToolsetParam = z.object({
  type: z.literal('mcp_toolset'),
  mcp_server_name: z.string().min(1),
  default_config: defaultConfigParam,
  configs: z
    .array(z.object({ name: z.string().min(1), enabled: z.boolean().nullable().optional(), permission_policy: permissionPolicy.nullable().optional() }))
    .optional(),
});

const customToolParam = z.object({
  type: z.literal('custom'),
  name: z.string().min(1).max(128),
  description: z.string(),
  input_schema: z.looseObject({
    type: z.literal('object'),
    properties: z.record(z.string(), z.unknown()).nullable().optional(),
    required: z.array(z.string()).nullable().optional(),
  }),
});

const toolParam = z.discriminatedUnion('type', [agentToolsetParam, mcpToolsetParam, customToolParam]);
type ToolParam = z.output<typeof toolParam>;

const mcpServerParam = z.object({ type: z.literal('url'), name: z.string().min(1), url: z.url() });

const skillParam = z.object({ type: z.enum(['anthropic', 'custom']), skill_id: z.string().min(1), version: z.string().nullable().optional() });

const executionIdentityParam = z.discriminatedUnion('type', [
  z.object({ type: z.literal('service_account') }),
  z.object({ type: z.literal('aws_role'), role_arn: z.string().min(1) }),
]);

/** Body of `POST /v1/agents`. */
export const createAgentBody = z.strictObject({
  name: z.string().min(1).max(256),
  model: modelParam,
  description: z.string().max(2048).nullable().optional(),
  system: z.string().max(100_000).nullable().optional(),
  tools: z.array(toolParam).max(128).optional(),
  mcp_servers: z.array(mcpServerParam).max(20).optional(),
  skills: z.array(skillParam).max(20).optional(),
  metadata: metadataSchema.optional(),
  multiagent: multiagentParam.nullable().optional(),
  execution_identity: executionIdentityParam.nullable().optional(),
});
export type CreateAgentBody = z.output<typeof createAgentBody>;

/** Body of `POST /v1/agents/{id}`: every field optional; `null` clears; `version` is the optimistic lock. */
export const updateAgentBody = z.strictObject({
  name: z.string().min(1).max(256).optional(),
  model: modelParam.optional(),
  description: z.string().max(2048).nullable().optional(),
  system: z.string().max(100_000).nullable().optional(),
  tools: z.array(toolParam).max(128).nullable().optional(),
  mcp_servers: z.array(mcpServerParam).max(20).nullable().optional(),
  skills: z.array(skillParam).max(20).nullable().optional(),
  metadata: metadataPatchSchema.optional(),
  multiagent: multiagentParam.nullable().optional(),
  execution_identity: executionIdentityParam.nullable().optional(),
  version: z.number().int().min(1).optional(),
});
export type UpdateAgentBody = z.output<typeof updateAgentBody>;

/** The fields of an agent that the store keeps (resolved); id, version and times come from the record. */
export interface AgentFields {
  name: string;
  description: string | null;
  model: ResolvedModel;
  system: string | null;
  tools: ResolvedTool[];
  mcp_servers: Array<{ type: 'url'; name: string; url: string }>;
  skills: Array<{ type: 'anthropic' | 'custom'; skill_id: string; version: string }>;
  metadata: Record<string, string>;
  multiagent: Record<string, unknown> | null;
  execution_identity: { type: 'service_account' } | { type: 'aws_role'; role_arn: string };
}

export interface ResolvedModel {
  id: string;
  effort?: { type: (typeof efforts)[number] };
  speed?: 'standard' | 'fast';
  inference_geo?: string;
}

export type ResolvedTool = Record<string, unknown> & { type: string };

const alwaysAllow: PermissionPolicy = { type: 'always_allow' };
const alwaysAsk: PermissionPolicy = { type: 'always_ask' };

/**
 * `model` as the API returns it: always an object; an effort given as a word becomes `{type}`.
 *
 * @example
 * resolveModel('claude-sonnet-4-5')                       // → { id: 'claude-sonnet-4-5' }
 * resolveModel({ id: 'claude-opus-4-8', effort: 'high' }) // → { id: 'claude-opus-4-8', effort: { type: 'high' } }
 */
export function resolveModel(model: z.output<typeof modelParam>): ResolvedModel {
  if (typeof model === 'string') return { id: model };
  const resolved: ResolvedModel = { id: model.id };
  if (model.effort !== undefined && model.effort !== null) resolved.effort = typeof model.effort === 'string' ? { type: model.effort } : { type: model.effort.type };
  if (model.speed !== undefined && model.speed !== null) resolved.speed = model.speed;
  if (model.inference_geo !== undefined && model.inference_geo !== null) resolved.inference_geo = model.inference_geo;
  return resolved;
}

function resolveSourceFilter(filter: z.output<typeof sourceFilter> | null | undefined): Record<string, unknown> | null {
  if (filter === undefined || filter === null) return null;
  return typeof filter === 'string' ? { type: filter } : { ...filter };
}

function resolveAgentToolConfig(config: z.output<typeof agentToolConfigParam>, defaults: { enabled: boolean; permission_policy: PermissionPolicy }): ResolvedTool {
  const resolved: ResolvedTool = {
    name: config.name,
    type: config.name,
    enabled: config.enabled ?? defaults.enabled,
    permission_policy: config.permission_policy ?? defaults.permission_policy,
  };
  if (config.name === 'web_fetch' || config.name === 'web_search') {
    if (config.allowed_domains !== undefined) resolved['allowed_domains'] = config.allowed_domains;
    if (config.blocked_domains !== undefined) resolved['blocked_domains'] = config.blocked_domains;
  }
  if (config.name === 'web_fetch') {
    if (config.max_content_tokens !== undefined) resolved['max_content_tokens'] = config.max_content_tokens;
    const sources = config.url_sources;
    resolved['url_sources'] =
      sources === undefined || sources === null
        ? null
        : {
            client_tool_results: resolveSourceFilter(sources.client_tool_results),
            server_tool_results: resolveSourceFilter(sources.server_tool_results),
            user_input: resolveSourceFilter(sources.user_input),
          };
  }
  if (config.name === 'web_search' && config.user_location !== undefined) resolved['user_location'] = config.user_location;
  return resolved;
}

/**
 * A tool as the API returns it, defaults filled in: the agent toolset is enabled and allows by
 * default, an MCP toolset is enabled and asks by default; every config inherits what it leaves out.
 *
 * @example
 * resolveTool({ type: 'agent_toolset_20260401', configs: [{ name: 'bash', enabled: false }] })
 * // → { type: 'agent_toolset_20260401', default_config: { enabled: true, permission_policy: { type: 'always_allow' } },
 * //     configs: [{ name: 'bash', type: 'bash', enabled: false, permission_policy: { type: 'always_allow' } }] }
 */
export function resolveTool(tool: ToolParam): ResolvedTool {
  switch (tool.type) {
    case 'agent_toolset_20260401': {
      const defaults = { enabled: tool.default_config?.enabled ?? true, permission_policy: tool.default_config?.permission_policy ?? alwaysAllow };
      return { type: tool.type, default_config: defaults, configs: (tool.configs ?? []).map((config) => resolveAgentToolConfig(config, defaults)) };
    }
    case 'mcp_toolset': {
      const defaults = { enabled: tool.default_config?.enabled ?? true, permission_policy: tool.default_config?.permission_policy ?? alwaysAsk };
      return {
        type: tool.type,
        mcp_server_name: tool.mcp_server_name,
        default_config: defaults,
        configs: (tool.configs ?? []).map((config) => ({
          name: config.name,
          enabled: config.enabled ?? defaults.enabled,
          permission_policy: config.permission_policy ?? defaults.permission_policy,
        })),
      };
    }
    case 'custom':
      return { type: tool.type, name: tool.name, description: tool.description, input_schema: tool.input_schema };
  }
}

/**
 * The stored fields of a new agent.
 *
 * @example
 * const fields = resolveNewAgent(await validateJson(createAgentBody, c));
 */
export function resolveNewAgent(body: CreateAgentBody): AgentFields {
  const fields: AgentFields = {
    name: body.name,
    description: body.description ?? null,
    model: resolveModel(body.model),
    system: body.system ?? null,
    tools: (body.tools ?? []).map(resolveTool),
    mcp_servers: (body.mcp_servers ?? []).map((server) => ({ type: server.type, name: server.name, url: server.url })),
    skills: (body.skills ?? []).map((skill) => ({ type: skill.type, skill_id: skill.skill_id, version: skill.version ?? 'latest' })),
    metadata: { ...(body.metadata ?? {}) },
    // Resolved against the workspace's agents by the route (multiagent-schema.ts): null until then.
    multiagent: null,
    execution_identity: body.execution_identity ?? { type: 'service_account' },
  };
  assertConsistentAgent(fields);
  return fields;
}

/**
 * The stored fields after an update: omitted fields kept, `null` clearing, lists replaced in full,
 * metadata patched (already applied by the caller into `metadata`).
 *
 * @example
 * const next = resolveAgentUpdate(current, body, patchMetadata(current.metadata, body.metadata));
 */
export function resolveAgentUpdate(current: AgentFields, body: UpdateAgentBody, metadata: Record<string, string>): AgentFields {
  const fields: AgentFields = {
    name: body.name ?? current.name,
    description: body.description === undefined ? current.description : body.description,
    model: body.model === undefined ? current.model : resolveModel(body.model),
    system: body.system === undefined ? current.system : body.system,
    tools: body.tools === undefined ? current.tools : (body.tools ?? []).map(resolveTool),
    mcp_servers:
      body.mcp_servers === undefined ? current.mcp_servers : (body.mcp_servers ?? []).map((server) => ({ type: server.type, name: server.name, url: server.url })),
    skills:
      body.skills === undefined
        ? current.skills
        : (body.skills ?? []).map((skill) => ({ type: skill.type, skill_id: skill.skill_id, version: skill.version ?? 'latest' })),
    metadata,
    // Resolved by the route (multiagent-schema.ts), which merges the body's into this one.
    multiagent: current.multiagent,
    execution_identity: body.execution_identity === undefined ? current.execution_identity : (body.execution_identity ?? { type: 'service_account' }),
  };
  assertConsistentAgent(fields);
  return fields;
}

/**
 * The rules between fields: MCP server names are unique, every MCP toolset names a declared server
 * and every server is used by a toolset, custom tool names are unique, one agent toolset at most.
 *
 * @example
 * assertConsistentAgent(fields); // throws invalid_argument listing every problem
 */
export function assertConsistentAgent(fields: AgentFields): void {
  const problems: ConclaveErrorJSON[] = [];
  const problem = (path: string, message: string, hint?: string): void => {
    problems.push(new ConclaveError('invalid_argument', `${path}: ${message}`, { location: { path }, ...(hint !== undefined ? { hint } : {}) }).toJSON());
  };
  const servers = new Set<string>();
  fields.mcp_servers.forEach((server, index) => {
    if (servers.has(server.name)) problem(`body.mcp_servers[${index}].name`, `duplicate MCP server name "${server.name}"`);
    servers.add(server.name);
  });
  const used = new Set<string>();
  const customNames = new Set<string>();
  let toolsets = 0;
  fields.tools.forEach((tool, index) => {
    if (tool.type === 'mcp_toolset') {
      const name = String(tool['mcp_server_name']);
      if (!servers.has(name)) problem(`body.tools[${index}].mcp_server_name`, `no MCP server named "${name}" in mcp_servers`, servers.size > 0 ? `declared: ${[...servers].join(', ')}` : 'declare it in mcp_servers');
      used.add(name);
    } else if (tool.type === 'custom') {
      const name = String(tool['name']);
      if (customNames.has(name)) problem(`body.tools[${index}].name`, `duplicate custom tool name "${name}"`);
      customNames.add(name);
    } else if (tool.type === 'agent_toolset_20260401') {
      toolsets += 1;
      if (toolsets > 1) problem(`body.tools[${index}]`, 'the agent toolset may appear only once');
    }
  });
  fields.mcp_servers.forEach((server, index) => {
    if (!used.has(server.name)) problem(`body.mcp_servers[${index}]`, `MCP server "${server.name}" is not used by any mcp_toolset`, `add {"type": "mcp_toolset", "mcp_server_name": "${server.name}"} to tools`);
  });
  if (problems.length === 0) return;
  const first = problems[0] as ConclaveErrorJSON;
  throw new ConclaveError('invalid_argument', problems.length === 1 ? first.message : `${first.message} (and ${problems.length - 1} more)`, {
    ...(first.location !== undefined ? { location: first.location } : {}),
    ...(first.hint !== undefined ? { hint: first.hint } : {}),
    issues: problems,
  });
}
