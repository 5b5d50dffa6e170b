/**
 * WAL checkpoints for the SQLite session store, kept off the commit path. SQLite's automatic
 * checkpoint runs inside the COMMIT that crosses 1,000 WAL pages, so that append paid the checkpoint's
 * page copies and two fsyncs — about 45 % of an average commit. The writer connection therefore runs
 * with `wal_autocheckpoint = 0`, and this module checkpoints from its own connections once commits
 * pause, and at the latest after `maxAppends` appends or `maxDelayMs` since the last checkpoint.
 *
 * A checkpoint's two fsyncs (the WAL before its frames are copied, the database file after) cost far
 * more than the copy itself: on this project's machine ≈ 12–17 ms against ≈ 1.4 ms for 500 appends,
 * 25–35 µs per append that an event loop would sit in. So a checkpoint is a cycle whose fsyncs run on
 * libuv's thread pool while the event loop goes on:
 *
 * 1. a third connection opens a read transaction (the pin): its snapshot ends at the WAL's last frame;
 * 2. the WAL file is fsynced (thread pool), so every frame up to the pin is on disk;
 * 3. the checkpoint connection (`synchronous = OFF`: it does not fsync itself) copies into the
 *    database file the frames up to the pin — PASSIVE: never past a reader, never waiting for one;
 * 4. the database file is fsynced (thread pool);
 * 5. the pin is released.
 *
 * While the pin is held no writer can restart the WAL (SQLite restarts it only when no reader uses
 * it), so a frame is overwritten only after the page it carries is on disk in the database file —
 * the order SQLite's own synced checkpoint keeps. Under continuous load a cycle never finds the WAL
 * fully copied, so SQLite never restarts it; once it holds more than `16 × maxAppends` frames a
 * classic synced PASSIVE checkpoint runs on the event loop right after the cycle and copies the few
 * frames left, so the next commit restarts the WAL from its start. A cycle that `2 × maxAppends`
 * appends outrun (a slow disk) is given up for that synced checkpoint at once, after an fsync of the
 * database file. `checkpoint()` and `close()` are that synced checkpoint too.
 *
 * Durability does not depend on checkpoints: a commit is durable once it is in the WAL
 * (`synchronous = NORMAL`), and a crash at any point of a cycle leaves the WAL's frames to replay.
 */
import { close as closeFile, fsync, fsyncSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

export interface SqliteCheckpointOptions {
  /** Checkpoint once no commit has happened for this long. Default 50 ms. */
  idleMs?: number;
  /** Checkpoint at the latest this long after the first commit not yet checkpointed, busy or not. Default 250 ms. */
  maxDelayMs?: number;
  /** Checkpoint (on the next turn of the event loop) once this many appends are not checkpointed. Default 500. */
  maxAppends?: number;
}

/** The WAL's frame count past which a cycle is followed by a synced checkpoint that lets it restart, per `maxAppends`. */
const walFramesPerAppendBudget = 16;

/** The appends, per `maxAppends`, that may commit while one cycle runs before it is given up for a synced checkpoint. */
const cycleAppendBudget = 2;

/** Schedules PASSIVE checkpoints of one database file; tell it about commits, close it with the store. */
export interface SqliteCheckpointer {
  /** Records a commit of `appends` appends by the writer connection; arms the (unref'd) checkpoint timer if needed. */
  committed(appends?: number): void;
  /** Checkpoints now (PASSIVE, fsynced, on the event loop). Returns the WAL frames it could not copy (a reader or another checkpoint held them). */
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
  const maxWalFrames = maxAppends * walFramesPerAppendBudget;
  let connections: CheckpointConnections | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** When the first commit not yet checkpointed happened (undefined: none), and the latest commit. */
  let firstPendingAt: number | undefined;
  let lastCommitAt = 0;
  let pendingAppends = 0;
  let cycling = false;
  /** Counts cycles, so the callbacks of one given up on (`syncNow`) do nothing. */
  let cycles = 0;
  /** Appends committed since the running cycle began. */
  let appendsInCycle = 0;
  /** fsyncs on the thread pool: the files are closed only once none is left. */
  let fsyncsInFlight = 0;
  let closed = false;

  function open(): CheckpointConnections {
    connections ??= openConnections(path);
    return connections;
  }

  /** The synced checkpoint, on the event loop. */
  function runCheckpoint(): number {
    firstPendingAt = undefined;
    pendingAppends = 0;
    const { checkpointer } = open();
    checkpointer.pragma('synchronous = NORMAL');
    try {
      return framesLeft(checkpointer.pragma('wal_checkpoint(PASSIVE)'));
    } finally {
      checkpointer.pragma('synchronous = OFF');
    }
  }

  function syncFile(fd: number, then: (failed: boolean) => void): void {
    fsyncsInFlight += 1;
    fsync(fd, (error) => {
      fsyncsInFlight -= 1;
      if (closed) {
        if (fsyncsInFlight === 0) closeFiles();
        return;
      }
      then(error !== null);
    });
  }

  function startCycle(): void {
    firstPendingAt = undefined;
    pendingAppends = 0;
    const opened = open();
    opened.pinBegin.run();
    opened.pinRead.get();
    cycling = true;
    appendsInCycle = 0;
    const cycle = (cycles += 1);
    syncFile(opened.walFd, (walFailed) => {
      if (cycle !== cycles || !cycling) return;
      let walFrames = 0;
      try {
        if (walFailed) throw new Error('fsync of the WAL failed');
        walFrames = walLength(opened.checkpointer.pragma('wal_checkpoint(PASSIVE)'));
      } catch {
        endCycle(true);
        return;
      }
      syncFile(opened.dbFd, (dbFailed) => {
        if (cycle === cycles && cycling) endCycle(dbFailed || walFrames > maxWalFrames);
      });
    });
  }

  /** Releases the pin; a synced checkpoint follows when the cycle failed or the WAL needs to restart. */
  function endCycle(syncedNext: boolean): void {
    cycling = false;
    releasePin(connections);
    try {
      if (syncedNext) runCheckpoint();
    } catch {
      // A failed checkpoint (the file is busy or gone) costs only WAL space; the next commit retries.
    }
    if (firstPendingAt !== undefined && timer === undefined) arm(pendingAppends >= maxAppends ? 0 : idleMs);
  }

  /**
   * Gives up the running cycle for a synced checkpoint now: the database file is fsynced (what the
   * cycle copied may not be on disk yet) before the pin goes, then the checkpoint copies the rest.
   */
  function syncNow(): number {
    if (cycling && connections !== undefined) {
      cycling = false;
      fsyncSync(connections.dbFd);
      releasePin(connections);
    }
    return runCheckpoint();
  }

  function onTimer(): void {
    timer = undefined;
    if (closed || firstPendingAt === undefined || cycling) return;
    const now = performance.now();
    const due = Math.min(lastCommitAt + idleMs, firstPendingAt + maxDelayMs);
    if (now + 0.5 < due && pendingAppends < maxAppends) {
      arm(due - now);
      return;
    }
    try {
      startCycle();
    } catch {
      // The files could not be opened, or the pin not taken: the next commit's timer tries again.
      cycling = false;
      releasePin(connections);
    }
  }

  function arm(delayMs: number): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(onTimer, Math.max(1, Math.ceil(delayMs)));
    timer.unref();
  }

  function closeFiles(): void {
    if (connections === undefined) return;
    closeFile(connections.walFd, () => undefined);
    closeFile(connections.dbFd, () => undefined);
    connections = undefined;
  }

  return {
    committed(appends = 1): void {
      if (closed) return;
      const now = performance.now();
      lastCommitAt = now;
      firstPendingAt ??= now;
      pendingAppends += appends;
      if (cycling) {
        // A cycle slower than the commits (a slow disk) must not let the WAL grow without bound.
        appendsInCycle += appends;
        if (appendsInCycle >= maxAppends * cycleAppendBudget) {
          try {
            syncNow();
          } catch {
            // As for a failed checkpoint: the next one retries.
          }
        }
        return;
      }
      // Past the append budget the checkpoint runs on the next turn, not inside this one's callbacks.
      if (pendingAppends >= maxAppends && pendingAppends - appends < maxAppends) arm(0);
      else if (timer === undefined) arm(idleMs);
    },

    checkpoint(): number {
      if (closed) return 0;
      return syncNow();
    },

    close(): void {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const opened = connections;
      if (opened === undefined) return;
      try {
        if (firstPendingAt !== undefined || cycling) syncNow();
      } catch {
        // The writer's own close checkpoints the WAL when it is the last connection.
      } finally {
        opened.checkpointer.close();
        opened.pin.close();
        // A file with an fsync in flight is closed by that fsync's callback.
        if (fsyncsInFlight === 0) closeFiles();
      }
    },
  };
}

interface CheckpointConnections {
  checkpointer: Database.Database;
  pin: Database.Database;
  pinBegin: Database.Statement;
  pinRead: Database.Statement;
  pinEnd: Database.Statement;
  walFd: number;
  dbFd: number;
}

type CheckpointRows = Array<{ busy: number; log: number; checkpointed: number }>;

/** The frames a checkpoint could not copy (a reader or another checkpoint held them). */
function framesLeft(rows: unknown): number {
  const [result] = rows as CheckpointRows;
  return result === undefined ? 0 : Math.max(0, result.log - result.checkpointed);
}

/** The frames in the WAL when a checkpoint ran. */
function walLength(rows: unknown): number {
  return (rows as CheckpointRows)[0]?.log ?? 0;
}

/** Ends the pin's read transaction, if it holds one (never throws: it runs in timer and fsync callbacks). */
function releasePin(connections: CheckpointConnections | undefined): void {
  try {
    if (connections?.pin.inTransaction === true) connections.pinEnd.run();
  } catch {
    // A pin that cannot end its read keeps the WAL from restarting: the store's close ends it.
  }
}

function openConnections(path: string): CheckpointConnections {
  const opened: Array<{ close(): unknown }> = [];
  const descriptors: number[] = [];
  try {
    const checkpointer = openConnection(path);
    opened.push(checkpointer);
    // Its checkpoints do not fsync: the cycle does, off the event loop, in the order that keeps them safe.
    checkpointer.pragma('synchronous = OFF');
    const pin = openConnection(path);
    opened.push(pin);
    // Read-only descriptors are enough for fsync on Linux and macOS; the WAL exists while the writer is open.
    descriptors.push(openSync(`${path}-wal`, 'r'));
    descriptors.push(openSync(path, 'r'));
    return {
      checkpointer,
      pin,
      pinBegin: pin.prepare('BEGIN'),
      pinRead: pin.prepare('SELECT 1 FROM sqlite_master LIMIT 1'),
      pinEnd: pin.prepare('COMMIT'),
      walFd: descriptors[0] as number,
      dbFd: descriptors[1] as number,
    };
  } catch (error) {
    for (const connection of opened) connection.close();
    for (const fd of descriptors) closeFile(fd, () => undefined);
    throw error;
  }
}

/** Never waits for a lock: it runs on the event loop, and a PASSIVE checkpoint skips what it cannot take. */
function openConnection(path: string): Database.Database {
  const connection = new Database(path, { timeout: 0, fileMustExist: true });
  connection.pragma('wal_autocheckpoint = 0');
  return connection;
}
