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
 * A running session's row is not written by every append. Its `last_seq` and `updated_at` are
 * written with every change to what the row says (status, title, archive, deletion) and by every
 * append to a session that is not running; while it runs, an append that changes nothing else
 * writes only its events, and reads take both from the log's last event. A row written on every
 * step put one more page in the WAL of every commit (≈ 18 % of a pipeline step's commit, measured
 * at the SQL level), while a session's head is one seek in the events' primary key.
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
import { assertCreatable, claimedError, conflictError, encodeEventData, unknownSessionError } from './store-errors.js';
import { applySummaryChange, createSessionSummary, summarizeChange, type SummaryChange } from './session-summary.js';
import { countsByStatus, rowToSummary, sessionColumns, type EventRow, type SessionRow } from './store-rows.js';

/**
 * The session columns as reads see them: a running session's `updated_at` and `last_seq` come from
 * its log's last event, since appends while it runs leave them unwritten (see above). A CASE runs
 * its subqueries only for the running rows.
 */
const liveSessionColumns = `id, created_at,
  CASE status WHEN 'running' THEN coalesce((SELECT at FROM events WHERE session_id = sessions.id ORDER BY seq DESC LIMIT 1), updated_at) ELSE updated_at END AS updated_at,
  status, topology, title,
  CASE status WHEN 'running' THEN coalesce((SELECT max(seq) FROM events WHERE session_id = sessions.id), last_seq) ELSE last_seq END AS last_seq,
  workspace, archived_at, deleted`;

/** Whether a summary change sets more than a session's head (`updatedAt`, `lastSeq`): then its row is written even while it runs. */
function changesMoreThanHead(change: SummaryChange): boolean {
  return change.status !== undefined || change.created !== undefined || change.title !== undefined || change.archivedAt !== undefined || change.deleted !== undefined;
}

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

interface PendingAppend {
  sessionId: string;
  expectedSeq: number;
  fence: number | undefined;
  appended: SessionEvent[];
  dataTexts: string[];
  /** `createClaimed`: the new session's row starts with claim number 1. */
  claimNew: boolean;
  resolve: (events: SessionEvent[]) => void;
  reject: (error: unknown) => void;
}

/** What an append checks of a session: its head (the log's last seq), its claim and its status. */
interface LiveHead {
  last_seq: number;
  runner_epoch: number;
  status: string;
}

/** Why an append expecting `expectedSeq` (fenced with `fence`) is refused by a session whose row is `row`; undefined when it is not. */
function refusalOf(sessionId: string, expectedSeq: number, fence: number | undefined, row: LiveHead | undefined): ConclaveError | undefined {
  const epoch = row?.runner_epoch ?? 0;
  if (fence !== undefined && fence !== epoch) return claimedError(sessionId, fence, epoch);
  const head = row?.last_seq ?? 0;
  return expectedSeq === head + 1 ? undefined : conflictError(sessionId, expectedSeq, head);
}

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
  /** What an append checks: the head (one seek in the events' primary key), the claim, and whether the session runs. */
  const selectLiveHead = db.prepare<[string, string], LiveHead>(
    'SELECT coalesce((SELECT max(seq) FROM events WHERE session_id = ?), 0) AS last_seq, runner_epoch, status FROM sessions WHERE id = ?',
  );
  const raiseEpoch = db.prepare<[string], number>('UPDATE sessions SET runner_epoch = runner_epoch + 1 WHERE id = ? RETURNING runner_epoch').pluck();
  const insertEvent = db.prepare<[string, number, string, string, string, string]>(
    'INSERT INTO events (session_id, seq, id, type, at, data) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertSession = db.prepare<[string, string, string, string, string, string, number, string, string | null, number, number]>(
    `INSERT INTO sessions (${sessionColumns}, runner_epoch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // The row is patched after the append's checks (head and claim, read in the same transaction).
  // What most patches change is only these columns, so the `sessions_by_workspace` index is left alone.
  const patchSessionHead = db.prepare<[string, number, string | null, string]>('UPDATE sessions SET updated_at = ?, last_seq = ?, status = coalesce(?, status) WHERE id = ?');
  // Applies any SummaryChange without reading the row first: NULL means "unchanged".
  type FullPatch = [string, number, string | null, string | null, string | null, string | null, string | null, string | null, number | null, string];
  const patchSession = db.prepare<FullPatch>(`UPDATE sessions SET updated_at = ?, last_seq = ?, status = coalesce(?, status),
       topology = coalesce(?, topology), title = coalesce(?, title), created_at = coalesce(?, created_at),
       workspace = coalesce(?, workspace), archived_at = coalesce(?, archived_at), deleted = coalesce(?, deleted)
     WHERE id = ?`);
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

  // Group commit: appends queued in one turn of the event loop (from any number of sessions) are
  // written in one transaction, flushed on setImmediate — after every timer and I/O callback of the
  // turn has queued its append. Each append keeps its own head check, so a conflict rejects only
  // that append; the summary is patched from the events alone, and a running session's row only
  // when the append changes more than its head (see the module's comment).
  const writeBatch = db.transaction((batch: PendingAppend[], outcomes: unknown[]) => {
    for (let position = 0; position < batch.length; position += 1) {
      const pending = batch[position] as PendingAppend;
      const { sessionId, expectedSeq, fence, appended, dataTexts, claimNew } = pending;
      const change = summarizeChange(appended) as SummaryChange;
      const row = selectLiveHead.get(sessionId, sessionId);
      if (expectedSeq === 1) {
        // A new session: there must be no row yet (and no claim held on it).
        if (row !== undefined || (fence !== undefined && fence !== 0)) {
          outcomes[position] = refusalOf(sessionId, expectedSeq, fence, row) ?? conflictError(sessionId, expectedSeq, row?.last_seq ?? 0);
          continue;
        }
        const summary = applySummaryChange(createSessionSummary(sessionId, (appended[0] as SessionEvent).at), change);
        insertSession.run(sessionId, summary.createdAt, summary.updatedAt, summary.status, summary.topology, summary.title, summary.lastSeq, summary.workspace, summary.archivedAt, summary.deleted ? 1 : 0, claimNew ? 1 : 0);
      } else {
        const refusal = refusalOf(sessionId, expectedSeq, fence, row);
        if (refusal !== undefined || row === undefined) {
          outcomes[position] = refusal ?? conflictError(sessionId, expectedSeq, 0);
          continue;
        }
        if (row.status !== 'running' || changesMoreThanHead(change)) patchRow(sessionId, change);
      }
      for (let index = 0; index < appended.length; index += 1) {
        const event = appended[index] as SessionEvent;
        insertEvent.run(sessionId, event.seq, event.id, event.type, event.at, dataTexts[index] as string);
      }
    }
  });

  /** Writes a summary change into the session's row. */
  function patchRow(sessionId: string, change: SummaryChange): void {
    if (change.created === undefined && change.title === undefined && change.archivedAt === undefined && change.deleted === undefined) {
      patchSessionHead.run(change.updatedAt, change.lastSeq, change.status ?? null, sessionId);
      return;
    }
    const { created } = change;
    patchSession.run(
      change.updatedAt, change.lastSeq, change.status ?? null, created?.topology ?? null, change.title ?? created?.title ?? null, created?.createdAt ?? null,
      created?.workspace ?? null, change.archivedAt ?? null, change.deleted === true ? 1 : null, sessionId,
    );
  }

  let queued: PendingAppend[] = [];
  let flushScheduled = false;

  function flushAppends(): void {
    flushScheduled = false;
    const batch = queued;
    queued = [];
    if (batch.length === 0) return;
    const outcomes = new Array<unknown>(batch.length);
    try {
      writeBatch.immediate(batch, outcomes);
    } catch (error) {
      for (const pending of batch) pending.reject(fail(error, `cannot append to session ${pending.sessionId}`));
      return;
    }
    checkpointer?.committed(batch.length);
    for (let position = 0; position < batch.length; position += 1) {
      const pending = batch[position] as PendingAppend;
      const outcome = outcomes[position];
      if (outcome !== undefined) pending.reject(fail(outcome, `cannot append to session ${pending.sessionId}`));
      else pending.resolve(pending.appended);
    }
    for (const pending of batch) waiters.wake(pending.sessionId);
    if (inputWatcher.watchedSessions > 0) {
      for (let position = 0; position < batch.length; position += 1) {
        const pending = batch[position] as PendingAppend;
        if (outcomes[position] === undefined) inputWatcher.announce(pending.sessionId, (pending.appended.at(-1) as SessionEvent).seq);
      }
    }
  }

  /** Queues a non-empty append for the next group commit. Throws when an event's data is not JSON. */
  function enqueue(sessionId: string, expectedSeq: number, events: readonly NewSessionEvent[], fence: number | undefined, claimNew: boolean): Promise<SessionEvent[]> {
    const appended = new Array<SessionEvent>(events.length);
    const dataTexts = new Array<string>(events.length);
    for (let index = 0; index < events.length; index += 1) {
      const event = events[index] as NewSessionEvent;
      appended[index] = { id: event.id, sessionId, seq: expectedSeq + index, type: event.type, at: event.at, data: event.data };
      dataTexts[index] = encodeEventData(sessionId, event);
    }
    // flushAppends rejects with errors `fail` has already worded.
    return new Promise<SessionEvent[]>((resolveAppend, rejectAppend) => {
      queued.push({ sessionId, expectedSeq, fence, appended, dataTexts, claimNew, resolve: resolveAppend, reject: rejectAppend });
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushAppends);
      }
    });
  }

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
        if (events.length > 0) return enqueue(sessionId, expectedSeq, events, fence, false);
        const row = selectLiveHead.get(sessionId, sessionId);
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
        return enqueue(sessionId, 1, events, undefined, true).then((stored) => ({ events: stored, fence: 1 }));
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
      flushAppends();
      closed = true;
      waiters.wakeAll();
      inputWatcher.close();
      // The checkpoint connection goes first; the writer, closing last, checkpoints the rest and removes the WAL.
      checkpointer?.close();
      db.close();
    },
  };
}
