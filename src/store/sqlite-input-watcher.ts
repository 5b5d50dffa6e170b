/**
 * How a SQLite store hears of appends other processes make to the sessions it is asked to watch
 * (`SessionStore.watch`), with one timer per store instead of one per running session: 1,000 running
 * sessions each polling `head` every 100 ms cost 1,000 timers and 10,000 queries a second.
 *
 * Each tick runs `PRAGMA data_version` on the store's connection, which changes only when another
 * connection committed to the file — not for this connection's own commits, nor for the PASSIVE
 * checkpoints of any connection (a TRUNCATE or RESTART checkpoint elsewhere bumps it, which costs one
 * needless query and no call). Only when it changed does the tick read the head of every watched
 * session in one statement, and call the watchers of each session whose head passed what they had
 * seen. This store's own appends are announced to watchers through `announce`, on the next turn of
 * the event loop, so in-process writers through another kernel are heard too.
 * The timer is unref'd. It starts with the first watch and stops at its first tick with nothing
 * watched, so sessions run one after another keep one timer instead of making one each.
 */
import type Database from 'better-sqlite3';

export interface SqliteInputWatcherOptions {
  /** How often the data version is checked while a session is watched. Default 100 ms; 0 hears only this store's appends. */
  intervalMs?: number;
  /** Told about a check that failed (the watcher stays quiet otherwise and tries again next tick). */
  onError?: (error: unknown) => void;
}

/** Watches sessions of one SQLite connection; close it before the connection. */
export interface SqliteInputWatcher {
  /**
   * Calls `onAppend(seq)` when the session's last seq passes what this watcher last saw — at first
   * `knownSeq` when given, else the session's last seq read now; returns the stop function.
   */
  watch(sessionId: string, onAppend: (seq?: number) => void, knownSeq?: number): () => void;
  /** Tells watchers of `sessionId` that this connection committed its log up to `seq`. */
  announce(sessionId: string, seq: number): void;
  /** How many sessions are watched now. */
  readonly watchedSessions: number;
  /** Whether the timer exists now: from the first watch (unless the interval is 0) to the first tick with nothing watched. */
  readonly polling: boolean;
  /** Stops the timer and forgets every watcher. */
  close(): void;
}

/** One watched session: its listeners, and the highest last seq they were told about (or that existed when watching began). */
interface WatchedSession {
  listeners: Set<(seq?: number) => void>;
  seenSeq: number;
}

/**
 * Creates the watcher of the connection `db` (which must have the conclave schema); nothing runs
 * until the first `watch`.
 *
 * @example
 * const watcher = createSqliteInputWatcher(db, { intervalMs: 100 });
 * const stop = watcher.watch(sessionId, (seq) => void writer.refresh());
 * stop();
 * watcher.close();
 */
export function createSqliteInputWatcher(db: Database.Database, options: SqliteInputWatcherOptions = {}): SqliteInputWatcher {
  const intervalMs = Math.max(0, options.intervalMs ?? 100);
  const readDataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  // A session's head is its log's last seq (a running session's row does not keep it; see sqlite-store.ts).
  const readHead = db.prepare<[string], number | null>('SELECT max(seq) FROM events WHERE session_id = ?').pluck();
  // One statement however many sessions are watched: their ids go in as a JSON array, each head one
  // seek in the events' primary key; rows as arrays (cheaper than objects).
  const readHeads = db
    .prepare<[string], [string, number]>('SELECT watched.value, coalesce((SELECT max(seq) FROM events WHERE session_id = watched.value), 0) FROM json_each(?) AS watched')
    .raw(true);
  const sessions = new Map<string, WatchedSession>();
  /** Ids of `sessions` as the JSON `readHeads` takes; rebuilt only after the watched set changes. */
  let idsJson: string | undefined;
  let dataVersion = 0;
  let timer: NodeJS.Timeout | undefined;
  /** This connection's appends not yet announced, by session: the highest seq. */
  let announcements = new Map<string, number>();
  let announceScheduled = false;
  let closed = false;

  function notify(sessionId: string, seq: number): void {
    const session = sessions.get(sessionId);
    if (session === undefined || seq <= session.seenSeq) return;
    session.seenSeq = seq;
    for (const listener of [...session.listeners]) {
      try {
        listener(seq);
      } catch (error) {
        // One failing watcher must not keep the news from the others.
        options.onError?.(error);
      }
    }
  }

  /** The session's last seq now; 0 when it cannot be read (the next change is then reported, maybe early). */
  function startingSeq(sessionId: string): number {
    try {
      return readHead.get(sessionId) ?? 0;
    } catch (error) {
      options.onError?.(error);
      return 0;
    }
  }

  function tick(): void {
    if (closed) return;
    if (sessions.size === 0) {
      stopTimer();
      return;
    }
    try {
      const version = readDataVersion.get() as number;
      if (version === dataVersion) return;
      dataVersion = version;
      idsJson ??= JSON.stringify([...sessions.keys()]);
      for (const [sessionId, lastSeq] of readHeads.all(idsJson)) notify(sessionId, lastSeq);
    } catch (error) {
      // A busy or vanished file: the next tick looks again (the data version is re-read then).
      dataVersion = -1;
      options.onError?.(error);
    }
  }

  function flushAnnouncements(): void {
    announceScheduled = false;
    const batch = announcements;
    announcements = new Map();
    if (closed) return;
    for (const [sessionId, seq] of batch) notify(sessionId, seq);
  }

  function startTimer(): void {
    if (timer !== undefined || intervalMs === 0) return;
    // Changes before this point are covered by each session's starting `seenSeq`.
    try {
      dataVersion = readDataVersion.get() as number;
    } catch {
      dataVersion = -1; // the first tick reads the heads
    }
    timer = setInterval(tick, intervalMs);
    timer.unref();
  }

  function stopTimer(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  return {
    watch(sessionId, onAppend, knownSeq) {
      if (closed) return () => undefined;
      let session = sessions.get(sessionId);
      if (session === undefined) {
        session = { listeners: new Set(), seenSeq: knownSeq ?? startingSeq(sessionId) };
        sessions.set(sessionId, session);
        idsJson = undefined;
      }
      // Wrapped so the same function can watch twice and each stop removes only its own.
      const listener = (seq?: number): void => onAppend(seq);
      session.listeners.add(listener);
      startTimer();
      return () => {
        const current = sessions.get(sessionId);
        if (current === undefined || !current.listeners.delete(listener) || current.listeners.size > 0) return;
        sessions.delete(sessionId);
        idsJson = undefined;
        // The timer stays until its next tick: the next session to start (often at once) reuses it.
      };
    },

    announce(sessionId, seq) {
      if (closed || !sessions.has(sessionId)) return;
      announcements.set(sessionId, Math.max(seq, announcements.get(sessionId) ?? 0));
      // After the appender's promise continuations, so a runner's writer already knows its own seq.
      if (!announceScheduled) {
        announceScheduled = true;
        setImmediate(flushAnnouncements);
      }
    },

    get watchedSessions() {
      return sessions.size;
    },

    get polling() {
      return timer !== undefined;
    },

    close() {
      if (closed) return;
      closed = true;
      stopTimer();
      sessions.clear();
      announcements.clear();
    },
  };
}
