/**
 * Stream-only Managed Agents events for model output as it streams: an `event_start` per command
 * attempt, then `event_delta`s, with ids derived from the session, the command and the attempt so
 * every connection agrees on them — and so the streaming message's id is the id of the
 * `agent.message` that concludes it (`ManagedEventView` derives that event's id the same way).
 *
 * A retried attempt (see `StreamDelta`) opens a new preview: an `event_start` with a new id, sent as
 * soon as the attempt begins. That is the wire's own way to start over — the official SDK's
 * accumulator replaces its snapshot on every `event_start` — and the failed attempt's preview is
 * simply never concluded, as the protocol allows for a request that ends early. The Managed Agents
 * delta shape has no field for an attempt number; the `agent.message` that follows is authoritative.
 */
import { createHash } from 'node:crypto';
import type { ManagedDeltaEvent } from './event-view.js';
import { isGradingCommand } from './managed-outcome-events.js';

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
 * The id of the message (or thinking) an attempt's deltas belong to: derived from the session, the
 * command id and the attempt, so it is the same on every connection and every call, differs between
 * sessions, and — for text — is the id of the `agent.message` the attempt ends in, when it succeeds.
 * Command ids are unique within a session (later turns are prefixed `turn:N/`).
 *
 * @example
 * deltaEventId('sesn_1', 'debate/round:1/pro/generate:0', 'text')    // → 'sevt_…' (24 hex characters)
 * deltaEventId('sesn_1', 'debate/round:1/pro/generate:0', 'text', 2) // → another id: the retry's message
 */
export function deltaEventId(sessionId: string, commandId: string, kind: 'text' | 'reasoning', attempt = 1): string {
  const hash = createHash('sha256').update(`${kind}\n${sessionId}\n${commandId}\n${Math.max(1, attempt)}`).digest('hex').slice(0, 24);
  return kind === 'text' ? `sevt_${hash}` : `sevt_thinking_${hash}`;
}

/** A live delta as `deltaEvents` reads it (a `StreamDelta`). */
export interface LiveDelta {
  sessionId: string;
  commandId: string;
  agent: string;
  kind: 'text' | 'reasoning' | 'reset';
  delta: string;
  /** Which attempt of the command; 1 when absent. */
  attempt?: number;
}

/**
 * The stream-only events for one piece of streamed model output: an `event_start` on the first
 * delta of a command attempt, then `event_delta`s with the text. Reasoning is only announced, as the
 * start of an `agent.thinking`, whose Managed Agents form has no content. A `reset` (a retry
 * begins) opens the new attempt's `agent.message` preview at once.
 *
 * @example
 * deltaEvents({ sessionId: 'sesn_1', commandId: 'c1', agent: 'pro', kind: 'text', delta: 'Hel' }, state)
 * // → [{ type: 'event_start', event: { id, type: 'agent.message' } }, { type: 'event_delta', event_id: id, delta: … }]
 */
export function deltaEvents(delta: LiveDelta, state: DeltaStreamState): ManagedDeltaEvent[] {
  // A grader's output is the outcome evaluation's, never an agent message (see managed-outcome-events.ts).
  if (isGradingCommand(delta.commandId)) return [];
  const kind = delta.kind === 'reasoning' ? 'reasoning' : 'text';
  const id = deltaEventId(delta.sessionId, delta.commandId, kind, delta.attempt ?? 1);
  const out: ManagedDeltaEvent[] = [];
  if (!state.started.has(id)) {
    state.started.add(id);
    out.push({ type: 'event_start', event: { id, type: kind === 'text' ? 'agent.message' : 'agent.thinking' } });
  }
  if (delta.kind === 'text' && delta.delta !== '') {
    out.push({ type: 'event_delta', event_id: id, delta: { type: 'content_delta', content: { type: 'text', text: delta.delta } } });
  }
  return out;
}

