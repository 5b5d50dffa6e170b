// Outcomes on the Managed face, through the official SDK client: `user.define_outcome` starts the
// agent on its description; the offline grader finds the first answer short of the rubric and the
// revision good, and the client sees it as `span.outcome_evaluation_start` / `_end` pairs (live and
// listed alike, naming the echo's `outcome_id`) and in the session's `outcome_evaluations`. A rubric
// can be an uploaded file; a rubric that is not one is a 400 naming the field, and nothing is stored.
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { streamManagedWhile, type ManagedStreamEvent } from '../support/managed-stream.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let client: Anthropic;
let environmentId: string;
let agentId: string;

beforeAll(async () => {
  server = await startTestServer();
  client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
  environmentId = (await client.beta.environments.create({ name: 'local', config: { type: 'cloud', networking: { type: 'unrestricted' } } })).id;
  // The echo agent answers with its task, and a revision's task carries the grader's feedback.
  agentId = (await client.beta.agents.create({ name: 'writer', model: 'offline/echo' } as never)).id;
});
afterAll(async () => {
  await server.close();
});

const isIdle = (event: ManagedStreamEvent): boolean => event.type === 'session.status_idle';
const description = 'Recommend a database for a small event-sourced application.';
const rubric = 'The answer must say where it comes from, with the word "cited".';

describe('Managed Agents outcomes through the official SDK', () => {
  it('grades the first answer as needing revision and the second as satisfied, with evaluation spans and outcome_evaluations', async () => {
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    expect(session.outcome_evaluations).toEqual([]);
    let echo: unknown;
    const streamed = await streamManagedWhile(
      client,
      session.id,
      async () => {
        echo = (await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.define_outcome', description, rubric: { type: 'text', content: rubric }, max_iterations: 3 }] })).data?.[0];
      },
      isIdle,
    );
    expect(echo).toMatchObject({ type: 'user.define_outcome', description, rubric: { type: 'text', content: rubric }, max_iterations: 3, outcome_id: expect.stringMatching(/^outc_\w+$/) });
    const outcomeId = (echo as { outcome_id: string }).outcome_id;

    // The agent works on the description, the grader reads, the agent revises, the grader reads again.
    expect(streamed.map((event) => event.type)).toEqual([
      'user.define_outcome',
      'session.status_running',
      'span.model_request_start',
      'agent.message',
      'span.model_request_end',
      'span.outcome_evaluation_start',
      'span.outcome_evaluation_ongoing',
      'span.outcome_evaluation_end',
      'span.model_request_start',
      'agent.message',
      'span.model_request_end',
      'span.outcome_evaluation_start',
      'span.outcome_evaluation_ongoing',
      'span.outcome_evaluation_end',
      'session.status_idle',
    ]);
    const heartbeats = streamed.filter((event) => event.type === 'span.outcome_evaluation_ongoing');
    expect(heartbeats.map((event) => [event['outcome_id'], event['iteration']])).toEqual([
      [outcomeId, 0],
      [outcomeId, 1],
    ]);
    const spans = streamed.filter((event) => event.type === 'span.outcome_evaluation_start' || event.type === 'span.outcome_evaluation_end');
    const [firstStart, firstEnd, secondStart, secondEnd] = spans;
    expect(firstStart).toMatchObject({ type: 'span.outcome_evaluation_start', outcome_id: outcomeId, iteration: 0, processed_at: expect.any(String) });
    expect(firstEnd).toMatchObject({
      type: 'span.outcome_evaluation_end',
      outcome_evaluation_start_id: firstStart?.id,
      outcome_id: outcomeId,
      iteration: 0,
      result: 'needs_revision',
      explanation: 'The answer must mention "cited".',
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect((firstEnd?.['usage'] as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expect(secondStart).toMatchObject({ outcome_id: outcomeId, iteration: 1 });
    expect(secondEnd).toMatchObject({ outcome_evaluation_start_id: secondStart?.id, outcome_id: outcomeId, iteration: 1, result: 'satisfied', explanation: 'none' });
    // The agent's answers are its own; the grader's verdicts are never an agent.message.
    const answers = streamed.filter((event) => event.type === 'agent.message').map((event) => JSON.stringify(event['content']));
    expect(answers[0]).not.toContain('cited');
    expect(answers[1]).toContain('cited');
    expect(answers.join('')).not.toContain('Verdict:');

    // The list agrees with the stream, id for id.
    const listed = [];
    for await (const event of client.beta.sessions.events.list(session.id)) listed.push(event as unknown as ManagedStreamEvent);
    expect(listed.map((event) => event.id)).toEqual(streamed.map((event) => event.id));
    expect(listed.filter((event) => event.type.startsWith('span.outcome_evaluation'))).toEqual(streamed.filter((event) => event.type.startsWith('span.outcome_evaluation')));

    const retrieved = await client.beta.sessions.retrieve(session.id);
    expect(retrieved.outcome_evaluations).toEqual([
      { type: 'outcome_evaluation', outcome_id: outcomeId, description, result: 'satisfied', iteration: 1, explanation: 'none', completed_at: secondEnd?.processed_at },
    ]);

    // The outcome is over: the next message is a plain turn, ungraded, and a new outcome may be defined.
    const plain = await streamManagedWhile(client, session.id, () => client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Thanks.' }] }] }), isIdle);
    expect(plain.some((event) => event.type.startsWith('span.outcome_evaluation'))).toBe(false);
  });

  it('reads a file rubric from the workspace, defined among the initial events', async () => {
    const file = await client.beta.files.upload({ file: await toFile(Buffer.from(`# Rubric\n- ${rubric}\n`), 'rubric.md', { type: 'text/markdown' }) });
    const session = await client.beta.sessions.create({
      agent: agentId,
      environment_id: environmentId,
      initial_events: [{ type: 'user.define_outcome', description, rubric: { type: 'file', file_id: file.id } }],
    });
    await vi.waitFor(
      async () => {
        const evaluation = (await client.beta.sessions.retrieve(session.id)).outcome_evaluations[0];
        expect(evaluation).toMatchObject({ result: 'satisfied', iteration: 1 });
      },
      { timeout: 20_000, interval: 50 },
    );
    const listed = [];
    for await (const event of client.beta.sessions.events.list(session.id)) listed.push(event as unknown as ManagedStreamEvent);
    // File rubrics are echoed resolved to their text, as the SDK's type says they may be; the default is 3 iterations.
    expect(listed[0]).toMatchObject({ type: 'user.define_outcome', rubric: { type: 'text', content: `# Rubric\n- ${rubric}\n` }, max_iterations: null });
    expect(listed.filter((event) => event.type === 'span.outcome_evaluation_end').map((event) => event['result'])).toEqual(['needs_revision', 'satisfied']);
  });

  it('answers a rubric that is not one with a 400 naming the field, and stores nothing', async () => {
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    const send = (event: Record<string, unknown>, more: Record<string, unknown>[] = []) =>
      client.beta.sessions.events.send(session.id, { events: [{ type: 'user.define_outcome', description, ...event } as never, ...(more as never[])] });

    await expect(send({ rubric: { type: 'text', content: '  ' } })).rejects.toMatchObject({ status: 400, error: { error: { message: expect.stringMatching(/events\[0\]\.rubric\.content.*empty/) } } });
    await expect(send({ rubric: { type: 'url', url: 'https://example.com/rubric.md' } })).rejects.toMatchObject({ status: 400, error: { error: { message: expect.stringContaining('events[0].rubric.type') } } });
    await expect(send({})).rejects.toMatchObject({ status: 400, error: { error: { message: expect.stringContaining('events[0].rubric') } } });
    await expect(send({ rubric: { type: 'file', file_id: 'file_nope' } })).rejects.toMatchObject({
      status: 400,
      error: { error: { message: 'events[0].rubric.file_id: no file file_nope in this workspace' } },
    });
    const binary = await client.beta.files.upload({ file: await toFile(Buffer.from([0xff, 0xfe, 0x00, 0x81]), 'rubric.bin') });
    await expect(send({ rubric: { type: 'file', file_id: binary.id } })).rejects.toMatchObject({ status: 400, error: { error: { message: expect.stringContaining('is not UTF-8 text') } } });
    await expect(send({ rubric: { type: 'text', content: rubric }, max_iterations: 21 })).rejects.toMatchObject({ status: 400, error: { error: { message: expect.stringContaining('events[0].max_iterations') } } });
    const second = { type: 'user.define_outcome', description, rubric: { type: 'text', content: rubric } };
    await expect(send({ rubric: { type: 'text', content: rubric } }, [second])).rejects.toMatchObject({ status: 400, error: { error: { message: expect.stringContaining('one outcome') } } });

    expect((await client.beta.sessions.events.list(session.id)).data).toEqual([]);
    expect((await client.beta.sessions.retrieve(session.id)).outcome_evaluations).toEqual([]);

    // Among the initial events, a bad rubric refuses the session itself: none is created.
    const before = (await client.beta.sessions.list()).data.length;
    const badStart = { agent: agentId, environment_id: environmentId, initial_events: [{ type: 'user.define_outcome' as const, description, rubric: { type: 'file' as const, file_id: 'file_nope' } }] };
    await expect(client.beta.sessions.create(badStart)).rejects.toMatchObject({ status: 400, error: { error: { message: 'initial_events[0].rubric.file_id: no file file_nope in this workspace' } } });
    expect((await client.beta.sessions.list()).data.length).toBe(before);
  });

  it('refuses a second outcome while the first is not over', async () => {
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    // Journaled without starting the work: the outcome waits, pending.
    await server.deps.kernel.send(session.id, { text: description, outcome: { description, rubric } }, { start: false });
    const [pending] = (await client.beta.sessions.retrieve(session.id)).outcome_evaluations;
    expect(pending).toMatchObject({ result: 'pending', iteration: 0, explanation: null, completed_at: null });
    await expect(client.beta.sessions.events.send(session.id, { events: [{ type: 'user.define_outcome', description, rubric: { type: 'text', content: rubric } }] })).rejects.toMatchObject({
      status: 400,
      error: { error: { message: `events[0]: the session still works toward outcome ${pending?.outcome_id} (pending); a session works toward one outcome at a time` } },
    });
    // An interrupt ends it.
    await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
    expect((await client.beta.sessions.retrieve(session.id)).outcome_evaluations).toEqual([expect.objectContaining({ result: 'interrupted', completed_at: expect.any(String) })]);
  });
});
