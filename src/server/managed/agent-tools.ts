/**
 * The tools of a plain Managed Agents agent as a conclave document: the agent toolset's tools
 * become conclave's built-in tools (`read` → `read_file`, `glob` → `list_files`, …) run in the
 * session's sandbox, a tool whose permission policy is `always_ask` waits for
 * `user.tool_confirmation` (`approval: always_ask`), and `custom` tools are run by the client
 * (`agent.custom_tool_use` → `user.custom_tool_result`). The environment's networking becomes the
 * sandbox's network — `unrestricted` the host's, `limited` with `allowed_hosts` only those hosts
 * through the sandbox's egress proxy, `limited` without hosts none — when the server policy lets API
 * documents have network; otherwise the sandbox runs without and the session says why.
 * `allow_mcp_servers` changes nothing in the sandbox: MCP servers are reached by the server process,
 * under the policy's `mcp_hosts`, never from the jail. What conclave cannot do yet is refused with a
 * 400 that names the field, never accepted and dropped: skills, the `auto` permission policy,
 * packages, `allow_package_managers` (no list of registry hosts is implied: name them in
 * `allowed_hosts`), and the web tools' size and source settings and `web_search`'s domains.
 * `web_fetch`'s `allowed_domains` / `blocked_domains` become the document's
 * `environment.web_fetch`: its fetches go through an egress proxy of their own that enforces them
 * on top of the environment's networking. MCP servers and their
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

/**
 * The conclave model an agent's model id names: `provider/model` as is, else an Anthropic model.
 *
 * @example
 * conclaveModelOf('claude-sonnet-4-5') // → 'anthropic/claude-sonnet-4-5'
 * conclaveModelOf('offline/echo')      // → 'offline/echo'
 */
export function conclaveModelOf(id: string): string {
  return id.includes('/') ? id : `anthropic/${id}`;
}

/** The parts of a document an agent's tools add: the agent's tool names, and the document's sections. */
export interface AgentToolPlan {
  /** Tool names for the agent slot (`tools:`). */
  tools: string[];
  /** The document's `tools:` entries: approvals on built-ins, and client-run tools. */
  documentTools: Array<Record<string, unknown>>;
  /** The document's `environment:` when the agent has sandbox tools. */
  environment?: { driver: 'bubblewrap'; network: boolean | { allowed_hosts: string[] }; web_fetch?: WebFetchDomains };
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

/** web_fetch's own domain lists, as a document's `environment.web_fetch` takes them. */
type WebFetchDomains = { allowed_domains: string[] } | { blocked_domains: string[] };

const plainDomain = /^(?:[a-z0-9-]+\.)*[a-z0-9-]+\.?$/;

/**
 * The `allowed_domains` / `blocked_domains` of a web_fetch config, checked as the API documents
 * them: plain host names, a non-empty list, not both.
 */
function webFetchDomains(config: Record<string, unknown>, path: string): WebFetchDomains | undefined {
  const allowed = config['allowed_domains'] as string[] | undefined;
  const blocked = config['blocked_domains'] as string[] | undefined;
  if (allowed !== undefined && blocked !== undefined) throw refuse(`${path}.blocked_domains`, 'cannot be combined with allowed_domains', 'give one of the two');
  const [field, list] = allowed !== undefined ? (['allowed_domains', allowed] as const) : (['blocked_domains', blocked] as const);
  if (list === undefined) return undefined;
  if (list.length === 0) throw refuse(`${path}.${field}`, 'an empty list is not accepted', 'omit the field instead');
  const domains = list.map((domain) => domain.trim().toLowerCase());
  const bad = domains.findIndex((domain) => !plainDomain.test(domain));
  if (bad !== -1) throw refuse(`${path}.${field}[${bad}]`, `${JSON.stringify(list[bad])} is not a plain host name`, 'give a host name such as "docs.example.com" (no scheme, port, path or wildcard)');
  return field === 'allowed_domains' ? { allowed_domains: domains } : { blocked_domains: domains };
}

/** The document's `environment.network` for an environment: all, none, or an allow-list of hosts. */
function sandboxNetwork(environment: EnvironmentConfig, path: string): boolean | { allowed_hosts: string[] } {
  if (environment.type === 'self_hosted') {
    throw refuse(path, 'a self_hosted environment runs tools on the client; conclave runs them in its own sandbox', 'use a cloud environment');
  }
  const packages = environment.packages;
  const wanted = (['apt', 'cargo', 'gem', 'go', 'npm', 'pip'] as const).filter((manager) => packages[manager].length > 0);
  if (wanted.length > 0) {
    throw refuse(`${path}.config.packages`, `the sandbox cannot install packages (${wanted.join(', ')}); its tools are the host's own, read-only`, 'leave packages empty');
  }
  const networking = environment.networking;
  if (networking.type === 'unrestricted') return true;
  if (networking.allow_package_managers) {
    throw refuse(
      `${path}.config.networking.allow_package_managers`,
      'is not supported: conclave does not keep a list of package registry hosts',
      'name the registries the tools need in allowed_hosts (e.g. "pypi.org", "files.pythonhosted.org", "registry.npmjs.org")',
    );
  }
  return networking.allowed_hosts.length > 0 ? { allowed_hosts: [...networking.allowed_hosts] } : false;
}

/**
 * What `agent`'s tools add to its one-agent document, in `environment`; throws `invalid_argument`
 * (a 400 naming the field) for what conclave cannot run yet.
 *
 * @example
 * agentToolPlan(agent, { type: 'cloud', networking: { type: 'unrestricted' }, packages: … }, true)
 * // → { tools: ['bash', 'read_file', …], documentTools: [], environment: { driver: 'bubblewrap', network: true } }
 * agentToolPlan(agent, { type: 'cloud', networking: { type: 'limited', allowed_hosts: ['api.example.com'], … }, packages: … }, true).environment
 * // → { driver: 'bubblewrap', network: { allowed_hosts: ['api.example.com'] } }
 */
export function agentToolPlan(agent: AgentSnapshot, environment: EnvironmentConfig, networkAllowed: boolean): AgentToolPlan {
  const plan: AgentToolPlan = { tools: [], documentTools: [] };
  if (agent.skills.length > 0) throw refuse('agent.skills', 'skills are not supported by this server yet', 'create the agent without skills');
  let sandboxTools = false;
  let webFetch: WebFetchDomains | undefined;
  for (const [index, tool] of agent.tools.entries()) {
    const path = `agent.tools[${index}]`;
    if (tool.type === 'agent_toolset_20260401') {
      for (const config of toolsetConfigs(tool)) {
        if (!config.enabled) continue;
        const builtin = toolsetBuiltins[config.name];
        if (config.permission_policy.type === 'auto') {
          throw refuse(`${path}.configs.${config.name}.permission_policy`, 'the auto permission policy is not supported', 'use always_allow or always_ask');
        }
        const fields = config as unknown as Record<string, unknown>;
        if (config.name === 'web_fetch') webFetch = webFetchDomains(fields, `${path}.configs.web_fetch`);
        for (const field of ['allowed_domains', 'blocked_domains', 'max_content_tokens', 'url_sources', 'user_location'] as const) {
          if (config.name === 'web_fetch' && (field === 'allowed_domains' || field === 'blocked_domains')) continue;
          const value = fields[field];
          if (value !== undefined && value !== null) {
            const hint = field === 'allowed_domains' || field === 'blocked_domains' ? "limit the hosts of every tool with the environment's networking { type: 'limited', allowed_hosts }" : 'leave it out';
            throw refuse(`${path}.configs.${config.name}.${field}`, 'is not supported by this server yet', hint);
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
    plan.environment = { driver: 'bubblewrap', network: networkAllowed ? network : false, ...(webFetch !== undefined ? { web_fetch: webFetch } : {}) };
    if (network !== false && !networkAllowed) {
      const asked = network === true ? 'unrestricted' : `limited to ${network.allowed_hosts.join(', ')}`;
      plan.networkWithheld = `the environment's networking is ${asked}, but this server's policy gives tools of API documents no network (the operator can allow it with \`network: true\`)`;
    }
  }
  return plan;
}
