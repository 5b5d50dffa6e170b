// Tools of Managed Agents agents, driven by the official SDK over real HTTP against a model on the
// OpenAI wire (the emulator) that calls them: the agent toolset's bash runs in the session's
// bubblewrap sandbox and its output reaches the model; the events carry the toolset's names; what
// conclave cannot run yet (skills, packages, the auto policy, an MCP server name it cannot prefix tools with) is a 400 naming the
// field at session creation, never accepted and dropped; and the server policy decides the network.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createSessionToolsFactory } from '../../src/presets/session-tools.js';
import { createMemoryStore } from '../../src/store/index.js';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { streamManagedWhile } from '../support/managed-stream.js';
import { programsInstalled } from '../support/installed-programs.js';

type AnyEvent = { id: string; type: string; [key: string]: unknown };

const hasBubblewrap = programsInstalled(['bwrap', '--version']);

let emulator: OpenAIEmulator;
let server: TestServer;
let client: Anthropic;
const store = createMemoryStore();

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  server = await startTestServer({
    kernel: new Kernel({
      store,
      registry: createDefaultRegistry(),
      env: { OPENAI_API_KEY: 'sk-test-emulator', OPENAI_BASE_URL: emulator.baseUrl },
      sessionTools: createSessionToolsFactory(),
    }),
  });
  client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
  await emulator.close();
});

/** Opens the Managed stream first (a live tail), then runs `act`, collecting events until `until`. */
function streamWhile(sessionId: string, act: () => Promise<unknown>, until: (event: AnyEvent) => boolean): Promise<AnyEvent[]> {
  return streamManagedWhile(client, sessionId, act, until);
}

async function environment(config: Record<string, unknown>): Promise<string> {
  return (await client.beta.environments.create({ name: `env-${Math.random().toString(36).slice(2, 8)}`, config } as never)).id;
}

async function agent(params: Record<string, unknown>): Promise<string> {
  return (await client.beta.agents.create({ name: 'tool user', model: 'openai/gpt-4o-mini', ...params } as never)).id;
}

const onlyBash = { type: 'agent_toolset_20260401', default_config: { enabled: false }, configs: [{ name: 'bash', enabled: true }] };

describe.skipIf(!hasBubblewrap)('the agent toolset', () => {
  it('runs bash in the sandbox, hands its output to the model, and names the tool as the toolset does', async () => {
    const agentId = await agent({ tools: [onlyBash] });
    const environmentId = await environment({ type: 'cloud', networking: { type: 'limited' } });
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    emulator.enqueue({ toolCalls: [{ id: 'call_1', name: 'bash', input: { command: 'echo sandboxed-$((6 * 7)) && id -u' } }] }, { text: 'The sandbox said 42.' });
    const requestsBefore = emulator.requests.length;
    const events = await streamWhile(
      session.id,
      () => client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Run it.' }] }] }),
      (event) => event.type === 'session.status_idle',
    );
    const toolUse = events.find((event) => event.type === 'agent.tool_use');
    expect(toolUse).toMatchObject({ name: 'bash', input: { command: 'echo sandboxed-$((6 * 7)) && id -u' }, evaluated_permission: 'allow' });
    const toolResult = events.find((event) => event.type === 'agent.tool_result');
    expect(toolResult).toMatchObject({ tool_use_id: toolUse?.id, is_error: false });
    expect(JSON.stringify(toolResult?.['content'])).toContain('sandboxed-42');
    expect(events.find((event) => event.type === 'agent.message')).toMatchObject({ content: [{ type: 'text', text: 'The sandbox said 42.' }] });
    expect(events.at(-1)).toMatchObject({ type: 'session.status_idle', stop_reason: { type: 'end_turn' } });
    // The model offered bash, and got the sandbox's output back as the tool's result.
    const [first, second] = emulator.requests.slice(requestsBefore).map((request) => request.body as { tools?: Array<{ function: { name: string } }>; messages: Array<{ role: string; content: unknown }> });
    expect(first?.tools?.map((tool) => tool.function.name)).toEqual(['bash']);
    expect(JSON.stringify(second?.messages.filter((message) => message.role === 'tool'))).toContain('sandboxed-42');
    // The listed history is the same translation as the stream.
    const listed: AnyEvent[] = [];
    for await (const event of client.beta.sessions.events.list(session.id) as AsyncIterable<AnyEvent>) listed.push(event);
    expect(listed.filter((event) => event.type.startsWith('agent.tool')).map((event) => event.id)).toEqual([toolUse?.id, toolResult?.id]);
  });
});

describe.skipIf(!hasBubblewrap)('a tool that asks first', () => {
  it('waits for user.tool_confirmation: a deny tells the model why, an allow runs the tool once', async () => {
    const askBash = { ...onlyBash, configs: [{ name: 'bash', enabled: true, permission_policy: { type: 'always_ask' } }] };
    const agentId = await agent({ tools: [askBash] });
    const environmentId = await environment({ type: 'cloud', networking: { type: 'limited' } });
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    emulator.enqueue(
      { toolCalls: [{ id: 'call_a', name: 'bash', input: { command: 'echo first-try' } }] },
      { toolCalls: [{ id: 'call_b', name: 'bash', input: { command: 'echo second-try' } }] },
      { text: 'Ran it the second time.' },
    );
    const requestsBefore = emulator.requests.length;
    const asked = await streamWhile(
      session.id,
      () => client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Run it.' }] }] }),
      (event) => event.type === 'session.status_idle',
    );
    const firstUse = asked.find((event) => event.type === 'agent.tool_use');
    expect(firstUse).toMatchObject({ name: 'bash', evaluated_permission: 'ask', evaluation: { type: 'always_ask' } });
    expect(asked.at(-1)).toMatchObject({ type: 'session.status_idle', stop_reason: { type: 'requires_action', event_ids: [firstUse?.id] } });

    const denied = await streamWhile(
      session.id,
      () => client.beta.sessions.events.send(session.id, { events: [{ type: 'user.tool_confirmation', tool_use_id: firstUse?.id as string, result: 'deny', deny_message: 'Not on a Friday.' }] }),
      (event) => event.type === 'session.status_idle',
    );
    const secondUse = denied.find((event) => event.type === 'agent.tool_use');
    expect(denied.find((event) => event.type === 'agent.tool_result')).toMatchObject({ tool_use_id: firstUse?.id, is_error: true });
    expect(denied.at(-1)).toMatchObject({ stop_reason: { type: 'requires_action', event_ids: [secondUse?.id] } });

    const allowed = await streamWhile(
      session.id,
      () => client.beta.sessions.events.send(session.id, { events: [{ type: 'user.tool_confirmation', tool_use_id: secondUse?.id as string, result: 'allow' }] }),
      (event) => event.type === 'session.status_idle',
    );
    const result = allowed.find((event) => event.type === 'agent.tool_result');
    expect(result).toMatchObject({ tool_use_id: secondUse?.id, is_error: false });
    expect(JSON.stringify(result?.['content'])).toContain('second-try');
    expect(allowed.at(-1)).toMatchObject({ stop_reason: { type: 'end_turn' } });
    // The model was told why the first call did not run; the denied command never ran.
    const bodies = emulator.requests.slice(requestsBefore).map((request) => JSON.stringify(request.body));
    expect(bodies[1]).toContain('Not on a Friday.');
    expect(bodies.join('')).not.toContain('first-try\\n');
    // An answer to a call that no longer waits is a 409 the SDK does not retry.
    const again = await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.tool_confirmation', tool_use_id: secondUse?.id as string, result: 'allow' }] }).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(Anthropic.ConflictError);
  });
});

describe('custom tools', () => {
  it('round trip: agent.custom_tool_use, idle requires_action, user.custom_tool_result resumes the turn', async () => {
    const weather = { type: 'custom', name: 'get_weather', description: 'The weather in a city.', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
    const agentId = await agent({ tools: [weather] });
    const environmentId = await environment({ type: 'cloud', networking: { type: 'limited' } });
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    emulator.enqueue({ toolCalls: [{ id: 'call_w', name: 'get_weather', input: { city: 'Paris' } }] }, { text: 'It is 18 °C in Paris.' });
    const requestsBefore = emulator.requests.length;
    const waiting = await streamWhile(
      session.id,
      () => client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Weather in Paris?' }] }] }),
      (event) => event.type === 'session.status_idle',
    );
    const use = waiting.find((event) => event.type === 'agent.custom_tool_use');
    expect(use).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    expect(waiting.at(-1)).toMatchObject({ stop_reason: { type: 'requires_action', event_ids: [use?.id] } });
    const answered = await streamWhile(
      session.id,
      () =>
        client.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.custom_tool_result', custom_tool_use_id: use?.id as string, content: [{ type: 'text', text: '18 °C, clear' }] }],
        }),
      (event) => event.type === 'session.status_idle',
    );
    expect(answered.map((event) => event.type)).toContain('user.custom_tool_result');
    expect(answered.find((event) => event.type === 'agent.message')).toMatchObject({ content: [{ type: 'text', text: 'It is 18 °C in Paris.' }] });
    expect(answered.at(-1)).toMatchObject({ stop_reason: { type: 'end_turn' } });
    const [first, second] = emulator.requests.slice(requestsBefore).map((request) => request.body as { tools?: Array<{ function: { name: string } }>; messages: unknown[] });
    expect(first?.tools?.map((tool) => tool.function.name)).toEqual(['get_weather']);
    expect(JSON.stringify(second?.messages)).toContain('18 °C, clear');
  });
});

describe('what a Managed agent may not have yet', () => {
  it('refuses MCP server names conclave cannot prefix tools with, skills, the auto policy, web domain rules, packages and package-manager networking with a 400 naming the field', async () => {
    const limited = await environment({ type: 'cloud', networking: { type: 'limited' } });
    const cases: Array<{ agent: Record<string, unknown>; environment?: Record<string, unknown>; field: string }> = [
      {
        agent: { mcp_servers: [{ type: 'url', name: 'Docs Server', url: 'https://mcp.example.com/docs' }], tools: [{ type: 'mcp_toolset', mcp_server_name: 'Docs Server' }] },
        field: 'agent.mcp_servers[0].name',
      },
      { agent: { skills: [{ type: 'anthropic', skill_id: 'xlsx' }] }, field: 'agent.skills' },
      { agent: { tools: [{ ...onlyBash, configs: [{ name: 'bash', enabled: true, permission_policy: { type: 'auto' } }] }] }, field: 'agent.tools[0].configs.bash.permission_policy' },
      {
        agent: { tools: [{ type: 'agent_toolset_20260401', default_config: { enabled: false }, configs: [{ name: 'web_search', enabled: true, allowed_domains: ['example.com'] }] }] },
        field: 'agent.tools[0].configs.web_search.allowed_domains',
      },
      { agent: { tools: [onlyBash] }, environment: { type: 'cloud', networking: { type: 'limited' }, packages: { pip: ['requests'] } }, field: 'environment.config.packages' },
      {
        agent: { tools: [onlyBash] },
        environment: { type: 'cloud', networking: { type: 'limited', allowed_hosts: ['pypi.org'], allow_package_managers: true } },
        field: 'environment.config.networking.allow_package_managers',
      },
    ];
    for (const testCase of cases) {
      const agentId = await agent(testCase.agent);
      const environmentId = testCase.environment === undefined ? limited : await environment(testCase.environment);
      const refused = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId }).catch((error: unknown) => error);
      expect(refused, testCase.field).toBeInstanceOf(Anthropic.BadRequestError);
      expect((refused as InstanceType<typeof Anthropic.BadRequestError>).message).toContain(testCase.field);
    }
  });

  it('runs tools without network when the server policy gives API documents none, and journals why', async () => {
    const agentId = await agent({ tools: [onlyBash] });
    const environmentId = await environment({ type: 'cloud', networking: { type: 'unrestricted' } });
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    const created = (await store.read(session.id))[0];
    const document = created?.data['document'] as { environment?: { network?: boolean } } | undefined;
    expect(document?.environment).toMatchObject({ network: false });
    const managed = (created?.data['attributes'] as { managed: { network_withheld?: string } }).managed;
    expect(managed.network_withheld).toMatch(/policy/);
  });

  it('answers the API families it does not offer with a 400 that says why, not a 404', async () => {
    const agentId = await agent({});
    const environmentId = await environment({ type: 'cloud', networking: { type: 'limited' } });
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['skills', () => client.beta.skills.list()],
      ['thread archives', async () => client.beta.sessions.threads.archive((await client.beta.sessions.threads.list(session.id)).data[0]?.id ?? '', { session_id: session.id })],
    ];
    for (const [what, call] of calls) {
      const refused = await call().catch((error: unknown) => error);
      expect(refused, what).toBeInstanceOf(Anthropic.BadRequestError);
      expect((refused as Error).message).toContain(`${what} are not supported by this server yet`);
    }
  });
});
