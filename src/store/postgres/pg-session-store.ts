/**
 * The session store for scale-out: one PostgreSQL schema that any number of servers and workers
 * share. An append is one statement — a conditional `UPDATE` of the session row (`last_seq` must be
 * `expectedSeq - 1` and, for a runner, `runner_epoch` its claim) and the event rows inserted only
 * if that row changed — so it costs one round trip, commits atomically, and two writers can never
 * interleave one log; `(session_id, seq)` is the primary key underneath as a backstop. Committed
 * appends are announced with NOTIFY (batched, after the commit); followers wake on it and poll only
 * while notifications are down.
 */
import type pg from 'pg';
import { ConclaveError } from '../../protocol/errors.js';
import type { NewSessionEvent, SessionEvent, SessionStatus } from '../../protocol/events.js';
import type { AppendOptions, ClaimedSession, FollowOptions, ListSessionsOptions, ReadOptions, SessionStore, SessionSummary } from '../../protocol/store.js';
import { createAppendWaiters, followEvents } from '../append-waiters.js';
import { applySummaryChange, createSessionSummary, summarizeChange, type SummaryChange } from '../session-summary.js';
import { assertCreatable, claimedError, conflictError, encodeEventData, unknownSessionError } from '../store-errors.js';
import { createPostgresPool, parsePostgresUrl, postgresError, type PostgresTarget } from './pg-connection.js';
import { migratePostgres } from './pg-migrations.js';
import { createNotificationHub } from './pg-notifications.js';
import { countsByStatus, rowToSummary, sessionColumns, type EventRow, type SessionRow } from '../store-rows.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database?schema=conclave`. */
  url: string;
  /** Overrides the URL's `schema` parameter. */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** How often followers poll while LISTEN is down. Default 100 ms. */
  pollIntervalMs?: number;
}

/** A PostgreSQL session store, which also tells where its data lives. */
export interface PostgresSessionStore extends SessionStore {
  readonly kind: 'postgres';
  readonly target: PostgresTarget;
  /** The store's pool, for the resource store and health checks to share. */
  readonly pool: pg.Pool;
  /** Resolves once the schema is up to date (every method waits for it). */
  ready(): Promise<void>;
  /** Whether cross-process notifications are arriving (false while polling). */
  readonly listening: boolean;
}

/** Inserts a batch of events; `$1` is the session, `$2…$6` parallel arrays, gated on CTE `s`. */
const insertEvents = `e AS (
    INSERT INTO events (session_id, seq, id, type, at, data)
    SELECT $1, t.seq, t.id, t.type, t.at, t.data
    FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(seq, id, type, at, data)
    WHERE EXISTS (SELECT 1 FROM s)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM s)::int AS written`;

const appendFirst = `WITH s AS (
    INSERT INTO sessions (id, created_at, updated_at, status, topology, title, last_seq, workspace, archived_at, deleted, runner_epoch)
    VALUES ($1, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
    ON CONFLICT (id) DO NOTHING
    RETURNING id
  ), ${insertEvents}`;

const appendNext = `WITH s AS (
    UPDATE sessions SET updated_at = $7, last_seq = $8, status = coalesce($9, status), topology = coalesce($10, topology),
      title = coalesce($11, title), created_at = coalesce($12, created_at), workspace = coalesce($13, workspace),
      archived_at = coalesce($14, archived_at), deleted = coalesce($15::boolean, deleted)
    WHERE id = $1 AND last_seq = $16 AND ($17::bigint IS NULL OR runner_epoch = $17)
    RETURNING id
  ), ${insertEvents}`;

/**
 * Opens a PostgreSQL session store. Nothing connects until the first call, which also applies any
 * missing migrations.
 *
 * @example
 * const store = createPostgresStore({ url: 'postgres://postgres@127.0.0.1:5432/test?schema=conclave' });
 * const [event] = await store.append(sessionId, 1, [{ id: createId('event'), type: 'session.created', at, data }]);
 * await store.close();
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresSessionStore {
  const target = parsePostgresUrl(options.url, options.schema);
  const pool = createPostgresPool(target, { max: options.poolSize ?? 10 });
  const waiters = createAppendWaiters();
  const hub = createNotificationHub({
    target,
    waiters,
    pollIntervalMs: options.pollIntervalMs ?? 100,
    send: (channel, payloads) => pool.query({ name: 'conclave-notify', text: 'SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', values: [channel, payloads] }),
  });
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  let closed = false;
  let migrated: Promise<void> | undefined;

  function ready(): Promise<void> {
    if (closed) return Promise.reject(new ConclaveError('store_error', `the session store at ${target.display} is closed`));
    migrated ??= migratePostgres(pool, target).then(
      () => undefined,
      (error: unknown) => {
        migrated = undefined;
        throw postgresError(error, 'cannot prepare the session schema', target);
      },
    );
    return migrated;
  }

  async function query<R extends pg.QueryResultRow>(action: string, config: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    await ready();
    try {
      return await pool.query<R>(config);
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
      if (code === '23505') throw new ConclaveError('store_conflict', `${action}: another writer stored the same sequence number first`, { cause: error });
      throw postgresError(error, action, target);
    }
  }

  async function readEvents(sessionId: string, afterSeq: number, limit: number | undefined): Promise<SessionEvent[]> {
    const { rows } = await query<EventRow>(`cannot read session ${sessionId}`, {
      name: 'conclave-read',
      text: 'SELECT seq, id, type, at, data FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      values: [sessionId, afterSeq, limit ?? null],
    });
    return rows.map((row) => ({ id: row.id, sessionId, seq: row.seq, type: row.type, at: row.at, data: JSON.parse(row.data) as Record<string, unknown> }));
  }

  /** Why an append would be refused now (a newer claim, or another writer's seq), or undefined. */
  async function refusal(sessionId: string, expectedSeq: number, fence: number | undefined): Promise<ConclaveError | undefined> {
    const { rows } = await query<{ last_seq: number; runner_epoch: string }>(`cannot append to session ${sessionId}`, {
      name: 'conclave-head-epoch',
      text: 'SELECT last_seq, runner_epoch FROM sessions WHERE id = $1',
      values: [sessionId],
    });
    const head = rows[0]?.last_seq ?? 0;
    const epoch = Number(rows[0]?.runner_epoch ?? 0);
    if (fence !== undefined && fence !== epoch) return claimedError(sessionId, fence, epoch);
    return expectedSeq === head + 1 ? undefined : conflictError(sessionId, expectedSeq, head);
  }

  async function head(sessionId: string): Promise<number> {
    const { rows } = await query<{ last_seq: number }>(`cannot read the head of session ${sessionId}`, {
      name: 'conclave-head',
      text: 'SELECT last_seq FROM sessions WHERE id = $1',
      values: [sessionId],
    });
    return rows[0]?.last_seq ?? 0;
  }

  /** One append (`claimNew`: a new session's row starts with claim number 1, for `createClaimed`). */
  async function appendEvents(sessionId: string, expectedSeq: number, events: readonly NewSessionEvent[], fence: number | undefined, claimNew: boolean): Promise<SessionEvent[]> {
    if (events.length === 0) {
      const refused = await refusal(sessionId, expectedSeq, fence);
      if (refused !== undefined) throw refused;
      return [];
    }
    const appended = events.map((event, index): SessionEvent => ({ id: event.id, sessionId, seq: expectedSeq + index, type: event.type, at: event.at, data: event.data }));
    const dataTexts = events.map((event) => encodeEventData(sessionId, event));
    const change = summarizeChange(appended) as SummaryChange;
    const eventValues = [sessionId, appended.map((event) => event.seq), appended.map((event) => event.id), appended.map((event) => event.type), appended.map((event) => event.at), dataTexts];
    let config: pg.QueryConfig;
    if (expectedSeq === 1) {
      if (fence !== undefined && fence !== 0) throw claimedError(sessionId, fence, 0);
      const summary = applySummaryChange(createSessionSummary(sessionId, (appended[0] as SessionEvent).at), change);
      config = {
        name: 'conclave-append-first',
        text: appendFirst,
        values: [...eventValues, summary.createdAt, summary.updatedAt, summary.status, summary.topology, summary.title, summary.lastSeq, summary.workspace, summary.archivedAt, summary.deleted, claimNew ? 1 : 0],
      };
    } else {
      const { created } = change;
      config = {
        name: 'conclave-append-next',
        text: appendNext,
        values: [
          ...eventValues, change.updatedAt, change.lastSeq, change.status ?? null, created?.topology ?? null, change.title ?? created?.title ?? null, created?.createdAt ?? null,
          created?.workspace ?? null, change.archivedAt ?? null, change.deleted === true ? true : null, expectedSeq - 1, fence ?? null,
        ],
      };
    }
    const { rows } = await query<{ written: number }>(`cannot append to session ${sessionId}`, config);
    if (rows[0]?.written !== 1) throw (await refusal(sessionId, expectedSeq, fence)) ?? conflictError(sessionId, expectedSeq, expectedSeq);
    waiters.wake(sessionId);
    hub.announce(sessionId, expectedSeq + appended.length - 1);
    return appended;
  }

  return {
    specificationVersion: 'v1',
    kind: 'postgres',
    target,
    pool,
    ready,
    get listening() {
      return hub.listening;
    },

    append(sessionId: string, expectedSeq: number, events: readonly NewSessionEvent[], appendOptions: AppendOptions = {}): Promise<SessionEvent[]> {
      return appendEvents(sessionId, expectedSeq, events, appendOptions.fence, false);
    },

    async createClaimed(sessionId: string, events: readonly NewSessionEvent[]): Promise<ClaimedSession> {
      assertCreatable(sessionId, events);
      return { events: await appendEvents(sessionId, 1, events, undefined, true), fence: 1 };
    },

    async claim(sessionId: string): Promise<number> {
      const { rows } = await query<{ runner_epoch: string }>(`cannot claim session ${sessionId}`, {
        name: 'conclave-claim',
        text: 'UPDATE sessions SET runner_epoch = runner_epoch + 1 WHERE id = $1 RETURNING runner_epoch',
        values: [sessionId],
      });
      if (rows[0] === undefined) throw unknownSessionError(sessionId);
      return Number(rows[0].runner_epoch);
    },

    read(sessionId: string, readOptions: ReadOptions = {}): Promise<SessionEvent[]> {
      return readEvents(sessionId, readOptions.afterSeq ?? 0, readOptions.limit);
    },

    head,

    async getSession(sessionId: string): Promise<SessionSummary | undefined> {
      const { rows } = await query<SessionRow>(`cannot read session ${sessionId}`, {
        name: 'conclave-session',
        text: `SELECT ${sessionColumns} FROM sessions WHERE id = $1`,
        values: [sessionId],
      });
      return rows[0] === undefined ? undefined : rowToSummary(rows[0]);
    },

    async countSessions(): Promise<Record<SessionStatus, number>> {
      const { rows } = await query<{ status: string; count: string }>('cannot count sessions', {
        name: 'conclave-count',
        text: 'SELECT status, count(*) AS count FROM sessions WHERE deleted = false GROUP BY status',
      });
      return countsByStatus(rows);
    },

    async listSessions(listOptions: ListSessionsOptions = {}): Promise<SessionSummary[]> {
      const key = listOptions.order === 'created' ? 'created_at' : 'updated_at';
      const where = ['deleted = false'];
      const values: unknown[] = [];
      const parameter = (value: unknown): string => {
        values.push(value);
        return `$${values.length}`;
      };
      if (listOptions.workspace !== undefined) where.push(`workspace = ${parameter(listOptions.workspace)}`);
      if (listOptions.status !== undefined) where.push(`status = ${parameter(listOptions.status)}`);
      if (listOptions.includeArchived === false) where.push('archived_at IS NULL');
      if (listOptions.before !== undefined) where.push(`updated_at < ${parameter(listOptions.before)}`);
      if (listOptions.after !== undefined) {
        const at = parameter(listOptions.after.at);
        where.push(`(${key} < ${at} OR (${key} = ${at} AND id < ${parameter(listOptions.after.id)}))`);
      }
      const limit = parameter(listOptions.limit ?? null);
      const { rows } = await query<SessionRow>('cannot list sessions', {
        text: `SELECT ${sessionColumns} FROM sessions WHERE ${where.join(' AND ')} ORDER BY ${key} DESC, id DESC LIMIT ${limit}`,
        values,
      });
      return rows.map(rowToSummary);
    },

    follow(sessionId: string, followOptions: FollowOptions = {}): AsyncGenerator<SessionEvent> {
      hub.start();
      const interval = Math.max(1, followOptions.pollIntervalMs ?? pollIntervalMs);
      return followEvents(sessionId, followOptions, {
        // A read cut short by close ends the follow quietly, as close promises.
        readPage: (afterSeq, limit) => readEvents(sessionId, afterSeq, limit).catch((error: unknown) => (closed ? [] : Promise.reject(error))),
        isClosed: () => closed,
        waiters,
        // A slow safety poll while notifications flow; the caller's interval while they do not.
        pollIntervalMs: () => (hub.listening ? 5000 : interval),
      });
    },

    // No `knownSeq`: a watch here reads no head to start from; each NOTIFY names its append's seq.
    watch(sessionId: string, onAppend: (seq?: number) => void): () => void {
      hub.start();
      return hub.watch(sessionId, onAppend);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      waiters.wakeAll();
      await hub.close();
      await pool.end();
    },
  };
}

