/**
 * Waiting and pacing for the offline simulator. Every wait listens to the abort signal and clears
 * its timer when it fires, so an aborted stream leaves nothing behind; deltas are paced against an
 * absolute schedule (first token at start + ttft, token i at that plus i / rate) so timer overhead
 * does not accumulate into drift. With no ttft and no rate nothing here touches a timer.
 */
import type { StreamPart } from '../../src/protocol/index.js';
import { splitTokens } from './token-estimate.js';

/**
 * Waits `milliseconds`; resolves true when the time passed, false as soon as `signal` aborts.
 *
 * @example
 * if (!(await sleep(300, signal))) return; // aborted
 */
export function sleep(milliseconds: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (milliseconds <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, milliseconds);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Waits until `performance.now()` reaches `target`; waits shorter than a millisecond are skipped,
 * the schedule catches up on the next token.
 *
 * @example
 * await sleepUntil(start + (index * 1000) / tokensPerSecond, signal);
 */
export function sleepUntil(target: number, signal: AbortSignal): Promise<boolean> {
  const remaining = target - performance.now();
  if (remaining < 1) return Promise.resolve(!signal.aborted);
  return sleep(Math.ceil(remaining), signal);
}

export interface Pacing {
  ttftMs: number;
  tokensPerSecond: number | undefined;
}

/**
 * Waits until the first token is due (`start + ttftMs`; at once when `ttftMs` is 0). Resolves true
 * when it is, false when `signal` aborted first. The one place both paces start from: `streamText`,
 * and the offline model's one-delta path, which waits here instead of delegating to `streamText`.
 *
 * @example
 * if (!(await firstTokenDue({ ttftMs: 300, tokensPerSecond: undefined }, signal, start))) return; // aborted
 */
export async function firstTokenDue(pacing: Pacing, signal: AbortSignal, start: number): Promise<boolean> {
  if (pacing.ttftMs > 0 && !(await sleepUntil(start + pacing.ttftMs, signal))) return false;
  return !signal.aborted;
}

/**
 * Streams `text` as `text-delta` parts: after `ttftMs`, in one delta, or token by token at
 * `tokensPerSecond`. Returns false when `signal` aborted (the caller reports it).
 *
 * @example
 * const completed = yield* streamText('Hello there.', { ttftMs: 300, tokensPerSecond: 50 }, signal, performance.now());
 */
export async function* streamText(
  text: string,
  pacing: Pacing,
  signal: AbortSignal,
  start: number,
): AsyncGenerator<StreamPart, boolean> {
  const firstTokenAt = start + pacing.ttftMs;
  if (!(await firstTokenDue(pacing, signal, start))) return false;
  if (pacing.tokensPerSecond === undefined) {
    if (text !== '') yield { type: 'text-delta', delta: text };
    return true;
  }
  const interval = 1000 / pacing.tokensPerSecond;
  const tokens = splitTokens(text);
  for (let index = 0; index < tokens.length; index += 1) {
    if (index > 0 && !(await sleepUntil(firstTokenAt + index * interval, signal))) return false;
    if (signal.aborted) return false;
    yield { type: 'text-delta', delta: tokens[index] as string };
  }
  return !signal.aborted;
}
