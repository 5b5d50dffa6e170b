/**
 * Gemini API list prices (paid tier, text input, prompts up to 200k tokens), in US dollars per
 * million tokens, read off https://ai.google.dev/gemini-api/docs/pricing. Output prices include
 * thinking tokens, which is why the stream mapper counts them as output. Prices change: each entry
 * carries the date it was read, and a model that is not listed has no price (its cost reads as 0).
 */
import type { ModelPrice } from '../../src/protocol/index.js';

const pricesReadOn = '2025-12-01';

const googlePrices: Readonly<Record<string, ModelPrice>> = {
  'gemini-2.5-pro': { inputPerMillion: 1.25, outputPerMillion: 10, cachedInputPerMillion: 0.125, asOf: pricesReadOn },
  'gemini-2.5-flash': { inputPerMillion: 0.3, outputPerMillion: 2.5, cachedInputPerMillion: 0.03, asOf: pricesReadOn },
  'gemini-2.5-flash-lite': { inputPerMillion: 0.1, outputPerMillion: 0.4, cachedInputPerMillion: 0.01, asOf: pricesReadOn },
};

/** The models with a known price, which are also the provider's default models. */
export const pricedGoogleModels: readonly string[] = Object.keys(googlePrices);

/**
 * The price of a Gemini model, ignoring a query string and a `models/` prefix.
 *
 * @example
 * googlePrice('gemini-2.5-flash') // → { inputPerMillion: 0.3, outputPerMillion: 2.5, cachedInputPerMillion: 0.03, asOf: '2025-12-01' }
 * googlePrice('gemini-1.0-ultra') // → undefined
 */
export function googlePrice(model: string): ModelPrice | undefined {
  const name = model.split('?')[0]!.replace(/^models\//, '');
  const price = googlePrices[name];
  return price === undefined ? undefined : { ...price };
}
