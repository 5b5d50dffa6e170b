/**
 * Opening the SQLite session database: the connection settings every conclave process uses (WAL,
 * `synchronous = NORMAL`, no automatic checkpoint, a busy timeout) and the numbered schema
 * migrations, applied under the write lock so concurrent openers are safe.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConclaveError, isConclaveError } from '../protocol/errors.js';

/**
 * Schema migrations; migration `n` (1-based) brings `PRAGMA user_version` from `n - 1` to `n`.
 * `sessions` has no index on `updated_at` on purpose: keeping one up to date cost about a tenth of
 * every append, while listing sorts a table of one small row per session.
 */
const migrations: readonly string[] = [
  `CREATE TABLE events (
     session_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     id TEXT NOT NULL,
     type TEXT NOT NULL,
     at TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (session_id, seq)
   );
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     status TEXT NOT NULL,
     topology TEXT NOT NULL,
     title TEXT NOT NULL,
     last_seq INTEGER NOT NULL
   );`,
  // Sessions belong to a workspace (API keys are scoped to one) and can be archived or deleted.
  `ALTER TABLE sessions ADD COLUMN workspace TEXT NOT NULL DEFAULT 'default';
   ALTER TABLE sessions ADD COLUMN archived_at TEXT;
   ALTER TABLE sessions ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX sessions_by_workspace ON sessions (workspace, created_at);`,
  // The fencing token: `claim` raises it; appends fenced with an older one are refused.
  `ALTER TABLE sessions ADD COLUMN runner_epoch INTEGER NOT NULL DEFAULT 0;`,
];

/** The schema version this code writes (`PRAGMA user_version`). */
export const sqliteSchemaVersion = migrations.length;

/**
 * Opens a conclave SQLite file in WAL mode (creating its directory), then runs `prepare` on it
 * (migrations, table creation); `store_error` naming `what` and a hint when either fails. The one
 * opener of both the session store and the resource tables.
 *
 * @example
 * const db = openWalDatabase('.conclave/conclave.db', 5_000, 'the resource tables in', (opened) => opened.exec(schema));
 */
export function openWalDatabase(path: string, busyTimeoutMs: number, what: string, prepare: (db: Database.Database) => void): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: busyTimeoutMs });
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    prepare(db);
    return db;
  } catch (error) {
    db?.close();
    if (isConclaveError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ConclaveError('store_error', `cannot open ${what} ${path}: ${message}`, {
      cause: error,
      hint: 'check that the path is a conclave database and that its directory is writable (--db or CONCLAVE_DB)',
    });
  }
}

/**
 * Opens (creating its directory) and migrates the session database at `path`; `store_error` with
 * a hint when it cannot.
 *
 * @example
 * const db = openDatabase('.conclave/conclave.db', 5_000);
 */
export function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  return openWalDatabase(path, busyTimeoutMs, 'the session database', (db) => {
    // Checkpoints are the checkpointer's job, never a commit's (see sqlite-checkpointer.ts).
    db.pragma('wal_autocheckpoint = 0');
    migrate(db, path);
  });
}

/** Brings the schema up to date; concurrent openers serialise on the write lock and re-check. */
function migrate(db: Database.Database, path: string): void {
  const readVersion = (): number => db.pragma('user_version', { simple: true }) as number;
  const assertKnown = (version: number): void => {
    if (version > sqliteSchemaVersion) {
      throw new ConclaveError(
        'store_error',
        `the session database ${path} has schema version ${version}, newer than this conclave understands (${sqliteSchemaVersion})`,
        { hint: 'upgrade conclave, or point --db / CONCLAVE_DB at another file' },
      );
    }
  };
  assertKnown(readVersion());
  if (readVersion() === sqliteSchemaVersion) return;
  db.transaction(() => {
    const version = readVersion();
    assertKnown(version);
    for (let next = version; next < migrations.length; next += 1) db.exec(migrations[next] as string);
    db.pragma(`user_version = ${sqliteSchemaVersion}`);
  }).immediate();
}

