/**
 * Unpriced calls, made visible: a call to a model with no known price costs `{ usd: 0, unpriced:
 * true }` in the journal, and a session's total only adds up the priced ones. These helpers read the
 * unpriced models off a session's events and say so wherever a cost is shown — "unpriced" in the
 * terminal (never `$0.00`), `cost.unpriced` and `unpricedModels` in `--json` results.
 */
import type { Cost, SessionEvent } from '../protocol/index.js';

/**
 * The models (`provider/model`) whose completed calls in a session's log had no price, sorted.
 *
 * @example
 * unpricedModels(await store.read(sessionId)) // → ['openai/gpt-nope']
 */
export function unpricedModels(events: readonly SessionEvent[]): string[] {
  const models = new Set<string>();
  for (const event of events) {
    if (event.type !== 'command.completed') continue;
    const data = event.data as { model?: unknown; cost?: { unpriced?: unknown } };
    if (data.cost?.unpriced === true) models.add(typeof data.model === 'string' ? data.model : 'unknown');
  }
  return [...models].sort();
}

/**
 * A session result's JSON with the unpriced models added: `cost.unpriced: true` and
 * `unpricedModels`, with `cost.usd` still the priced part. Unchanged when every call was priced.
 *
 * @example
 * withUnpricedModels({ cost: { usd: 0.002 } }, ['openai/gpt-nope'])
 * // → { cost: { usd: 0.002, unpriced: true }, unpricedModels: ['openai/gpt-nope'] }
 */
export function withUnpricedModels<T extends { cost: Cost }>(json: T, unpriced: readonly string[]): T & { unpricedModels?: string[] } {
  if (unpriced.length === 0) return json;
  return { ...json, cost: { ...json.cost, unpriced: true }, unpricedModels: [...unpriced] };
}

/**
 * A cost for people: the dollar figure, "unpriced" when nothing was priced, or the figure plus
 * "+ unpriced" when only part of it was; the unpriced models are named when given.
 *
 * @example
 * describeCost(0.0123, [], formatUsd)                  // → '$0.0123'
 * describeCost(0, ['openai/gpt-nope'], formatUsd)      // → 'unpriced (openai/gpt-nope)'
 * describeCost(0.0123, ['openai/gpt-nope'], formatUsd) // → '$0.0123 + unpriced (openai/gpt-nope)'
 */
export function describeCost(usd: number, unpriced: readonly string[], formatUsd: (usd: number) => string): string {
  if (unpriced.length === 0) return formatUsd(usd);
  const label = `unpriced (${unpriced.join(', ')})`;
  return usd > 0 ? `${formatUsd(usd)} + ${label}` : label;
}
