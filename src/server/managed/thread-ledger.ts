/**
 * A session's agents as Managed Agents session threads, read from its conclave log.
 *
 * The session is the primary thread: the topology itself, which takes the user's messages, hands
 * work to its agents and answers — the coordinator of the Managed Agents docs, whose stream is the
 * session-level stream. Every agent slot of a topology agent's document is a child thread of it, and
 * every agent of a nested topology a child of that nested slot's thread (`panel` → `panel › optimist`).
 * The threads are known from the document, so they exist from the session's start; a plain agent
 * (one model) has the primary thread only. A thread's id is derived from the session and the slot
 * path (`sessionThreadId`), so it is the same on every read and after every restart.
 *
 * `SessionThreadLedger` is fed the log one event at a time (by `ManagedEventView`, so the list and
 * the stream agree) and tags the Managed events of each child thread with `session_thread_id`. It
 * also emits the thread status events — `session.thread_status_running` when a thread's first call
 * starts, `session.thread_status_idle` when its answer is in (or the session idles), and
 * `session.thread_status_terminated` when the session ends — and keeps what a thread object shows:
 * status, running time, the model calls whose usage it sums, and when it last changed.
 *
 * An agent started at run time by `spawn_agent` (a document's spawn roster, or a Managed coordinator's
 * `multiagent` roster) becomes a thread when its first command starts: `session.thread_created`, then
 * its running status. Every command under that tool call is its (a spawned topology is one thread),
 * and it goes idle when the tool call that started it ends.
 */
import type { SessionEvent } from '../../protocol/events.js';
import { SlotPathIndex, slotPathSeparator } from '../../kernel/slot-paths.js';
import type { ManagedEvent } from './event-view.js';
import { recordOf } from './managed-session-summary.js';
import { spawnOf, spawnedThread, threadsOf, type ThreadNode } from './thread-tree.js';

export { isWithin, sessionThreadId, threadsOf, threadTreeOf, type ThreadNode } from './thread-tree.js';

/** What a thread has done so far, as the log says. */
export interface ThreadActivity {
  running: boolean;
  terminated: boolean;
  /** Whether it has ever started running (its `stats` are null until then). */
  started: boolean;
  /** Whether it has gone idle at least once (its `usage` is null until then). */
  idled: boolean;
  activeSeconds: number;
  runningSince: string | undefined;
  /** Time of the last event of the thread. */
  updatedAt: string | undefined;
  /** The `command.completed` events of its own model calls (not its children's). */
  completions: SessionEvent[];
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function secondsBetween(from: string, to: string): number {
  const milliseconds = Date.parse(to) - Date.parse(from);
  return Number.isFinite(milliseconds) && milliseconds > 0 ? milliseconds / 1000 : 0;
}

/** The Managed `stop_reason` of a thread that idles with the session. */
function threadStopReason(sessionStop: string | undefined, pending: string[]): Record<string, unknown> {
  if (pending.length > 0) return { type: 'requires_action', event_ids: pending };
  if (sessionStop === 'retries_exhausted') return { type: 'retries_exhausted' };
  if (sessionStop === 'budget_exceeded') return { type: 'budget_reached' };
  return { type: 'end_turn' };
}

/** Model commands end in `generate:N`; a tool call's id is its round's id and `/tool:N`. */
const toolSuffix = /\/tool:\d+$/;

/**
 * Attributes a session's Managed events to its threads and tracks each thread's status. Feed it
 * each conclave event with the Managed events the view made of it, in log order.
 *
 * @example
 * const ledger = new SessionThreadLedger(threadTreeOf(created, { topologyAgent: true }));
 * for (const event of log) send(ledger.attribute(event, view.translate(event)));
 */
export class SessionThreadLedger {
  readonly root: ThreadNode;
  private readonly byKey = new Map<string, ThreadNode>();
  private readonly byId = new Map<string, ThreadNode>();
  private readonly activity = new Map<ThreadNode, ThreadActivity>();
  private readonly slotPaths = new SlotPathIndex();
  /** The thread of each command seen (model, tool, nested slot call). */
  private readonly commandThreads = new Map<string, ThreadNode>();
  /** Commands started and not yet finished, per thread. */
  private readonly open = new Map<ThreadNode, Set<string>>();
  /** Model commands that answered with tool calls: their message is a round, not the answer. */
  private readonly toolRounds = new Set<string>();
  /** The thread of each tool use (by its Managed event id), for `requires_action` and answers. */
  private readonly toolUses = new Map<string, ThreadNode>();
  /** Spawned threads by the command id of the `spawn_agent` call that started them. */
  private readonly spawnedBy = new Map<string, ThreadNode>();
  /** `session.thread_created` events of threads placed while reading the current event. */
  private created: ManagedEvent[] = [];

  constructor(root: ThreadNode) {
    this.root = root;
    for (const node of threadsOf(root)) {
      this.byKey.set(node.path.join(slotPathSeparator), node);
      this.byId.set(node.id, node);
    }
  }

  /** Whether the session has or may have child threads (a plain agent without a roster has none: nothing to attribute). */
  get hasChildren(): boolean {
    return this.root.children.length > 0 || this.root.spawning !== undefined;
  }

  /** A thread of the session by id. */
  thread(id: string): ThreadNode | undefined {
    return this.byId.get(id);
  }

  /** What the thread has done so far (a thread that never ran: nothing). */
  activityOf(node: ThreadNode): ThreadActivity {
    let activity = this.activity.get(node);
    if (activity === undefined) {
      activity = { running: false, terminated: false, started: false, idled: false, activeSeconds: 0, runningSince: undefined, updatedAt: undefined, completions: [] };
      this.activity.set(node, activity);
    }
    return activity;
  }

  /**
   * The thread a command belongs to, from what the log has said about it so far; undefined for
   * the primary thread (the grader, anything outside the document's slots).
   *
   * @example
   * ledger.threadOfCommand('debate/round:1/agent:0/generate:0') // → the optimist's thread
   */
  threadOfCommand(commandId: string): ThreadNode | undefined {
    const known = this.commandThreads.get(commandId);
    if (known !== undefined) return known;
    return toolSuffix.test(commandId) ? this.commandThreads.get(commandId.replace(toolSuffix, '')) : undefined;
  }

  /**
   * Observes one conclave event and returns the Managed events made of it, each child thread's
   * tagged with `session_thread_id`, with the thread status events it causes around them.
   */
  attribute(event: SessionEvent, outputs: ManagedEvent[]): ManagedEvent[] {
    if (!this.hasChildren) return outputs;
    this.slotPaths.observe(event);
    const before: ManagedEvent[] = [];
    const after: ManagedEvent[] = [];
    /** Status events that go before the last output (the session's own idle or end). */
    let closing: ManagedEvent[] = [];
    const data = event.data;
    switch (event.type) {
      case 'command.started': {
        const commandId = stringOf(data['commandId']) ?? '';
        const thread = this.commandThreads.get(commandId) ?? this.placeCommand(commandId, data, event);
        before.push(...this.created);
        this.created = [];
        if (thread !== undefined) {
          this.openSet(thread).add(commandId);
          before.push(...this.startRunning(thread, event));
        }
        break;
      }
      case 'command.completed': {
        const commandId = stringOf(data['commandId']) ?? '';
        // The spawn_agent call that started a child has ended (on whichever thread made it, the primary too).
        const child = this.spawnedBy.get(commandId);
        if (child !== undefined) after.push(...this.goIdle(child, event, { type: 'end_turn' }));
        const thread = this.threadOfCommand(commandId);
        if (thread === undefined) break;
        this.openSet(thread).delete(commandId);
        if (data['kind'] === 'model.generate') {
          this.activityOf(thread).completions.push(event);
          const toolCalls = recordOf(data['output'])?.['toolCalls'];
          if (Array.isArray(toolCalls) && toolCalls.length > 0) this.toolRounds.add(commandId);
        }
        break;
      }
      case 'command.failed': {
        const commandId = stringOf(data['commandId']) ?? '';
        if (data['willRetry'] === true) break;
        const child = this.spawnedBy.get(commandId);
        if (child !== undefined) after.push(...this.goIdle(child, event, { type: 'retries_exhausted' }));
        const thread = this.threadOfCommand(commandId);
        if (thread !== undefined) this.openSet(thread).delete(commandId);
        break;
      }
      case 'agent.message': {
        const commandId = stringOf(data['commandId']) ?? '';
        if (recordOf(data['nested']) !== undefined) {
          const thread = this.placeNestedResult(commandId, data);
          if (thread !== undefined) after.push(...this.goIdle(thread, event, { type: 'end_turn' }));
        } else {
          const thread = this.threadOfCommand(commandId);
          // A spawned thread idles when the tool call that started it ends (a spawned topology speaks several times).
          if (thread !== undefined && thread.spawn === undefined && !this.toolRounds.has(commandId) && this.openSet(thread).size === 0) after.push(...this.goIdle(thread, event, { type: 'end_turn' }));
        }
        break;
      }
      case 'agent.skipped': {
        const commandId = stringOf(data['commandId']);
        const thread = commandId === undefined ? undefined : this.threadOfCommand(commandId);
        if (thread !== undefined && this.openSet(thread).size === 0) after.push(...this.goIdle(thread, event, { type: 'retries_exhausted' }));
        break;
      }
      case 'session.status_running':
        // A turn that resumes a waiting call (a confirmed tool) runs its thread again.
        for (const thread of threadsOf(this.root)) {
          if (thread !== this.root && (this.open.get(thread)?.size ?? 0) > 0) after.push(...this.startRunning(thread, event));
        }
        break;
      case 'session.status_idle': {
        const pending = Array.isArray(data['eventIds']) ? data['eventIds'].filter((id): id is string => typeof id === 'string') : [];
        for (const thread of this.runningThreads()) {
          const own = pending.filter((id) => this.toolUses.get(id) === thread);
          closing.push(...this.goIdle(thread, event, threadStopReason(stringOf(data['stopReason']), own)));
        }
        break;
      }
      case 'session.status_terminated':
      case 'session.deleted':
        closing = this.terminateAll(event);
        break;
      default:
        break;
    }
    const tagged = outputs.map((output) => this.tag(output));
    if (closing.length > 0 && tagged.length > 0) tagged.splice(tagged.length - 1, 0, ...closing);
    else tagged.push(...closing);
    return [...before, ...tagged, ...after];
  }

  private openSet(thread: ThreadNode): Set<string> {
    let set = this.open.get(thread);
    if (set === undefined) {
      set = new Set();
      this.open.set(thread, set);
    }
    return set;
  }

  /** Finds and remembers the thread of a command at its first start. */
  private placeCommand(commandId: string, data: Record<string, unknown>, event: SessionEvent): ThreadNode | undefined {
    let thread: ThreadNode | undefined;
    const spawn = spawnOf(commandId);
    if (spawn !== undefined) {
      thread = this.spawnedBy.get(spawn.toolCommandId) ?? this.createSpawned(spawn, event);
    } else if (data['kind'] === 'model.generate') {
      const step = recordOf(data['step']);
      // The grader of an outcome is the session's, not an agent's.
      if (step?.['topology'] === 'outcome') return undefined;
      const agent = stringOf(recordOf(data['input'])?.['agent']) ?? stringOf(data['agent']) ?? stringOf(step?.['agent']);
      if (agent !== undefined) thread = this.byKey.get(this.slotPaths.of(commandId, agent));
    } else if (toolSuffix.test(commandId)) {
      thread = this.commandThreads.get(commandId.replace(toolSuffix, ''));
    }
    if (thread !== undefined && thread !== this.root) this.commandThreads.set(commandId, thread);
    return thread === this.root ? undefined : thread;
  }

  /** A thread for the child a `spawn_agent` call started, with its `session.thread_created` event. */
  private createSpawned(spawn: { toolCommandId: string; name: string }, event: SessionEvent): ThreadNode {
    const parent = this.threadOfCommand(spawn.toolCommandId) ?? this.root;
    const thread = spawnedThread(event.sessionId, parent, spawn, event.at);
    this.byId.set(thread.id, thread);
    this.spawnedBy.set(spawn.toolCommandId, thread);
    this.created.push({
      id: `${event.id}_thread_created_${thread.id}`,
      type: 'session.thread_created',
      processed_at: event.at,
      agent_name: thread.name,
      session_thread_id: thread.id,
      workflow_run_id: null,
      conclave: { seq: event.seq, slot: thread.path.join(slotPathSeparator), parent_thread_id: parent.id },
    });
    return thread;
  }

  /** The thread of a nested slot's result: its step's slots and its agent (or, in older logs, its call path's). */
  private placeNestedResult(commandId: string, data: Record<string, unknown>): ThreadNode | undefined {
    const agent = stringOf(data['agent']);
    if (agent === undefined) return undefined;
    const slots = recordOf(data['step'])?.['slots'];
    const key = Array.isArray(slots)
      ? [...slots, agent].join(slotPathSeparator)
      : this.slotPaths.of(commandId.includes('/') ? commandId.slice(0, commandId.lastIndexOf('/')) : commandId, agent);
    const thread = this.byKey.get(key);
    if (thread !== undefined && thread !== this.root) this.commandThreads.set(commandId, thread);
    return thread === this.root ? undefined : thread;
  }

  /** The status events of a thread (and of the nested slots around it) that begin running now. */
  private startRunning(thread: ThreadNode, source: SessionEvent): ManagedEvent[] {
    const out: ManagedEvent[] = [];
    const chain: ThreadNode[] = [];
    for (let node: ThreadNode | undefined = thread; node !== undefined && node !== this.root; node = node.parent) chain.unshift(node);
    for (const node of chain) {
      const activity = this.activityOf(node);
      activity.updatedAt = source.at;
      if (activity.running) continue;
      activity.running = true;
      activity.started = true;
      activity.terminated = false;
      activity.runningSince = source.at;
      out.push(statusEvent(source, 'session.thread_status_running', node));
    }
    return out;
  }

  private goIdle(thread: ThreadNode, source: SessionEvent, stopReason: Record<string, unknown>): ManagedEvent[] {
    const activity = this.activityOf(thread);
    if (!activity.running) return [];
    activity.running = false;
    activity.idled = true;
    activity.updatedAt = source.at;
    if (activity.runningSince !== undefined) activity.activeSeconds += secondsBetween(activity.runningSince, source.at);
    activity.runningSince = undefined;
    return [statusEvent(source, 'session.thread_status_idle', thread, { stop_reason: stopReason, stop_details: null })];
  }

  /** Running threads, innermost first (a nested slot idles after its agents). */
  private runningThreads(): ThreadNode[] {
    return threadsOf(this.root)
      .filter((node) => node !== this.root && this.activityOf(node).running)
      .reverse();
  }

  private terminateAll(source: SessionEvent): ManagedEvent[] {
    const out: ManagedEvent[] = [];
    for (const node of threadsOf(this.root).reverse()) {
      if (node === this.root) continue;
      const activity = this.activityOf(node);
      if (!activity.started || activity.terminated) continue;
      if (activity.running && activity.runningSince !== undefined) activity.activeSeconds += secondsBetween(activity.runningSince, source.at);
      activity.running = false;
      activity.runningSince = undefined;
      activity.terminated = true;
      activity.updatedAt = source.at;
      out.push(statusEvent(source, 'session.thread_status_terminated', node));
    }
    return out;
  }

  /** Puts `session_thread_id` on an event of a child thread (before `conclave`, which stays last). */
  private tag(output: ManagedEvent): ManagedEvent {
    const thread = this.threadOfOutput(output);
    if (thread === undefined) return output;
    this.activityOf(thread).updatedAt = output.processed_at;
    if (output.type === 'agent.tool_use' || output.type === 'agent.custom_tool_use' || output.type === 'agent.mcp_tool_use') this.toolUses.set(output.id, thread);
    const { conclave, ...fields } = output;
    return { ...fields, session_thread_id: thread.id, conclave };
  }

  private threadOfOutput(output: ManagedEvent): ThreadNode | undefined {
    // What the user sends is the user's, on the primary thread: only a client sets its `session_thread_id`.
    if (output.type.startsWith('user.') || output.type.startsWith('session.status_') || output.type === 'session.deleted') return undefined;
    if (output.type.startsWith('session.thread_')) return undefined;
    if (output.conclave['final'] === true) return undefined;
    const commandId = stringOf(output.conclave['commandId']);
    return commandId === undefined ? undefined : this.threadOfCommand(commandId);
  }
}

function statusEvent(source: SessionEvent, type: string, thread: ThreadNode, fields: Record<string, unknown> = {}): ManagedEvent {
  // One conclave event may change several threads: the thread's id keeps each status event's id apart.
  return {
    id: `${source.id}_${type.slice('session.thread_status_'.length)}_${thread.id}`,
    type,
    processed_at: source.at,
    agent_name: thread.name,
    session_thread_id: thread.id,
    ...fields,
    conclave: { seq: source.seq, slot: thread.path.join(slotPathSeparator) },
  };
}
