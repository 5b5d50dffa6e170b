/**
 * The MCP servers of a plain Managed Agents agent as a conclave document: each `{type: 'url', name,
 * url}` becomes an `mcp_servers:` url entry, and each `mcp_toolset` turns into the server's tools
 * (`<server>__<tool>`) with their `enabled` and `permission_policy` settings (`always_ask` waits for
 * `user.tool_confirmation`). A document lists an agent's tools by name, so the servers are reached
 * once when the session is created to learn their tools; the session then connects again when its
 * agent first calls one.
 *
 * Credentials: the first of the session's vaults with an active credential for the server's URL
 * gives it. The document holds only `Authorization: Bearer ${secret:CONCLAVE_CREDENTIAL_…}`; the
 * token is substituted into the outgoing MCP requests at connect time, for that URL only, and is
 * redacted from every event (see `credential-vault.ts`). The server policy's `mcp_hosts` decides
 * which hosts may be reached, before anything is.
 */
import { openMcpServerConnection, exposedToolName, mcpServerNamePattern, type McpServerConnection } from '../../mcp/index.js';
import { isHostAllowed } from '../../policy/host-allow-list.js';
import { rulesFor, type ServerPolicy } from '../../policy/server-policy.js';
import { ConclaveError, toConclaveError } from '../../protocol/errors.js';
import { credentialSecretName, normalizeServerUrl, type CredentialVault } from '../../vault/credential-vault.js';
import { substituteSecrets } from '../../vault/secret-resolver.js';
import type { PermissionPolicy } from './agent-schema.js';
import type { AgentSnapshot } from './agents.js';

/** Where an exposed MCP tool name comes from, for the events a client reads. */
export interface McpToolOrigin {
  server: string;
  tool: string;
}

/** What an agent's MCP servers add to its one-agent document. */
export interface McpToolPlan {
  /** The document's `mcp_servers:` entries (url, and the credential reference when there is one). */
  servers: Array<{ name: string; url: string; headers?: Record<string, string> }>;
  /** Exposed tool names for the agent slot. */
  tools: string[];
  /** Approvals (`approval: always_ask`) for the document's `tools:`. */
  documentTools: Array<Record<string, unknown>>;
  /** Exposed name → server and tool, kept in the session's attributes for the event view. */
  origins: Record<string, McpToolOrigin>;
}

export interface McpToolPlanContext {
  workspace: string;
  /** The session's vaults, in the order given. */
  vaultIds: readonly string[];
  credentials: CredentialVault | undefined;
  policy: ServerPolicy;
  /** Longest wait to reach a server and list its tools. Default 15 s. */
  timeoutMs?: number;
}

interface ToolConfig {
  name: string;
  enabled: boolean;
  permission_policy: PermissionPolicy;
}

function refuse(path: string, message: string, hint?: string): ConclaveError {
  return new ConclaveError('invalid_argument', `${path}: ${message}`, { location: { path }, ...(hint !== undefined ? { hint } : {}) });
}

/** The first active credential of the vaults for `url`, if any. */
async function credentialFor(context: McpToolPlanContext, url: string): Promise<string | undefined> {
  if (context.credentials === undefined) return undefined;
  for (const vaultId of context.vaultIds) {
    let cursor: string | undefined;
    do {
      const page = await context.credentials.store.listCredentials(context.workspace, vaultId, { limit: 100, ...(cursor !== undefined ? { cursor } : {}) });
      const match = page.items.find((record) => typeof record.auth['mcp_server_url'] === 'string' && normalizeServerUrl(record.auth['mcp_server_url']) === normalizeServerUrl(url));
      if (match !== undefined) return match.id;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
  return undefined;
}

/** Connects to a server as the session will (credential included) and learns its tools. */
async function connect(server: McpToolPlan['servers'][number], credentialId: string | undefined, context: McpToolPlanContext, path: string): Promise<McpServerConnection> {
  const vault = context.credentials;
  const resolve = (value: string): Promise<string> =>
    substituteSecrets(value, (name) => {
      if (vault === undefined || credentialId === undefined || name !== credentialSecretName(credentialId)) throw new ConclaveError('secret_not_found', `secret ${name} is not available here`);
      return vault.bearerToken(context.workspace, credentialId, server.url);
    });
  try {
    return await openMcpServerConnection({ transport: 'http', name: server.name, url: server.url, headers: server.headers ?? {} }, { resolve, timeoutMs: context.timeoutMs ?? 15_000, clientName: 'conclave' });
  } catch (error) {
    const reason = toConclaveError(error);
    throw refuse(path, `the MCP server could not be reached to list its tools: ${reason.message}`, credentialId === undefined ? 'if it needs a credential, store one for its URL in a vault and pass vault_ids' : undefined);
  }
}

/** Every tool of a toolset with its effective setting; `auto` and configs naming no tool of the server are refused. */
function toolsetSettings(tool: Record<string, unknown>, available: readonly string[], path: string): ToolConfig[] {
  const defaults = tool['default_config'] as { enabled: boolean; permission_policy: PermissionPolicy };
  const configs = (tool['configs'] as ToolConfig[] | undefined) ?? [];
  configs.forEach((config, index) => {
    if (!available.includes(config.name)) throw refuse(`${path}.configs[${index}].name`, `the MCP server has no tool "${config.name}"`, `its tools: ${available.join(', ')}`);
  });
  const byName = new Map(configs.map((config) => [config.name, config]));
  return available.map((name) => byName.get(name) ?? { name, enabled: defaults.enabled, permission_policy: defaults.permission_policy });
}

/**
 * What `agent`'s MCP servers and toolsets add to its document, or undefined when it has none.
 * Throws `invalid_argument` (a 400 naming the field) for what conclave cannot run, and
 * `policy_denied` for a host off the server's `mcp_hosts`.
 *
 * @example
 * const mcp = await agentMcpToolPlan(agent, { workspace, vaultIds: ['vlt_…'], credentials, policy });
 * // → { servers: [{ name: 'docs', url, headers: { Authorization: 'Bearer ${secret:CONCLAVE_CREDENTIAL_…}' } }], tools: ['docs__search'], … }
 */
export async function agentMcpToolPlan(agent: AgentSnapshot, context: McpToolPlanContext): Promise<McpToolPlan | undefined> {
  if (agent.mcp_servers.length === 0) return undefined;
  const rules = rulesFor(context.policy, context.workspace);
  const plan: McpToolPlan = { servers: [], tools: [], documentTools: [], origins: {} };
  const connections = new Map<string, McpServerConnection>();
  try {
    for (const [index, declared] of agent.mcp_servers.entries()) {
      const path = `agent.mcp_servers[${index}]`;
      if (!mcpServerNamePattern.test(declared.name)) {
        throw refuse(`${path}.name`, `"${declared.name}" cannot name an MCP server here: conclave prefixes the server's tools with it`, 'use 1 to 32 lowercase letters, digits, "_" or "-", starting with a letter');
      }
      if (rules.trust !== 'trusted' && !isHostAllowed(declared.url, rules.mcp_hosts)) {
        throw new ConclaveError('policy_denied', `${path}.url: the host of ${JSON.stringify(declared.url)} is not on the server's MCP allow-list (policy rule \`mcp_hosts\`)`, {
          location: { path: `${path}.url` },
          hint: rules.mcp_hosts.length === 0 ? 'the operator allows MCP hosts with `mcp_hosts:` in the server policy' : `allowed hosts: ${rules.mcp_hosts.join(', ')}`,
        });
      }
      const credentialId = await credentialFor(context, declared.url);
      const server = {
        name: declared.name,
        url: declared.url,
        ...(credentialId !== undefined ? { headers: { Authorization: `Bearer \${secret:${credentialSecretName(credentialId)}}` } } : {}),
      };
      plan.servers.push(server);
      connections.set(declared.name, await connect(server, credentialId, context, path));
    }
    for (const [index, tool] of agent.tools.entries()) {
      if (tool.type !== 'mcp_toolset') continue;
      const path = `agent.tools[${index}]`;
      const serverName = String(tool['mcp_server_name']);
      const available = (connections.get(serverName)?.tools ?? []).map((listed) => listed.name);
      for (const setting of toolsetSettings(tool, available, path)) {
        if (!setting.enabled) continue;
        if (setting.permission_policy.type === 'auto') throw refuse(`${path}.configs.${setting.name}.permission_policy`, 'the auto permission policy is not supported', 'use always_allow or always_ask');
        const exposed = exposedToolName(serverName, setting.name);
        plan.tools.push(exposed);
        plan.origins[exposed] = { server: serverName, tool: setting.name };
        if (setting.permission_policy.type === 'always_ask') plan.documentTools.push({ name: exposed, approval: 'always_ask' });
      }
    }
    return plan;
  } finally {
    await Promise.all([...connections.values()].map((connection) => connection.close().catch(() => undefined)));
  }
}
