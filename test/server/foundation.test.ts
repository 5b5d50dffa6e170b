// What every route of both APIs shares, over real HTTP: the health probe, API-key authentication in
// both header forms, request ids, the error envelope (bad JSON, bad fields, unknown routes, bodies
// too large, unexpected failures), CORS only when configured, and workspace isolation.
import { Agent, get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/server/api-keys.js';
import type { DocumentCatalog } from '../../src/server/document-catalog.js';
import type { ErrorEnvelope } from '../../src/server/http-errors.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ maxBodyBytes: 2048 });
});

afterAll(async () => {
  await server.close();
});

async function call(path: string, init: RequestInit & { key?: string | null } = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const { key, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key !== null) headers.set('x-api-key', key ?? server.key);
  const response = await fetch(`${server.url}${path}`, { ...rest, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

function expectEnvelope(result: { status: number; headers: Headers; body: unknown }, status: number, type: string, errorCode: string): ErrorEnvelope {
  expect(result.status).toBe(status);
  expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  const envelope = result.body as ErrorEnvelope;
  expect(envelope).toMatchObject({ type: 'error', error: { type, details: { error_code: errorCode } } });
  expect(typeof envelope.error.message).toBe('string');
  expect(envelope.request_id).toMatch(/^req_/);
  expect(result.headers.get('request-id')).toBe(envelope.request_id);
  return envelope;
}

describe('health and authentication', () => {
  it('answers /healthz without a key', async () => {
    const result = await call('/healthz', { key: null });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ ok: true });
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    expect(result.headers.get('request-id')).toMatch(/^req_/);
  });

  it('refuses a request without a key with a 401 envelope', async () => {
    const envelope = expectEnvelope(await call('/v1/documents', { key: null }), 401, 'authentication_error', 'unauthenticated');
    expect(envelope.error.message).toBe('missing API key');
    expect(envelope.error.details?.hint).toContain('conclave keys create');
  });

  it('refuses a wrong key in either header form', async () => {
    expectEnvelope(await call('/v1/documents', { key: null, headers: { authorization: 'Bearer ck_wrong' } }), 401, 'authentication_error', 'unauthenticated');
    expectEnvelope(await call('/v1/documents', { key: null, headers: { 'x-api-key': 'ck_wrong' } }), 401, 'authentication_error', 'unauthenticated');
    expectEnvelope(await call('/anthropic/v1/agents', { key: null, headers: { authorization: `Basic ${server.key}` } }), 401, 'authentication_error', 'unauthenticated');
  });

  it('accepts a valid key in either header form', async () => {
    const bearer = await call('/v1/documents', { key: null, headers: { authorization: `Bearer ${server.key}` } });
    expect(bearer.status).toBe(200);
    expect((bearer.body as { data: string[] }).data).toContain('debate');
    const header = await call('/v1/documents', { key: null, headers: { 'x-api-key': server.key } });
    expect(header.status).toBe(200);
  });

  it('refuses a revoked key', async () => {
    const { key, record } = await createApiKey(server.deps.resources, { workspace: 'team-a' });
    expect((await call('/v1/documents', { key })).status).toBe(200);
    await server.deps.resources.revokeKey(record.id);
    expectEnvelope(await call('/v1/documents', { key }), 401, 'authentication_error', 'unauthenticated');
  });

  it('records when a key was used', async () => {
    const { key, record } = await createApiKey(server.deps.resources, { workspace: 'team-a' });
    expect(record.lastUsedAt).toBeNull();
    await call('/v1/documents', { key });
    const [stored] = (await server.deps.resources.listKeys('team-a')).filter((candidate) => candidate.id === record.id);
    expect(stored?.lastUsedAt).not.toBeNull();
  });
});

describe('the error envelope', () => {
  it('answers an unknown route with a 404 envelope', async () => {
    const envelope = expectEnvelope(await call('/v1/nothing-here'), 404, 'not_found_error', 'not_found');
    expect(envelope.error.message).toBe('no route GET /v1/nothing-here');
    expectEnvelope(await call('/anthropic/v1/agents/agent_x/nope', { method: 'DELETE' }), 404, 'not_found_error', 'not_found');
  });

  it('answers malformed JSON with a 400 envelope', async () => {
    const envelope = expectEnvelope(
      await call('/anthropic/v1/agents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "a",' }),
      400,
      'invalid_request_error',
      'invalid_argument',
    );
    expect(envelope.error.message).toMatch(/^the request body is not valid JSON/);
  });

  it('names the JSON path of every invalid field', async () => {
    const envelope = expectEnvelope(
      await call('/anthropic/v1/agents', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'a', model: 'claude-sonnet-4-5', tools: 'all', metadata: { team: 7 }, extra: true }),
      }),
      400,
      'invalid_request_error',
      'invalid_argument',
    );
    const messages = envelope.error.details?.issues?.map((issue) => issue.message) ?? [];
    expect(messages).toContain('body.tools: expected array, received string');
    expect(messages).toContain('body.metadata.team: expected string, received number');
    expect(messages).toContain('body: unknown key "extra"');
    expect(envelope.error.message).toBe(`${messages[0]} (and ${messages.length - 1} more)`);
    expect(envelope.error.details?.location?.path).toBeDefined();
  });

  it('reports an invalid query value with its name', async () => {
    const envelope = expectEnvelope(await call('/anthropic/v1/agents?limit=0'), 400, 'invalid_request_error', 'invalid_argument');
    expect(envelope.error.message).toBe('query.limit: expected a whole number from 1 to 1000, received "0"');
    expectEnvelope(await call('/anthropic/v1/agents?include_archived=maybe'), 400, 'invalid_request_error', 'invalid_argument');
    expectEnvelope(await call('/anthropic/v1/agents?page=garbage'), 400, 'invalid_request_error', 'invalid_argument');
  });

  it('refuses a body larger than the limit with 413, with or without a content-length', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(4096), model: 'claude-sonnet-4-5' });
    const declared = await call('/anthropic/v1/agents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expectEnvelope(declared, 413, 'request_too_large', 'payload_too_large');
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 4; index += 1) controller.enqueue(new TextEncoder().encode(big.slice(index * 1100, (index + 1) * 1100)));
        controller.close();
      },
    });
    const streamed = await call('/anthropic/v1/agents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunks, duplex: 'half' } as RequestInit);
    expectEnvelope(streamed, 413, 'request_too_large', 'payload_too_large');
    // A body under the limit still goes through.
    expect((await call('/anthropic/v1/agents', { method: 'POST', body: JSON.stringify({ name: 'small', model: 'claude-sonnet-4-5' }) })).status).toBe(200);
  });

  it('answers an unexpected failure with a 500 that reveals nothing', async () => {
    const failing: DocumentCatalog = {
      directory: '/nowhere',
      load: () => Promise.reject(new Error('unused')),
      parse: () => {
        throw new Error('unused');
      },
      fromObject: () => {
        throw new Error('unused');
      },
      list: () => Promise.reject(new Error('secret detail at /etc/conclave')),
    };
    const broken = await startTestServer({ documents: failing });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const response = await fetch(`${broken.url}/v1/documents`, { headers: { 'x-api-key': broken.key } });
      const text = await response.text();
      expect(response.status).toBe(500);
      expect(text).not.toContain('secret');
      expect(text).not.toContain('at ');
      expect(JSON.parse(text)).toMatchObject({ type: 'error', error: { type: 'api_error', message: 'internal server error', details: { error_code: 'internal' } } });
      expect(errors).toHaveLength(1);
    } finally {
      console.error = original;
      await broken.close();
    }
  });
});

describe('CORS', () => {
  it('sends no CORS headers unless origins are configured', async () => {
    const simple = await call('/v1/documents', { headers: { origin: 'http://localhost:5173' } });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.url}/v1/documents`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers preflights and allows the configured origins only', async () => {
    const withCors = await startTestServer({ cors: ['http://localhost:5173'] });
    try {
      const preflight = await fetch(`${withCors.url}/anthropic/v1/agents`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.status).toBeLessThan(300);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');

      const allowed = await fetch(`${withCors.url}/v1/documents`, { headers: { origin: 'http://localhost:5173', 'x-api-key': withCors.key } });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(allowed.headers.get('access-control-expose-headers')).toContain('request-id');

      const refused = await fetch(`${withCors.url}/v1/documents`, { headers: { origin: 'http://evil.example', 'x-api-key': withCors.key } });
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();

      // Errors carry CORS headers too, so a browser client can read the envelope.
      const unauthenticated = await fetch(`${withCors.url}/v1/documents`, { headers: { origin: 'http://localhost:5173' } });
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    } finally {
      await withCors.close();
    }
  });
});

describe('workspaces', () => {
  it("answers another workspace's agent and environment with 404", async () => {
    const created = await call('/anthropic/v1/agents', { method: 'POST', body: JSON.stringify({ name: 'private', model: 'claude-sonnet-4-5' }) });
    expect(created.status).toBe(200);
    const id = (created.body as { id: string }).id;
    expect((await call(`/anthropic/v1/agents/${id}`)).status).toBe(200);

    const other = { key: server.otherKey };
    expectEnvelope(await call(`/anthropic/v1/agents/${id}`, other), 404, 'not_found_error', 'not_found');
    expectEnvelope(await call(`/anthropic/v1/agents/${id}`, { ...other, method: 'POST', body: JSON.stringify({ name: 'stolen' }) }), 404, 'not_found_error', 'not_found');
    expectEnvelope(await call(`/anthropic/v1/agents/${id}/archive`, { ...other, method: 'POST' }), 404, 'not_found_error', 'not_found');
    expectEnvelope(await call(`/anthropic/v1/agents/${id}/versions`, other), 404, 'not_found_error', 'not_found');
    const listed = await call('/anthropic/v1/agents', other);
    expect((listed.body as { data: Array<{ id: string }> }).data.map((agent) => agent.id)).not.toContain(id);

    const environment = await call('/anthropic/v1/environments', { method: 'POST', body: JSON.stringify({ name: 'private-env' }) });
    const environmentId = (environment.body as { id: string }).id;
    expectEnvelope(await call(`/anthropic/v1/environments/${environmentId}`, other), 404, 'not_found_error', 'environment_not_found');
    expectEnvelope(await call(`/anthropic/v1/environments/${environmentId}`, { ...other, method: 'DELETE' }), 404, 'not_found_error', 'environment_not_found');
    expect((await call(`/anthropic/v1/environments/${environmentId}`)).status).toBe(200);
  });

  it('sends x-should-retry: false with a business 409', async () => {
    const created = await call('/anthropic/v1/agents', { method: 'POST', body: JSON.stringify({ name: 'locked', model: 'claude-sonnet-4-5' }) });
    const id = (created.body as { id: string }).id;
    const conflict = await call(`/anthropic/v1/agents/${id}`, { method: 'POST', body: JSON.stringify({ version: 5, name: 'x' }) });
    expectEnvelope(conflict, 409, 'invalid_request_error', 'version_conflict');
    expect(conflict.headers.get('x-should-retry')).toBe('false');
  });
});

describe('closing', () => {
  it('closes an idle keep-alive connection as it begins to close, and refuses new connections after', async () => {
    const short = await startTestServer();
    // One socket, kept alive: the second request can only go over the connection the first left idle.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await getStatus(`${short.url}/healthz`, agent)).toBe(200);
      await new Promise((resolve) => setImmediate(resolve));
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
      const closing = short.close();
      // Closed at once, the idle connection cannot carry this request; left to idle out on its
      // keep-alive timeout (what made close slow), it would still be served with a 200.
      await expect(getStatus(`${short.url}/healthz`, agent)).rejects.toThrow();
      await closing;
      await expect(fetch(`${short.url}/healthz`)).rejects.toThrow();
    } finally {
      agent.destroy();
    }
  });

  it('ends an open event stream cleanly and resolves once it is gone', async () => {
    const streaming = await startTestServer();
    const headers = { 'x-api-key': streaming.key, 'content-type': 'application/json' };
    const created = await fetch(`${streaming.url}/v1/sessions`, { method: 'POST', headers, body: JSON.stringify({ name: 'debate', run: false }) });
    expect(created.status).toBeLessThan(300);
    const { id } = (await created.json()) as { id: string };
    const stream = await fetch(`${streaming.url}/v1/sessions/${id}/events/stream`, { headers });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const drained = (async () => {
      for (;;) if ((await reader.read()).done) return 'ended';
    })();
    // Ended cleanly, the stream reads to its end; cut by the close timeout's closeAllConnections
    // (what a stream left open would wait for), the read would fail instead.
    await streaming.close();
    await expect(drained).resolves.toBe('ended');
  });
});

/** GETs `url` through `agent` and resolves with the status once the body has been read. */
function getStatus(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
      response.once('error', reject);
    }).once('error', reject);
  });
}
