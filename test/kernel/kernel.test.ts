// The kernel's promises, checked on every store: commands are journaled around each provider call,
// completed commands are answered from the log on resume, failures are retried and then reported.
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { ConclaveError, type SessionEvent, type SessionStore } from '../../src/protocol/index.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';
import { storeFixtures } from '../support/stores.js';

const fastRetry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };

function pipelineOf(count: number): SessionDefinition {
  return {
    topology: 'pipeline',
    agents: Array.from({ length: count }, (_, index) => ({ name: `stage${index}`, model: 'script/any' })),
    options: { passes: 1, include_task: false },
    retry: fastRetry,
  };
}

function commandEvents(events: SessionEvent[], type: string): string[] {
  return events.filter((event) => event.type === type).map((event) => event.data['commandId'] as string);
}

describe.each(storeFixtures())('kernel on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('journals command.started before and command.completed after every model call, with deterministic ids', async () => {
    store = fixture.create();
    const provider = createScriptedProvider((call) => `${call.lastUserMessage}+`);
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const result = await kernel.run(pipelineOf(3), { task: 'x' });

    expect(result.status).toBe('idle');
    expect(result.answer).toBe('x+++');
    expect(result.reason).toBe('all_stages_done');
    const events = await store.read(result.sessionId);
    expect(commandEvents(events, 'command.completed')).toEqual([
      'pipeline/pass:1/stage:0/generate:0',
      'pipeline/pass:1/stage:1/generate:0',
      'pipeline/pass:1/stage:2/generate:0',
    ]);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 2)).toEqual(['session.created', 'session.status_running']);
    expect(types.slice(-2)).toEqual(['topology.completed', 'session.status_idle']);
    for (const id of commandEvents(events, 'command.completed')) {
      const started = events.findIndex((event) => event.type === 'command.started' && event.data['commandId'] === id);
      const completed = events.findIndex((event) => event.type === 'command.completed' && event.data['commandId'] === id);
      expect(started).toBeGreaterThan(-1);
      expect(started).toBeLessThan(completed);
    }
    expect(result.usage.inputTokens).toBe(30);
    expect(result.cost.usd).toBeGreaterThan(0);
    expect(result.byAgent['stage1']?.calls).toBe(1);
    expect(result.byProvider['script']?.calls).toBe(3);
  });

  it('retries a retryable failure with backoff and journals each failed attempt', async () => {
    store = fixture.create();
    const provider = createScriptedProvider((call) =>
      call.attempt < 3 ? new ConclaveError('provider_rate_limited', 'slow down', { retryAfterMs: 5 }) : 'ok',
    );
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const result = await kernel.run(pipelineOf(1), { task: 'x' });
    expect(result.answer).toBe('ok');
    const events = await store.read(result.sessionId);
    const failures = events.filter((event) => event.type === 'command.failed').map((event) => event.data);
    expect(failures).toHaveLength(2);
    expect(failures.every((failure) => failure['willRetry'] === true && failure['retryInMs'] === 5)).toBe(true);
    expect(result.commands).toEqual({ completed: 1, failed: 2, retried: 2 });
  });

  it('fails the session with a clear error naming the agent once retries are exhausted', async () => {
    store = fixture.create();
    const provider = createScriptedProvider(() => new ConclaveError('provider_server_error', 'upstream 500'));
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const result = await kernel.run(pipelineOf(2), { task: 'x' });
    expect(result.status).toBe('idle');
    expect(result.stopReason).toBe('retries_exhausted');
    expect(result.error?.code).toBe('agent_failed');
    expect(result.error?.message).toContain('agent "stage0"');
    expect(result.error?.message).toContain('after 3 attempts');
    expect(provider.calls).toHaveLength(3);
  });

  it('falls back along the model chain when a model keeps failing, and journals the switch', async () => {
    store = fixture.create();
    const provider = createScriptedProvider((call) => (call.request.model === 'primary' ? new ConclaveError('provider_server_error', 'HTTP 500') : 'from the fallback'));
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const result = await kernel.run(
      { topology: 'pipeline', agents: [{ name: 'writer', model: ['script/primary', 'script/secondary'] }], options: {}, retry: fastRetry },
      { task: 'x' },
    );
    expect(result.answer).toBe('from the fallback');
    expect(provider.calls.map((call) => call.request.model)).toEqual(['primary', 'primary', 'primary', 'secondary']);
    const events = await store.read(result.sessionId);
    const switched = events.find((event) => event.type === 'command.failed' && event.data['fallbackTo'] !== undefined);
    expect(switched?.data).toMatchObject({ model: 'script/primary', fallbackTo: 'script/secondary', willRetry: false });
    const completed = events.find((event) => event.type === 'command.completed');
    expect(completed?.data['model']).toBe('script/secondary');
    expect(result.byProvider['script']?.calls).toBe(1);
  });

  it('reports every model of an exhausted fallback chain', async () => {
    store = fixture.create();
    const provider = createScriptedProvider(() => new ConclaveError('provider_auth', 'bad key'));
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const result = await kernel.run({ topology: 'pipeline', agents: [{ name: 'w', model: ['script/a', 'script/b'] }], options: {}, retry: fastRetry }, { task: 'x' });
    expect(result.error?.code).toBe('agent_failed');
    expect(result.error?.message).toContain('script/a → script/b');
    expect(result.error?.message).toContain('every model of its fallback chain failed');
    expect(provider.calls).toHaveLength(2);
  });

  it('does not retry errors that retrying cannot fix', async () => {
    store = fixture.create();
    const provider = createScriptedProvider(() => new ConclaveError('provider_auth', 'bad key'));
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const result = await kernel.run(pipelineOf(1), { task: 'x' });
    expect(result.error?.code).toBe('agent_failed');
    expect(provider.calls).toHaveLength(1);
  });

  it('resumes a session whose process died: completed commands come from the log, the rest run once', async () => {
    store = fixture.create();
    let hangAt = 3;
    const first = createScriptedProvider((call) => (first.calls.length === hangAt ? { hang: true } : `${call.lastUserMessage}+`));
    const dying = new Kernel({ store, registry: testRegistry(first.module) });
    const sessionId = await dying.createSession(pipelineOf(5), { task: 'x', seed: 3 });
    const abandoned = dying.runSession(sessionId).catch((error: unknown) => error);
    await waitFor(async () => (await store.read(sessionId)).filter((event) => event.type === 'command.started').length === 3);

    const second = createScriptedProvider((call) => `${call.lastUserMessage}+`);
    const resumed = await new Kernel({ store, registry: testRegistry(second.module) }).runSession(sessionId);
    expect(resumed.answer).toBe('x+++++');
    expect(second.calls).toHaveLength(3); // stage 2 (started, never completed), 3 and 4
    hangAt = -1;
    first.releaseHung();
    const lateWriter = await abandoned;
    expect(lateWriter).toBeInstanceOf(ConclaveError);
    // Fenced out by the resumer's claim (or, where the store announces appends, stopped on seeing them).
    expect(['session_claimed', 'store_conflict']).toContain((lateWriter as ConclaveError).code);

    const events = await store.read(sessionId);
    const completed = commandEvents(events, 'command.completed');
    expect(new Set(completed).size).toBe(completed.length);
    expect(completed).toHaveLength(5);
    const uninterrupted = await new Kernel({ store, registry: testRegistry(createScriptedProvider((call) => `${call.lastUserMessage}+`).module) }).run(pipelineOf(5), {
      task: 'x',
      seed: 3,
    });
    expect(resumed.answer).toBe(uninterrupted.answer);
  });

  it('idles an interrupted session and finishes it on resume without re-running finished work', async () => {
    store = fixture.create();
    const provider = createScriptedProvider((call) => ({ delayMs: 30, text: `${call.lastUserMessage}+` }));
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const sessionId = await kernel.createSession(pipelineOf(4), { task: 'x' });
    const controller = new AbortController();
    const running = kernel.runSession(sessionId, { signal: controller.signal });
    await waitFor(async () => (await store.read(sessionId)).some((event) => event.type === 'command.completed'));
    controller.abort('interrupted by the user');
    const interrupted = await running;
    expect(interrupted.status).toBe('idle');
    expect(interrupted.stopReason).toBe('interrupted');
    const callsBefore = provider.calls.length;
    const finished = await kernel.runSession(sessionId);
    expect(finished.answer).toBe('x++++');
    expect(provider.calls.length - callsBefore).toBe(4 - interrupted.commands.completed);
  });

  it('answers a completed session from its log without calling anything', async () => {
    store = fixture.create();
    const provider = createScriptedProvider(() => 'done');
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const result = await kernel.run(pipelineOf(2), { task: 'x' });
    const again = await kernel.runSession(result.sessionId);
    expect(again.answer).toBe('done');
    expect(provider.calls).toHaveLength(2);
    expect((await store.read(result.sessionId)).length).toBe((await store.read(result.sessionId)).length);
  });

  it('runs a nested topology slot (named by alias, options omitted) with its commands under the parent id', async () => {
    store = fixture.create();
    const provider = createScriptedProvider((call) => `${call.lastUserMessage.split('\n').pop()}+`);
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const result = await kernel.run(
      {
        topology: 'pipeline',
        options: { include_task: false },
        agents: [
          { name: 'inner', topology: 'sequential', agents: [{ name: 'a', model: 'script/a' }, { name: 'b', model: 'script/b' }] },
          { name: 'outer', model: 'script/outer' },
        ],
      },
      { task: 'x' },
    );
    expect(result.answer).toBe('x+++');
    const events = await store.read(result.sessionId);
    expect(commandEvents(events, 'command.completed')).toEqual([
      'pipeline/pass:1/stage:0/pipeline/pass:1/stage:0/generate:0',
      'pipeline/pass:1/stage:0/pipeline/pass:1/stage:1/generate:0',
      'pipeline/pass:1/stage:1/generate:0',
    ]);
    const nestedMessage = events.find((event) => event.type === 'agent.message' && event.data['agent'] === 'inner');
    expect(nestedMessage?.data['text']).toBe('x++');
  });

  it('refuses to start a session whose provider has no key, naming the provider and the variable', async () => {
    store = fixture.create();
    const keyed = { ...createScriptedProvider(() => 'x', 'keyed').module, keyVariable: 'KEYED_API_KEY' };
    const kernel = new Kernel({ store, registry: testRegistry(keyed), env: {} });
    const definition = { topology: 'pipeline', agents: [{ name: 'writer', model: 'keyed/m' }], options: {} };
    await expect(kernel.createSession(definition, { task: 'x' })).rejects.toMatchObject({
      code: 'missing_credentials',
      message: expect.stringContaining('set KEYED_API_KEY'),
    });
    expect(await store.listSessions()).toEqual([]);
    const withKey = new Kernel({ store, registry: testRegistry(keyed), env: { KEYED_API_KEY: 'sk-test' } });
    expect((await withKey.run(definition, { task: 'x' })).answer).toBe('x');
  });

  it('refuses to create a session without a task', async () => {
    store = fixture.create();
    const kernel = new Kernel({ store, registry: testRegistry() });
    await expect(kernel.createSession(pipelineOf(1))).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(await store.listSessions()).toEqual([]);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
