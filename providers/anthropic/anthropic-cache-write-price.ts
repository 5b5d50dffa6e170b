/**
 * What Anthropic charges for writing to the prompt cache: 1.25 times the base input price for the
 * default five-minute cache (the only one conclave asks for), per
 * https://platform.claude.com/docs/en/build-with-claude/prompt-caching#pricing. Kept beside the price
 * table rather than in it, because it is a rule over every model, not a per-model figure.
 */
import type { ModelPrice } from '../../src/protocol/index.js';

/** Five-minute cache writes cost this multiple of the base input price. */
export const anthropicCacheWriteMultiplier = 1.25;

/**
 * The price with its cache-write price filled in (a price that names one keeps it).
 *
 * @example
 * withCacheWritePrice({ inputPerMillion: 1, outputPerMillion: 5, cachedInputPerMillion: 0.1 })
 * // → { inputPerMillion: 1, outputPerMillion: 5, cachedInputPerMillion: 0.1, cacheWriteInputPerMillion: 1.25 }
 */
export function withCacheWritePrice(price: ModelPrice | undefined): ModelPrice | undefined {
  if (price === undefined || price.cacheWriteInputPerMillion !== undefined) return price;
  return { ...price, cacheWriteInputPerMillion: price.inputPerMillion * anthropicCacheWriteMultiplier };
}
