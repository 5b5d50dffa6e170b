// PostgreSQL for tests: the machine's real server (127.0.0.1:5432, user postgres, database test),
// a fresh schema per store so runs never see each other, and dropping it afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test database; CONCLAVE_TEST_POSTGRES overrides it. */
export const testPostgresUrl = process.env.CONCLAVE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test uses: `conclave_test_<label>_<random>`. */
export function uniqueSchema(label: string): string {
  return `conclave_test_${label.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(5).toString('hex')}`.slice(0, 48);
}

/** The test database URL with a schema parameter. */
export function postgresUrl(schema: string): string {
  return `${testPostgresUrl}?schema=${schema}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
