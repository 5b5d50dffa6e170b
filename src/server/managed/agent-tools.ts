/**
 * The tools of a plain Managed Agents agent as a conclave document: the agent toolset's tools
 * become conclave's built-in tools (`read` → `read_file`, `glob` → `list_files`, …) run in the
 * session's sandbox, a tool whose permission policy is `always_ask` waits for
 * `user.tool_confirmation` (`approval: always_ask`), and `custom` tools are run by the client
 * (`agent.custom_tool_use` → `user.custom_tool_result`). The environment's networking becomes the
 * sandbox's network switch, when the server policy lets API documents have network. What conclave cannot do yet is refused with a 400 that names the field,
 * never accepted and dropped: skills, the `auto` permission policy, packages, limited networking
 * with allowed hosts, and the web tools' domain, size and source settings. MCP servers and their
 * toolsets are planned apart, by `agent-mcp-tools.ts`, which has to reach the servers.
 */
import { ConclaveError } from '../../protocol/errors.js';
import type { AgentToolName, PermissionPolicy, ResolvedTool } from './agent-schema.js';
import type { AgentSnapshot } from './agents.js';
import type { EnvironmentConfig } from './environments.js';

/** The conclave built-in tool each agent toolset tool runs as. */
export const toolsetBuiltins: Record<AgentToolName, string> = {
  bash: 'bash',
  read: 'read_file',
  write: 'write_file',
  edit: 'edit_file',
  glob: 'list_files',
  grep: 'grep',
  web_fetch: 'web_fetch',
  web_search: 'web_search',
};

/** The agent toolset name of each conclave built-in, for the events a client reads. */
export const builtinToolsetNames: Record<string, AgentToolName> = Object.fromEntries(
  Object.entries(toolsetBuiltins).map(([toolset, builtin]) => [builtin, toolset as AgentToolName]),
) as Record<string, AgentToolName>;

/** The parts of a document an agent's tools add: the agent's tool names, and the document's sections. */
export interface AgentToolPlan {
  /** Tool names for the agent slot (`tools:`). */
  tools: string[];
  /** The document's `tools:` entries: approvals on built-ins, and client-run tools. */
  documentTools: Array<Record<string, unknown>>;
  /** The document's `environment:` when the agent has sandbox tools. */
  environment?: { driver: 'bubblewrap'; network: boolean };
  /**
   * Set when the environment asks for network and the server policy does not let documents from
   * the API have it: the sandbox runs without, and the session's attributes say so.
   */
  networkWithheld?: string;
}

interface ToolsetConfig {
  name: AgentToolName;
  enabled: boolean;
  permission_policy: PermissionPolicy;
}

function refuse(path: string, message: string, hint?: string): ConclaveError {
  return new ConclaveError('invalid_argument', `${path}: ${message}`, { location: { path }, ...(hint !== undefined ? { hint } : {}) });
}

/** Every tool of an agent toolset with its effective setting (its config, else the default config). */
function toolsetConfigs(tool: ResolvedTool): ToolsetConfig[] {
  const defaults = tool['default_config'] as { enabled: boolean; permission_policy: PermissionPolicy };
  const configs = new Map((tool['configs'] as ToolsetConfig[]).map((config) => [config.name, config]));
  return (Object.keys(toolsetBuiltins) as AgentToolName[]).map(
    (name) => configs.get(name) ?? { name, enabled: defaults.enabled, permission_policy: defaults.permission_policy },
  );
}

function sandboxNetwork(environment: EnvironmentConfig, path: string): boolean {
  if (environment.type === 'self_hosted') {
    throw refuse(path, 'a self_hosted environment runs tools on the client; conclave runs them in its own sandbox', 'use a cloud environment');
  }
  const packages = environment.packages;
  const wanted = (['apt', 'cargo', 'gem', 'go', 'npm', 'pip'] as const).filter((manager) => packages[manager].length > 0);
  if (wanted.length > 0) {
    throw refuse(`${path}.config.packages`, `the sandbox cannot install packages (${wanted.join(', ')}); its tools are the host's own, read-only`, 'leave packages empty');
  }
  if (environment.networking.type === 'unrestricted') return true;
  if (environment.networking.allowed_hosts.length > 0) {
    throw refuse(`${path}.config.networking.allowed_hosts`, "the sandbox's network is on or off; it cannot be limited to some hosts", "use networking { type: 'unrestricted' } or { type: 'limited' } without allowed_hosts (no network)");
  }
  return false;
}

/**
 * What `agent`'s tools add to its one-agent document, in `environment`; throws `invalid_argument`
 * (a 400 naming the field) for what conclave cannot run yet.
 *
 * @example
 * agentToolPlan(agent, { type: 'cloud', networking: { type: 'unrestricted' }, packages: … }, true)
 * // → { tools: ['bash', 'read_file', …], documentTools: [], environment: { driver: 'bubblewrap', network: true } }
 */
export function agentToolPlan(agent: AgentSnapshot, environment: EnvironmentConfig, networkAllowed: boolean): AgentToolPlan {
  const plan: AgentToolPlan = { tools: [], documentTools: [] };
  if (agent.skills.length > 0) throw refuse('agent.skills', 'skills are not supported by this server yet', 'create the agent without skills');
  let sandboxTools = false;
  for (const [index, tool] of agent.tools.entries()) {
    const path = `agent.tools[${index}]`;
    if (tool.type === 'agent_toolset_20260401') {
      for (const config of toolsetConfigs(tool)) {
        if (!config.enabled) continue;
        const builtin = toolsetBuiltins[config.name];
        if (config.permission_policy.type === 'auto') {
          throw refuse(`${path}.configs.${config.name}.permission_policy`, 'the auto permission policy is not supported', 'use always_allow or always_ask');
        }
        for (const field of ['allowed_domains', 'blocked_domains', 'max_content_tokens', 'url_sources', 'user_location'] as const) {
          const value = (config as unknown as Record<string, unknown>)[field];
          if (value !== undefined && value !== null) {
            throw refuse(`${path}.configs.${config.name}.${field}`, 'is not supported by this server yet', `leave it out; ${config.name} obeys the sandbox's network switch`);
          }
        }
        plan.tools.push(builtin);
        if (config.permission_policy.type === 'always_ask') plan.documentTools.push({ name: builtin, approval: 'always_ask' });
        sandboxTools = true;
      }
    } else if (tool.type === 'mcp_toolset') {
      // Its tools are the server's, learned by connecting (`agent-mcp-tools.ts`).
      continue;
    } else if (tool.type === 'custom') {
      plan.tools.push(String(tool['name']));
      plan.documentTools.push({ name: tool['name'], type: 'custom', description: tool['description'], input_schema: tool['input_schema'] });
    } else {
      throw refuse(`${path}.type`, `${tool.type} is not supported by this server yet`);
    }
  }
  if (sandboxTools) {
    const network = sandboxNetwork(environment, 'environment');
    plan.environment = { driver: 'bubblewrap', network: network && networkAllowed };
    if (network && !networkAllowed) plan.networkWithheld = "the environment's networking is unrestricted, but this server's policy gives tools of API documents no network (the operator can allow it with `network: true`)";
  }
  return plan;
}
