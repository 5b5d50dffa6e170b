// Memory stores attached to Managed Agents sessions with `resources`, driven by the official SDK over
// real HTTP against a model on the OpenAI wire (the emulator) that calls the memory tools: one
// session's agent writes a memory, the next session's agent (attached read-only) reads it back; the
// versions name the writing session; the session's resources list the store; and a store that is
// unknown, another workspace's or archived is refused at session creation, naming the field.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { createInProcessAgentMemoryStore } from '../../src/memory/in-process-agent-memory.js';
import { memorySessionPreparer } from '../../src/memory/memory-session.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createSessionToolsFactory } from '../../src/presets/session-tools.js';
import { createMemoryStore } from '../../src/store/index.js';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';
import { streamManagedWhile } from '../support/managed-stream.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type AnyEvent = { id: string; type: string; [key: string]: unknown };

let emulator: OpenAIEmulator;
let server: TestServer;
let client: Anthropic;
let other: Anthropic;
const memory = createInProcessAgentMemoryStore();

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  const open = async (): Promise<typeof memory> => memory;
  server = await startTestServer({
    memory,
    kernel: new Kernel({
      store: createMemoryStore(),
      registry: createDefaultRegistry(),
      env: { OPENAI_API_KEY: 'sk-test-emulator', OPENAI_BASE_URL: emulator.baseUrl },
      sessionTools: createSessionToolsFactory({ memory: open }),
      prepareDefinition: memorySessionPreparer(open),
    }),
  });
  client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
  other = new Anthropic({ apiKey: server.otherKey, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
  await emulator.close();
  await memory.close();
});

async function turn(sessionId: string, text: string): Promise<AnyEvent[]> {
  return streamManagedWhile(client, sessionId, () => client.beta.sessions.events.send(sessionId, { events: [{ type: 'user.message', content: [{ type: 'text', text }] }] }), (event) => event.type === 'session.status_idle');
}

describe('memory stores as session resources', () => {
  it('let one session’s agent write a memory that the next session’s agent reads', async () => {
    const store = await client.beta.memoryStores.create({ name: 'user-preferences', description: 'What the user prefers' });
    const agent = await client.beta.agents.create({ name: 'assistant', model: 'openai/gpt-4o-mini' });
    const environment = await client.beta.environments.create({ name: 'memory-env', config: { type: 'cloud', networking: { type: 'limited' } } });

    const first = await client.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      resources: [{ type: 'memory_store', memory_store_id: store.id, instructions: 'Save preferences under /prefs/.' }],
    });
    expect(first.resources).toEqual([
      { type: 'memory_store', memory_store_id: store.id, access: 'read_write', name: 'user-preferences', description: 'What the user prefers', instructions: 'Save preferences under /prefs/.', mount_path: null },
    ]);
    const before = emulator.requests.length;
    emulator.enqueue({ toolCalls: [{ id: 'call_w', name: 'memory_write', input: { path: '/prefs/editor.md', content: 'Ada uses tabs, width 4.' } }] }, { text: 'Noted: tabs.' });
    const written = await turn(first.id, 'Remember that I use tabs, width 4.');
    expect(written.find((event) => event.type === 'agent.tool_use')).toMatchObject({ name: 'memory_write', input: { path: '/prefs/editor.md' } });
    expect(written.find((event) => event.type === 'agent.tool_result')).toMatchObject({ is_error: false });
    expect(written.at(-1)).toMatchObject({ stop_reason: { type: 'end_turn' } });
    const offered = (emulator.requests[before]?.body as { tools?: Array<{ function: { name: string; description: string } }> }).tools;
    expect(offered?.map((tool) => tool.function.name)).toEqual(['memory_list', 'memory_read', 'memory_search', 'memory_write']);
    expect(offered?.[0]?.function.description).toContain('Save preferences under /prefs/.');

    const memories = (await client.beta.memoryStores.memories.list(store.id, { view: 'full' })).data;
    expect(memories).toEqual([expect.objectContaining({ type: 'memory', path: '/prefs/editor.md', content: 'Ada uses tabs, width 4.' })]);
    const [version] = (await client.beta.memoryStores.memoryVersions.list(store.id)).data;
    expect(version).toMatchObject({ operation: 'created', created_by: { type: 'session_actor', session_id: first.id } });
    expect((await client.beta.memoryStores.memoryVersions.list(store.id, { session_id: first.id })).data).toHaveLength(1);

    const second = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id, resources: [{ type: 'memory_store', memory_store_id: store.id, access: 'read_only' }] });
    expect((await client.beta.sessions.resources.list(second.id)).data).toEqual([expect.objectContaining({ type: 'memory_store', memory_store_id: store.id, access: 'read_only' })]);
    const requests = emulator.requests.length;
    emulator.enqueue({ toolCalls: [{ id: 'call_r', name: 'memory_read', input: { path: '/prefs/editor.md' } }] }, { text: 'You use tabs, width 4.' });
    const read = await turn(second.id, 'Tabs or spaces for me?');
    expect(JSON.stringify(read.find((event) => event.type === 'agent.tool_result')?.['content'])).toContain('Ada uses tabs, width 4.');
    expect(read.find((event) => event.type === 'agent.message')).toMatchObject({ content: [{ type: 'text', text: 'You use tabs, width 4.' }] });
    const readOnly = (emulator.requests[requests]?.body as { tools?: Array<{ function: { name: string } }> }).tools;
    expect(readOnly?.map((tool) => tool.function.name)).toEqual(['memory_list', 'memory_read', 'memory_search']);
    expect((await client.beta.memoryStores.memoryVersions.list(store.id)).data).toHaveLength(1);
  });

  it('refuses an unknown, another workspace’s or an archived store at session creation', async () => {
    const agent = await client.beta.agents.create({ name: 'assistant', model: 'openai/gpt-4o-mini' });
    const environment = await client.beta.environments.create({ name: 'refusals', config: { type: 'cloud', networking: { type: 'limited' } } });
    const theirs = await other.beta.memoryStores.create({ name: 'theirs' });
    const archived = await client.beta.memoryStores.create({ name: 'old' });
    await client.beta.memoryStores.archive(archived.id);
    const create = (memoryStoreId: string, extra: Record<string, unknown> = {}): Promise<unknown> =>
      client.beta.sessions.create({ agent: agent.id, environment_id: environment.id, resources: [{ type: 'memory_store', memory_store_id: memoryStoreId, ...extra }] });
    for (const [id, status, extra] of [
      ['memstore_missing', 404, {}],
      [theirs.id, 404, {}],
      [archived.id, 400, {}],
    ] as const) {
      const refused = (await create(id, extra).catch((error: unknown) => error)) as InstanceType<typeof Anthropic.APIError>;
      expect(refused, id).toBeInstanceOf(Anthropic.APIError);
      expect(refused.status, id).toBe(status);
      expect(refused.message).toContain('resources[0].memory_store_id');
    }
    const fine = await client.beta.memoryStores.create({ name: 'fine' });
    const badAccess = (await create(fine.id, { access: 'write_only' }).catch((error: unknown) => error)) as InstanceType<typeof Anthropic.APIError>;
    expect(badAccess.status).toBe(400);
    expect(badAccess.message).toContain('resources[0].access');
    // Attached at creation only, as in the API: `resources.add` takes files.
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    const added = (await client.beta.sessions.resources.add(session.id, { type: 'memory_store', memory_store_id: fine.id } as never).catch((error: unknown) => error)) as InstanceType<typeof Anthropic.APIError>;
    expect(added.status).toBe(400);
    expect(added.message).toContain('attached when the session is created');
  });
});
