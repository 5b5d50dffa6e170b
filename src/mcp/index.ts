/**
 * MCP servers as tools: a document's `mcp_servers:` (stdio or streamable HTTP) connected through
 * the official SDK, their tools offered to agents as `<server>__<tool>` and called like built-in ones.
 */
export {
  describeMcpEndpoint,
  mcpServerConfigSchema,
  mcpServerNamePattern,
  mcpServersSchema,
  parseMcpServers,
  type McpEndpoint,
  type McpHttpEndpoint,
  type McpServerConfig,
  type McpStdioEndpoint,
} from './mcp-server-config.js';
export { defaultMcpTimeoutMs, openMcpServerConnection, type McpConnectOptions, type McpServerConnection, type ResolveSecrets } from './mcp-server-connection.js';
export { exposedToolName, maxToolNameLength, mcpToolSeparator, nameMcpTools, type NamedMcpTool } from './mcp-tool-names.js';
export { flattenToolResult, type McpToolOutcome } from './mcp-tool-result.js';
export { connectMcpServers, type McpTools } from './mcp-tools.js';
