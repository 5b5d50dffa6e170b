// The scale-out commands as a user runs them, against the machine's real PostgreSQL and Redis:
// `db migrate` twice, `status` with a queue, and the clear refusals of a worker or server that
// lacks what it needs.
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { dropSchema, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { deleteQueueKeys, uniqueQueuePrefix } from '../support/worker-fleet.js';

const schema = uniqueSchema('cli');
const store = postgresUrl(schema);
const prefix = uniqueQueuePrefix('cli');
const queue = `redis://127.0.0.1:6379?prefix=${prefix}`;

afterAll(async () => {
  await dropSchema(schema);
  await deleteQueueKeys('redis://127.0.0.1:6379', prefix);
});

describe('conclave db migrate and status', () => {
  it('migrates a fresh schema, then says it is up to date; JSON for scripts', async () => {
    const first = await runCli(['db', 'migrate', '--store', store]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`schema ${schema}: version 0 → 2`);
    expect(first.stdout).toMatch(/1 {2}session logs/);
    const again = await runCli(['db', 'migrate', '--json'], { CONCLAVE_STORE: store });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ store: 'postgres', schema, from: 2, to: 2, applied: [] });
  });

  it('reports sessions by status and the queue depth, and finishes a session run on PostgreSQL', async () => {
    const run = await runCli(['run', 'examples/pipeline.yaml', '--json', '--store', store]);
    expect(run.code).toBe(0);
    const status = await runCli(['status', '--json', '--store', store, '--queue', queue]);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as { store: Record<string, unknown>; sessions: Record<string, number>; queue: Record<string, unknown>; running: string[] };
    expect(report.store).toMatchObject({ kind: 'postgres', schemaVersion: 2, latestVersion: 2 });
    expect(report.sessions).toMatchObject({ idle: 1, running: 0 });
    expect(report.queue).toMatchObject({ waiting: 0, active: 0, failed: 0 });
    const table = await runCli(['status', '--store', store]);
    expect(table.stdout).toContain('0 running, 1 idle');
    expect(table.stdout).toContain('queue     none');
  });

  it('refuses a worker without a queue, and --store and --db that disagree, with exit code 2', async () => {
    const worker = await runCli(['worker', '--store', store], { CONCLAVE_QUEUE: '' });
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain('a worker needs a queue');
    const both = await runCli(['--store', store, '--db', 'other.db', 'status']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('name different stores');
    const badQueue = await runCli(['status', '--store', store, '--queue', 'http://127.0.0.1:6379']);
    expect(badQueue.code).toBe(2);
    expect(badQueue.stderr).toContain('redis://');
  });

  it('names the database without its password when PostgreSQL is unreachable', async () => {
    const result = await runCli(['sessions', 'list', '--store', 'postgres://app:s3cret@127.0.0.1:1/none']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('127.0.0.1:1');
    expect(result.stderr).not.toContain('s3cret');
  });
});
