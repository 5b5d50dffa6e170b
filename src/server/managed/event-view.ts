/**
 * The Managed Agents view over a conclave session log. conclave keeps one log per session and the
 * Managed-Agents-compatible API stores nothing of its own: it translates the log on every read, so
 * the listed history and the live stream come from the same translator and agree on ids and order
 * (SDK clients open the stream, list history, and dedupe by id). Every output carries a non-standard
 * `conclave` object — `seq` of the event it was translated from, plus details — which the SDK ignores
 * and our own clients use to correlate; `seq` plus the index within that seq is a stable cursor.
 */
import { createHash } from 'node:crypto';
import type { ConclaveErrorJSON } from '../../protocol/errors.js';
import type { SessionEvent, SessionStatus } from '../../protocol/events.js';

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
}

/** The Managed Agents session status values conclave can be in. */
export type ManagedSessionStatus = 'idle' | 'running' | 'terminated';

/** The Managed Agents session `usage` object. */
export interface ManagedSessionUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: 0;
  list_cost: { amount: string; currency: 'USD' } | null;
}

/** The Managed Agents session `stats` object. */
export interface ManagedSessionStats {
  active_seconds: number;
  duration_seconds: number;
}

interface ModelUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** A model call that completed and waits for its `agent.message` before its span ends. */
interface PendingCompletion {
  eventId: string;
  startId: string | undefined;
  usage: ModelUsage;
  details: Record<string, unknown>;
}

const modelCommandKind = 'model.generate';
const zeroUsage: ModelUsage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function numberOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function recordOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Copies the defined entries only, so optional details never show up as `undefined`. */
function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

function managed(source: SessionEvent, type: string, fields: Record<string, unknown> = {}, conclave: Record<string, unknown> = {}, id = source.id): ManagedEvent {
  return { id, type, processed_at: source.at, ...fields, conclave: { seq: source.seq, ...defined(conclave) } };
}

function modelUsageOf(value: unknown): ModelUsage {
  const usage = recordOf(value);
  if (usage === undefined) return { ...zeroUsage };
  return {
    input_tokens: numberOf(usage.inputTokens),
    output_tokens: numberOf(usage.outputTokens),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: numberOf(usage.cachedInputTokens),
  };
}

/** The `session.error` type for a conclave error code; provider failures name their cause. */
function managedErrorType(error: Partial<ConclaveErrorJSON>, otherwise: 'model_request_failed_error' | 'unknown_error'): string {
  if (error.code === 'provider_rate_limited') return 'model_rate_limited_error';
  if (error.code === 'provider_overloaded') return 'model_overloaded_error';
  if (error.code === 'agent_failed' || error.category === 'provider') return 'model_request_failed_error';
  return otherwise;
}

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

  constructor(options: ManagedEventViewOptions) {
    this.topologyAgent = options.topologyAgent;
  }

  /**
   * The Managed Agents events for the next conclave event of the log (often none, sometimes two).
   *
   * @example
   * view.translate(statusIdleEvent) // → [{ id, type: 'session.status_idle', stop_reason: { type: 'end_turn' }, … }]
   */
  translate(event: SessionEvent): ManagedEvent[] {
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
      default:
        return [];
    }
  }

  private statusIdle(event: SessionEvent): ManagedEvent {
    const stopReason = stringOf(event.data.stopReason) ?? 'end_turn';
    return managed(
      event,
      'session.status_idle',
      { stop_reason: { type: stopReason === 'retries_exhausted' ? 'retries_exhausted' : 'end_turn' }, stop_details: null },
      { stop_reason: stopReason, reason: stringOf(event.data.reason) },
    );
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
    this.completions.set(commandId, {
      eventId: event.id,
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
    const message = managed(
      event,
      'agent.message',
      { content: [{ type: 'text', text: stringOf(event.data.text) ?? '' }] },
      { agent: event.data.agent, commandId, step: recordOf(event.data.step), nested },
    );
    if (nested !== undefined || commandId === undefined) return [message];
    const completion = this.completions.get(commandId);
    if (completion === undefined) return [message];
    this.completions.delete(commandId);
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

function spanEnd(source: SessionEvent, id: string, startId: string, isError: boolean, usage: ModelUsage, details: Record<string, unknown>): ManagedEvent {
  return managed(source, 'span.model_request_end', { model_request_start_id: startId, is_error: isError, model_usage: { ...usage } }, details, id);
}

function completionEnd(source: SessionEvent, completion: PendingCompletion): ManagedEvent {
  // A completion always follows a start in the log; an unknown start (a truncated log) is its own id.
  return spanEnd(source, completion.eventId, completion.startId ?? completion.eventId, false, completion.usage, completion.details);
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

/** What `deltaEvents` remembers between calls: which commands have had their `event_start`. */
export interface DeltaStreamState {
  started: Set<string>;
}

/**
 * A fresh state for one stream connection's deltas.
 *
 * @example
 * const state = createDeltaStreamState();
 */
export function createDeltaStreamState(): DeltaStreamState {
  return { started: new Set() };
}

/**
 * The id of the in-progress message (or thinking) a command's deltas belong to: derived from the
 * command id, so it is the same on every connection and every call.
 *
 * @example
 * deltaEventId('debate/round:1/pro/generate:0', 'text') // → 'sevt_delta_…' (24 hex characters)
 */
export function deltaEventId(commandId: string, kind: 'text' | 'reasoning'): string {
  const hash = createHash('sha256').update(`${kind}\n${commandId}`).digest('hex').slice(0, 24);
  return `sevt_delta_${hash}`;
}

/**
 * The stream-only events for one piece of streamed model output: an `event_start` on the first
 * delta of a command, then `event_delta`s with the text. Reasoning is only announced, as the start
 * of an `agent.thinking`, whose Managed Agents form has no content.
 *
 * @example
 * deltaEvents({ commandId: 'c1', agent: 'pro', kind: 'text', delta: 'Hel' }, state)
 * // → [{ type: 'event_start', event: { id, type: 'agent.message' } }, { type: 'event_delta', event_id: id, delta: … }]
 */
export function deltaEvents(delta: { commandId: string; agent: string; kind: 'text' | 'reasoning'; delta: string }, state: DeltaStreamState): ManagedDeltaEvent[] {
  const id = deltaEventId(delta.commandId, delta.kind);
  const out: ManagedDeltaEvent[] = [];
  if (!state.started.has(id)) {
    state.started.add(id);
    out.push({ type: 'event_start', event: { id, type: delta.kind === 'text' ? 'agent.message' : 'agent.thinking' } });
  }
  if (delta.kind === 'text' && delta.delta !== '') {
    out.push({ type: 'event_delta', event_id: id, delta: { type: 'content_delta', content: { type: 'text', text: delta.delta } } });
  }
  return out;
}

/** Dollars as a string of cents, to a millionth of a cent, without trailing zeros. */
function centsOf(usd: number): string {
  return String(Math.round(usd * 100 * 1_000_000) / 1_000_000);
}

/**
 * A session's Managed Agents `usage`: tokens and list cost summed over every completed model call.
 * `list_cost` is null when no call reported a cost.
 *
 * @example
 * sessionUsageFrom(events) // → { input_tokens: 1200, output_tokens: 340, …, list_cost: { amount: '1.52', currency: 'USD' } }
 */
export function sessionUsageFrom(events: readonly SessionEvent[]): ManagedSessionUsage {
  const usage: ManagedSessionUsage = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, list_cost: null };
  let usd: number | undefined;
  for (const event of events) {
    if (event.type !== 'command.completed') continue;
    const call = modelUsageOf(event.data.usage);
    usage.input_tokens += call.input_tokens;
    usage.output_tokens += call.output_tokens;
    usage.cache_read_input_tokens += call.cache_read_input_tokens;
    const cost = recordOf(event.data.cost);
    if (cost !== undefined) usd = (usd ?? 0) + numberOf(cost.usd);
  }
  if (usd !== undefined) usage.list_cost = { amount: centsOf(usd), currency: 'USD' };
  return usage;
}

function secondsBetween(from: string, to: string): number {
  const milliseconds = Date.parse(to) - Date.parse(from);
  return Number.isFinite(milliseconds) && milliseconds > 0 ? milliseconds / 1000 : 0;
}

/**
 * A session's Managed Agents `stats`: seconds since its first event, and seconds spent running
 * (from each `session.status_running` to the next idle or terminated). Both run to `now` — by
 * default the last event's time, so the result depends on the log alone; pass the current time
 * for a session that is still running.
 *
 * @example
 * sessionStatsFrom(events, { now: new Date() }) // → { active_seconds: 12.4, duration_seconds: 95.1 }
 */
export function sessionStatsFrom(events: readonly SessionEvent[], options: { now?: string | Date } = {}): ManagedSessionStats {
  const first = events[0];
  const last = events[events.length - 1];
  if (first === undefined || last === undefined) return { active_seconds: 0, duration_seconds: 0 };
  const end = options.now === undefined ? last.at : new Date(options.now).toISOString();
  let active = 0;
  let runningSince: string | undefined;
  for (const event of events) {
    if (event.type === 'session.status_running') {
      runningSince ??= event.at;
    } else if ((event.type === 'session.status_idle' || event.type === 'session.status_terminated') && runningSince !== undefined) {
      active += secondsBetween(runningSince, event.at);
      runningSince = undefined;
    }
  }
  if (runningSince !== undefined) active += secondsBetween(runningSince, end);
  // Sums of milliseconds/1000 drift (0.1 + 0.2); the log's resolution is a millisecond.
  return { active_seconds: Math.round(active * 1000) / 1000, duration_seconds: secondsBetween(first.at, end) };
}

/**
 * The Managed Agents status of a conclave session: a created session that has not run is idle.
 *
 * @example
 * managedStatusOf('created') // → 'idle'
 */
export function managedStatusOf(status: SessionStatus): ManagedSessionStatus {
  switch (status) {
    case 'running':
      return 'running';
    case 'terminated':
      return 'terminated';
    case 'created':
    case 'idle':
      return 'idle';
  }
}
