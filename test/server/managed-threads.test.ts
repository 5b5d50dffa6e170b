// Agents as threads: through the official SDK, a topology agent's debaters are threads of its
// session (`sessions.threads` list/retrieve, `threads.events` list/stream), each thread's events are
// its debater's alone, the session's own events name their thread with `session_thread_id`, thread
// ids are the same after a restart, and another workspace gets a 404.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionThreadId } from '../../src/server/managed/thread-ledger.js';
import { streamManagedWhile, type ManagedStreamEvent } from '../support/managed-stream.js';
import { startSqliteTestServer, type TestServer } from '../support/test-server.js';

type AnyEvent = ManagedStreamEvent;
type Thread = Anthropic.Beta.Sessions.Threads.BetaManagedAgentsSessionThread;

const debaters = ['optimist', 'skeptic', 'pragmatist'];
/** Three offline debaters, two rounds: short enough to sit inline in the agent's metadata. */
const debate = [
  'topology: debate',
  'agents:',
  ...debaters.map((name) => `  - { name: ${name}, model: "offline/persona?persona=${name}" }`),
  'options: { rounds: 2, min_rounds: 2 }',
].join('\n');

let directory: string;
let server: TestServer;
let client: Anthropic;
let environmentId: string;

function startServer(): Promise<TestServer> {
  return startSqliteTestServer(directory);
}

function sdk(key: string): Anthropic {
  return new Anthropic({ apiKey: key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-threads-'));
  server = await startServer();
  client = sdk(server.key);
  environmentId = (await client.beta.environments.create({ name: 'local', config: { type: 'cloud', networking: { type: 'unrestricted' } } })).id;
});
afterAll(async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

async function listThreads(sessionId: string, params: Record<string, unknown> = {}): Promise<Thread[]> {
  const threads: Thread[] = [];
  for await (const thread of client.beta.sessions.threads.list(sessionId, params)) threads.push(thread);
  return threads;
}

async function threadEvents(sessionId: string, threadId: string): Promise<AnyEvent[]> {
  const events: AnyEvent[] = [];
  for await (const event of client.beta.sessions.threads.events.list(threadId, { session_id: sessionId, limit: 4 }) as AsyncIterable<AnyEvent>) events.push(event);
  return events;
}

async function sessionEvents(sessionId: string): Promise<AnyEvent[]> {
  const events: AnyEvent[] = [];
  for await (const event of client.beta.sessions.events.list(sessionId) as AsyncIterable<AnyEvent>) events.push(event);
  return events;
}

/** Opens a thread's stream, runs `act`, and collects its events until `until` accepts one. */
async function streamThreadWhile(sessionId: string, threadId: string, act: () => Promise<unknown>, until: (event: AnyEvent) => boolean, params: Record<string, unknown> = {}): Promise<AnyEvent[]> {
  const stream = await client.beta.sessions.threads.events.stream(threadId, { session_id: sessionId, ...params });
  const seen: AnyEvent[] = [];
  const reading = (async () => {
    for await (const event of stream as AsyncIterable<AnyEvent>) {
      seen.push(event);
      if (until(event)) break;
    }
  })();
  await act();
  await reading;
  return seen;
}

const textOf = (event: AnyEvent): string => (event['content'] as Array<{ text: string }>)[0]?.text ?? '';
/** The name of a thread's agent (an advisor, which conclave never has, has none). */
const nameOf = (thread: Thread): string | undefined => ('name' in thread.agent ? thread.agent.name : undefined);
const agentOf = (event: AnyEvent): string | undefined => (event['conclave'] as { agent?: string }).agent;
const say = (text: string) => ({ events: [{ type: 'user.message' as const, content: [{ type: 'text' as const, text }] }] });

describe('agents as threads, through the official SDK', () => {
  it("lists a debate's debaters as threads of its session, each with its own events and stream", async () => {
    const agent = await client.beta.agents.create({ name: 'panel', model: 'offline/persona', metadata: { 'conclave.topology': debate } });
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environmentId });

    // The threads exist from the start: the primary (the session's agent, the topology) and one per debater.
    const before = await listThreads(session.id);
    expect(before.map(nameOf)).toEqual(['panel', ...debaters]);
    const [primary, ...children] = before as [Thread, ...Thread[]];
    expect(primary).toMatchObject({ type: 'session_thread', session_id: session.id, parent_thread_id: null, status: 'idle', workflow_run_id: null, archived_at: null, agent: { type: 'agent', id: agent.id, version: 1 } });
    expect(primary.agent).not.toHaveProperty('multiagent');
    for (const [index, thread] of children.entries()) {
      expect(thread.id).toMatch(/^sthr_[0-9A-Za-z]{22}$/);
      expect(thread.id).toBe(sessionThreadId(session.id, [debaters[index] as string]));
      expect(thread).toMatchObject({ parent_thread_id: primary.id, status: 'idle', stats: null, usage: null, agent: { type: 'inline', name: debaters[index], model: { id: 'offline/persona' }, tools: [] } });
    }
    const skeptic = children[1] as Thread;

    // The skeptic's stream (with previews) and the session's, open while the debate runs.
    let sessionStreamed: AnyEvent[] = [];
    let skepticIdles = 0;
    const threadStreamed = await streamThreadWhile(
      session.id,
      skeptic.id,
      async () => {
        sessionStreamed = await streamManagedWhile(client, session.id, () => client.beta.sessions.events.send(session.id, say('Should we adopt event sourcing?')), (event) => event.type === 'session.status_idle');
      },
      // The skeptic idles once a round: its second idle is the end of its part.
      (event) => event.type === 'session.thread_status_idle' && (skepticIdles += 1) === 2,
      { event_deltas: ['agent.message'] },
    );

    // Session level: every debater's event names its thread; the topology's own answer does not.
    const listed = await sessionEvents(session.id);
    expect(listed.map((event) => event.id)).toEqual(sessionStreamed.map((event) => event.id));
    const messages = listed.filter((event) => event.type === 'agent.message');
    const final = messages.at(-1) as AnyEvent;
    expect(final['conclave']).toMatchObject({ final: true });
    expect(final).not.toHaveProperty('session_thread_id');
    for (const message of messages.slice(0, -1)) {
      expect(message['session_thread_id']).toBe(sessionThreadId(session.id, [agentOf(message) as string]));
    }
    for (const span of listed.filter((event) => event.type.startsWith('span.model_request'))) expect(span['session_thread_id']).toMatch(/^sthr_/);
    for (const event of listed.filter((event) => event.type.startsWith('user.') || event.type.startsWith('session.status_'))) expect(event).not.toHaveProperty('session_thread_id');
    // Each debater ran, and went idle, once a round: the status events cross-posted to the session.
    const running = listed.filter((event) => event.type === 'session.thread_status_running');
    expect(running.map((event) => event['agent_name']).sort()).toEqual([...debaters, ...debaters].sort());
    expect(listed.filter((event) => event.type === 'session.thread_status_idle')).toHaveLength(6);

    // Thread level: only that debater's messages, its two rounds.
    for (const [index, thread] of children.entries()) {
      const own = await threadEvents(session.id, thread.id);
      const ownMessages = own.filter((event) => event.type === 'agent.message');
      expect(ownMessages).toHaveLength(2);
      for (const message of ownMessages) {
        expect(agentOf(message)).toBe(debaters[index]);
        // A thread's own events are not cross-posted: they carry no `session_thread_id`.
        expect(message).not.toHaveProperty('session_thread_id');
      }
      expect(own.map((event) => event.type)).toEqual([
        'session.thread_status_running', 'span.model_request_start', 'agent.message', 'span.model_request_end', 'session.thread_status_idle',
        'session.thread_status_running', 'span.model_request_start', 'agent.message', 'span.model_request_end', 'session.thread_status_idle',
      ]);
      // The same events, with the same ids, as the session lists.
      const sessionIds = new Set(listed.filter((event) => event['session_thread_id'] === thread.id).map((event) => event.id));
      expect(new Set(own.map((event) => event.id))).toEqual(sessionIds);
    }

    // The skeptic's stream delivered the skeptic's events (and its previews, after its span starts), nobody else's.
    expect(threadStreamed.map((event) => event.type).filter((type, index, all) => type !== all[index - 1])).toEqual([
      'session.thread_status_running', 'span.model_request_start', 'event_start', 'event_delta', 'agent.message', 'span.model_request_end', 'session.thread_status_idle',
      'session.thread_status_running', 'span.model_request_start', 'event_start', 'event_delta', 'agent.message', 'span.model_request_end', 'session.thread_status_idle',
    ]);
    const streamedEvents = threadStreamed.filter((event) => event.type !== 'event_start' && event.type !== 'event_delta');
    const skepticEvents = await threadEvents(session.id, skeptic.id);
    expect(streamedEvents.map((event) => event.id)).toEqual(skepticEvents.map((event) => event.id));
    const skepticMessages = skepticEvents.filter((event) => event.type === 'agent.message');
    const starts = threadStreamed.filter((event) => event.type === 'event_start').map((event) => (event['event'] as { id: string }).id);
    expect(starts).toEqual(skepticMessages.map((event) => event.id));
    const deltas = threadStreamed.filter((event) => event.type === 'event_delta');
    expect(deltas.map((event) => (event['delta'] as { content: { text: string } }).content.text).join('')).toBe(skepticMessages.map(textOf).join(''));

    // The primary thread's events are the session's.
    expect((await threadEvents(session.id, primary.id)).map((event) => event.id)).toEqual(listed.map((event) => event.id));

    // Retrieved after the turn: idle, with the usage and running time of its own calls.
    const retrieved = await client.beta.sessions.threads.retrieve(skeptic.id, { session_id: session.id });
    const outputTokens = skepticEvents.filter((event) => event.type === 'span.model_request_end').reduce((sum, event) => sum + (event['model_usage'] as { output_tokens: number }).output_tokens, 0);
    expect(retrieved).toMatchObject({ id: skeptic.id, status: 'idle', parent_thread_id: primary.id, usage: { output_tokens: outputTokens }, stats: { startup_seconds: 0 } });
    expect(outputTokens).toBeGreaterThan(0);
    expect(retrieved.stats?.active_seconds).toBeGreaterThanOrEqual(0);
    const session1 = await client.beta.sessions.retrieve(session.id);
    const threadsAfter = await listThreads(session.id);
    expect(threadsAfter.slice(1).reduce((sum, thread) => sum + (thread.usage?.output_tokens ?? 0), 0)).toBe(session1.usage.output_tokens);
    expect(threadsAfter[0]?.usage?.output_tokens).toBe(session1.usage.output_tokens);

    // Filters and paging.
    expect(await listThreads(session.id, { statuses: ['running'] })).toEqual([]);
    expect((await listThreads(session.id, { statuses: ['idle'], limit: 1 })).map((thread) => thread.id)).toEqual(threadsAfter.map((thread) => thread.id));

    // Another workspace sees neither the session nor its threads; an unknown thread is a 404 too.
    const other = sdk(server.otherKey);
    await expect(other.beta.sessions.threads.retrieve(skeptic.id, { session_id: session.id })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(listThreadsWith(other, session.id)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(other.beta.sessions.threads.events.list(skeptic.id, { session_id: session.id })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(other.beta.sessions.threads.events.stream(skeptic.id, { session_id: session.id })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(client.beta.sessions.threads.retrieve(sessionThreadId(session.id, ['moderator']), { session_id: session.id })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    // Archiving a thread is refused with the reason, not a 404.
    const refused = await client.beta.sessions.threads.archive(skeptic.id, { session_id: session.id }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect((refused as Error).message).toContain('thread archives are not supported');

    // A restarted server over the same store names the same threads.
    await server.close();
    server = await startServer();
    client = sdk(server.key);
    const restarted = await listThreads(session.id);
    expect(restarted.map((thread) => thread.id)).toEqual(threadsAfter.map((thread) => thread.id));
    expect((await threadEvents(session.id, skeptic.id)).map((event) => event.id)).toEqual(skepticEvents.map((event) => event.id));
  });

  it("gives a nested topology's agents threads under their slot's thread", async () => {
    const agent = await client.beta.agents.create({ name: 'contest', model: 'offline/persona', metadata: { 'conclave.topology': 'nested' } });
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environmentId });
    await streamManagedWhile(client, session.id, () => client.beta.sessions.events.send(session.id, say('Build or buy?')), (event) => event.type === 'session.status_idle');
    const threads = await listThreads(session.id);
    const byName = (name: string, parent?: string): Thread => threads.find((thread) => nameOf(thread) === name && (parent === undefined || thread.parent_thread_id === parent)) as Thread;
    const primary = threads[0] as Thread;
    const panel = byName('panel');
    expect(threads.map(nameOf)).toEqual(['contest', 'solo', 'panel', 'optimist', 'skeptic', 'workshop', 'drafter', 'critic', 'judge']);
    expect(panel).toMatchObject({ parent_thread_id: primary.id, agent: { type: 'inline', model: { id: 'topology:debate' } } });
    const optimist = byName('optimist', panel.id);
    expect(optimist.id).toBe(sessionThreadId(session.id, ['panel', 'optimist']));
    // The panel's thread holds its debaters' events (naming them) and its own answer.
    const panelEvents = await threadEvents(session.id, panel.id);
    const panelMessages = panelEvents.filter((event) => event.type === 'agent.message');
    expect(new Set(panelMessages.map((event) => event['session_thread_id'] ?? 'panel'))).toEqual(new Set([optimist.id, byName('skeptic', panel.id).id, 'panel']));
    expect(panelMessages.at(-1)?.['conclave']).toMatchObject({ agent: 'panel', nested: { topology: 'debate' } });
    // Usage: the panel's is its debaters' sum.
    expect(panel.usage?.output_tokens).toBe((optimist.usage?.output_tokens ?? 0) + (byName('skeptic', panel.id).usage?.output_tokens ?? 0));
  });

  it('gives a plain agent one thread, the primary, whose events are the session\'s', async () => {
    const agent = await client.beta.agents.create({ name: 'helper', model: 'offline/echo' });
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environmentId });
    await streamManagedWhile(client, session.id, () => client.beta.sessions.events.send(session.id, say('Hello.')), (event) => event.type === 'session.status_idle');
    const threads = await listThreads(session.id);
    expect(threads).toHaveLength(1);
    expect(threads[0]).toMatchObject({ parent_thread_id: null, status: 'idle', agent: { type: 'agent', id: agent.id, name: 'helper' } });
    expect(threads[0]?.usage?.output_tokens).toBeGreaterThan(0);
    const listed = await sessionEvents(session.id);
    expect(listed.some((event) => 'session_thread_id' in event)).toBe(false);
    expect((await threadEvents(session.id, threads[0]?.id as string)).map((event) => event.id)).toEqual(listed.map((event) => event.id));
  });
});

async function listThreadsWith(other: Anthropic, sessionId: string): Promise<Thread[]> {
  const threads: Thread[] = [];
  for await (const thread of other.beta.sessions.threads.list(sessionId)) threads.push(thread);
  return threads;
}
