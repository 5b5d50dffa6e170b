/**
 * Measures one model call at the stream: the clock starts just before the adapter is asked for the
 * stream and every output chunk is stamped as it arrives, so time to first token, the gaps between
 * tokens and throughput are what a user of that provider would see — nothing is timed from the
 * journal or from usage reported after the fact.
 */
import { ConclaveError, type GenerateRequest, type ProviderAdapter, type Usage } from '../protocol/index.js';
import type { SampleMetrics } from './bench-types.js';

export interface MeasuredCall {
  text: string;
  metrics: SampleMetrics;
}

export interface MeasureOptions {
  signal: AbortSignal;
  /** US dollars for the call's usage; 0 when the price is unknown. */
  cost: (usage: Usage) => number;
  /** Clock in milliseconds; `performance.now` unless a test needs another. */
  now?: () => number;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Streams `request` through `adapter` and measures it. Never throws for a failed call: the error's
 * code lands in `metrics.error` (a thrown non-conclave error becomes `provider_error`).
 *
 * @example
 * const { text, metrics } = await measureStream(adapter, { model: 'arith', messages }, { signal, cost: () => 0 });
 * metrics.ttftMs // → 41.2
 */
export async function measureStream(adapter: ProviderAdapter, request: GenerateRequest, options: MeasureOptions): Promise<MeasuredCall> {
  const now = options.now ?? (() => performance.now());
  const start = now();
  const stamps: number[] = [];
  let text = '';
  let usage: Usage | undefined;
  let simulated = adapter.simulated;
  let error: SampleMetrics['error'] = null;
  try {
    for await (const part of adapter.generate(request, { signal: options.signal, attempt: 1 })) {
      if (part.type === 'text-delta' || part.type === 'reasoning-delta') {
        if (part.delta === '') continue;
        stamps.push(now());
        if (part.type === 'text-delta') text += part.delta;
      } else if (part.type === 'tool-call') {
        stamps.push(now());
      } else if (part.type === 'usage') {
        usage = part.usage;
      } else if (part.type === 'stream-start') {
        simulated ||= part.simulated === true;
      } else if (part.type === 'error') {
        error = { code: part.error.code, message: part.error.message };
        break;
      }
    }
    if (error === null && options.signal.aborted) error = { code: 'aborted', message: 'the request was aborted' };
  } catch (thrown) {
    error = thrown instanceof ConclaveError
      ? { code: thrown.code, message: thrown.message }
      : { code: options.signal.aborted ? 'aborted' : 'provider_error', message: thrown instanceof Error ? thrown.message : String(thrown) };
  }
  const end = now();
  const first = stamps[0];
  const last = stamps[stamps.length - 1];
  const gaps = stamps.slice(1).map((stamp, index) => round(stamp - (stamps[index] as number)));
  const outputTokens = usage?.outputTokens ?? stamps.length;
  const span = first !== undefined && last !== undefined ? last - first : 0;
  return {
    text,
    metrics: {
      ttftMs: first === undefined ? null : round(first - start),
      itlMs: gaps.length === 0 ? null : round(span / gaps.length),
      itlGapsMs: gaps,
      tokensPerSecond: error === null && outputTokens >= 2 && span > 0 ? round(((outputTokens - 1) * 1000) / span) : null,
      e2eMs: round(end - start),
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage === undefined && error !== null ? 0 : outputTokens,
      ...(usage?.cachedInputTokens !== undefined ? { cachedInputTokens: usage.cachedInputTokens } : {}),
      costUsd: usage === undefined ? 0 : options.cost(usage),
      simulated,
      error,
    },
  };
}
