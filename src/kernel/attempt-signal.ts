/**
 * The AbortSignal of one attempt at a model call: it aborts when the session's signal does, when no
 * output has arrived within `first_token_ms` (which also covers a connection that never opens), or
 * when the whole attempt exceeds `total_ms`. A timeout is a retryable `provider_timeout`, unlike an
 * interrupt, which ends the call.
 */
import { setMaxListeners } from 'node:events';
import { ConclaveError, type CallTimeouts } from '../protocol/index.js';

export interface AttemptSignal {
  signal: AbortSignal;
  /** Call on the first output part; stops the first-token timer. */
  firstOutput(): void;
  /** The timeout that fired, if one did. */
  timeoutError(): ConclaveError | undefined;
  /** Clears the timers and the link to the session's signal. */
  dispose(): void;
}

/**
 * Links an attempt to the session's signal and arms its timers.
 *
 * @example
 * const attempt = createAttemptSignal(signal, { first_token_ms: 30_000, total_ms: 120_000 });
 * try { await call(attempt.signal); } finally { attempt.dispose(); }
 */
export function createAttemptSignal(session: AbortSignal, timeouts: CallTimeouts | undefined): AttemptSignal {
  const controller = new AbortController();
  let fired: ConclaveError | undefined;
  const onSessionAbort = (): void => controller.abort(session.reason);
  // Every call in flight listens to the session's signal — a parallel topology has dozens at once —
  // and each removes its listener in `dispose`: no leak for Node to warn about.
  setMaxListeners(0, session);
  session.addEventListener('abort', onSessionAbort, { once: true });
  const arm = (ms: number | undefined, message: string): NodeJS.Timeout | undefined => {
    if (ms === undefined) return undefined;
    const timer = setTimeout(() => {
      fired = new ConclaveError('provider_timeout', message);
      controller.abort(fired);
    }, ms);
    timer.unref();
    return timer;
  };
  let firstTokenTimer = arm(timeouts?.first_token_ms, `no output within ${timeouts?.first_token_ms} ms (timeouts.first_token_ms)`);
  const totalTimer = arm(timeouts?.total_ms, `not finished within ${timeouts?.total_ms} ms (timeouts.total_ms)`);
  return {
    signal: controller.signal,
    firstOutput() {
      if (firstTokenTimer !== undefined) clearTimeout(firstTokenTimer);
      firstTokenTimer = undefined;
    },
    timeoutError: () => fired,
    dispose() {
      if (firstTokenTimer !== undefined) clearTimeout(firstTokenTimer);
      if (totalTimer !== undefined) clearTimeout(totalTimer);
      session.removeEventListener('abort', onSessionAbort);
    },
  };
}
