// Contract details of both HTTP APIs, each once a slip: live deltas reach a subscriber who joins
// mid-call (and a secret split across the moment of joining stays redacted); a streamed Managed
// Agents message carries the id of the `agent.message` that concludes it; `sessions.list` honours
// `agent_version`; a message to an archived session is a 409; `usage` has `cache_creation`; and an
// interrupt sent right after a message always wins. Everything waits for events, never for time.
import { join, resolve } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, type StreamDelta } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import type { ProviderAdapter, ProviderModule, SessionEvent } from '../../src/protocol/index.js';
import { createDocumentCatalog } from '../../src/server/document-catalog.js';
import { createMemoryStore } from '../../src/store/index.js';
import { startTestServer, type TestServer, callApi } from '../support/test-server.js';
import { streamManagedWhile } from '../support/managed-stream.js';

type AnyEvent = { id: string; type: string; [key: string]: unknown };

const secret = 'sk-gate-canary-7d1e9b3a5c';
const [secretHead, secretTail] = [secret.slice(0, 8), secret.slice(8)];

/** Resolvable from outside: the test's way to pace a provider by events. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/**
 * A provider that streams the first half of a secret, says so, waits for `gate`, then streams the
 * rest: the test decides when the second half comes, so nothing depends on timing.
 */
const firstHalfStreamed = signal();
const gate = signal();
const gatedProvider: ProviderModule = {
  specificationVersion: 'v1',
  name: 'gate',
  description: 'streams half, waits for the test, streams the rest',
  simulated: true,
  keyVariable: 'GATE_API_KEY',
  defaultModels: [],
  validateModel: () => undefined,
  create: (): ProviderAdapter => ({
    specificationVersion: 'v1',
    provider: 'gate',
    simulated: true,
    async *generate(request) {
      yield { type: 'stream-start', model: request.model, simulated: true };
      yield { type: 'text-delta', delta: `The key is ${secretHead}` };
      // Runs once the dispatcher asks for the next part, i.e. after it handled the first.
      firstHalfStreamed.resolve();
      await gate.promise;
      yield { type: 'text-delta', delta: `${secretTail}, keep it.` };
      yield { type: 'text-delta', delta: ' Done.' };
      yield { type: 'usage', usage: { inputTokens: 3, outputTokens: 9 } };
      yield { type: 'finish', finishReason: 'stop' };
    },
  }),
};

let server: TestServer;
let client: Anthropic;
let environmentId: string;

beforeAll(async () => {
  const defaults = createDefaultRegistry();
  const registry = { ...defaults, providers: new Map([...defaults.providers, [gatedProvider.name, gatedProvider]]) };
  server = await startTestServer({
    kernel: new Kernel({ store: createMemoryStore(), registry, env: { GATE_API_KEY: secret } }),
    documents: createDocumentCatalog({ directory: join(resolve(import.meta.dirname, '..', '..'), 'examples'), registry }),
  });
  client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
  environmentId = (await client.beta.environments.create({ name: 'local', config: { type: 'cloud', networking: { type: 'unrestricted' } } })).id;
});
afterAll(async () => {
  gate.resolve();
  await server.close();
});

const api = (path: string, init: RequestInit & { key?: string } = {}): ReturnType<typeof callApi> => callApi(server, path, init);

/** Reads a native SSE stream's data frames until `until` says stop. */
async function readStream(path: string, until: (event: { event: string; data: Record<string, unknown> }) => boolean): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.key}` }, signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const frames: Array<{ event: string; data: Record<string, unknown> }> = [];
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return frames;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const event = lines.find((line) => line.startsWith('event:'))?.slice(6).trim();
        const data = lines.find((line) => line.startsWith('data:'))?.slice(5).trim();
        if (event === undefined || data === undefined) continue;
        const frame = { event, data: JSON.parse(data) as Record<string, unknown> };
        frames.push(frame);
        if (until(frame)) return frames;
      }
    }
  } finally {
    controller.abort();
  }
}

/** Opens the Managed stream first (a live tail), then runs `act`, collecting events until `until`. */
function streamWhile(sessionId: string, act: () => Promise<unknown>, until: (event: AnyEvent) => boolean, params: Record<string, unknown> = {}): Promise<AnyEvent[]> {
  return streamManagedWhile(client, sessionId, act, until, params);
}

const userMessage = (text: string) => ({ type: 'user.message' as const, content: [{ type: 'text' as const, text }] });

async function createAgent(model: string): Promise<string> {
  return (await client.beta.agents.create({ name: 'tester', model } as never)).id;
}

async function allEvents(sessionId: string): Promise<AnyEvent[]> {
  const events: AnyEvent[] = [];
  for await (const event of client.beta.sessions.events.list(sessionId, { limit: 1000 }) as AsyncIterable<AnyEvent>) events.push(event);
  return events;
}

describe('native live deltas', () => {
  it('reach a subscriber who joins mid-call, from then on, with a secret split across the join still redacted', async () => {
    const document = { topology: 'pipeline', agents: [{ name: 'only', model: 'gate/m' }], options: { passes: 1 } };
    const created = await api('/v1/sessions', { method: 'POST', body: JSON.stringify({ document, task: 'Tell me the key.' }) });
    const id = created.body['id'] as string;
    // Nobody listens when the call starts: its `command.started` is seen on a stream without deltas.
    const untilStarted = await readStream(`/v1/sessions/${id}/events/stream`, (frame) => frame.event === 'command.started');
    const startedSeq = untilStarted.at(-1)?.data['seq'] as number;
    await firstHalfStreamed.promise;

    // The delta subscriber joins now, between the two halves of the secret; the gate opens once it listens.
    const subscribed = signal();
    const stopObserving = server.deps.kernel.live.observeSubscriptions({ first: (sessionId) => sessionId === id && subscribed.resolve(), last: () => undefined });
    const reading = readStream(`/v1/sessions/${id}/events/stream?deltas=true&after=${startedSeq}`, (frame) => frame.event === 'session.status_idle');
    await subscribed.promise;
    stopObserving();
    gate.resolve();
    const frames = await reading;

    const deltas = frames.filter((frame) => frame.event === 'delta').map((frame) => frame.data as unknown as StreamDelta);
    expect(deltas.length).toBeGreaterThan(0);
    const live = deltas.map((delta) => delta.delta).join('');
    const message = frames.find((frame) => frame.event === 'agent.message')?.data as unknown as SessionEvent;
    const journaled = message.data['text'] as string;
    expect(journaled).toBe('The key is [secret:GATE_API_KEY], keep it. Done.');
    // From the moment of joining: a tail of the journaled (redacted) text, the secret as its marker.
    expect(journaled.endsWith(live)).toBe(true);
    expect(live).toContain('[secret:GATE_API_KEY], keep it. Done.');
    expect(JSON.stringify(frames)).not.toContain(secretTail);
  });
});

describe('Managed Agents contract details', () => {
  it('streams a message under the id of its agent.message, different in every session', async () => {
    const agentId = await createAgent('offline/echo?tokens_per_s=1000');
    const messageIds: string[] = [];
    for (const text of ['First session.', 'Second session.']) {
      const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
      const events = await streamWhile(session.id, () => client.beta.sessions.events.send(session.id, { events: [userMessage(text)] }), (event) => event.type === 'session.status_idle', {
        event_deltas: ['agent.message'],
      });
      const start = events.find((event) => event.type === 'event_start') as AnyEvent & { event: { id: string } };
      const message = events.find((event) => event.type === 'agent.message') as AnyEvent;
      expect(start.event).toEqual({ id: message.id, type: 'agent.message' });
      expect(events.filter((event) => event.type === 'event_delta').every((event) => event['event_id'] === message.id)).toBe(true);
      // The listed history names the message by the same id.
      expect((await allEvents(session.id)).filter((event) => event.type === 'agent.message').map((event) => event.id)).toEqual([message.id]);
      messageIds.push(message.id);
    }
    expect(new Set(messageIds).size).toBe(2);
  });

  it('filters sessions.list by agent_version, and refuses a version that is not a number', async () => {
    const agentId = await createAgent('offline/echo');
    const first = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    await client.beta.agents.update(agentId, { version: 1, system: 'Version two.' } as never);
    const second = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    expect(second.agent.version).toBe(2);
    const ids = async (version: number): Promise<string[]> => {
      const found: string[] = [];
      for await (const session of client.beta.sessions.list({ agent_id: agentId, agent_version: version } as never)) found.push(session.id);
      return found;
    };
    expect(await ids(1)).toEqual([first.id]);
    expect(await ids(2)).toEqual([second.id]);
    expect(await ids(3)).toEqual([]);
    const bad = await api(`/anthropic/v1/sessions?agent_version=latest`, { headers: { 'anthropic-beta': 'managed-agents-2026-04-01' } });
    expect(bad.status).toBe(400);
  });

  it('answers a message to an archived session with 409 in the error shape, not to be retried', async () => {
    const agentId = await createAgent('offline/echo');
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    await client.beta.sessions.archive(session.id);
    const error = await client.beta.sessions.events.send(session.id, { events: [userMessage('Anyone there?')] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(409);
    expect(apiError.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', details: { error_code: 'session_archived' } } });
    expect(apiError.headers?.get('x-should-retry')).toBe('false');
    expect((await allEvents(session.id)).map((event) => event.type)).not.toContain('user.message');
    // The native API keeps the same promise.
    const native = await api(`/v1/sessions/${session.id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'Anyone?' }) });
    expect(native.status).toBe(409);
  });

  it('reports usage with cache_creation in the shape of the reference', async () => {
    const agentId = await createAgent('offline/echo');
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    await streamWhile(session.id, () => client.beta.sessions.events.send(session.id, { events: [userMessage('Count tokens.')] }), (event) => event.type === 'session.status_idle');
    const usage = (await client.beta.sessions.retrieve(session.id)).usage;
    expect(usage.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 });
    expect(usage.output_tokens).toBeGreaterThan(0);
  });

  it('lets an interrupt sent right after a message win, every time', async () => {
    // A model that would answer only long after any interrupt: a reply means the interrupt was lost.
    const agentId = await createAgent('offline/echo?ttft_ms=20000');
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    const isIdle = (event: AnyEvent): boolean => event.type === 'session.status_idle';
    // A first turn, interrupted mid-call, leaves an open turn: from then on every run that takes a
    // message continues it, so every round ends in exactly one idle after its interrupt.
    await streamWhile(session.id, () => client.beta.sessions.events.send(session.id, { events: [userMessage('Warm up.')] }), (event) => event.type === 'span.model_request_start');
    await streamWhile(session.id, () => client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] }), isIdle);
    for (let round = 1; round <= 10; round += 1) {
      let interrupted = false;
      const events = await streamWhile(
        session.id,
        async () => {
          // Odd rounds: both in one request, the interrupt landing while the run is still opening.
          if (round % 2 === 1) return client.beta.sessions.events.send(session.id, { events: [userMessage(`Round ${round}.`), { type: 'user.interrupt' }] });
          await client.beta.sessions.events.send(session.id, { events: [userMessage(`Round ${round}.`)] });
          return client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
        },
        (event) => {
          interrupted ||= event.type === 'user.interrupt';
          return interrupted && isIdle(event);
        },
      );
      const types = events.map((event) => event.type);
      expect(types.slice(0, 1), `round ${round}`).toEqual(['user.message']);
      expect(types, `round ${round}`).not.toContain('agent.message');
      expect(events.at(-1)?.['conclave'], `round ${round}`).toMatchObject({ stop_reason: 'interrupted' });
    }
  }, 60_000);
});
