// Memory stores of a real `conclave serve` (a SQLite file) through the official SDK: stores and
// memories created, listed and versioned, a stale `content_sha256` refused and another workspace
// answered 404; then the server is killed, a new one starts on the same file, and everything reads
// back — including what an agent wrote in a session on the first server, which an agent of a
// session on the second server reads with its memory tools (a model on the OpenAI wire, the emulator).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';
import { streamManagedWhile, type ManagedStreamEvent } from '../support/managed-stream.js';
import { createKey, killServers, serve } from '../support/serve-process.js';

let directory: string;
let emulator: OpenAIEmulator;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-memory-restart-'));
  emulator = await startOpenAIEmulator();
});
afterAll(async () => {
  killServers();
  await emulator.close();
  rmSync(directory, { recursive: true, force: true });
});

const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

function turn(client: Anthropic, sessionId: string, text: string): Promise<ManagedStreamEvent[]> {
  return streamManagedWhile(client, sessionId, () => client.beta.sessions.events.send(sessionId, { events: [{ type: 'user.message', content: [{ type: 'text', text }] }] }), (event) => event.type === 'session.status_idle');
}

describe('memory stores of conclave serve', () => {
  it('survive a server restart: stores, memories, versions and what an agent wrote', async () => {
    const database = join(directory, 'conclave.db');
    const { key } = await createKey(database, 'default');
    const { key: otherKey } = await createKey(database, 'elsewhere');
    const env = { OPENAI_API_KEY: 'sk-test-emulator', OPENAI_BASE_URL: emulator.baseUrl };

    const first = await serve(database, [], env);
    const before = new Anthropic({ apiKey: key, baseURL: `${first.url}/anthropic`, maxRetries: 0 });
    const store = await before.beta.memoryStores.create({ name: 'project', description: 'Decisions of the project', metadata: { team: 'core' } });
    const plan = await before.beta.memoryStores.memories.create(store.id, { path: '/decisions/db.md', content: 'Use SQLite first.' });
    const changed = await before.beta.memoryStores.memories.update(plan.id, { memory_store_id: store.id, content: 'Use SQLite first, PostgreSQL to scale out.', precondition: { type: 'content_sha256', content_sha256: sha('Use SQLite first.') } });
    const stale = await before.beta.memoryStores.memories
      .update(plan.id, { memory_store_id: store.id, content: 'lost update', precondition: { type: 'content_sha256', content_sha256: sha('Use SQLite first.') } })
      .catch((error: unknown) => error);
    expect(stale).toBeInstanceOf(Anthropic.ConflictError);
    const outsider = new Anthropic({ apiKey: otherKey, baseURL: `${first.url}/anthropic`, maxRetries: 0 });
    expect(await outsider.beta.memoryStores.retrieve(store.id).catch((error: unknown) => (error as InstanceType<typeof Anthropic.APIError>).status)).toBe(404);

    // An agent of a session writes a memory on this server.
    const environment = await before.beta.environments.create({ name: 'memory', config: { type: 'cloud', networking: { type: 'limited' } } });
    const agent = await before.beta.agents.create({ name: 'note taker', model: 'openai/gpt-4o-mini' });
    const writing = await before.beta.sessions.create({ agent: agent.id, environment_id: environment.id, resources: [{ type: 'memory_store', memory_store_id: store.id }] });
    emulator.enqueue({ toolCalls: [{ id: 'call_w', name: 'memory_write', input: { path: '/decisions/queue.md', content: 'Redis with BullMQ for workers.' } }] }, { text: 'Recorded.' });
    expect((await turn(before, writing.id, 'Record that workers use Redis with BullMQ.')).at(-1)).toMatchObject({ stop_reason: { type: 'end_turn' } });

    first.child.kill('SIGKILL');
    await first.done;

    const second = await serve(database, [], env);
    const after = new Anthropic({ apiKey: key, baseURL: `${second.url}/anthropic`, maxRetries: 0 });
    expect(await after.beta.memoryStores.retrieve(store.id)).toMatchObject({ name: 'project', description: 'Decisions of the project', metadata: { team: 'core' } });
    expect((await after.beta.memoryStores.list()).data.map((item) => item.id)).toEqual([store.id]);
    const listed = (await after.beta.memoryStores.memories.list(store.id, { path_prefix: '/decisions/', view: 'full' })).data;
    expect(listed.map((item) => [item.path, item.type === 'memory' ? item.content : null])).toEqual([
      ['/decisions/db.md', 'Use SQLite first, PostgreSQL to scale out.'],
      ['/decisions/queue.md', 'Redis with BullMQ for workers.'],
    ]);
    expect((await after.beta.memoryStores.memories.retrieve(plan.id, { memory_store_id: store.id })).memory_version_id).toBe(changed.memory_version_id);
    const versions = (await after.beta.memoryStores.memoryVersions.list(store.id, { view: 'full' })).data;
    expect(versions.map((version) => [version.operation, version.path, version.created_by?.type])).toEqual([
      ['created', '/decisions/queue.md', 'session_actor'],
      ['modified', '/decisions/db.md', 'api_actor'],
      ['created', '/decisions/db.md', 'api_actor'],
    ]);

    // An agent of a new session on the new server searches and reads what the first agent wrote.
    const reading = await after.beta.sessions.create({ agent: agent.id, environment_id: environment.id, resources: [{ type: 'memory_store', memory_store_id: store.id, access: 'read_only' }] });
    emulator.enqueue({ toolCalls: [{ id: 'call_s', name: 'memory_search', input: { query: 'workers' } }, { id: 'call_r', name: 'memory_read', input: { path: '/decisions/queue.md' } }] }, { text: 'Workers use Redis with BullMQ.' });
    const events = await turn(after, reading.id, 'What do workers use?');
    const results = events.filter((event) => event.type === 'agent.tool_result').map((event) => JSON.stringify(event['content']));
    expect(results[0]).toContain('/decisions/queue.md: Redis with BullMQ for workers.');
    expect(results[1]).toContain('Redis with BullMQ for workers.');
    expect(events.find((event) => event.type === 'agent.message')).toMatchObject({ content: [{ type: 'text', text: 'Workers use Redis with BullMQ.' }] });
  });
});
