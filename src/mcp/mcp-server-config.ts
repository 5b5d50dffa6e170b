/**
 * The `mcp_servers:` entries of a document: a local server started as a child process and spoken to
 * over stdio (`command`), or a remote one over streamable HTTP (`url`). Values may hold
 * `${secret:NAME}` references; they stay unresolved here (this is what gets journaled) and are
 * substituted only at the moment of connecting, so that secrets never sit in a document's copy.
 */
import { z } from 'zod';
import { formatJsonPath } from '../config/format-json-path.js';
import { ConclaveError, type ConclaveErrorJSON } from '../protocol/index.js';

/** A server name: it prefixes the server's tools (`<server>__<tool>`), so it is short and plain. */
export const mcpServerNamePattern = /^[a-z][a-z0-9_-]{0,31}$/;

const environmentVariableName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** An HTTP header name (RFC 9110 `token`). */
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const secretReference = /\$\{secret:[^}]*\}/g;
/** Command lines are visible to every process on the machine (`ps`), so secrets go in `env`. */
const noSecret = (value: string): boolean => !value.includes('${secret:');
const secretInCommandLine = 'a secret does not go on the command line (any process can read it there): pass it in `env`';

/** Whether a URL, with any secret reference standing in for text, is an http(s) URL. */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value.replace(secretReference, 'secret'));
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const stdioOnlyFields = ['args', 'env', 'cwd'] as const;

/**
 * One MCP server. Exactly one of `command` (stdio: `args`, `env`, `cwd` may go with it) or `url`
 * (streamable HTTP: `headers` may go with it).
 */
export const mcpServerConfigSchema = z
  .strictObject({
    name: z
      .string()
      .regex(mcpServerNamePattern, 'an MCP server name is 1 to 32 lowercase letters, digits, "_" or "-", starting with a letter'),
    command: z.string().min(1, 'the command is empty').refine(noSecret, secretInCommandLine).optional(),
    args: z.array(z.string().refine(noSecret, secretInCommandLine)).optional(),
    env: z.record(z.string().regex(environmentVariableName, 'not an environment variable name'), z.string()).optional(),
    cwd: z.string().min(1, 'the working directory is empty').optional(),
    url: z.string().refine(isHttpUrl, 'an MCP server url is an http:// or https:// URL').optional(),
    headers: z.record(z.string().regex(headerName, 'not an HTTP header name'), z.string()).optional(),
  })
  .superRefine((config, context) => {
    // `{ name }` alone refers to a server the operator declared in the server policy.
    const reference = Object.entries(config).every(([key, value]) => key === 'name' || value === undefined);
    if (!reference && (config.command === undefined) === (config.url === undefined)) {
      context.addIssue({ code: 'custom', message: 'an MCP server has exactly one of `command` (stdio) or `url` (streamable HTTP), or only a `name` to use a server the operator declared', path: [] });
    }
    if (config.url !== undefined) {
      for (const field of stdioOnlyFields) {
        if (config[field] !== undefined) context.addIssue({ code: 'custom', message: `\`${field}\` goes with \`command\` (stdio), not with \`url\``, path: [field] });
      }
    }
    if (config.command !== undefined && config.headers !== undefined) {
      context.addIssue({ code: 'custom', message: '`headers` go with `url` (streamable HTTP), not with `command`', path: ['headers'] });
    }
  });

/** A document's `mcp_servers:` list; names are unique. */
export const mcpServersSchema = z.array(mcpServerConfigSchema).superRefine((servers, context) => {
  const seen = new Set<string>();
  servers.forEach((server, index) => {
    if (seen.has(server.name)) context.addIssue({ code: 'custom', message: `MCP server "${server.name}" is listed twice`, path: [index, 'name'] });
    seen.add(server.name);
  });
});

/** One `mcp_servers:` entry as written (secret references unresolved). */
export type McpServerConfig = z.infer<typeof mcpServerConfigSchema>;

/** A stdio server, after validation. */
export interface McpStdioEndpoint {
  transport: 'stdio';
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

/** A streamable HTTP server, after validation. */
export interface McpHttpEndpoint {
  transport: 'http';
  name: string;
  url: string;
  headers: Record<string, string>;
}

export type McpEndpoint = McpStdioEndpoint | McpHttpEndpoint;

/**
 * Validates `mcp_servers:` entries and tells the two kinds apart. Throws `invalid_argument` listing
 * every problem with its path (`mcp_servers[1].url`).
 *
 * @example
 * const [endpoint] = parseMcpServers([{ name: 'files', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '.'] }]);
 * endpoint.transport // → 'stdio'
 */
export function parseMcpServers(value: unknown): McpEndpoint[] {
  const parsed = mcpServersSchema.safeParse(value);
  if (!parsed.success) {
    const issues: ConclaveErrorJSON[] = parsed.error.issues.map((issue) => {
      const path = formatJsonPath(['mcp_servers', ...issue.path.filter((segment) => typeof segment !== 'symbol')]);
      return new ConclaveError('invalid_argument', `${path}: ${issue.message}`, { location: { path } }).toJSON();
    });
    const [first] = issues;
    throw new ConclaveError('invalid_argument', `invalid MCP server configuration: ${issues.map((issue) => issue.message).join('; ')}`, {
      ...(first?.location !== undefined ? { location: first.location } : {}),
      issues,
    });
  }
  const references = parsed.data.flatMap((config, index) => (config.command === undefined && config.url === undefined ? [{ config, index }] : []));
  if (references.length > 0) {
    const [{ config, index }] = references as [{ config: McpServerConfig; index: number }];
    const path = formatJsonPath(['mcp_servers', index]);
    throw new ConclaveError('invalid_argument', `${path}: MCP server "${config.name}" has neither \`command\` nor \`url\`: an MCP server has exactly one of \`command\` (stdio) or \`url\` (streamable HTTP)`, {
      location: { path },
      hint: 'a name alone refers to a server the operator declared in the server policy (`conclave serve --policy`)',
    });
  }
  return parsed.data.map((config): McpEndpoint => {
    if (config.url !== undefined) return { transport: 'http', name: config.name, url: config.url, headers: config.headers ?? {} };
    return {
      transport: 'stdio',
      name: config.name,
      command: config.command ?? '',
      args: config.args ?? [],
      env: config.env ?? {},
      ...(config.cwd !== undefined ? { cwd: config.cwd } : {}),
    };
  });
}

/**
 * How to name a server's endpoint in a message: the command line, or the URL without credentials,
 * query or fragment. Never a header or environment value; secret references stay unresolved.
 *
 * @example
 * describeMcpEndpoint({ transport: 'http', name: 'docs', url: 'https://u:p@example.com/mcp?key=1', headers: {} })
 * // → 'https://example.com/mcp'
 */
export function describeMcpEndpoint(endpoint: McpEndpoint): string {
  if (endpoint.transport === 'stdio') return [endpoint.command, ...endpoint.args].join(' ');
  return endpoint.url.replace(/^([a-z]+:\/\/)[^/@]*@/i, '$1').replace(/[?#].*$/, '');
}
