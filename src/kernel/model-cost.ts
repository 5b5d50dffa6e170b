/**
 * What a model call cost, from its usage and the model's price: one formula for the dispatcher's
 * journal and for the benchmark runner, so a benchmark's cost column equals what a session would
 * have been charged for the same call.
 */
import type { Cost, ModelPrice, Usage } from '../protocol/index.js';

/**
 * Cost in US dollars of `usage` at `price` (cached input at its own price when the model has one);
 * 0 when the price is unknown. Simulated figures are marked `simulated`.
 *
 * @example
 * modelCost({ inputPerMillion: 3, outputPerMillion: 15 }, false, { inputTokens: 1000, outputTokens: 200 }) // → { usd: 0.006 }
 */
export function modelCost(price: ModelPrice | undefined, simulated: boolean, usage: Usage): Cost {
  if (price === undefined) return simulated ? { usd: 0, simulated: true } : { usd: 0 };
  const cached = usage.cachedInputTokens ?? 0;
  const usd =
    ((usage.inputTokens - cached) * price.inputPerMillion +
      cached * (price.cachedInputPerMillion ?? price.inputPerMillion) +
      usage.outputTokens * price.outputPerMillion) /
    1_000_000;
  return simulated ? { usd, simulated: true } : { usd };
}
