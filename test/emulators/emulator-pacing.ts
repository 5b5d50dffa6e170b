/**
 * How the wire emulators pace a streamed reply, so that `conclave bench` can be checked against
 * known timing. Every content-bearing chunk is due at an absolute time measured from the moment the
 * request reached the emulator — token `i` at `receivedAt + ttftMs + i · 1000 / tokensPerSecond` —
 * instead of after a relative sleep since the previous chunk. Relative sleeps add each timer's
 * lateness to every later token (forty tokens, forty late timers); absolute deadlines keep the error
 * of token `i` to the lateness of its own wake-up.
 *
 * `sleepUntil` sleeps on `setTimeout` for the bulk of the wait and finishes with a `setImmediate`
 * spin shorter than `spinWindowMs`: Node's timers have whole-millisecond granularity and, because
 * they count from the event loop's cached time, can fire up to a millisecond early or late. The spin
 * yields to I/O on every turn, so a client sharing the event loop keeps reading while it runs.
 */
import { performance } from 'node:perf_hooks';
import type { EmulatorReply } from './emulator-script.js';

/** The last stretch of a wait that is spun on `setImmediate` rather than left to a timer. */
const spinWindowMs = 1;

function timer(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Resolves once `performance.now()` has reached `deadline`, never before it; at once when the
 * deadline has passed.
 *
 * @example
 * const start = performance.now();
 * await sleepUntil(start + 120);
 * performance.now() - start // → 120.0x
 */
export async function sleepUntil(deadline: number): Promise<void> {
  for (;;) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) return;
    if (remaining > spinWindowMs) await timer(Math.max(1, Math.floor(remaining - spinWindowMs)));
    else await nextTurn();
  }
}

/**
 * Sleeps `milliseconds` (nothing for zero or less), with the accuracy of `sleepUntil`.
 *
 * @example
 * await sleepFor(20); // let the last chunks leave before the socket is cut
 */
export function sleepFor(milliseconds: number): Promise<void> {
  return sleepUntil(performance.now() + milliseconds);
}

/** When each token of one streamed reply is due. */
export interface TokenSchedule {
  /** `performance.now()` when the request reached the emulator. */
  readonly receivedAt: number;
  /** When the first token (and a non-streamed answer) is due: `receivedAt + ttftMs`. */
  readonly firstTokenAt: number;
  /** Milliseconds between tokens: `1000 / tokensPerSecond`, 0 when the reply sets no rate. */
  readonly tokenIntervalMs: number;
  /** When the 0-based token `index` is due. */
  tokenAt(index: number): number;
  /** Waits until token `index` is due. */
  untilToken(index: number): Promise<void>;
}

/**
 * The absolute schedule of a reply's tokens, counted from when its request arrived. Chunks that
 * carry no token (a role header, `message_start`, a finish or usage chunk) are not on it: they go
 * out with their neighbours, so they add no gap of their own.
 *
 * @example
 * const receivedAt = performance.now();              // first thing in the request handler
 * const schedule = tokenSchedule({ ttftMs: 120, tokensPerSecond: 200 }, receivedAt);
 * schedule.tokenAt(3) - receivedAt                    // → 135
 * await schedule.untilToken(0);                       // then write the first token
 */
export function tokenSchedule(reply: Pick<EmulatorReply, 'ttftMs' | 'tokensPerSecond'>, receivedAt: number): TokenSchedule {
  const firstTokenAt = receivedAt + Math.max(0, reply.ttftMs ?? 0);
  const rate = reply.tokensPerSecond;
  const tokenIntervalMs = rate !== undefined && rate > 0 ? 1000 / rate : 0;
  const tokenAt = (index: number): number => firstTokenAt + index * tokenIntervalMs;
  return {
    receivedAt,
    firstTokenAt,
    tokenIntervalMs,
    tokenAt,
    untilToken: (index) => sleepUntil(tokenAt(index)),
  };
}
