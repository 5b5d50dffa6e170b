// A session `kernel.run` creates is stored by the run's first write, on every store: its
// `session.created`, the turn's `session.status_running` and the first `command.started` commit in
// one transaction, so creating a session costs no write of its own. Until that write commits the
// session does not exist, and no provider has been called; a failed first write leaves nothing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Kernel, systemClock, LiveEvents, type SessionDefinition } from '../../src/kernel/index.js';
import { SessionWriter } from '../../src/kernel/session-writer.js';
import { ConclaveError, type NewSessionEvent, type SessionStore } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';
import { storeFixtures } from '../support/stores.js';

const pipeline: SessionDefinition = {
  topology: 'pipeline',
  agents: [{ name: 'first', model: 'script/any' }, { name: 'second', model: 'script/any' }],
  options: { passes: 1, include_task: false },
};

/** The store, with every write it is asked for recorded as the event types it carries. */
function recorded(store: SessionStore, failCreation?: ConclaveError): { store: SessionStore; writes: string[][] } {
  const writes: string[][] = [];
  const types = (events: readonly NewSessionEvent[]): string[] => events.map((event) => event.type);
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') {
        return (sessionId: string, expectedSeq: number, events: readonly NewSessionEvent[], options?: { fence?: number }) => {
          if (events.length > 0) writes.push(types(events));
          return target.append(sessionId, expectedSeq, events, options);
        };
      }
      if (property === 'createClaimed') {
        return (sessionId: string, events: readonly NewSessionEvent[]) => {
          writes.push(types(events));
          if (failCreation !== undefined) return Promise.reject(failCreation);
          return (target.createClaimed as NonNullable<SessionStore['createClaimed']>)(sessionId, events);
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { store: wrapped, writes };
}

describe.each(storeFixtures())('a session kernel.run creates, on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('is created, set running and its first command started in one write', async () => {
    store = fixture.create();
    const { store: watched, writes } = recorded(store);
    const provider = createScriptedProvider((call) => `${call.lastUserMessage}+`);
    const result = await new Kernel({ store: watched, registry: testRegistry(provider.module) }).run(pipeline, { task: 'x' });
    expect(result.answer).toBe('x++');
    expect(writes).toEqual([
      ['session.created', 'session.status_running', 'command.started'],
      ['command.completed', 'agent.message', 'command.started'],
      ['command.completed', 'agent.message', 'topology.completed', 'session.status_idle'],
    ]);
    const stored = await store.read(result.sessionId);
    expect(stored.map((event) => event.seq)).toEqual(stored.map((_, index) => index + 1));
    expect(stored.slice(0, 3).map((event) => event.type)).toEqual(['session.created', 'session.status_running', 'command.started']);
    // The creator holds the claim: a second runner's claim is the next one.
    expect(await store.claim(result.sessionId)).toBe(2);
  });

  it('leaves no session and calls no provider when that first write fails', async () => {
    store = fixture.create();
    const { store: failing } = recorded(store, new ConclaveError('store_error', 'cannot append: disk full'));
    const provider = createScriptedProvider(() => 'never');
    const kernel = new Kernel({ store: failing, registry: testRegistry(provider.module) });
    const error = await kernel.run(pipeline, { task: 'x' }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConclaveError);
    expect((error as ConclaveError).message).toContain('disk full');
    expect(provider.calls).toHaveLength(0);
    expect(await store.listSessions()).toEqual([]);
  });

  it('stores a session that waits for input though its run writes nothing else', async () => {
    store = fixture.create();
    const provider = createScriptedProvider(() => 'unused');
    const result = await new Kernel({ store, registry: testRegistry(provider.module) }).run(pipeline, { awaitInput: true });
    expect(provider.calls).toHaveLength(0);
    expect((await store.read(result.sessionId)).map((event) => event.type)).toEqual(['session.created']);
    expect(await store.getSession(result.sessionId)).toMatchObject({ id: result.sessionId, lastSeq: 1 });
  });
});

describe('events a writer defers', () => {
  it('go with the next append queued before the event loop turns, in one write', async () => {
    const { store, writes } = recorded(createMemoryStore());
    await store.append('sesn_defer', 1, [{ id: 'evnt_1', type: 'session.created', at: new Date(0).toISOString(), data: {} }]);
    writes.length = 0;
    const writer = new SessionWriter(store, 'sesn_defer', 1, systemClock, new LiveEvents());
    writer.defer([{ type: 'session.status_running', data: {} }]);
    await Promise.resolve();
    const stored = await writer.append([{ type: 'command.started', data: { commandId: 'c' } }]);
    expect(writes).toEqual([['session.status_running', 'command.started']]);
    expect(stored.map((event) => event.seq)).toEqual([3]);
    expect((await store.read('sesn_defer')).map((event) => event.type)).toEqual(['session.created', 'session.status_running', 'command.started']);
  });

  it('are stored alone a turn of the event loop later when nothing follows them at once', async () => {
    const { store, writes } = recorded(createMemoryStore());
    await store.append('sesn_alone', 1, [{ id: 'evnt_1', type: 'session.created', at: new Date(0).toISOString(), data: {} }]);
    writes.length = 0;
    const writer = new SessionWriter(store, 'sesn_alone', 1, systemClock, new LiveEvents());
    writer.defer([{ type: 'session.status_running', data: {} }]);
    // The run waits on something outside promise continuations (an MCP server connecting, say) and
    // appends nothing meanwhile: the deferred event is stored by itself.
    await vi.waitFor(() => expect(writer.lastSeq).toBe(2), { timeout: 10_000, interval: 2 });
    expect(writes).toEqual([['session.status_running']]);
    await writer.append([{ type: 'command.started', data: { commandId: 'c' } }]);
    expect(writes).toEqual([['session.status_running'], ['command.started']]);
  });
});
