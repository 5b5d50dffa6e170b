// `POST /v1/designs`: the server's designer (offline here: the test server has no provider key)
// proposes a validated document for a task; a decision becomes a debate and a "which is best" a
// tournament; an empty task, a designer model named by the caller, and a missing key are refused.
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const design = (body: unknown, key?: string) => callApi(server, '/v1/designs', { method: 'POST', body: JSON.stringify(body), ...(key !== undefined ? { key } : {}) });

describe('POST /v1/designs', () => {
  it.each([
    ['Should we move our services to a monorepo?', 'debate'],
    ['Pick the best name for our new command-line tool', 'tournament'],
  ])('designs %j as a %s, with its YAML', async (task, topology) => {
    const { status, body } = await design({ task });
    expect(status).toBe(200);
    expect(body).toMatchObject({ topology, designer: 'offline/designer', attempts: 1 });
    expect((body['agents'] as unknown[]).length).toBeGreaterThanOrEqual(2);
    const document = parse(body['yaml'] as string) as { topology: string };
    expect(document.topology).toBe(topology);
  });

  it('refuses an empty task and a designer model named by the caller, naming the field', async () => {
    const empty = await design({ task: '   ' });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('describe the task the team should do');
    const model = await design({ task: 'Tabs or spaces?', model: 'offline/scripted?script=/etc/passwd' });
    expect(model.status).toBe(400);
    expect(JSON.stringify(model.body)).toContain('model');
  });

  it('needs a key', async () => {
    const response = await fetch(`${server.url}/v1/designs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":"x"}' });
    expect(response.status).toBe(401);
  });
});
