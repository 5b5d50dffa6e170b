/**
 * The AbortSignal of one attempt at a model call: it aborts when the session's signal does, when no
 * output has arrived within `first_token_ms` (which also covers a connection that never opens or
 * headers that never come), when the stream, once output has started, is silent for `idle_ms`, or
 * when the whole attempt exceeds `total_ms`. Every limit has a default (`defaultCallTimeouts`), so
 * no provider can hold an attempt for the socket's own five minutes. A timeout is a retryable
 * `provider_timeout`, unlike an interrupt, which ends the call.
 *
 * Every model call makes one, so it is a class with no closures: it joins its session signal's set
 * of attempts (one listener per session signal aborts them all), timers share one callback, and a
 * message is worded only when its timer fires.
 */
import { getEventListeners } from 'node:events';
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

/** How each limit's timeout begins its message. */
const limitWording: Record<keyof CallTimeouts, string> = {
  first_token_ms: 'no output within',
  idle_ms: 'the stream was silent for',
  total_ms: 'not finished within',
};

/**
 * The attempts in flight on each session signal. A session's signal gets one listener, which aborts
 * them all: an attempt joins a set rather than adding and removing a listener of its own, which on
 * Node's EventTarget costs more than the rest of the attempt signal (and a parallel topology has
 * dozens of attempts on one session signal at once).
 *
 * It also keeps one spare controller: creating an AbortSignal costs Node ≈ 5 µs, a sequential
 * step's largest single cost outside SQLite and XState. An attempt that ends with its signal not
 * aborted and no listener left on it (the provider removed what it added) hands its controller
 * back, and the session's next attempt takes it: a signal in that state cannot be told from a new
 * one. A signal that aborted, or that a provider left a listener on, is never used again.
 */
interface SessionAttempts {
  attempts: Set<TimedAttempt>;
  spare: AbortController | undefined;
}

const attemptsOn = new WeakMap<AbortSignal, SessionAttempts>();

function attemptsOf(session: AbortSignal): SessionAttempts {
  let entry = attemptsOn.get(session);
  if (entry === undefined) {
    const joined: SessionAttempts = { attempts: new Set(), spare: undefined };
    attemptsOn.set(session, joined);
    session.addEventListener('abort', () => {
      joined.spare = undefined;
      for (const attempt of joined.attempts) attempt.sessionAborted();
    }, { once: true });
    entry = joined;
  }
  return entry;
}

class TimedAttempt implements AttemptSignal {
  readonly signal: AbortSignal;
  private readonly controller: AbortController;
  private fired: ConclaveError | undefined;
  private firstTokenTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly totalTimer: NodeJS.Timeout;
  /** The attempts on the session's signal (this one among them until disposed), and their spare controller. */
  private readonly siblings: SessionAttempts;

  constructor(
    private readonly session: AbortSignal,
    private readonly timeouts: CallTimeouts | undefined,
  ) {
    this.siblings = attemptsOf(session);
    this.controller = this.siblings.spare ?? new AbortController();
    this.siblings.spare = undefined;
    this.signal = this.controller.signal;
    this.siblings.attempts.add(this);
    // The session's abort has been dispatched already: it will not reach this attempt through the set.
    if (session.aborted) this.controller.abort(session.reason);
    this.firstTokenTimer = this.arm('first_token_ms');
    this.totalTimer = this.arm('total_ms');
  }

  /** The session's signal aborted. */
  sessionAborted(): void {
    this.controller.abort(this.session.reason);
  }

  observe(type: StreamPart['type']): void {
    if (this.controller.signal.aborted) return;
    if (this.idleTimer !== undefined) {
      // Restarts the countdown without a new timer: a stream has thousands of parts.
      this.idleTimer.refresh();
    } else if (outputParts.has(type)) {
      clearTimeout(this.firstTokenTimer);
      this.firstTokenTimer = undefined;
      this.idleTimer = this.arm('idle_ms');
    }
  }

  timeoutError(): ConclaveError | undefined {
    return this.fired;
  }

  dispose(): void {
    clearTimeout(this.firstTokenTimer);
    clearTimeout(this.idleTimer);
    clearTimeout(this.totalTimer);
    const { siblings, signal } = this;
    if (!siblings.attempts.delete(this)) return;
    if (!signal.aborted && !this.session.aborted && getEventListeners(signal, 'abort').length === 0) siblings.spare = this.controller;
  }

  /** A limit the document leaves out takes its default. */
  private limit(field: keyof CallTimeouts): number {
    return this.timeouts?.[field] ?? defaultCallTimeouts[field];
  }

  private arm(field: keyof CallTimeouts): NodeJS.Timeout {
    const timer = setTimeout(expire, Math.min(this.limit(field), longestTimerMs), this, field);
    timer.unref();
    return timer;
  }

  expire(field: keyof CallTimeouts): void {
    const ms = this.limit(field);
    this.fired ??= new ConclaveError('provider_timeout', `${limitWording[field]} ${ms} ms (timeouts.${field}; a document raises it under timeouts:)`);
    this.controller.abort(this.fired);
  }
}

function expire(attempt: TimedAttempt, field: keyof CallTimeouts): void {
  attempt.expire(field);
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
  return new TimedAttempt(session, timeouts);
}
