// The official Anthropic SDK's Managed Agents client, pointed at `conclave serve` by baseURL, runs
// the full flow over real HTTP: create an agent, an environment and a session; stream; send; list;
// interrupt; archive; delete — with an offline model, and with an agent that runs a debate.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { streamManagedWhile } from '../support/managed-stream.js';

type AnyEvent = { id: string; type: string; [key: string]: unknown };

let server: TestServer;
let client: Anthropic;
let environmentId: string;

beforeAll(async () => {
  server = await startTestServer();
  client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
  environmentId = (await client.beta.environments.create({ name: 'local', config: { type: 'cloud', networking: { type: 'unrestricted' } } })).id;
});
afterAll(async () => {
  await server.close();
});

/** Opens the Managed stream first (a live tail), then runs `act`, collecting events until `until`. */
function streamWhile(sessionId: string, act: () => Promise<unknown>, until: (event: AnyEvent) => boolean, params: Record<string, unknown> = {}): Promise<AnyEvent[]> {
  return streamManagedWhile(client, sessionId, act, until, params);
}

const isIdle = (event: AnyEvent): boolean => event.type === 'session.status_idle';

async function createAgent(params: Record<string, unknown>): Promise<string> {
  return (await client.beta.agents.create({ name: 'tester', ...params } as never)).id;
}

async function allEvents(sessionId: string): Promise<AnyEvent[]> {
  const events: AnyEvent[] = [];
  for await (const event of client.beta.sessions.events.list(sessionId, { limit: 3 }) as AsyncIterable<AnyEvent>) events.push(event);
  return events;
}

describe('Managed Agents API through the official SDK', () => {
  it('runs a turn: events in the documented order, usage on the spans and the session, list ids = streamed ids', async () => {
    const agentId = await createAgent({ model: 'offline/echo', system: 'Be brief.' });
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId, title: 'first' });
    expect(session).toMatchObject({ type: 'session', status: 'idle', environment_id: environmentId, title: 'first', agent: { id: agentId, version: 1, model: { id: 'offline/echo' } } });
    expect(session.id).toMatch(/^sesn_/);

    const streamed = await streamWhile(
      session.id,
      () => client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Name three CRDTs.' }] }] }),
      isIdle,
    );
    expect(streamed.map((event) => event.type)).toEqual([
      'user.message',
      'session.status_running',
      'span.model_request_start',
      'agent.message',
      'span.model_request_end',
      'session.status_idle',
    ]);
    const [echo, , start, message, end, idle] = streamed as [AnyEvent, AnyEvent, AnyEvent, AnyEvent, AnyEvent, AnyEvent];
    expect(echo['content']).toEqual([{ type: 'text', text: 'Name three CRDTs.' }]);
    expect((message['content'] as Array<{ text: string }>)[0]?.text.length).toBeGreaterThan(0);
    expect(end).toMatchObject({ model_request_start_id: start.id, is_error: false });
    expect((end['model_usage'] as { output_tokens: number }).output_tokens).toBeGreaterThan(0);
    expect(idle['stop_reason']).toEqual({ type: 'end_turn' });

    const listed = await allEvents(session.id);
    expect(listed.map((event) => event.id)).toEqual(streamed.map((event) => event.id));
    const retrieved = await client.beta.sessions.retrieve(session.id);
    expect(retrieved.status).toBe('idle');
    expect(retrieved.usage.output_tokens).toBe((end['model_usage'] as { output_tokens: number }).output_tokens);

    // A second turn sees the first as history; text arrives as deltas when asked for.
    const second = await streamWhile(
      session.id,
      () => client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'And one more.' }] }] }),
      isIdle,
      { event_deltas: ['agent.message'] },
    );
    expect(second.map((event) => event.type)).toContain('event_delta');
    const finalMessage = second.find((event) => event.type === 'agent.message') as AnyEvent;
    const deltaText = second.filter((event) => event.type === 'event_delta').map((event) => (event['delta'] as { content: { text: string } }).content.text).join('');
    expect(deltaText).toBe((finalMessage['content'] as Array<{ text: string }>)[0]?.text);
  });

  it('interrupts a slow model call at once, and a new message continues the session', async () => {
    const agentId = await createAgent({ model: 'offline/echo?ttft_ms=30000' });
    const session = await client.beta.sessions.create({ agent: { type: 'agent', id: agentId }, environment_id: environmentId });
    const events = await streamWhile(
      session.id,
      async () => {
        await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Take your time.' }] }] });
        // Interrupt once the model call is under way (its span has started), not after a guessed sleep.
        await waitUntil(async () => (await allEvents(session.id)).some((event) => event.type === 'span.model_request_start'));
        await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
      },
      isIdle,
    );
    const types = events.map((event) => event.type);
    expect(types).toContain('user.interrupt');
    expect(types.indexOf('span.model_request_start')).toBeLessThan(types.indexOf('user.interrupt'));
    expect(types.indexOf('user.interrupt')).toBeLessThan(types.indexOf('session.status_idle'));
    // The call was cut, not waited out: a 30 s time to first token means an answer (an
    // agent.message) could only have come from a call that ran to its end.
    expect(types).not.toContain('agent.message');
    const idle = events.at(-1) as AnyEvent;
    expect(idle['stop_reason']).toEqual({ type: 'end_turn' });
    expect(idle['conclave']).toMatchObject({ stop_reason: 'interrupted' });
    const spanEnd = events.find((event) => event.type === 'span.model_request_end');
    expect(spanEnd?.['is_error']).toBe(true);

    const continued = await streamWhile(
      session.id,
      () => client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Quick answer instead.' }] }] }),
      (event) => event.type === 'session.status_running',
    );
    expect(continued.map((event) => event.type)).toEqual(['user.message', 'session.status_running']);
    await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
    await waitUntil(async () => (await client.beta.sessions.retrieve(session.id)).status === 'idle');
  });

  it('runs a topology agent: a debate whose turns appear as agent messages, then its final answer', async () => {
    const agentId = await createAgent({ model: 'offline/persona', metadata: { 'conclave.topology': 'debate' } });
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    const events = await streamWhile(
      session.id,
      () => client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Should we adopt event sourcing?' }] }] }),
      isIdle,
    );
    const messages = events.filter((event) => event.type === 'agent.message');
    const debaters = new Set(messages.map((event) => (event['conclave'] as { agent?: string }).agent).filter((agent) => agent !== undefined));
    expect(debaters.size).toBeGreaterThanOrEqual(2);
    expect(messages.length).toBeGreaterThan(debaters.size);
    const final = messages.at(-1) as AnyEvent;
    expect(final['conclave']).toMatchObject({ final: true, topology: 'debate' });
    expect(events.filter((event) => event.type === 'span.model_request_start')).toHaveLength(messages.length - 1);
  });

  it('lists, updates, archives and deletes sessions; another workspace sees none of them', async () => {
    const agentId = await createAgent({ model: 'offline/echo' });
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push((await client.beta.sessions.create({ agent: agentId, environment_id: environmentId, metadata: { index: String(index) } })).id);
    const listed: string[] = [];
    for await (const session of client.beta.sessions.list({ limit: 2, agent_id: agentId })) listed.push(session.id);
    expect(listed).toEqual([...ids].reverse());

    const updated = await client.beta.sessions.update(ids[0] as string, { title: 'renamed', metadata: { index: null, team: 'a' } });
    expect(updated).toMatchObject({ title: 'renamed', metadata: { team: 'a' } });
    const archived = await client.beta.sessions.archive(ids[1] as string);
    expect(archived.archived_at).not.toBeNull();
    const deleted = await client.beta.sessions.delete(ids[2] as string);
    expect(deleted).toEqual({ id: ids[2], type: 'session_deleted' });
    await expect(client.beta.sessions.retrieve(ids[2] as string)).rejects.toMatchObject({ status: 404 });
    const remaining: string[] = [];
    for await (const session of client.beta.sessions.list({ agent_id: agentId })) remaining.push(session.id);
    expect(remaining.sort()).toEqual([ids[0], ids[3], ids[4]].sort());

    const stranger = new Anthropic({ apiKey: server.otherKey, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
    await expect(stranger.beta.sessions.retrieve(ids[0] as string)).rejects.toMatchObject({ status: 404 });
    await expect(stranger.beta.sessions.events.send(ids[0] as string, { events: [{ type: 'user.interrupt' }] })).rejects.toMatchObject({ status: 404 });
    const unauthenticated = new Anthropic({ apiKey: 'ck_wrong', baseURL: `${server.url}/anthropic`, maxRetries: 0 });
    await expect(unauthenticated.beta.sessions.list()).rejects.toMatchObject({ status: 401 });
  });

  it('refuses what conclave does not do with a clear 400 error envelope, and an answer to no tool use with a 404', async () => {
    const agentId = await createAgent({ model: 'offline/echo' });
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    await expect(
      client.beta.sessions.events.send(session.id, { events: [{ type: 'user.tool_result', tool_use_id: 'x' }] } as never),
    ).rejects.toMatchObject({ status: 400, type: 'invalid_request_error', message: expect.stringContaining('self_hosted') });
    await expect(
      client.beta.sessions.events.send(session.id, { events: [{ type: 'user.custom_tool_result', custom_tool_use_id: 'sevt_nothing' }] } as never),
    ).rejects.toMatchObject({ status: 404 });
    await expect(client.beta.sessions.create({ agent: 'agent_missing', environment_id: environmentId })).rejects.toMatchObject({ status: 404 });
  });
});

async function waitUntil(probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
