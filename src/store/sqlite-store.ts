/**
 * The embedded default session store: one SQLite file (better-sqlite3) that any number of conclave
 * processes on one machine may share. The database does the hard parts — `append` checks the head
 * inside a `BEGIN IMMEDIATE` transaction, so two processes can never interleave a session's log, and
 * WAL with `synchronous = NORMAL` keeps every committed append across a crash of the process.
 * WAL checkpoints run from connections of their own, never inside a commit, and their fsyncs run on
 * the thread pool (sqlite-checkpointer.ts).
 * Followers are woken at once by appends of this instance and find other processes' appends by polling;
 * runners `watch` their sessions through one timer per store (sqlite-input-watcher.ts).
 *
 * Appends are committed in groups, and a running session's row is written only when its summary
 * changes (sqlite-append-queue.ts); reads take a running session's head and updated time from its
 * log's last event (`liveSessionColumns`).
 */
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { ConclaveError, isConclaveError } from '../protocol/errors.js';
import type { NewSessionEvent, SessionEvent, SessionStatus } from '../protocol/events.js';
import type { AppendOptions, ClaimedSession, FollowOptions, ListSessionsOptions, ReadOptions, SessionStore, SessionSummary } from '../protocol/store.js';
import { createAppendWaiters, followEvents } from './append-waiters.js';
import { openDatabase } from './sqlite-database.js';
import { createSqliteCheckpointer, type SqliteCheckpointOptions } from './sqlite-checkpointer.js';
import { createSqliteInputWatcher } from './sqlite-input-watcher.js';
import { assertCreatable, claimedError, conflictError, unknownSessionError } from './store-errors.js';
import { createSqliteAppendQueue, liveSessionColumns } from './sqlite-append-queue.js';
import { countsByStatus, rowToSummary, sessionColumns, type EventRow, type SessionRow } from './store-rows.js';

export interface SqliteStoreOptions {
  /** Database file; its directory is created when the store is opened. `:memory:` for a private in-memory database. */
  path: string;
  /** How long a writer waits for another process's transaction before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** When WAL checkpoints run (off the commit path); see sqlite-checkpointer.ts. */
  checkpoint?: SqliteCheckpointOptions;
  /** How often `watch` checks whether another process wrote to the file (one check per store). Default 100 ms. */
  watchIntervalMs?: number;
}

/** A SQLite session store, which also tells where its data lives. */
export interface SqliteSessionStore extends SessionStore {
  readonly kind: 'sqlite';
  /** Absolute path of the database file (or `:memory:`). */
  readonly path: string;
}

export { sqliteSchemaVersion } from './sqlite-database.js';

/**
 * Opens (creating if needed) a SQLite session store at `options.path`.
 *
 * @example
 * const store = createSqliteStore({ path: '.conclave/conclave.db' });
 * const [event] = await store.append(sessionId, 1, [{ id: createId('event'), type: 'session.created', at, data }]);
 * await store.close();
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteSessionStore {
  const path = options.path === ':memory:' ? options.path : resolve(options.path);
  const db = openDatabase(path, options.busyTimeoutMs ?? 5000);
  const checkpointer = path === ':memory:' ? undefined : createSqliteCheckpointer(path, options.checkpoint);
  // A private in-memory database has no other writers to look for: its watchers hear only this store.
  const inputWatcher = createSqliteInputWatcher(db, { intervalMs: path === ':memory:' ? 0 : (options.watchIntervalMs ?? 100) });

  const selectSession = db.prepare<[string], SessionRow>(`SELECT ${liveSessionColumns} FROM sessions WHERE id = ?`);
  const selectHead = db.prepare<[string], number | null>('SELECT max(seq) FROM events WHERE session_id = ?').pluck();
  const countStatement = db.prepare<[], { status: string; count: number }>('SELECT status, count(*) AS count FROM sessions WHERE deleted = 0 GROUP BY status');
  const raiseEpoch = db.prepare<[string], number>('UPDATE sessions SET runner_epoch = runner_epoch + 1 WHERE id = ? RETURNING runner_epoch').pluck();
  const selectEvents = db.prepare<[string, number, number], EventRow>(
    'SELECT seq, id, type, at, data FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  /** `listSessions` statements by the filters they use; there are only a few shapes. */
  const listStatements = new Map<string, Database.Statement<unknown[], SessionRow>>();
  const listStatement = (options: ListSessionsOptions): Database.Statement<unknown[], SessionRow> => {
    const key = options.order === 'created' ? 'created_at' : 'updated_at';
    const where = ['deleted = 0'];
    if (options.workspace !== undefined) where.push('workspace = @workspace');
    if (options.status !== undefined) where.push('status = @status');
    if (options.includeArchived === false) where.push('archived_at IS NULL');
    if (options.before !== undefined) where.push('updated_at < @before');
    if (options.after !== undefined) where.push(`(${key} < @afterAt OR (${key} = @afterAt AND id < @afterId))`);
    const sql = `SELECT ${sessionColumns} FROM (SELECT ${liveSessionColumns} FROM sessions) WHERE ${where.join(' AND ')} ORDER BY ${key} DESC, id DESC LIMIT @limit`;
    let statement = listStatements.get(sql);
    if (statement === undefined) {
      statement = db.prepare<unknown[], SessionRow>(sql);
      listStatements.set(sql, statement);
    }
    return statement;
  };

  /** Followers waiting for this instance's next append to a session; also woken by `close`. */
  const waiters = createAppendWaiters();
  /** The write path: group commit, each append's checks, and when a session's row is written. */
  const appends = createSqliteAppendQueue(db, { checkpointer, waiters, inputWatcher, fail });





  let closed = false;

  function fail(error: unknown, action: string): ConclaveError {
    if (isConclaveError(error)) return error;
    const sqliteCode = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    const busy = sqliteCode.startsWith('SQLITE_BUSY') || sqliteCode.startsWith('SQLITE_LOCKED');
    const message = error instanceof Error ? error.message : String(error);
    return new ConclaveError('store_error', `${action} in ${path}: ${message}`, {
      cause: error,
      retryable: busy,
      hint: busy ? 'another process is holding the database; try again' : undefined,
    });
  }

  function assertOpen(): void {
    if (closed) throw new ConclaveError('store_error', `the session store at ${path} is closed`);
  }

  function readEvents(sessionId: string, afterSeq: number, limit: number): SessionEvent[] {
    const rows = selectEvents.all(sessionId, afterSeq, limit);
    const events = new Array<SessionEvent>(rows.length);
    for (let index = 0; index < rows.length; index += 1) {
      const row = rows[index] as EventRow;
      events[index] = { id: row.id, sessionId, seq: row.seq, type: row.type, at: row.at, data: JSON.parse(row.data) };
    }
    return events;
  }

  return {
    specificationVersion: 'v1',
    kind: 'sqlite',
    path,

    // Not async: the one promise it returns is the one the flush settles, with no wrapper per append.
    append(sessionId: string, expectedSeq: number, events: readonly NewSessionEvent[], appendOptions: AppendOptions = {}): Promise<SessionEvent[]> {
      try {
        assertOpen();
        const { fence } = appendOptions;
        if (events.length > 0) return appends.enqueue(sessionId, expectedSeq, events, fence, false);
        const row = appends.liveHead(sessionId);
        const epoch = row?.runner_epoch ?? 0;
        if (fence !== undefined && fence !== epoch) throw claimedError(sessionId, fence, epoch);
        const head = row?.last_seq ?? 0;
        if (expectedSeq !== head + 1) throw conflictError(sessionId, expectedSeq, head);
        return Promise.resolve([]);
      } catch (error) {
        return Promise.reject(fail(error, `cannot append to session ${sessionId}`));
      }
    },

    // Rides the group commit like any append: the row is inserted with claim number 1.
    createClaimed(sessionId: string, events: readonly NewSessionEvent[]): Promise<ClaimedSession> {
      try {
        assertOpen();
        assertCreatable(sessionId, events);
        return appends.enqueue(sessionId, 1, events, undefined, true).then((stored) => ({ events: stored, fence: 1 }));
      } catch (error) {
        return Promise.reject(fail(error, `cannot create session ${sessionId}`));
      }
    },

    async claim(sessionId: string): Promise<number> {
      assertOpen();
      // Appends still queued are checked against the new claim when they flush: those made under an
      // older one are refused, as they would be a moment later anyway.
      let epoch: number | undefined;
      try {
        epoch = raiseEpoch.get(sessionId);
        checkpointer?.committed();
      } catch (error) {
        throw fail(error, `cannot claim session ${sessionId}`);
      }
      if (epoch === undefined) throw unknownSessionError(sessionId);
      return epoch;
    },

    async read(sessionId: string, readOptions: ReadOptions = {}): Promise<SessionEvent[]> {
      assertOpen();
      try {
        return readEvents(sessionId, readOptions.afterSeq ?? 0, readOptions.limit ?? -1);
      } catch (error) {
        throw fail(error, `cannot read session ${sessionId}`);
      }
    },

    async head(sessionId: string): Promise<number> {
      assertOpen();
      try {
        return selectHead.get(sessionId) ?? 0;
      } catch (error) {
        throw fail(error, `cannot read the head of session ${sessionId}`);
      }
    },

    async getSession(sessionId: string): Promise<SessionSummary | undefined> {
      assertOpen();
      try {
        const row = selectSession.get(sessionId);
        return row === undefined ? undefined : rowToSummary(row);
      } catch (error) {
        throw fail(error, `cannot read session ${sessionId}`);
      }
    },

    async countSessions(): Promise<Record<SessionStatus, number>> {
      assertOpen();
      try {
        return countsByStatus(countStatement.all());
      } catch (error) {
        throw fail(error, 'cannot count sessions');
      }
    },

    async listSessions(listOptions: ListSessionsOptions = {}): Promise<SessionSummary[]> {
      assertOpen();
      try {
        const rows = listStatement(listOptions).all({
          limit: listOptions.limit ?? -1,
          workspace: listOptions.workspace,
          status: listOptions.status,
          before: listOptions.before,
          afterAt: listOptions.after?.at,
          afterId: listOptions.after?.id,
        });
        return rows.map(rowToSummary);
      } catch (error) {
        throw fail(error, 'cannot list sessions');
      }
    },

    follow(sessionId: string, followOptions: FollowOptions = {}): AsyncGenerator<SessionEvent> {
      const readPage = (afterSeq: number, limit: number): SessionEvent[] => {
        try {
          return readEvents(sessionId, afterSeq, limit);
        } catch (error) {
          throw fail(error, `cannot follow session ${sessionId}`);
        }
      };
      const pollIntervalMs = Math.max(1, followOptions.pollIntervalMs ?? 100);
      return followEvents(sessionId, followOptions, { readPage, isClosed: () => closed, waiters, pollIntervalMs });
    },

    watch(sessionId: string, onAppend: (seq?: number) => void, knownSeq?: number): () => void {
      // Once closed there is nothing to hear: the returned stop does nothing.
      return inputWatcher.watch(sessionId, onAppend, knownSeq);
    },

    async close(): Promise<void> {
      if (closed) return;
      appends.flush();
      closed = true;
      waiters.wakeAll();
      inputWatcher.close();
      // The checkpoint connection goes first; the writer, closing last, checkpoints the rest and removes the WAL.
      checkpointer?.close();
      db.close();
    },
  };
}
