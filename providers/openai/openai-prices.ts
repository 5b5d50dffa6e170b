/**
 * OpenAI prices in US dollars per million tokens (standard tier), from conclave's model catalogue
 * (src/catalogue/, refreshed from a maintained source by `npm run catalogue:refresh`). Prices change:
 * a run's cost is an estimate, and a model the catalogue does not know has no price (its calls are
 * reported as unpriced). `lookupModelPrice` serves hand-written tables, such as an
 * OpenAI-compatible server's own.
 */
import { catalogueModelPrice, modelCatalogueAsOf } from '../../src/catalogue/model-catalogue.js';
import type { ModelPrice } from '../../src/protocol/index.js';

/** The date of the catalogue the prices come from (YYYY-MM-DD). */
export const openAIPricesAsOf = modelCatalogueAsOf;

/**
 * The catalogue price of an OpenAI model, ignoring a query string; dated snapshots
 * (`gpt-4.1-mini-2025-04-14`) cost what their model costs.
 *
 * @example
 * openAIPrice('gpt-4.1-mini?reasoning_effort=low')?.inputPerMillion // → 0.4
 * openAIPrice('gpt-nope') // → undefined
 */
export function openAIPrice(model: string): ModelPrice | undefined {
  return catalogueModelPrice('openai', model);
}

/**
 * The price of a model from a price table, ignoring a query string and a dated snapshot suffix
 * (`gpt-4.1-mini-2025-04-14` costs what `gpt-4.1-mini` costs).
 *
 * @example
 * lookupModelPrice({ 'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 } }, 'gpt-4.1-mini-2025-04-14?reasoning_effort=low')?.inputPerMillion // → 0.4
 */
export function lookupModelPrice(prices: Readonly<Record<string, ModelPrice>>, model: string): ModelPrice | undefined {
  const name = model.split('?')[0] ?? model;
  return prices[name] ?? prices[name.replace(/-\d{4}-\d{2}-\d{2}$/, '')];
}
