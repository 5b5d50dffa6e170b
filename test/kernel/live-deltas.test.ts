// Live deltas: a secret the kernel knows — a provider key from the environment or a vault secret —
// streamed by a model in pieces cut at any offset reaches no live subscriber, and each delta names
// its attempt, so a subscriber that keeps only the last attempt's text per command (the rule the
// README documents) ends with exactly the journaled text, even after a stream cut and a retry or
// a fallback model. The Managed Agents mapping of the same deltas, fed to the official SDK's own
// accumulator, ends with the same text.
import { accumulateManagedAgentsEvent } from '@anthropic-ai/sdk/lib/sessions/accumulate';
import { describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition, type StreamDelta } from '../../src/kernel/index.js';
import { ConclaveError, type ProviderAdapter, type ProviderModule, type SessionEvent, type StreamPart } from '../../src/protocol/index.js';
import { createDeltaStreamState, deltaEvents } from '../../src/server/managed/event-view.js';
import { createMemoryStore } from '../../src/store/index.js';
import { testRegistry } from '../support/registry.js';

const envKey = 'sk-env-canary-3f9a1c7e5b2d';
const vaultValue = 'vault-canary-8e4b2a6c1d9f';
const fastRetry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };

/** A provider whose every call streams what `respond` returns for that attempt (per model). */
function chunkProvider(name: string, respond: (attempt: number, model: string) => StreamPart[]): ProviderModule {
  const adapter: ProviderAdapter = {
    specificationVersion: 'v1',
    provider: name,
    simulated: true,
    async *generate(request, options) {
      yield { type: 'stream-start', model: request.model, simulated: true };
      for (const part of respond(options.attempt, request.model)) yield part;
    },
  };
  return {
    specificationVersion: 'v1',
    name,
    description: 'streams scripted chunks',
    simulated: true,
    keyVariable: `${name.toUpperCase()}_API_KEY`,
    defaultModels: [],
    validateModel: () => undefined,
    create: () => adapter,
  };
}

function textParts(pieces: readonly string[]): StreamPart[] {
  return [...pieces.map((delta): StreamPart => ({ type: 'text-delta', delta })), { type: 'usage', usage: { inputTokens: 1, outputTokens: pieces.length } }, { type: 'finish', finishReason: 'stop' }];
}

function cutAt(whole: string, offsets: readonly number[]): string[] {
  const bounds = [0, ...offsets, whole.length];
  return bounds.slice(1).map((end, index) => whole.slice(bounds[index], end));
}

function single(model: string | string[]): SessionDefinition {
  return { topology: 'pipeline', agents: [{ name: 'talker', model }], options: { passes: 1 }, retry: fastRetry };
}

/**
 * The client rule of the README: per command, keep the text of the highest attempt seen; a delta
 * of a higher attempt (a `reset` first of all) starts the command's text over.
 */
function lastAttemptTexts(deltas: readonly StreamDelta[]): Map<string, string> {
  const live = new Map<string, { attempt: number; text: string }>();
  for (const delta of deltas) {
    let entry = live.get(delta.commandId);
    if (entry !== undefined && delta.attempt < entry.attempt) continue;
    if (entry === undefined || delta.attempt > entry.attempt) {
      entry = { attempt: delta.attempt, text: '' };
      live.set(delta.commandId, entry);
    }
    if (delta.kind === 'text') entry.text += delta.delta;
  }
  return new Map([...live].map(([commandId, entry]) => [commandId, entry.text]));
}

/** Runs a session, collecting the deltas a subscriber of it sees. */
async function runWatched(kernel: Kernel, definition: SessionDefinition, task = 'Tell me your key.'): Promise<{ deltas: StreamDelta[]; events: SessionEvent[] }> {
  const sessionId = await kernel.createSession(definition, { task });
  const deltas: StreamDelta[] = [];
  const stop = kernel.live.subscribe(sessionId, (item) => {
    if (item.type === 'delta') deltas.push(item);
  });
  try {
    await kernel.runSession(sessionId);
  } finally {
    stop();
  }
  return { deltas, events: await kernel.store.read(sessionId) };
}

function journaledTexts(events: readonly SessionEvent[]): Map<string, string> {
  return new Map(events.filter((event) => event.type === 'agent.message').map((event) => [event.data['commandId'] as string, event.data['text'] as string]));
}

describe('live deltas', () => {
  it('never show a provider key from the environment, split at any offset', async () => {
    const reply = `My key is ${envKey}, as you asked.`;
    const start = reply.indexOf(envKey);
    let pieces: string[] = [];
    const module = chunkProvider('chunks', () => textParts(pieces));
    const kernel = new Kernel({ store: createMemoryStore(), registry: testRegistry(module), env: { CHUNKS_API_KEY: envKey } });
    for (let offset = 1; offset < envKey.length; offset += 1) {
      pieces = cutAt(reply, [start + offset]);
      const { deltas, events } = await runWatched(kernel, single('chunks/m'));
      for (const delta of deltas) expect(delta.delta).not.toContain(envKey);
      const joined = deltas.map((delta) => delta.delta).join('');
      expect(joined, `cut at ${offset}`).not.toContain(envKey);
      expect(joined).toBe(`My key is [secret:CHUNKS_API_KEY], as you asked.`);
      expect(lastAttemptTexts(deltas)).toEqual(journaledTexts(events));
      expect(JSON.stringify(events)).not.toContain(envKey);
    }
    await kernel.store.close();
  });

  it('never show a vault secret, split into three pieces at any offsets', async () => {
    const reply = `secret: ${vaultValue}.`;
    const start = reply.indexOf(vaultValue);
    let pieces: string[] = [];
    const module = chunkProvider('chunks', () => textParts(pieces));
    const kernel = new Kernel({
      store: createMemoryStore(),
      registry: testRegistry(module),
      env: {},
      secrets: async (name) => (name === 'CANARY' ? vaultValue : Promise.reject(new ConclaveError('secret_not_found', name))),
    });
    const definition: SessionDefinition = { ...single('chunks/m'), providers: { chunks: { api_key: '${secret:CANARY}' } } };
    for (const [first, second] of [[1, 2], [3, 9], [5, vaultValue.length - 1], [12, 13], [20, 24]] as const) {
      pieces = cutAt(reply, [start + first, start + second]);
      const { deltas, events } = await runWatched(kernel, definition);
      for (const delta of deltas) expect(delta.delta).not.toContain(vaultValue);
      expect(deltas.map((delta) => delta.delta).join('')).toBe('secret: [secret:CANARY].');
      expect(lastAttemptTexts(deltas)).toEqual(journaledTexts(events));
      expect(JSON.stringify(events)).not.toContain(vaultValue);
    }
    await kernel.store.close();
  });

  it('name their attempt: after a cut stream and a retry, the last attempt alone equals the journal', async () => {
    const module = chunkProvider('chunks', (attempt) =>
      attempt === 1
        ? [
            { type: 'text-delta', delta: 'Alpha ' },
            { type: 'text-delta', delta: 'beta ' },
            { type: 'text-delta', delta: 'gamma' },
            { type: 'error', error: new ConclaveError('provider_stream_cut', 'the stream was cut').toJSON() },
          ]
        : textParts(['Alpha ', 'beta ', 'gamma ', 'delta.']),
    );
    const kernel = new Kernel({ store: createMemoryStore(), registry: testRegistry(module), env: { CHUNKS_API_KEY: envKey } });
    const { deltas, events } = await runWatched(kernel, single('chunks/m'));

    expect(deltas.map((delta) => delta.delta).join('')).toBe('Alpha beta gammaAlpha beta gamma delta.');
    const resetAt = deltas.findIndex((delta) => delta.kind === 'reset');
    expect(resetAt).toBe(3);
    expect(deltas[resetAt]).toMatchObject({ attempt: 2, delta: '' });
    expect(deltas.slice(0, resetAt).every((delta) => delta.attempt === 1)).toBe(true);
    expect(deltas.slice(resetAt).every((delta) => delta.attempt === 2)).toBe(true);
    expect(lastAttemptTexts(deltas)).toEqual(journaledTexts(events));
    expect([...journaledTexts(events).values()]).toEqual(['Alpha beta gamma delta.']);
    // The attempt numbers are the journal's.
    expect(events.filter((event) => event.type === 'command.started').map((event) => event.data['attempt'])).toEqual([1, 2]);
    await kernel.store.close();
  });

  it('keep counting attempts across a fallback model, where the journal starts again at 1', async () => {
    const failing = chunkProvider('first', () => [
      { type: 'text-delta', delta: 'I will ans' },
      { type: 'error', error: new ConclaveError('provider_auth', 'bad key').toJSON() },
    ]);
    const fallback = chunkProvider('second', () => textParts(['The ', 'answer.']));
    const kernel = new Kernel({ store: createMemoryStore(), registry: testRegistry(failing, fallback), env: { FIRST_API_KEY: 'first-key-123', SECOND_API_KEY: 'second-key-456' } });
    const { deltas, events } = await runWatched(kernel, single(['first/m', 'second/m']));
    expect(deltas.map((delta) => [delta.kind, delta.attempt])).toEqual([
      ['text', 1],
      ['reset', 2],
      ['text', 2],
      ['text', 2],
    ]);
    expect(lastAttemptTexts(deltas)).toEqual(journaledTexts(events));
    await kernel.store.close();
  });

  it('map to Managed Agents previews that the official SDK accumulates into the last attempt', async () => {
    const module = chunkProvider('chunks', (attempt) =>
      attempt === 1
        ? [
            { type: 'text-delta', delta: `Draft with ${envKey.slice(0, 9)}` },
            { type: 'error', error: new ConclaveError('provider_stream_cut', 'cut').toJSON() },
          ]
        : textParts([`Final: ${envKey.slice(0, 9)}`, `${envKey.slice(9)} end`]),
    );
    const kernel = new Kernel({ store: createMemoryStore(), registry: testRegistry(module), env: { CHUNKS_API_KEY: envKey } });
    const { deltas, events } = await runWatched(kernel, single('chunks/m'));
    const state = createDeltaStreamState();
    const managed = deltas.flatMap((delta) => deltaEvents(delta, state));
    expect(managed.filter((event) => event.type === 'event_start')).toHaveLength(2);
    let snapshot: ReturnType<typeof accumulateManagedAgentsEvent> | undefined;
    for (const event of managed) snapshot = accumulateManagedAgentsEvent(snapshot, event as Parameters<typeof accumulateManagedAgentsEvent>[1]);
    const text = snapshot?.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    expect(text).toBe('Final: [secret:CHUNKS_API_KEY] end');
    expect([...journaledTexts(events).values()]).toEqual([text]);
    await kernel.store.close();
  });
});
