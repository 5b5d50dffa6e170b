/**
 * `npm run bench:scale`: sessions per second with 1, 2 and 4 `conclave worker` processes on this
 * machine, over the machine's PostgreSQL and Redis (a throwaway database and key prefix of the
 * run's own, dropped afterwards, with a schema per worker count). For each worker count: create a
 * fixed batch of pipeline/debate sessions on a zero-latency offline model, start the workers,
 * enqueue the batch, time it from the first enqueue to the last session's last event, and read
 * what PostgreSQL did meanwhile — event rows, commits and writing transactions per model call
 * ("step") — and where the CPU went. The database is the run's own so that no other client's
 * transactions are counted. Figures are ratios against the one worker measured in the same run.
 *
 * `--sessions N` (default 1000, long enough for start-up and JIT warm-up to wash out),
 * `--workers 1,2,4`, `--concurrency C` per worker (default 8), `--out FILE` also writes the
 * results as JSON. Progress goes to stderr on a terminal only. Always exits 0: it is a measurement.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { Kernel } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { openSessionQueue } from '../../src/queue/session-queue.js';
import { createPostgresStore } from '../../src/store/postgres/pg-session-store.js';
import { deleteQueueKeys, startWorkerFleet, waitForIdleSessions, type WorkerFleet } from '../../test/support/worker-fleet.js';
import { machineBusyCores, readMachineCpu, readProcessCpuSeconds } from './cpu-usage.js';
import { counterDelta, createThrowawayDatabase, readPostgresCounters, type PostgresCounters } from './postgres-counters.js';
import { scaleSessions } from './scale-sessions.js';
import { runMeasurement } from '../run-measurement.js';
import { argument, wholeNumber } from '../benchmark-arguments.js';

/** The server (any database on it): the benchmark creates and drops a database of its own there. */
const serverUrl = process.env.CONCLAVE_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.CONCLAVE_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const progress = process.stderr.isTTY;

interface RunResult {
  workers: number;
  concurrency: number;
  sessions: number;
  /** Model calls completed (`command.completed` events). */
  steps: number;
  failedCalls: number;
  seconds: number;
  /** What PostgreSQL did from the first enqueue until the workers disconnected. */
  used: PostgresCounters;
  /** Of `used.commits`, the transactions of this benchmark's own polling (subtracted in the table). */
  ownCommits: number;
  /** Where the CPU went while the batch ran (Linux only). */
  cpu?: {
    /** Cores busy on average, whole machine (workers, PostgreSQL, Redis, everything else). */
    machineCores: number;
    /** Cores the worker processes used on average. */
    workerCores: number;
    /** Worker CPU per session. */
    workerMsPerSession: number;
  };
}

function workersCpuSeconds(fleet: WorkerFleet): number | undefined {
  const readings = fleet.workers.map((worker) => readProcessCpuSeconds(worker.child.pid ?? 0));
  return readings.some((reading) => reading === undefined) ? undefined : (readings as number[]).reduce((sum, value) => sum + value, 0);
}

/** One measurement: a fresh schema and key prefix, `workers` processes, the whole batch. */
async function measure(databaseUrl: string, workers: number, sessions: number, concurrency: number): Promise<RunResult> {
  const name = `run_${workers}_workers`;
  const storeUrl = `${databaseUrl}?schema=${name}`;
  const queueUrl = `${redisUrl}?prefix=${new URL(databaseUrl).pathname.slice(1)}_${name}`;
  const store = createPostgresStore({ url: storeUrl });
  const queue = openSessionQueue(queueUrl);
  const fleet = await startWorkerFleet({ store: storeUrl, queue: queueUrl, concurrency, lockMs: 10_000, graceMs: 5000 }, workers).catch(async (error: unknown) => {
    await queue.close();
    await store.close();
    throw error;
  });
  try {
    const kernel = new Kernel({ store, registry: createDefaultRegistry() });
    const ids = await Promise.all(scaleSessions(sessions).map(({ definition, seed }) => kernel.createSession(definition, { seed })));
    const heads = await Promise.all(ids.map((id) => store.head(id)));
    // Our own connections' statistics reach the counters when they disconnect: close them first.
    await store.close();
    await delay(500);
    const before = await readPostgresCounters(databaseUrl, name);
    const machineBefore = readMachineCpu();
    const workersBefore = workersCpuSeconds(fleet);
    const started = Date.now();
    await Promise.all(ids.map((id, index) => queue.enqueue(id, heads[index] as number)));
    let polls = 0;
    await waitForIdleSessions(storeUrl, sessions, {
      timeoutMs: 600_000,
      pollMs: 50,
      onProgress: ({ idle }) => {
        polls += 1;
        if (progress) process.stderr.write(`\r  ${workers} worker(s): ${idle}/${sessions} sessions done`);
      },
    });
    const cpuSeconds = (Date.now() - started) / 1000;
    const machineCores = machineBusyCores(machineBefore, readMachineCpu(), cpuSeconds);
    const workersAfter = workersCpuSeconds(fleet);
    if (progress) process.stderr.write('\n');
    // The workers' statistics are flushed when they exit, so the counters are read after that.
    await fleet.stop();
    await delay(500);
    const after = await readPostgresCounters(databaseUrl, name);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ last: string; steps: number; failed: number }>(
        `SELECT (SELECT max(updated_at) FROM ${name}.sessions) AS last,
                (SELECT count(*) FROM ${name}.events WHERE type = 'command.completed')::int AS steps,
                (SELECT count(*) FROM ${name}.events WHERE type = 'command.failed')::int AS failed`,
      );
      const row = rows[0] as { last: string; steps: number; failed: number };
      return {
        workers,
        concurrency,
        sessions,
        steps: row.steps,
        failedCalls: row.failed,
        seconds: (Date.parse(row.last) - started) / 1000,
        used: counterDelta(before, after),
        // The "before" read itself and every poll of `waitForIdleSessions` committed a read.
        ownCommits: 1 + polls,
        ...(machineCores !== undefined && workersBefore !== undefined && workersAfter !== undefined
          ? { cpu: { machineCores, workerCores: (workersAfter - workersBefore) / cpuSeconds, workerMsPerSession: ((workersAfter - workersBefore) * 1000) / sessions } }
          : {}),
      };
    } finally {
      await client.end();
    }
  } finally {
    await fleet.stop();
    await queue.close();
    await store.close();
    await deleteQueueKeys(redisUrl, new URL(queueUrl).searchParams.get('prefix') as string);
  }
}

/** The workers' commits: everything in the database but the benchmark's own reads. */
function commitsOf(result: RunResult): number {
  return result.used.commits - result.ownCommits;
}

function table(results: readonly RunResult[]): string {
  const baseline = results[0];
  const perSecond = (result: RunResult): number => result.sessions / result.seconds;
  const rows = results.map((result) => {
    const commits = commitsOf(result);
    const ratio = baseline === undefined ? 1 : perSecond(result) / perSecond(baseline);
    return [
      `${result.workers} × -c ${result.concurrency}`,
      `${result.seconds.toFixed(2)} s`,
      `**${perSecond(result).toFixed(1)}**`,
      `${ratio.toFixed(2)}×`,
      (result.steps / result.seconds).toFixed(0),
      (result.used.events / result.steps).toFixed(2),
      (commits / result.steps).toFixed(2),
      (result.used.sessionUpdates / result.steps).toFixed(2),
      (commits / result.sessions).toFixed(1),
      (commits / result.seconds).toFixed(0),
      result.cpu === undefined ? 'n/a' : `${result.cpu.machineCores.toFixed(2)} (workers ${result.cpu.workerCores.toFixed(2)})`,
      result.cpu === undefined ? 'n/a' : result.cpu.workerMsPerSession.toFixed(1),
    ].join(' | ');
  });
  return [
    '| workers | batch time | sessions/s | vs 1 worker | steps/s | event rows / step | commits / step | of which writes | commits / session | commits/s | busy cores, machine (workers) | worker CPU ms / session |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sessions = wholeNumber(argument(args, '--sessions'), 1000, '--sessions');
  const concurrency = wholeNumber(argument(args, '--concurrency'), 8, '--concurrency');
  const workerCounts = (argument(args, '--workers') ?? '1,2,4').split(',').map((count) => wholeNumber(count.trim(), 1, '--workers'));
  const out = argument(args, '--out');
  const results: RunResult[] = [];
  const database = await createThrowawayDatabase(serverUrl, 'scale');
  try {
    for (const workers of workerCounts) {
      process.stderr.write(`running ${sessions} sessions on ${workers} worker process(es), -c ${concurrency}…\n`);
      const result = await measure(database.url, workers, sessions, concurrency);
      results.push(result);
      process.stderr.write(`  ${(result.sessions / result.seconds).toFixed(1)} sessions/s (${result.seconds.toFixed(2)} s, ${result.steps} steps, ${result.failedCalls} failed calls)\n`);
    }
  } finally {
    await database.drop();
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  const steps = results[0]?.steps ?? 0;
  process.stdout.write(
    `Scale-out, ${date}, on ${machine}; ${sessions} sessions (pipeline/debate, ${steps} model calls), offline model without latency.\n\n${table(results)}\n\n` +
      'A step is one model call. Commits: pg_stat_database.xact_commit of the benchmark\'s own database, reads included (its own polling subtracted); writes: session row updates (one per append or claim).\n',
  );
  if (out !== undefined) {
    writeFileSync(out, `${JSON.stringify({ date, machine, sessions, results }, null, 2)}\n`);
    process.stderr.write(`wrote ${out}\n`);
  }
}

await runMeasurement('bench:scale', main);
