/**
 * Per-provider limits shared by every session of a kernel: at most `concurrency` calls in flight,
 * at most `requests_per_minute` calls started and `tokens_per_minute` tokens used in any sliding
 * minute. A call waits (abortably) for room instead of being refused, so a burst of sessions slows
 * down rather than collecting 429s.
 */
import { abortedError, type Clock } from './clock.js';

export interface ProviderLimits {
  concurrency?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

const minuteMs = 60_000;

export class ProviderLimiter {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly starts: number[] = [];
  private readonly usage: Array<{ at: number; tokens: number }> = [];

  constructor(
    private readonly limits: ProviderLimits,
    private readonly clock: Clock,
  ) {}

  /**
   * Waits for room, then counts the call as started. Call the returned function with the tokens it
   * used when it ends.
   *
   * @example
   * const release = await limiter.acquire(signal);
   * try { … } finally { release(usage.inputTokens + usage.outputTokens); }
   */
  async acquire(signal: AbortSignal): Promise<(tokens: number) => void> {
    for (;;) {
      if (signal.aborted) throw abortedError(signal);
      const wait = this.waitMs();
      if (wait === 0) break;
      if (wait === Infinity) await this.nextRelease(signal);
      else await this.clock.sleep(wait, signal);
    }
    this.inFlight += 1;
    this.starts.push(this.clock.now());
    let released = false;
    return (tokens: number) => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      if (tokens > 0) this.usage.push({ at: this.clock.now(), tokens });
      this.waiting.shift()?.();
    };
  }

  /** 0 when a call may start now, Infinity when it must wait for a release, else ms to wait. */
  private waitMs(): number {
    const now = this.clock.now();
    while (this.starts.length > 0 && (this.starts[0] ?? 0) <= now - minuteMs) this.starts.shift();
    while (this.usage.length > 0 && (this.usage[0]?.at ?? 0) <= now - minuteMs) this.usage.shift();
    const { concurrency, requestsPerMinute, tokensPerMinute } = this.limits;
    if (concurrency !== undefined && this.inFlight >= concurrency) return Infinity;
    if (requestsPerMinute !== undefined && this.starts.length >= requestsPerMinute) return (this.starts[0] ?? now) + minuteMs - now;
    if (tokensPerMinute !== undefined) {
      let used = 0;
      for (const entry of this.usage) used += entry.tokens;
      if (used >= tokensPerMinute) return (this.usage[0]?.at ?? now) + minuteMs - now;
    }
    return 0;
  }

  private nextRelease(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiting.indexOf(wake);
        if (index !== -1) this.waiting.splice(index, 1);
        reject(abortedError(signal));
      };
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiting.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
