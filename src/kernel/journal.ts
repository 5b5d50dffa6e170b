/**
 * What a session's log says has already happened, indexed for replay: which commands completed
 * (answered from here instead of calling the provider again), which commands' steps are written
 * (on their first `command.started`, or in a legacy `topology.step`) and what they were, which
 * turns ran and finished, which user messages are still waiting (steering or the next turn), and
 * which tool calls wait for a person or a client (`requires_action`) and what they were answered.
 * Built from the log when a session is run or resumed, then kept current as events are stored.
 */
import type {
  AgentSkippedData,
  AgentToolUseData,
  CommandCompletedData,
  CommandStartedData,
  ContextFittedData,
  DefinedOutcome,
  SessionCreatedData,
  SessionEvent,
  StepInfo,
  SteeringDeliveredData,
  TopologyCompletedData,
  TurnStartedData,
  UserCustomToolResultData,
  UserMessageData,
  UserToolConfirmationData,
} from '../protocol/index.js';
import { outcomeSchema } from '../protocol/index.js';

/**
 * A tool call that waits for an answer: an `agent.tool_use` asking permission (`confirmation`) or
 * an `agent.custom_tool_use` (`custom_result`). `eventId` is the id answers name.
 */
export interface WaitingToolUse {
  eventId: string;
  seq: number;
  kind: 'confirmation' | 'custom_result';
  commandId: string;
  agent: string;
  toolCallId: string;
  tool: string;
  input: unknown;
}

/** An answer to a waiting tool call, as journaled. */
export type ToolUseAnswer =
  | { kind: 'confirmation'; allow: boolean; denyMessage?: string }
  | { kind: 'custom_result'; content: string; isError: boolean };

/** One run of the topology on one task. */
export interface TurnRecord {
  turn: number;
  task: string;
  /** The topology's result, once the turn finished. */
  completed?: TopologyCompletedData;
  /** The outcome a message of this turn defined (its task, or steering after an interrupt): graded instead of the document's. */
  outcome?: DefinedOutcome;
  /** An interrupt stopped the turn while its defined outcome was unmet: the outcome ended there, ungraded. */
  outcomeInterrupted?: boolean;
}

/** A user message as the journal keeps it. */
export interface JournaledMessage {
  seq: number;
  text: string;
  /** The outcome the message defines (`user.message` data `outcome`). */
  outcome?: DefinedOutcome;
}

/** Input that continues a session, and its going idle: an interrupt journaled before the latest of these is spent. */
const continuing = new Set(['session.status_idle', 'user.message', 'user.tool_confirmation', 'user.custom_tool_result']);

export class Journal {
  readonly completed = new Map<string, CommandCompletedData>();
  /** Sequence number of each command's `command.completed`: the order calls finished in. */
  readonly completedSeq = new Map<string, number>();
  /**
   * The step of each command whose step is already in the log: on its first `command.started`, or
   * (logs written before the step moved there) in a legacy `topology.step` event. The dispatcher
   * writes a command's step only when it is not here.
   */
  readonly stepped = new Map<string, StepInfo>();
  /** Calls whose `agent.message` is in the log (nested topology results are written once). */
  readonly messaged = new Set<string>();
  /** Agent calls skipped under `on_agent_error: skip`, by the call's full path: replay answers them from here. */
  readonly skipped = new Map<string, AgentSkippedData>();
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
  /** How each model command was fitted into its agent's context window (`context.truncated`/`summarized`), first record kept. */
  readonly contextFitted = new Map<string, ContextFittedData>();
  /** Outcome gradings journaled: `<commandId>:started` and `<commandId>:completed`. */
  readonly outcomeEvents = new Set<string>();
  /** Tool calls that waited (or wait) for an answer, by command id and by event id. */
  readonly waitingByCommand = new Map<string, WaitingToolUse>();
  readonly waitingByEvent = new Map<string, WaitingToolUse>();
  /** The first answer to each waiting tool call, by the event id it names. */
  readonly toolAnswers = new Map<string, ToolUseAnswer>();
  created: SessionCreatedData | undefined;
  /** The last turn's result (the session's answer). */
  topologyCompleted: TopologyCompletedData | undefined;
  lastSeq = 0;
  /** Sequence number of the last `user.interrupt`, 0 if none. */
  lastInterruptSeq = 0;
  /**
   * Sequence number of the latest input that continues a session (`user.message`, a tool answer) or
   * of its latest `session.status_idle`, 0 if none: where the current turn began, for interrupts.
   */
  lastContinuingSeq = 0;
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

  /**
   * Tool calls still waiting for an answer, oldest first: journaled, not answered, not completed.
   *
   * @example
   * journal.pendingToolUses().map((use) => use.eventId) // → ['evt_…'] while `bash` waits for approval
   */
  pendingToolUses(): WaitingToolUse[] {
    return [...this.waitingByEvent.values()].filter((use) => !this.toolAnswers.has(use.eventId) && !this.completed.has(use.commandId));
  }

  /** The open turn takes the last outcome its new messages define, if any (a new definition replaces an interrupted one). */
  private defineTurnOutcome(messageSeqs: readonly number[]): void {
    const open = this.openTurn;
    const outcome = messageSeqs.map((seq) => this.messages.get(seq)?.outcome).filter((defined) => defined !== undefined).at(-1);
    if (open === undefined || outcome === undefined) return;
    open.outcome = outcome;
    delete open.outcomeInterrupted;
  }

  /** Adds one event to the index. Events must come in seq order; an event seen before is ignored. */
  add(event: SessionEvent): void {
    if (event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    const data = event.data;
    if (continuing.has(event.type)) this.lastContinuingSeq = event.seq;
    switch (event.type) {
      case 'session.created':
        this.created = data as SessionCreatedData;
        if (typeof this.created.task === 'string' && this.created.task !== '') this.turns.push({ turn: 1, task: this.created.task });
        break;
      case 'user.message': {
        const defined = (data as UserMessageData).outcome;
        // Most messages define no outcome; a failed parse builds an error, so `undefined` is not parsed.
        const outcome = defined === undefined ? undefined : outcomeSchema.safeParse(defined);
        this.messages.set(event.seq, { seq: event.seq, text: (data as UserMessageData).text, ...(outcome?.success === true ? { outcome: { eventId: event.id, settings: outcome.data } } : {}) });
        break;
      }
      case 'user.interrupt': {
        this.lastInterruptSeq = event.seq;
        const open = this.openTurn;
        if (open?.outcome !== undefined) open.outcomeInterrupted = true;
        break;
      }
      case 'turn.started': {
        const started = data as TurnStartedData;
        this.turns.push({ turn: started.turn, task: started.task });
        for (const seq of started.messageSeqs) this.consumed.add(seq);
        this.defineTurnOutcome(started.messageSeqs);
        break;
      }
      case 'steering.delivered': {
        const delivered = data as SteeringDeliveredData;
        for (const seq of delivered.messageSeqs) this.consumed.add(seq);
        this.defineTurnOutcome(delivered.messageSeqs);
        const texts = delivered.messageSeqs.map((seq) => this.messages.get(seq)?.text ?? '');
        for (const commandId of delivered.commandIds) this.deliveries.set(commandId, texts);
        break;
      }
      case 'session.deleted':
        this.deleted = true;
        break;
      case 'outcome.evaluation_started':
      case 'outcome.evaluation_completed':
        this.outcomeEvents.add(`${String(data['commandId'])}:${event.type === 'outcome.evaluation_started' ? 'started' : 'completed'}`);
        break;
      case 'context.truncated':
      case 'context.summarized': {
        const fitted = data as ContextFittedData;
        if (!this.contextFitted.has(fitted.commandId)) this.contextFitted.set(fitted.commandId, fitted);
        break;
      }
      case 'agent.tool_use':
      case 'agent.custom_tool_use': {
        const use = data as AgentToolUseData;
        if (event.type === 'agent.tool_use' && use.permission !== 'ask') break;
        const waiting: WaitingToolUse = {
          eventId: event.id,
          seq: event.seq,
          kind: event.type === 'agent.tool_use' ? 'confirmation' : 'custom_result',
          commandId: use.commandId,
          agent: use.agent,
          toolCallId: use.toolCallId,
          tool: use.tool,
          input: use.input,
        };
        // A call issued again after a crash keeps the first event: answers name that one.
        if (!this.waitingByCommand.has(use.commandId)) {
          this.waitingByCommand.set(use.commandId, waiting);
          this.waitingByEvent.set(event.id, waiting);
        }
        break;
      }
      case 'user.tool_confirmation': {
        const answer = data as UserToolConfirmationData;
        if (this.toolAnswers.has(answer.toolUseId)) break;
        this.toolAnswers.set(answer.toolUseId, { kind: 'confirmation', allow: answer.result === 'allow', ...(typeof answer.denyMessage === 'string' ? { denyMessage: answer.denyMessage } : {}) });
        break;
      }
      case 'user.custom_tool_result': {
        const answer = data as UserCustomToolResultData;
        if (this.toolAnswers.has(answer.customToolUseId)) break;
        this.toolAnswers.set(answer.customToolUseId, { kind: 'custom_result', content: String(answer.content), isError: answer.isError === true });
        break;
      }
      case 'command.started': {
        const commandId = data['commandId'] as string;
        this.startedCount.set(commandId, (this.startedCount.get(commandId) ?? 0) + 1);
        const step = (data as CommandStartedData).step;
        if (step !== undefined && !this.stepped.has(commandId)) this.stepped.set(commandId, step);
        break;
      }
      case 'topology.step': {
        // Legacy, read and never written: the step with its command's id beside it.
        const { commandId, ...step } = data;
        if (typeof commandId === 'string' && !this.stepped.has(commandId)) this.stepped.set(commandId, step as StepInfo);
        break;
      }
      case 'command.completed':
        this.completed.set(data['commandId'] as string, data as CommandCompletedData);
        this.completedSeq.set(data['commandId'] as string, event.seq);
        break;
      case 'agent.message':
        this.messaged.add(data['commandId'] as string);
        break;
      case 'agent.skipped': {
        const skipped = data as AgentSkippedData;
        if (!this.skipped.has(skipped.path)) this.skipped.set(skipped.path, skipped);
        break;
      }
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
