/**
 * A fleet of real `conclave worker` processes (the built CLI, `dist/cli/conclave.js`) over one
 * PostgreSQL schema and one Redis key prefix: start N, SIGKILL one and start its replacement, wait
 * until every session of the schema is idle, stop them all. The chaos test and the scale benchmark
 * share it, so it depends on nothing of the test tree (the benchmark runs it compiled, from
 * `dist/test/support/`) and finds the CLI from the nearest `package.json` up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';

function findProjectRoot(start: string): string {
  for (let directory = start; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    if (dirname(directory) === directory) throw new Error(`no package.json above ${start}`);
  }
}

/** The checkout this file belongs to (also when it runs compiled from `dist/`). */
export const fleetProjectRoot = findProjectRoot(import.meta.dirname);

/** The built CLI the workers run. */
export const fleetCliPath = join(fleetProjectRoot, 'dist', 'cli', 'conclave.js');

export interface WorkerFleetOptions {
  /** `postgres://…?schema=…` the workers share. */
  store: string;
  /** `redis://…?prefix=…` the workers take jobs from. */
  queue: string;
  /** `-c`: sessions each worker runs at once. Default 8. */
  concurrency?: number;
  /** `--lock`: how soon a killed worker's sessions move on. Default 2000 ms. */
  lockMs?: number;
  /** `--grace` on SIGTERM. Default 2000 ms. */
  graceMs?: number;
  /** `--quiet` (no line per session). Default true. */
  quiet?: boolean;
  /** How long a worker may take to print its ready line. Default 20 s. */
  startTimeoutMs?: number;
}

/** One worker process of the fleet. */
export interface FleetWorker {
  /** 1 for the first worker started, 2 for the next, … (replacements included). */
  readonly number: number;
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` of its `/healthz` and `/readyz`. */
  readonly healthUrl: string;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface WorkerFleet {
  /** Workers alive now, oldest first. */
  readonly workers: readonly FleetWorker[];
  /** Workers SIGKILLed so far. */
  readonly kills: number;
  /** Starts one more worker; resolves once it takes jobs. */
  start(): Promise<FleetWorker>;
  /** SIGKILLs the oldest worker and starts its replacement at once; resolves once it takes jobs. */
  killOldestAndReplace(): Promise<{ killed: FleetWorker; started: FleetWorker }>;
  /**
   * Until the returned function is called: every `intervalsMs[i % length]` ms, kill the oldest
   * worker and replace it. The returned function resolves once the loop has stopped.
   */
  killRepeatedly(intervalsMs: readonly number[]): () => Promise<void>;
  /** Sends `signal` to one worker and waits for it to exit. */
  stopWorker(worker: FleetWorker, signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERMs every worker (SIGKILL after `graceMs` plus 5 s) and waits for them all. */
  stop(): Promise<void>;
}

/**
 * Spawns one `conclave worker` process and waits until it takes jobs.
 *
 * @example
 * const worker = await startWorkerProcess({ store: postgresUrl(schema), queue: 'redis://127.0.0.1:6379?prefix=t1' }, 1);
 * await fetch(`${worker.healthUrl}/readyz`); // → 200
 */
export async function startWorkerProcess(options: WorkerFleetOptions, number: number): Promise<FleetWorker> {
  if (!existsSync(fleetCliPath)) throw new Error(`${fleetCliPath} is missing: run \`npm run build\` first`);
  const args = [
    fleetCliPath, 'worker', '--store', options.store, '--queue', options.queue,
    '-c', String(options.concurrency ?? 8), '--lock', String(options.lockMs ?? 2000), '--grace', String(options.graceMs ?? 2000), '--health-port', '0',
  ];
  if (options.quiet ?? true) args.push('--quiet');
  const child = spawn(process.execPath, args, { cwd: fleetProjectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));
  const healthUrl = await new Promise<string>((resolveReady, rejectReady) => {
    let settled = false;
    const timer = setTimeout(() => fail(`worker ${number} printed no ready line within ${options.startTimeoutMs ?? 20_000} ms`), options.startTimeoutMs ?? 20_000);
    function fail(message: string): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      rejectReady(new Error(`${message}; it printed:\n${output}`));
    }
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const ready = settled ? null : /health (http:\/\/\S+)\/readyz/.exec(output);
      if (ready !== null) {
        settled = true;
        clearTimeout(timer);
        resolveReady(ready[1] as string);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(({ code, signal }) => fail(`worker ${number} exited (${signal ?? `code ${code}`}) before it was ready`));
  });
  return { number, child, healthUrl, exited, output: () => output };
}

/**
 * Starts `size` workers at once and returns the fleet.
 *
 * @example
 * const fleet = await startWorkerFleet({ store: postgresUrl(schema), queue, concurrency: 8 }, 3);
 * const stopKilling = fleet.killRepeatedly([2000, 3000, 4000]);
 * await waitForIdleSessions(postgresUrl(schema), 200, { timeoutMs: 120_000 });
 * await stopKilling();
 * await fleet.stop();
 */
export async function startWorkerFleet(options: WorkerFleetOptions, size: number): Promise<WorkerFleet> {
  const alive: FleetWorker[] = [];
  let started = 0;
  let kills = 0;

  async function start(): Promise<FleetWorker> {
    started += 1;
    const worker = await startWorkerProcess(options, started);
    alive.push(worker);
    void worker.exited.then(() => {
      const index = alive.indexOf(worker);
      if (index !== -1) alive.splice(index, 1);
    });
    return worker;
  }

  async function stopWorker(worker: FleetWorker, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const index = alive.indexOf(worker);
    if (index !== -1) alive.splice(index, 1);
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill(signal);
    await worker.exited;
  }

  async function killOldestAndReplace(): Promise<{ killed: FleetWorker; started: FleetWorker }> {
    const killed = alive[0];
    if (killed === undefined) throw new Error('no worker left to kill');
    kills += 1;
    const stopped = stopWorker(killed, 'SIGKILL');
    const replacement = await start();
    await stopped;
    return { killed, started: replacement };
  }

  const fleet: WorkerFleet = {
    get workers() {
      return [...alive];
    },
    get kills() {
      return kills;
    },
    start,
    stopWorker,
    killOldestAndReplace,
    killRepeatedly(intervalsMs) {
      const controller = new AbortController();
      const loop = (async () => {
        for (let round = 0; !controller.signal.aborted; round += 1) {
          const waited = await delay(intervalsMs[round % intervalsMs.length] as number, true, { signal: controller.signal }).catch(() => false);
          if (!waited || controller.signal.aborted) break;
          await killOldestAndReplace();
        }
      })();
      // A failed restart surfaces when the loop is stopped, not as an unhandled rejection.
      loop.catch(() => undefined);
      return async () => {
        controller.abort();
        await loop;
      };
    },
    async stop() {
      const graceMs = options.graceMs ?? 2000;
      await Promise.all(
        [...alive].map(async (worker) => {
          const force = setTimeout(() => worker.child.kill('SIGKILL'), graceMs + 5000);
          await stopWorker(worker, 'SIGTERM');
          clearTimeout(force);
        }),
      );
    },
  };
  try {
    await Promise.all(Array.from({ length: size }, () => start()));
  } catch (error) {
    await Promise.all([...alive].map((worker) => stopWorker(worker, 'SIGKILL')));
    throw error;
  }
  return fleet;
}

/** Sessions by status in a schema, and how many are idle. */
export interface SessionCounts {
  total: number;
  idle: number;
}

/**
 * Reads how many sessions a schema holds and how many of them are idle (one query).
 *
 * @example
 * const { idle, total } = await countSessions(client, 'conclave_test_chaos_1a2b');
 */
export async function countSessions(client: pg.Client, schema: string): Promise<SessionCounts> {
  const { rows } = await client.query<{ total: number; idle: number }>(`SELECT count(*)::int AS total, (count(*) FILTER (WHERE status = 'idle'))::int AS idle FROM ${schema}.sessions`);
  return { total: rows[0]?.total ?? 0, idle: rows[0]?.idle ?? 0 };
}

/**
 * Polls the schema of `storeUrl` until `count` sessions are idle; rejects after `timeoutMs` with
 * how far it got. `onProgress` hears every poll.
 *
 * @example
 * await waitForIdleSessions('postgres://postgres@127.0.0.1:5432/test?schema=chaos', 200, { timeoutMs: 120_000 });
 */
export async function waitForIdleSessions(
  storeUrl: string,
  count: number,
  options: { timeoutMs: number; pollMs?: number; onProgress?: (counts: SessionCounts) => void },
): Promise<SessionCounts> {
  const url = new URL(storeUrl);
  const schema = url.searchParams.get('schema');
  if (schema === null) throw new Error(`${storeUrl} names no schema`);
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  const deadline = Date.now() + options.timeoutMs;
  try {
    for (;;) {
      const counts = await countSessions(client, schema);
      options.onProgress?.(counts);
      if (counts.idle >= count) return counts;
      if (Date.now() > deadline) throw new Error(`only ${counts.idle} of ${count} sessions idle after ${options.timeoutMs} ms`);
      await delay(options.pollMs ?? 200);
    }
  } finally {
    await client.end();
  }
}

/**
 * A Redis key prefix no other run uses: `conclave_test_<label>_<random>`.
 *
 * @example
 * const queue = `redis://127.0.0.1:6379?prefix=${uniqueQueuePrefix('chaos')}`;
 */
export function uniqueQueuePrefix(label: string): string {
  return `conclave_test_${label.replace(/[^A-Za-z0-9_]/g, '_')}_${randomBytes(5).toString('hex')}`.slice(0, 64);
}

/**
 * Deletes every `<prefix>:*` key of a queue; returns how many there were.
 *
 * @example
 * await deleteQueueKeys('redis://127.0.0.1:6379', 'conclave_test_chaos_1a2b3c4d5e');
 */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
