// Helpers shared by the topology suites: run a definition on a fresh store, and prove that a
// process dying at any call boundary loses nothing and pays for nothing twice.
import { expect } from 'vitest';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import type { SessionEvent, SessionStore } from '../../src/protocol/index.js';
import { createScriptedProvider, type ScriptedCall, type ScriptedReply } from './scripted-provider.js';
import { testRegistry } from './registry.js';

export const fastRetry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };

export async function runWith(store: SessionStore, definition: SessionDefinition, respond: (call: ScriptedCall) => ScriptedReply, task = 'the task') {
  const provider = createScriptedProvider(respond);
  const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
  const result = await kernel.run({ retry: fastRetry, ...definition }, { task, seed: 11 });
  return { result, provider, events: await store.read(result.sessionId) };
}

export function completedIds(events: readonly SessionEvent[]): string[] {
  return events.filter((event) => event.type === 'command.completed').map((event) => event.data['commandId'] as string);
}

/**
 * Kills (abandons) a run after `cut` provider calls have started, resumes it with a fresh kernel,
 * and checks: same answer as an uninterrupted run, no command completed twice, and the resumed
 * run called the provider only for commands that had not completed.
 */
export async function expectKillAndResume(
  createStore: () => SessionStore,
  definition: SessionDefinition,
  respond: (call: ScriptedCall) => ScriptedReply,
  cuts: number[],
): Promise<void> {
  const baselineStore = createStore();
  const baseline = await runWith(baselineStore, definition, respond);
  const totalCalls = baseline.provider.calls.length;
  await baselineStore.close();

  for (const cut of cuts.filter((value) => value < totalCalls)) {
    const store = createStore();
    let dead = false;
    const first = createScriptedProvider((call) => (dead || first.calls.length > cut ? { hang: true } : respond(call)));
    const dying = new Kernel({ store, registry: testRegistry(first.module) });
    const sessionId = await dying.createSession({ retry: fastRetry, ...definition }, { task: 'the task', seed: 11 });
    const abandoned = dying.runSession(sessionId).catch(() => undefined);
    await waitUntil(() => first.calls.length > cut);
    await new Promise((resolve) => setTimeout(resolve, 5));
    dead = true;
    const before = completedIds(await store.read(sessionId));

    const second = createScriptedProvider(respond);
    const resumed = await new Kernel({ store, registry: testRegistry(second.module) }).runSession(sessionId);
    first.releaseHung();
    await abandoned;

    expect(resumed.answer, `answer after a kill at call ${cut}`).toBe(baseline.result.answer);
    expect(resumed.reason).toBe(baseline.result.reason);
    const after = completedIds(await store.read(sessionId));
    expect(new Set(after).size, `no command completed twice (kill at call ${cut})`).toBe(after.length);
    expect(second.calls.length, `resume re-issued only unfinished commands (kill at call ${cut})`).toBe(totalCalls - before.length);
    await store.close();
  }
}

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
