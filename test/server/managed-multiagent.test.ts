// A Managed Agents coordinator through the official SDK: an agent whose `multiagent` roster names
// saved agents starts them at run time as session threads (`session.thread_created`, then each
// thread's own events and stream), gets their answers back, and keeps its thread ids across a
// restart. What conclave cannot run (advisors, workflow runs, inline agents, nested coordinators)
// is a 400 naming the field.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/protocol/index.js';
import { streamManagedWhile, type ManagedStreamEvent } from '../support/managed-stream.js';
import { testRegistry } from '../support/registry.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { startSqliteTestServer, type TestServer } from '../support/test-server.js';

type Thread = Anthropic.Beta.Sessions.Threads.BetaManagedAgentsSessionThread;
type ToolMessage = Extract<Message, { role: 'tool' }>;

// The coordinator hands one task to each roster agent, then answers from what they said.
const provider = createScriptedProvider((call) => {
  const model = call.request.model;
  if (model === 'researcher') return `Finding: students pick tools in week one (asked: ${call.lastUserMessage})`;
  if (model === 'writer') return `Draft: launch in September (asked: ${call.lastUserMessage})`;
  const results = call.request.messages.filter((message): message is ToolMessage => message.role === 'tool');
  if (results.length === 0) {
    const spawn = call.request.tools?.find((tool) => tool.name === 'spawn_agent');
    const names = (spawn?.inputSchema as { properties: { agent: { enum: string[] } } } | undefined)?.properties.agent.enum ?? [];
    return { toolCalls: names.map((agent, index) => ({ toolCallId: `c${index}`, toolName: 'spawn_agent', input: { agent, task: `Task for ${agent}` } })) };
  }
  return `Plan from ${results.length} helpers: ${results.map((result) => result.content).join(' | ')}`;
}, 'script');

let directory: string;
let server: TestServer;
let client: Anthropic;
let environmentId: string;

function startServer(): Promise<TestServer> {
  return startSqliteTestServer(directory, testRegistry(provider.module));
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-multiagent-'));
  server = await startServer();
  client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
  environmentId = (await client.beta.environments.create({ name: 'local', config: { type: 'cloud', networking: { type: 'unrestricted' } } })).id;
});
afterAll(async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

async function listThreads(sessionId: string): Promise<Thread[]> {
  const threads: Thread[] = [];
  for await (const thread of client.beta.sessions.threads.list(sessionId)) threads.push(thread);
  return threads;
}

async function threadEvents(sessionId: string, threadId: string): Promise<ManagedStreamEvent[]> {
  const events: ManagedStreamEvent[] = [];
  for await (const event of client.beta.sessions.threads.events.list(threadId, { session_id: sessionId }) as AsyncIterable<ManagedStreamEvent>) events.push(event);
  return events;
}

const say = (text: string) => ({ events: [{ type: 'user.message' as const, content: [{ type: 'text' as const, text }] }] });
const textOf = (event: ManagedStreamEvent): string => (event['content'] as Array<{ text: string }>)[0]?.text ?? '';

async function refusal(promise: Promise<unknown>): Promise<Error & { status?: number }> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(Anthropic.BadRequestError);
  return error as Error;
}

describe('a coordinator agent (multiagent) through the official SDK', () => {
  it("starts its roster agents as threads, each with its own events, and answers from what they said", async () => {
    const researcher = await client.beta.agents.create({ name: 'Market researcher', description: 'answers one market question', model: 'script/researcher', system: 'You research.' });
    const writer = await client.beta.agents.create({ name: 'writer', model: 'script/writer' });
    const lead = await client.beta.agents.create({
      name: 'lead',
      model: 'script/lead',
      multiagent: { type: 'coordinator', agents: [researcher.id, { type: 'agent', id: writer.id, version: 1 }] },
    });
    // Entries are resolved to versions when the agent is saved.
    expect(lead.multiagent).toEqual({ type: 'coordinator', agents: [{ type: 'agent', id: researcher.id, version: 1 }, { type: 'agent', id: writer.id, version: 1 }] });

    const session = await client.beta.sessions.create({ agent: lead.id, environment_id: environmentId });
    // The session shows the full definition of each agent its threads may run.
    const roster = (session.agent.multiagent as { agents: Array<{ id: string; name: string; model: { id: string } }> } | null)?.agents ?? [];
    expect(roster.map((agent) => [agent.id, agent.name, agent.model.id])).toEqual([
      [researcher.id, 'Market researcher', 'script/researcher'],
      [writer.id, 'writer', 'script/writer'],
    ]);

    const seen = await streamManagedWhile(client, session.id, () => client.beta.sessions.events.send(session.id, say('Plan the launch.')), (event) => event.type === 'session.status_idle');
    const created = seen.filter((event) => event.type === 'session.thread_created');
    expect(created.map((event) => event['agent_name'])).toEqual(['Market researcher', 'writer']);
    expect(created.every((event) => event['workflow_run_id'] === null && String(event['session_thread_id']).startsWith('sthr_'))).toBe(true);
    const [researcherThreadId, writerThreadId] = created.map((event) => String(event['session_thread_id']));
    // Each child idles when its spawn_agent call ends: the researcher before the writer is created, both before the session.
    const marks = seen.map((event) => (event.type.startsWith('session.thread_') ? `${event.type} ${String(event['session_thread_id'])}` : event.type));
    const at = (mark: string): number => marks.indexOf(mark);
    expect(at(`session.thread_status_idle ${researcherThreadId}`)).toBeGreaterThan(at(`session.thread_status_running ${researcherThreadId}`));
    expect(at(`session.thread_status_idle ${researcherThreadId}`)).toBeLessThan(at(`session.thread_created ${writerThreadId}`));
    expect(at(`session.thread_status_idle ${writerThreadId}`)).toBeLessThan(at('session.status_idle'));
    expect(at(`session.thread_status_idle ${writerThreadId}`)).toBeGreaterThan(at(`session.thread_created ${writerThreadId}`));

    // Each child's message is on the session stream, tagged with its thread; the final answer is the coordinator's own.
    const messages = seen.filter((event) => event.type === 'agent.message');
    const childMessage = messages.find((event) => event['session_thread_id'] === researcherThreadId);
    expect(textOf(childMessage!)).toContain('Finding: students pick tools in week one (asked: Task for Market-researcher)');
    const final = messages[messages.length - 1]!;
    expect(final['session_thread_id']).toBeUndefined();
    expect(textOf(final)).toContain('Plan from 2 helpers: Finding: students pick tools in week one');
    expect(textOf(final)).toContain('Draft: launch in September (asked: Task for writer)');
    // A child sees only its task, not the coordinator's conversation.
    const researcherCall = provider.calls.find((call) => call.request.model === 'researcher');
    expect(researcherCall?.request.messages.filter((message) => message.role === 'user').map((message) => message.content)).toEqual(['Task for Market-researcher']);

    const threads = await listThreads(session.id);
    const primary = threads.find((thread) => thread.parent_thread_id === null)!;
    const children = threads.filter((thread) => thread.parent_thread_id === primary.id);
    expect(children.map((thread) => thread.id)).toEqual([researcherThreadId, writerThreadId]);
    const researcherThread = children[0]!;
    expect(researcherThread.agent).toMatchObject({ type: 'agent', id: researcher.id, version: 1, name: 'Market researcher', system: 'You research.' });
    expect(researcherThread.status).toBe('idle');
    expect(researcherThread.usage?.output_tokens).toBeGreaterThan(0);
    expect(primary.agent).not.toHaveProperty('multiagent');

    // A thread's own events: its running status, its message and its idle, not the other child's.
    const own = await threadEvents(session.id, researcherThreadId!);
    expect(own.map((event) => event.type)).toEqual(expect.arrayContaining(['session.thread_created', 'session.thread_status_running', 'agent.message', 'session.thread_status_idle']));
    expect(own.filter((event) => event.type === 'agent.message').map(textOf).join(' ')).not.toContain('Draft:');
    const retrieved = await client.beta.sessions.threads.retrieve(writerThreadId!, { session_id: session.id });
    expect(retrieved.agent).toMatchObject({ id: writer.id, name: 'writer' });

    // A restart reads the same threads from the log: same ids, same parents.
    await server.close();
    server = await startServer();
    client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
    const again = await listThreads(session.id).catch(async () => listThreads(session.id));
    expect(again.map((thread) => [thread.id, thread.parent_thread_id])).toEqual(threads.map((thread) => [thread.id, thread.parent_thread_id]));
  });

  it('may name itself ({ type: "self" }), resolved to its own version', async () => {
    const helper = await client.beta.agents.create({ name: 'helper', model: 'script/researcher' });
    const lead = await client.beta.agents.create({ name: 'lead', model: 'script/lead', multiagent: { type: 'coordinator', agents: [{ type: 'self' }, helper.id] } });
    expect(lead.multiagent).toEqual({ type: 'coordinator', agents: [{ type: 'agent', id: lead.id, version: 1 }, { type: 'agent', id: helper.id, version: 1 }] });
    const updated = await client.beta.agents.update(lead.id, { version: 1, system: 'Lead well.' });
    // Left out of the update, the roster is kept as it was resolved.
    expect(updated.multiagent).toEqual(lead.multiagent);
    const cleared = await client.beta.agents.update(lead.id, { version: 2, multiagent: null });
    expect(cleared.multiagent).toBeNull();
  });

  it('takes multiagent_20261001 with subagents from saved agents, and refuses what conclave does not run', async () => {
    const helper = await client.beta.agents.create({ name: 'helper', model: 'script/researcher' });
    const settings = {
      type: 'multiagent_20261001' as const,
      workflows: { type: 'disabled' as const },
      subagents: { type: 'enabled' as const, inline_agents: { type: 'disabled' as const }, predefined_agents: [helper.id] },
    };
    const lead = await client.beta.agents.create({ name: 'lead', model: 'script/lead', multiagent: settings });
    expect(lead.multiagent).toEqual({
      type: 'multiagent_20261001',
      advisor: { type: 'disabled' },
      subagents: { type: 'enabled', inline_agents: { type: 'disabled' }, predefined_agents: [{ type: 'agent', id: helper.id, version: 1 }] },
      workflows: { type: 'disabled' },
    });
    // An update merges level by level: the roster stays when only the advisor is sent.
    const merged = await client.beta.agents.update(lead.id, { version: 1, multiagent: { type: 'multiagent_20261001', advisor: { type: 'disabled' } } });
    expect(merged.multiagent).toEqual(lead.multiagent);

    const session = await client.beta.sessions.create({ agent: lead.id, environment_id: environmentId });
    const seen = await streamManagedWhile(client, session.id, () => client.beta.sessions.events.send(session.id, say('Go.')), (event) => event.type === 'session.status_idle');
    expect(seen.filter((event) => event.type === 'session.thread_created').map((event) => event['agent_name'])).toEqual(['helper']);

    const workflows = await refusal(client.beta.agents.create({ name: 'x', model: 'script/lead', multiagent: { type: 'multiagent_20261001' } }));
    expect(workflows.message).toContain('body.multiagent.workflows');
    const inline = await refusal(client.beta.agents.create({ name: 'x', model: 'script/lead', multiagent: { type: 'multiagent_20261001', workflows: { type: 'disabled' } } }));
    expect(inline.message).toContain('body.multiagent.subagents.inline_agents');
    const advisor = await refusal(client.beta.agents.create({ name: 'x', model: 'script/lead', multiagent: { ...settings, advisor: { type: 'enabled', model: 'claude-opus-4-8' } } }));
    expect(advisor.message).toContain('body.multiagent.advisor');
  });

  it('refuses rosters it cannot run, naming the entry', async () => {
    const helper = await client.beta.agents.create({ name: 'helper', model: 'script/researcher' });
    const coordinator = await client.beta.agents.create({ name: 'sub-lead', model: 'script/lead', multiagent: { type: 'coordinator', agents: [helper.id] } });
    const archived = await client.beta.agents.create({ name: 'old', model: 'script/writer' });
    await client.beta.agents.archive(archived.id);
    const cases: Array<[unknown, string]> = [
      [{ type: 'coordinator', agents: [coordinator.id] }, 'body.multiagent.agents[0]: agent'],
      [{ type: 'coordinator', agents: ['agent_missing'] }, 'body.multiagent.agents[0]: no agent agent_missing'],
      [{ type: 'coordinator', agents: [archived.id] }, 'is archived'],
      [{ type: 'coordinator', agents: [helper.id, { type: 'agent', id: helper.id }] }, 'body.multiagent.agents[1]: agent'],
      [{ type: 'coordinator', agents: [{ type: 'advisor', model: 'claude-opus-4-8' }] }, 'body.multiagent.agents[0]: advisor models'],
      [{ type: 'coordinator', agents: [] }, 'multiagent'],
    ];
    for (const [multiagent, message] of cases) {
      const error = await refusal(client.beta.agents.create({ name: 'lead', model: 'script/lead', multiagent } as never));
      expect(error.message).toContain(message);
    }
    // Another workspace's agent is not there at all: a roster never reaches across workspaces.
    const other = new Anthropic({ apiKey: server.otherKey, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
    const foreign = await other.beta.agents.create({ name: 'theirs', model: 'script/writer' });
    const across = await refusal(client.beta.agents.create({ name: 'lead', model: 'script/lead', multiagent: { type: 'coordinator', agents: [foreign.id] } }));
    expect(across.message).toContain(`no agent ${foreign.id} in this workspace`);
    const topology = await refusal(client.beta.agents.create({ name: 'panel', model: 'script/lead', metadata: { 'conclave.topology': 'debate.yaml' }, multiagent: { type: 'coordinator', agents: [helper.id] } }));
    expect(topology.message).toContain('topology agent');

    // Agents of one session share the document's tools: one that asks where another does not is refused at the session.
    const asker = await client.beta.agents.create({ name: 'asker', model: 'script/researcher', tools: [{ type: 'agent_toolset_20260401', default_config: { permission_policy: { type: 'always_ask' } } }] });
    const runner = await client.beta.agents.create({ name: 'runner', model: 'script/lead', tools: [{ type: 'agent_toolset_20260401' }], multiagent: { type: 'coordinator', agents: [asker.id] } });
    const mixed = await refusal(client.beta.sessions.create({ agent: runner.id, environment_id: environmentId }));
    expect(mixed.message).toContain('agent.multiagent.agents[0]: roster agent');
  });
});
