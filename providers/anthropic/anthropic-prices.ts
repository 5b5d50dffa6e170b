/**
 * Anthropic list prices in US dollars per million tokens: base input, output and cache hits
 * (`cachedInputPerMillion`, billed for `cache_read_input_tokens`). Read off
 * https://platform.claude.com/docs/en/about-claude/pricing and the model overview pages on the date
 * in `asOf`. Cache writes (1.25× input for five minutes) are billed by Anthropic but not modelled by
 * conclave's cost formula, which prices them as base input.
 */
import type { ModelPrice } from '../../src/protocol/index.js';

/** The date the table below was checked against Anthropic's price list. */
export const anthropicPricesAsOf = '2026-11-21';

const table: Record<string, Omit<ModelPrice, 'asOf'>> = {
  'claude-opus-4-8': { inputPerMillion: 5, outputPerMillion: 25, cachedInputPerMillion: 0.5 },
  'claude-opus-4-7': { inputPerMillion: 5, outputPerMillion: 25, cachedInputPerMillion: 0.5 },
  'claude-opus-4-6': { inputPerMillion: 5, outputPerMillion: 25, cachedInputPerMillion: 0.5 },
  'claude-opus-4-5': { inputPerMillion: 5, outputPerMillion: 25, cachedInputPerMillion: 0.5 },
  'claude-opus-4-1': { inputPerMillion: 15, outputPerMillion: 75, cachedInputPerMillion: 1.5 },
  'claude-sonnet-4-6': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 },
  'claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 },
  'claude-haiku-4-5': { inputPerMillion: 1, outputPerMillion: 5, cachedInputPerMillion: 0.1 },
};

/** Strips a dated snapshot suffix: `claude-haiku-4-5-20251001` → `claude-haiku-4-5`. */
function aliasOf(model: string): string {
  return model.replace(/-\d{8}$/, '');
}

/**
 * The price of an Anthropic model (alias or dated snapshot), or undefined when not in the table.
 *
 * @example
 * anthropicPrice('claude-sonnet-4-6')
 * // → { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, asOf: '2026-11-21' }
 * anthropicPrice('claude-haiku-4-5-20251001')?.outputPerMillion // → 5
 */
export function anthropicPrice(model: string): ModelPrice | undefined {
  const price = table[aliasOf(model)];
  return price === undefined ? undefined : { ...price, asOf: anthropicPricesAsOf };
}

/**
 * Every model with a known price, for listings.
 *
 * @example
 * anthropicPricedModels().includes('claude-haiku-4-5') // → true
 */
export function anthropicPricedModels(): string[] {
  return Object.keys(table);
}
