/**
 * What PostgreSQL did during a benchmark run, read from its own counters before and after, and a
 * throwaway database to read them in. `pg_stat_database.xact_commit` counts every transaction of a
 * database, so the benchmark gets a database of its own (created here, dropped afterwards) and
 * nothing else on the server adds to it. Commits include reads; writes are counted exactly by the
 * schema's own tables: every append after a session's first and every claim updates its session
 * row once, in a transaction of its own. Statistics reach the shared counters when a backend exits
 * (or idles for a while), so "after" is read once the workers have disconnected.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A snapshot of the counters. */
export interface PostgresCounters {
  /** Transactions committed in the database, by every connection (reads count too). */
  commits: number;
  /** Rows in the schema's `events` table (counted, not from statistics). */
  events: number;
  /** Updates of the schema's `sessions` rows: one per writing transaction (append or claim). */
  sessionUpdates: number;
}

/** A database of the benchmark's own on the server; `drop` removes it. */
export interface ThrowawayDatabase {
  /** `postgres://…/<name>` (no schema parameter). */
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates `conclave_bench_<label>_<random>` on the server of `serverUrl`.
 *
 * @example
 * const database = await createThrowawayDatabase('postgres://postgres@127.0.0.1:5432/test', 'scale');
 * try { … } finally { await database.drop(); }
 */
export async function createThrowawayDatabase(serverUrl: string, label: string): Promise<ThrowawayDatabase> {
  const name = `conclave_bench_${label}_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    name,
    drop: async () => {
      await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * Reads the counters over a connection of its own (one read-only transaction, which counts as
 * one commit once the connection closes).
 *
 * @example
 * const before = await readPostgresCounters(database.url, 'run_1');
 */
export async function readPostgresCounters(databaseUrl: string, schema: string): Promise<PostgresCounters> {
  if (!/^[A-Za-z0-9_]+$/.test(schema)) throw new Error(`unexpected schema name ${schema}`);
  const { rows } = await withClient(databaseUrl, (client) =>
    client.query<Record<'commits' | 'events' | 'session_updates', string>>(`
      SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())::text AS commits,
             (SELECT count(*) FROM ${schema}.events)::text AS events,
             coalesce((SELECT n_tup_upd FROM pg_stat_user_tables WHERE schemaname = '${schema}' AND relname = 'sessions'), 0)::text AS session_updates`),
  );
  const row = rows[0];
  if (row === undefined) throw new Error('no counters');
  return { commits: Number(row.commits), events: Number(row.events), sessionUpdates: Number(row.session_updates) };
}

/**
 * `after − before`, counter by counter.
 *
 * @example
 * const used = counterDelta(before, after); // → { commits: 4120, events: 4200, sessionUpdates: 1600 }
 */
export function counterDelta(before: PostgresCounters, after: PostgresCounters): PostgresCounters {
  return {
    commits: after.commits - before.commits,
    events: after.events - before.events,
    sessionUpdates: after.sessionUpdates - before.sessionUpdates,
  };
}
