/**
 * Gemini API list prices (paid tier, text input, the base tier for long prompts), in US dollars per
 * million tokens, from conclave's model catalogue (src/catalogue/, refreshed from a maintained source
 * by `npm run catalogue:refresh`). Output prices include thinking tokens, which is why the stream
 * mapper counts them as output. A model the catalogue does not know has no price: its calls are
 * reported as unpriced, never as free.
 */
import { catalogueModelPrice } from '../../src/catalogue/model-catalogue.js';
import type { ModelPrice } from '../../src/protocol/index.js';

/** The provider's default models (each one is in the catalogue; a test checks it). */
export const pricedGoogleModels: readonly string[] = ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'];

/**
 * The price of a Gemini model, ignoring a query string and a `models/` prefix.
 *
 * @example
 * googlePrice('gemini-2.5-flash') // → { inputPerMillion: 0.3, outputPerMillion: 2.5, cachedInputPerMillion: 0.03, asOf: '2026-12-04' }
 * googlePrice('gemini-1.0-ultra') // → undefined
 */
export function googlePrice(model: string): ModelPrice | undefined {
  return catalogueModelPrice('google', model);
}
