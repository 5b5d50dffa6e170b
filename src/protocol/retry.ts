/**
 * The retry policy of the command dispatcher, shared by the document loader (which reads it from
 * `retry:`) and the kernel (which applies it). Data only; the backoff arithmetic lives in the kernel.
 */

export interface RetryPolicy {
  /** Total tries, the first included. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: Readonly<RetryPolicy> = { maxAttempts: 4, initialDelayMs: 250, maxDelayMs: 8_000 };
