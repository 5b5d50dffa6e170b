/**
 * The server policy: what a document from an API caller may use. `conclave serve` and
 * `conclave worker` load it (`--policy FILE` or `CONCLAVE_POLICY`); without a file every rule takes
 * its safe default, which refuses anything that would run a host command, read a server file, reach
 * a URL the caller chose with the server's keys, or leave the sandbox. Documents run by the CLI or
 * the library are the local user's own and are not subject to it. `SECURITY.md` explains the model.
 *
 * The file is YAML (or JSON); top-level rules apply to every workspace, and `workspaces.<name>`
 * overrides any of them for one workspace.
 */
import { z } from 'zod';
import { mcpServerConfigSchema, type McpServerConfig } from '../mcp/mcp-server-config.js';
import { hostPatternSchema } from '../protocol/environment.js';

/**
 * A host an allow-list names: `api.example.com`, `*.example.com` (any subdomain, not the apex), or
 * either with `:port` (without one, any port matches). IPv6 literals go in brackets.
 */
export const allowedHostSchema = hostPatternSchema;

/** The rules, each optional: a workspace's overrides (a field left out keeps the top-level rule). */
export const workspaceOverridesSchema = z.strictObject({
  trust: z
    .enum(['untrusted', 'trusted'])
    .optional()
    .describe("`trusted` runs this workspace's API documents like the operator's own (every rule below is skipped). Default untrusted."),
  document_tools: z.boolean().optional().describe("Whether a document's own command tools (`tools:`) may run (always in the sandbox). Default false."),
  network: z
    .boolean()
    .optional()
    .describe('Whether `environment.network` may be true or an allow-list of hosts (tools reach the network from the sandbox, all of it or those hosts). Default false.'),
  mcp_hosts: z.array(allowedHostSchema).optional().describe('Hosts a caller-given MCP server `url` may reach. Default none: only servers the operator declares, by name.'),
  provider_hosts: z
    .array(allowedHostSchema)
    .optional()
    .describe("Hosts a document's `providers.*.base_url` may name; such a provider must use the workspace's own key (`api_key: ${secret:NAME}`). Default none."),
  scripts_dir: z.string().min(1).optional().describe('Folder that `offline/scripted?script=` paths are read from (relative paths only). Default: scripted models refused.'),
});

/** The rules one workspace's API documents are held to, every one at its safe default unless given. */
export const workspaceRulesSchema = workspaceOverridesSchema.extend({
  trust: workspaceOverridesSchema.shape.trust.unwrap().default('untrusted'),
  document_tools: z.boolean().default(false),
  network: z.boolean().default(false),
  mcp_hosts: z.array(allowedHostSchema).default([]),
  provider_hosts: z.array(allowedHostSchema).default([]),
});
export type WorkspaceRules = z.infer<typeof workspaceRulesSchema>;

const documentLimitsSchema = z.strictObject({
  bytes: z.number().int().positive().optional().describe('Largest document, in bytes of its text.'),
  depth: z.number().int().positive().optional().describe('Deepest nesting of mappings and lists.'),
  keys: z.number().int().positive().optional().describe('Most keys and list items in all.'),
  agents: z.number().int().positive().optional().describe('Most agent slots, nested topologies included.'),
  file_bytes: z.number().int().positive().optional().describe('Largest file upload (Files API), in bytes. Default 32 MiB.'),
});

export const serverPolicySchema = workspaceRulesSchema.extend({
  mcp_servers: z
    .array(mcpServerConfigSchema)
    .default([])
    .describe('MCP servers the operator runs for callers; a document names one with `mcp_servers: [{ name }]`. Their `${secret:…}` references resolve from the server.'),
  limits: documentLimitsSchema.optional().describe('Limits on API documents (defaults: see SECURITY.md).'),
  workspaces: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a workspace name'), workspaceOverridesSchema)
    .default({})
    .describe('Rules for one workspace, overriding the top-level ones.'),
});

/** A loaded, validated policy. */
export interface ServerPolicy {
  /** Rules of workspaces not named under `workspaces`. */
  rules: WorkspaceRules;
  /** Overrides by workspace. */
  workspaces: Record<string, Partial<WorkspaceRules>>;
  /** MCP servers the operator declares, by name. */
  mcpServers: McpServerConfig[];
  /** Limits on API documents; absent fields take the untrusted defaults. */
  limits: { bytes?: number; depth?: number; keys?: number; agents?: number; file_bytes?: number };
  /** Where the policy came from (a file path, or `defaults`). */
  source: string;
}

/**
 * A policy from a parsed policy file's value (already validated by `serverPolicySchema`).
 *
 * @example
 * const policy = serverPolicyFrom(serverPolicySchema.parse({ document_tools: true }), 'policy.yaml');
 */
export function serverPolicyFrom(value: z.infer<typeof serverPolicySchema>, source: string): ServerPolicy {
  const { mcp_servers: mcpServers, limits, workspaces, ...rules } = value;
  return { rules, workspaces, mcpServers: mcpServers as McpServerConfig[], limits: limits ?? {}, source };
}

/**
 * The policy with every rule at its safe default: what a server runs without `--policy`.
 *
 * @example
 * defaultServerPolicy().rules.document_tools // → false
 */
export function defaultServerPolicy(): ServerPolicy {
  return serverPolicyFrom(serverPolicySchema.parse({}), 'defaults');
}

/**
 * The rules for one workspace: its overrides over the top-level rules.
 *
 * @example
 * rulesFor(policy, 'tenant-a').trust // → 'untrusted'
 */
export function rulesFor(policy: ServerPolicy, workspace: string): WorkspaceRules {
  const overrides = policy.workspaces[workspace];
  if (overrides === undefined) return policy.rules;
  const merged: Record<string, unknown> = { ...policy.rules };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[key] = value;
  return merged as WorkspaceRules;
}
