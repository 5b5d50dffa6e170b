/**
 * Connecting to PostgreSQL: which URLs mean PostgreSQL, which schema a store lives in (the URL's
 * `schema` parameter, default `conclave`), and a pool whose connections all use that schema — so
 * every query is written unqualified and tests can give each run a schema of its own.
 */
import pg from 'pg';
import { ConclaveError } from '../../protocol/errors.js';

/** Schema used when the URL names none. */
export const defaultPostgresSchema = 'conclave';

/** Where a store's data lives in PostgreSQL. */
export interface PostgresTarget {
  /** The connection URL without conclave's own parameters (what `pg` is given). */
  connectionString: string;
  /** The schema every table lives in. */
  schema: string;
  /** The URL with the password hidden, for messages and logs. */
  display: string;
}

/**
 * Whether a `--store` / `--db` value names a PostgreSQL database.
 *
 * @example
 * isPostgresUrl('postgres://postgres@127.0.0.1/test') // → true
 * isPostgresUrl('.conclave/conclave.db')               // → false
 */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value.trim());
}

/**
 * Splits a PostgreSQL URL into what `pg` connects to and the schema conclave uses. The schema must be
 * a plain lowercase identifier, so it never needs quoting in SQL or in a LISTEN channel.
 *
 * @example
 * parsePostgresUrl('postgres://postgres@127.0.0.1:5432/test?schema=conclave_ci')
 * // → { connectionString: 'postgres://postgres@127.0.0.1:5432/test', schema: 'conclave_ci', display: … }
 */
export function parsePostgresUrl(value: string, schemaOverride?: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConclaveError('invalid_argument', `"${value}" is not a PostgreSQL URL`, { hint: 'write it as postgres://user:password@host:5432/database?schema=conclave' });
  }
  const schema = schemaOverride ?? url.searchParams.get('schema') ?? defaultPostgresSchema;
  url.searchParams.delete('schema');
  if (!/^[a-z_][a-z0-9_]{0,47}$/.test(schema)) {
    throw new ConclaveError('invalid_argument', `PostgreSQL schema "${schema}" is not allowed`, {
      hint: 'use lowercase letters, digits and "_" (at most 48), starting with a letter or "_"',
    });
  }
  const hidden = new URL(url.href);
  if (hidden.password !== '') hidden.password = '***';
  return { connectionString: url.href, schema, display: `${hidden.href}${hidden.search === '' ? '?' : '&'}schema=${schema}` };
}

/**
 * Connection settings for one target: every connection starts with the target's schema on its
 * search path, and a short application name shows conclave in `pg_stat_activity`.
 *
 * @example
 * const client = new pg.Client(clientConfig(target));
 */
export function clientConfig(target: PostgresTarget): pg.ClientConfig {
  return {
    connectionString: target.connectionString,
    options: `-c search_path=${target.schema}`,
    application_name: 'conclave',
  };
}

/**
 * A connection pool for one target. Idle-client errors (the server restarting) are reported to
 * `onError` instead of crashing the process; the pool replaces the client on the next query.
 *
 * @example
 * const pool = createPostgresPool(parsePostgresUrl(url), { max: 10 });
 * await pool.query('SELECT 1');
 */
export function createPostgresPool(target: PostgresTarget, options: { max?: number; onError?: (error: Error) => void } = {}): pg.Pool {
  // Idle connections stay open until the pool ends: a worker or server reuses them all the time,
  // and reaping them would only add a timer per connection.
  const pool = new pg.Pool({ ...clientConfig(target), max: options.max ?? 10, idleTimeoutMillis: 0 });
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}

/**
 * A `store_error` for a failed PostgreSQL operation, naming the database (without its password).
 * Connection failures are retryable and say how to reach the server.
 *
 * @example
 * catch (error) { throw postgresError(error, 'cannot read session s_1', target); }
 */
export function postgresError(error: unknown, action: string, target: PostgresTarget): ConclaveError {
  if (error instanceof ConclaveError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', '57P01', '57P03', '08006', '08001'].includes(code) || /terminat|connect/i.test(message);
  return new ConclaveError('store_error', `${action} in ${target.display}: ${message}`, {
    cause: error,
    retryable: unreachable || code === '40001' || code === '40P01',
    ...(unreachable ? { hint: 'is PostgreSQL running and reachable at that address? (--store / CONCLAVE_DB)' } : {}),
  });
}
