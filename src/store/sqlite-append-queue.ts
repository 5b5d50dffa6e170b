/**
 * The SQLite store's write path: appends queued in one turn of the event loop, from any number of
 * sessions, committed in one transaction (group commit), each checked against its session's head and
 * claim inside it, so a conflict refuses only that append.
 *
 * A running session's row is not written by every append. Its `last_seq` and `updated_at` are
 * written with every change to what the row says (status, title, archive, deletion) and by every
 * append to a session that is not running; while it runs, an append that changes nothing else
 * writes only its events, and reads take both from the log's last event (`liveSessionColumns`). A
 * row written on every step put one more page in the WAL of every commit (≈ 18 % of a pipeline
 * step's commit, measured at the SQL level), while a session's head is one seek in the events'
 * primary key.
 */
import type Database from 'better-sqlite3';
import type { ConclaveError } from '../protocol/errors.js';
import type { NewSessionEvent, SessionEvent } from '../protocol/events.js';
import type { AppendWaiters } from './append-waiters.js';
import type { SqliteCheckpointer } from './sqlite-checkpointer.js';
import type { SqliteInputWatcher } from './sqlite-input-watcher.js';
import { claimedError, conflictError, encodeEventData } from './store-errors.js';
import { applySummaryChange, createSessionSummary, summarizeChange, type SummaryChange } from './session-summary.js';
import { sessionColumns } from './store-rows.js';

/**
 * The session columns as reads see them: a running session's `updated_at` and `last_seq` come from
 * its log's last event, since appends while it runs leave them unwritten
 * (see the module's comment). A CASE runs its subqueries only for the running rows.
 */
export const liveSessionColumns = `id, created_at,
  CASE status WHEN 'running' THEN coalesce((SELECT at FROM events WHERE session_id = sessions.id ORDER BY seq DESC LIMIT 1), updated_at) ELSE updated_at END AS updated_at,
  status, topology, title,
  CASE status WHEN 'running' THEN coalesce((SELECT max(seq) FROM events WHERE session_id = sessions.id), last_seq) ELSE last_seq END AS last_seq,
  workspace, archived_at, deleted`;

/** Whether a summary change sets more than a session's head (`updatedAt`, `lastSeq`): then its row is written even while it runs. */
function changesMoreThanHead(change: SummaryChange): boolean {
  return change.status !== undefined || change.created !== undefined || change.title !== undefined || change.archivedAt !== undefined || change.deleted !== undefined;
}

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
export interface LiveHead {
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

/** What the queue tells, and how it words a failure, in the store that owns it. */
export interface SqliteAppendQueueParts {
  /** Told after each commit, with the number of appends in it. */
  checkpointer: SqliteCheckpointer | undefined;
  /** Followers of this store, woken for every session of a commit. */
  waiters: AppendWaiters;
  /** Watchers of this store, told each session's new head after a commit. */
  inputWatcher: SqliteInputWatcher;
  /** Words a failure (a `ConclaveError` passes through) for `action`. */
  fail(error: unknown, action: string): ConclaveError;
}

/** The write path of one SQLite connection. */
export interface SqliteAppendQueue {
  /** Queues a non-empty append for the next group commit (`claimNew`: a new session's row starts with claim number 1). Throws when an event's data is not JSON. */
  enqueue(sessionId: string, expectedSeq: number, events: readonly NewSessionEvent[], fence: number | undefined, claimNew: boolean): Promise<SessionEvent[]>;
  /** Commits what is queued now (the store's `close` does, before closing the connection). */
  flush(): void;
  /** What an append checks of a session, read now: its head, claim and status; undefined for an unknown session. */
  liveHead(sessionId: string): LiveHead | undefined;
}

/**
 * The write path of the store's connection `db` (which has the conclave schema).
 *
 * @example
 * const queue = createSqliteAppendQueue(db, { checkpointer, waiters, inputWatcher, fail });
 * const stored = await queue.enqueue(sessionId, 1, [created], undefined, false);
 */
export function createSqliteAppendQueue(db: Database.Database, parts: SqliteAppendQueueParts): SqliteAppendQueue {
  const { checkpointer, waiters, inputWatcher, fail } = parts;
  /** What an append checks: the head (one seek in the events' primary key), the claim, and whether the session runs. */
  const selectLiveHead = db.prepare<[string, string], LiveHead>(
    'SELECT coalesce((SELECT max(seq) FROM events WHERE session_id = ?), 0) AS last_seq, runner_epoch, status FROM sessions WHERE id = ?',
  );
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

  return {
    enqueue,
    flush: flushAppends,
    liveHead: (sessionId) => selectLiveHead.get(sessionId, sessionId),
  };
}
