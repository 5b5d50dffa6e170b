// `byAgent` is keyed by the slot's path: the agent's name for the document's own agents,
// `<slot> › <agent>` inside a nested topology, so two nested slots that share an agent name are
// two lines, not one merged line; each line keeps the plain agent name in `agent`.
import { describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { slotPathsOf } from '../../src/kernel/slot-paths.js';
import { ConclaveError, type AgentSlot } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/index.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';

function debate(name: string, model = 'script/m'): AgentSlot {
  return { name, topology: 'debate', agents: [{ name: 'a', model }, { name: 'b', model: 'script/m' }], options: { rounds: 2 } };
}

const twoDebates: SessionDefinition = { topology: 'parallel', task: 'Q?', agents: [debate('red'), debate('blue')] };

describe('byAgent by slot path', () => {
  it('keeps two nested slots that share agent names apart, with the plain name on each line', async () => {
    const provider = createScriptedProvider(() => 'I agree. ANSWER: 42');
    const result = await new Kernel({ store: createMemoryStore(), registry: testRegistry(provider.module) }).run(twoDebates);
    expect(result.error).toBeUndefined();
    expect(Object.keys(result.byAgent).sort()).toEqual(['blue › a', 'blue › b', 'red › a', 'red › b']);
    for (const [key, line] of Object.entries(result.byAgent)) {
      expect(line.agent).toBe(key.slice(-1));
      expect(line.calls).toBe(2);
    }
    const total = Object.values(result.byAgent).reduce((sum, line) => sum + line.calls, 0);
    expect(total).toBe(result.commands.completed);
  });

  it('names the document\'s own agents plainly beside nested slots, across turns', async () => {
    const provider = createScriptedProvider(() => 'fine');
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const definition: SessionDefinition = { topology: 'pipeline', agents: [{ name: 'a', model: 'script/m' }, { name: 'team', topology: 'pipeline', agents: [{ name: 'a', model: 'script/m' }] }] };
    const sessionId = await kernel.createSession(definition, { awaitInput: true });
    for (const text of ['one', 'two']) {
      await kernel.send(sessionId, { text });
      await kernel.runSession(sessionId);
    }
    const result = await kernel.result(sessionId);
    expect(result.byAgent).toEqual({
      a: expect.objectContaining({ agent: 'a', calls: 2 }),
      'team › a': expect.objectContaining({ agent: 'a', calls: 2 }),
    });
  });

  it('names a nested slot whose result never came by its slot name: the steps carry it', async () => {
    // Blue's agent `a` fails for good: blue's debate never finishes, so its result is not in the log.
    const provider = createScriptedProvider((call) => (call.request.model === 'broken' ? new ConclaveError('provider_auth', 'bad key') : 'ANSWER: 1'));
    const definition: SessionDefinition = { ...twoDebates, agents: [debate('red'), debate('blue', 'script/broken')], options: { concurrency: 1 } };
    const store = createMemoryStore();
    const result = await new Kernel({ store, registry: testRegistry(provider.module) }).run(definition);
    expect(result.error?.code).toBe('agent_failed');
    const keys = Object.keys(result.byAgent);
    expect(keys.filter((key) => key.startsWith('red › '))).toEqual(['red › a', 'red › b']);
    // Whatever of blue completed is under blue's own name, never merged into red's lines.
    for (const key of keys.filter((key) => !key.startsWith('red › '))) expect(key).toMatch(/^blue › [ab]$/);
    const steps = (await store.read(result.sessionId)).filter((event) => event.type === 'command.started' && event.data['step'] !== undefined);
    expect(new Set(steps.map((event) => JSON.stringify((event.data['step'] as { slots?: string[] }).slots)))).toEqual(new Set(['["red"]', '["blue"]']));
  });

  it('names a nested slot of a log written before steps named their slots by its call path until its result comes', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const event = (seq: number, type: string, data: Record<string, unknown>) => ({ id: `e${seq}`, sessionId: 's', seq, type, at, data });
    const started = event(1, 'command.started', { commandId: 'parallel/agent:1/debate/round:1/agent:0/generate:0', kind: 'model.generate', attempt: 1, step: { topology: 'debate', phase: 'debate' } });
    expect(slotPathsOf([started]).of('parallel/agent:1/debate/round:1/agent:0/generate:0', 'a')).toBe('parallel/agent:1 › a');
    const withSlots = { ...started, data: { ...started.data, step: { topology: 'debate', phase: 'debate', slots: ['blue'] } } };
    expect(slotPathsOf([withSlots]).of('parallel/agent:1/debate/round:1/agent:0/generate:0', 'a')).toBe('blue › a');
  });

  it('reads slot paths from the journal alone', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const event = (seq: number, type: string, data: Record<string, unknown>) => ({ id: `e${seq}`, sessionId: 's', seq, type, at, data });
    const paths = slotPathsOf([
      event(1, 'command.started', { commandId: 'tournament/answer:1/debate/round:1/agent:0/generate:0', kind: 'model.generate', attempt: 1, step: { topology: 'debate', phase: 'debate' } }),
      event(2, 'agent.message', { commandId: 'tournament/answer:1', agent: 'panel', text: 'x', nested: { topology: 'debate' } }),
      event(3, 'command.started', { commandId: 'tournament/answer:2/pipeline/pass:1/stage:0/generate:0', kind: 'model.generate', attempt: 1, step: { topology: 'pipeline', phase: 'stage' } }),
      event(4, 'command.started', { commandId: 'tournament/match:1:0-1/order:1/generate:0', kind: 'model.generate', attempt: 1, step: { topology: 'tournament', phase: 'judge' } }),
    ]);
    expect(paths.of('tournament/answer:1/debate/round:1/agent:0/generate:0', 'optimist')).toBe('panel › optimist');
    expect(paths.of('tournament/answer:2/pipeline/pass:1/stage:0/generate:0', 'drafter')).toBe('tournament/answer:2 › drafter');
    expect(paths.of('tournament/match:1:0-1/order:1/generate:0', 'judge')).toBe('judge');
    expect(paths.of('turn:2/tournament/answer:1/debate/round:1/agent:0/generate:0', 'optimist')).toBe('optimist');
    // An outcome's revision runs the document's topology again under `outcome:N/`: its agents are the document's own.
    const revision = slotPathsOf([event(1, 'command.started', { commandId: 'turn:2/outcome:2/debate/round:1/agent:0/generate:0', kind: 'model.generate', attempt: 1, step: { topology: 'debate', phase: 'debate' } })]);
    expect(revision.of('turn:2/outcome:2/debate/round:1/agent:0/generate:0', 'optimist')).toBe('optimist');
  });
});
