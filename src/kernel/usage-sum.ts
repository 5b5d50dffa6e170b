/**
 * Sums of token usage. Every place that adds usages up (tool rounds, a topology's replies, a
 * session's spend lines) uses this one function, so the cache counts are carried along with the
 * input and output counts instead of being dropped by a sum that predates them.
 */
import type { Usage } from '../protocol/index.js';

/**
 * `left + right`, field by field; a cache count appears only when one side has it.
 *
 * @example
 * addUsage({ inputTokens: 10, outputTokens: 2, cachedInputTokens: 8 }, { inputTokens: 5, outputTokens: 1 })
 * // → { inputTokens: 15, outputTokens: 3, cachedInputTokens: 8 }
 */
export function addUsage(left: Usage, right: Usage): Usage {
  const sum: Usage = { inputTokens: left.inputTokens + right.inputTokens, outputTokens: left.outputTokens + right.outputTokens };
  if (left.cachedInputTokens !== undefined || right.cachedInputTokens !== undefined) {
    sum.cachedInputTokens = (left.cachedInputTokens ?? 0) + (right.cachedInputTokens ?? 0);
  }
  if (left.cacheWriteInputTokens !== undefined || right.cacheWriteInputTokens !== undefined) {
    sum.cacheWriteInputTokens = (left.cacheWriteInputTokens ?? 0) + (right.cacheWriteInputTokens ?? 0);
  }
  return sum;
}
