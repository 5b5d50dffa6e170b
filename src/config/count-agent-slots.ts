/**
 * Counts the agent slots of a document as written, nested topologies included (a nested slot
 * counts, and so does each agent inside it) and spawn rosters (`spawn.agents`), before any of them
 * is validated: the agents limit
 * bounds the work validation and the kernel will do, so it is checked first.
 */
import { isPlainObject } from './document-problem.js';
import type { JsonPath } from './format-json-path.js';

/** How many agent slots there are, and the path of the first one past the limit. */
export interface AgentSlotCount {
  count: number;
  exceededAt: JsonPath | undefined;
}

/**
 * Counts the slots of `agents` (found at `path`) and of every nested topology's `agents`, in
 * document order, with an explicit stack.
 *
 * @example
 * countAgentSlots([{ name: 'a' }, { name: 'team', topology: 'debate', agents: [{}, {}] }], ['agents'], 2)
 * // → { count: 4, exceededAt: ['agents', 1, 'agents', 0] }
 */
export function countAgentSlots(agents: unknown, path: JsonPath, limit: number): AgentSlotCount {
  const result: AgentSlotCount = { count: 0, exceededAt: undefined };
  const stack: Array<{ slots: unknown[]; path: JsonPath; index: number }> = Array.isArray(agents) ? [{ slots: agents, path, index: 0 }] : [];
  while (stack.length > 0) {
    const level = stack[stack.length - 1]!;
    if (level.index >= level.slots.length) {
      stack.pop();
      continue;
    }
    const index = level.index;
    level.index += 1;
    result.count += 1;
    if (result.count > limit && result.exceededAt === undefined) result.exceededAt = [...level.path, index];
    const slot = level.slots[index];
    if (isPlainObject(slot) && 'topology' in slot && Array.isArray(slot.agents)) {
      stack.push({ slots: slot.agents, path: [...level.path, index, 'agents'], index: 0 });
    } else if (isPlainObject(slot) && isPlainObject(slot.spawn) && Array.isArray(slot.spawn.agents)) {
      // A spawn roster's agents are slots too: the kernel may run every one of them.
      stack.push({ slots: slot.spawn.agents, path: [...level.path, index, 'spawn', 'agents'], index: 0 });
    }
  }
  return result;
}
