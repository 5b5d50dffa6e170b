/**
 * The PostgreSQL schema, as numbered migrations applied in order and recorded in
 * `conclave_migrations`. `conclave db migrate` applies them explicitly; stores apply any that are
 * missing when they first connect, so a fresh database just works. Concurrent migrators (several
 * workers starting at once) serialise on a transaction-scoped advisory lock and re-check.
 */
import type pg from 'pg';
import { ConclaveError } from '../../protocol/errors.js';
import { resourceTablesSql } from './pg-resource-schema.js';
import type { PostgresTarget } from './pg-connection.js';

/** One schema change. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The migrations, oldest first. Timestamps are kept as the ISO text the stores write, so they come
 * back byte for byte (sorted bytewise, `COLLATE "C"`, as SQLite and the memory store sort them); event data is JSON text (jsonb would reorder keys and refuse `\u0000`).
 * `runner_epoch` is the fencing token: `claim` raises it, and an append made under an older claim
 * is refused in the same row update that checks the sequence number.
 */
export const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'session logs',
    sql: `
      CREATE TABLE sessions (
        id text COLLATE "C" PRIMARY KEY,
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL,
        status text NOT NULL,
        topology text NOT NULL,
        title text NOT NULL,
        last_seq integer NOT NULL,
        workspace text NOT NULL DEFAULT 'default',
        archived_at text,
        deleted boolean NOT NULL DEFAULT false,
        runner_epoch bigint NOT NULL DEFAULT 0
      );
      CREATE INDEX sessions_by_updated ON sessions (updated_at DESC, id DESC);
      CREATE INDEX sessions_by_created ON sessions (workspace, created_at DESC, id DESC);
      CREATE TABLE events (
        session_id text NOT NULL,
        seq integer NOT NULL,
        id text NOT NULL,
        type text NOT NULL,
        at text NOT NULL,
        data text NOT NULL,
        PRIMARY KEY (session_id, seq)
      );`,
  },
  { version: 2, name: 'API keys, agents and environments', sql: resourceTablesSql },
];

/** The schema version this code writes. */
export const postgresSchemaVersion = postgresMigrations.length;

/** What `migratePostgres` did. */
export interface MigrationReport {
  schema: string;
  /** Version before. */
  from: number;
  /** Version after (always `postgresSchemaVersion`). */
  to: number;
  /** The migrations applied now, oldest first. */
  applied: Array<{ version: number; name: string }>;
}

/**
 * Brings `target.schema` up to date, creating it when needed, in one transaction.
 *
 * @example
 * const report = await migratePostgres(pool, target);
 * console.log(`schema ${report.schema}: version ${report.from} → ${report.to}`);
 */
export async function migratePostgres(pool: pg.Pool, target: PostgresTarget): Promise<MigrationReport> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`conclave:migrate:${target.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${target.schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${target.schema}.conclave_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${target.schema}.conclave_migrations`);
    const from = rows[0]?.version ?? 0;
    if (from > postgresSchemaVersion) {
      throw new ConclaveError('store_error', `the PostgreSQL schema ${target.schema} has version ${from}, newer than this conclave understands (${postgresSchemaVersion})`, {
        hint: 'upgrade conclave, or use another schema (?schema=… in the URL)',
      });
    }
    const applied: MigrationReport['applied'] = [];
    for (const migration of postgresMigrations.slice(from)) {
      await client.query(`SET LOCAL search_path = ${target.schema}`);
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${target.schema}.conclave_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied.push({ version: migration.version, name: migration.name });
    }
    await client.query('COMMIT');
    return { schema: target.schema, from, to: postgresSchemaVersion, applied };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The schema version recorded in `target.schema`, 0 when it has none yet.
 *
 * @example
 * if ((await postgresVersion(pool, target)) < postgresSchemaVersion) console.log('run conclave db migrate');
 */
export async function postgresVersion(pool: pg.Pool, target: PostgresTarget): Promise<number> {
  const { rows } = await pool.query<{ exists: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'conclave_migrations') AS exists",
    [target.schema],
  );
  if (rows[0]?.exists !== true) return 0;
  const version = await pool.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${target.schema}.conclave_migrations`);
  return version.rows[0]?.version ?? 0;
}
