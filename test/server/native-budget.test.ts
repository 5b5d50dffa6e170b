// Budgets through the native API: `budget` on POST /v1/sessions (over the document's), the
// session view's `budget` (limits, spent, the limit that stopped it) and `partial_answer`, and
// POST /v1/sessions/{id}/resume with a raised budget, which finishes the session without
// re-issuing a finished call. Both are in the OpenAPI document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, callApi } from '../support/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const api = (path: string, init: RequestInit & { key?: string } = {}): ReturnType<typeof callApi> => callApi(server, path, init);

async function settled(id: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const { body } = await api(`/v1/sessions/${id}`);
    if (body['status'] === 'idle') return body;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`session ${id} never went idle`);
}

const document = {
  topology: 'pipeline',
  agents: [
    { name: 'a', model: 'offline/echo' },
    { name: 'b', model: 'offline/echo' },
    { name: 'c', model: 'offline/echo' },
  ],
  options: { passes: 1 },
};

describe('native API budgets', () => {
  it('stops at the budget given on create, shows it, and resumes with a raised one', async () => {
    const created = await api('/v1/sessions', { method: 'POST', body: JSON.stringify({ document, task: 'Summarise CRDTs.', budget: { max_calls: 2 } }) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const stopped = await settled(created.body['id'] as string);
    expect(stopped['stop_reason']).toBe('budget_exceeded');
    expect(stopped['answer']).toBeNull();
    expect(stopped['budget']).toMatchObject({ limits: { max_calls: 2 }, agents: {}, spent: { calls: 2 }, exceeded: { scope: 'session', limit: 'max_calls', spent: 2, max: 2 } });
    expect(stopped['partial_answer']).toMatchObject({ agent: 'b' });

    const resumed = await api(`/v1/sessions/${created.body['id'] as string}/resume`, { method: 'POST', body: JSON.stringify({ budget: { max_calls: 5, agents: { c: { max_tokens: 100000 } } } }) });
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    const done = await settled(created.body['id'] as string);
    expect(done['stop_reason']).toBe('end_turn');
    expect(typeof done['answer']).toBe('string');
    expect(done['budget']).toMatchObject({ limits: { max_calls: 5 }, agents: { c: { max_tokens: 100000 } }, spent: { calls: 3 }, exceeded: null });
    expect(done['partial_answer']).toBeUndefined();
  });

  it('refuses a malformed budget with a 400 naming the field, and documents both in OpenAPI', async () => {
    const bad = await api('/v1/sessions', { method: 'POST', body: JSON.stringify({ document, task: 'x', budget: { max_calls: 1.5 } }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('budget.max_calls');
    const unknownLimit = await api('/v1/sessions', { method: 'POST', body: JSON.stringify({ document, task: 'x', budget: { max_dollars: 2 } }) });
    expect(unknownLimit.status).toBe(400);
    expect(JSON.stringify(unknownLimit.body)).toContain('max_dollars');

    const openapi = (await (await fetch(`${server.url}/v1/openapi.json`, { headers: { authorization: `Bearer ${server.key}` } })).json()) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    expect(openapi.paths['/v1/sessions/{id}/resume']?.['post']).toBeDefined();
    expect(openapi.components.schemas['CreateSessionBody']?.properties?.['budget']).toBeDefined();
    expect(openapi.components.schemas['SessionView']?.properties?.['budget']).toBeDefined();
  });
});
