/**
 * What a topology run's scope says about the agent calls its machine asks for: the slot each call
 * names, the step it is journaled with, and the command ids its model calls will use.
 */
import { commandPath, isNestedTopology, type AgentCall, type AgentSlot, type StepInfo } from '../protocol/index.js';
import type { TopologyScope } from './topology-run-types.js';

/**
 * The command ids the model-slot calls of a step will use (nested slots have none of their own).
 *
 * @example
 * modelCommandIds({ ...scope, prefix: 'pipeline' }, [call]) // → ['pipeline/pass:1/stage:0/generate:0']
 */
export function modelCommandIds(scope: TopologyScope, calls: readonly AgentCall[]): string[] {
  const ids: string[] = [];
  for (const call of calls) {
    const slot = slotNamed(scope, call.agent);
    if (slot !== undefined && !isNestedTopology(slot)) ids.push(commandPath(commandPath(scope.prefix, call.path), 'generate:0'));
  }
  return ids;
}

/**
 * The step of an agent call: its topology, agent and phase, and the nested slots its run is in.
 *
 * @example
 * stepOf(scope, call) // → { topology: 'pipeline', agent: 'drafter', phase: 'stage', round: 1 }
 */
export function stepOf(scope: TopologyScope, call: AgentCall): StepInfo {
  const step: StepInfo = { topology: scope.topology, agent: call.agent, ...call.step };
  if (scope.slots !== undefined && scope.slots.length > 0) step.slots = [...scope.slots];
  return step;
}

/**
 * The slot an agent call names (a loop, not `find`: it runs for every call).
 *
 * @example
 * slotNamed(scope, 'drafter') // → { name: 'drafter', model: 'offline/echo' }
 */
export function slotNamed(scope: TopologyScope, name: string): AgentSlot | undefined {
  for (const slot of scope.agents) if (slot.name === name) return slot;
  return undefined;
}
