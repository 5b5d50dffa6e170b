/**
 * Followers waiting for a session's next append, shared by every store: `follow` parks here when it
 * has read everything, and `append` (or `close`) wakes it. An optional timeout turns the wait into a
 * poll, for stores whose other writers live in other processes.
 */

export interface AppendWaiters {
  /** Resolves on the session's next `wake`, when `signal` aborts, or after `timeoutMs` if given. */
  wait(sessionId: string, signal: AbortSignal | undefined, timeoutMs?: number): Promise<void>;
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
  const wake = (sessionId: string): void => {
    const set = waiters.get(sessionId);
    if (set === undefined) return;
    waiters.delete(sessionId);
    for (const resolveWaiter of set) resolveWaiter();
  };
  return {
    wait(sessionId, signal, timeoutMs) {
      return new Promise((resolveWait) => {
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
      for (const sessionId of [...waiters.keys()]) wake(sessionId);
    },
  };
}
