/**
 * The document sections about tools: `environment:` (driver, seed directory, network, limits),
 * `tools:` (the document's own command tools) and `mcp_servers:`. Each is checked with its path;
 * the seed directory is resolved against the document's folder and must exist.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { builtinToolNames, customToolSchema, environmentSchema, type CustomToolSettings, type EnvironmentSettings } from '../protocol/index.js';
import { mcpServersSchema } from '../mcp/mcp-server-config.js';
import { appendProblems, documentProblem, type DocumentProblem } from './document-problem.js';
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
  const tools = parseWithProblems(z.array(customToolSchema).optional(), raw['tools'] ?? undefined, ['tools']);
  if (!tools.ok) appendProblems(problems, tools.problems);
  else if (tools.value !== undefined) {
    const seen = new Set<string>();
    for (const [index, tool] of tools.value.entries()) {
      if ((builtinToolNames as readonly string[]).includes(tool.name)) problems.push(documentProblem(['tools', index, 'name'], `"${tool.name}" is a built-in tool; give your tool another name`));
      if (seen.has(tool.name)) problems.push(documentProblem(['tools', index, 'name'], `tool "${tool.name}" is declared twice`));
      seen.add(tool.name);
    }
    sections.tools = tools.value;
  }
  const servers = parseWithProblems(mcpServersSchema.optional(), raw['mcp_servers'] ?? undefined, ['mcp_servers']);
  if (!servers.ok) appendProblems(problems, servers.problems);
  else if (servers.value !== undefined) sections.mcpServers = servers.value as Array<Record<string, unknown> & { name: string }>;
  return sections;
}
