// The MCP endpoint of a scale-out deployment: `conclave serve --store postgres://… --queue redis://…`
// and one `conclave worker`, real processes. `run_topology` over streamable HTTP hands the session
// to the worker (the server runs nothing) and answers once the worker has, with progress followed
// from the shared log.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { createKey, killServers, serve } from '../support/serve-process.js';
import { deleteQueueKeys, startWorkerProcess, uniqueQueuePrefix } from '../support/worker-fleet.js';

const redisUrl = 'redis://127.0.0.1:6379';

describe('MCP run_topology on conclave serve --queue', () => {
  const schema = uniqueSchema('mcpq');
  const prefix = uniqueQueuePrefix('mcpq');
  const store = postgresUrl(schema);
  const queue = `${redisUrl}?prefix=${prefix}`;
  const stops: Array<() => Promise<unknown>> = [];

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    killServers();
    await dropSchema(schema);
    await deleteQueueKeys(redisUrl, prefix);
  }, 30_000);

  it('hands the session to a worker and answers with what the worker ran', async () => {
    const { key } = await createKey(store, 'default');
    const server = await serve(store, ['--queue', queue]);
    const worker = await startWorkerProcess({ store, queue, quiet: false }, 1);
    stops.push(async () => {
      worker.child.kill('SIGTERM');
      await worker.exited;
    });

    const client = new Client({ name: 'conclave-tests', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    stops.push(() => client.close());
    const progress: Progress[] = [];
    const result = (await client.callTool(
      { name: 'run_topology', arguments: { document: 'debate', task: 'Should a small team adopt trunk-based development?' } },
      undefined,
      { onprogress: (update) => progress.push(update), timeout: 60_000 },
    )) as CallToolResult;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const { sessionId, answer } = result.structuredContent as { sessionId: string; answer: string };
    expect(answer.length).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
    // The worker ran it, not the server.
    expect(worker.output()).toMatch(new RegExp(`started\\s+${sessionId}`));
  }, 60_000);
});
