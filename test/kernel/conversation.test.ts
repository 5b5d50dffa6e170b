// Sessions as conversations, on every store: user messages start turns (each a run of the
// topology, with earlier turns as history), messages sent mid-turn steer the next step, and an
// interrupt stops in-flight calls at once — all journaled, so a resume hands calls the same input.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { steeringHeading } from '../../src/kernel/conversation.js';
import type { SessionEvent, SessionStore } from '../../src/protocol/index.js';
import { createSqliteStore } from '../../src/store/sqlite-store.js';
import { createScriptedProvider, type ScriptedCall, type ScriptedReply } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';
import { storeFixtures } from '../support/stores.js';

function pipelineOf(count: number): SessionDefinition {
  return {
    topology: 'pipeline',
    agents: Array.from({ length: count }, (_, index) => ({ name: `stage${index}`, model: 'script/any' })),
    options: { passes: 1, include_task: false },
    retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 },
  };
}

function types(events: readonly SessionEvent[]): string[] {
  return events.map((event) => event.type);
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A provider whose calls to `hangOn` stages hang until aborted; everything else echoes. */
function scripted() {
  return createScriptedProvider((call): ScriptedReply => `${call.request.messages.length}:${call.lastUserMessage}`);
}

function startedCount(events: readonly SessionEvent[], commandId: string): number {
  return events.filter((event) => event.type === 'command.started' && event.data['commandId'] === commandId).length;
}

describe.each(storeFixtures())('conversation on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('runs one turn per message, each with the earlier turns as history, under turn-scoped command ids', async () => {
    store = fixture.create();
    const provider = scripted();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const sessionId = await kernel.createSession(pipelineOf(1), { awaitInput: true });
    expect((await kernel.result(sessionId)).status).toBe('created');

    await kernel.send(sessionId, { text: 'first question' }, { start: false });
    const first = await kernel.runSession(sessionId);
    expect(first).toMatchObject({ status: 'idle', stopReason: 'end_turn', answer: '1:first question' });

    await kernel.send(sessionId, { text: 'second question' }, { start: false });
    const second = await kernel.runSession(sessionId);
    expect(second.answer).toBe('3:second question');
    expect(provider.calls[1]?.request.messages).toEqual([
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: '1:first question' },
      { role: 'user', content: 'second question' },
    ]);

    const events = await store.read(sessionId);
    const completed = events.filter((event) => event.type === 'command.completed').map((event) => event.data['commandId']);
    // The first turn keeps the plain prefix (as a session created with a task does); later ones are scoped.
    expect(completed).toEqual(['pipeline/pass:1/stage:0/generate:0', 'turn:2/pipeline/pass:1/stage:0/generate:0']);
    expect(types(events).filter((type) => type.startsWith('session.status') || type === 'turn.started' || type === 'user.message')).toEqual([
      'user.message', 'turn.started', 'session.status_running', 'session.status_idle',
      'user.message', 'turn.started', 'session.status_running', 'session.status_idle',
    ]);
  });

  it('starts the turn itself when a message arrives at an idle session, and queues messages sent mid-turn for the next turn', async () => {
    store = fixture.create();
    const provider = createScriptedProvider((call) => (call.lastUserMessage === 'one' ? { delayMs: 150, text: 'slow' } : `echo:${call.lastUserMessage}`));
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const sessionId = await kernel.createSession(pipelineOf(1), { awaitInput: true });
    await kernel.send(sessionId, { text: 'one' });
    await waitFor(() => provider.calls.length === 1 || undefined, 'the first call');
    expect(kernel.isRunning(sessionId)).toBe(true);
    // Sent while the only step runs: there is no next step, so they form the next turn together.
    await kernel.send(sessionId, { text: 'two' });
    await kernel.send(sessionId, { text: 'three' });
    await waitFor(() => !kernel.isRunning(sessionId), 'the run to end');
    const events = await store.read(sessionId);
    const turns = events.filter((event) => event.type === 'turn.started').map((event) => event.data['task']);
    expect(turns).toEqual(['one', 'two\n\nthree']);
    expect((await kernel.result(sessionId)).answer).toBe('echo:two\n\nthree');
  });

  it('delivers a message sent mid-turn to the next step, journals the delivery, and replays it identically', async () => {
    store = fixture.create();
    let stage0Started = false;
    const provider = createScriptedProvider((call): ScriptedReply => {
      if (call.lastUserMessage === 'draft') {
        stage0Started = true;
        return { delayMs: 100, text: 'draft v1' };
      }
      return { hang: true };
    });
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const sessionId = await kernel.createSession(pipelineOf(2), { task: 'draft' });
    const controller = new AbortController();
    const run = kernel.runSession(sessionId, { signal: controller.signal });
    await waitFor(() => stage0Started, 'stage 0 to start');
    await kernel.send(sessionId, { text: 'Write it in French.' });
    await waitFor(() => provider.calls.length === 2 || undefined, 'stage 1 to be called');
    const steered = provider.calls[1] as ScriptedCall;
    expect(steered.lastUserMessage).toContain('draft v1');
    expect(steered.lastUserMessage).toContain(`${steeringHeading}\nWrite it in French.`);
    expect(provider.calls[0]?.lastUserMessage).not.toContain('French');

    // The process "dies" mid-step; a new kernel resumes and hands stage 1 the same steering.
    controller.abort('crash');
    await run;
    const events = await store.read(sessionId);
    const delivered = events.find((event) => event.type === 'steering.delivered');
    expect(delivered?.data).toMatchObject({ commandIds: ['pipeline/pass:1/stage:1/generate:0'] });
    expect(types(events).indexOf('steering.delivered')).toBeLessThan(
      events.findIndex((event) => event.type === 'command.started' && event.data['commandId'] === 'pipeline/pass:1/stage:1/generate:0'),
    );

    const replayProvider = createScriptedProvider((call) => `final:${call.lastUserMessage.includes('Write it in French.')}`);
    const resumed = await new Kernel({ store, registry: testRegistry(replayProvider.module) }).runSession(sessionId);
    expect(resumed.answer).toBe('final:true');
    expect(replayProvider.calls).toHaveLength(1);
  });

  it('interrupts at once: the hung call is aborted, the session idles, and a later message continues the turn with it as steering', async () => {
    store = fixture.create();
    // stage0 answers "1:draft"; stage1 hangs on that input until it is steered.
    const hangingProvider = createScriptedProvider((call): ScriptedReply => {
      if (call.lastUserMessage === '1:draft') return { hang: true };
      return `${call.request.messages.length}:${call.lastUserMessage}`;
    });
    const kernel2 = new Kernel({ store, registry: testRegistry(hangingProvider.module) });
    const sessionId = await kernel2.createSession(pipelineOf(2), { task: 'draft' });
    const done = kernel2.runSession(sessionId);
    await waitFor(() => hangingProvider.calls.length === 2 || undefined, 'stage 1 to hang');
    const hungCall = hangingProvider.calls[1] as ScriptedCall;
    expect(hungCall.signal.aborted).toBe(false);
    await kernel2.interrupt(sessionId, 'wrong direction');
    // The hung call ends only when its signal aborts (nothing releases it otherwise), so the run
    // settling at all, with the call's own signal aborted, is the interrupt reaching the call.
    const result = await done;
    expect(hungCall.signal.aborted).toBe(true);
    expect(result).toMatchObject({ status: 'idle', stopReason: 'interrupted' });

    const events = await store.read(sessionId);
    const order = types(events);
    expect(order.indexOf('user.interrupt')).toBeLessThan(order.lastIndexOf('session.status_idle'));
    expect(order.lastIndexOf('command.failed')).toBeLessThan(order.lastIndexOf('session.status_idle'));
    expect(events.at(-1)?.data).toMatchObject({ stopReason: 'interrupted', reason: 'wrong direction' });

    await kernel2.send(sessionId, { text: 'Shorter, please.' }, { start: false });
    const continued = await kernel2.runSession(sessionId);
    expect(continued).toMatchObject({ status: 'idle', stopReason: 'end_turn' });
    const last = hangingProvider.calls.at(-1) as ScriptedCall;
    expect(last.lastUserMessage).toContain(`${steeringHeading}\nShorter, please.`);
    const after = await store.read(sessionId);
    expect(startedCount(after, 'pipeline/pass:1/stage:0/generate:0')).toBe(1);
    expect(after.filter((event) => event.type === 'turn.started')).toHaveLength(0);
  });

  it('drops messages queued before an interrupt, and an interrupt of an idle session only journals it', async () => {
    store = fixture.create();
    const provider = createScriptedProvider((call): ScriptedReply => (call.lastUserMessage === 'go' ? { hang: true } : 'ok'));
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const sessionId = await kernel.createSession(pipelineOf(1), { task: 'go' });
    const done = kernel.runSession(sessionId);
    await waitFor(() => provider.calls.length === 1 || undefined, 'the call to hang');
    await kernel.send(sessionId, { text: 'queued, then dropped' });
    await kernel.interrupt(sessionId);
    expect(await done).toMatchObject({ stopReason: 'interrupted' });
    expect(provider.calls).toHaveLength(1);

    await kernel.interrupt(sessionId, 'again');
    const events = await store.read(sessionId);
    expect(types(events).slice(-1)).toEqual(['user.interrupt']);
    expect((await kernel.result(sessionId)).status).toBe('idle');
  });
});

describe('input from another process (two kernels over one SQLite file)', () => {
  let directory: string | undefined;
  const stores: SessionStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it('absorbs messages and interrupts another process journals while it runs the session', async () => {
    directory = mkdtempSync(join(tmpdir(), 'conclave-input-'));
    const path = join(directory, 'conclave.db');
    const runnerStore = createSqliteStore({ path });
    const senderStore = createSqliteStore({ path });
    stores.push(runnerStore, senderStore);
    let stage0Started = false;
    const provider = createScriptedProvider((call): ScriptedReply => {
      if (call.lastUserMessage === 'task') {
        stage0Started = true;
        return { delayMs: 300, text: 'v1' };
      }
      return { hang: true };
    });
    const runner = new Kernel({ store: runnerStore, registry: testRegistry(provider.module), inputPollMs: 20 });
    const sender = new Kernel({ store: senderStore, registry: testRegistry(provider.module) });
    const sessionId = await runner.createSession(pipelineOf(2), { task: 'task' });
    const done = runner.runSession(sessionId);
    await waitFor(() => stage0Started, 'stage 0');
    await sender.send(sessionId, { text: 'from the other process' });
    await waitFor(() => provider.calls.length === 2 || undefined, 'stage 1');
    expect(provider.calls[1]?.lastUserMessage).toContain('from the other process');

    const hungCall = provider.calls[1] as ScriptedCall;
    expect(hungCall.signal.aborted).toBe(false);
    await sender.interrupt(sessionId, 'stop from afar');
    // Stage 1 hangs until its signal aborts: only the runner hearing the other process's interrupt
    // can end this run.
    const result = await done;
    expect(hungCall.signal.aborted).toBe(true);
    expect(result).toMatchObject({ status: 'idle', stopReason: 'interrupted' });
    const events = await runnerStore.read(sessionId);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.at(-1)?.data).toMatchObject({ reason: 'stop from afar' });
  });
});
