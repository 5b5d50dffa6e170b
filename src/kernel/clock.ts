/**
 * Time as the kernel sees it. Machines never read the clock; the kernel stamps events and waits for
 * backoffs through this interface, so tests can run retries without real waiting.
 */
import { ConclaveError } from '../protocol/index.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** High-resolution milliseconds for measuring durations. */
  monotonic(): number;
  /** Resolves after `ms`, or rejects with `aborted` when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Waits `ms` milliseconds unless `signal` aborts first (then rejects with code `aborted`).
 *
 * @example
 * await abortableSleep(250, controller.signal);
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The `aborted` error for a signal, carrying its reason as the message when it is a string.
 *
 * @example
 * if (signal.aborted) throw abortedError(signal);
 */
export function abortedError(signal: AbortSignal | undefined): ConclaveError {
  const reason: unknown = signal?.reason;
  const message = typeof reason === 'string' ? reason : reason instanceof Error && reason.name !== 'AbortError' ? reason.message : 'aborted';
  return new ConclaveError('aborted', message);
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: abortableSleep,
};
