/**
 * One async iterable of a session's journaled events and the live text deltas of its calls: events
 * come from the store (so nothing is missed, whoever writes them), deltas from the kernel's live
 * feed, interleaved in the order they arrive.
 */
import type { LiveItem, StreamDelta } from '../kernel/index.js';
import type { SessionEvent } from '../protocol/index.js';

/** What a stream with deltas yields: a journaled event, or a piece of a call's output as it streams. */
export type StreamedItem = { type: 'event'; event: SessionEvent } | StreamDelta;

/**
 * Merges the events `follow` yields (a store's `follow`, given a signal it stops at) with the deltas a live subscription delivers; ends when
 * they end or `signal` aborts, and unsubscribes.
 *
 * @example
 * for await (const item of mergeLiveDeltas((signal) => store.follow(id, { signal }), (listener) => kernel.live.subscribe(id, listener))) render(item);
 */
export async function* mergeLiveDeltas(
  follow: (signal: AbortSignal) => AsyncIterable<SessionEvent>,
  subscribe: (listener: (item: LiveItem) => void) => () => void,
  signal?: AbortSignal,
): AsyncGenerator<StreamedItem> {
  // Our own controller, so that a consumer that stops early also ends the store's follow.
  const controller = new AbortController();
  const forward = (): void => controller.abort();
  if (signal?.aborted === true) controller.abort();
  else signal?.addEventListener('abort', forward, { once: true });
  const events = follow(controller.signal);
  const queue: StreamedItem[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: { error: unknown } | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const unsubscribe = subscribe((item) => {
    if (item.type !== 'delta') return;
    queue.push(item);
    notify();
  });
  void (async () => {
    try {
      for await (const event of events) {
        queue.push({ type: 'event', event });
        notify();
      }
    } catch (error) {
      if (!controller.signal.aborted) failure = { error };
    } finally {
      finished = true;
      notify();
    }
  })();
  try {
    for (;;) {
      const item = queue.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure !== undefined) throw failure.error;
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', forward);
    controller.abort();
  }
}
