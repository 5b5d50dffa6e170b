// `client.beta.sessions.list({ memory_store_id })` through the official SDK, on SQLite files (the
// sessions and the memory stores): only the sessions with that memory store among their resources,
// newest first, paged with the SDK's auto-pagination; and the list query is strict — an unknown
// parameter, or `deployment_id` (conclave has no deployments), is a 400 naming it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { memorySessionPreparer } from '../../src/memory/memory-session.js';
import { createSqliteAgentMemoryStore } from '../../src/memory/sqlite-agent-memory.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createSqliteStore } from '../../src/store/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-session-memory-filter-'));
const memory = createSqliteAgentMemoryStore({ path: join(directory, 'memory.db') });
let server: TestServer;
let client: Anthropic;

beforeAll(async () => {
  server = await startTestServer({
    memory,
    kernel: new Kernel({ store: createSqliteStore({ path: join(directory, 'sessions.db') }), registry: createDefaultRegistry(), prepareDefinition: memorySessionPreparer(async () => memory) }),
  });
  client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
  await memory.close();
  rmSync(directory, { recursive: true, force: true });
});

async function listIds(params: Parameters<Anthropic['beta']['sessions']['list']>[0]): Promise<string[]> {
  const ids: string[] = [];
  for await (const session of client.beta.sessions.list(params)) ids.push(session.id);
  return ids;
}

/** The status and error body of a list the server refuses. */
async function refusal(params: Record<string, unknown>): Promise<{ status: number | undefined; message: string; hint?: string; path?: string }> {
  const error = await client.beta.sessions.list(params as never).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(Anthropic.APIError);
  const { status, error: body } = error as InstanceType<typeof Anthropic.APIError>;
  const { message, details } = (body as { error: { message: string; details: { hint?: string; location?: { path: string } } } }).error;
  return { status, message, ...(details.hint !== undefined ? { hint: details.hint } : {}), ...(details.location !== undefined ? { path: details.location.path } : {}) };
}

describe('GET /anthropic/v1/sessions?memory_store_id=…', () => {
  it('lists only the sessions whose resources include the store, page by page', async () => {
    const notes = await client.beta.memoryStores.create({ name: 'notes' });
    const other = await client.beta.memoryStores.create({ name: 'other' });
    const agent = await client.beta.agents.create({ name: 'assistant', model: 'offline/echo' });
    const environment = await client.beta.environments.create({ name: 'filter', config: { type: 'cloud', networking: { type: 'limited' } } });
    const create = (resources: Array<{ type: 'memory_store'; memory_store_id: string }>) => client.beta.sessions.create({ agent: agent.id, environment_id: environment.id, resources });
    const older = await create([{ type: 'memory_store', memory_store_id: notes.id }]);
    const plain = await create([]);
    const elsewhere = await create([{ type: 'memory_store', memory_store_id: other.id }]);
    const newer = await create([{ type: 'memory_store', memory_store_id: other.id }, { type: 'memory_store', memory_store_id: notes.id }]);

    expect(await listIds({})).toEqual([newer.id, elsewhere.id, plain.id, older.id]);
    expect(await listIds({ memory_store_id: notes.id })).toEqual([newer.id, older.id]);
    expect(await listIds({ memory_store_id: other.id })).toEqual([newer.id, elsewhere.id]);

    // One a page: the SDK follows next_page until it is null, and sees each match once.
    const first = await client.beta.sessions.list({ memory_store_id: notes.id, limit: 1 });
    expect(first.data.map((session) => session.id)).toEqual([newer.id]);
    expect(first.next_page).not.toBeNull();
    expect(await listIds({ memory_store_id: notes.id, limit: 1 })).toEqual([newer.id, older.id]);

    // With the other filters, which the SDK sends as statuses[]=…
    expect(await listIds({ memory_store_id: notes.id, statuses: ['idle'], agent_id: agent.id, limit: 1 })).toEqual([newer.id, older.id]);
    expect(await listIds({ memory_store_id: notes.id, statuses: ['running'] })).toEqual([]);
    // A store no session uses (or that does not exist) matches nothing.
    expect(await listIds({ memory_store_id: 'memstore_nobody_uses_this' })).toEqual([]);
  });

  it('refuses a parameter it does not know, naming it', async () => {
    expect(await refusal({ memory_store: 'memstore_x' })).toEqual({ status: 400, message: 'query: unknown key "memory_store"', hint: 'did you mean "memory_store_id"?', path: 'query.memory_store' });
    expect(await refusal({ statuses: ['idle'], colour: 'blue' })).toMatchObject({ status: 400, message: 'query: unknown key "colour"', path: 'query.colour' });
  });

  it('refuses deployment_id: conclave has no deployments', async () => {
    expect(await refusal({ deployment_id: 'depl_123' })).toMatchObject({ status: 400, message: expect.stringContaining('query.deployment_id: conclave has no deployments') as unknown, path: 'query.deployment_id' });
  });
});
