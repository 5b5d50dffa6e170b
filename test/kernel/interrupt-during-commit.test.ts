// An interrupt another process journals while a call's `command.started` is committing reaches the
// run through that very append (its head check fails, the writer takes the interrupt in, the append
// goes through after it). The call must then stop before any provider sees it, on every store: the
// log shows the command started and failed as aborted, and the session idles as interrupted.
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition, type SessionTools } from '../../src/kernel/index.js';
import { createId, type NewSessionEvent, type SessionStore } from '../../src/protocol/index.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';
import { storeFixtures } from '../support/stores.js';

const pipeline: SessionDefinition = {
  topology: 'pipeline',
  agents: [{ name: 'first', model: 'script/any' }, { name: 'second', model: 'script/any' }],
  options: { passes: 1, include_task: false },
};

/** The store, with a user's interrupt journaled (as another process would, unfenced) just ahead of the first `command.started` of `kind`. */
function interruptingAhead(store: SessionStore, kind = 'model.generate'): SessionStore {
  let injected = false;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'append') return Reflect.get(target, property, receiver) as unknown;
      return async (sessionId: string, expectedSeq: number, events: readonly NewSessionEvent[], options?: { fence?: number }) => {
        if (!injected && events.some((event) => event.type === 'command.started' && event.data['kind'] === kind)) {
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

  it('stops a tool call the same way: the tool never runs, and the model is not asked again', async () => {
    store = fixture.create();
    const provider = createScriptedProvider(() => ({ text: 'Let me look.', toolCalls: [{ toolCallId: 'c1', toolName: 'bash', input: { command: 'ls' } }] }));
    const executed: string[] = [];
    const tools: SessionTools = {
      definitionsFor: async (names) => (names ?? []).map((name) => ({ name, inputSchema: { type: 'object' } })),
      async execute(call) {
        executed.push(call.toolName);
        return { output: 'listed', isError: false };
      },
    };
    const withTools: SessionDefinition = { topology: 'pipeline', agents: [{ name: 'coder', model: 'script/any', tools: ['bash'], max_tool_rounds: 3 }] };
    const kernel = new Kernel({ store: interruptingAhead(store, 'tool.execute'), registry: testRegistry(provider.module), sessionTools: () => tools });
    const result = await kernel.run(withTools, { task: 'x' });
    expect(executed).toEqual([]);
    expect(provider.calls).toHaveLength(1);
    expect(result.stopReason).toBe('interrupted');
    const events = await store.read(result.sessionId);
    const types = events.map((event) => event.type);
    // The model's reply commits with the tool's start, after the interrupt; the tool's command fails as aborted.
    expect(types.slice(types.indexOf('user.interrupt'))).toEqual(['user.interrupt', 'command.completed', 'agent.message', 'command.started', 'agent.tool_use', 'command.failed', 'session.status_idle']);
    expect(events.find((event) => event.type === 'command.failed')?.data).toMatchObject({ kind: 'tool.execute', error: { code: 'aborted' } });
  });
});
