/**
 * Checks shared by topologies whose options name agents (a judge, a synthesizer): the name must be
 * one of the document's agents. Issues carry document-relative paths (`options.judge`).
 */
import type { AgentSlot, TopologyIssue } from '../../src/protocol/index.js';

/**
 * An issue when `name` is set but no agent has it.
 *
 * @example
 * checkAgentReference(agents, 'judge', options.judge) // → [] or [{ path: ['options','judge'], … }]
 */
export function checkAgentReference(agents: readonly AgentSlot[], option: string, name: string | undefined): TopologyIssue[] {
  if (name === undefined || agents.some((agent) => agent.name === name)) return [];
  return [
    {
      path: ['options', option],
      message: `options.${option} names agent "${name}", which is not in agents`,
      hint: `agents are: ${agents.map((agent) => agent.name).join(', ')}`,
    },
  ];
}
