/**
 * The tools a sandbox runs: the built-in ones and the session's command tools, by name. The same
 * list gives the definitions a model is offered, so what a model sees and what a sandbox runs cannot
 * drift apart.
 */
import { ConclaveError, type SandboxCommandTool, type ToolDefinition } from '../protocol/index.js';
import { createBashTool } from './bash-tool.js';
import { builtinToolDefinitions } from './builtin-tools.js';
import { defineCommandTool } from './custom-tools.js';
import { createEditFileTool, createReadFileTool, createWriteFileTool } from './file-tools.js';
import { createGrepTool, createListFilesTool } from './search-tools.js';
import type { SandboxTool } from './sandbox-tool.js';
import { resolveWebToolOptions, type ResolvedWebToolOptions } from './web-tool-options.js';
import { createWebFetchTool, createWebSearchTool } from './web-tools.js';

/**
 * Every built-in tool, ready to run; `web` configures `web_fetch` and `web_search` (default: no
 * search backend, no domain rules).
 *
 * @example
 * createBuiltinTools().map((tool) => tool.definition.name) // → ['bash', 'read_file', …]
 */
export function createBuiltinTools(web: ResolvedWebToolOptions = resolveWebToolOptions({}, {})): SandboxTool[] {
  return [
    createBashTool(),
    createReadFileTool(),
    createWriteFileTool(),
    createEditFileTool(),
    createListFilesTool(),
    createGrepTool(),
    createWebFetchTool(web),
    createWebSearchTool(web),
  ];
}

/**
 * The tools of one sandbox by name; a command tool may not reuse a name (`invalid_argument`).
 * `web` is the driver's resolved `web` option.
 *
 * @example
 * const tools = createToolset([{ name: 'run_tests', inputSchema: { type: 'object' }, command: 'npm test' }]);
 * tools.get('run_tests')
 */
export function createToolset(commandTools: readonly SandboxCommandTool[] = [], web?: ResolvedWebToolOptions): Map<string, SandboxTool> {
  const tools = new Map<string, SandboxTool>();
  for (const tool of [...createBuiltinTools(web), ...commandTools.map(defineCommandTool)]) {
    if (tools.has(tool.definition.name)) {
      throw new ConclaveError('invalid_argument', `there are two tools named "${tool.definition.name}"; tool names must be unique and not those of the built-in tools`, {
        location: { path: `commandTools.${tool.definition.name}` },
      });
    }
    tools.set(tool.definition.name, tool);
  }
  return tools;
}

/**
 * The definitions to offer a model: the built-in tools followed by the command tools (checked the
 * same way a sandbox checks them). Needs no sandbox, so it works before the first tool call.
 *
 * @example
 * const definitions = sandboxToolDefinitions(document.commandTools);
 */
export function sandboxToolDefinitions(commandTools: readonly SandboxCommandTool[] = []): ToolDefinition[] {
  if (commandTools.length === 0) return [...builtinToolDefinitions];
  return [...createToolset(commandTools).values()].map((tool) => tool.definition);
}
