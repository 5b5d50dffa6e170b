// Chaos: 200 sessions of five topologies run on three real `conclave worker` processes over the
// machine's PostgreSQL and Redis, while one worker after another is SIGKILLed and replaced. Every
// session must still finish, with a gapless log, no model call completed twice, and the very
// answers an undisturbed in-memory run gives for the same documents and seeds.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { summarizeSession } from '../../src/kernel/session-result.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import type { SessionEvent, SessionStore } from '../../src/protocol/index.js';
import { openSessionQueue, type SessionQueue } from '../../src/queue/session-queue.js';
import { createMemoryStore } from '../../src/store/index.js';
import { createPostgresStore, type PostgresSessionStore } from '../../src/store/postgres/pg-session-store.js';
import { dropSchema, postgresUrl, testPostgresUrl, uniqueSchema } from '../support/postgres.js';
import { deleteQueueKeys, startWorkerFleet, uniqueQueuePrefix, waitForIdleSessions, type WorkerFleet } from '../support/worker-fleet.js';
import { chaosSessions, chaosTopologyCount, type ChaosSession } from './chaos-sessions.js';
import { checkJournal } from './journal-checks.js';

const redisUrl = 'redis://127.0.0.1:6379';
const sessionCount = 200;
const workerCount = 3;
/** Each slow session lasts about this long, so most kills land in the middle of some session. */
const sessionMs = 2000;
/** A SIGKILL every 2–4 s, round robin over the oldest worker. */
const killEveryMs = [2000, 3000, 4000, 2500, 3500];

/** What a run of one session left: its answer and the text of every completed model call. */
interface Outcome {
  status: string;
  answer: string | undefined;
  calls: Map<string, unknown>;
}

function outcomeOf(events: readonly SessionEvent[]): Outcome {
  const result = summarizeSession(events);
  const calls = new Map<string, unknown>();
  for (const event of events) {
    if (event.type === 'command.completed') calls.set(String(event.data['commandId']), (event.data['output'] as { text?: unknown }).text);
  }
  return { status: result.status, answer: result.answer, calls };
}

async function createAll(kernel: Kernel, sessions: readonly ChaosSession[]): Promise<string[]> {
  return Promise.all(sessions.map(({ definition, seed }) => kernel.createSession(definition, { seed })));
}

/** The undisturbed reference: the same documents and seeds, fast models, in this process, in memory. */
async function undisturbedOutcomes(): Promise<Outcome[]> {
  const store: SessionStore = createMemoryStore();
  const kernel = new Kernel({ store, registry: createDefaultRegistry() });
  try {
    const ids = await createAll(kernel, chaosSessions(sessionCount, { kind: 'fast' }));
    await Promise.all(ids.map((id) => kernel.runSession(id)));
    return await Promise.all(ids.map(async (id) => outcomeOf(await store.read(id))));
  } finally {
    await store.close();
  }
}

/** Waits until no job is waiting, active or delayed (at most `timeoutMs`). */
async function queueDrained(queue: SessionQueue, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const depth = await queue.depth();
    if (depth.waiting + depth.active + depth.delayed === 0) return;
    if (Date.now() > deadline) throw new Error(`the queue did not drain within ${timeoutMs} ms: ${JSON.stringify(depth)}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
}

describe('a fleet of workers while workers are SIGKILLed', () => {
  const schema = uniqueSchema('chaos');
  const prefix = uniqueQueuePrefix('chaos');
  const storeUrl = postgresUrl(schema);
  let store: PostgresSessionStore | undefined;
  let queue: SessionQueue | undefined;
  let fleet: WorkerFleet | undefined;

  afterAll(async () => {
    await fleet?.stop();
    await queue?.close();
    await store?.close();
    await dropSchema(schema);
    await deleteQueueKeys(redisUrl, prefix);
  }, 60_000);

  it('finishes every session once, with the answers of an undisturbed run', async () => {
    const expected = await undisturbedOutcomes();
    expect(expected.every((outcome) => outcome.status === 'idle' && outcome.answer !== undefined)).toBe(true);

    const queueUrl = `${redisUrl}?prefix=${prefix}`;
    const sessionStore = (store = createPostgresStore({ url: storeUrl }));
    await sessionStore.ready();
    const kernel = new Kernel({ store: sessionStore, registry: createDefaultRegistry() });
    const sessionQueue = (queue = openSessionQueue(queueUrl));
    const workers = (fleet = await startWorkerFleet({ store: storeUrl, queue: queueUrl, concurrency: 8, lockMs: 2000, graceMs: 1000 }, workerCount));

    const started = Date.now();
    const ids = await createAll(kernel, chaosSessions(sessionCount, { kind: 'slow', sessionMs }));
    await Promise.all(ids.map(async (id) => sessionQueue.enqueue(id, await sessionStore.head(id))));
    const stopKilling = workers.killRepeatedly(killEveryMs);
    try {
      await waitForIdleSessions(storeUrl, sessionCount, { timeoutMs: 120_000 });
    } finally {
      await stopKilling();
    }
    const elapsedMs = Date.now() - started;
    const kills = workers.kills;
    // A job whose worker died just after its session finished is still `active` until a stalled
    // check hands it to a live worker, which finds nothing left to do: the queue empties by itself.
    await queueDrained(sessionQueue);
    await workers.stop();

    const journals = await Promise.all(ids.map((id) => sessionStore.read(id)));
    const checks = journals.map(checkJournal);
    const actual = journals.map(outcomeOf);
    expect(checks.flatMap((check, index) => (check.gaps.length > 0 ? [ids[index]] : []))).toEqual([]);
    expect(checks.flatMap((check) => check.duplicateCompletions)).toEqual([]);
    expect(actual.filter((outcome) => outcome.status !== 'idle' || outcome.answer === undefined)).toEqual([]);
    actual.forEach((outcome, index) => {
      const reference = expected[index] as Outcome;
      // The answer, and the text of every model call on the way to it.
      expect({ session: index, answer: outcome.answer, calls: outcome.calls }).toEqual({ session: index, answer: reference.answer, calls: reference.calls });
    });
    expect(await sessionQueue.depth()).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });

    // The kills did hit running sessions: their claims were taken over, calls cut off and re-issued.
    const client = new pg.Client({ connectionString: testPostgresUrl });
    await client.connect();
    const takenOver = await client.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${schema}.sessions WHERE runner_epoch > 1`).finally(() => client.end());
    const reissuedSessions = checks.filter((check) => check.reissued.length > 0).length;
    const takeovers = takenOver.rows[0]?.count ?? 0;
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(takeovers).toBeGreaterThan(0);
    expect(reissuedSessions).toBeGreaterThan(0);
    console.log(
      `chaos: ${sessionCount} sessions (${chaosTopologyCount} topologies) on ${workerCount} workers in ${(elapsedMs / 1000).toFixed(1)} s; ` +
        `${kills} SIGKILLs, ${takeovers} sessions taken over, ${reissuedSessions} with a model call cut off and re-issued`,
    );
  }, 170_000);
});
