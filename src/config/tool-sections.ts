/**
 * The document sections about tools: `environment:` (driver, seed directory, network, limits),
 * `tools:` (the document's own command tools, client-run tools, and approvals on built-in and MCP
 * tools) and `mcp_servers:`. Each is checked with its path;
 * the seed directory is resolved against the document's folder and must exist.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { builtinToolNames, customToolSchema, emptyInputSchema, environmentSchema, spawnAgentToolName, type CustomToolSettings, type EnvironmentSettings } from '../protocol/index.js';
import { mcpServersSchema } from '../mcp/mcp-server-config.js';
import { appendProblems, documentProblem, type DocumentProblem } from './document-problem.js';
import type { JsonPath } from './format-json-path.js';
import { parseWithProblems } from './zod-problems.js';


export interface ToolSections {
  environment?: EnvironmentSettings;
  tools?: CustomToolSettings[];
  mcpServers?: Array<Record<string, unknown> & { name: string }>;
}

/**
 * Validates the tool sections of a document read from `file` (undefined: from the current directory).
 *
 * @example
 * const sections = parseToolSections({ environment: { seed: 'project' } }, 'examples/coder.yaml', problems);
 * sections.environment?.seed // → '/abs/path/examples/project'
 */
export function parseToolSections(raw: Record<string, unknown>, file: string | undefined, problems: DocumentProblem[]): ToolSections {
  const sections: ToolSections = {};
  const environment = parseWithProblems(environmentSchema.optional(), raw['environment'] ?? undefined, ['environment']);
  if (!environment.ok) appendProblems(problems, environment.problems);
  else if (environment.value !== undefined) {
    const settings = { ...environment.value };
    if (settings.seed !== undefined) {
      const seed = resolve(file === undefined ? process.cwd() : dirname(resolve(file)), settings.seed);
      if (!existsSync(seed) || !statSync(seed).isDirectory()) {
        problems.push(documentProblem(['environment', 'seed'], `"${settings.seed}" is not a directory (resolved to ${seed})`, { hint: 'the seed directory is relative to the document' }));
      }
      settings.seed = seed;
    }
    sections.environment = settings;
  }
  const servers = parseWithProblems(mcpServersSchema.optional(), raw['mcp_servers'] ?? undefined, ['mcp_servers']);
  if (!servers.ok) appendProblems(problems, servers.problems);
  else if (servers.value !== undefined) sections.mcpServers = servers.value as Array<Record<string, unknown> & { name: string }>;
  const tools = parseWithProblems(z.array(customToolSchema).optional(), raw['tools'] ?? undefined, ['tools']);
  if (!tools.ok) appendProblems(problems, tools.problems);
  else if (tools.value !== undefined) {
    const seen = new Set<string>();
    const serverNames = (sections.mcpServers ?? []).map((server) => server.name);
    for (const [index, tool] of tools.value.entries()) {
      checkToolEntry(tool, ['tools', index], serverNames, problems);
      // Tools of their own get an input schema; approval entries stay as written.
      if (tool.command !== undefined || tool.type !== undefined) tool.input_schema ??= { ...emptyInputSchema };
      if (seen.has(tool.name)) problems.push(documentProblem(['tools', index, 'name'], `tool "${tool.name}" is declared twice`));
      seen.add(tool.name);
    }
    sections.tools = tools.value;
  }
  return sections;
}

/**
 * Which fields each shape of a `tools:` entry takes: a command tool needs `description` and
 * `command`; a client-run tool (`type: custom`) needs `description` and takes no `command` or
 * `approval`; a built-in or MCP tool's entry is `name` and `approval` only.
 */
function checkToolEntry(tool: CustomToolSettings, path: JsonPath, serverNames: readonly string[], problems: DocumentProblem[]): void {
  if (tool.name === spawnAgentToolName) {
    problems.push(documentProblem([...path, 'name'], `"${spawnAgentToolName}" is a built-in tool of conclave, run by conclave itself; give your tool another name`, { hint: 'an agent gets spawn_agent by listing it in its tools, with the agents it may spawn under spawn.agents' }));
    return;
  }
  const server = tool.name.includes('__') ? tool.name.slice(0, tool.name.indexOf('__')) : undefined;
  const builtin = (builtinToolNames as readonly string[]).includes(tool.name);
  if (builtin || (server !== undefined && serverNames.includes(server))) {
    const what = builtin ? 'a built-in tool' : `a tool of the MCP server "${server}"`;
    if ((['type', 'description', 'input_schema', 'command'] as const).some((field) => tool[field] !== undefined)) {
      problems.push(documentProblem([...path, 'name'], `"${tool.name}" is ${what}; give your tool another name`, { hint: `an entry for ${what} takes only "approval" (always_ask or never)` }));
    } else if (tool.approval === undefined) {
      problems.push(documentProblem([...path, 'approval'], `the entry for "${tool.name}" needs "approval" (always_ask or never)`));
    }
    return;
  }
  if (tool.description === undefined) problems.push(documentProblem([...path, 'description'], `tool "${tool.name}" needs a description`));
  if (tool.type === 'custom') {
    if (tool.command !== undefined) problems.push(documentProblem([...path, 'command'], `"${tool.name}" is run by the client (type: custom); it takes no command`, { hint: 'drop `type: custom` to run the command in the sandbox' }));
    if (tool.approval !== undefined) problems.push(documentProblem([...path, 'approval'], `"${tool.name}" is run by the client (type: custom), which already decides; it takes no approval`));
    return;
  }
  if (tool.command === undefined) {
    problems.push(documentProblem([...path, 'command'], `tool "${tool.name}" needs a command`, { hint: server !== undefined ? `"${server}" is not a declared MCP server; an approval entry names <server>__<tool> of one` : 'or `type: custom` for a tool the client runs' }));
  }
}
