// Where a command's step is journaled, on every store: only on the command's first
// `command.started` (no `topology.step` is written any more), while logs written before that, with
// a `topology.step` beside a `command.started` without a step, still resume without calling a
// completed command again and still report each command's step.
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { ConclaveError, type NewSessionEvent, type SessionEvent, type SessionStore, type StepInfo } from '../../src/protocol/index.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';
import { storeFixtures } from '../support/stores.js';

function pipelineOf(count: number): SessionDefinition {
  return {
    topology: 'pipeline',
    agents: Array.from({ length: count }, (_, index) => ({ name: `stage${index}`, model: 'script/any' })),
    options: { passes: 1, include_task: false },
    retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 },
  };
}

const commandIds = ['pipeline/pass:1/stage:0/generate:0', 'pipeline/pass:1/stage:1/generate:0', 'pipeline/pass:1/stage:2/generate:0'];

function started(events: SessionEvent[], commandId: string): SessionEvent[] {
  return events.filter((event) => event.type === 'command.started' && event.data['commandId'] === commandId);
}

function draft(type: string, data: Record<string, unknown>): NewSessionEvent {
  return { id: `evnt_legacy_${type}_${String(data['commandId'] ?? '')}`, type, at: new Date(0).toISOString(), data };
}

describe.each(storeFixtures())('step journaling on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('writes no topology.step: each command’s first command.started carries its step, retries do not', async () => {
    store = fixture.create();
    // The middle stage fails once, so its command has a second start.
    const provider = createScriptedProvider((call) =>
      call.lastUserMessage === 'x+' && call.attempt === 1 ? new ConclaveError('provider_server_error', 'upstream 500') : `${call.lastUserMessage}+`,
    );
    const result = await new Kernel({ store, registry: testRegistry(provider.module) }).run(pipelineOf(3), { task: 'x' });
    expect(result.answer).toBe('x+++');

    const events = await store.read(result.sessionId);
    expect(events.filter((event) => event.type === 'topology.step')).toEqual([]);
    for (const [index, commandId] of commandIds.entries()) {
      const [first, ...later] = started(events, commandId);
      expect(first?.data['step']).toMatchObject({ topology: 'pipeline', agent: `stage${index}` });
      for (const event of later) expect(event.data['step']).toBeUndefined();
    }
    expect(started(events, commandIds[1] as string)).toHaveLength(2);
    const journal = Journal.from(events);
    expect([...journal.stepped.keys()]).toEqual(commandIds);
    expect(journal.stepped.get(commandIds[2] as string)).toEqual(started(events, commandIds[2] as string)[0]?.data['step']);
  });

  it('resumes a legacy log with topology.step events without calling a completed command again', async () => {
    store = fixture.create();
    // The steps the topology gives its commands, taken from a run of the same definition.
    const reference = await new Kernel({ store, registry: testRegistry(createScriptedProvider((call) => `${call.lastUserMessage}+`).module) }).run(pipelineOf(3), { task: 'x' });
    const referenceEvents = await store.read(reference.sessionId);
    const steps = commandIds.map((commandId) => started(referenceEvents, commandId)[0]?.data['step'] as StepInfo);

    const provider = createScriptedProvider((call) => `${call.lastUserMessage}+`);
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const sessionId = await kernel.createSession(pipelineOf(3), { task: 'x' });
    const input = (agent: string) => ({ agent, model: 'script/any', messages: [], seed: 1 });
    const [first, second] = commandIds as [string, string];
    // As versions before the step moved onto command.started wrote it: stage 0 done, stage 1 started
    // when the process died.
    const legacy = [
      draft('session.status_running', {}),
      draft('topology.step', { ...steps[0], commandId: first }),
      draft('command.started', { commandId: first, kind: 'model.generate', attempt: 1, input: input('stage0') }),
      draft('command.completed', {
        commandId: first,
        kind: 'model.generate',
        attempt: 1,
        output: { text: 'x+', finishReason: 'stop' },
        model: 'script/any',
        agent: 'stage0',
        usage: { inputTokens: 10, outputTokens: 1 },
        cost: { usd: 0 },
        latencyMs: 1,
      }),
      draft('agent.message', { commandId: first, agent: 'stage0', text: 'x+', step: steps[0] }),
      draft('topology.step', { ...steps[1], commandId: second }),
      draft('command.started', { commandId: second, kind: 'model.generate', attempt: 1, input: input('stage1') }),
    ];
    const head = await store.head(sessionId);
    await store.append(sessionId, head + 1, legacy);

    const legacyJournal = Journal.from(await store.read(sessionId));
    expect(legacyJournal.stepped.get(first)).toEqual(steps[0]);
    expect(legacyJournal.stepped.get(second)).toEqual(steps[1]);

    const resumed = await kernel.runSession(sessionId);
    expect(resumed.answer).toBe('x+++');
    expect(provider.calls.map((call) => call.lastUserMessage)).toEqual(['x+', 'x++']); // stages 1 and 2, never stage 0

    const events = await store.read(sessionId);
    const written = events.slice(head + legacy.length);
    expect(written.filter((event) => event.type === 'topology.step')).toEqual([]);
    expect(events.filter((event) => event.type === 'command.completed' && event.data['commandId'] === first)).toHaveLength(1);
    // Stage 1's step is in the log already (legacy event); stage 2's rides on its first start.
    expect(started(written, second).map((event) => event.data['step'])).toEqual([undefined]);
    expect(started(written, commandIds[2] as string)[0]?.data['step']).toEqual(steps[2]);
    const journal = Journal.from(events);
    expect(commandIds.map((commandId) => journal.stepped.get(commandId))).toEqual(steps);
  });
});
