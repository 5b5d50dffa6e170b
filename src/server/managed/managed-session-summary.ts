/**
 * A session's Managed Agents summary fields, computed from its conclave log: `usage` (tokens and
 * list cost over completed model calls), `stats` (active and total seconds) and `status`.
 */
import type { SessionEvent, SessionStatus } from '../../protocol/events.js';

export type ManagedSessionStatus = 'idle' | 'running' | 'terminated';

/** The Managed Agents session `usage` object. */
export interface ManagedSessionUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  /** The SDK's typed form: conclave's providers report no cache writes, so both are 0. */
  cache_creation: { ephemeral_5m_input_tokens: 0; ephemeral_1h_input_tokens: 0 };
  /** The flat form Anthropic's docs show beside it. */
  cache_creation_input_tokens: 0;
  list_cost: { amount: string; currency: 'USD' } | null;
}

/** The Managed Agents session `stats` object. */
export interface ManagedSessionStats {
  active_seconds: number;
  duration_seconds: number;
}

/** Token counts of one model call, in Managed Agents names. */
export interface ModelUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** No tokens. */
export const zeroUsage: ModelUsage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

/**
 * A finite number, else 0.
 *
 * @example
 * numberOf('12') // → 0
 */
export function numberOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * A plain object, else undefined.
 *
 * @example
 * recordOf([1]) // → undefined
 */
export function recordOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * A completed call's usage (`command.completed` data) in Managed Agents names; zeros when absent.
 *
 * @example
 * modelUsageOf({ inputTokens: 12, outputTokens: 3 }) // → { input_tokens: 12, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
 */
export function modelUsageOf(value: unknown): ModelUsage {
  const usage = recordOf(value);
  if (usage === undefined) return { ...zeroUsage };
  return {
    input_tokens: numberOf(usage.inputTokens),
    output_tokens: numberOf(usage.outputTokens),
    cache_creation_input_tokens: numberOf(usage.cacheWriteInputTokens),
    cache_read_input_tokens: numberOf(usage.cachedInputTokens),
  };
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
  const usage: ManagedSessionUsage = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    cache_creation_input_tokens: 0,
    list_cost: null,
  };
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
