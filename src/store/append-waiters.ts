/**
 * Following a session, shared by every store: `follow` pages through what exists, then parks here
 * until `append` (or `close`) wakes it. An optional timeout turns the wait into a poll, for stores
 * whose other writers live in other processes.
 */

import type { SessionEvent } from '../protocol/events.js';
import type { FollowOptions } from '../protocol/store.js';

export interface AppendWaiters {
  /**
   * Resolves on the session's next `wake`, when `signal` aborts, or after `timeoutMs` if given — or
   * at once when any wake happened since `generation` was read (a reader that awaited its read
   * cannot miss an append that landed meanwhile).
   */
  wait(sessionId: string, signal: AbortSignal | undefined, timeoutMs?: number, since?: number): Promise<void>;
  /** A number that changes with every wake; read it before reading the log. */
  readonly generation: number;
  /** Wakes every follower of a session. */
  wake(sessionId: string): void;
  /** Wakes every follower of every session (on close). */
  wakeAll(): void;
}

/**
 * Creates an empty set of waiters.
 *
 * @example
 * const waiters = createAppendWaiters();
 * await waiters.wait(sessionId, signal, 100); // in follow
 * waiters.wake(sessionId);                    // after an append
 */
export function createAppendWaiters(): AppendWaiters {
  const waiters = new Map<string, Set<() => void>>();
  let generation = 0;
  const wake = (sessionId: string): void => {
    generation += 1;
    const set = waiters.get(sessionId);
    if (set === undefined) return;
    waiters.delete(sessionId);
    for (const resolveWaiter of set) resolveWaiter();
  };
  return {
    get generation() {
      return generation;
    },
    wait(sessionId, signal, timeoutMs, since) {
      return new Promise((resolveWait) => {
        // Already woken since the caller read the log, or already aborted (an abort that came while
        // the caller was reading would otherwise never fire again): no wait.
        if ((since !== undefined && since !== generation) || signal?.aborted === true) {
          resolveWait();
          return;
        }
        const done = (): void => {
          if (timer !== undefined) clearTimeout(timer);
          waiters.get(sessionId)?.delete(done);
          signal?.removeEventListener('abort', done);
          resolveWait();
        };
        const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
        let set = waiters.get(sessionId);
        if (set === undefined) {
          set = new Set();
          waiters.set(sessionId, set);
        }
        set.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
    wake,
    wakeAll() {
      generation += 1;
      for (const sessionId of [...waiters.keys()]) wake(sessionId);
    },
  };
}

export interface FollowSource {
  /** Events of the session with `seq > afterSeq`, at most `limit`. */
  readPage(afterSeq: number, limit: number): SessionEvent[] | Promise<SessionEvent[]>;
  isClosed(): boolean;
  waiters: AppendWaiters;
  /**
   * Also look again after this long (another process may have written). Undefined: only on wake. A
   * function is asked before every wait (PostgreSQL polls only while its notifications are down).
   */
  pollIntervalMs?: number | (() => number | undefined);
}

/** Events a follower takes per read, so a long backlog is not loaded in one go. */
const followPageSize = 256;

/**
 * The `follow` of every store: page through what exists after `afterSeq`, then park until the next
 * append (or poll), until the signal aborts or the store closes.
 *
 * @example
 * return followEvents(sessionId, options, { readPage, isClosed: () => closed, waiters, pollIntervalMs: 100 });
 */
export async function* followEvents(sessionId: string, options: FollowOptions, source: FollowSource): AsyncGenerator<SessionEvent> {
  const { signal } = options;
  const stopped = (): boolean => source.isClosed() || signal?.aborted === true;
  let cursor = options.afterSeq ?? 0;
  while (!stopped()) {
    const since = source.waiters.generation;
    const batch = await source.readPage(cursor, followPageSize);
    if (batch.length === 0) {
      const poll = typeof source.pollIntervalMs === 'function' ? source.pollIntervalMs() : source.pollIntervalMs;
      await source.waiters.wait(sessionId, signal, poll, since);
      continue;
    }
    for (const event of batch) {
      yield event;
      cursor = event.seq;
      if (stopped()) return;
    }
  }
}
