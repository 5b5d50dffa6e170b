// One `conclave worker` process as an operator sees it: /healthz and /readyz answer while it runs,
// and SIGTERM with a short --grace hands a session that is still running back to the queue, where
// a second worker finishes it without paying again for the model call the first one completed.
import { afterAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { summarizeSession } from '../../src/kernel/session-result.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import type { SessionDefinition } from '../../src/kernel/index.js';
import { openSessionQueue, type SessionQueue } from '../../src/queue/session-queue.js';
import { createMemoryStore } from '../../src/store/index.js';
import { createPostgresStore, type PostgresSessionStore } from '../../src/store/postgres/pg-session-store.js';
import { dropSchema, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { deleteQueueKeys, startWorkerProcess, uniqueQueuePrefix, waitForIdleSessions, type FleetWorker } from '../support/worker-fleet.js';
import { checkJournal } from './journal-checks.js';

const redisUrl = 'redis://127.0.0.1:6379';

/** Three stages of `stageMs` each: long enough to be mid-session when SIGTERM comes. */
function pipeline(stageMs: number | undefined): SessionDefinition {
  const model = (persona: string): string => `offline/persona?persona=${persona}${stageMs === undefined ? '' : `&ttft_ms=${stageMs}`}`;
  return {
    topology: 'pipeline',
    name: 'slow pipeline',
    task: 'Write release notes for version 2.0 of a command-line tool.',
    agents: ['optimist', 'skeptic', 'pragmatist'].map((persona) => ({ name: persona, model: model(persona) })),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

describe('conclave worker', () => {
  const schema = uniqueSchema('worker');
  const prefix = uniqueQueuePrefix('worker');
  const storeUrl = postgresUrl(schema);
  const queueUrl = `${redisUrl}?prefix=${prefix}`;
  const workers: FleetWorker[] = [];
  let store: PostgresSessionStore | undefined;
  let queue: SessionQueue | undefined;

  afterAll(async () => {
    for (const worker of workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
      await worker.exited;
    }
    await queue?.close();
    await store?.close();
    await dropSchema(schema);
    await deleteQueueKeys(redisUrl, prefix);
  });

  it('answers /healthz and /readyz, and on SIGTERM hands a running session back for another worker to finish', async () => {
    const sessionStore = (store = createPostgresStore({ url: storeUrl }));
    await sessionStore.ready();
    const kernel = new Kernel({ store: sessionStore, registry: createDefaultRegistry() });
    const sessionQueue = (queue = openSessionQueue(queueUrl));
    const first = await startWorkerProcess({ store: storeUrl, queue: queueUrl, concurrency: 2, lockMs: 2000, graceMs: 1500, quiet: false }, 1);
    workers.push(first);

    const healthz = await fetch(`${first.healthUrl}/healthz`);
    expect(healthz.status).toBe(200);
    const readyz = await fetch(`${first.healthUrl}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toMatchObject({ ready: true, checks: { store: 'ok', queue: 'ok', worker: 'ok' } });
    // The health port also serves the Prometheus metrics, the queue's gauges included.
    const metrics = await fetch(`${first.healthUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toMatch(/^conclave_queue_workers \d+$/m);

    const sessionId = await kernel.createSession(pipeline(2000), { seed: 11 });
    await sessionQueue.enqueue(sessionId, await sessionStore.head(sessionId));
    // The second stage has started: the first stage's completion is stored (it commits with it).
    await until('the second model call', async () => {
      const started = (await sessionStore.read(sessionId)).filter((event) => event.type === 'command.started');
      return started.length >= 2 ? true : undefined;
    });

    first.child.kill('SIGTERM');
    // Shutting down: no longer ready (a load balancer stops routing), still alive.
    const notReady = await until('/readyz to answer 503', async () => {
      const response = await fetch(`${first.healthUrl}/readyz`);
      return response.status === 503 ? ((await response.json()) as { ready: boolean; checks: Record<string, string> }) : undefined;
    }, 5000);
    expect(notReady).toMatchObject({ ready: false, checks: { worker: expect.stringContaining('shutting down') } });
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain(`handed-back ${sessionId}`);
    expect(first.output()).toMatch(/1 handed back to the queue/);
    expect(summarizeSession(await sessionStore.read(sessionId)).status).toBe('running');

    const second = await startWorkerProcess({ store: storeUrl, queue: queueUrl, concurrency: 2, lockMs: 2000, graceMs: 1500, quiet: false }, 2);
    workers.push(second);
    await waitForIdleSessions(storeUrl, 1, { timeoutMs: 20_000 });

    const events = await sessionStore.read(sessionId);
    const check = checkJournal(events);
    expect(check.gaps).toEqual([]);
    expect(check.duplicateCompletions).toEqual([]);
    expect(events.filter((event) => event.type === 'command.completed')).toHaveLength(3);
    // The first stage ran once, on the first worker; the second continued from the log.
    const firstStage = events.find((event) => event.type === 'command.completed')?.data['commandId'];
    expect(events.filter((event) => event.type === 'command.started' && event.data['commandId'] === firstStage)).toHaveLength(1);
    expect(second.output()).toContain(`finished    ${sessionId}`);

    const reference = createMemoryStore();
    const referenceKernel = new Kernel({ store: reference, registry: createDefaultRegistry() });
    const referenceId = await referenceKernel.createSession(pipeline(undefined), { seed: 11 });
    const expected = await referenceKernel.runSession(referenceId);
    await reference.close();
    expect(summarizeSession(events)).toMatchObject({ status: 'idle', answer: expected.answer });
  }, 60_000);
});
