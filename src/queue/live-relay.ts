/**
 * Token deltas across processes. Events reach every process through the store, but text as it
 * streams is never journaled: a worker's kernel publishes it only to its own live feed. The relay
 * carries it over Redis — the worker side publishes each session's deltas (batched per event-loop
 * turn) on `<prefix>:live:<session id>`, and the server side subscribes to a session's channel only
 * while one of its SSE clients asks for that session's deltas, feeding them into the server's own
 * live feed, so the SSE code does not know where a session runs. Best effort, like deltas themselves.
 *
 * Deltas cross the relay as the worker's kernel published them — already redacted (the worker knows
 * its own keys and vault secrets), with their `attempt`, and in order, `reset`s included — so a
 * server's client applies the same keep-the-last-attempt rule as a client of the worker itself.
 */
import { Redis } from 'ioredis';
import type { LiveEvents, StreamDelta } from '../kernel/index.js';
import type { QueueTarget } from './queue-target.js';

/** The Redis channel of one session's deltas. */
export function liveChannel(target: QueueTarget, sessionId: string): string {
  return `${target.prefix}:live:${sessionId}`;
}

/** Stops a relay and closes its Redis connection. */
export type StopRelay = () => Promise<void>;

/**
 * Worker side: publishes every delta of this process's sessions to Redis.
 *
 * @example
 * const stop = publishLiveDeltas(kernel.live, queue.target);
 * … await stop();
 */
export function publishLiveDeltas(live: LiveEvents, target: QueueTarget): StopRelay {
  const redis = new Redis(target.url, { maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', () => undefined);
  let batches = new Map<string, StreamDelta[]>();
  const flush = (): void => {
    const ready = batches;
    batches = new Map();
    for (const [sessionId, deltas] of ready) void redis.publish(liveChannel(target, sessionId), JSON.stringify(deltas)).catch(() => undefined);
  };
  const stopListening = live.subscribe('*', (item) => {
    if (item.type !== 'delta') return;
    let batch = batches.get(item.sessionId);
    if (batch === undefined) {
      if (batches.size === 0) setImmediate(flush);
      batch = [];
      batches.set(item.sessionId, batch);
    }
    batch.push(item);
  });
  return async () => {
    stopListening();
    flush();
    await redis.quit().catch(() => undefined);
  };
}

/**
 * Server side: while a session has listeners here, takes its deltas from Redis into `live`.
 *
 * @example
 * const stop = receiveLiveDeltas(kernel.live, queue.target);
 * … await stop();
 */
export function receiveLiveDeltas(live: LiveEvents, target: QueueTarget): StopRelay {
  const redis = new Redis(target.url, { maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', () => undefined);
  const prefix = liveChannel(target, '');
  redis.on('message', (channel: string, message: string) => {
    if (!channel.startsWith(prefix)) return;
    const sessionId = channel.slice(prefix.length);
    let deltas: StreamDelta[];
    try {
      deltas = JSON.parse(message) as StreamDelta[];
    } catch {
      return;
    }
    if (!Array.isArray(deltas)) return;
    for (const delta of deltas) {
      // A worker of an older release sends no attempt: its deltas all belong to the first.
      if (delta?.type === 'delta') live.publish(sessionId, typeof delta.attempt === 'number' ? delta : { ...delta, attempt: 1 });
    }
  });
  const stopObserving = live.observeSubscriptions({
    first: (sessionId) => void redis.subscribe(liveChannel(target, sessionId)).catch(() => undefined),
    last: (sessionId) => void redis.unsubscribe(liveChannel(target, sessionId)).catch(() => undefined),
  });
  return async () => {
    stopObserving();
    await redis.quit().catch(() => undefined);
  };
}
