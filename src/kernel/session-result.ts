/**
 * The outcome of a session, read off its log: answer, why it stopped, and what it cost — in total,
 * per agent and per provider. Computed from the journal rather than kept in memory, so a resumed
 * session reports the same figures as an uninterrupted one.
 */
import type {
  AgentToolUseData,
  BudgetExceededData,
  CommandCompletedData,
  CommandFailedData,
  ConclaveErrorJSON,
  Cost,
  SessionCreatedData,
  SessionEvent,
  SessionStatus,
  StopReason,
  TopologyCompletedData,
  Usage,
  UserCustomToolResultData,
  UserToolConfirmationData,
} from '../protocol/index.js';
import { SlotPathIndex } from './slot-paths.js';
import { addUsage } from './usage-sum.js';

/** A tool call waiting for an answer, as results and listings show it. */
export interface PendingToolUse {
  /** The id an answer names (`conclave approve SESSION ID`, `user.tool_confirmation.toolUseId`). */
  eventId: string;
  /** `confirmation`: asks a person (approve / deny); `custom_result`: the client runs it (tool-result). */
  kind: 'confirmation' | 'custom_result';
  agent: string;
  tool: string;
  input: unknown;
  commandId: string;
}

export interface SpendLine {
  /** In `byAgent`: the agent's own name (the line's key is its slot path, `red › a` when nested). */
  agent?: string;
  calls: number;
  usage: Usage;
  cost: Cost;
}

export interface SessionResult {
  sessionId: string;
  status: SessionStatus;
  stopReason?: StopReason;
  topology: string;
  task: string;
  seed: number;
  answer?: string;
  /** Termination reason of the topology (`consensus`, `max_rounds`, …). */
  reason?: string;
  aggregation?: string;
  details?: Record<string, unknown>;
  error?: ConclaveErrorJSON;
  usage: Usage;
  cost: Cost;
  /**
   * Spend per agent slot, keyed by the slot's path: the agent's name for the document's own agents,
   * `<slot> › <agent>` inside a nested topology (see `slot-paths.ts`), so two nested slots that
   * share an agent name stay apart. Each line's `agent` is the plain name.
   */
  byAgent: Record<string, SpendLine>;
  byProvider: Record<string, SpendLine>;
  commands: { completed: number; failed: number; retried: number };
  /** Wall time from the first `session.status_running` to the last event. */
  durationMs: number;
  /** True when any answer came from the offline simulator. */
  simulated: boolean;
  /** Turns started so far (each user message while idle starts one). */
  turns: number;
  /** Tool calls waiting for an answer, oldest first (the session is idle with `requires_action`). */
  pendingToolUses: PendingToolUse[];
  /** With stop reason `budget_exceeded`: the limit that stopped the session, spent and max. */
  budgetExceeded?: BudgetExceededData;
  /** With stop reason `budget_exceeded` and no answer: the turn's latest agent message, the answer so far. */
  partialAnswer?: { agent: string; text: string };
}

/**
 * Summarises a session's events.
 *
 * @example
 * const result = summarizeSession(await store.read(sessionId));
 * console.log(result.answer, result.cost.usd);
 */
export function summarizeSession(events: readonly SessionEvent[]): SessionResult {
  const summarizer = new SessionSummarizer();
  for (const event of events) summarizer.observe(event);
  return summarizer.result();
}

/** A completed command's spend, kept until the summary is asked for: its slot path may come later. */
interface CompletedSpend {
  commandId: string;
  agent: string;
  usage: Usage;
  cost: Cost;
}

/**
 * `summarizeSession`, one event at a time: a running session feeds it every event it stores and
 * asks for the result at the end, so it never has to keep its log in memory. What it keeps grows
 * with the session's commands (one small spend record each), not with its events' contents.
 *
 * @example
 * const summarizer = new SessionSummarizer();
 * for (const event of events) summarizer.observe(event);
 * summarizer.result().cost.usd;
 */
export class SessionSummarizer {
  /** The result so far; `byAgent`, `pendingToolUses`, `partialAnswer` and `durationMs` are made by `result()`. */
  private readonly state: SessionResult = {
    sessionId: '',
    status: 'created',
    topology: 'unknown',
    task: '',
    seed: 0,
    usage: { inputTokens: 0, outputTokens: 0 },
    cost: { usd: 0 },
    byAgent: {},
    byProvider: {},
    commands: { completed: 0, failed: 0, retried: 0 },
    durationMs: 0,
    simulated: false,
    turns: 0,
    pendingToolUses: [],
  };
  private seen = false;
  private startedAt: number | undefined;
  private lastAt: string | undefined;
  /** Slot paths of the commands (`byAgent`'s keys), resolved in `result()`: a nested slot's name is journaled after its commands. */
  private readonly slotPaths = new SlotPathIndex();
  private readonly spends: CompletedSpend[] = [];
  /** The current turn's latest agent message: the answer so far when a budget stops the turn. */
  private latest: { agent: string; text: string } | undefined;
  /** Waiting calls by event id, and the event id of each by command (a completion settles it). */
  private readonly waiting = new Map<string, PendingToolUse>();
  private readonly waitingCommands = new Map<string, string>();

  /** Takes in the session's next event (events come in seq order, the first being `session.created`). */
  observe(event: SessionEvent): void {
    const result = this.state;
    if (!this.seen) {
      this.seen = true;
      const created = (event.type === 'session.created' ? event.data : {}) as Partial<SessionCreatedData>;
      result.sessionId = event.sessionId;
      result.topology = created.topology ?? 'unknown';
      result.task = created.task ?? '';
      result.seed = created.seed ?? 0;
      result.turns = typeof created.task === 'string' && created.task !== '' ? 1 : 0;
    }
    this.lastAt = event.at;
    this.slotPaths.observe(event);
    switch (event.type) {
      case 'session.status_running':
        result.status = 'running';
        this.startedAt ??= Date.parse(event.at);
        delete result.stopReason;
        break;
      case 'session.status_idle':
        result.status = 'idle';
        result.stopReason = event.data['stopReason'] as StopReason;
        if (result.stopReason === 'budget_exceeded' && event.data['budget'] !== undefined) result.budgetExceeded = event.data['budget'] as BudgetExceededData;
        else delete result.budgetExceeded;
        break;
      case 'agent.message':
        if (typeof event.data['text'] === 'string' && event.data['text'] !== '') this.latest = { agent: String(event.data['agent']), text: event.data['text'] };
        break;
      case 'session.status_terminated':
        result.status = 'terminated';
        break;
      case 'turn.started':
        // A new turn: the answer and task shown are this turn's.
        result.task = (event.data as { task: string }).task;
        result.turns += 1;
        this.latest = undefined;
        delete result.answer;
        delete result.reason;
        delete result.aggregation;
        delete result.details;
        break;
      case 'session.error':
        result.error = event.data['error'] as ConclaveErrorJSON;
        break;
      case 'command.completed': {
        const completed = event.data as CommandCompletedData;
        this.addCompleted(completed);
        this.waiting.delete(this.waitingCommands.get(completed.commandId) ?? '');
        break;
      }
      case 'agent.tool_use':
      case 'agent.custom_tool_use': {
        const use = event.data as AgentToolUseData;
        if ((event.type === 'agent.tool_use' && use.permission !== 'ask') || this.waitingCommands.has(use.commandId)) break;
        this.waitingCommands.set(use.commandId, event.id);
        this.waiting.set(event.id, { eventId: event.id, kind: event.type === 'agent.tool_use' ? 'confirmation' : 'custom_result', agent: use.agent, tool: use.tool, input: use.input, commandId: use.commandId });
        break;
      }
      case 'user.tool_confirmation':
        this.waiting.delete((event.data as UserToolConfirmationData).toolUseId);
        break;
      case 'user.custom_tool_result':
        this.waiting.delete((event.data as UserCustomToolResultData).customToolUseId);
        break;
      case 'command.failed': {
        const failed = event.data as CommandFailedData;
        result.commands.failed += 1;
        if (failed.willRetry) result.commands.retried += 1;
        break;
      }
      case 'topology.completed': {
        const completed = event.data as TopologyCompletedData;
        result.answer = completed.answer;
        result.reason = completed.reason;
        result.aggregation = completed.aggregation;
        if (completed.details !== undefined) result.details = completed.details;
        delete result.error;
        break;
      }
      default:
        break;
    }
  }

  /** The summary of the events taken in so far: a new object, which later events leave as it is. */
  result(): SessionResult {
    const state = this.state;
    const byProvider: Record<string, SpendLine> = {};
    for (const [key, line] of Object.entries(state.byProvider)) byProvider[key] = { ...line };
    const result: SessionResult = { ...state, commands: { ...state.commands }, byProvider, byAgent: {}, pendingToolUses: [...this.waiting.values()] };
    for (const spend of this.spends) addTo(result.byAgent, this.slotPaths.of(spend.commandId, spend.agent), spend.usage, spend.cost, spend.agent);
    if (result.stopReason === 'budget_exceeded' && result.answer === undefined && this.latest !== undefined) result.partialAnswer = this.latest;
    if (this.startedAt !== undefined && this.lastAt !== undefined) result.durationMs = Math.max(0, Date.parse(this.lastAt) - this.startedAt);
    return result;
  }

  private addCompleted(completed: CommandCompletedData): void {
    const result = this.state;
    result.commands.completed += 1;
    if (completed.usage === undefined) return;
    const cost = completed.cost ?? { usd: 0 };
    if (completed.simulated === true) result.simulated = true;
    addSpend(result, completed.usage, cost);
    const provider = (completed.model ?? 'unknown/').split('/')[0] ?? 'unknown';
    addTo(result.byProvider, provider, completed.usage, cost);
    this.spends.push({ commandId: completed.commandId, agent: completed.agent ?? 'unknown', usage: completed.usage, cost });
  }
}

function addSpend(target: { usage: Usage; cost: Cost }, usage: Usage, cost: Cost): void {
  target.usage = addUsage(target.usage, usage);
  const usd = target.cost.usd + cost.usd;
  target.cost = target.cost.simulated === true || cost.simulated === true ? { usd, simulated: true } : { usd };
}

function addTo(lines: Record<string, SpendLine>, key: string, usage: Usage, cost: Cost, agent?: string): void {
  const line = (lines[key] ??= agent === undefined ? { calls: 0, usage: { inputTokens: 0, outputTokens: 0 }, cost: { usd: 0 } } : { agent, calls: 0, usage: { inputTokens: 0, outputTokens: 0 }, cost: { usd: 0 } });
  line.calls += 1;
  addSpend(line, usage, cost);
}
