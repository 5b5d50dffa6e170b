// The scale-out deployment as an operator starts it: `conclave serve --store postgres://… --queue
// redis://…` and one `conclave worker`, real processes. A session created over HTTP is enqueued, not
// run by the server; the worker runs it; a client streaming it from the server gets every event
// and, relayed from the worker through Redis, the text as it streams.
import { afterAll, describe, expect, it } from 'vitest';
import { collect, runCli, startCli } from '../support/cli.js';
import { dropSchema, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { deleteQueueKeys, startWorkerProcess, uniqueQueuePrefix, type FleetWorker } from '../support/worker-fleet.js';

const redisUrl = 'redis://127.0.0.1:6379';

describe('conclave serve --queue with a worker', () => {
  const schema = uniqueSchema('serveq');
  const prefix = uniqueQueuePrefix('serveq');
  const store = postgresUrl(schema);
  const queue = `${redisUrl}?prefix=${prefix}`;
  const stops: Array<() => Promise<unknown>> = [];

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await dropSchema(schema);
    await deleteQueueKeys(redisUrl, prefix);
  }, 30_000);

  it('enqueues a session created over HTTP; a worker runs it; the server streams its events and its text', async () => {
    const created = await runCli(['keys', 'create', '--workspace', 'default', '--json', '--store', store]);
    expect(created.code).toBe(0);
    const { key } = JSON.parse(created.stdout) as { key: string };

    const server = startCli(['serve', '--port', '0', '--store', store, '--queue', queue]);
    const serverDone = collect(server);
    stops.push(async () => {
      server.kill('SIGTERM');
      await serverDone;
    });
    const url = await new Promise<string>((resolveUrl, rejectUrl) => {
      let printed = '';
      server.stdout?.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        const match = /serving on (http:\/\/\S+)/.exec(printed);
        if (match?.[1] !== undefined) resolveUrl(match[1]);
      });
      server.once('exit', () => rejectUrl(new Error(`the server exited: ${printed}`)));
    });
    expect((await fetch(`${url}/readyz`).then((response) => response.json())) as unknown).toEqual({ ready: true, checks: { store: 'ok', queue: 'ok' } });

    const worker: FleetWorker = await startWorkerProcess({ store, queue, quiet: false }, 1);
    stops.push(async () => {
      worker.child.kill('SIGTERM');
      await worker.exited;
    });

    const headers = { 'x-api-key': key, 'content-type': 'application/json' };
    const document = {
      topology: 'pipeline',
      agents: ['optimist', 'skeptic', 'pragmatist'].map((persona) => ({ name: persona, model: `offline/persona?persona=${persona}&ttft_ms=300` })),
    };
    const response = await fetch(`${url}/v1/sessions`, { method: 'POST', headers, body: JSON.stringify({ document, task: 'Plan a team offsite.', run: true }) });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };

    const stream = await fetch(`${url}/v1/sessions/${id}/events/stream?deltas=true`, { headers: { 'x-api-key': key } });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const deadline = Date.now() + 20_000;
    while (!text.includes('event: session.status_idle') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel();
    const events = [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
    expect(events).toContain('session.status_idle');
    expect(events.filter((name) => name === 'command.completed')).toHaveLength(3);
    // Text as it streamed on the worker, relayed through Redis (the later stages start after the
    // stream is open, so their deltas cannot be missed).
    expect(events.filter((name) => name === 'delta').length).toBeGreaterThan(0);
    expect(worker.output()).toMatch(new RegExp(`started\\s+${id}`));
    // The worker prints its line once its job settles, a moment after the session's idle event is
    // stored and streamed: wait for the line (bounded by the test's timeout), not for a fixed time.
    const finished = new RegExp(`finished\\s+${id}`);
    while (!finished.test(worker.output())) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(worker.output()).toMatch(finished);
  }, 60_000);
});
