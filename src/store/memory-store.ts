/**
 * The reference session store: everything in one process's memory, nothing durable. Tests and
 * `--db :memory:` use it, and it defines the behaviour the conformance suite expects of every other
 * store. Event data is kept as JSON text, exactly as a durable store would keep it, so what a reader
 * gets back (a fresh object, JSON semantics) does not depend on which store is plugged in.
 */
import { ConclaveError } from '../protocol/errors.js';
import type { NewSessionEvent, SessionEvent, SessionStatus } from '../protocol/events.js';
import type { AppendOptions, ClaimedSession, FollowOptions, ListSessionsOptions, ReadOptions, SessionStore, SessionSummary } from '../protocol/store.js';
import { createAppendWaiters, followEvents } from './append-waiters.js';
import { countsByStatus } from './store-rows.js';
import { assertCreatable, claimedError, conflictError, encodeEventData, unknownSessionError } from './store-errors.js';
import { applyEventsToSummary, createSessionSummary, listsSession, sortKeyOf } from './session-summary.js';

interface StoredEvent {
  id: string;
  seq: number;
  type: string;
  at: string;
  dataJson: string;
}

interface SessionLog {
  events: StoredEvent[];
  summary: SessionSummary;
  /** The latest claim number (0: never claimed). */
  epoch: number;
}

/**
 * Creates an empty in-memory session store.
 *
 * @example
 * const store = createMemoryStore();
 * await store.append('sesn_1', 1, [{ id: createId('event'), type: 'user.message', at, data: { text: 'hi' } }]);
 * await store.head('sesn_1'); // → 1
 */
export function createMemoryStore(): SessionStore {
  const logs = new Map<string, SessionLog>();
  const waiters = createAppendWaiters();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new ConclaveError('store_error', 'the memory session store is closed');
  }

  function materialize(sessionId: string, stored: StoredEvent): SessionEvent {
    return { id: stored.id, sessionId, seq: stored.seq, type: stored.type, at: stored.at, data: JSON.parse(stored.dataJson) };
  }

  function readLog(sessionId: string, afterSeq: number, limit: number | undefined): SessionEvent[] {
    const events = logs.get(sessionId)?.events ?? [];
    const start = Math.max(0, Math.floor(afterSeq));
    const end = limit === undefined ? events.length : Math.min(events.length, start + Math.max(0, limit));
    const result: SessionEvent[] = [];
    for (let index = start; index < end; index += 1) {
      const stored = events[index];
      if (stored !== undefined) result.push(materialize(sessionId, stored));
    }
    return result;
  }

  /** Appends now (a claim number for a new session's log: 0, or 1 from `createClaimed`). */
  function appendNow(sessionId: string, expectedSeq: number, events: readonly NewSessionEvent[], options: AppendOptions, newEpoch: number): SessionEvent[] {
    assertOpen();
    const log = logs.get(sessionId);
    const head = log === undefined ? 0 : log.events.length;
    if (options.fence !== undefined && options.fence !== (log?.epoch ?? 0)) throw claimedError(sessionId, options.fence, log?.epoch ?? 0);
    if (expectedSeq !== head + 1) throw conflictError(sessionId, expectedSeq, head);
    if (events.length === 0) return [];
    const appended = events.map((event, index): SessionEvent => ({
      id: event.id,
      sessionId,
      seq: expectedSeq + index,
      type: event.type,
      at: event.at,
      data: event.data,
    }));
    const stored = appended.map((event): StoredEvent => ({
      id: event.id,
      seq: event.seq,
      type: event.type,
      at: event.at,
      dataJson: encodeEventData(sessionId, event),
    }));
    const summary = applyEventsToSummary(log?.summary ?? createSessionSummary(sessionId, appended[0]?.at ?? ''), appended);
    if (log === undefined) logs.set(sessionId, { events: stored, summary, epoch: newEpoch });
    else {
      for (const event of stored) log.events.push(event);
      log.summary = summary;
    }
    waiters.wake(sessionId);
    return appended;
  }

  return {
    specificationVersion: 'v1',
    kind: 'memory',

    async append(sessionId: string, expectedSeq: number, events: readonly NewSessionEvent[], options: AppendOptions = {}): Promise<SessionEvent[]> {
      return appendNow(sessionId, expectedSeq, events, options, 0);
    },

    async createClaimed(sessionId: string, events: readonly NewSessionEvent[]): Promise<ClaimedSession> {
      assertCreatable(sessionId, events);
      return { events: appendNow(sessionId, 1, events, {}, 1), fence: 1 };
    },

    async claim(sessionId: string): Promise<number> {
      assertOpen();
      const log = logs.get(sessionId);
      if (log === undefined) throw unknownSessionError(sessionId);
      log.epoch += 1;
      return log.epoch;
    },

    async read(sessionId: string, options: ReadOptions = {}): Promise<SessionEvent[]> {
      assertOpen();
      return readLog(sessionId, options.afterSeq ?? 0, options.limit);
    },

    async head(sessionId: string): Promise<number> {
      assertOpen();
      return logs.get(sessionId)?.events.length ?? 0;
    },

    async getSession(sessionId: string): Promise<SessionSummary | undefined> {
      assertOpen();
      const summary = logs.get(sessionId)?.summary;
      return summary === undefined ? undefined : { ...summary };
    },

    async countSessions(): Promise<Record<SessionStatus, number>> {
      assertOpen();
      const counts = countsByStatus([]);
      for (const log of logs.values()) if (!log.summary.deleted) counts[log.summary.status] += 1;
      return counts;
    },

    async listSessions(options: ListSessionsOptions = {}): Promise<SessionSummary[]> {
      assertOpen();
      const summaries: SessionSummary[] = [];
      for (const log of logs.values()) {
        if (listsSession(log.summary, options)) summaries.push({ ...log.summary });
      }
      summaries.sort((left, right) => compareDescending(sortKeyOf(left, options.order), sortKeyOf(right, options.order)) || compareDescending(left.id, right.id));
      return options.limit === undefined ? summaries : summaries.slice(0, Math.max(0, options.limit));
    },

    follow(sessionId: string, options: FollowOptions = {}): AsyncGenerator<SessionEvent> {
      return followEvents(sessionId, options, { readPage: (afterSeq, limit) => readLog(sessionId, afterSeq, limit), isClosed: () => closed, waiters });
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      waiters.wakeAll();
    },
  };
}


function compareDescending(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? 1 : -1;
}
