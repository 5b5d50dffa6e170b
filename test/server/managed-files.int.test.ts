// The Files API and session resources, driven by the official SDK over real HTTP: a file uploaded,
// listed, read back byte for byte and invisible to another workspace; mounted into a session's
// bubblewrap sandbox, where the model's bash reads it (at creation, and added later, before the next
// tool call); a file deleted while a session mounts it is a tool error, not a dead session; and what
// is refused — another resource type, a mount path outside the mount roots, an upload over the limit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { serverPolicyFrom, serverPolicySchema } from '../../src/policy/server-policy.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createSessionToolsFactory } from '../../src/presets/session-tools.js';
import { createMemoryStore } from '../../src/store/index.js';
import { createMemoryFileStore } from '../../src/store/memory-file-store.js';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';
import { streamManagedWhile, type ManagedStreamEvent } from '../support/managed-stream.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { programsInstalled } from '../support/installed-programs.js';

const hasBubblewrap = programsInstalled(['bwrap', '--version']);

const fileLimit = 64 * 1024;
const workspaceRoot = mkdtempSync(join(tmpdir(), 'conclave-files-ws-'));
let emulator: OpenAIEmulator;
let server: TestServer;
let client: Anthropic;
let other: Anthropic;

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  const files = createMemoryFileStore();
  server = await startTestServer({
    files,
    kernel: new Kernel({
      store: createMemoryStore(),
      registry: createDefaultRegistry(),
      env: { OPENAI_API_KEY: 'sk-test-emulator', OPENAI_BASE_URL: emulator.baseUrl },
      policy: serverPolicyFrom(serverPolicySchema.parse({ limits: { file_bytes: fileLimit } }), 'test policy'),
      sessionTools: createSessionToolsFactory({ workspaceRoot, files: async () => files }),
    }),
  });
  client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
  other = new Anthropic({ apiKey: server.otherKey, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
  await emulator.close();
  rmSync(workspaceRoot, { recursive: true, force: true });
});

async function upload(content: string | Buffer, name: string, type = 'text/plain') {
  return client.beta.files.upload({ file: await toFile(typeof content === 'string' ? Buffer.from(content) : content, name, { type }) });
}

async function statusOf(promise: Promise<unknown>): Promise<{ status: number | undefined; message: string }> {
  try {
    await promise;
    return { status: 200, message: '' };
  } catch (error) {
    return { status: (error as { status?: number }).status, message: String((error as Error).message) };
  }
}

describe('the Files API', () => {
  it('uploads, lists, reads back byte for byte, and deletes, within one workspace', async () => {
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, index) => index % 256));
    const uploaded = await upload(bytes, 'folder/../data.bin', 'application/octet-stream');
    expect(uploaded).toMatchObject({ type: 'file', filename: 'data.bin', mime_type: 'application/octet-stream', size_bytes: 3000, downloadable: true });
    expect(uploaded.id).toMatch(/^file_/);
    expect(await client.beta.files.retrieveMetadata(uploaded.id)).toEqual(uploaded);
    const downloaded = Buffer.from(await (await client.beta.files.download(uploaded.id)).arrayBuffer());
    expect(downloaded.equals(bytes)).toBe(true);

    const second = await upload('second', 'second.txt');
    const listed: string[] = [];
    for await (const file of client.beta.files.list({ limit: 1 })) listed.push(file.id);
    expect(listed.slice(0, 2)).toEqual([second.id, uploaded.id]);

    // Another workspace sees nothing of it.
    expect((await statusOf(other.beta.files.retrieveMetadata(uploaded.id))).status).toBe(404);
    expect((await statusOf(other.beta.files.download(uploaded.id))).status).toBe(404);
    expect((await statusOf(other.beta.files.delete(uploaded.id))).status).toBe(404);
    expect((await other.beta.files.list()).data.map((file) => file.id)).not.toContain(uploaded.id);

    expect(await client.beta.files.delete(uploaded.id)).toEqual({ id: uploaded.id, type: 'file_deleted' });
    expect((await statusOf(client.beta.files.retrieveMetadata(uploaded.id))).status).toBe(404);
  });

  it('refuses an upload over the limit with a 413 naming it, whether the body or the file is too large', async () => {
    const justOver = await statusOf(upload(Buffer.alloc(fileLimit + 1), 'big.bin'));
    expect(justOver).toMatchObject({ status: 413 });
    expect(justOver.message).toContain('64 KiB (limits.file_bytes)');
    const farOver = await statusOf(upload(Buffer.alloc(fileLimit * 4), 'huge.bin'));
    expect(farOver).toMatchObject({ status: 413 });
    expect(farOver.message).toContain('limits.file_bytes');
  });

  it('refuses a form with other fields than the file', async () => {
    const result = await statusOf(client.beta.files.upload({ file: await toFile(Buffer.from('x'), 'x.txt'), expires_in_seconds: 3600 }));
    expect(result.status).toBe(400);
    expect(result.message).toContain('expires_in_seconds');
  });
});

describe.skipIf(!hasBubblewrap)('session resources', () => {
  async function runBash(sessionId: string, command: string, reply: string): Promise<ManagedStreamEvent[]> {
    emulator.enqueue({ toolCalls: [{ id: `call_${Math.random().toString(36).slice(2, 8)}`, name: 'bash', input: { command } }] }, { text: reply });
    return streamManagedWhile(
      client,
      sessionId,
      () => client.beta.sessions.events.send(sessionId, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Go.' }] }] }),
      (event) => event.type === 'session.status_idle',
    );
  }

  it('mounts files into the sandbox, at creation and added later, and survives a deleted file', async () => {
    const agent = await client.beta.agents.create({
      name: 'reader',
      model: 'openai/gpt-4o-mini',
      tools: [{ type: 'agent_toolset_20260401', default_config: { enabled: false }, configs: [{ name: 'bash', enabled: true }] }],
    } as never);
    const environment = await client.beta.environments.create({ name: 'files-env', config: { type: 'cloud', networking: { type: 'limited' } } } as never);
    const notes = await upload('mounted-notes-4217\n', 'notes.txt');
    const session = await client.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      resources: [{ type: 'file', file_id: notes.id, mount_path: '/mnt/session/uploads/notes.txt' }],
    } as never);
    expect(session.resources).toMatchObject([{ type: 'file', file_id: notes.id, mount_path: '/mnt/session/uploads/notes.txt' }]);

    const requestsBefore = emulator.requests.length;
    const first = await runBash(session.id, 'cat /mnt/session/uploads/notes.txt; echo tamper >> /mnt/session/uploads/notes.txt 2>/dev/null || echo read-only', 'Read it.');
    const firstResult = first.find((event) => event.type === 'agent.tool_result');
    expect(firstResult).toMatchObject({ is_error: false });
    expect(JSON.stringify(firstResult?.['content'])).toContain('mounted-notes-4217');
    if (process.getuid?.() === 0) expect(JSON.stringify(firstResult?.['content'])).toContain('read-only');
    const toModel = emulator.requests.slice(requestsBefore).map((request) => JSON.stringify((request.body as { messages: unknown[] }).messages));
    expect(toModel.some((messages) => messages.includes('mounted-notes-4217'))).toBe(true);

    // Added after the sandbox exists: written before the next tool call, at the API's default path.
    const data = await upload('later-data-9931', 'data.csv', 'text/csv');
    const added = await client.beta.sessions.resources.add(session.id, { type: 'file', file_id: data.id });
    expect(added).toMatchObject({ type: 'file', file_id: data.id, mount_path: `/mnt/session/uploads/${data.id}` });
    expect(await client.beta.sessions.resources.retrieve(added.id, { session_id: session.id })).toEqual(added);
    const listed: string[] = [];
    for await (const resource of client.beta.sessions.resources.list(session.id)) listed.push((resource as { id: string }).id);
    expect(listed).toHaveLength(2);
    expect((await client.beta.sessions.retrieve(session.id)).resources).toHaveLength(2);
    const second = await runBash(session.id, `cat /mnt/session/uploads/${data.id}`, 'Read that too.');
    expect(JSON.stringify(second.find((event) => event.type === 'agent.tool_result')?.['content'])).toContain('later-data-9931');

    // A file deleted before it was mounted: that call is a tool error naming it; the session goes on.
    const doomed = await upload('never-seen', 'doomed.txt');
    const doomedResource = await client.beta.sessions.resources.add(session.id, { type: 'file', file_id: doomed.id, mount_path: '/workspace/doomed.txt' });
    await client.beta.files.delete(doomed.id);
    const third = await runBash(session.id, 'echo should-not-run', 'It failed.');
    const failed = third.find((event) => event.type === 'agent.tool_result');
    expect(failed).toMatchObject({ is_error: true });
    expect(JSON.stringify(failed?.['content'])).toContain(doomed.id);
    expect(third.at(-1)).toMatchObject({ type: 'session.status_idle', stop_reason: { type: 'end_turn' } });
    expect(await client.beta.sessions.resources.delete(doomedResource.id, { session_id: session.id })).toEqual({ id: doomedResource.id, type: 'session_resource_deleted' });
    const fourth = await runBash(session.id, 'cat notes.txt 2>&1; cat mnt/session/uploads/notes.txt', 'Fine again.');
    expect(fourth.find((event) => event.type === 'agent.tool_result')).toMatchObject({ is_error: false });
    expect(JSON.stringify(fourth.find((event) => event.type === 'agent.tool_result')?.['content'])).toContain('mounted-notes-4217');
  });

  it('refuses other resource types, bad mount paths, unknown and foreign files, and updates', async () => {
    const agent = await client.beta.agents.create({ name: 'plain', model: 'openai/gpt-4o-mini' } as never);
    const environment = await client.beta.environments.create({ name: 'plain-env' } as never);
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    const file = await upload('x', 'x.txt');
    for (const mountPath of ['../../etc/passwd', '/etc/passwd', '/mnt/session/../../etc/passwd', '/workspace']) {
      const refused = await statusOf(client.beta.sessions.resources.add(session.id, { type: 'file', file_id: file.id, mount_path: mountPath }));
      expect(refused.status, mountPath).toBe(400);
      expect(refused.message).toContain('mount_path');
    }
    const repository = await statusOf(client.beta.sessions.resources.add(session.id, { type: 'github_repository', url: 'https://github.com/a/b' } as never));
    expect(repository.status).toBe(400);
    expect(repository.message).toContain('github_repository');
    expect(repository.message).toContain('resources are not supported by this server');
    const atCreation = await statusOf(client.beta.sessions.create({ agent: agent.id, environment_id: environment.id, resources: [{ type: 'memory_store', memory_store_id: 'memstore_1' }] }));
    expect(atCreation.status).toBe(404);
    expect(atCreation.message).toContain('resources[0].memory_store_id');
    expect((await statusOf(client.beta.sessions.resources.add(session.id, { type: 'file', file_id: 'file_missing' }))).status).toBe(404);
    const foreign = await other.beta.files.upload({ file: await toFile(Buffer.from('theirs'), 'theirs.txt') });
    expect((await statusOf(client.beta.sessions.resources.add(session.id, { type: 'file', file_id: foreign.id }))).status).toBe(404);
    const added = await client.beta.sessions.resources.add(session.id, { type: 'file', file_id: file.id, mount_path: 'data/x.txt' });
    expect(added.mount_path).toBe('/workspace/data/x.txt');
    const twice = await statusOf(client.beta.sessions.resources.add(session.id, { type: 'file', file_id: file.id, mount_path: '/workspace/data/x.txt' }));
    expect(twice.status).toBe(400);
    const update = await statusOf(client.beta.sessions.resources.update(added.id, { session_id: session.id, authorization_token: 'ghp_x' }));
    expect(update.status).toBe(400);
    expect(update.message).toContain('nothing to update');
    expect((await statusOf(other.beta.sessions.resources.list(session.id))).status).toBe(404);
  });
});
