// An interrupt another process journals while a call's `command.started` is committing reaches the
// run through that very append (its head check fails, the writer takes the interrupt in, the append
// goes through after it). The call must then stop before any provider sees it, on every store: the
// log shows the command started and failed as aborted, and the session idles as interrupted.
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { createId, type NewSessionEvent, type SessionStore } from '../../src/protocol/index.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';
import { storeFixtures } from '../support/stores.js';

const pipeline: SessionDefinition = {
  topology: 'pipeline',
  agents: [{ name: 'first', model: 'script/any' }, { name: 'second', model: 'script/any' }],
  options: { passes: 1, include_task: false },
};

/** The store, with a user's interrupt journaled (as another process would, unfenced) just ahead of the first `command.started`. */
function interruptingAhead(store: SessionStore): SessionStore {
  let injected = false;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'append') return Reflect.get(target, property, receiver) as unknown;
      return async (sessionId: string, expectedSeq: number, events: readonly NewSessionEvent[], options?: { fence?: number }) => {
        if (!injected && events.some((event) => event.type === 'command.started')) {
          injected = true;
          const interrupt = { id: createId('event'), type: 'user.interrupt', at: new Date().toISOString(), data: { reason: 'stop now' } };
          await target.append(sessionId, expectedSeq, [interrupt]);
        }
        return target.append(sessionId, expectedSeq, events, options);
      };
    },
  });
}

describe.each(storeFixtures())('an interrupt that lands while command.started commits, on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('stops the call before the provider sees it; the session idles as interrupted', async () => {
    store = fixture.create();
    const provider = createScriptedProvider((call) => `${call.lastUserMessage}+`);
    const result = await new Kernel({ store: interruptingAhead(store), registry: testRegistry(provider.module) }).run(pipeline, { task: 'x' });
    expect(provider.calls).toHaveLength(0);
    expect(result.stopReason).toBe('interrupted');
    const events = await store.read(result.sessionId);
    const types = events.map((event) => event.type);
    const interruptAt = types.indexOf('user.interrupt');
    expect(interruptAt).toBeGreaterThan(0);
    // The command started after the interrupt, failed as aborted, and nothing was answered.
    expect(types.slice(interruptAt)).toEqual(['user.interrupt', 'command.started', 'command.failed', 'session.status_idle']);
    expect(events.find((event) => event.type === 'command.failed')?.data).toMatchObject({ error: { code: 'aborted' }, willRetry: false });
    expect(types).not.toContain('agent.message');
  });
});
