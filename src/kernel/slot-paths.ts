/**
 * Which agent slot a model command belongs to, as a readable path of slot names: `a` for an agent
 * of the document's own topology, `red › a` for agent `a` of the nested topology in slot `red`
 * (`team › red › a` one level deeper). Two nested slots that share an agent name stay apart.
 *
 * A nested topology's commands run under its slot's call path (`parallel/agent:0/debate/…`), and
 * the slot's name is journaled with its result (the `agent.message` whose `nested` names the inner
 * topology, under the slot's call path as `commandId`). A nested run whose result is not in the log
 * yet (still running, or failed) is named by its call path instead (`parallel/agent:0 › a`), found
 * from the innermost topology its commands' steps name. Logs written since steps name their nested
 * slots (`StepInfo.slots`) need none of that: a command's path is its step's slots and its agent.
 */
import type { CommandStartedData, SessionEvent } from '../protocol/index.js';

/** Separates the slot names of a path. */
export const slotPathSeparator = ' › ';

export interface SlotPaths {
  /**
   * The path of the slot a command ran for.
   *
   * @example
   * paths.of('parallel/agent:1/debate/round:2/agent:0/generate:0', 'a') // → 'blue › a'
   */
  of(commandId: string, agent: string): string;
}

/**
 * Indexes a session's nested slots and the steps of its commands.
 *
 * @example
 * const paths = slotPathsOf(events);
 * paths.of('debate/round:1/agent:0/generate:0', 'a') // → 'a'
 */
export function slotPathsOf(events: readonly SessionEvent[]): SlotPaths {
  const index = new SlotPathIndex();
  for (const event of events) index.observe(event);
  return index;
}

/**
 * `slotPathsOf`, fed one event at a time: what a live view of a log uses, so the path it gives a
 * command depends only on the events before. A command whose step names its nested slots
 * (`StepInfo.slots`, journaled since nested slots carry them) has its final path from its first
 * event on; older logs fall back to the call-path naming described above.
 *
 * @example
 * const index = new SlotPathIndex();
 * for (const event of events) index.observe(event);
 * index.of('parallel/agent:1/debate/round:1/agent:0/generate:0', 'a') // → 'blue › a'
 */
export class SlotPathIndex implements SlotPaths {
  /** Slot names by the call path their nested topology ran under. */
  private readonly nested = new Map<string, string>();
  /** The innermost topology of each model command, from the step on its first `command.started`. */
  private readonly innermost = new Map<string, string>();
  /** The enclosing nested slots of each command whose step names them. */
  private readonly slots = new Map<string, readonly string[]>();

  /** Takes in the next event of the log. */
  observe(event: SessionEvent): void {
    if (event.type === 'agent.message') {
      const data = event.data as { commandId?: unknown; agent?: unknown; nested?: unknown };
      if (data.nested !== undefined && typeof data.commandId === 'string' && typeof data.agent === 'string') this.nested.set(data.commandId, data.agent);
    } else if (event.type === 'command.started') {
      const data = event.data as CommandStartedData;
      if (data.step === undefined) return;
      if (typeof data.step.topology === 'string') this.innermost.set(data.commandId, data.step.topology);
      const slots = data.step.slots;
      if (Array.isArray(slots) && slots.every((slot) => typeof slot === 'string')) this.slots.set(data.commandId, slots);
    }
  }

  of(commandId: string, agent: string): string {
    const slots = this.slots.get(commandId);
    if (slots !== undefined) return [...slots, agent].join(slotPathSeparator);
    // Nothing nested in the session: every path is the agent's name.
    if (this.nested.size === 0 && this.innermost.size === 0) return agent;
    const segments = commandId.split('/');
    // A later turn's commands start `turn:N/`, an outcome's revision's `outcome:N/` (or both).
    let root = 0;
    while (root < segments.length - 1 && /^(?:turn|outcome):\d+$/.test(segments[root] as string)) root += 1;
    const names: string[] = [];
    /** Index of the topology-name segment of the deepest named level. */
    let deepest = root;
    let prefix = '';
    for (const [index, segment] of segments.entries()) {
      prefix = index === 0 ? segment : `${prefix}/${segment}`;
      const slot = this.nested.get(prefix);
      if (slot !== undefined) {
        names.push(slot);
        deepest = index + 1;
      }
    }
    // Every model command's first `command.started` carries its step (summaries and retries included).
    const topology = this.innermost.get(commandId);
    if (topology !== undefined) {
      const at = segments.lastIndexOf(topology);
      // The innermost topology is deeper than every named level: its slot's result is not in the log.
      if (at > deepest) return `${segments.slice(root, at).join('/')}${slotPathSeparator}${agent}`;
    }
    return names.length === 0 ? agent : `${names.join(slotPathSeparator)}${slotPathSeparator}${agent}`;
  }
}
