/**
 * WAL checkpoints for the SQLite session store, kept off the commit path. SQLite's automatic
 * checkpoint runs inside the COMMIT that crosses 1,000 WAL pages, so that append paid the checkpoint's
 * page copies and two fsyncs — about 45 % of an average commit. The writer connection therefore runs
 * with `wal_autocheckpoint = 0`, and this module checkpoints (PASSIVE: it never waits for a writer or
 * a reader) from its own connection once commits pause, and at the latest after `maxAppends` appends
 * or `maxDelayMs` since the last checkpoint, so the WAL stays bounded under continuous load too (one
 * step's append writes about 5 WAL pages, so 500 appends leave ≈ 8 MB of WAL).
 * Durability does not depend on it: a commit is durable once it is in the WAL (`synchronous = NORMAL`).
 */
import Database from 'better-sqlite3';

export interface SqliteCheckpointOptions {
  /** Checkpoint once no commit has happened for this long. Default 50 ms. */
  idleMs?: number;
  /** Checkpoint at the latest this long after the first commit not yet checkpointed, busy or not. Default 250 ms. */
  maxDelayMs?: number;
  /** Checkpoint (on the next turn of the event loop) once this many appends are not checkpointed. Default 500. */
  maxAppends?: number;
}

/** Schedules PASSIVE checkpoints of one database file; tell it about commits, close it with the store. */
export interface SqliteCheckpointer {
  /** Records a commit of `appends` appends by the writer connection; arms the (unref'd) checkpoint timer if needed. */
  committed(appends?: number): void;
  /** Checkpoints now (PASSIVE). Returns the WAL frames it could not copy (a reader or another checkpoint held them). */
  checkpoint(): number;
  /** Checkpoints what is left, clears the timer and closes the checkpoint connection. */
  close(): void;
}

/**
 * Creates a checkpointer for the WAL database at `path` (not `:memory:`). Its connection is opened at
 * the first checkpoint, so a store that never commits costs nothing.
 *
 * @example
 * const checkpointer = createSqliteCheckpointer('/data/conclave.db');
 * commitTransaction(); checkpointer.committed();
 * checkpointer.close();
 */
export function createSqliteCheckpointer(path: string, options: SqliteCheckpointOptions = {}): SqliteCheckpointer {
  const idleMs = Math.max(1, options.idleMs ?? 50);
  const maxDelayMs = Math.max(idleMs, options.maxDelayMs ?? 250);
  const maxAppends = Math.max(1, options.maxAppends ?? 500);
  let connection: Database.Database | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** When the first commit not yet checkpointed happened (0: none), and the latest commit. */
  let firstPendingAt = 0;
  let lastCommitAt = 0;
  let pendingAppends = 0;
  let closed = false;

  function runCheckpoint(): number {
    firstPendingAt = 0;
    pendingAppends = 0;
    connection ??= openConnection(path);
    const [result] = connection.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    return result === undefined ? 0 : Math.max(0, result.log - result.checkpointed);
  }

  function onTimer(): void {
    timer = undefined;
    if (closed || firstPendingAt === 0) return;
    const now = performance.now();
    const due = Math.min(lastCommitAt + idleMs, firstPendingAt + maxDelayMs);
    if (now + 0.5 < due && pendingAppends < maxAppends) {
      arm(due - now);
      return;
    }
    try {
      runCheckpoint();
    } catch {
      // A failed checkpoint (the file is busy or gone) costs only WAL space; the next commit retries.
    }
  }

  function arm(delayMs: number): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(onTimer, Math.max(1, Math.ceil(delayMs)));
    timer.unref();
  }

  return {
    committed(appends = 1): void {
      if (closed) return;
      const now = performance.now();
      lastCommitAt = now;
      if (firstPendingAt === 0) firstPendingAt = now;
      pendingAppends += appends;
      // Past the append budget the checkpoint runs on the next turn, not inside this one's callbacks.
      if (pendingAppends >= maxAppends && pendingAppends - appends < maxAppends) arm(0);
      else if (timer === undefined) arm(idleMs);
    },

    checkpoint(): number {
      if (closed) return 0;
      return runCheckpoint();
    },

    close(): void {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      try {
        if (firstPendingAt !== 0) runCheckpoint();
      } catch {
        // The writer's own close checkpoints the WAL when it is the last connection.
      } finally {
        connection?.close();
        connection = undefined;
      }
    },
  };
}

/** Never waits for a lock: it runs on the event loop, and a PASSIVE checkpoint skips what it cannot take. */
function openConnection(path: string): Database.Database {
  const connection = new Database(path, { timeout: 0, fileMustExist: true });
  connection.pragma('wal_autocheckpoint = 0');
  return connection;
}
