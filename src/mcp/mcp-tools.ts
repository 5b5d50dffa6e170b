/**
 * The tools of a document's MCP servers, in the shape the kernel's session tools take: definitions
 * to offer agents, and an `execute` by exposed name (`<server>__<tool>`). Every server is connected
 * and its tools listed up front, so that a bad command, an unreachable URL or two clashing tool
 * names stop the session before its first model call rather than in the middle of it.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ConclaveError, toConclaveError, type ConclaveErrorJSON, type ToolDefinition } from '../protocol/index.js';
import { parseMcpServers, type McpServerConfig } from './mcp-server-config.js';
import { openMcpServerConnection, type McpConnectOptions, type McpServerConnection } from './mcp-server-connection.js';
import { nameMcpTools, type NamedMcpTool } from './mcp-tool-names.js';
import type { McpToolOutcome } from './mcp-tool-result.js';

/** The MCP tools of a session. */
export interface McpTools {
  /** Every tool of every server, named `<server>__<tool>`, with the server's JSON Schema. */
  readonly definitions: ToolDefinition[];
  /** Runs one tool by its exposed name; failures are outcomes with `isError`; throws only `aborted`. */
  execute(name: string, input: Record<string, unknown>, signal: AbortSignal): Promise<McpToolOutcome>;
  /** Closes every connection and ends every stdio server. */
  close(): Promise<void>;
}

function toDefinition(exposedName: string, tool: Tool): ToolDefinition {
  // `$schema` says which draft the server wrote; provider APIs take the bare schema, some refuse the key.
  const { $schema: _draft, ...inputSchema } = tool.inputSchema as Record<string, unknown>;
  const description = tool.description ?? tool.title;
  return { name: exposedName, ...(description !== undefined ? { description } : {}), inputSchema };
}

async function closeAll(connections: readonly McpServerConnection[]): Promise<void> {
  await Promise.all(connections.map((connection) => connection.close().catch(() => undefined)));
}

/** One error for every server that failed: the first one, with all of them as `issues`. */
function connectionFailure(failures: ConclaveError[]): ConclaveError {
  const [first, ...rest] = failures;
  if (first === undefined || rest.length === 0 || first.code === 'aborted') return first ?? new ConclaveError('internal', 'no MCP server failed');
  const issues: ConclaveErrorJSON[] = failures.map((failure) => failure.toJSON());
  return new ConclaveError(first.code, `${failures.length} MCP servers failed: ${failures.map((failure) => failure.message).join('; ')}`, {
    category: first.category,
    issues,
    cause: first,
  });
}

/**
 * Connects to every server (in parallel) and lists their tools. Throws `invalid_argument` for a bad
 * configuration, `tool_failed` naming the server and its command or URL (never a header or an
 * environment value) when one cannot be started or reached or when two tools would share a name,
 * and `aborted`. On failure nothing is left running.
 *
 * @example
 * const mcp = await connectMcpServers(
 *   [{ name: 'docs', url: 'https://mcp.example.com/mcp', headers: { authorization: 'Bearer ${secret:DOCS_TOKEN}' } }],
 *   { resolve: (value) => substituteSecrets(value, createSecretResolver({ vault })) },
 * );
 * const outcome = await mcp.execute('docs__search', { query: 'retry policy' }, signal);
 * await mcp.close();
 */
export async function connectMcpServers(configs: readonly McpServerConfig[], options: McpConnectOptions = {}): Promise<McpTools> {
  const endpoints = parseMcpServers(configs);
  const settled = await Promise.allSettled(endpoints.map((endpoint) => openMcpServerConnection(endpoint, options)));
  const connections = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failures = settled.flatMap((result) => (result.status === 'rejected' ? [toConclaveError(result.reason, 'tool_failed')] : []));
  if (failures.length > 0) {
    await closeAll(connections);
    throw connectionFailure(failures);
  }

  let named: NamedMcpTool[];
  try {
    named = nameMcpTools(connections.map((connection) => ({ server: connection.endpoint.name, tools: connection.tools.map((tool) => tool.name) })));
  } catch (error) {
    await closeAll(connections);
    throw error;
  }
  // `named` lists the tools in the order given: server by server, tool by tool.
  const tools = connections.flatMap((connection) => connection.tools.map((tool) => ({ connection, tool })));
  const toolByName = new Map(named.map((entry, index) => [entry.exposedName, { ...entry, connection: tools[index]?.connection }]));
  const definitions = named.flatMap((entry, index) => {
    const listed = tools[index];
    return listed === undefined ? [] : [toDefinition(entry.exposedName, listed.tool)];
  });

  return {
    definitions,
    async execute(name, input, signal) {
      const entry = toolByName.get(name);
      const connection = entry?.connection;
      if (entry === undefined || connection === undefined) {
        return { output: `Error: unknown MCP tool "${name}"; the MCP tools are ${[...toolByName.keys()].join(', ') || '(none)'}`, isError: true };
      }
      return connection.call(entry.tool, input, signal);
    },
    close: () => closeAll(connections),
  };
}
