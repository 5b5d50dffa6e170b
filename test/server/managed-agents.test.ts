// The Managed-Agents-compatible agents and environments, driven by the official SDK over real HTTP
// (`baseURL: <server>/anthropic`): the shapes it returns, versions and their optimistic lock (a 409
// the SDK must not retry), paging with `for await`, null clearing and metadata patches.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingFetch, startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let client: Anthropic;

beforeAll(async () => {
  server = await startTestServer();
  client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic` });
});

afterAll(async () => {
  await server.close();
});

/** A client in a workspace of its own, so listings see only what the test created. */
async function isolatedClient(options: { fetch?: typeof fetch } = {}): Promise<Anthropic> {
  const { createApiKey } = await import('../../src/server/api-keys.js');
  const { key } = await createApiKey(server.deps.resources, { workspace: `ws-${Math.random().toString(36).slice(2, 10)}` });
  return new Anthropic({ apiKey: key, baseURL: `${server.url}/anthropic`, ...(options.fetch !== undefined ? { fetch: options.fetch } : {}) });
}

describe('agents', () => {
  it('creates an agent with every default filled in', async () => {
    const agent = await client.beta.agents.create({ name: 'Minimal', model: 'claude-sonnet-4-5' });
    expect(agent.id).toMatch(/^agent_/);
    expect(agent).toEqual({
      id: agent.id,
      type: 'agent',
      name: 'Minimal',
      description: null,
      model: { id: 'claude-sonnet-4-5' },
      system: null,
      tools: [],
      mcp_servers: [],
      skills: [],
      metadata: {},
      multiagent: null,
      execution_identity: { type: 'service_account' },
      version: 1,
      created_at: agent.created_at,
      updated_at: agent.created_at,
      archived_at: null,
    });
    expect(new Date(agent.created_at).toISOString()).toBe(agent.created_at);
    expect(agent._request_id).toMatch(/^req_/);
  });

  it('returns the model as an object and every tool in its resolved form', async () => {
    const agent = await client.beta.agents.create({
      name: 'Full',
      description: 'does everything',
      system: 'Be brief.',
      model: { id: 'claude-opus-4-8', effort: 'high', speed: 'fast' },
      mcp_servers: [{ type: 'url', name: 'github', url: 'https://mcp.example.com/github' }],
      tools: [
        {
          type: 'agent_toolset_20260401',
          default_config: { permission_policy: { type: 'always_ask' } },
          configs: [
            { name: 'bash', enabled: false },
            { name: 'read', permission_policy: { type: 'always_allow' } },
            { name: 'web_fetch', allowed_domains: ['example.com'], url_sources: { user_input: 'all' } },
          ],
        },
        { type: 'mcp_toolset', mcp_server_name: 'github', configs: [{ name: 'create_issue', permission_policy: { type: 'always_allow' } }] },
        { type: 'custom', name: 'lookup', description: 'Looks a thing up', input_schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
      ],
      skills: [{ type: 'anthropic', skill_id: 'xlsx' }, { type: 'custom', skill_id: 'skill_1', version: '3' }],
      metadata: { team: 'research' },
    });
    expect(agent.model).toEqual({ id: 'claude-opus-4-8', effort: { type: 'high' }, speed: 'fast' });
    expect(agent.tools).toEqual([
      {
        type: 'agent_toolset_20260401',
        default_config: { enabled: true, permission_policy: { type: 'always_ask' } },
        configs: [
          { name: 'bash', type: 'bash', enabled: false, permission_policy: { type: 'always_ask' } },
          { name: 'read', type: 'read', enabled: true, permission_policy: { type: 'always_allow' } },
          {
            name: 'web_fetch',
            type: 'web_fetch',
            enabled: true,
            permission_policy: { type: 'always_ask' },
            allowed_domains: ['example.com'],
            url_sources: { client_tool_results: null, server_tool_results: null, user_input: { type: 'all' } },
          },
        ],
      },
      {
        type: 'mcp_toolset',
        mcp_server_name: 'github',
        default_config: { enabled: true, permission_policy: { type: 'always_ask' } },
        configs: [{ name: 'create_issue', enabled: true, permission_policy: { type: 'always_allow' } }],
      },
      { type: 'custom', name: 'lookup', description: 'Looks a thing up', input_schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
    ]);
    expect(agent.mcp_servers).toEqual([{ type: 'url', name: 'github', url: 'https://mcp.example.com/github' }]);
    expect(agent.skills).toEqual([
      { type: 'anthropic', skill_id: 'xlsx', version: 'latest' },
      { type: 'custom', skill_id: 'skill_1', version: '3' },
    ]);
    expect(await client.beta.agents.retrieve(agent.id)).toEqual({ ...agent });
  });

  it('refuses an MCP toolset without its server, and a server no toolset uses', async () => {
    await expect(
      client.beta.agents.create({ name: 'x', model: 'claude-sonnet-4-5', tools: [{ type: 'mcp_toolset', mcp_server_name: 'missing' }] }),
    ).rejects.toMatchObject({ status: 400, errorCode: 'invalid_argument', apiMessage: 'body.tools[0].mcp_server_name: no MCP server named "missing" in mcp_servers' });
    await expect(
      client.beta.agents.create({ name: 'x', model: 'claude-sonnet-4-5', mcp_servers: [{ type: 'url', name: 'idle', url: 'https://mcp.example.com' }] }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });

  it('updates into new versions: omitted fields kept, null clears, lists replaced, metadata patched', async () => {
    const created = await client.beta.agents.create({
      name: 'Versioned',
      model: 'claude-sonnet-4-5',
      description: 'first',
      system: 'You are terse.',
      tools: [{ type: 'custom', name: 'a', description: 'A', input_schema: { type: 'object' } }],
      metadata: { team: 'a', tier: 'gold', region: 'eu' },
    });
    const second = await client.beta.agents.update(created.id, { version: 1, description: null, metadata: { tier: null, owner: 'ada' } });
    expect(second).toMatchObject({
      version: 2,
      name: 'Versioned',
      description: null,
      system: 'You are terse.',
      metadata: { team: 'a', region: 'eu', owner: 'ada' },
      created_at: created.created_at,
    });
    expect(second.tools).toEqual(created.tools);
    expect(second.updated_at >= created.updated_at).toBe(true);

    const third = await client.beta.agents.update(created.id, { tools: null, system: null, model: { id: 'claude-haiku-4-5', effort: { type: 'low' } } });
    expect(third).toMatchObject({ version: 3, tools: [], system: null, model: { id: 'claude-haiku-4-5', effort: { type: 'low' } } });

    const fourth = await client.beta.agents.update(created.id, { version: 3, metadata: null, name: 'Renamed' });
    expect(fourth).toMatchObject({ version: 4, name: 'Renamed', metadata: {} });

    expect((await client.beta.agents.retrieve(created.id)).version).toBe(4);
    const original = await client.beta.agents.retrieve(created.id, { version: 1 });
    expect(original).toMatchObject({ version: 1, description: 'first', metadata: { team: 'a', tier: 'gold', region: 'eu' } });
    expect(original.updated_at).toBe(created.updated_at);
    await expect(client.beta.agents.retrieve(created.id, { version: 9 })).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a stale version with a 409 that the SDK does not retry', async () => {
    const counter = countingFetch();
    const counted = await isolatedClient({ fetch: counter.fetch });
    const agent = await counted.beta.agents.create({ name: 'Locked', model: 'claude-sonnet-4-5' });
    await counted.beta.agents.update(agent.id, { version: 1, name: 'Locked v2' });
    counter.requests.length = 0;
    const error = await counted.beta.agents.update(agent.id, { version: 1, name: 'lost update' }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Anthropic.ConflictError);
    expect(error).toMatchObject({ status: 409, type: 'invalid_request_error', errorCode: 'version_conflict' });
    expect(counter.requests).toHaveLength(1);
    expect((await counted.beta.agents.retrieve(agent.id)).name).toBe('Locked v2');
  });

  it('archives an agent: same version, hidden from lists unless asked, no longer updatable', async () => {
    const scoped = await isolatedClient();
    const kept = await scoped.beta.agents.create({ name: 'Kept', model: 'claude-sonnet-4-5' });
    const archived = await scoped.beta.agents.create({ name: 'Archived', model: 'claude-sonnet-4-5' });
    const result = await scoped.beta.agents.archive(archived.id);
    expect(result).toMatchObject({ id: archived.id, version: 1, name: 'Archived' });
    expect(result.archived_at).not.toBeNull();
    expect((await scoped.beta.agents.archive(archived.id)).archived_at).toBe(result.archived_at);

    const listed = async (params: Parameters<Anthropic['beta']['agents']['list']>[0] = {}) => {
      const ids: string[] = [];
      for await (const agent of scoped.beta.agents.list(params)) ids.push(agent.id);
      return ids;
    };
    expect(await listed()).toEqual([kept.id]);
    expect((await listed({ include_archived: true })).sort()).toEqual([archived.id, kept.id].sort());
    await expect(scoped.beta.agents.update(archived.id, { name: 'again' })).rejects.toMatchObject({ status: 400 });
    expect((await scoped.beta.agents.retrieve(archived.id)).archived_at).toBe(result.archived_at);
  });

  it('pages through every agent with for await, newest first, exactly once', async () => {
    const counter = countingFetch();
    const scoped = await isolatedClient({ fetch: counter.fetch });
    const created: string[] = [];
    for (let index = 0; index < 7; index += 1) created.push((await scoped.beta.agents.create({ name: `agent ${index}`, model: 'claude-sonnet-4-5' })).id);
    counter.requests.length = 0;
    const seen: string[] = [];
    for await (const agent of scoped.beta.agents.list({ limit: 2 })) seen.push(agent.id);
    const listRequests = [...counter.requests];
    expect(new Set(seen).size).toBe(7);
    expect([...seen].sort()).toEqual([...created].sort());
    const createdAt = await Promise.all(seen.map(async (id) => (await scoped.beta.agents.retrieve(id)).created_at));
    expect(createdAt).toEqual([...createdAt].sort().reverse());
    expect(listRequests).toHaveLength(4);
    expect(listRequests[1]?.url).toContain('page=');
    expect(listRequests[1]?.url).toContain('limit=2');

    const firstPage = await scoped.beta.agents.list({ limit: 7 });
    expect(firstPage.data).toHaveLength(7);
    expect(firstPage.next_page).toBeNull();
    expect(firstPage.hasNextPage()).toBe(false);
  });

  it('filters by creation time with created_at[gte] and created_at[lte]', async () => {
    const scoped = await isolatedClient();
    const early = await scoped.beta.agents.create({ name: 'early', model: 'claude-sonnet-4-5' });
    await new Promise((resolve) => setTimeout(resolve, 15));
    const late = await scoped.beta.agents.create({ name: 'late', model: 'claude-sonnet-4-5' });
    const names = async (params: Parameters<Anthropic['beta']['agents']['list']>[0]) => {
      const found: string[] = [];
      for await (const agent of scoped.beta.agents.list(params)) found.push(agent.name);
      return found;
    };
    expect(await names({ 'created_at[gte]': late.created_at })).toEqual(['late']);
    expect(await names({ 'created_at[lte]': early.created_at })).toEqual(['early']);
    expect(await names({ 'created_at[gte]': early.created_at, 'created_at[lte]': late.created_at })).toEqual(['late', 'early']);
  });

  it('lists every version of an agent, newest first, across pages', async () => {
    const agent = await client.beta.agents.create({ name: 'v1', model: 'claude-sonnet-4-5' });
    for (let version = 2; version <= 5; version += 1) await client.beta.agents.update(agent.id, { version: version - 1, name: `v${version}` });
    const versions: Array<[number, string]> = [];
    for await (const entry of client.beta.agents.versions.list(agent.id, { limit: 2 })) versions.push([entry.version, entry.name]);
    expect(versions).toEqual([
      [5, 'v5'],
      [4, 'v4'],
      [3, 'v3'],
      [2, 'v2'],
      [1, 'v1'],
    ]);
  });

  it('answers an unknown agent with NotFoundError', async () => {
    const error = await client.beta.agents.retrieve('agent_doesnotexist').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error).toMatchObject({ status: 404, type: 'not_found_error', errorCode: 'not_found' });
  });
});

describe('environments', () => {
  it('creates a cloud environment by default, with its config returned in full', async () => {
    const environment = await client.beta.environments.create({ name: 'default-env' });
    expect(environment.id).toMatch(/^env_/);
    expect(environment).toEqual({
      id: environment.id,
      type: 'environment',
      name: 'default-env',
      description: null,
      config: {
        type: 'cloud',
        networking: { type: 'unrestricted' },
        packages: { type: 'packages', apt: [], cargo: [], gem: [], go: [], npm: [], pip: [] },
      },
      metadata: {},
      created_at: environment.created_at,
      updated_at: environment.created_at,
      archived_at: null,
    });
  });

  it('fills in limited networking, keeps packages and scope, and creates self-hosted environments', async () => {
    const limited = await client.beta.environments.create({
      name: 'limited',
      description: 'locked down',
      scope: 'account',
      metadata: { purpose: 'ci' },
      config: { type: 'cloud', networking: { type: 'limited', allowed_hosts: ['pypi.org'] }, packages: { pip: ['numpy'] } },
    });
    expect(limited.config).toEqual({
      type: 'cloud',
      networking: { type: 'limited', allowed_hosts: ['pypi.org'], allow_mcp_servers: false, allow_package_managers: false },
      packages: { type: 'packages', apt: [], cargo: [], gem: [], go: [], npm: [], pip: ['numpy'] },
    });
    expect(limited).toMatchObject({ scope: 'account', description: 'locked down', metadata: { purpose: 'ci' } });
    const selfHosted = await client.beta.environments.create({ name: 'mine', config: { type: 'self_hosted' } });
    expect(selfHosted.config).toEqual({ type: 'self_hosted' });
    expect(await client.beta.environments.retrieve(limited.id)).toEqual({ ...limited });
  });

  it('updates in place: name, null description, metadata patch, config of the same type', async () => {
    const environment = await client.beta.environments.create({ name: 'before', description: 'text', metadata: { a: '1', b: '2' } });
    const updated = await client.beta.environments.update(environment.id, {
      name: 'after',
      description: null,
      metadata: { a: null, c: '3' },
      config: { type: 'cloud', networking: { type: 'limited', allow_package_managers: true } },
    });
    expect(updated).toMatchObject({
      id: environment.id,
      name: 'after',
      description: null,
      metadata: { b: '2', c: '3' },
      config: { networking: { type: 'limited', allowed_hosts: [], allow_mcp_servers: false, allow_package_managers: true } },
      created_at: environment.created_at,
    });
    expect(updated).not.toHaveProperty('version');
    const unchanged = await client.beta.environments.update(environment.id, { metadata: { b: '20' } });
    expect(unchanged).toMatchObject({ name: 'after', metadata: { b: '20', c: '3' }, config: updated.config });
  });

  it('refuses to change the config type, with the code the SDK knows', async () => {
    const environment = await client.beta.environments.create({ name: 'cloudy' });
    const error = await client.beta.environments.update(environment.id, { config: { type: 'self_hosted' } }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({ status: 400, errorCode: 'invalid_config_type_change' });
  });

  it('archives, refuses updates to an archived environment, and deletes', async () => {
    const scoped = await isolatedClient();
    const environment = await scoped.beta.environments.create({ name: 'short-lived' });
    const archived = await scoped.beta.environments.archive(environment.id);
    expect(archived.archived_at).not.toBeNull();
    await expect(scoped.beta.environments.update(environment.id, { name: 'x' })).rejects.toMatchObject({ status: 400, errorCode: 'environment_archived' });
    const listed: string[] = [];
    for await (const entry of scoped.beta.environments.list()) listed.push(entry.id);
    expect(listed).toEqual([]);
    for await (const entry of scoped.beta.environments.list({ include_archived: true })) listed.push(entry.id);
    expect(listed).toEqual([environment.id]);

    const deleted = await scoped.beta.environments.delete(environment.id);
    expect(deleted).toEqual({ id: environment.id, type: 'environment_deleted' });
    const error = await scoped.beta.environments.retrieve(environment.id).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error).toMatchObject({ status: 404, errorCode: 'environment_not_found' });
    await expect(scoped.beta.environments.delete(environment.id)).rejects.toMatchObject({ status: 404 });
  });

  it('pages through every environment with for await', async () => {
    const scoped = await isolatedClient();
    const created: string[] = [];
    for (let index = 0; index < 5; index += 1) created.push((await scoped.beta.environments.create({ name: `env ${index}` })).id);
    const seen: string[] = [];
    for await (const environment of scoped.beta.environments.list({ limit: 2 })) seen.push(environment.id);
    expect(seen).toHaveLength(5);
    expect([...seen].sort()).toEqual([...created].sort());
  });
});
