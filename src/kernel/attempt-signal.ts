/**
 * The AbortSignal of one attempt at a model call: it aborts when the session's signal does, when no
 * output has arrived within `first_token_ms` (which also covers a connection that never opens or
 * headers that never come), when the stream, once output has started, is silent for `idle_ms`, or
 * when the whole attempt exceeds `total_ms`. Every limit has a default (`defaultCallTimeouts`), so
 * no provider can hold an attempt for the socket's own five minutes. A timeout is a retryable
 * `provider_timeout`, unlike an interrupt, which ends the call.
 */
import { setMaxListeners } from 'node:events';
import { ConclaveError, defaultCallTimeouts, type CallTimeouts, type StreamPart } from '../protocol/index.js';

export interface AttemptSignal {
  signal: AbortSignal;
  /**
   * Call on every stream part: the first output part (text, reasoning, a tool call) stops the
   * first-token timer and starts the idle timer, which every later part restarts.
   */
  observe(type: StreamPart['type']): void;
  /** The timeout that fired, if one did. */
  timeoutError(): ConclaveError | undefined;
  /** Clears the timers and the link to the session's signal. */
  dispose(): void;
}

/** Node fires a longer timer at once (with a warning); a limit past it means "no limit" in practice. */
const longestTimerMs = 2 ** 31 - 1;

const outputParts = new Set<StreamPart['type']>(['text-delta', 'reasoning-delta', 'tool-call']);

function timeoutMessage(what: string, field: keyof CallTimeouts, ms: number): string {
  return `${what} ${ms} ms (timeouts.${field}; a document raises it under timeouts:)`;
}

/**
 * Links an attempt to the session's signal and arms its timers; a limit `timeouts` leaves out takes
 * its default.
 *
 * @example
 * const attempt = createAttemptSignal(signal, { first_token_ms: 30_000, total_ms: 120_000 });
 * try {
 *   for await (const part of adapter.generate(request, { signal: attempt.signal, attempt: 1 })) attempt.observe(part.type);
 * } finally { attempt.dispose(); }
 */
export function createAttemptSignal(session: AbortSignal, timeouts: CallTimeouts | undefined): AttemptSignal {
  const limits = { ...defaultCallTimeouts, ...timeouts };
  const controller = new AbortController();
  let fired: ConclaveError | undefined;
  const onSessionAbort = (): void => controller.abort(session.reason);
  // Every call in flight listens to the session's signal — a parallel topology has dozens at once —
  // and each removes its listener in `dispose`: no leak for Node to warn about.
  setMaxListeners(0, session);
  session.addEventListener('abort', onSessionAbort, { once: true });
  const arm = (ms: number, message: string): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      fired ??= new ConclaveError('provider_timeout', message);
      controller.abort(fired);
    }, Math.min(ms, longestTimerMs));
    timer.unref();
    return timer;
  };
  let firstTokenTimer: NodeJS.Timeout | undefined = arm(limits.first_token_ms, timeoutMessage('no output within', 'first_token_ms', limits.first_token_ms));
  let idleTimer: NodeJS.Timeout | undefined;
  const totalTimer = arm(limits.total_ms, timeoutMessage('not finished within', 'total_ms', limits.total_ms));
  return {
    signal: controller.signal,
    observe(type) {
      if (controller.signal.aborted) return;
      if (idleTimer !== undefined) {
        // Restarts the countdown without a new timer: a stream has thousands of parts.
        idleTimer.refresh();
      } else if (outputParts.has(type)) {
        clearTimeout(firstTokenTimer);
        firstTokenTimer = undefined;
        idleTimer = arm(limits.idle_ms, timeoutMessage('the stream was silent for', 'idle_ms', limits.idle_ms));
      }
    },
    timeoutError: () => fired,
    dispose() {
      clearTimeout(firstTokenTimer);
      clearTimeout(idleTimer);
      clearTimeout(totalTimer);
      session.removeEventListener('abort', onSessionAbort);
    },
  };
}
