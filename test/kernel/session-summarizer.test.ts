// A run keeps no copy of its log: its result is summarised event by event as each is stored
// (`SessionSummarizer`). What a caller gets from the run must be exactly what reading the log back
// gives, nested slot paths, retries, later turns and all.
import { describe, expect, it } from 'vitest';
import { Kernel, summarizeSession, type SessionDefinition } from '../../src/kernel/index.js';
import { SessionSummarizer } from '../../src/kernel/session-result.js';
import { ConclaveError, type SessionEvent } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/index.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';

const definition: SessionDefinition = {
  topology: 'pipeline',
  agents: [
    { name: 'a', model: 'script/m' },
    { name: 'team', topology: 'debate', agents: [{ name: 'a', model: 'script/m' }, { name: 'b', model: 'script/m' }], options: { rounds: 2 } },
  ],
  retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 },
};

describe('a run summarised as it goes', () => {
  it('returns what reading its log back gives, over two turns with a retried call and a nested slot', async () => {
    let failedOnce = false;
    const provider = createScriptedProvider((call) => {
      if (!failedOnce && call.lastUserMessage.includes('two')) {
        failedOnce = true;
        return new ConclaveError('provider_server_error', 'down for a moment', { retryable: true });
      }
      return 'I agree. ANSWER: 42';
    });
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const sessionId = await kernel.createSession(definition, { awaitInput: true });
    let result;
    for (const text of ['one', 'two']) {
      await kernel.send(sessionId, { text });
      result = await kernel.runSession(sessionId);
    }
    const fromLog = summarizeSession(await store.read(sessionId));
    expect(result).toEqual(fromLog);
    // The figures the comparison covers are really there.
    expect(fromLog.turns).toBe(2);
    expect(fromLog.commands.retried).toBe(1);
    expect(Object.keys(fromLog.byAgent).sort()).toEqual(['a', 'team › a', 'team › b']);
    expect(fromLog.answer).toContain('ANSWER: 42');
  });

  it('gives a result that later events leave as it was', async () => {
    const provider = createScriptedProvider(() => 'fine');
    const store = createMemoryStore();
    const result = await new Kernel({ store, registry: testRegistry(provider.module) }).run({ ...definition, task: 'Q?' });
    const events = await store.read(result.sessionId);
    const completions = events.filter((event) => event.type === 'command.completed');
    const summarizer = new SessionSummarizer();
    const half = events.indexOf(completions[1] as SessionEvent) + 1;
    for (const event of events.slice(0, half)) summarizer.observe(event);
    const early = summarizer.result();
    const earlyCopy = structuredClone(early);
    for (const event of events.slice(half)) summarizer.observe(event);
    expect(early).toEqual(earlyCopy);
    expect(early.commands.completed).toBe(2);
    expect(summarizer.result()).toEqual(summarizeSession(events));
    expect(summarizer.result().commands.completed).toBe(completions.length);
  });
});
