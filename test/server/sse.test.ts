// SSE framing over a real @hono/node-server on an ephemeral port, read with a raw fetch reader:
// headers, frames, heartbeats, a clean end, an error frame, and a client disconnect aborting the signal.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSseFrame, openSseStream, type SseSink } from '../../src/server/sse.js';

let server: ServerType;
let baseUrl: string;
let reportDisconnect: (signal: AbortSignal) => void = () => undefined;

const app = new Hono();
app.get('/frames', (c) =>
  openSseStream(
    c,
    async (sink) => {
      await sink.send({ event: 'agent.message', data: { type: 'agent.message', text: 'hi' }, id: 1 });
      await sink.send({ event: 'note', data: 'two\nlines' });
    },
    { heartbeatMs: 0 },
  ),
);
app.get('/quiet', (c) => openSseStream(c, (sink) => waitForAbort(sink), { heartbeatMs: 20 }));
app.get('/forever', (c) =>
  openSseStream(
    c,
    async (sink) => {
      await sink.send({ event: 'ready', data: {} });
      await waitForAbort(sink);
      reportDisconnect(sink.closed);
    },
    { heartbeatMs: 1000 },
  ),
);
app.get('/failing', (c) =>
  openSseStream(
    c,
    async () => {
      throw new Error('store closed');
    },
    { heartbeatMs: 0 },
  ),
);

function waitForAbort(sink: SseSink): Promise<void> {
  return new Promise((resolve) => {
    if (sink.closed.aborted) resolve();
    else sink.closed.addEventListener('abort', () => resolve(), { once: true });
  });
}

beforeAll(async () => {
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0 }, (info: AddressInfo) => {
      baseUrl = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
});

afterAll(async () => {
  // Keep-alive sockets would hold close() open for seconds.
  if ('closeAllConnections' in server) server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Reads the body until `until` matches the text so far (or the body ends). */
async function readUntil(response: Response, until: (text: string) => boolean): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!until(text)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

describe('formatSseFrame', () => {
  it('writes id, event and one data line per line', () => {
    expect(formatSseFrame({ event: 'x', data: 'a\nb\r\nc', id: 3 })).toBe('id: 3\nevent: x\ndata: a\ndata: b\ndata: c\n\n');
    expect(formatSseFrame({ event: 'x', data: { a: 1 } })).toBe('event: x\ndata: {"a":1}\n\n');
    expect(() => formatSseFrame({ event: 'x\ny', data: '' })).toThrow(/line break/);
  });
});

describe('openSseStream', () => {
  it('sends the headers, a connected comment, the frames, and ends when run resolves', async () => {
    const response = await fetch(`${baseUrl}/frames`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const body = await response.text();
    expect(body).toBe(': connected\n\n' + 'id: 1\nevent: agent.message\ndata: {"type":"agent.message","text":"hi"}\n\n' + 'event: note\ndata: two\ndata: lines\n\n');
  });

  it('flushes headers before any event and sends heartbeats while idle', async () => {
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/quiet`, { signal: controller.signal });
    expect(response.status).toBe(200);
    const text = await readUntil(response, (sofar) => sofar.split(': ping\n\n').length > 3);
    expect(text.startsWith(': connected\n\n: ping\n\n: ping\n\n')).toBe(true);
    controller.abort();
  });

  it('aborts sink.closed when the client disconnects', async () => {
    const signal = new Promise<AbortSignal>((resolve) => {
      reportDisconnect = resolve;
    });
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/forever`, { signal: controller.signal });
    await readUntil(response, (text) => text.includes('event: ready'));
    controller.abort();
    const closed = await signal;
    expect(closed.aborted).toBe(true);
  });

  it('ends with an error frame when run throws', async () => {
    const body = await (await fetch(`${baseUrl}/failing`)).text();
    expect(body).toBe(': connected\n\nevent: error\ndata: {"type":"error","error":{"type":"api_error","message":"store closed"}}\n\n');
  });
});
