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
 * Kills a run after `cut` provider calls have started (its kernel is abandoned and can reach neither
 * the provider nor the store any more), resumes it with a fresh kernel, and checks: same answer as an uninterrupted run, no command completed twice, and the resumed
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
    const doomed = killableStore(store);
    const first = createScriptedProvider((call) => (doomed.dead || first.calls.length > cut ? { hang: true } : respond(call)));
    const dying = new Kernel({ store: doomed.store, registry: testRegistry(first.module) });
    const sessionId = await dying.createSession({ retry: fastRetry, ...definition }, { task: 'the task', seed: 11 });
    const abandoned = dying.runSession(sessionId).catch(() => undefined);
    await waitUntil(() => first.calls.length > cut);
    await doomed.kill();
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

interface KillableStore {
  /** The store as the doomed process sees it. */
  store: SessionStore;
  readonly dead: boolean;
  /** Kills the process: its store calls from now on fail, and the ones already sent settle first. */
  kill(): Promise<void>;
}

/**
 * A store that a "process" can die with. A killed process writes nothing more, but a write it had
 * already sent may still commit: `kill` waits for those to settle, so that what the store holds
 * afterwards is exactly what the process left behind. Without this, a completion the dead kernel
 * was still writing (slow on PostgreSQL under load) could land after the test read the log, and the
 * resumed run would then rightly skip a command the test expected it to re-issue.
 */
function killableStore(store: SessionStore): KillableStore {
  let dead = false;
  const inFlight = new Set<Promise<unknown>>();
  const killed = (): Promise<never> => Promise.reject(new Error('the process was killed'));
  const gated = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        if (dead) return property === 'follow' || property === 'watch' ? Reflect.apply(value, target, args) : killed();
        const result: unknown = Reflect.apply(value, target, args);
        if (result instanceof Promise) {
          const settled = result.then(
            () => undefined,
            () => undefined,
          );
          inFlight.add(settled);
          void settled.then(() => inFlight.delete(settled));
        }
        return result;
      };
    },
  });
  return {
    store: gated,
    get dead() {
      return dead;
    },
    async kill() {
      dead = true;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
