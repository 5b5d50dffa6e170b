/**
 * What the PostgreSQL stores beside the session log (resources, credentials, files) share: the
 * schema made ready once per store (a failed attempt is forgotten, so the next call tries again),
 * extra tables created under the migration's advisory lock, one operation run with its errors
 * converted to `ConclaveError`s, and a transaction on one pooled client.
 */
import type pg from 'pg';
import { ConclaveError } from '../../protocol/errors.js';
import { postgresError, type PostgresTarget } from './pg-connection.js';
import { migratePostgres } from './pg-migrations.js';

const uniqueViolation = '23505';

/**
 * A `whenReady()` that runs `prepare` once; a failed attempt is forgotten so the next call retries.
 *
 * @example
 * const whenReady = onceReady(() => migratePostgres(pool, target));
 * await whenReady();
 */
export function onceReady(prepare: () => Promise<unknown>): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () => {
    if (ready === undefined) {
      const attempt = prepare().then(() => undefined);
      ready = attempt;
      attempt.catch(() => {
        if (ready === attempt) ready = undefined;
      });
    }
    return ready;
  };
}

/**
 * Runs the numbered migrations, then `create` (IF NOT EXISTS statements of a store's own tables)
 * in one transaction holding the advisory lock `lock`, so concurrent creators do not race on the
 * catalog. The search path is the store's schema inside that transaction.
 *
 * @example
 * await createTablesUnderLock(pool, target, `conclave:migrate:${target.schema}`, (client) => client.query(fileTablesSql));
 */
export async function createTablesUnderLock(pool: pg.Pool, target: PostgresTarget, lock: string, create: (client: pg.PoolClient) => Promise<unknown>): Promise<void> {
  await migratePostgres(pool, target);
  await pgTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lock]);
    await client.query(`SET LOCAL search_path = ${target.schema}`);
    await create(client);
  });
}

/**
 * Runs one store operation once the store is ready: refused when the store is closed, a unique
 * violation becomes `store_conflict`, any other failure `postgresError` (which hides the password).
 *
 * @example
 * return runStoreOperation({ action: 'archive vault', what: 'resource store', target, closed, whenReady }, () => pool.query(…));
 */
export async function runStoreOperation<T>(
  store: { action: string; what: string; target: PostgresTarget; closed: boolean; whenReady: () => Promise<void> },
  body: () => Promise<T>,
): Promise<T> {
  if (store.closed) throw new ConclaveError('store_error', `${store.action}: the ${store.what} at ${store.target.display} is closed`);
  try {
    await store.whenReady();
    return await body();
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
    if (code === uniqueViolation) throw new ConclaveError('store_conflict', `${store.action}: it already exists`, { cause: error });
    throw postgresError(error, store.action, store.target);
  }
}

/**
 * Runs `body` in a transaction on one pooled client; a client that cannot roll back is discarded.
 *
 * @example
 * const row = await pgTransaction(pool, async (client) => (await client.query('SELECT … FOR UPDATE', [id])).rows[0]);
 */
export async function pgTransaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
