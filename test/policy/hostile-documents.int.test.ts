// Hostile documents against a real `conclave serve`, sent with the key of a second workspace
// (`tenant-b`) and nothing else, the way an attacker holding an ordinary API key would try them.
// Each attack must be refused (or made harmless) and leave nothing behind: no command run, no
// request to the attacker's host, no server file read, no session written, no key leaked.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';
import { createKey, killServers, serve, type ServingCli } from '../support/serve-process.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-hostile-'));
const serverKey = 'sk-server-canary-7f3a9c21e4b8d605';
const tenantKey = 'sk-tenant-b-own-key-55aa';
const vaultEnv = { CONCLAVE_VAULT: join(directory, 'vault.json'), CONCLAVE_VAULT_KEY: 'a long vault passphrase' };
const serverEnv = { OPENAI_API_KEY: serverKey, ...vaultEnv };

/** The attacker's own host: records every request it gets. */
let attacker: Server;
let attackerUrl: string;
const attackerRequests: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

let database: string;
let server: ServingCli;
let tenant: string;

beforeAll(async () => {
  attacker = createServer((request, response) => {
    attackerRequests.push({ url: request.url ?? '', headers: request.headers });
    response.writeHead(500).end();
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  database = join(directory, 'conclave.db');
  tenant = (await createKey(database, 'tenant-b')).key;
  server = await serve(database, [], serverEnv);
});

afterAll(async () => {
  killServers();
  await new Promise<void>((resolve) => attacker.close(() => resolve()));
  rmSync(directory, { recursive: true, force: true });
});

interface ApiReply {
  status: number;
  text: string;
  json: { id?: string; status?: string; answer?: string | null; error?: { type: string; message: string; details?: { error_code: string; issues?: Array<{ message: string; location?: { path?: string } }> } } };
}

async function api(base: string, path: string, key: string, init: { method?: string; body?: unknown } = {}): Promise<ApiReply> {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, json: text === '' ? {} : (JSON.parse(text) as ApiReply['json']) };
}

/** How many sessions the whole database holds, every workspace, as the operator's CLI sees it. */
async function sessionCount(): Promise<number> {
  const listed = await runCli(['--db', database, 'sessions', 'list', '--limit', '1000', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as unknown[]).length;
}

/** The session once it has gone idle (polled: it runs in the server process). */
async function settled(base: string, key: string, sessionId: string | undefined): Promise<ApiReply['json']> {
  let session: ApiReply['json'] = {};
  for (let tries = 0; session.status !== 'idle' && tries < 1_000; tries += 1) {
    if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 25));
    session = (await api(base, `/v1/sessions/${sessionId}`, key)).json;
  }
  return session;
}

function issuePaths(reply: ApiReply): string[] {
  return (reply.json.error?.details?.issues ?? []).map((issue) => issue.location?.path ?? '');
}

describe('documents from another workspace\'s API key', () => {
  it('cannot run a host command through an MCP server', async () => {
    const before = await sessionCount();
    const marker = join(directory, 'MARKER');
    const reply = await api(server.url, '/v1/sessions', tenant, {
      method: 'POST',
      body: {
        task: 'list the files',
        document: {
          topology: 'pipeline',
          agents: [{ name: 'a', model: 'offline/echo', tools: ['shell__run'] }],
          mcp_servers: [{ name: 'shell', command: '/bin/sh', args: ['-c', `id > ${marker}`] }],
        },
      },
    });
    expect(reply.status).toBe(403);
    expect(reply.json.error).toMatchObject({ type: 'permission_error', details: { error_code: 'policy_denied' } });
    expect(reply.json.error?.message).toContain('mcp_servers[0].command: a document from the API cannot start processes on the server (policy rule `mcp_servers`)');
    expect(existsSync(marker)).toBe(false);
    expect(await sessionCount()).toBe(before);
  });

  it('cannot send the server\'s provider key to a host it chose', async () => {
    const before = await sessionCount();
    const reply = await api(server.url, '/v1/sessions', tenant, {
      method: 'POST',
      body: { task: 'hi', document: { topology: 'pipeline', agents: [{ name: 'a', model: 'openai/gpt-4.1-mini' }], providers: { openai: { base_url: `${attackerUrl}/v1` } } } },
    });
    expect(reply.status).toBe(403);
    expect(issuePaths(reply).length === 0 ? [reply.json.error?.message] : issuePaths(reply)).toEqual([expect.stringContaining('providers.openai.base_url')]);
    const keyVariable = await api(server.url, '/v1/sessions', tenant, {
      method: 'POST',
      body: { task: 'hi', document: { topology: 'pipeline', agents: [{ name: 'a', model: 'openai/gpt-4.1-mini' }], providers: { openai: { api_key_env: 'CONCLAVE_VAULT_KEY' } } } },
    });
    expect(keyVariable.status).toBe(403);
    expect(keyVariable.json.error?.message).toContain('providers.openai.api_key_env');
    expect(attackerRequests).toEqual([]);
    expect(reply.text + keyVariable.text).not.toContain(serverKey);
    expect(await sessionCount()).toBe(before);
  });

  it('cannot read a server file through the scripted model', async () => {
    const before = await sessionCount();
    const reply = await api(server.url, '/v1/sessions', tenant, {
      method: 'POST',
      body: { task: 'hi', document: { topology: 'pipeline', agents: [{ name: 'a', model: `offline/scripted?script=${database}` }] } },
    });
    expect(reply.status).toBe(403);
    expect(reply.json.error?.message).toContain('agents[0].model: scripted models read files on the server');
    expect(reply.text).not.toContain('SQLite format');
    expect(await sessionCount()).toBe(before);
  });

  it('cannot stall the server with a backtracking regular expression', async () => {
    const created = await api(server.url, '/v1/sessions', tenant, {
      method: 'POST',
      body: {
        task: `${'a'.repeat(5_000)}!`,
        document: { topology: 'voting', agents: [{ name: 'v', model: 'offline/echo' }], options: { samples: 3, rule: 'plurality', extract: { regex: '(a+)+$' } } },
      },
    });
    expect(created.status, created.text).toBe(201);
    // The server keeps answering while the voters' answers are matched.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const session = await settled(server.url, tenant, created.json.id);
    expect(session.status).toBe('idle');
  });

  it('gets every problem of a document with 40,000 unknown keys, capped, and nothing is written', async () => {
    const before = await sessionCount();
    const document: Record<string, unknown> = { topology: 'pipeline', agents: [{ name: 'a', model: 'offline/echo' }] };
    for (let index = 0; index < 40_000; index += 1) document[`k${index}`] = 1;
    const reply = await api(server.url, '/v1/sessions', tenant, { method: 'POST', body: { task: 'hi', document } });
    expect(reply.status).toBe(400);
    expect(reply.json.error?.details?.error_code).toMatch(/^(invalid_document|document_too_large)$/);
    expect((reply.json.error?.details?.issues ?? []).length).toBeLessThanOrEqual(51);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await sessionCount()).toBe(before);
  });

  it('gets a clear error for a document nested 5,000 levels deep', async () => {
    const before = await sessionCount();
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    const reply = await api(server.url, '/v1/sessions', tenant, { method: 'POST', body: { task: 'hi', document: `topology: pipeline\nagents: ${deep}\n` } });
    expect(reply.status).toBe(400);
    expect(reply.json.error?.message).not.toContain('call stack');
    expect(await sessionCount()).toBe(before);
  });
});

describe('Managed Agents agents from another workspace\'s key', () => {
  const client = (): Anthropic => new Anthropic({ apiKey: tenant, baseURL: `${server.url}/anthropic`, maxRetries: 0 });

  it('refuses a session whose agent\'s inline topology starts a process, and one whose model reads a file', async () => {
    const before = await sessionCount();
    const anthropic = client();
    const environment = await anthropic.beta.environments.create({ name: 'hostile', config: { type: 'cloud' } });
    const shell = await anthropic.beta.agents.create({
      name: 'shell',
      model: 'offline/echo',
      metadata: { 'conclave.topology': 'topology: pipeline\nagents: [{ name: a, model: offline/echo }]\nmcp_servers: [{ name: sh, command: /bin/sh }]\n' },
    });
    const reader = await anthropic.beta.agents.create({ name: 'reader', model: `offline/scripted?script=${database}` });
    for (const agent of [shell, reader]) {
      const error = await anthropic.beta.sessions.create({ agent: agent.id, environment_id: environment.id }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
      expect((error as Error).message).toMatch(/mcp_servers\[0\]\.command|agents\[0\]\.model/);
    }
    expect(await sessionCount()).toBe(before);
  });
});

describe('a policy that lets tenants bring their own provider', () => {
  let emulator: OpenAIEmulator;
  let lenient: ServingCli;

  beforeAll(async () => {
    emulator = await startOpenAIEmulator();
    const scripts = join(directory, 'scripts');
    mkdirSync(scripts);
    writeFileSync(join(scripts, 'hello.yaml'), '- text: hello from the operator script\n');
    const policy = join(directory, 'policy.yaml');
    writeFileSync(policy, `provider_hosts: ["127.0.0.1:${new URL(emulator.baseUrl).port}"]\nscripts_dir: scripts\n`);
    const stored = await runCli(['vault', 'set', 'OPENAI_KEY', tenantKey, '--workspace', 'tenant-b'], vaultEnv);
    expect(stored.code, stored.stderr).toBe(0);
    lenient = await serve(join(directory, 'lenient.db'), ['--policy', policy], serverEnv);
    tenant = (await createKey(join(directory, 'lenient.db'), 'tenant-b')).key;
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('sends the workspace\'s own key to the allowed host, never the server\'s', async () => {
    emulator.enqueue({ text: 'answer from the tenant endpoint' });
    const created = await api(lenient.url, '/v1/sessions', tenant, {
      method: 'POST',
      body: {
        task: 'hi',
        document: { topology: 'pipeline', agents: [{ name: 'a', model: 'openai/gpt-4.1-mini' }], providers: { openai: { base_url: emulator.baseUrl, api_key: '${secret:OPENAI_KEY}' } } },
      },
    });
    expect(created.status, created.text).toBe(201);
    const session = await settled(lenient.url, tenant, created.json.id);
    expect(session.answer).toBe('answer from the tenant endpoint');
    expect(emulator.requests.map((request) => request.headers['authorization'])).toEqual([`Bearer ${tenantKey}`]);
    expect(JSON.stringify(emulator.requests)).not.toContain(serverKey);
  });

  it('reads scripts from the operator\'s folder only', async () => {
    const inside = await api(lenient.url, '/v1/sessions', tenant, { method: 'POST', body: { task: 'hi', document: { topology: 'pipeline', agents: [{ name: 'a', model: 'offline/scripted?script=hello.yaml' }] } } });
    expect(inside.status, inside.text).toBe(201);
    const session = await settled(lenient.url, tenant, inside.json.id);
    expect(session.answer).toBe('hello from the operator script');
    const outside = await api(lenient.url, '/v1/sessions', tenant, { method: 'POST', body: { task: 'hi', document: { topology: 'pipeline', agents: [{ name: 'a', model: 'offline/scripted?script=../conclave.db' }] } } });
    expect(outside.status).toBe(403);
    expect(outside.text).not.toContain('SQLite format');
    expect(readFileSync(join(directory, 'vault.json'), 'utf8')).not.toContain(tenantKey);
  });
});
