/**
 * Stream-only Managed Agents events for model output as it streams: an `event_start` per command,
 * then `event_delta`s, with ids derived from the command so every connection agrees on them.
 */
import { createHash } from 'node:crypto';
import type { ManagedDeltaEvent } from './event-view.js';

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

