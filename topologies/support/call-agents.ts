/**
 * The placeholder for the `callAgents` actor every topology machine invokes. The kernel replaces it
 * (`machine.provide`) with the journaled implementation; tests replace it with a scripted one.
 * Running a machine without providing it is a programming error, reported as such.
 */
import { fromPromise } from 'xstate';
import { ConclaveError, type AgentCall, type AgentReply, type CallAgentsInput, type Message } from '../../src/protocol/index.js';

export const callAgentsPlaceholder = fromPromise<AgentReply[], CallAgentsInput>(() =>
  Promise.reject(new ConclaveError('internal', 'the callAgents actor was not provided: run topologies through the kernel')),
);

/**
 * A one-message user turn.
 *
 * @example
 * userTurn('Summarise this.') // → [{ role: 'user', content: 'Summarise this.' }]
 */
export function userTurn(content: string): Message[] {
  return [{ role: 'user', content }];
}

/**
 * Builds an agent call.
 *
 * @example
 * agentCall('round:1/agent:0', 'alice', userTurn(task), { phase: 'debate', round: 1 })
 */
export function agentCall(path: string, agent: string, messages: Message[], step: AgentCall['step']): AgentCall {
  return { path, agent, messages, step };
}

/**
 * Index of each agent in the topology's agent list, for stable command paths (`agent:2`).
 *
 * @example
 * agentIndex(['a', 'b'], 'b') // → 1
 */
export function agentIndex(names: readonly string[], name: string): number {
  return names.indexOf(name);
}
