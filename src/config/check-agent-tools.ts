/**
 * Checks that every tool an agent lists exists: a built-in tool, one of the document's own
 * `tools:`, or a tool of a declared MCP server (`<server>__<tool>`, listed when the server is
 * connected). Nested topologies and spawn rosters are walked too, each problem at its JSON path
 * with a suggestion.
 */
import { builtinToolNames, isNestedTopology, spawnAgentToolName, type AgentSlot } from '../protocol/index.js';
import { didYouMeanHint } from './did-you-mean.js';
import { appendProblems, documentProblem, type DocumentProblem } from './document-problem.js';
import type { JsonPath } from './format-json-path.js';

/**
 * Problems of the `tools` lists of `agents` (and of their nested topologies).
 *
 * @example
 * checkAgentTools([{ name: 'coder', model: 'offline/echo', tools: ['bsh'] }], ['agents'], ['run_tests'], [])
 * // → [{ path: ['agents', 0, 'tools', 0], message: 'agents[0].tools[0]: unknown tool "bsh"', hint: 'did you mean "bash"?' }]
 */
export function checkAgentTools(agents: readonly AgentSlot[], path: JsonPath, customTools: readonly string[], mcpServers: readonly string[]): DocumentProblem[] {
  const known = [...builtinToolNames, spawnAgentToolName, ...customTools];
  const problems: DocumentProblem[] = [];
  for (const [index, slot] of agents.entries()) {
    if (isNestedTopology(slot)) {
      appendProblems(problems, checkAgentTools(slot.agents, [...path, index, 'agents'], customTools, mcpServers));
      continue;
    }
    if (slot.spawn !== undefined) appendProblems(problems, checkAgentTools(slot.spawn.agents, [...path, index, 'spawn', 'agents'], customTools, mcpServers));
    for (const [toolIndex, tool] of (slot.tools ?? []).entries()) {
      const server = tool.includes('__') ? tool.slice(0, tool.indexOf('__')) : undefined;
      if (known.includes(tool) || (server !== undefined && mcpServers.includes(server))) continue;
      const hint = didYouMeanHint(tool, known, 'tools') ?? `the tools are ${known.join(', ')}${mcpServers.length > 0 ? `, and <server>__<tool> for the MCP servers ${mcpServers.join(', ')}` : ''}`;
      problems.push(documentProblem([...path, index, 'tools', toolIndex], `unknown tool "${tool}"`, { hint }));
    }
  }
  return problems;
}
