// The Ollama adapter through the official SDK over real HTTP against the Ollama emulator: the shared
// conformance suite, then what is Ollama's own — the exact `/api/chat` body, NDJSON tool calls and
// their ids, usage and finish reasons, settings (host, key), and failures the suite does not script.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerateRequest, StreamPart } from '../../src/protocol/index.js';
import {
  createOllamaAdapter,
  createOllamaFetch,
  createOllamaStreamMapper,
  mapOllamaFinishReason,
  ollamaProvider,
  type OllamaExchange,
} from '../../providers/ollama/index.js';
import { describeProviderAdapterConformance } from '../conformance/provider-adapter-suite.js';
import { createOllamaEmulator } from '../emulators/ollama-emulator.js';
import type { WireEmulator } from '../emulators/emulator-script.js';

describeProviderAdapterConformance({
  name: 'ollama',
  createEmulator: createOllamaEmulator,
  createAdapter: (emulator) => ollamaProvider.create({ baseUrl: emulator.baseUrl, env: {} }),
  model: 'llama3.2',
  capabilities: { tools: true, jsonSchema: true },
  nativeFinishReasons: { length: 'length' },
});

async function collect(adapter: ReturnType<typeof createOllamaAdapter>, request: Partial<GenerateRequest>, signal?: AbortSignal): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  const full: GenerateRequest = { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], ...request };
  for await (const part of adapter.generate(full, { signal: signal ?? new AbortController().signal, attempt: 1 })) parts.push(part);
  return parts;
}

function errorOf(parts: readonly StreamPart[]): Extract<StreamPart, { type: 'error' }>['error'] | undefined {
  const found = parts.find((part) => part.type === 'error');
  return found?.type === 'error' ? found.error : undefined;
}

describe('ollama provider module', () => {
  it('is named ollama, real, keyless, with default models and zero prices', () => {
    expect(ollamaProvider.name).toBe('ollama');
    expect(ollamaProvider.specificationVersion).toBe('v1');
    expect(ollamaProvider.simulated).toBe(false);
    expect(ollamaProvider.keyVariable).toBeUndefined();
    expect(ollamaProvider.defaultModels).toEqual(['ollama/llama3.2', 'ollama/qwen2.5', 'ollama/mistral']);
    const adapter = ollamaProvider.create({ env: {} });
    expect(adapter.provider).toBe('ollama');
    expect(adapter.price?.('qwen2.5:7b')).toEqual({ inputPerMillion: 0, outputPerMillion: 0 });
  });

  it('validates model names without calling anything', () => {
    for (const model of ['llama3.2', 'qwen2.5:7b', 'library/mistral:latest', 'registry.example.com:5000/team/model:q4_K_M']) {
      expect(ollamaProvider.validateModel(model), model).toBeUndefined();
    }
    expect(ollamaProvider.validateModel('llama3.2?temperature=1')).toMatch(/no query parameters/);
    for (const model of ['', ' llama', 'llama:', 'a//b', '-x']) expect(ollamaProvider.validateModel(model), model).toMatch(/not an Ollama model name/);
  });
});

describe('ollama adapter against the emulator', () => {
  let emulator: WireEmulator;
  beforeEach(async () => {
    emulator = await createOllamaEmulator();
  });
  afterEach(async () => {
    await emulator.close();
  });

  it('sends the exact /api/chat body: system, turns, tool history, options, tools and schema format', async () => {
    const adapter = createOllamaAdapter({ baseUrl: emulator.baseUrl, env: {} });
    const schema = { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] };
    const parts = await collect(adapter, {
      system: 'Be terse.',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: 'Checking.', toolCalls: [{ toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Oslo' } }] },
        { role: 'tool', toolCallId: 'call_1', toolName: 'get_weather', content: 'Snow' },
        { role: 'user', content: 'Score it.' },
      ],
      temperature: 0.5,
      maxTokens: 77,
      stop: ['STOP'],
      seed: 7,
      tools: [{ name: 'get_weather', description: 'Weather for a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
      responseFormat: { type: 'json', schema },
    });
    expect(errorOf(parts)).toBeUndefined();
    expect(emulator.requests).toHaveLength(1);
    const recorded = emulator.requests[0]!;
    expect(recorded.method).toBe('POST');
    expect(recorded.path).toBe('/api/chat');
    expect(recorded.headers['authorization']).toBeUndefined();
    expect(recorded.body).toEqual({
      model: 'llama3.2',
      stream: true,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: { city: 'Oslo' } } }] },
        { role: 'tool', content: 'Snow', tool_name: 'get_weather', tool_call_id: 'call_1' },
        { role: 'user', content: 'Score it.' },
      ],
      options: { temperature: 0.5, num_predict: 77, stop: ['STOP'], seed: 7 },
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        },
      ],
      format: schema,
    });
  });

  it('sends a bare request without options, tools or format, and format "json" when no schema is given', async () => {
    const adapter = createOllamaAdapter({ baseUrl: emulator.baseUrl, env: {} });
    await collect(adapter, {});
    expect(emulator.requests[0]!.body).toEqual({ model: 'llama3.2', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    await collect(adapter, { responseFormat: { type: 'json' } });
    expect(emulator.requests[1]!.body).toMatchObject({ format: 'json' });
  });

  it('maps an NDJSON tool call chunk to one tool-call part each, with the wire ids, then finish tool-calls', async () => {
    const adapter = createOllamaAdapter({ baseUrl: emulator.baseUrl, env: {} });
    emulator.enqueue({
      text: 'Let me check.',
      toolCalls: [
        { id: 'call_a', name: 'get_weather', input: { city: 'Oslo' } },
        { id: 'call_b', name: 'get_time', input: { zone: 'CET' } },
      ],
      usage: { inputTokens: 40, outputTokens: 12 },
    });
    const parts = await collect(adapter, {});
    expect(parts[0]).toEqual({ type: 'stream-start', model: 'llama3.2' });
    expect(parts.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', toolCallId: 'call_a', toolName: 'get_weather', input: { city: 'Oslo' } },
      { type: 'tool-call', toolCallId: 'call_b', toolName: 'get_time', input: { zone: 'CET' } },
    ]);
    expect(parts.slice(-2)).toEqual([
      { type: 'usage', usage: { inputTokens: 40, outputTokens: 12 } },
      { type: 'finish', finishReason: 'tool-calls' },
    ]);
  });

  it('reports usage from prompt_eval_count and eval_count, and maps done_reason length and unknown reasons', async () => {
    const adapter = createOllamaAdapter({ baseUrl: emulator.baseUrl, env: {} });
    emulator.enqueue({ text: 'a b c', usage: { inputTokens: 3, outputTokens: 2 }, finishReason: 'length' }, { text: 'x', finishReason: 'unload' });
    const first = await collect(adapter, {});
    expect(first.slice(-2)).toEqual([
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } },
      { type: 'finish', finishReason: 'length' },
    ]);
    expect((await collect(adapter, {})).at(-1)).toEqual({ type: 'finish', finishReason: 'other' });
  });

  it('takes the host from OLLAMA_HOST and sends OLLAMA_API_KEY as a bearer token', async () => {
    const adapter = createOllamaAdapter({ env: { OLLAMA_HOST: emulator.baseUrl, OLLAMA_API_KEY: 'secret-key' } });
    const parts = await collect(adapter, {});
    expect(errorOf(parts)).toBeUndefined();
    expect(emulator.requests[0]!.headers['authorization']).toBe('Bearer secret-key');
  });

  it('classifies 503 as provider_overloaded and keeps Ollama\'s error text', async () => {
    const adapter = createOllamaAdapter({ baseUrl: emulator.baseUrl, env: {} });
    emulator.enqueue({ fail: { kind: 'status', status: 503, retryAfterSeconds: 2 } });
    const error = errorOf(await collect(adapter, {}));
    expect(error).toMatchObject({ code: 'provider_overloaded', retryable: true, retryAfterMs: 2000 });
    expect(error?.message).toMatch(/server busy/);
  });

  it('reports an unknown model and an already aborted signal without sending anything', async () => {
    const adapter = createOllamaAdapter({ baseUrl: emulator.baseUrl, env: {} });
    expect(errorOf(await collect(adapter, { model: 'llama?x=1' }))?.code).toBe('unknown_model');
    const controller = new AbortController();
    controller.abort();
    const parts = await collect(adapter, {}, controller.signal);
    expect(parts.map((part) => part.type)).toEqual(['stream-start', 'error']);
    expect(errorOf(parts)).toMatchObject({ code: 'aborted', retryable: false });
    expect(emulator.requests).toHaveLength(0);
  });

  it('serves the non-streamed JSON answer when stream is false', async () => {
    emulator.enqueue({ text: 'whole answer', toolCalls: [{ id: 'call_x', name: 'f', input: { a: 1 } }], usage: { inputTokens: 5, outputTokens: 3 } });
    const response = await fetch(`${emulator.baseUrl}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [], stream: false }) });
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toMatchObject({
      model: 'm',
      message: { role: 'assistant', content: 'whole answer', tool_calls: [{ id: 'call_x', function: { name: 'f', arguments: { a: 1 } } }] },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 5,
      eval_count: 3,
    });
  });
});

describe('ollama failures outside the shared script', () => {
  it('connection refused → provider_connection with a hint to start ollama', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = errorOf(await collect(createOllamaAdapter({ baseUrl: `http://127.0.0.1:${port}`, env: {} }), {}));
    expect(error).toMatchObject({ code: 'provider_connection', retryable: true });
    expect(error?.message).toContain(`127.0.0.1:${port}`);
    expect(error?.hint).toMatch(/ollama serve/);
  });

  it('aborts the HTTP request when the consumer stops reading early', async () => {
    let closed: () => void = () => undefined;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const timer = { handle: undefined as NodeJS.Timeout | undefined };
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const line = `${JSON.stringify({ model: 'm', message: { role: 'assistant', content: 'tick ' }, done: false })}\n`;
      response.write(line);
      timer.handle = setInterval(() => response.write(line), 20);
      response.on('close', () => {
        clearInterval(timer.handle);
        closed();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const adapter = createOllamaAdapter({ baseUrl: `http://127.0.0.1:${port}`, env: {} });
      for await (const part of adapter.generate({ model: 'llama3.2', messages: [] }, { signal: new AbortController().signal, attempt: 1 })) {
        if (part.type === 'text-delta') break;
      }
      const outcome = await Promise.race([connectionClosed.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('still open'), 1_000))]);
      expect(outcome).toBe('closed');
    } finally {
      clearInterval(timer.handle);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('an { "error": … } line mid-stream → provider_server_error', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.write(`${JSON.stringify({ model: 'm', message: { role: 'assistant', content: 'Hel' }, done: false })}\n`);
      response.end(`${JSON.stringify({ error: 'an error was encountered while running the model: CUDA out of memory' })}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const parts = await collect(createOllamaAdapter({ baseUrl: `http://127.0.0.1:${port}`, env: {} }), {});
      expect(parts.map((part) => part.type)).toEqual(['stream-start', 'text-delta', 'error']);
      expect(errorOf(parts)).toMatchObject({ code: 'provider_server_error', retryable: true });
      expect(errorOf(parts)?.message).toMatch(/CUDA out of memory/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('the fetch wrapper records retry headers and fails the body at a line that is not JSON', async () => {
    const exchange: OllamaExchange = { sawDone: false };
    const body = `${JSON.stringify({ done: false })}\nnot json\n`;
    const wrapped = createOllamaFetch(new AbortController().signal, exchange, async () =>
      new Response(body, { status: 200, headers: { 'content-type': 'application/x-ndjson', 'retry-after': '3' } }),
    );
    const response = await wrapped('http://ollama.invalid/api/chat');
    expect(exchange.response).toEqual({ status: 200, retryAfter: '3', retryAfterMs: null });
    await expect(response.text()).rejects.toThrow(/not JSON: not json/);
  });
});

describe('ollama stream mapping', () => {
  it('derives a stable id for a tool call sent without one, different for another request', () => {
    const chunk = { message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'add', arguments: { a: 1 } } }] }, done: false };
    const first = createOllamaStreamMapper('request-1')(chunk);
    const again = createOllamaStreamMapper('request-1')(chunk);
    const other = createOllamaStreamMapper('request-2')(chunk);
    expect(first.ok && again.ok && other.ok).toBe(true);
    const idOf = (result: typeof first): string => (result.ok && result.parts[0]?.type === 'tool-call' ? result.parts[0].toolCallId : '');
    expect(idOf(first)).toMatch(/^call_[0-9a-f]{24}$/);
    expect(idOf(again)).toBe(idOf(first));
    expect(idOf(other)).not.toBe(idOf(first));
  });

  it('maps thinking to reasoning-delta, string arguments to objects, and rejects a chunk without done', () => {
    const mapChunk = createOllamaStreamMapper('r');
    expect(mapChunk({ message: { thinking: 'hmm', content: 'ok', tool_calls: [{ id: 'c1', function: { name: 'f', arguments: '{"x":2}' } }] }, done: false })).toEqual({
      ok: true,
      done: false,
      parts: [
        { type: 'reasoning-delta', delta: 'hmm' },
        { type: 'text-delta', delta: 'ok' },
        { type: 'tool-call', toolCallId: 'c1', toolName: 'f', input: { x: 2 } },
      ],
    });
    expect(mapChunk({ message: { content: 'x' } })).toMatchObject({ ok: false, message: expect.stringContaining('done') });
  });

  it('maps done reasons', () => {
    expect(mapOllamaFinishReason('stop', false)).toBe('stop');
    expect(mapOllamaFinishReason('stop', true)).toBe('tool-calls');
    expect(mapOllamaFinishReason(undefined, false)).toBe('stop');
    expect(mapOllamaFinishReason('length', true)).toBe('length');
    expect(mapOllamaFinishReason('load', false)).toBe('other');
  });
});
