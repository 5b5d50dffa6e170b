// The session queue and worker in one process, against the machine's real PostgreSQL and Redis
// (a schema and a key prefix of each test's own, removed afterwards): a server that enqueues instead
// of running, a worker that runs what is enqueued, a shutdown that hands running sessions back, and
// readiness that tells when the queue is gone.
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, LiveEvents, type SessionDefinition, type StreamDelta } from '../../src/kernel/index.js';
import type { SessionEvent } from '../../src/protocol/index.js';
import { openSessionQueue, type SessionQueue } from '../../src/queue/session-queue.js';
import { publishLiveDeltas, receiveLiveDeltas } from '../../src/queue/live-relay.js';
import { startSessionWorker, type SessionWorker, type WorkerActivity } from '../../src/queue/session-worker.js';
import { createPostgresStore, type PostgresSessionStore } from '../../src/store/postgres/pg-session-store.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createScriptedProvider, type ScriptedCall } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';
import { dropSchema, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { deleteQueueKeys, uniqueQueuePrefix } from '../support/worker-fleet.js';

const redisUrl = 'redis://127.0.0.1:6379';

function pipeline(stages: number): SessionDefinition {
  return {
    topology: 'pipeline',
    agents: Array.from({ length: stages }, (_, index) => ({ name: `stage${index}`, model: 'script/any' })),
    options: { passes: 1, include_task: false },
  };
}

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function completedIds(events: SessionEvent[]): string[] {
  return events.filter((event) => event.type === 'command.completed').map((event) => event.data['commandId'] as string);
}

describe('sessions through the queue', () => {
  let schema: string;
  let prefix: string;
  const closers: Array<() => Promise<unknown>> = [];

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await dropSchema(schema);
    await deleteQueueKeys(redisUrl, prefix);
  });

  function setup(delayMs = 0): { store: PostgresSessionStore; queue: SessionQueue; kernel: () => Kernel } {
    schema = uniqueSchema('queue');
    prefix = uniqueQueuePrefix('queue');
    const store = createPostgresStore({ url: postgresUrl(schema), poolSize: 4 });
    const queue = openSessionQueue(`${redisUrl}?prefix=${prefix}`);
    closers.push(() => store.close(), () => queue.close());
    const kernel = (): Kernel => {
      const provider = createScriptedProvider((call) => ({ delayMs, text: `${call.lastUserMessage}+` }));
      // Each kernel is a "process" of its own: its own store connection, its own provider.
      const own = createPostgresStore({ url: postgresUrl(schema), poolSize: 4 });
      closers.push(() => own.close());
      return new Kernel({ store: own, registry: testRegistry(provider.module) });
    };
    return { store, queue, kernel };
  }

  async function worker(kernel: Kernel, queue: SessionQueue, activity: WorkerActivity[] = []): Promise<SessionWorker> {
    const started = await startSessionWorker({ kernel, queue: queue.target, concurrency: 4, lockMs: 2000, onActivity: (item) => activity.push(item) });
    closers.push(() => started.close(0));
    return started;
  }

  it('enqueues a session once per head, and a worker runs it to its answer', async () => {
    const { store, queue, kernel } = setup();
    const producer = kernel();
    const sessionId = await producer.createSession(pipeline(3), { task: 'x' });
    await queue.enqueue(sessionId, 1);
    await queue.enqueue(sessionId, 1); // a retried request: still one job
    expect(await queue.depth()).toMatchObject({ waiting: 1, active: 0 });

    const activity: WorkerActivity[] = [];
    await worker(kernel(), queue, activity);
    await until(async () => (await store.getSession(sessionId))?.status === 'idle', 'the session to finish');
    expect((await producer.result(sessionId)).answer).toBe('x+++');
    await until(async () => (await queue.depth()).active === 0, 'the job to complete');
    expect(await queue.depth()).toMatchObject({ waiting: 0, active: 0, failed: 0, workers: 1 });
    expect(activity.map((item) => item.kind)).toEqual(['started', 'finished']);
  });

  it('hands a running session back on shutdown without writing to it; another worker finishes it, paying once per call', async () => {
    const { store, queue, kernel } = setup(150);
    const sessionId = await kernel().createSession(pipeline(6), { task: 'x' });
    await queue.enqueue(sessionId, 1);
    const first = await worker(kernel(), queue);
    await until(async () => completedIds(await store.read(sessionId)).length >= 2, 'two finished calls');

    const { finished, handedBack } = await first.close(50);
    expect({ finished, handedBack }).toEqual({ finished: 0, handedBack: 1 });
    const afterHandBack = await store.read(sessionId);
    // Handed back, not interrupted: nothing says the session stopped.
    expect(afterHandBack.some((event) => event.type === 'session.status_idle')).toBe(false);
    expect(await queue.depth()).toMatchObject({ waiting: 1, active: 0 });

    await worker(kernel(), queue);
    await until(async () => (await store.getSession(sessionId))?.status === 'idle', 'the second worker to finish');
    const events = await store.read(sessionId);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    const completed = completedIds(events);
    expect(completed).toHaveLength(6);
    expect(new Set(completed).size).toBe(6);
    expect(summaryAnswer(events)).toBe('x++++++');
  });

  it('hears input another process journals while it runs a session: an interrupt stops it at once (NOTIFY, no polling)', async () => {
    const { store, kernel } = setup();
    // A call that never answers on its own: only an interrupt the runner hears can end this run.
    const hanging = createScriptedProvider(() => ({ hang: true }));
    const runnerStore = createPostgresStore({ url: postgresUrl(schema), poolSize: 4 });
    closers.push(() => runnerStore.close());
    const runner = new Kernel({ store: runnerStore, registry: testRegistry(hanging.module) });
    const sessionId = await runner.createSession(pipeline(5), { task: 'x' });
    const running = runner.runSession(sessionId);
    await until(async () => (await store.read(sessionId)).some((event) => event.type === 'command.started'), 'the first call');
    await until(() => hanging.calls.length === 1, 'the first call to reach the provider');
    const other = kernel();
    // The runner's store can watch and the runner sets no input poll, so it does not poll at all:
    // NOTIFY is the only way the interrupt can reach it, and the hung call ends only on its abort.
    expect(runnerStore.watch).toBeTypeOf('function');
    const hungCall = hanging.calls[0] as ScriptedCall;
    expect(hungCall.signal.aborted).toBe(false);
    await other.interrupt(sessionId, 'stop from another process');
    const result = await running;
    expect(result.status).toBe('idle');
    expect(result.stopReason).toBe('interrupted');
    expect(hungCall.signal.aborted).toBe(true);
    expect(hanging.calls).toHaveLength(1);
    expect(completedIds(await store.read(sessionId))).toHaveLength(0);
  });

  it('relays the text of a session a worker runs to a server whose client asks for deltas, and only then', async () => {
    const { queue, kernel } = setup(20);
    const runner = kernel();
    const stopPublishing = publishLiveDeltas(runner.live, queue.target);
    const serverLive = new LiveEvents();
    const stopReceiving = receiveLiveDeltas(serverLive, queue.target);
    closers.push(stopPublishing, stopReceiving);
    const watched = await runner.createSession(pipeline(3), { task: 'x' });
    const unwatched = await runner.createSession(pipeline(1), { task: 'y' });
    const received: StreamDelta[] = [];
    serverLive.subscribe(watched, (item) => {
      if (item.type === 'delta') received.push(item);
    });
    const elsewhere: unknown[] = [];
    serverLive.subscribe('*', (item) => {
      if (item.type === 'delta' && item.sessionId === unwatched) elsewhere.push(item);
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the SUBSCRIBE reaches Redis
    await Promise.all([runner.runSession(watched), runner.runSession(unwatched)]);
    await until(() => received.length === 3, 'three relayed deltas');
    expect(received.map((delta) => [delta.agent, delta.delta])).toEqual([
      ['stage0', 'x+'],
      ['stage1', 'x++'],
      ['stage2', 'x+++'],
    ]);
    // Nobody here asked for the other session: its deltas never left Redis for this process.
    expect(elsewhere).toEqual([]);
  });

  it('lets a server enqueue instead of running, and reports the queue in /readyz', async () => {
    const { store, queue } = setup();
    const kernel = new Kernel({ store: createPostgresStore({ url: postgresUrl(schema), poolSize: 2 }), registry: createDefaultRegistry(), launch: async (id) => queue.enqueue(id, await store.head(id)) });
    const server: TestServer = await startTestServer({ kernel, readiness: { queue: () => queue.ping() } });
    closers.push(() => server.close());
    const response = await fetch(`${server.url}/v1/sessions`, {
      method: 'POST',
      headers: { 'x-api-key': server.key, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'debate', task: 'queued', run: true }),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    expect(await queue.depth()).toMatchObject({ waiting: 1 });
    // Enqueued, not run here: the log holds only the creation.
    expect((await store.read(id)).map((event) => event.type)).toEqual(['session.created']);

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { store: 'ok', queue: 'ok' } });
  });

  it('answers /readyz 503 naming the queue when Redis cannot be reached', async () => {
    setup();
    const gone = openSessionQueue('redis://127.0.0.1:1?prefix=nowhere');
    closers.push(() => gone.close());
    const server = await startTestServer({ readiness: { queue: () => gone.ping() } });
    closers.push(() => server.close());
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { ready: boolean; checks: Record<string, string> };
    expect(body.ready).toBe(false);
    expect(body.checks['store']).toBe('ok');
    expect(body.checks['queue']).toMatch(/redis:\/\/127\.0\.0\.1:1/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

function summaryAnswer(events: SessionEvent[]): unknown {
  const completed = events.filter((event) => event.type === 'topology.completed').at(-1);
  return completed?.data['answer'];
}
