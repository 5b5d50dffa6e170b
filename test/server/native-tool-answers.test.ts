// Answering tool calls that wait, over the native HTTP API: the session view lists them
// (`pending_tool_uses`), `tool-confirmations` and `tool-results` answer them — 404 for another
// workspace's session, 409 when the id names no call waiting for that answer — and the last answer
// continues the turn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { createMemoryStore } from '../../src/store/index.js';
import type { Message } from '../../src/protocol/index.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ToolMessage = Extract<Message, { role: 'tool' }>;

// Each agent calls its one tool once, then answers with what the tool said.
const provider = createScriptedProvider((call) => {
  const result = call.request.messages.find((message): message is ToolMessage => message.role === 'tool');
  const tool = call.request.tools?.[0]?.name ?? 'none';
  return result === undefined ? { toolCalls: [{ toolCallId: 'c0', toolName: tool, input: { q: 1 } }] } : `${tool}: ${result.content}${result.isError === true ? ' (error)' : ''}`;
});
const kernel = new Kernel({
  store: createMemoryStore(),
  registry: testRegistry(provider.module),
  sessionTools: () => ({ definitionsFor: async (names) => (names ?? []).map((name) => ({ name, inputSchema: { type: 'object' } })), execute: async () => ({ output: 'ran', isError: false }) }),
});

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ kernel });
});
afterAll(async () => {
  await server.close();
});

async function api(path: string, body: unknown, key = server.key): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function waitingSession(tool: SessionDefinition['tools']): Promise<{ id: string; pending: { id: string; kind: string; tool: string } }> {
  const definition: SessionDefinition = { topology: 'pipeline', agents: [{ name: 'clerk', model: 'script/model', tools: [tool![0]!.name] }], tools: tool, task: 'Go.' };
  const id = await kernel.createSession(definition, { workspace: 'team-a' });
  await kernel.runSession(id);
  const view = await api(`/v1/sessions/${id}`, undefined);
  expect(view.body).toMatchObject({ status: 'idle', stop_reason: 'requires_action' });
  const [pending] = view.body['pending_tool_uses'] as Array<{ id: string; kind: string; tool: string }>;
  return { id, pending: pending! };
}

describe('native API: tool answers', () => {
  it('takes a client-run tool result, and refuses other workspaces and the wrong kind of answer', async () => {
    const { id, pending } = await waitingSession([{ name: 'lookup', type: 'custom', description: 'Looks it up' }]);
    expect(pending).toMatchObject({ kind: 'custom_result', tool: 'lookup', agent: 'clerk', input: { q: 1 } });

    const foreign = await api(`/v1/sessions/${id}/tool-results`, { custom_tool_use_id: pending.id, content: 'x' }, server.otherKey);
    expect(foreign.status).toBe(404);
    const wrongKind = await api(`/v1/sessions/${id}/tool-confirmations`, { tool_use_id: pending.id, result: 'allow' });
    expect(wrongKind.status).toBe(409);
    expect(wrongKind.body).toMatchObject({ error: { details: { error_code: 'tool_use_not_pending' } } });
    const unknown = await api(`/v1/sessions/${id}/tool-results`, { custom_tool_use_id: 'evt_unknown', content: 'x' });
    expect(unknown.status).toBe(404);
    const misspelt = await api(`/v1/sessions/${id}/tool-results`, { custom_tool_use: pending.id, content: 'x' });
    expect(misspelt.status).toBe(400);

    const answered = await api(`/v1/sessions/${id}/tool-results`, { custom_tool_use_id: pending.id, content: 'found it', is_error: true });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ remaining: [], resumed: true, event: { type: 'user.custom_tool_result', data: { customToolUseId: pending.id, content: 'found it', isError: true } } });
    expect((await kernel.runSession(id)).answer).toBe('lookup: found it (error)');
    const again = await api(`/v1/sessions/${id}/tool-results`, { custom_tool_use_id: pending.id, content: 'again' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { details: { error_code: 'tool_use_already_answered' } } });
  });

  it('takes a denial with its message, which the model sees', async () => {
    const { id, pending } = await waitingSession([{ name: 'deploy', description: 'Deploys', command: 'true', approval: 'always_ask' }]);
    expect(pending.kind).toBe('confirmation');
    const denied = await api(`/v1/sessions/${id}/tool-confirmations`, { tool_use_id: pending.id, result: 'deny', deny_message: 'freeze until Monday' });
    expect(denied.status).toBe(200);
    expect((await kernel.runSession(id)).answer).toBe('deploy: freeze until Monday (error)');
    const view = await api(`/v1/sessions/${id}`, undefined);
    expect(view.body).toMatchObject({ stop_reason: 'end_turn', pending_tool_uses: [] });
  });
});
