/**
 * The small parts the Managed event view builds its events from: one translated event with its
 * `conclave` correlation fields, the model span's end, and the Managed error type of a conclave
 * error code.
 */
import type { ConclaveErrorJSON } from '../../protocol/errors.js';
import type { SessionEvent } from '../../protocol/events.js';
import type { ManagedEvent } from './event-view.js';
import type { ModelUsage } from './managed-session-summary.js';

/** A model call that completed and waits for its `agent.message` before its span ends. */
export interface PendingCompletion {
  eventId: string;
  /** The model answered with tool calls (and maybe no text): a round of the agent's tool loop. */
  calledTools: boolean;
  startId: string | undefined;
  usage: ModelUsage;
  details: Record<string, unknown>;
}

/**
 * The value when it is a string.
 *
 * @example
 * stringOf(event.data['agent']) // → 'optimist' (or undefined)
 */
export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Copies the defined entries only, so optional details never show up as `undefined`.
 *
 * @example
 * defined({ a: 1, b: undefined }) // → { a: 1 }
 */
export function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

/**
 * One Managed event translated from `source`, with its `conclave` correlation fields.
 *
 * @example
 * managed(event, 'session.status_idle', { stop_reason: { type: 'end_turn' } })
 */
export function managed(source: SessionEvent, type: string, fields: Record<string, unknown> = {}, conclave: Record<string, unknown> = {}, id = source.id): ManagedEvent {
  return { id, type, processed_at: source.at, ...fields, conclave: { seq: source.seq, ...defined(conclave) } };
}

/**
 * The `session.error` type for a conclave error code; provider failures name their cause.
 *
 * @example
 * managedErrorType({ code: 'provider_rate_limited' }, 'unknown_error') // → 'model_rate_limited_error'
 */
export function managedErrorType(error: Partial<ConclaveErrorJSON>, otherwise: 'model_request_failed_error' | 'unknown_error'): string {
  if (error.code === 'provider_rate_limited') return 'model_rate_limited_error';
  if (error.code === 'provider_overloaded') return 'model_overloaded_error';
  if (error.code === 'agent_failed' || error.category === 'provider') return 'model_request_failed_error';
  return otherwise;
}

/**
 * The end of a model request span.
 *
 * @example
 * spanEnd(event, event.id, startId, false, usage, { agent: 'optimist' })
 */
export function spanEnd(source: SessionEvent, id: string, startId: string, isError: boolean, usage: ModelUsage, details: Record<string, unknown>): ManagedEvent {
  return managed(source, 'span.model_request_end', { model_request_start_id: startId, is_error: isError, model_usage: { ...usage } }, details, id);
}

/**
 * The span end of a completed model call.
 *
 * @example
 * completionEnd(event, pending)
 */
export function completionEnd(source: SessionEvent, completion: PendingCompletion): ManagedEvent {
  // A completion always follows a start in the log; an unknown start (a truncated log) is its own id.
  return spanEnd(source, completion.eventId, completion.startId ?? completion.eventId, false, completion.usage, completion.details);
}
