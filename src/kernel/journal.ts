/**
 * What a session's log says has already happened, indexed for replay: which commands completed
 * (answered from here instead of calling the provider again), which step events are written, and
 * whether the topology finished. Built once from the log when a session is run or resumed.
 */
import type {
  CommandCompletedData,
  SessionCreatedData,
  SessionEvent,
  TopologyCompletedData,
} from '../protocol/index.js';

export class Journal {
  readonly completed = new Map<string, CommandCompletedData>();
  /** Sequence number of each command's `command.completed`: the order calls finished in. */
  readonly completedSeq = new Map<string, number>();
  /** Commands whose `topology.step` is already in the log. */
  readonly stepped = new Set<string>();
  /** Calls whose `agent.message` is in the log (nested topology results are written once). */
  readonly messaged = new Set<string>();
  /** How many times each command was started (by attempt), for diagnostics. */
  readonly startedCount = new Map<string, number>();
  created: SessionCreatedData | undefined;
  topologyCompleted: TopologyCompletedData | undefined;
  lastSeq = 0;

  /**
   * Indexes a session's events.
   *
   * @example
   * const journal = Journal.from(await store.read(sessionId));
   * journal.completed.has('debate/round:1/agent:0/generate:0');
   */
  static from(events: readonly SessionEvent[]): Journal {
    const journal = new Journal();
    for (const event of events) journal.add(event);
    return journal;
  }

  /** Adds one event to the index. */
  add(event: SessionEvent): void {
    this.lastSeq = event.seq;
    const data = event.data;
    switch (event.type) {
      case 'session.created':
        this.created = data as SessionCreatedData;
        break;
      case 'command.started': {
        const commandId = data['commandId'] as string;
        this.startedCount.set(commandId, (this.startedCount.get(commandId) ?? 0) + 1);
        if (data['step'] !== undefined) this.stepped.add(commandId);
        break;
      }
      case 'topology.step':
        if (typeof data['commandId'] === 'string') this.stepped.add(data['commandId']);
        break;
      case 'command.completed':
        this.completed.set(data['commandId'] as string, data as CommandCompletedData);
        this.completedSeq.set(data['commandId'] as string, event.seq);
        break;
      case 'agent.message':
        this.messaged.add(data['commandId'] as string);
        break;
      case 'topology.completed':
        this.topologyCompleted = data as TopologyCompletedData;
        break;
      default:
        break;
    }
  }
}
