// The bench runs of the native API (`GET /v1/bench/runs[/<id>]`): a finished run is listed and read
// back with its prompts and results by a key of the workspace the operator named; other workspaces,
// servers without --bench-runs, unknown ids and paths that try to leave the directory see nothing.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBenchRunLibrary } from '../../src/server/bench-run-library.js';
import { openApiDocument } from '../../src/server/openapi.js';
import { makeBenchRun, type BenchFixture } from '../support/bench-run-fixture.js';
import { callApi, startTestServer, type TestServer } from '../support/test-server.js';

let fixture: BenchFixture;
let server: TestServer;
let plain: TestServer;

beforeAll(async () => {
  fixture = await makeBenchRun();
  // An unfinished run (no results.json) and a stray file: neither is listed.
  mkdirSync(join(fixture.directory, 'unfinished-run'));
  writeFileSync(join(fixture.directory, 'unfinished-run', 'run.json'), '{"version":1}');
  writeFileSync(join(fixture.directory, 'notes.txt'), 'not a run');
  server = await startTestServer({ benchRuns: createBenchRunLibrary({ directory: fixture.directory, workspaces: ['team-a'] }) });
  plain = await startTestServer();
}, 60_000);

afterAll(async () => {
  await server?.close();
  await plain?.close();
  if (fixture !== undefined) rmSync(dirname(fixture.directory), { recursive: true, force: true });
});

describe('GET /v1/bench/runs', () => {
  it('lists the finished run for the named workspace', async () => {
    const { status, body } = await callApi(server, '/v1/bench/runs');
    expect(status).toBe(200);
    expect(body['enabled']).toBe(true);
    const runs = body['data'] as Array<Record<string, unknown>>;
    expect(runs.map((run) => run['id'])).toEqual([fixture.runId]);
    expect(runs[0]).toMatchObject({ suite: 'view-demo', prompts: 4, samples: 8, simulated: true, pairwise: true, incomplete: false });
    expect([...(runs[0]?.['contestants'] as string[])].sort()).toEqual(['sage', 'swift']);
  });

  it('shows nothing to another workspace, nor on a server without --bench-runs', async () => {
    const other = await callApi(server, '/v1/bench/runs', { key: server.otherKey });
    expect(other).toEqual({ status: 200, body: { data: [], enabled: false } });
    expect((await callApi(server, `/v1/bench/runs/${fixture.runId}`, { key: server.otherKey })).status).toBe(404);
    expect((await callApi(plain, '/v1/bench/runs')).body).toEqual({ data: [], enabled: false });
    expect((await callApi(plain, `/v1/bench/runs/${fixture.runId}`)).status).toBe(404);
  });
});

describe('GET /v1/bench/runs/{id}', () => {
  it('answers the prompts and the whole results.json', async () => {
    const { status, body } = await callApi(server, `/v1/bench/runs/${fixture.runId}`);
    expect(status).toBe(200);
    expect(body['prompts']).toEqual([
      { id: 'p1', prompt: 'What is 2 + 3?', expected: 5 },
      { id: 'p2', prompt: 'What is 7 * 6?', expected: 42 },
      { id: 'p3', prompt: 'What is 12 - 5?', expected: 7 },
      { id: 'p4', prompt: 'What is 9 * 9?', expected: 81 },
    ]);
    const results = body['results'] as { runId: string; samples: Array<{ output: string; quality: { checks: Array<{ name: string }> } }>; pairwise: { winRate: unknown[][] } };
    expect(results.runId).toBe(fixture.runId);
    expect(results.samples).toHaveLength(8);
    expect(results.samples.every((sample) => sample.output.includes('The answer is') && sample.quality.checks[0]?.name === 'numeric')).toBe(true);
    expect(results.pairwise.winRate).toHaveLength(2);
  });

  it('is a 404 for an unfinished run, an unknown id and a path out of the directory', async () => {
    for (const id of ['unfinished-run', 'no-such-run', '..%2F..%2Fetc', '.hidden', 'notes.txt']) {
      const { status, body } = await callApi(server, `/v1/bench/runs/${id}`);
      expect(status, id).toBe(404);
      expect((body['error'] as { message: string }).message, id).toMatch(/no bench run|no route/);
    }
  });

  it('is in the OpenAPI document', () => {
    const paths = (openApiDocument() as { paths: Record<string, unknown> }).paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/v1/bench/runs', '/v1/bench/runs/{id}']));
  });
});
