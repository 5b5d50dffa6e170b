// The attempt signal's three limits, driven with fake timers: which one fires, what it says, and
// that the document's values override the defaults field by field.
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAttemptSignal } from '../../src/kernel/attempt-signal.js';
import { defaultCallTimeouts } from '../../src/protocol/index.js';

describe('createAttemptSignal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('has defaults for all three limits: first token 60 s, idle 60 s, total 10 min', () => {
    expect(defaultCallTimeouts).toEqual({ first_token_ms: 60_000, idle_ms: 60_000, total_ms: 600_000 });
    const attempt = createAttemptSignal(new AbortController().signal, undefined);
    vi.advanceTimersByTime(59_999);
    expect(attempt.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(attempt.timeoutError()).toMatchObject({ code: 'provider_timeout', retryable: true, message: expect.stringContaining('no output within 60000 ms (timeouts.first_token_ms') });
    expect(attempt.signal.reason).toBe(attempt.timeoutError());
    attempt.dispose();
  });

  it('parts before the first output do not count; output stops the first-token timer and starts the idle one', () => {
    const attempt = createAttemptSignal(new AbortController().signal, { first_token_ms: 100, idle_ms: 50 });
    attempt.observe('stream-start');
    vi.advanceTimersByTime(90);
    attempt.observe('text-delta');
    vi.advanceTimersByTime(40);
    attempt.observe('usage'); // any part after the first output restarts the idle countdown
    vi.advanceTimersByTime(40);
    attempt.observe('text-delta');
    vi.advanceTimersByTime(49);
    expect(attempt.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(attempt.timeoutError()?.message).toBe('the stream was silent for 50 ms (timeouts.idle_ms; a document raises it under timeouts:)');
    attempt.dispose();
  });

  it('total_ms bounds a stream that never goes silent; the document overrides one field and keeps the other defaults', () => {
    const attempt = createAttemptSignal(new AbortController().signal, { total_ms: 1_000 });
    attempt.observe('reasoning-delta');
    for (let elapsed = 0; elapsed < 990; elapsed += 10) {
      vi.advanceTimersByTime(10);
      attempt.observe('reasoning-delta');
    }
    expect(attempt.signal.aborted).toBe(false);
    vi.advanceTimersByTime(10);
    expect(attempt.timeoutError()?.message).toContain('not finished within 1000 ms (timeouts.total_ms');
    attempt.dispose();
  });

  it("follows the session's signal, which is not a timeout, and fires nothing after dispose", () => {
    const session = new AbortController();
    const attempt = createAttemptSignal(session.signal, { first_token_ms: 10 });
    session.abort(new Error('interrupted'));
    expect(attempt.signal.aborted).toBe(true);
    expect(attempt.timeoutError()).toBeUndefined();
    attempt.dispose();

    const quiet = createAttemptSignal(new AbortController().signal, { first_token_ms: 10 });
    quiet.dispose();
    vi.advanceTimersByTime(1_000_000);
    expect(quiet.signal.aborted).toBe(false);
  });

  it('starts aborted on a session signal that aborted before it, with the session’s reason, also after an earlier attempt joined it', () => {
    const session = new AbortController();
    // An earlier attempt made the session's one listener; the abort has been dispatched by the time the next attempt is made.
    createAttemptSignal(session.signal, undefined).dispose();
    const reason = new Error('interrupted by the user');
    session.abort(reason);
    const late = createAttemptSignal(session.signal, undefined);
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe(reason);
    expect(late.timeoutError()).toBeUndefined();
    late.dispose();
    const first = createAttemptSignal(AbortSignal.abort(reason), undefined);
    expect(first.signal.aborted).toBe(true);
    first.dispose();
  });

  it('aborts every attempt still on a session signal, and none disposed, with one listener on it however many there are', () => {
    const session = new AbortController();
    const attempts = Array.from({ length: 30 }, () => createAttemptSignal(session.signal, undefined));
    // Node warns past 10 listeners on one signal: a parallel step's attempts must not add one each.
    expect(getEventListeners(session.signal, 'abort')).toHaveLength(1);
    for (const attempt of attempts.slice(0, 10)) attempt.dispose();
    session.abort(new Error('interrupted'));
    expect(attempts.map((attempt) => attempt.signal.aborted)).toEqual([...Array<boolean>(10).fill(false), ...Array<boolean>(20).fill(true)]);
    expect(attempts[29]?.signal.reason).toEqual(new Error('interrupted'));
    for (const attempt of attempts.slice(10)) attempt.dispose();
  });

  it("hands a clean signal to the session's next attempt, and never one that aborted or that a provider left a listener on", () => {
    const session = new AbortController();
    const first = createAttemptSignal(session.signal, { first_token_ms: 10 });
    const clean = first.signal;
    first.dispose();
    const second = createAttemptSignal(session.signal, { first_token_ms: 10 });
    expect(second.signal).toBe(clean);
    // The first attempt's timer went with it: the reused signal is the second attempt's alone.
    vi.advanceTimersByTime(9);
    expect(second.signal.aborted).toBe(false);
    const listener = (): void => undefined;
    second.signal.addEventListener('abort', listener);
    second.dispose();
    const third = createAttemptSignal(session.signal, { first_token_ms: 10 });
    expect(third.signal).not.toBe(clean);
    vi.advanceTimersByTime(10);
    expect(third.signal.aborted).toBe(true);
    third.dispose();
    const fourth = createAttemptSignal(session.signal, { first_token_ms: 10 });
    expect(fourth.signal).not.toBe(third.signal);
    expect(fourth.signal.aborted).toBe(false);
    session.abort(new Error('interrupted'));
    expect(fourth.signal.reason).toEqual(new Error('interrupted'));
    expect(clean.aborted).toBe(false);
    fourth.dispose();
  });
});
