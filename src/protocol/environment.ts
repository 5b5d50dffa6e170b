/**
 * The `environment:` and `tools:` sections of a topology document: where an agent's tools run (the
 * sandbox driver, a directory to seed the workspace from, network — none, all, or an allow-list of
 * hosts — and limits) and the document's own
 * tools (command templates run in the sandbox). Packages are not installed by conclave: the
 * sandbox sees the host's read-only system, so what a tool needs must already be there.
 */
import { z } from 'zod';

/** The sandbox drivers: `bubblewrap` isolates; `unisolated` must be chosen by name and isolates nothing. */
export const sandboxDriverNames = ['bubblewrap', 'unisolated'] as const;
export type SandboxDriverName = (typeof sandboxDriverNames)[number];

/** The built-in tools every sandbox runs. */
export const builtinToolNames = ['bash', 'read_file', 'write_file', 'edit_file', 'list_files', 'grep', 'web_fetch', 'web_search'] as const;

/**
 * A host an allow-list names: `api.example.com`, `*.example.com` (any subdomain, not the apex), or
 * either with `:port` (without one, any port matches). IPv6 literals go in brackets.
 */
export const hostPatternSchema = z
  .string()
  // Both cases spelled out rather than an `i` flag, which the generated JSON Schema would lose.
  .regex(/^(?:\*\.)?(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::\d{1,5})?$|^\[[0-9a-fA-F:.]+\](?::\d{1,5})?$/, 'a host such as "api.example.com", "*.example.com" or "10.0.0.5:8080" (no scheme, no path)')
  .transform((host) => host.toLowerCase());

/**
 * Limited networking: tools reach only these hosts, through conclave's egress proxy (HTTP and
 * HTTPS via the proxy variables; anything else has no network). A private or loopback address is
 * reached only when an entry names its host exactly.
 */
export const networkLimitsSchema = z.strictObject({
  allowed_hosts: z.array(hostPatternSchema).min(1).describe('Hosts tools may reach: "api.example.com", "*.example.com" (subdomains), either with ":port".'),
  blocked_hosts: z.array(hostPatternSchema).optional().describe('Hosts refused even when an allowed entry matches them.'),
});
export type NetworkLimitsSettings = z.infer<typeof networkLimitsSchema>;

const domainSchema = z
  .string()
  .regex(/^(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+\.?$/, 'a plain host name such as "docs.example.com" (no scheme, port, path or wildcard)')
  .transform((domain) => domain.toLowerCase());

/**
 * Domains `web_fetch` alone is held to (a domain covers its subdomains), enforced by an egress proxy
 * of its own on top of `network`; they narrow and never widen: without network they change nothing.
 */
export const webFetchDomainsSchema = z.strictObject({
  allowed_domains: z.array(domainSchema).min(1).optional().describe('web_fetch fetches only hosts under these domains.'),
  blocked_domains: z.array(domainSchema).min(1).optional().describe('web_fetch never fetches hosts under these domains.'),
});
export type WebFetchDomainsSettings = z.infer<typeof webFetchDomainsSchema>;

export const environmentSchema = z.strictObject({
  driver: z.enum(sandboxDriverNames).default('bubblewrap').describe('bubblewrap (isolated; the default) or unisolated (runs tools as plain processes — only by explicit choice).'),
  seed: z.string().min(1).optional().describe('Directory copied into the workspace when the sandbox is first provisioned (relative to the document).'),
  network: z
    .union([z.boolean(), networkLimitsSchema])
    .default(false)
    .describe('Whether tools may reach the network: false (default, none at all), true (the host\'s network), or { allowed_hosts, blocked_hosts } (only those hosts, through an egress proxy).'),
  web_fetch: webFetchDomainsSchema.optional().describe("web_fetch's own allowed / blocked domains, enforced by its own egress proxy on top of network."),
  limits: z
    .strictObject({
      wall_time_ms: z.number().int().positive().optional(),
      cpu_seconds: z.number().int().positive().optional(),
      memory_mb: z.number().int().positive().optional(),
      processes: z.number().int().positive().optional(),
      output_bytes: z.number().int().positive().optional(),
    })
    .optional()
    .describe('Limits per tool call: wall time, CPU seconds, memory, processes, output bytes (past it, output is cut with a marker).'),
});
export type EnvironmentSettings = z.infer<typeof environmentSchema>;

const toolName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a tool name starts with a letter and holds only letters, digits, "-" and "_" (at most 64)');

/** Whether a call of a tool waits for a person first: `always_ask` journals it and waits for `user.tool_confirmation`. */
export const toolApprovalNames = ['never', 'always_ask'] as const;
export type ToolApproval = (typeof toolApprovalNames)[number];

/**
 * One entry of a document's `tools:`. Three shapes share it (`src/config/tool-sections.ts` checks
 * which fields each takes, with paths):
 * - a command tool (`type` absent or `command`): `name`, `description`, `input_schema`, `command`,
 *   optional `approval` — run in the sandbox;
 * - a client-run tool (`type: custom`): `name`, `description`, `input_schema` — never run here: the
 *   call is journaled as `agent.custom_tool_use` and waits for `user.custom_tool_result`;
 * - an approval on a built-in or MCP tool: `name` (`bash`, `github__create_issue`) and `approval` only.
 */
export const customToolSchema = z.strictObject({
  name: toolName,
  type: z.enum(['command', 'custom']).optional().describe('command (default: run in the sandbox) or custom (run by the client: the session waits for its result).'),
  description: z.string().min(1).optional(),
  /** JSON Schema of the tool's input object. */
  input_schema: z.record(z.string(), z.unknown()).optional(),
  /** A bash command; `{{field}}` is replaced by the shell-quoted input field. */
  command: z.string().min(1).optional(),
  approval: z.enum(toolApprovalNames).optional().describe('always_ask: every call waits for a person to allow or deny it (conclave approve / deny). Default never.'),
});
export type CustomToolSettings = z.infer<typeof customToolSchema>;

/** The JSON Schema a tool gets when its entry gives none. */
export const emptyInputSchema: Record<string, unknown> = { type: 'object', properties: {} };

/**
 * How a session treats a call of a tool: `run` it, `ask` a person first, or wait for the `client`
 * that runs it.
 */
export type ToolCallPolicy = 'run' | 'ask' | 'client';

/**
 * The policy of a tool as the document's `tools:` declares it.
 *
 * @example
 * toolCallPolicy([{ name: 'bash', approval: 'always_ask' }], 'bash') // → 'ask'
 */
export function toolCallPolicy(tools: readonly CustomToolSettings[] | undefined, name: string): ToolCallPolicy {
  const entry = tools?.find((tool) => tool.name === name);
  if (entry === undefined) return 'run';
  if (entry.type === 'custom') return 'client';
  return entry.approval === 'always_ask' ? 'ask' : 'run';
}

/**
 * Whether an entry of `tools:` is a command tool the sandbox runs (not a client-run tool, not an
 * approval on a built-in or MCP tool).
 *
 * @example
 * isCommandTool({ name: 'test', description: 'Run tests', command: 'pytest -q' }) // → true
 */
export function isCommandTool(tool: CustomToolSettings): tool is CustomToolSettings & { command: string; description: string } {
  return tool.type !== 'custom' && tool.command !== undefined;
}
