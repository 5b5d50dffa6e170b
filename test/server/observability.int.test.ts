// What an operator of `conclave serve` observes, through the built CLI: Prometheus metrics that parse
// and move when a session runs (behind a key, and on --metrics-port without one), JSON log lines
// with request and session ids, and the OTLP spans of a session (http/json, to a local receiver)
// with their GenAI attributes and parent links back to the HTTP request that started the turn.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, describe, expect, it } from 'vitest';
import { createKey, killServers, serve } from '../support/serve-process.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-observability-'));
const receivers: Server[] = [];
afterAll(() => {
  killServers();
  for (const receiver of receivers) receiver.close();
  rmSync(directory, { recursive: true, force: true });
});

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: OtlpValue }>;
}

/** An OTLP/HTTP JSON receiver: every span posted to /v1/traces. */
async function startReceiver(): Promise<{ url: string; spans: OtlpSpan[]; contentTypes: string[] }> {
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      contentTypes.push(request.headers['content-type'] ?? '');
      if (request.url === '/v1/traces') {
        const payload = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
        for (const resource of payload.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  receivers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, contentTypes };
}

function attribute(span: OtlpSpan, key: string): unknown {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  if (value === undefined) return undefined;
  if (value.arrayValue !== undefined) return value.arrayValue.values.map((item) => item.stringValue);
  return value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.boolValue ?? value.doubleValue;
}

interface MetricFamily {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string; count?: string; buckets?: Record<string, string> }>;
}

async function scrape(url: string, key?: string): Promise<{ status: number; families: MetricFamily[]; text: string }> {
  const response = await fetch(`${url}/metrics`, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });
  const text = await response.text();
  return { status: response.status, families: response.status === 200 ? (parsePrometheusTextFormat(text) as MetricFamily[]) : [], text };
}

function sample(families: MetricFamily[], name: string, labels: Record<string, string>): number {
  const family = families.find((candidate) => candidate.name === name);
  const metric = family?.metrics.find((candidate) => Object.entries(labels).every(([label, value]) => candidate.labels?.[label] === value));
  if (metric === undefined) return 0;
  return Number(metric.value ?? metric.count ?? 0);
}

/** Polls the session until it is idle (the run is in the server process; nothing here is timed). */
async function untilIdle(url: string, key: string, id: string): Promise<Record<string, unknown>> {
  for (;;) {
    const session = (await (await fetch(`${url}/v1/sessions/${id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, unknown>;
    if (session['status'] === 'idle' || session['status'] === 'terminated') return session;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('conclave serve observability', () => {
  it('exposes metrics that move, logs JSON lines, and exports GenAI spans linked to the request', async () => {
    const receiver = await startReceiver();
    const database = join(directory, 'observed.db');
    const { key } = await createKey(database, 'default');
    const server = await serve(database, ['--metrics-port', '0'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'conclave-under-test',
    });
    let output = '';
    server.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const metricsPort = /; (http:\/\/\S+)\/metrics without one/.exec(server.banner)?.[1];
    expect(metricsPort).toBeDefined();

    // Behind a key on the API port; open on the metrics port.
    expect((await scrape(server.url)).status).toBe(401);
    const before = await scrape(server.url, key);
    expect(before.status).toBe(200);
    expect(sample(before.families, 'conclave_model_calls_total', { provider: 'offline' })).toBe(0);

    const created = await fetch(`${server.url}/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'pipeline', task: 'Write release notes.' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const session = await untilIdle(server.url, key, id);
    expect(session['status']).toBe('idle');

    const after = await scrape(metricsPort as string);
    expect(after.status).toBe(200);
    expect(sample(after.families, 'conclave_model_calls_total', { provider: 'offline', model: 'persona' })).toBe(3);
    expect(sample(after.families, 'conclave_model_tokens_total', { provider: 'offline', direction: 'output' })).toBeGreaterThan(0);
    // (The parser keeps no labels of histogram series: their count is read from the text.)
    expect(after.families.find((family) => family.name === 'conclave_model_call_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(after.text).toMatch(/^conclave_model_call_duration_seconds_count\{provider="offline",model="persona"\} 3$/m);
    expect(after.text).toMatch(/^conclave_model_time_to_first_token_seconds_count\{provider="offline",model="persona"\} 3$/m);
    expect(sample(after.families, 'conclave_sessions', { status: 'idle' })).toBe(1);
    expect(sample(after.families, 'conclave_http_requests_total', { method: 'POST', route: '/v1/sessions', status: '201' })).toBe(1);

    server.child.kill('SIGTERM');
    const exited = await server.done;
    expect(exited.code).toBe(0);

    // Logs: one JSON object per line after the banner, with request and session ids.
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line['msg'] === 'request' && line['route'] === '/v1/sessions' && line['status'] === 201)).toMatchObject({ method: 'POST', workspace: 'default', level: 30 });
    expect(lines.find((line) => line['msg'] === 'request')?.['requestId']).toMatch(/^req_/);
    expect(lines.filter((line) => line['sessionId'] === id).map((line) => line['msg'])).toEqual(expect.arrayContaining(['session created', 'session running', 'session idle']));
    expect(output).not.toContain(key);

    // Traces: the shutdown exported every span.
    expect(receiver.contentTypes).toContain('application/json');
    const spans = receiver.spans;
    const request = spans.find((span) => span.name === 'POST /v1/sessions');
    expect(request, spans.map((span) => span.name).join(', ')).toBeDefined();
    expect(request?.kind).toBe(2); // SERVER
    expect(attribute(request as OtlpSpan, 'http.response.status_code')).toBe(201);
    const turn = spans.find((span) => span.name === 'invoke_agent pipeline');
    expect(turn?.parentSpanId).toBe(request?.spanId);
    expect(turn?.traceId).toBe(request?.traceId);
    expect(attribute(turn as OtlpSpan, 'gen_ai.conversation.id')).toBe(id);
    const steps = spans.filter((span) => span.parentSpanId === turn?.spanId);
    expect(steps.map((span) => attribute(span, 'gen_ai.agent.name'))).toEqual(['drafter', 'reviewer', 'editor']);
    const chats = spans.filter((span) => span.name === 'chat persona');
    expect(chats).toHaveLength(3);
    for (const chat of chats) {
      expect(steps.map((step) => step.spanId)).toContain(chat.parentSpanId);
      expect(chat.kind).toBe(3); // CLIENT
      expect(attribute(chat, 'gen_ai.operation.name')).toBe('chat');
      expect(attribute(chat, 'gen_ai.provider.name')).toBe('conclave.offline');
      expect(attribute(chat, 'gen_ai.request.model')).toBe('persona');
      expect(attribute(chat, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0);
      expect(attribute(chat, 'gen_ai.response.finish_reasons')).toEqual(['stop']);
      // Content is recorded only when the operator opts in.
      expect(attribute(chat, 'gen_ai.output.messages')).toBeUndefined();
    }
  });

  it('refuses an unknown log level and an OTLP protocol it cannot export with', async () => {
    const database = join(directory, 'refused.db');
    await expect(serve(database, ['--log-level', 'loud'])).rejects.toThrow(/unknown log level "loud"/);
    await expect(serve(database, [], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).rejects.toThrow(/OTLP protocol "grpc" is not supported/);
  });
});
