// The native sessions API over real HTTP: create from a named or inline document, read the journal
// by pages, stream it as SSE and reconnect without losing or repeating an event, steer and
// interrupt, archive and delete — and the load cases: 200 SSE clients on one session, 1,000
// sessions created at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, callApi } from '../support/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

interface StreamedEvent {
  id: string | undefined;
  event: string;
  data: { seq: number; type: string; data: Record<string, unknown> };
}

const api = (path: string, init: RequestInit & { key?: string } = {}): ReturnType<typeof callApi> => callApi(server, path, init);

/** Reads SSE frames until `until` says stop (or `max` frames); returns the data frames. */
async function readStream(path: string, until: (event: StreamedEvent) => boolean, headers: Record<string, string> = {}): Promise<StreamedEvent[]> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.key}`, ...headers }, signal: controller.signal });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: StreamedEvent[] = [];
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of frame.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
        }
        if (!fields.has('data')) continue;
        const event: StreamedEvent = { id: fields.get('id'), event: fields.get('event') ?? 'message', data: JSON.parse(fields.get('data') as string) };
        events.push(event);
        if (until(event)) return events;
      }
    }
  } finally {
    controller.abort();
  }
}

const isIdle = (event: StreamedEvent): boolean => event.event === 'session.status_idle';

describe('native sessions API', () => {
  it('creates a session from a catalog document, runs it, and lists its journal by pages', async () => {
    const created = await api('/v1/sessions', { method: 'POST', body: JSON.stringify({ name: 'pipeline', seed: 3, metadata: { team: 'a' } }) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ topology: 'pipeline', workspace: 'team-a', metadata: { team: 'a' } });
    const id = created.body['id'] as string;
    const streamed = await readStream(`/v1/sessions/${id}/events/stream`, isIdle);
    expect(streamed.map((event) => Number(event.id))).toEqual(streamed.map((_, index) => index + 1));

    const session = await api(`/v1/sessions/${id}`);
    expect(session.body).toMatchObject({ status: 'idle', stop_reason: 'end_turn', turns: 1 });
    expect(typeof session.body['answer']).toBe('string');

    const pages: number[] = [];
    let next: string | null = null;
    do {
      const page: { body: Record<string, unknown> } = await api(`/v1/sessions/${id}/events?limit=4${next !== null ? `&page=${next}` : ''}`);
      pages.push(...(page.body['data'] as Array<{ seq: number }>).map((event) => event.seq));
      next = page.body['next_page'] as string | null;
    } while (next !== null);
    expect(pages).toEqual(streamed.map((event) => event.data.seq));
  });

  it('resumes a stream after a disconnect with Last-Event-ID: nothing lost, nothing repeated', async () => {
    const created = await api('/v1/sessions', { method: 'POST', body: JSON.stringify({ name: 'debate', seed: 1 }) });
    const id = created.body['id'] as string;
    const firstPart = await readStream(`/v1/sessions/${id}/events/stream`, (event) => event.event === 'agent.message');
    const lastId = firstPart.at(-1)?.id as string;
    const rest = await readStream(`/v1/sessions/${id}/events/stream`, isIdle, { 'last-event-id': lastId });
    const seqs = [...firstPart, ...rest].map((event) => event.data.seq);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    const all = await api(`/v1/sessions/${id}/events`);
    expect((all.body['data'] as unknown[]).length).toBe(seqs.length);
  });

  it('takes an inline document, steers a running session, interrupts it, archives and deletes it', async () => {
    const document = {
      topology: 'pipeline',
      agents: [
        { name: 'drafter', model: 'offline/echo?ttft_ms=300' },
        { name: 'editor', model: 'offline/echo?ttft_ms=30000' },
      ],
    };
    const created = await api('/v1/sessions', { method: 'POST', body: JSON.stringify({ document, task: 'Explain vector clocks.' }) });
    const id = created.body['id'] as string;
    const sent = await api(`/v1/sessions/${id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'Use an analogy.' }) });
    expect(sent.body['event']).toMatchObject({ type: 'user.message', data: { text: 'Use an analogy.' } });
    const untilEditor = await readStream(`/v1/sessions/${id}/events/stream`, (event) => event.event === 'command.started' && String(event.data.data['commandId']).includes('stage:1'));
    const editorCall = untilEditor.at(-1) as StreamedEvent;
    const messages = (editorCall.data.data['input'] as { messages: Array<{ content: string }> }).messages;
    expect(messages.at(-1)?.content).toContain('Use an analogy.');

    const interrupted = await api(`/v1/sessions/${id}/interrupt`, { method: 'POST', body: JSON.stringify({ reason: 'enough' }) });
    expect(interrupted.body['event']).toMatchObject({ type: 'user.interrupt' });
    const after = await readStream(`/v1/sessions/${id}/events/stream?after=${editorCall.data.seq}`, isIdle);
    expect(after.at(-1)?.data.data).toMatchObject({ stopReason: 'interrupted', reason: 'enough' });
    // The editor's call (30 s to its first token) was aborted by the interrupt, not waited out: it
    // failed as aborted and never completed.
    const editorCommandId = editorCall.data.data['commandId'];
    const editorEnds = after.filter((event) => event.data.data['commandId'] === editorCommandId && event.event !== 'command.started');
    expect(editorEnds.map((event) => event.event)).toEqual(['command.failed']);
    expect(editorEnds[0]?.data.data).toMatchObject({ error: { code: 'aborted' }, willRetry: false });

    const archived = await api(`/v1/sessions/${id}/archive`, { method: 'POST' });
    expect(archived.body['archived_at']).not.toBeNull();
    const listed = await api('/v1/sessions?limit=100');
    expect((listed.body['data'] as Array<{ id: string }>).map((session) => session.id)).not.toContain(id);
    const removed = await api(`/v1/sessions/${id}`, { method: 'DELETE' });
    expect(removed.body).toEqual({ id, deleted: true });
    expect((await api(`/v1/sessions/${id}`)).status).toBe(404);
  });

  it('names what is wrong in a bad request: the field, the document line, the missing session', async () => {
    const neither = await api('/v1/sessions', { method: 'POST', body: JSON.stringify({ task: 'x' }) });
    expect(neither.status).toBe(400);
    expect(neither.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(JSON.stringify(neither.body)).toContain('document');
    const badDocument = await api('/v1/sessions', { method: 'POST', body: JSON.stringify({ document: 'topology: debate\nagents:\n  - name: a\n    model: offline/echo\n    temprature: 1\n', task: 'x' }) });
    expect(badDocument.status).toBe(400);
    expect(JSON.stringify(badDocument.body)).toContain('temprature');
    const unknown = await api('/v1/sessions', { method: 'POST', body: JSON.stringify({ name: 'no-such-document' }) });
    expect(unknown.status).toBe(404);
    expect((await api('/v1/sessions/sesn_missing/events')).status).toBe(404);
    const created = await api('/v1/sessions', { method: 'POST', body: JSON.stringify({ name: 'pipeline', run: false }) });
    const foreign = await api(`/v1/sessions/${created.body['id'] as string}`, { key: server.otherKey });
    expect(foreign.status).toBe(404);
  });
});

describe('load', () => {
  it('gives 200 concurrent SSE clients of one session every event, in order', async () => {
    const document = { topology: 'debate', agents: [{ name: 'a', model: 'offline/persona?ttft_ms=20' }, { name: 'b', model: 'offline/persona?ttft_ms=20' }], options: { rounds: 3 } };
    const created = await api('/v1/sessions', { method: 'POST', body: JSON.stringify({ document, task: 'Tabs or spaces?', run: false }) });
    const id = created.body['id'] as string;
    const readers = Array.from({ length: 200 }, () => readStream(`/v1/sessions/${id}/events/stream`, isIdle));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await api(`/v1/sessions/${id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'Begin.' }) });
    const results = await Promise.all(readers);
    const journal = ((await api(`/v1/sessions/${id}/events`)).body['data'] as Array<{ id: string }>).map((event) => event.id);
    for (const events of results) expect(events.map((event) => event.data.seq)).toEqual(journal.map((_, index) => index + 1));
    expect(results.every((events) => events.length === journal.length)).toBe(true);
  }, 60_000);

  it('runs 1,000 sessions created concurrently to completion', async () => {
    const document = { topology: 'pipeline', agents: [{ name: 'only', model: 'offline/echo?ttft_ms=20' }] };
    const created = await Promise.all(
      Array.from({ length: 1000 }, (_, index) => api('/v1/sessions', { method: 'POST', body: JSON.stringify({ document, task: `task ${index}`, metadata: { batch: 'load' } }) })),
    );
    expect(created.every((response) => response.status === 201)).toBe(true);
    const ids = created.map((response) => response.body['id'] as string);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const sessions = await Promise.all(ids.map((id) => server.deps.kernel.store.getSession(id)));
      if (sessions.every((session) => session?.status === 'idle')) break;
      if (Date.now() > deadline) throw new Error('not all sessions finished');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const results = await Promise.all(ids.map((id) => server.deps.kernel.result(id)));
    expect(results.every((result, index) => result.answer?.includes(`task ${index}`) === true)).toBe(true);
  }, 120_000);
});
