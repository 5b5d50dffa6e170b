// Limited networking of a Managed Agents environment, driven by the official SDK over real HTTP
// against a model on the OpenAI wire (the emulator) whose agent runs curl with bash in a real
// bubblewrap sandbox: with `networking: { type: 'limited', allowed_hosts }` it reaches the allowed
// host through the sandbox's egress proxy and gets the proxy's 403 from another; a workspace whose
// policy gives API documents no network runs without and the session records why; web_fetch's
// `allowed_domains` hold web_fetch through a proxy of its own; what cannot be honoured
// (`allow_package_managers`, a host the proxy could not match, both domain lists) is a 400 naming it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { parseServerPolicy } from '../../src/policy/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createSessionToolsFactory } from '../../src/presets/session-tools.js';
import { createMemoryStore } from '../../src/store/index.js';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';
import { streamManagedWhile } from '../support/managed-stream.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { programsInstalled } from '../support/installed-programs.js';

const hasJailTools = programsInstalled(['bwrap', '--version'], ['socat', '-V']);

let emulator: OpenAIEmulator;
let server: TestServer;
/** Workspace team-a: the policy lets its API documents have network. */
let networked: Anthropic;
/** Workspace team-b: the policy's default, no network. */
let offline: Anthropic;
let allowedServer: Server;
let otherServer: Server;
let allowedPort: number;
let otherPort: number;
const otherRequests: string[] = [];
const store = createMemoryStore();

function listen(target: Server): Promise<number> {
  return new Promise((resolve) => target.listen(0, '127.0.0.1', () => resolve((target.address() as AddressInfo).port)));
}

beforeAll(async () => {
  allowedServer = createServer((request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(`reached-allowed ${request.url}`));
  otherServer = createServer((request, response) => {
    otherRequests.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'text/plain' }).end('reached-other');
  });
  allowedPort = await listen(allowedServer);
  otherPort = await listen(otherServer);
  emulator = await startOpenAIEmulator();
  server = await startTestServer({
    kernel: new Kernel({
      store,
      registry: createDefaultRegistry(),
      env: { OPENAI_API_KEY: 'sk-test-emulator', OPENAI_BASE_URL: emulator.baseUrl },
      sessionTools: createSessionToolsFactory(),
      policy: parseServerPolicy('workspaces:\n  team-a:\n    network: true\n', 'policy.yaml'),
    }),
  });
  networked = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
  offline = new Anthropic({ apiKey: server.otherKey, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
});

afterAll(async () => {
  await server.close();
  await emulator.close();
  await new Promise((resolve) => allowedServer.close(resolve));
  await new Promise((resolve) => otherServer.close(resolve));
});

const onlyBash = { type: 'agent_toolset_20260401', default_config: { enabled: false }, configs: [{ name: 'bash', enabled: true }] };

async function limitedSession(client: Anthropic, networking: Record<string, unknown>): Promise<string> {
  const agent = await client.beta.agents.create({ name: 'curler', model: 'openai/gpt-4o-mini', tools: [onlyBash] } as never);
  const environment = await client.beta.environments.create({ name: `limited-${Math.random().toString(36).slice(2, 8)}`, config: { type: 'cloud', networking } } as never);
  return (await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id })).id;
}

/** Has the model run `command` with bash once, and returns the tool result's text. */
async function runBash(client: Anthropic, sessionId: string, command: string): Promise<string> {
  emulator.enqueue({ toolCalls: [{ id: `call_${Math.random().toString(36).slice(2, 8)}`, name: 'bash', input: { command } }] }, { text: 'Done.' });
  const events = await streamManagedWhile(
    client,
    sessionId,
    () => client.beta.sessions.events.send(sessionId, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Fetch them.' }] }] }),
    (event) => event.type === 'session.status_idle',
  );
  const result = events.find((event) => event.type === 'agent.tool_result');
  expect(result).toBeDefined();
  return JSON.stringify(result?.['content']);
}

async function createdEvent(sessionId: string): Promise<{ document: { environment?: { network?: unknown } }; managed: { network_withheld?: string } }> {
  const created = (await store.read(sessionId))[0];
  return {
    document: created?.data['document'] as { environment?: { network?: unknown } },
    managed: (created?.data['attributes'] as { managed: { network_withheld?: string } }).managed,
  };
}

describe.skipIf(!hasJailTools)('a limited Managed environment', () => {
  it("reaches the allowed host through the sandbox's proxy and not another", async () => {
    const sessionId = await limitedSession(networked, { type: 'limited', allowed_hosts: [`127.0.0.1:${allowedPort}`], allow_mcp_servers: true });
    const { document, managed } = await createdEvent(sessionId);
    expect(document.environment).toMatchObject({ network: { allowed_hosts: [`127.0.0.1:${allowedPort}`] } });
    expect(managed.network_withheld).toBeUndefined();
    const output = await runBash(networked, sessionId, `curl -sS http://127.0.0.1:${allowedPort}/ok; echo; curl -sS -w ' status=%{http_code}' http://127.0.0.1:${otherPort}/no`);
    expect(output).toContain('reached-allowed /ok');
    expect(output).toContain('status=403');
    expect(output).toContain(`127.0.0.1:${otherPort} is not on this sandbox's allowed hosts`);
    expect(output).not.toContain('reached-other');
    expect(otherRequests).toEqual([]);
  });

  it('runs without network, and records why, for a workspace the policy gives none', async () => {
    const sessionId = await limitedSession(offline, { type: 'limited', allowed_hosts: [`127.0.0.1:${allowedPort}`] });
    const { document, managed } = await createdEvent(sessionId);
    expect(document.environment).toMatchObject({ network: false });
    expect(managed.network_withheld).toContain(`limited to 127.0.0.1:${allowedPort}`);
    expect(managed.network_withheld).toMatch(/policy/);
    const output = await runBash(offline, sessionId, `curl -sS http://127.0.0.1:${allowedPort}/ok 2>&1; echo " exit=$?"`);
    expect(output).not.toContain('reached-allowed');
    expect(output).toContain('exit=7');
  });
});

describe.skipIf(!hasJailTools)("web_fetch's allowed_domains", () => {
  it('hold web_fetch to its domains through its own proxy in an unrestricted environment', async () => {
    const webFetch = { type: 'agent_toolset_20260401', default_config: { enabled: false }, configs: [{ name: 'bash', enabled: true }, { name: 'web_fetch', enabled: true, allowed_domains: ['127.0.0.1'] }] };
    const agent = await networked.beta.agents.create({ name: 'fetcher', model: 'openai/gpt-4o-mini', tools: [webFetch] } as never);
    const environment = await networked.beta.environments.create({ name: 'open', config: { type: 'cloud', networking: { type: 'unrestricted' } } } as never);
    const session = await networked.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    const { document } = await createdEvent(session.id);
    expect(document.environment).toMatchObject({ network: true, web_fetch: { allowed_domains: ['127.0.0.1'] } });
    emulator.enqueue(
      {
        toolCalls: [
          { id: 'call_f1', name: 'web_fetch', input: { url: `http://127.0.0.1:${allowedPort}/fetched` } },
          { id: 'call_f2', name: 'web_fetch', input: { url: `http://127.0.0.2:${allowedPort}/fetched` } },
        ],
      },
      { text: 'Done.' },
    );
    const events = await streamManagedWhile(
      networked,
      session.id,
      () => networked.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Fetch both.' }] }] }),
      (event) => event.type === 'session.status_idle',
    );
    const results = events.filter((event) => event.type === 'agent.tool_result').map((event) => JSON.stringify(event['content']));
    expect(results).toHaveLength(2);
    expect(results[0]).toContain('reached-allowed /fetched');
    expect(results[1]).toContain(`127.0.0.2:${allowedPort} is not on web_fetch's allowed hosts (127.0.0.1)`);
  });

  it('refuses both lists at once, an empty list and a domain that is not a host name, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ allowed_domains: ['a.example'], blocked_domains: ['b.example'] }, 'agent.tools[0].configs.web_fetch.blocked_domains'],
      [{ allowed_domains: [] }, 'agent.tools[0].configs.web_fetch.allowed_domains'],
      [{ blocked_domains: ['https://ads.example/'] }, 'agent.tools[0].configs.web_fetch.blocked_domains[0]'],
    ];
    const environment = await networked.beta.environments.create({ name: 'open', config: { type: 'cloud', networking: { type: 'unrestricted' } } } as never);
    for (const [config, field] of cases) {
      const tools = [{ type: 'agent_toolset_20260401', default_config: { enabled: false }, configs: [{ name: 'web_fetch', enabled: true, ...config }] }];
      const agent = await networked.beta.agents.create({ name: 'fetcher', model: 'openai/gpt-4o-mini', tools } as never).catch((error: unknown) => error);
      const refused = agent instanceof Error ? agent : await networked.beta.sessions.create({ agent: (agent as { id: string }).id, environment_id: environment.id }).catch((error: unknown) => error);
      expect(refused, field).toBeInstanceOf(Anthropic.BadRequestError);
      expect((refused as Error).message, field).toContain(field.replace(/^agent\.tools\[0\]\.configs\.web_fetch\./, ''));
    }
  });
});

describe('what limited networking refuses', () => {
  it('refuses allow_package_managers at session creation with a 400 naming the field', async () => {
    const refused = await limitedSession(networked, { type: 'limited', allowed_hosts: ['pypi.org'], allow_package_managers: true }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect((refused as Error).message).toContain('environment.config.networking.allow_package_managers');
  });

  it('refuses an allowed host the proxy could not match when the environment is created', async () => {
    const refused = await networked.beta.environments
      .create({ name: 'bad-hosts', config: { type: 'cloud', networking: { type: 'limited', allowed_hosts: ['https://pypi.org/simple'] } } } as never)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect((refused as Error).message).toContain('allowed_hosts');
  });
});
