// conclave as an MCP server, driven by the official MCP client over both transports, against real
// processes: `conclave mcp` spawned over stdio, and `conclave serve` with its `/mcp` endpoint over
// streamable HTTP with an API key. An offline debate from the catalog answers with progress on the
// way; a bad name, an inline document the policy refuses, a missing key and a cancelled run each
// end the way a client can act on.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, projectRoot, runCli } from '../support/cli.js';
import { createKey, killServers, serve } from '../support/serve-process.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-mcp-face-'));
const clients: Client[] = [];
afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  killServers();
  rmSync(directory, { recursive: true, force: true });
});

const task = 'Should a small team adopt trunk-based development?';

/** A client of `conclave mcp` over stdio, on its own database. */
async function stdioClient(database: string): Promise<Client> {
  const client = new Client({ name: 'conclave-tests', version: '1.0.0' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, 'mcp', '--store', database, '--documents', 'examples'],
    cwd: projectRoot,
    env: { ...(process.env as Record<string, string>), NO_COLOR: '1' },
    stderr: 'pipe',
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** A client of `conclave serve`'s `/mcp` with an API key. */
async function httpClient(url: string, key: string, fetchThrough?: FetchLike): Promise<Client> {
  const client = new Client({ name: 'conclave-tests', version: '1.0.0' });
  const options = { requestInit: { headers: { authorization: `Bearer ${key}` } }, ...(fetchThrough !== undefined ? { fetch: fetchThrough } : {}) };
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), options));
  clients.push(client);
  return client;
}

/**
 * A fetch that also reads a copy of the client's first standalone event stream (its GET) and says how
 * it ended: `ended` when the server finished it, `cut` when the connection was destroyed under it.
 */
function watchingFetch(): { fetch: FetchLike; opened: () => boolean; firstStreamEnd: Promise<'ended' | 'cut'> } {
  let settle: (end: 'ended' | 'cut') => void = () => undefined;
  const firstStreamEnd = new Promise<'ended' | 'cut'>((resolve) => {
    settle = resolve;
  });
  let watching = false;
  const watched: FetchLike = async (url, init) => {
    const response = await fetch(url, init);
    const isStream = (init?.method ?? 'GET') === 'GET' && response.body !== null && response.headers.get('content-type')?.startsWith('text/event-stream') === true;
    if (!isStream || watching || response.body === null) return response;
    watching = true;
    const [forClient, forTest] = response.body.tee();
    const reader = forTest.getReader();
    void (async () => {
      for (;;) if ((await reader.read()).done) return 'ended' as const;
    })().then(settle, () => settle('cut'));
    return new Response(forClient, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return { fetch: watched, opened: () => watching, firstStreamEnd };
}

function text(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

/** Runs the catalog's offline debate and checks the answer, the facts and the progress on the way. */
async function expectDebateAnswer(client: Client): Promise<string> {
  const progress: Progress[] = [];
  const result = (await client.callTool({ name: 'run_topology', arguments: { document: 'debate', task, seed: 3 } }, undefined, { onprogress: (update) => progress.push(update), timeout: 60_000 })) as CallToolResult;
  expect(result.isError, text(result)).toBeFalsy();
  const structured = result.structuredContent as { sessionId: string; answer: string; reason: string; usage: { inputTokens: number }; cost: { usd: number }; topology: string; status: string };
  expect(structured).toMatchObject({ topology: 'debate', status: 'idle' });
  expect(structured.sessionId).toMatch(/^sesn_/);
  expect(structured.answer.length).toBeGreaterThan(0);
  expect(typeof structured.reason).toBe('string');
  expect(structured.usage.inputTokens).toBeGreaterThan(0);
  expect(structured.cost).toHaveProperty('usd');
  expect(text(result)).toContain(structured.answer.trim());
  expect(text(result)).toContain(`session ${structured.sessionId}`);
  expect(progress.length).toBeGreaterThan(0);
  expect(progress.some((update) => /round 1/.test(update.message ?? ''))).toBe(true);
  expect(progress.map((update) => update.progress)).toEqual([...progress.map((update) => update.progress)].sort((a, b) => a - b));
  return structured.sessionId;
}

/** Cancels a slow run at its first progress: the session goes idle, interrupted, resumable. */
async function expectCancelInterrupts(client: Client): Promise<void> {
  const slow = [
    'topology: debate',
    'agents:',
    '  - { name: slow-a, model: "offline/persona?persona=optimist&ttft_ms=200&tokens_per_s=4" }',
    '  - { name: slow-b, model: "offline/persona?persona=skeptic&ttft_ms=200&tokens_per_s=4" }',
    'options: { rounds: 2 }',
  ].join('\n');
  const controller = new AbortController();
  const progress: Progress[] = [];
  const call = client.callTool({ name: 'run_topology', arguments: { document: slow, task } }, undefined, {
    signal: controller.signal,
    onprogress: (update) => {
      progress.push(update);
      controller.abort('enough');
    },
    timeout: 60_000,
  });
  await expect(call).rejects.toThrow();
  expect(progress.length).toBeGreaterThan(0);
  // The newest session is the cancelled one: idle (not terminated), stop reason interrupted.
  let session: { status: string; stopReason: string | null } | undefined;
  for (let attempt = 0; attempt < 50 && session?.status !== 'idle'; attempt += 1) {
    await new Promise((resolveLater) => setTimeout(resolveLater, 100));
    const listed = (await client.callTool({ name: 'list_sessions', arguments: { limit: 1 } })) as CallToolResult;
    const newest = (listed.structuredContent as { sessions: Array<{ id: string }> }).sessions[0];
    const read = (await client.callTool({ name: 'get_session', arguments: { session_id: newest?.id ?? '' } })) as CallToolResult;
    session = read.structuredContent as { status: string; stopReason: string | null };
  }
  expect(session).toMatchObject({ status: 'idle', stopReason: 'interrupted' });
}

describe('conclave mcp (stdio)', () => {
  const database = join(directory, 'stdio.db');

  it('lists its tools, runs the debate of the catalog, and reads the session back', async () => {
    const client = await stdioClient(database);
    expect(client.getServerVersion()?.name).toBe('conclave');
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toEqual(expect.arrayContaining(['run_topology', 'list_documents', 'list_sessions', 'get_session']));

    const documents = (await client.callTool({ name: 'list_documents', arguments: {} })) as CallToolResult;
    expect((documents.structuredContent as { documents: Array<{ name: string; topology: string }> }).documents).toContainEqual(expect.objectContaining({ name: 'debate', topology: 'debate' }));

    const sessionId = await expectDebateAnswer(client);

    const listed = (await client.callTool({ name: 'list_sessions', arguments: { limit: 5 } })) as CallToolResult;
    expect((listed.structuredContent as { sessions: Array<{ id: string }> }).sessions.map((session) => session.id)).toContain(sessionId);
    const read = (await client.callTool({ name: 'get_session', arguments: { session_id: sessionId } })) as CallToolResult;
    const session = read.structuredContent as { task: string; transcript: Array<{ role: string; agent?: string; text: string }> };
    expect(session.task).toBe(task);
    expect(session.transcript.filter((message) => message.role === 'agent').map((message) => message.agent)).toEqual(expect.arrayContaining(['optimist', 'skeptic', 'pragmatist']));

    // A durable session of the same store as the CLI's.
    const shown = await runCli(['--store', database, 'sessions', 'show', sessionId, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ sessionId, topology: 'debate', status: 'idle' });
  });

  it('answers a bad document name, and an unknown session, with a tool error naming it', async () => {
    const client = await stdioClient(database);
    const missing = (await client.callTool({ name: 'run_topology', arguments: { document: 'no-such-debate', task } })) as CallToolResult;
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain('error[not_found]: no document "no-such-debate" in examples');
    expect(text(missing)).toContain('available: ');
    const unknown = (await client.callTool({ name: 'get_session', arguments: { session_id: 'sesn_nope' } })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toContain('error[session_not_found]: no session sesn_nope');
  });

  it('reports where an inline document is wrong', async () => {
    const client = await stdioClient(database);
    const result = (await client.callTool({ name: 'run_topology', arguments: { document: 'topology: debate\nagents:\n  - name: a\n    model: offline/echo\n    temperature: hot\n', task } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/error\[invalid_document\]/);
    expect(text(result)).toContain('--> document:5');
  });

  it('interrupts the session when the client cancels the call; the session stays resumable', async () => {
    await expectCancelInterrupts(await stdioClient(database));
  });
});

describe('conclave serve: /mcp (streamable HTTP)', () => {
  const database = join(directory, 'http.db');

  it('needs an API key: 401 without one', async () => {
    await createKey(database, 'team-a');
    const server = await serve(database);
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } };
    const response = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(initialize) });
    expect(response.status).toBe(401);
    const client = new Client({ name: 'conclave-tests', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)))).rejects.toThrow(/401|missing API key/);
  });

  it('runs the debate of the catalog for a key holder, in its workspace', async () => {
    const { key } = await createKey(database, 'team-a');
    const { key: otherKey } = await createKey(database, 'team-b');
    const server = await serve(database);
    const watching = watchingFetch();
    const client = await httpClient(server.url, key, watching.fetch);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('run_topology');
    const sessionId = await expectDebateAnswer(client);

    // Another workspace's key sees neither the session nor the MCP session of this one.
    const other = await httpClient(server.url, otherKey);
    const hidden = (await other.callTool({ name: 'get_session', arguments: { session_id: sessionId } })) as CallToolResult;
    expect(hidden.isError).toBe(true);
    expect(text(hidden)).toContain(`no session ${sessionId}`);
    const sessionHeader = (client.transport as StreamableHTTPClientTransport).sessionId ?? '';
    const hijack = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${otherKey}`, 'mcp-session-id': sessionHeader, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(hijack.status).toBe(404);

    // Open MCP sessions (and the client's event stream) do not hold the server up: SIGTERM, exit 0.
    // The server ends the client's event stream itself; held open, the stream would keep the server
    // up until its close timeout destroyed the connection, and the stream would read as cut.
    expect(watching.opened(), 'the client opened its event stream').toBe(true);
    server.child.kill('SIGTERM');
    expect((await server.done).code).toBe(0);
    await expect(watching.firstStreamEnd).resolves.toBe('ended');
  });

  it('interrupts the session when the client cancels the call', async () => {
    const { key } = await createKey(database, 'team-a');
    const server = await serve(database);
    await expectCancelInterrupts(await httpClient(server.url, key));
  });

  it('holds an inline document to the server policy: an MCP server with a command is refused', async () => {
    const { key } = await createKey(database, 'team-a');
    const server = await serve(database);
    const client = await httpClient(server.url, key);
    const marker = join(directory, 'MARKER');
    const hostile = [
      'topology: pipeline',
      'agents:',
      '  - { name: a, model: offline/echo, tools: [shell__run] }',
      'mcp_servers:',
      `  - { name: shell, command: /bin/sh, args: ["-c", "touch ${marker}"] }`,
    ].join('\n');
    const before = ((await client.callTool({ name: 'list_sessions', arguments: {} })) as CallToolResult).structuredContent as { sessions: unknown[] };
    const result = (await client.callTool({ name: 'run_topology', arguments: { document: hostile, task } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('error[policy_denied]');
    expect(text(result)).toContain('mcp_servers');
    expect(existsSync(marker)).toBe(false);
    const after = ((await client.callTool({ name: 'list_sessions', arguments: {} })) as CallToolResult).structuredContent as { sessions: unknown[] };
    expect(after.sessions.length).toBe(before.sessions.length);
  });
});
