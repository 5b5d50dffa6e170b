/**
 * Anthropic list prices in US dollars per million tokens, from conclave's model catalogue
 * (src/catalogue/, refreshed from a maintained source by `npm run catalogue:refresh`): base input,
 * output, cache hits (`cachedInputPerMillion`, billed for `cache_read_input_tokens`) and five-minute
 * cache writes. A document's `providers.anthropic.prices` overrides any of them.
 */
import { catalogueModelIds, catalogueModelPrice, modelCatalogueAsOf } from '../../src/catalogue/model-catalogue.js';
import type { ModelPrice } from '../../src/protocol/index.js';

/** The date of the catalogue the prices come from. */
export const anthropicPricesAsOf = modelCatalogueAsOf;

/**
 * The price of an Anthropic model (alias or dated snapshot), or undefined when the catalogue does
 * not know it.
 *
 * @example
 * anthropicPrice('claude-sonnet-4-6')
 * // → { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, cacheWriteInputPerMillion: 3.75, asOf: '2026-12-04' }
 * anthropicPrice('claude-haiku-4-5-20251001')?.outputPerMillion // → 5
 */
export function anthropicPrice(model: string): ModelPrice | undefined {
  return catalogueModelPrice('anthropic', model);
}

/**
 * Every model with a known price, for listings.
 *
 * @example
 * anthropicPricedModels().includes('claude-haiku-4-5') // → true
 */
export function anthropicPricedModels(): string[] {
  return catalogueModelIds('anthropic');
}
