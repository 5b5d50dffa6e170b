/**
 * What a session's log says has already happened, indexed for replay: which commands completed
 * (answered from here instead of calling the provider again), which step events are written, which
 * turns ran and finished, and which user messages are still waiting (steering or the next turn).
 * Built from the log when a session is run or resumed, then kept current as events are stored.
 */
import type {
  CommandCompletedData,
  SessionCreatedData,
  SessionEvent,
  SteeringDeliveredData,
  TopologyCompletedData,
  TurnStartedData,
  UserMessageData,
} from '../protocol/index.js';

/** One run of the topology on one task. */
export interface TurnRecord {
  turn: number;
  task: string;
  /** The topology's result, once the turn finished. */
  completed?: TopologyCompletedData;
}

/** A user message as the journal keeps it. */
export interface JournaledMessage {
  seq: number;
  text: string;
}

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
  /** Turns in order; the first is implied by a `session.created` with a task. */
  readonly turns: TurnRecord[] = [];
  /** Every user message, by seq. */
  readonly messages = new Map<number, JournaledMessage>();
  /** Messages already used: as a turn's task, as steering, or dropped by an interrupt. */
  readonly consumed = new Set<number>();
  /** Steering texts handed to each model command. */
  readonly deliveries = new Map<string, string[]>();
  created: SessionCreatedData | undefined;
  /** The last turn's result (the session's answer). */
  topologyCompleted: TopologyCompletedData | undefined;
  lastSeq = 0;
  /** Sequence number of the last `user.interrupt`, 0 if none. */
  lastInterruptSeq = 0;
  deleted = false;

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

  /** The turn that has started but not finished (interrupted, failed or still running), if any. */
  get openTurn(): TurnRecord | undefined {
    const last = this.turns[this.turns.length - 1];
    return last !== undefined && last.completed === undefined ? last : undefined;
  }

  /** Finished turns, oldest first. */
  get completedTurns(): TurnRecord[] {
    return this.turns.filter((turn) => turn.completed !== undefined);
  }

  /**
   * User messages waiting for a turn or a step, oldest first: not yet used, and sent after the last
   * interrupt (an interrupt drops what was queued before it).
   */
  pendingMessages(): JournaledMessage[] {
    const pending: JournaledMessage[] = [];
    for (const message of this.messages.values()) {
      if (message.seq > this.lastInterruptSeq && !this.consumed.has(message.seq)) pending.push(message);
    }
    return pending;
  }

  /** Adds one event to the index. Events must come in seq order; an event seen before is ignored. */
  add(event: SessionEvent): void {
    if (event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    const data = event.data;
    switch (event.type) {
      case 'session.created':
        this.created = data as SessionCreatedData;
        if (typeof this.created.task === 'string' && this.created.task !== '') this.turns.push({ turn: 1, task: this.created.task });
        break;
      case 'user.message':
        this.messages.set(event.seq, { seq: event.seq, text: (data as UserMessageData).text });
        break;
      case 'user.interrupt':
        this.lastInterruptSeq = event.seq;
        break;
      case 'turn.started': {
        const started = data as TurnStartedData;
        this.turns.push({ turn: started.turn, task: started.task });
        for (const seq of started.messageSeqs) this.consumed.add(seq);
        break;
      }
      case 'steering.delivered': {
        const delivered = data as SteeringDeliveredData;
        for (const seq of delivered.messageSeqs) this.consumed.add(seq);
        const texts = delivered.messageSeqs.map((seq) => this.messages.get(seq)?.text ?? '');
        for (const commandId of delivered.commandIds) this.deliveries.set(commandId, texts);
        break;
      }
      case 'session.deleted':
        this.deleted = true;
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
      case 'topology.completed': {
        this.topologyCompleted = data as TopologyCompletedData;
        const open = this.openTurn;
        if (open !== undefined) open.completed = this.topologyCompleted;
        break;
      }
      default:
        break;
    }
  }
}
