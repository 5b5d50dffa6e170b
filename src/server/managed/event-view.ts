/**
 * The Managed Agents view over a conclave session log. conclave keeps one log per session and the
 * Managed-Agents-compatible API stores nothing of its own: it translates the log on every read, so
 * the listed history and the live stream come from the same translator and agree on ids and order
 * (SDK clients open the stream, list history, and dedupe by id). Every output carries a non-standard
 * `conclave` object — `seq` of the event it was translated from, plus details — which the SDK ignores
 * and our own clients use to correlate; `seq` plus the index within that seq is a stable cursor.
 */
import type { ConclaveErrorJSON } from '../../protocol/errors.js';
import type { SessionEvent } from '../../protocol/events.js';
import { builtinToolsetNames } from './agent-tools.js';
import { deltaEventId } from './managed-deltas.js';
import { completionEnd, defined, managed, managedErrorType, spanEnd, stringOf, type PendingCompletion } from './managed-event-parts.js';
import { OutcomeEventView } from './managed-outcome-events.js';
import { modelUsageOf, recordOf, zeroUsage } from './managed-session-summary.js';
import { SessionThreadLedger, threadTreeOf } from './thread-ledger.js';

export { createDeltaStreamState, deltaEventId, deltaEvents, type DeltaStreamState } from './managed-deltas.js';
export {
  managedStatusOf,
  sessionStatsFrom,
  sessionUsageFrom,
  type ManagedSessionStats,
  type ManagedSessionStatus,
  type ManagedSessionUsage,
} from './managed-session-summary.js';

/** The non-standard correlation fields every translated event carries. */
export interface ManagedEventConclave {
  [key: string]: unknown;
  /** `seq` of the conclave event this one was translated from. */
  seq: number;
}

/** One event as the Managed Agents API lists and streams it. */
export interface ManagedEvent {
  [key: string]: unknown;
  id: string;
  type: string;
  processed_at: string;
  conclave: ManagedEventConclave;
}

/** Stream-only events, sent to connections that asked for `event_deltas[]`; never listed. */
export type ManagedDeltaEvent =
  | { type: 'event_start'; event: { id: string; type: 'agent.message' | 'agent.thinking' } }
  | { type: 'event_delta'; event_id: string; delta: { type: 'content_delta'; content: { type: 'text'; text: string } } };

export interface ManagedEventViewOptions {
  /** Whether the session's agent is the topology as a whole: its answer becomes a final `agent.message`. */
  topologyAgent: boolean;
  /** A plain agent's MCP tools by exposed name (`docs__search`): their calls are `agent.mcp_tool_use`. */
  mcpTools?: Record<string, { server: string; tool: string }>;
}

/** The Managed Agents session status values conclave can be in. */
const modelCommandKind = 'model.generate';

/**
 * Translates a conclave session log into Managed Agents events, one conclave event at a time. Feed
 * it every event of one log in order; it keeps what later events refer back to (the start of each
 * model span, completions waiting for their message). The output for an event depends only on the
 * events before it, so the live stream and a later listing of the same log always agree.
 *
 * Beyond the documented mapping, a turn's end (`session.status_idle`, `_terminated`, `session.deleted`)
 * first closes spans left open — a completion that got no `agent.message`, or a start with no end
 * after a crash — so every `span.model_request_start` has its `span.model_request_end`.
 *
 * @example
 * const view = new ManagedEventView({ topologyAgent: false });
 * for (const event of await store.read(sessionId)) for (const out of view.translate(event)) send(out);
 */
export class ManagedEventView {
  private readonly topologyAgent: boolean;
  /** Open model spans by command id: the id of their `span.model_request_start`. */
  private readonly openSpans = new Map<string, string>();
  private readonly completions = new Map<string, PendingCompletion>();
  /** `command.started` events seen per command id: the attempt number live deltas carry. */
  private readonly starts = new Map<string, number>();
  /** The `agent.tool_use` event id of each tool command, which its `agent.tool_result` names. */
  private readonly toolUses = new Map<string, string>();
  /** Tool commands run by the client: their result is the client's own `user.custom_tool_result`. */
  private readonly clientTools = new Set<string>();
  private readonly mcpTools: Record<string, { server: string; tool: string }>;
  /** Tool commands of MCP tools: their result is an `agent.mcp_tool_result`. */
  private readonly mcpCommands = new Set<string>();
  private readonly outcomes = new OutcomeEventView();
  /** The session's threads (from its `session.created`): who said what, and each thread's status. */
  private ledger: SessionThreadLedger | undefined;

  constructor(options: ManagedEventViewOptions) {
    this.topologyAgent = options.topologyAgent;
    this.mcpTools = options.mcpTools ?? {};
  }

  /**
   * The Managed Agents events for the next conclave event of the log (often none, sometimes two).
   *
   * @example
   * view.translate(statusIdleEvent) // → [{ id, type: 'session.status_idle', stop_reason: { type: 'end_turn' }, … }]
   */
  translate(event: SessionEvent): ManagedEvent[] {
    if (event.type === 'session.created') this.ledger = new SessionThreadLedger(threadTreeOf(event, { topologyAgent: this.topologyAgent }));
    const out = this.translateOne(event);
    // A topology agent's agents are threads: their events carry `session_thread_id` (see thread-ledger.ts).
    return this.ledger === undefined ? out : this.ledger.attribute(event, out);
  }

  /** The session's threads, once the view has seen its `session.created`. */
  get threads(): SessionThreadLedger | undefined {
    return this.ledger;
  }

  private translateOne(event: SessionEvent): ManagedEvent[] {
    // Outcomes first (managed-outcome-events.ts): their own events, and grading spans a turn's end closes.
    const outcome = this.outcomes.translate(event);
    return outcome.handled ? outcome.events : [...outcome.events, ...this.translateLogEvent(event)];
  }

  private translateLogEvent(event: SessionEvent): ManagedEvent[] {
    const data = event.data;
    switch (event.type) {
      case 'user.message': {
        const content = Array.isArray(data.content) ? data.content : [{ type: 'text', text: stringOf(data.text) ?? '' }];
        return [managed(event, 'user.message', { content })];
      }
      case 'user.interrupt': {
        const thread = stringOf(data.session_thread_id);
        return [managed(event, 'user.interrupt', thread === undefined ? {} : { session_thread_id: thread }, { reason: stringOf(data.reason) })];
      }
      case 'session.status_running':
        return [managed(event, 'session.status_running')];
      case 'session.status_idle':
        return [...this.closeOpenSpans(event), this.statusIdle(event)];
      case 'session.status_terminated':
      case 'session.deleted':
        return [...this.closeOpenSpans(event), managed(event, event.type)];
      case 'session.error':
        return [this.sessionError(event)];
      case 'command.started':
        this.starts.set(stringOf(data.commandId) ?? '', (this.starts.get(stringOf(data.commandId) ?? '') ?? 0) + 1);
        return this.commandStarted(event);
      case 'command.completed':
        this.commandCompleted(event);
        return [];
      case 'command.failed':
        return this.commandFailed(event);
      case 'agent.message':
        return this.agentMessage(event);
      case 'topology.completed':
        return this.topologyAgent ? [this.finalMessage(event)] : [];
      case 'agent.tool_use':
      case 'agent.custom_tool_use':
        return [this.toolUse(event)];
      case 'agent.tool_result':
        return this.toolResult(event);
      case 'user.tool_confirmation':
        return [
          managed(event, 'user.tool_confirmation', defined({ tool_use_id: stringOf(data.toolUseId), result: stringOf(data.result), deny_message: stringOf(data.denyMessage) })),
        ];
      case 'user.custom_tool_result':
        return [
          managed(event, 'user.custom_tool_result', {
            custom_tool_use_id: stringOf(data.customToolUseId),
            content: [{ type: 'text', text: stringOf(data.content) ?? '' }],
            is_error: data.isError === true,
          }),
        ];
      default:
        return [];
    }
  }

  private statusIdle(event: SessionEvent): ManagedEvent {
    const stopReason = stringOf(event.data.stopReason) ?? 'end_turn';
    const eventIds = Array.isArray(event.data.eventIds) ? event.data.eventIds.filter((id): id is string => typeof id === 'string') : [];
    // A conclave budget stop is the Managed Agents `budget_reached`.
    const type = stopReason === 'retries_exhausted' || stopReason === 'requires_action' ? stopReason : stopReason === 'budget_exceeded' ? 'budget_reached' : 'end_turn';
    return managed(
      event,
      'session.status_idle',
      { stop_reason: type === 'requires_action' ? { type, event_ids: eventIds } : { type }, stop_details: null },
      { stop_reason: stopReason, reason: stringOf(event.data.reason) },
    );
  }

  /**
   * A tool call: `agent.tool_use` (run by the session, asking first when its permission is `ask`) or
   * `agent.custom_tool_use` (run by the client). A plain agent's built-in tools carry their agent
   * toolset names (`read`, not `read_file`), as the agent declared them.
   */
  private toolUse(event: SessionEvent): ManagedEvent {
    const data = event.data;
    const commandId = stringOf(data.commandId) ?? '';
    const tool = stringOf(data.tool) ?? '';
    this.toolUses.set(commandId, event.id);
    const conclave = { commandId, agent: data.agent, tool, toolCallId: data.toolCallId };
    if (event.type === 'agent.custom_tool_use') {
      this.clientTools.add(commandId);
      return managed(event, 'agent.custom_tool_use', { name: tool, input: data.input ?? {} }, conclave);
    }
    const ask = data.permission === 'ask';
    const permission = { evaluated_permission: ask ? 'ask' : 'allow', evaluation: { type: ask ? 'always_ask' : 'always_allow' } };
    const mcp = Object.hasOwn(this.mcpTools, tool) ? this.mcpTools[tool] : undefined;
    if (mcp !== undefined) {
      this.mcpCommands.add(commandId);
      return managed(event, 'agent.mcp_tool_use', { name: mcp.tool, mcp_server_name: mcp.server, input: data.input ?? {}, ...permission }, conclave);
    }
    const name = this.topologyAgent ? tool : (builtinToolsetNames[tool] ?? tool);
    return managed(
      event,
      'agent.tool_use',
      { name, input: data.input ?? {}, ...permission },
      conclave,
    );
  }

  private toolResult(event: SessionEvent): ManagedEvent[] {
    const commandId = stringOf(event.data.commandId) ?? '';
    if (this.clientTools.has(commandId)) return [];
    const output = stringOf(event.data.output) ?? '';
    if (this.mcpCommands.has(commandId)) {
      return [
        managed(
          event,
          'agent.mcp_tool_result',
          { mcp_tool_use_id: this.toolUses.get(commandId) ?? event.id, content: [{ type: 'text', text: output }], is_error: event.data.isError === true },
          { commandId, agent: event.data.agent, tool: event.data.tool },
        ),
      ];
    }
    return [
      managed(
        event,
        'agent.tool_result',
        { tool_use_id: this.toolUses.get(commandId) ?? event.id, content: [{ type: 'text', text: output }], is_error: event.data.isError === true },
        { commandId, agent: event.data.agent, tool: event.data.tool },
      ),
    ];
  }

  private sessionError(event: SessionEvent): ManagedEvent {
    const error = (recordOf(event.data.error) ?? {}) as Partial<ConclaveErrorJSON>;
    return managed(
      event,
      'session.error',
      {
        error: {
          type: managedErrorType(error, 'unknown_error'),
          message: stringOf(error.message) ?? '',
          retry_status: { type: error.code === 'agent_failed' ? 'exhausted' : 'terminal' },
        },
      },
      { code: error.code, hint: error.hint },
    );
  }

  private commandStarted(event: SessionEvent): ManagedEvent[] {
    if (event.data.kind !== modelCommandKind) return [];
    const commandId = stringOf(event.data.commandId) ?? '';
    // A start while the previous attempt is still open means that attempt died with its process.
    const out = this.closeSpan(event, commandId);
    this.openSpans.set(commandId, event.id);
    const input = recordOf(event.data.input) ?? {};
    const step = recordOf(event.data.step);
    out.push(managed(event, 'span.model_request_start', {}, { commandId, attempt: event.data.attempt, agent: input.agent, model: input.model, step }));
    return out;
  }

  private commandCompleted(event: SessionEvent): void {
    if (event.data.kind !== modelCommandKind) return;
    const commandId = stringOf(event.data.commandId) ?? '';
    const startId = this.openSpans.get(commandId);
    this.openSpans.delete(commandId);
    const output = recordOf(event.data.output);
    this.completions.set(commandId, {
      eventId: event.id,
      calledTools: Array.isArray(output?.toolCalls) && output.toolCalls.length > 0,
      startId,
      usage: modelUsageOf(event.data.usage),
      details: { commandId, agent: event.data.agent, model: event.data.model, latencyMs: event.data.latencyMs, cost: event.data.cost },
    });
  }

  private commandFailed(event: SessionEvent): ManagedEvent[] {
    if (event.data.kind !== modelCommandKind) return [];
    const commandId = stringOf(event.data.commandId) ?? '';
    const error = (recordOf(event.data.error) ?? {}) as Partial<ConclaveErrorJSON>;
    const startId = this.openSpans.get(commandId);
    this.openSpans.delete(commandId);
    const details = { commandId, attempt: event.data.attempt, code: error.code, model: event.data.model };
    const out: ManagedEvent[] = [];
    if (startId !== undefined) out.push(spanEnd(event, event.id, startId, true, zeroUsage, details));
    if (event.data.willRetry === true) {
      const retry = { retryInMs: event.data.retryInMs, fallbackTo: event.data.fallbackTo };
      out.push(
        managed(
          event,
          'session.error',
          { error: { type: managedErrorType(error, 'model_request_failed_error'), message: stringOf(error.message) ?? '', retry_status: { type: 'retrying' } } },
          { ...details, ...retry },
          // One conclave event, two outputs: the error needs an id of its own, derived so it is stable.
          `${event.id}_error`,
        ),
      );
    }
    return out;
  }

  private agentMessage(event: SessionEvent): ManagedEvent[] {
    const commandId = stringOf(event.data.commandId);
    const nested = recordOf(event.data.nested);
    // A model's message was streamed (`event_start`) under an id derived from its command and
    // attempt before this event existed; it keeps that id. Nested topology answers were not streamed.
    const attempts = commandId === undefined || nested !== undefined ? undefined : this.starts.get(commandId);
    const message = managed(
      event,
      'agent.message',
      { content: [{ type: 'text', text: stringOf(event.data.text) ?? '' }] },
      { agent: event.data.agent, commandId, step: recordOf(event.data.step), nested },
      attempts === undefined || commandId === undefined ? event.id : deltaEventId(event.sessionId, commandId, 'text', attempts),
    );
    if (nested !== undefined || commandId === undefined) return [message];
    const completion = this.completions.get(commandId);
    if (completion === undefined) return [message];
    this.completions.delete(commandId);
    // A tool round with nothing to say: its tool uses are what the client sees, not an empty message.
    if (completion.calledTools && (stringOf(event.data.text) ?? '') === '') return [completionEnd(event, completion)];
    return [message, completionEnd(event, completion)];
  }

  private finalMessage(event: SessionEvent): ManagedEvent {
    return managed(
      event,
      'agent.message',
      { content: [{ type: 'text', text: stringOf(event.data.answer) ?? '' }] },
      { final: true, topology: event.data.topology, turn: event.data.turn, reason: event.data.reason, aggregation: event.data.aggregation },
    );
  }

  /** Ends the open span of one command as failed (its attempt never reported back). */
  private closeSpan(event: SessionEvent, commandId: string): ManagedEvent[] {
    const startId = this.openSpans.get(commandId);
    if (startId === undefined) return [];
    this.openSpans.delete(commandId);
    return [spanEnd(event, `${startId}_end`, startId, true, zeroUsage, { commandId, abandoned: true })];
  }

  private closeOpenSpans(event: SessionEvent): ManagedEvent[] {
    const out: ManagedEvent[] = [];
    for (const completion of this.completions.values()) out.push(completionEnd(event, completion));
    this.completions.clear();
    for (const commandId of [...this.openSpans.keys()]) out.push(...this.closeSpan(event, commandId));
    return out;
  }
}

/**
 * Translates a whole log at once.
 *
 * @example
 * toManagedEvents(await store.read(sessionId), { topologyAgent: true }).map((event) => event.type)
 * // → ['user.message', 'session.status_running', 'span.model_request_start', 'agent.message', …]
 */
export function toManagedEvents(events: readonly SessionEvent[], options: ManagedEventViewOptions): ManagedEvent[] {
  const view = new ManagedEventView(options);
  return events.flatMap((event) => view.translate(event));
}

