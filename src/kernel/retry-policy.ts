/**
 * When to try a failed command again, and after how long. Exponential backoff with jitter; a
 * provider's `retry-after` hint wins over the schedule, because it knows its own limits better.
 */
import { defaultRetryPolicy, type ConclaveError, type RetryPolicy } from '../protocol/index.js';

export { defaultRetryPolicy, type RetryPolicy };

/** Longest wait we accept from a provider's retry-after before giving up on the command. */
const longestRetryAfterMs = 5 * 60_000;

/**
 * Milliseconds to wait before the next attempt, or undefined when the command must not be retried.
 * `random` is a number in [0, 1) used for jitter (±25 %).
 *
 * @example
 * retryDelay(error, 1, defaultRetryPolicy, Math.random()) // → ~250 for a retryable error
 */
export function retryDelay(error: ConclaveError, attempt: number, policy: RetryPolicy, random: number): number | undefined {
  if (!error.retryable || attempt >= policy.maxAttempts) return undefined;
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs > longestRetryAfterMs ? undefined : Math.ceil(error.retryAfterMs);
  }
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(base * (0.75 + random * 0.5));
}
