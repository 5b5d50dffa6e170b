// Budgets, through the kernel on every store: each kind of limit (calls, tokens, dollars, running
// seconds) stops the session idle with `budget_exceeded` before the call that would pass it, with
// `budget.set` and `budget.exceeded` in the journal and the answer so far kept; a raised budget
// resumes it without re-issuing a completed call. Per-agent budgets, tool calls (not counted), an
// unpriced model under `max_usd` (refused at creation) and idle time (not counted) too.
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition, type SessionTools } from '../../src/kernel/index.js';
import type { Clock } from '../../src/kernel/clock.js';
import { ConclaveError, type ProviderModule, type SessionEvent, type SessionStore } from '../../src/protocol/index.js';
import { createScriptedProvider, type ScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';
import { storeFixtures } from '../support/stores.js';

/** A pipeline of `count` stages, each appending "+" to what it was given. */
function pipelineOf(count: number, extra: Partial<SessionDefinition> = {}): SessionDefinition {
  return {
    topology: 'pipeline',
    agents: Array.from({ length: count }, (_, index) => ({ name: `stage${index}`, model: 'script/any' })),
    options: { passes: 1, include_task: false },
    ...extra,
  };
}

const appendPlus = (call: { lastUserMessage: string }): string => `${call.lastUserMessage}+`;

function ofType(events: readonly SessionEvent[], type: string): SessionEvent[] {
  return events.filter((event) => event.type === type);
}

/** Model calls completed per command id: a resume that re-issued a call would show a 2. */
function completions(events: readonly SessionEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of ofType(events, 'command.completed')) counts.set(event.data['commandId'] as string, (counts.get(event.data['commandId'] as string) ?? 0) + 1);
  return counts;
}

/** A clock tests move by hand: no real time passes anywhere. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = Date.parse('2026-12-01T00:00:00Z');
  return {
    now: () => now,
    monotonic: () => now,
    sleep: async () => undefined,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe.each(storeFixtures())('budgets on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  function kernelFor(provider: ScriptedProvider | ProviderModule, options: { clock?: Clock; sessionTools?: () => SessionTools } = {}): Kernel {
    store ??= fixture.create();
    return new Kernel({ store, registry: testRegistry('module' in provider ? provider.module : provider), ...options });
  }

  it('max_calls: stops idle before the third call, journals budget.set and budget.exceeded, keeps the answer so far, and resumes with a raised budget', async () => {
    store = fixture.create();
    const provider = createScriptedProvider(appendPlus);
    const kernel = kernelFor(provider);
    const stopped = await kernel.run(pipelineOf(5, { budget: { max_calls: 2 } }), { task: 'x' });

    expect(stopped.status).toBe('idle');
    expect(stopped.stopReason).toBe('budget_exceeded');
    expect(stopped.answer).toBeUndefined();
    expect(stopped.partialAnswer).toEqual({ agent: 'stage1', text: 'x++' });
    expect(stopped.budgetExceeded).toEqual({ scope: 'session', limit: 'max_calls', spent: 2, max: 2, commandId: 'pipeline/pass:1/stage:2/generate:0' });
    expect(provider.calls).toHaveLength(2);
    let events = await store.read(stopped.sessionId);
    expect(ofType(events, 'budget.set').map((event) => event.data)).toEqual([{ reason: 'created', budget: { max_calls: 2 } }]);
    expect(ofType(events, 'budget.exceeded').map((event) => event.data)).toEqual([stopped.budgetExceeded]);
    expect(ofType(events, 'session.status_idle').at(-1)?.data).toEqual({ stopReason: 'budget_exceeded', budget: stopped.budgetExceeded });
    // The refused call was never started.
    expect(ofType(events, 'command.started').map((event) => event.data['commandId'])).not.toContain('pipeline/pass:1/stage:2/generate:0');

    const resumed = await kernel.runSession(stopped.sessionId, { budget: { budget: { max_calls: 10 } } });
    expect(resumed.stopReason).toBe('end_turn');
    expect(resumed.answer).toBe('x+++++');
    expect(resumed.partialAnswer).toBeUndefined();
    expect(provider.calls).toHaveLength(5);
    events = await store.read(stopped.sessionId);
    expect([...completions(events).values()].every((count) => count === 1)).toBe(true);
    expect(ofType(events, 'budget.set').at(-1)?.data).toEqual({ reason: 'raised', budget: { max_calls: 10 } });
    expect(resumed.commands.completed).toBe(5);
  });

  it('max_tokens: counts input + output tokens of completed calls, and a removed limit lets the session finish', async () => {
    store = fixture.create();
    // Every call: 10 input tokens, 1 output token.
    const provider = createScriptedProvider(appendPlus);
    const kernel = kernelFor(provider);
    const stopped = await kernel.run(pipelineOf(5, { budget: { max_tokens: 25 } }), { task: 'x' });
    expect(stopped.stopReason).toBe('budget_exceeded');
    expect(stopped.budgetExceeded).toMatchObject({ scope: 'session', limit: 'max_tokens', spent: 33, max: 25, commandId: 'pipeline/pass:1/stage:3/generate:0' });
    expect(stopped.partialAnswer?.text).toBe('x+++');
    expect(provider.calls).toHaveLength(3);

    // Raised, but not enough: it stops again at the next limit, without paying twice.
    const again = await kernel.runSession(stopped.sessionId, { budget: { budget: { max_tokens: 40 } } });
    expect(again.budgetExceeded).toMatchObject({ limit: 'max_tokens', spent: 44, max: 40, commandId: 'pipeline/pass:1/stage:4/generate:0' });
    expect(provider.calls).toHaveLength(4);

    const done = await kernel.runSession(stopped.sessionId, { budget: { budget: { max_tokens: null } } });
    expect(done.stopReason).toBe('end_turn');
    expect(done.answer).toBe('x+++++');
    expect(provider.calls).toHaveLength(5);
    const events = await store.read(stopped.sessionId);
    expect(ofType(events, 'budget.exceeded')).toHaveLength(2);
    expect([...completions(events).values()].every((count) => count === 1)).toBe(true);
  });

  it('max_usd: counts the cost journaled on each completion, including what an earlier process spent', async () => {
    store = fixture.create();
    const provider = createScriptedProvider(appendPlus);
    // 10 input + 1 output tokens at $0.10 a token: $1.10 a call.
    const priced = pipelineOf(4, { budget: { max_usd: 2 }, providers: { script: { prices: { any: { input: 100_000, output: 100_000 } } } } });
    const stopped = await kernelFor(provider).run(priced, { task: 'x' });
    expect(stopped.stopReason).toBe('budget_exceeded');
    expect(stopped.budgetExceeded).toMatchObject({ scope: 'session', limit: 'max_usd', spent: 2.2, max: 2 });
    expect(stopped.cost.usd).toBeCloseTo(2.2);
    expect(provider.calls).toHaveLength(2);

    // Another process (a new kernel on the same store) reads the spend off the journal.
    const resumed = await kernelFor(provider).runSession(stopped.sessionId, { budget: { budget: { max_usd: 3 } } });
    expect(resumed.budgetExceeded).toMatchObject({ limit: 'max_usd', spent: 3.3, max: 3, commandId: 'pipeline/pass:1/stage:3/generate:0' });
    expect(provider.calls).toHaveLength(3);
    const done = await kernelFor(provider).runSession(stopped.sessionId, { budget: { budget: { max_usd: 10 } } });
    expect(done.answer).toBe('x++++');
    expect(provider.calls).toHaveLength(4);
  });

  it('max_usd over a model with no known price is refused at creation, before anything is written', async () => {
    store = fixture.create();
    const base = createScriptedProvider(appendPlus, 'unpriced');
    const module: ProviderModule = { ...base.module, simulated: false, create: (options) => ({ ...base.module.create(options), simulated: false, price: () => undefined }) };
    const kernel = kernelFor(module);
    const definition: SessionDefinition = { topology: 'pipeline', agents: [{ name: 'writer', model: 'unpriced/model-x' }], options: { passes: 1 }, budget: { max_usd: 1 } };
    const refused = await kernel.createSession(definition, { task: 'x' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConclaveError);
    expect((refused as ConclaveError).code).toBe('invalid_argument');
    expect((refused as ConclaveError).message).toMatch(/max_usd.*unpriced\/model-x.*no known price/);
    expect((await store.listSessions({ limit: 10 })).length).toBe(0);
    // The other limits need no price.
    const counted = await kernel.run({ ...definition, budget: { max_calls: 5 } }, { task: 'x' });
    expect(counted.stopReason).toBe('end_turn');
    // Nor can max_usd be added to it later.
    await expect(kernel.setBudget(counted.sessionId, { budget: { max_usd: 1 } })).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('max_duration_s: counts running time only — a session idle for an hour has not spent it', async () => {
    store = fixture.create();
    const clock = manualClock();
    // Every model call takes ten (manual) seconds.
    const provider = createScriptedProvider((call) => {
      clock.advance(10_000);
      return appendPlus(call);
    });
    const kernel = kernelFor(provider, { clock });
    const stopped = await kernel.run(pipelineOf(5, { budget: { max_duration_s: 25 } }), { task: 'x' });
    expect(stopped.stopReason).toBe('budget_exceeded');
    expect(stopped.budgetExceeded).toMatchObject({ scope: 'session', limit: 'max_duration_s', spent: 30, max: 25, commandId: 'pipeline/pass:1/stage:3/generate:0' });
    expect(provider.calls).toHaveLength(3);

    clock.advance(3_600_000);
    const resumed = await kernel.runSession(stopped.sessionId, { budget: { budget: { max_duration_s: 45 } } });
    expect(resumed.stopReason).toBe('end_turn');
    expect(resumed.answer).toBe('x+++++');
    expect(provider.calls).toHaveLength(5);
  });

  it('an agent budget stops the session at that agent, names it, and is raised by name', async () => {
    store = fixture.create();
    const provider = createScriptedProvider(appendPlus);
    const kernel = kernelFor(provider);
    const definition: SessionDefinition = {
      topology: 'pipeline',
      agents: [
        { name: 'drafter', model: 'script/any' },
        { name: 'editor', model: 'script/any', budget: { max_calls: 1 } },
      ],
      options: { passes: 2, include_task: false },
    };
    const stopped = await kernel.run(definition, { task: 'x' });
    expect(stopped.stopReason).toBe('budget_exceeded');
    expect(stopped.budgetExceeded).toEqual({ scope: 'agent', agent: 'editor', limit: 'max_calls', spent: 1, max: 1, commandId: 'pipeline/pass:2/stage:1/generate:0' });
    expect(stopped.partialAnswer).toEqual({ agent: 'drafter', text: 'x+++' });
    expect(provider.calls).toHaveLength(3);
    let events = await store.read(stopped.sessionId);
    expect(ofType(events, 'budget.set')[0]?.data).toEqual({ reason: 'created', agents: { editor: { max_calls: 1 } } });

    // Raising the session's budget does not lift the agent's.
    const still = await kernel.runSession(stopped.sessionId, { budget: { budget: { max_calls: 100 } } });
    expect(still.budgetExceeded).toMatchObject({ scope: 'agent', agent: 'editor' });
    expect(provider.calls).toHaveLength(3);

    const done = await kernel.runSession(stopped.sessionId, { budget: { agents: { editor: { max_calls: 2 } } } });
    expect(done.stopReason).toBe('end_turn');
    expect(done.answer).toBe('x++++');
    expect(provider.calls).toHaveLength(4);
    events = await store.read(stopped.sessionId);
    expect([...completions(events).values()].every((count) => count === 1)).toBe(true);
  });

  it('tool calls do not count toward max_calls: only model calls do', async () => {
    store = fixture.create();
    let round = 0;
    const provider = createScriptedProvider(() =>
      round++ === 0
        ? { toolCalls: [{ toolCallId: 'c1', toolName: 'bash', input: { command: 'ls' } }, { toolCallId: 'c2', toolName: 'bash', input: { command: 'pwd' } }, { toolCallId: 'c3', toolName: 'bash', input: { command: 'date' } }] }
        : 'done',
    );
    const tools: SessionTools = {
      definitionsFor: async (names) => (names ?? []).map((name) => ({ name, inputSchema: { type: 'object' } })),
      execute: async () => ({ output: 'ok', isError: false }),
    };
    const kernel = kernelFor(provider, { sessionTools: () => tools });
    const result = await kernel.run({ topology: 'pipeline', agents: [{ name: 'coder', model: 'script/any', tools: ['bash'] }], options: { passes: 1 }, budget: { max_calls: 2 } }, { task: 'list files' });
    expect(result.stopReason).toBe('end_turn');
    expect(result.answer).toBe('done');
    const events = await store.read(result.sessionId);
    expect(ofType(events, 'command.completed').filter((event) => event.data['kind'] === 'tool.execute')).toHaveLength(3);
    expect(ofType(events, 'budget.exceeded')).toHaveLength(0);
  });

  it('parallel calls in flight count toward max_calls, so a wide step never passes it', async () => {
    store = fixture.create();
    const provider = createScriptedProvider((call) => `view of ${call.lastUserMessage.slice(0, 10)}`);
    const kernel = kernelFor(provider);
    const definition: SessionDefinition = {
      topology: 'parallel',
      agents: Array.from({ length: 4 }, (_, index) => ({ name: `branch${index}`, model: 'script/any' })),
      budget: { max_calls: 3 },
    };
    const stopped = await kernel.run(definition, { task: 'x' });
    expect(stopped.stopReason).toBe('budget_exceeded');
    expect(stopped.budgetExceeded).toMatchObject({ limit: 'max_calls', spent: 3, max: 3 });
    expect(provider.calls).toHaveLength(3);
    const events = await store.read(stopped.sessionId);
    expect(ofType(events, 'budget.exceeded')).toHaveLength(1);
  });
});
