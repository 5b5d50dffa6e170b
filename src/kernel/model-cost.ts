/**
 * What a model call cost, from its usage and the model's price: one formula for the dispatcher's
 * journal and for the benchmark runner, so a benchmark's cost column equals what a session would
 * have been charged for the same call.
 */
import type { Cost, ModelPrice, Usage } from '../protocol/index.js';

/**
 * Cost in US dollars of `usage` at `price` (cache reads and cache writes at their own prices when the
 * model has them);
 * when the price is unknown the cost is `{ usd: 0, unpriced: true }` — not free, just not counted — so
 * every face can say "unpriced" instead of `$0.00`. Simulated figures are marked `simulated` (a
 * simulator's calls are never unpriced).
 *
 * @example
 * modelCost({ inputPerMillion: 3, outputPerMillion: 15 }, false, { inputTokens: 1000, outputTokens: 200 }) // → { usd: 0.006 }
 * modelCost(undefined, false, { inputTokens: 1000, outputTokens: 200 }) // → { usd: 0, unpriced: true }
 */
export function modelCost(price: ModelPrice | undefined, simulated: boolean, usage: Usage): Cost {
  if (price === undefined) return simulated ? { usd: 0, simulated: true } : { usd: 0, unpriced: true };
  const cached = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteInputTokens ?? 0;
  const usd =
    ((usage.inputTokens - cached - written) * price.inputPerMillion +
      cached * (price.cachedInputPerMillion ?? price.inputPerMillion) +
      written * (price.cacheWriteInputPerMillion ?? price.inputPerMillion) +
      usage.outputTokens * price.outputPerMillion) /
    1_000_000;
  return simulated ? { usd, simulated: true } : { usd };
}
