/**
 * Prices of OpenAI's default models, in US dollars per million tokens (standard tier, Chat
 * Completions). Read off openai.com/api/pricing as published at the GPT-4.1 and o4-mini launches
 * (April 2025) and cross-checked against public rate cards; `asOf` says when. Prices change: a run's
 * cost is an estimate, and an unknown model simply has no price.
 */
import type { ModelPrice } from '../../src/protocol/index.js';

/** The date the figures below were read (YYYY-MM-DD). */
export const openAIPricesAsOf = '2025-04-17';

/** Prices by model id, without any dated snapshot suffix. */
export const openAIPrices: Readonly<Record<string, ModelPrice>> = {
  'gpt-4.1': { inputPerMillion: 2.0, outputPerMillion: 8.0, cachedInputPerMillion: 0.5, asOf: openAIPricesAsOf },
  'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6, cachedInputPerMillion: 0.1, asOf: openAIPricesAsOf },
  'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4, cachedInputPerMillion: 0.025, asOf: openAIPricesAsOf },
  'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10.0, cachedInputPerMillion: 1.25, asOf: openAIPricesAsOf },
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075, asOf: openAIPricesAsOf },
  'o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4, cachedInputPerMillion: 0.275, asOf: openAIPricesAsOf },
};

/**
 * The price of a model from a price table, ignoring a query string and a dated snapshot suffix
 * (`gpt-4.1-mini-2025-04-14` costs what `gpt-4.1-mini` costs).
 *
 * @example
 * lookupModelPrice(openAIPrices, 'gpt-4.1-mini-2025-04-14?reasoning_effort=low')?.inputPerMillion // → 0.4
 */
export function lookupModelPrice(prices: Readonly<Record<string, ModelPrice>>, model: string): ModelPrice | undefined {
  const name = model.split('?')[0] ?? model;
  return prices[name] ?? prices[name.replace(/-\d{4}-\d{2}-\d{2}$/, '')];
}
