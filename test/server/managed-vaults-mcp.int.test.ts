// MCP servers on Managed Agents agents with credentials from vaults, driven by the official SDK over
// real HTTP against a model on the OpenAI wire (the emulator) that calls the tools: the MCP server
// (streamable HTTP, in this process) refuses any request without the vault's bearer token; the
// agent's call reaches it with the token, the result reaches the model, and the token appears in no
// event listed or streamed, no byte of the SQLite journal, no credential read and no model request.
// Also: `always_ask` on an MCP toolset, and a session resumed by a new kernel (a new process's
// state) that opens the credential again from the vault ids stored with the session.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { serverPolicyFrom, serverPolicySchema } from '../../src/policy/server-policy.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createSessionToolsFactory } from '../../src/presets/session-tools.js';
import { createSqliteStore } from '../../src/store/index.js';
import { createSqliteCredentialStore } from '../../src/store/sqlite-credential-store.js';
import { CredentialVault, withCredentialSecrets } from '../../src/vault/credential-vault.js';
import { createSecretResolver } from '../../src/vault/secret-resolver.js';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';
import { createEchoServer } from '../mcp/fixtures/echo-server.js';
import { streamManagedWhile, type ManagedStreamEvent } from '../support/managed-stream.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const token = `mcp-token-${randomBytes(12).toString('hex')}`;
const directory = mkdtempSync(join(tmpdir(), 'conclave-vaults-mcp-'));
const databasePath = join(directory, 'conclave.db');
const key = randomBytes(32);

let emulator: OpenAIEmulator;
let server: TestServer;
let client: Anthropic;
let mcp: { url: string; close(): Promise<void>; refused: number; accepted: number };

/** The echo fixture over streamable HTTP, answering 401 to any request without the bearer token. */
async function startGuardedMcpServer(): Promise<typeof mcp> {
  const state = { refused: 0, accepted: 0 };
  const http: Server = createServer((request, response) => {
    if (request.headers.authorization !== `Bearer ${token}`) {
      state.refused += 1;
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    state.accepted += 1;
    const server = createEchoServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    void server.connect(transport).then(() => transport.handleRequest(request, response));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  });
}

/** A kernel as `conclave serve` builds one: vault credentials resolve through the secret path. */
function buildKernel(vault: CredentialVault): Kernel {
  const credentials = async (): Promise<CredentialVault> => vault;
  const secrets = withCredentialSecrets(createSecretResolver({ env: {} }), credentials);
  return new Kernel({
    store: createSqliteStore({ path: databasePath }),
    registry: createDefaultRegistry(),
    env: { OPENAI_API_KEY: 'sk-test-emulator', OPENAI_BASE_URL: emulator.baseUrl },
    secrets,
    sessionTools: createSessionToolsFactory({ secrets, credentials, workspaceRoot: join(directory, 'workspaces') }),
    policy: serverPolicyFrom(serverPolicySchema.parse({ mcp_hosts: ['127.0.0.1'] }), 'test policy'),
  });
}

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  mcp = await startGuardedMcpServer();
  const vault = new CredentialVault(createSqliteCredentialStore({ path: databasePath }), key);
  server = await startTestServer({ kernel: buildKernel(vault), credentials: vault });
  client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
  await server.deps.credentials?.store.close();
  await mcp.close();
  await emulator.close();
  rmSync(directory, { recursive: true, force: true });
});

function send(sessionId: string, events: unknown[]) {
  return () => client.beta.sessions.events.send(sessionId, { events } as never);
}

function message(text: string) {
  return { type: 'user.message', content: [{ type: 'text', text }] };
}

async function listAll(sessionId: string): Promise<ManagedStreamEvent[]> {
  const events: ManagedStreamEvent[] = [];
  for await (const event of client.beta.sessions.events.list(sessionId) as AsyncIterable<ManagedStreamEvent>) events.push(event);
  return events;
}

/** Every byte of the SQLite journal (file, WAL and shared memory). */
function journalBytes(): string {
  return ['', '-wal', '-shm'].map((suffix) => (existsSync(`${databasePath}${suffix}`) ? readFileSync(`${databasePath}${suffix}`).toString('latin1') : '')).join('');
}

async function setUp(toolset: Record<string, unknown>): Promise<{ agentId: string; environmentId: string; vaultId: string }> {
  const vault = await client.beta.vaults.create({ display_name: 'MCP credentials' });
  const credential = await client.beta.vaults.credentials.create(vault.id, { display_name: 'echo', auth: { type: 'static_bearer', token, mcp_server_url: mcp.url } });
  expect(JSON.stringify(credential)).not.toContain(token);
  expect(credential.auth).toEqual({ type: 'static_bearer', mcp_server_url: mcp.url });
  const agent = await client.beta.agents.create({
    name: 'mcp user',
    model: 'openai/gpt-4o-mini',
    mcp_servers: [{ type: 'url', name: 'echo', url: mcp.url }],
    tools: [{ type: 'mcp_toolset', mcp_server_name: 'echo', ...toolset }],
  } as never);
  const environment = await client.beta.environments.create({ name: `env-${randomBytes(3).toString('hex')}`, config: { type: 'cloud', networking: { type: 'limited' } } } as never);
  return { agentId: agent.id, environmentId: environment.id, vaultId: vault.id };
}

describe('an agent with an MCP server that needs a vault credential', () => {
  it('calls the server with the token, hands the result to the model, and never shows the token', async () => {
    const onlyEchoAndHeader = {
      default_config: { enabled: false, permission_policy: { type: 'always_allow' } },
      configs: [{ name: 'echo', enabled: true }, { name: 'header', enabled: true }],
    };
    const { agentId, environmentId, vaultId } = await setUp(onlyEchoAndHeader);

    // Without the vault the server cannot even be asked for its tools: a 400 naming the server.
    const refusedBefore = mcp.refused;
    const without = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId }).catch((error: unknown) => error);
    expect(without).toBeInstanceOf(Anthropic.BadRequestError);
    expect((without as InstanceType<typeof Anthropic.BadRequestError>).message).toContain('agent.mcp_servers[0]');
    expect(mcp.refused).toBeGreaterThan(refusedBefore);

    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId, vault_ids: [vaultId] });
    expect(session.vault_ids).toEqual([vaultId]);
    emulator.enqueue(
      {
        toolCalls: [
          { id: 'call_echo', name: 'echo__echo', input: { text: 'hello over mcp' } },
          { id: 'call_header', name: 'echo__header', input: { name: 'authorization' } },
        ],
      },
      { text: 'The server said hello.' },
    );
    const requestsBefore = emulator.requests.length;
    const acceptedBefore = mcp.accepted;
    const streamed = await streamManagedWhile(client, session.id, send(session.id, [message('Use the echo server.')]), (event) => event.type === 'session.status_idle');
    expect(mcp.accepted).toBeGreaterThan(acceptedBefore);

    const uses = streamed.filter((event) => event.type === 'agent.mcp_tool_use');
    expect(uses).toEqual([
      expect.objectContaining({ name: 'echo', mcp_server_name: 'echo', input: { text: 'hello over mcp' }, evaluated_permission: 'allow' }),
      expect.objectContaining({ name: 'header', mcp_server_name: 'echo', input: { name: 'authorization' }, evaluated_permission: 'allow' }),
    ]);
    const results = streamed.filter((event) => event.type === 'agent.mcp_tool_result');
    expect(results.map((result) => result['mcp_tool_use_id'])).toEqual(uses.map((use) => use.id));
    expect(JSON.stringify(results[0]?.['content'])).toContain('hello over mcp');
    // The server echoed the Authorization header it received: the token, redacted.
    expect(JSON.stringify(results[1]?.['content'])).toContain('Bearer [secret:CONCLAVE_CREDENTIAL_');
    expect(streamed.some((event) => event.type === 'agent.tool_use')).toBe(false);
    expect(streamed.at(-1)).toMatchObject({ type: 'session.status_idle', stop_reason: { type: 'end_turn' } });

    // The model was offered the two tools and got the server's answer back.
    const [first, second] = emulator.requests.slice(requestsBefore).map((request) => request.body as { tools?: Array<{ function: { name: string } }>; messages: unknown[] });
    expect(first?.tools?.map((tool) => tool.function.name).sort()).toEqual(['echo__echo', 'echo__header']);
    expect(JSON.stringify(second?.messages)).toContain('hello over mcp');

    // The token is nowhere: stream, history, journal, session, credential reads, model requests.
    const listed = await listAll(session.id);
    const mcpEvents = (events: ManagedStreamEvent[]) => events.filter((event) => event.type.startsWith('agent.mcp_tool')).map((event) => event.id);
    expect(mcpEvents(listed)).toEqual(mcpEvents(streamed));
    const credentialReads = [
      await client.beta.vaults.credentials.list(vaultId),
      ...(await Promise.all((await client.beta.vaults.credentials.list(vaultId)).data.map((credential) => client.beta.vaults.credentials.retrieve(credential.id, { vault_id: vaultId })))),
      await client.beta.sessions.retrieve(session.id),
    ];
    for (const text of [JSON.stringify(streamed), JSON.stringify(listed), JSON.stringify(credentialReads), JSON.stringify(emulator.requests.map((request) => request.body)), journalBytes()]) {
      expect(text).not.toContain(token);
    }
  });

  it('asks first under always_ask, and a new kernel resumes the session with the credential', async () => {
    const { agentId, environmentId, vaultId } = await setUp({ default_config: { enabled: false }, configs: [{ name: 'echo', enabled: true, permission_policy: { type: 'always_ask' } }] });
    const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId, vault_ids: [vaultId] });
    emulator.enqueue({ toolCalls: [{ id: 'call_ask', name: 'echo__echo', input: { text: 'asked first' } }] }, { text: 'Echoed after asking.' });
    const asked = await streamManagedWhile(client, session.id, send(session.id, [message('Echo it.')]), (event) => event.type === 'session.status_idle');
    const use = asked.find((event) => event.type === 'agent.mcp_tool_use');
    expect(use).toMatchObject({ name: 'echo', mcp_server_name: 'echo', evaluated_permission: 'ask', evaluation: { type: 'always_ask' } });
    expect(asked.at(-1)).toMatchObject({ type: 'session.status_idle', stop_reason: { type: 'requires_action', event_ids: [use?.id] } });
    const allowed = await streamManagedWhile(client, session.id, send(session.id, [{ type: 'user.tool_confirmation', tool_use_id: use?.id, result: 'allow' }]), (event) => event.type === 'session.status_idle');
    const result = allowed.find((event) => event.type === 'agent.mcp_tool_result');
    expect(result).toMatchObject({ mcp_tool_use_id: use?.id, is_error: false });
    expect(JSON.stringify(result?.['content'])).toContain('asked first');

    // A kernel with nothing in memory (as a restarted server or a worker has) runs the next turn:
    // the credential is opened again from the session's stored vault ids, from a new store instance.
    const vault = new CredentialVault(createSqliteCredentialStore({ path: databasePath }), key);
    const fresh = buildKernel(vault);
    try {
      emulator.enqueue({ toolCalls: [{ id: 'call_again', name: 'echo__echo', input: { text: 'after restart' } }] }, { text: 'Still works.' });
      const acceptedBefore = mcp.accepted;
      await fresh.send(session.id, { text: 'Once more.' });
      await fresh.runSession(session.id);
      // always_ask asks on every call: the new kernel waits for the answer, then calls the server.
      const pending = (await fresh.store.read(session.id)).filter((event) => event.type === 'agent.tool_use').at(-1);
      expect(pending?.data['input']).toEqual({ text: 'after restart' });
      await fresh.confirmTool(session.id, pending?.id as string, { allow: true });
      const finished = await fresh.runSession(session.id);
      expect(finished.answer).toBe('Still works.');
      expect(mcp.accepted).toBeGreaterThan(acceptedBefore);
    } finally {
      await fresh.store.close();
      await vault.store.close();
    }
    expect(journalBytes()).not.toContain(token);
  });

  it('refuses an MCP host off the server policy\'s allow-list before reaching it (403 naming the field)', async () => {
    const agent = await client.beta.agents.create({
      name: 'far away',
      model: 'openai/gpt-4o-mini',
      mcp_servers: [{ type: 'url', name: 'docs', url: 'https://mcp.example.com/docs' }],
      tools: [{ type: 'mcp_toolset', mcp_server_name: 'docs' }],
    } as never);
    const environment = await client.beta.environments.create({ name: 'far', config: { type: 'cloud', networking: { type: 'limited' } } } as never);
    const refused = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((refused as Error).message).toContain('agent.mcp_servers[0].url');
    expect((refused as Error).message).toContain('mcp_hosts');
  });

  it('refuses vault ids of another workspace as unknown', async () => {
    const { agentId, environmentId, vaultId } = await setUp({});
    const other = new Anthropic({ apiKey: server.otherKey, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
    const otherAgent = await other.beta.agents.create({ name: 'b', model: 'openai/gpt-4o-mini' } as never);
    const otherEnvironment = await other.beta.environments.create({ name: 'b', config: { type: 'cloud' } } as never);
    const refused = await other.beta.sessions.create({ agent: otherAgent.id, environment_id: otherEnvironment.id, vault_ids: [vaultId] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.NotFoundError);
    expect((refused as Error).message).toContain('vault_ids[0]');
    expect(agentId).toBeDefined();
    expect(environmentId).toBeDefined();
  });

  it('refreshes an expiring mcp_oauth access token at the token endpoint, and sends the new one', async () => {
    const refreshToken = `refresh-${randomBytes(8).toString('hex')}`;
    const clientSecret = `client-secret-${randomBytes(8).toString('hex')}`;
    const exchanges: Array<{ authorization: string | undefined; form: Record<string, string> }> = [];
    const tokenEndpoint: Server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(body));
        exchanges.push({ authorization: request.headers.authorization, form });
        const good = form['refresh_token'] === refreshToken && request.headers.authorization === `Basic ${Buffer.from(`mcp-client:${clientSecret}`).toString('base64')}`;
        response.writeHead(good ? 200 : 400, { 'content-type': 'application/json' });
        response.end(JSON.stringify(good ? { access_token: token, token_type: 'Bearer', expires_in: 3600, refresh_token: `${refreshToken}-next` } : { error: 'invalid_grant' }));
      });
    });
    await new Promise<void>((resolve) => tokenEndpoint.listen(0, '127.0.0.1', resolve));
    try {
      const endpointUrl = `http://127.0.0.1:${(tokenEndpoint.address() as AddressInfo).port}/token`;
      const vault = await client.beta.vaults.create({ display_name: 'OAuth' });
      const credential = await client.beta.vaults.credentials.create(vault.id, {
        auth: {
          type: 'mcp_oauth',
          access_token: 'stale-access-token',
          mcp_server_url: mcp.url,
          // Within the refresh margin: refreshed before it is ever sent.
          expires_at: new Date(Date.now() + 20_000).toISOString(),
          refresh: { client_id: 'mcp-client', refresh_token: refreshToken, token_endpoint: endpointUrl, token_endpoint_auth: { type: 'client_secret_basic', client_secret: clientSecret }, scope: 'tools' },
        },
      });
      expect(credential.auth).toMatchObject({ type: 'mcp_oauth', refresh: { client_id: 'mcp-client', token_endpoint: endpointUrl, token_endpoint_auth: { type: 'client_secret_basic' }, scope: 'tools' } });
      const agent = await client.beta.agents.create({
        name: 'oauth user',
        model: 'openai/gpt-4o-mini',
        mcp_servers: [{ type: 'url', name: 'echo', url: mcp.url }],
        tools: [{ type: 'mcp_toolset', mcp_server_name: 'echo', default_config: { enabled: false, permission_policy: { type: 'always_allow' } }, configs: [{ name: 'echo', enabled: true }] }],
      } as never);
      const environment = await client.beta.environments.create({ name: 'oauth', config: { type: 'cloud' } } as never);
      const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id, vault_ids: [vault.id] });
      expect(exchanges).toHaveLength(1);
      expect(exchanges[0]?.form).toEqual({ grant_type: 'refresh_token', refresh_token: refreshToken, scope: 'tools' });
      emulator.enqueue({ toolCalls: [{ id: 'call_oauth', name: 'echo__echo', input: { text: 'refreshed' } }] }, { text: 'Done.' });
      const events = await streamManagedWhile(client, session.id, send(session.id, [message('Echo.')]), (event) => event.type === 'session.status_idle');
      const result = events.find((event) => event.type === 'agent.mcp_tool_result');
      expect(result).toMatchObject({ is_error: false });
      expect(JSON.stringify(result?.['content'])).toContain('refreshed');
      expect(exchanges).toHaveLength(1);
      const read = await client.beta.vaults.credentials.retrieve(credential.id, { vault_id: vault.id });
      expect(Date.parse((read.auth as { expires_at: string }).expires_at)).toBeGreaterThan(Date.now() + 3_000_000);
      const everything = [JSON.stringify(read), JSON.stringify(credential), JSON.stringify(events), JSON.stringify(await listAll(session.id)), journalBytes()].join('\n');
      for (const secret of [token, refreshToken, clientSecret]) expect(everything).not.toContain(secret);
    } finally {
      await new Promise<void>((resolve) => {
        tokenEndpoint.closeAllConnections();
        tokenEndpoint.close(() => resolve());
      });
    }
  });
});
