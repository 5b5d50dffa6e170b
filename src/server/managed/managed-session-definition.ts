/**
 * What a Managed Agents session runs, as a conclave document: a topology agent's document (a catalog
 * document named in its metadata, the operator's; or one inline, the caller's), or a plain agent's
 * one model with its tools, MCP servers and sandbox — and, for a coordinator, the spawn roster of its
 * `multiagent` agents (`coordinator-plan.ts`). Also what the session keeps in its `session.created`
 * attributes to show it back in the Managed shape.
 */
import type { SessionDefinition } from '../../kernel/index.js';
import { rulesFor } from '../../policy/server-policy.js';
import { spawnAgentToolName } from '../../protocol/index.js';
import type { ServerDeps } from '../server-deps.js';
import { agentMcpToolPlan, type McpToolOrigin } from './agent-mcp-tools.js';
import { agentToolPlan, conclaveModelOf } from './agent-tools.js';
import type { AgentSnapshot } from './agents.js';
import { coordinatorPlan, type RosterMember } from './coordinator-plan.js';
import type { EnvironmentConfig } from './environments.js';

/** The agent metadata key that makes an agent run a topology document instead of one model. */
export const topologyMetadataKey = 'conclave.topology';

/** What a Managed session keeps in its `session.created` attributes. */
export interface ManagedAttributes {
  agent: AgentSnapshot;
  environment_id: string;
  vault_ids: string[];
  resources: unknown[];
  budget: unknown;
  topology_agent: boolean;
  /** Why the sandbox has no network though the environment asked for it (the server policy). */
  network_withheld?: string;
  /** The agent's MCP tools by exposed name, for `agent.mcp_tool_use` events. */
  mcp_tools?: Record<string, McpToolOrigin>;
  /** A coordinator's roster as run: the agent each spawned thread runs, by its spawn slot. */
  roster?: RosterMember[];
}

/**
 * What an agent runs, and whether the caller wrote it: a catalog document named in the metadata is
 * the operator's; an inline document, or a plain agent's model, is the caller's (untrusted).
 *
 * @example
 * const { definition, untrusted } = await definitionFor(deps, agent, metadata, environment.config, workspace, vaultIds);
 */
export async function definitionFor(
  deps: ServerDeps,
  agent: AgentSnapshot,
  metadata: Record<string, string>,
  environment: EnvironmentConfig,
  workspace: string,
  vaultIds: readonly string[],
): Promise<{ definition: SessionDefinition; topologyAgent: boolean; untrusted: boolean; networkWithheld?: string; mcpTools?: Record<string, McpToolOrigin>; roster?: RosterMember[] }> {
  const topology = metadata[topologyMetadataKey];
  if (topology !== undefined && topology.trim() !== '') {
    const inline = /[\n{:]/.test(topology);
    const definition = inline ? deps.documents.parse(topology, `agent ${agent.id} metadata["${topologyMetadataKey}"]`) : await deps.documents.load(topology.trim());
    return { definition, topologyAgent: true, untrusted: inline };
  }
  const rules = rulesFor(deps.kernel.policy, workspace);
  const networkAllowed = rules.trust === 'trusted' || rules.network;
  const plan = agentToolPlan(agent, environment, networkAllowed);
  const mcp = await agentMcpToolPlan(agent, { workspace, vaultIds, credentials: deps.credentials, policy: deps.kernel.policy });
  // A coordinator's roster agents become its spawn roster: each one it starts is a thread.
  const coordinator = await coordinatorPlan(deps.resources, workspace, agent, environment, plan, networkAllowed);
  const tools = [...plan.tools, ...(mcp?.tools ?? []), ...(coordinator !== undefined ? [spawnAgentToolName] : [])];
  const documentTools = [...(coordinator?.documentTools ?? plan.documentTools), ...(mcp?.documentTools ?? [])];
  const modelAgent: Record<string, unknown> = { name: 'agent', model: conclaveModelOf(agent.model.id) };
  if (typeof agent.system === 'string' && agent.system !== '') modelAgent['system'] = agent.system;
  if (tools.length > 0) modelAgent['tools'] = tools;
  if (coordinator !== undefined) modelAgent['spawn'] = coordinator.spawn;
  const definition: Record<string, unknown> = { topology: 'pipeline', agents: [modelAgent], options: { passes: 1 } };
  if (documentTools.length > 0) definition['tools'] = documentTools;
  if (mcp !== undefined) definition['mcp_servers'] = mcp.servers;
  const sandbox = coordinator !== undefined ? coordinator.environment : plan.environment;
  if (sandbox !== undefined) definition['environment'] = sandbox;
  return {
    definition: definition as unknown as SessionDefinition,
    topologyAgent: false,
    untrusted: true,
    ...(plan.networkWithheld !== undefined ? { networkWithheld: plan.networkWithheld } : {}),
    ...(mcp !== undefined ? { mcpTools: mcp.origins } : {}),
    ...(coordinator !== undefined ? { roster: coordinator.members } : {}),
  };
}

