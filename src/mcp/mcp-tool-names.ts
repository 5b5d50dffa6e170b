/**
 * The names agents see for MCP tools: `<server>__<tool>`, so that two servers may both have a
 * `search` tool. Provider APIs accept only `[A-Za-z0-9_-]` in tool names, at most 64 characters,
 * so both parts are sanitised and the tool part is cut to fit; two tools that end up with the same
 * name are an error naming both, never a silent shadowing.
 */
import { ConclaveError } from '../protocol/index.js';

/** Longest tool name the provider APIs accept. */
export const maxToolNameLength = 64;

/** Between the server name and the tool name. */
export const mcpToolSeparator = '__';

function sanitize(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * The name agents call a server's tool by.
 *
 * @example
 * exposedToolName('files', 'read.file') // → 'files__read_file'
 */
export function exposedToolName(server: string, tool: string): string {
  // Server names are at most 32 characters, so the cut only ever shortens the tool part.
  return `${sanitize(server)}${mcpToolSeparator}${sanitize(tool)}`.slice(0, maxToolNameLength);
}

/** One MCP tool under its exposed name. */
export interface NamedMcpTool {
  exposedName: string;
  server: string;
  tool: string;
}

/**
 * Names every tool of every server, in order. Throws `tool_failed` when two tools would share a
 * name, naming both.
 *
 * @example
 * nameMcpTools([{ server: 'files', tools: ['read', 'write'] }])
 * // → [{ exposedName: 'files__read', server: 'files', tool: 'read' }, { exposedName: 'files__write', … }]
 */
export function nameMcpTools(servers: ReadonlyArray<{ server: string; tools: readonly string[] }>): NamedMcpTool[] {
  const byName = new Map<string, NamedMcpTool>();
  for (const { server, tools } of servers) {
    for (const tool of tools) {
      const named: NamedMcpTool = { exposedName: exposedToolName(server, tool), server, tool };
      const earlier = byName.get(named.exposedName);
      if (earlier !== undefined) {
        throw new ConclaveError(
          'tool_failed',
          `MCP tools "${earlier.tool}" of server "${earlier.server}" and "${tool}" of server "${server}" would both be called "${named.exposedName}"`,
          {
            hint:
              earlier.server === server
                ? `tool names keep only A-Z, a-z, 0-9, "_" and "-", and ${maxToolNameLength} characters; the server has to name these two apart`
                : 'rename one of the servers in `mcp_servers`',
          },
        );
      }
      byName.set(named.exposedName, named);
    }
  }
  return [...byName.values()];
}
