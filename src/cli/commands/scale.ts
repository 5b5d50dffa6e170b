/**
 * The scale-out commands: `conclave worker` runs queued sessions until SIGTERM, `conclave db
 * migrate` brings a PostgreSQL schema up to date, and `conclave status` shows where sessions live,
 * how many run, and how deep the queue is.
 */
import { loadServerPolicy } from '../../policy/load-server-policy.js';
import { hostname } from 'node:os';
import { ConclaveError } from '../../protocol/errors.js';
import type { SessionStatus } from '../../protocol/events.js';
import type { WorkerActivity } from '../../queue/session-worker.js';
import type { QueueDepth } from '../../queue/session-queue.js';
import { checkReadiness, startHealthServer, storeCheck } from '../../server/health.js';
import { answerMetrics } from '../../server/metrics-server.js';
import { startProcessObservability } from '../process-observability.js';
import type { SessionStore } from '../../protocol/store.js';
import { migratePostgres, postgresSchemaVersion, postgresVersion, type PostgresSessionStore } from '../../store/index.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { untilSignal } from '../signals.js';
import { stylerFor } from '../terminal.js';

export interface WorkerOptions {
  /** Redis URL of the queue; else CONCLAVE_QUEUE. */
  queue?: string;
  /** Sessions run at once. Default 8. */
  concurrency?: number;
  /** Port of /healthz and /readyz; 0 picks a free one. */
  healthPort?: number;
  /** Interface of the health server. Default 127.0.0.1. */
  healthHost?: string;
  /** How long SIGTERM lets running sessions finish before handing them back. Default 30 s. */
  graceMs?: number;
  /** Lock duration of a job: how soon a killed worker's sessions move on. Default 10 s. */
  lockMs?: number;
  /** No line per session. */
  quiet?: boolean;
  /** The server policy file (else CONCLAVE_POLICY, else the safe defaults); the same as the servers'. */
  policy?: string;
  /** `--log-level` (else CONCLAVE_LOG_LEVEL, else `info`). */
  logLevel?: string;
  /** `--log-format json` makes every line JSON; otherwise the activity lines are text. */
  logFormat?: string;
}

import { defaultGraceMs } from './scale-defaults.js';

export { defaultGraceMs };

/**
 * Runs queued sessions until SIGINT/SIGTERM; returns the exit code.
 *
 * @example
 * await workerCommand(context, { queue: 'redis://127.0.0.1:6379', concurrency: 8 });
 */
export async function workerCommand(context: CliContext, options: WorkerOptions): Promise<number> {
  // Documents from API callers are held to the policy again here, before each run.
  context.usePolicy(loadServerPolicy(options.policy, process.env));
  const queue = context.queue(options.queue);
  if (queue === undefined) throw new ConclaveError('invalid_argument', 'a worker needs a queue: give --queue redis://host:6379 or set CONCLAVE_QUEUE');
  // In text mode the activity lines below are the worker's log; with --log-format json every line is JSON.
  const json = (options.logFormat ?? process.env['CONCLAVE_LOG_FORMAT']?.trim()) === 'json';
  const observability = await startProcessObservability(context, {
    role: 'worker',
    ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
    ...(options.logFormat !== undefined ? { logFormat: options.logFormat } : {}),
    queueDepth: () => queue.depth(),
    logSessions: () => json,
  });
  const store = context.store();
  if (store.kind === 'memory') throw new ConclaveError('invalid_argument', 'a worker needs a store shared with the server: give --store postgres://… (or a SQLite file on this machine)');
  await storeCheck(store)();
  const kernel = context.kernel();
  const style = stylerFor(process.stdout);
  const log = (activity: WorkerActivity): void => {
    if (options.quiet === true) return;
    if (json) {
      observability.logger.info({ sessionId: activity.sessionId, activity: activity.kind, ...(activity.detail !== undefined ? { detail: activity.detail } : {}) }, 'worker');
      return;
    }
    const detail = activity.detail === undefined ? '' : `  ${style.dim(activity.detail)}`;
    process.stdout.write(`${new Date().toISOString()}  ${activity.kind.padEnd(11)} ${activity.sessionId}${detail}\n`);
  };
  const name = `${hostname()}:${process.pid}`;
  const stopped = untilSignal();
  // Loaded here, not at start-up: only this command runs a worker.
  const { startSessionWorker } = await import('../../queue/session-worker.js');
  const { publishLiveDeltas } = await import('../../queue/live-relay.js');
  // Text as it streams goes to servers whose SSE clients ask for it.
  const stopRelay = publishLiveDeltas(kernel.live, queue.target);
  const worker = await startSessionWorker({
    kernel,
    queue: queue.target,
    concurrency: options.concurrency ?? 8,
    ...(options.lockMs !== undefined ? { lockMs: options.lockMs } : {}),
    name,
    onActivity: log,
  });
  const health = await startHealthServer({
    port: options.healthPort ?? 0,
    ...(options.healthHost !== undefined ? { host: options.healthHost } : {}),
    also: (request, response) => answerMetrics(observability.metrics, request, response),
    checks: {
      store: storeCheck(store),
      queue: () => queue.ping(),
      worker: async () => {
        if (!worker.ready) throw new Error('not taking jobs (shutting down)');
      },
    },
  });
  process.stdout.write(
    `conclave worker ${name} taking sessions from ${queue.target.display} (store: ${context.storeDisplay()}, concurrency ${options.concurrency ?? 8}, health ${health.url}/readyz, metrics ${health.url}/metrics)\n`,
  );
  const signal = await stopped;
  const graceMs = options.graceMs ?? defaultGraceMs;
  process.stderr.write(`${signal}: finishing ${worker.running} running session(s) for up to ${Math.round(graceMs / 1000)} s, then handing the rest back (again to hand back now)\n`);
  const again = untilSignal();
  const closing = worker.close(graceMs);
  const outcome = await Promise.race([closing, again.then(() => undefined)]);
  const result = outcome ?? (await Promise.race([closing, worker.close(0)]));
  await health.close();
  await stopRelay();
  process.stderr.write(`worker stopped: ${result.finished} session run(s) finished, ${result.handedBack} handed back to the queue\n`);
  await observability.close();
  return exitCodes.success;
}

/**
 * Applies the PostgreSQL migrations of the store (`--store postgres://…`); for SQLite files there
 * is nothing to do by hand — they migrate when opened.
 *
 * @example
 * await dbMigrateCommand(context, { json: false });
 */
export async function dbMigrateCommand(context: CliContext, options: { json?: boolean }): Promise<number> {
  const store = context.store();
  if (!isPostgresStore(store)) {
    await store.head('migrate');
    const location = context.storeDisplay();
    const message = `${store.kind} store ${location}: up to date (SQLite files migrate themselves when opened)`;
    process.stdout.write(options.json === true ? `${JSON.stringify({ store: store.kind, location, applied: [] })}\n` : `${message}\n`);
    return exitCodes.success;
  }
  const { target } = store;
  const report = await migratePostgres(store.pool, target).catch((error: unknown) => {
    throw new ConclaveError('store_error', `cannot migrate ${target.display}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ store: 'postgres', location: target.display, ...report })}\n`);
  } else if (report.applied.length === 0) {
    process.stdout.write(`schema ${target.schema} at ${target.display}: already at version ${report.to}\n`);
  } else {
    const lines = report.applied.map((migration) => `  ${String(migration.version).padStart(3)}  ${migration.name}`);
    process.stdout.write(`schema ${target.schema}: version ${report.from} → ${report.to}\n${lines.join('\n')}\n`);
  }
  return exitCodes.success;
}

/** What `conclave status` reports. */
export interface StatusReport {
  store: { kind: string; location: string; schemaVersion?: number; latestVersion?: number };
  sessions: Record<SessionStatus, number>;
  queue?: { location: string } & QueueDepth;
}

const statuses: SessionStatus[] = ['running', 'idle', 'created', 'terminated'];

/**
 * Shows the store, sessions by status (running ones by id), and the queue's depth and workers.
 *
 * @example
 * await statusCommand(context, { queue: 'redis://127.0.0.1:6379' });
 */
export async function statusCommand(context: CliContext, options: { queue?: string; json?: boolean }): Promise<number> {
  const store = context.store();
  const location = context.storeDisplay();
  // Counted, not listed: only the running sessions (as many as the workers run) are fetched.
  const [counts, running] = await Promise.all([store.countSessions(), store.listSessions({ status: 'running' })]);
  const report: StatusReport = { store: { kind: store.kind, location }, sessions: counts };
  if (isPostgresStore(store)) report.store = { ...report.store, schemaVersion: await postgresVersion(store.pool, store.target), latestVersion: postgresSchemaVersion };
  const queue = context.queue(options.queue);
  if (queue !== undefined) report.queue = { location: queue.target.display, ...(await queue.depth()) };
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ ...report, running: running.map((summary) => summary.id) }, null, 2)}\n`);
    return exitCodes.success;
  }
  const style = stylerFor(process.stdout);
  const lines = [`${style.bold('store')}     ${store.kind}  ${location}${report.store.schemaVersion !== undefined ? `  (schema version ${report.store.schemaVersion} of ${report.store.latestVersion})` : ''}`];
  lines.push(`${style.bold('sessions')}  ${statuses.map((status) => `${report.sessions[status] ?? 0} ${status}`).join(', ')}`);
  for (const summary of running.slice(0, 20)) lines.push(`            ${style.dim('running')} ${summary.id}  ${summary.topology}  ${summary.title}`);
  if (report.queue !== undefined) {
    const depth = report.queue;
    lines.push(`${style.bold('queue')}     ${depth.waiting} waiting, ${depth.active} active, ${depth.delayed} delayed, ${depth.failed} failed; ${depth.workers} worker connection(s)  ${style.dim(depth.location)}`);
  } else {
    lines.push(`${style.bold('queue')}     none (sessions run in the process that starts them; --queue or CONCLAVE_QUEUE to see a worker queue)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const readiness = await checkReadiness({ store: storeCheck(store), ...(queue !== undefined ? { queue: () => queue.ping() } : {}) });
  return readiness.ready ? exitCodes.success : exitCodes.runFailed;
}

function isPostgresStore(store: SessionStore): store is PostgresSessionStore {
  return store.kind === 'postgres';
}
