// The Anthropic adapter: the shared provider conformance suite against the Messages API emulator,
// then what is specific to Anthropic — the exact outgoing body, partial-JSON tool input, ping
// events, cache usage, error events mid-stream, structured output and prices.
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerateRequest, StreamPart } from '../../src/protocol/index.js';
import {
  anthropicPrice,
  anthropicPricesAsOf,
  anthropicProvider,
  classifyAnthropicFailure,
  createAnthropicAdapter,
  mapAnthropicFinishReason,
  mapAnthropicRequest,
  mapAnthropicStream,
} from '../../providers/anthropic/index.js';
import { describeProviderAdapterConformance } from '../conformance/provider-adapter-suite.js';
import { startAnthropicEmulator, type AnthropicEmulator } from '../emulators/anthropic-emulator.js';

const model = 'claude-haiku-4-5';

describeProviderAdapterConformance({
  name: 'anthropic',
  createEmulator: startAnthropicEmulator,
  createAdapter: (emulator) => anthropicProvider.create({ baseUrl: emulator.baseUrl, apiKey: 'test-key', env: {} }),
  model,
  capabilities: { tools: true, jsonSchema: true },
  nativeFinishReasons: { length: 'max_tokens' },
  inspectRequest(caseName, body) {
    const sent = body as Record<string, unknown>;
    expect(sent['stream']).toBe(true);
    expect(typeof sent['max_tokens']).toBe('number');
    if (caseName === 'structured-output') expect(sent['output_config']).toMatchObject({ format: { type: 'json_schema' } });
    if (caseName === 'tool-result') {
      const messages = sent['messages'] as Array<{ role: string; content: Array<{ type: string }> }>;
      expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
      expect(messages[2]?.content[0]?.type).toBe('tool_result');
    }
  },
});

async function collect(adapter: ReturnType<typeof createAnthropicAdapter>, request: Partial<GenerateRequest>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  const full: GenerateRequest = { model, messages: [{ role: 'user', content: 'Hello' }], ...request };
  for await (const part of adapter.generate(full, { signal: new AbortController().signal, attempt: 1 })) parts.push(part);
  return parts;
}

async function* fromArray(events: readonly unknown[]): AsyncGenerator<unknown> {
  for (const event of events) yield event;
}

async function mapEvents(events: readonly unknown[]): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of mapAnthropicStream(fromArray(events))) parts.push(part);
  return parts;
}

const messageStart = {
  type: 'message_start',
  message: { id: 'msg_1', type: 'message', role: 'assistant', model, content: [], usage: { input_tokens: 25, output_tokens: 1 } },
};

describe('anthropic adapter over the emulator', () => {
  let emulator: AnthropicEmulator;
  let adapter: ReturnType<typeof createAnthropicAdapter>;

  beforeEach(async () => {
    emulator = await startAnthropicEmulator();
    adapter = createAnthropicAdapter({ baseUrl: emulator.baseUrl, apiKey: 'test-key', env: {} });
  });
  afterEach(async () => {
    await emulator.close();
  });

  it('sends the exact body for a system prompt, a multi-turn conversation and tool results', async () => {
    emulator.enqueue({ text: 'Both cities are mild.' });
    const parts = await collect(adapter, {
      system: 'You are a weather assistant.',
      maxTokens: 300,
      temperature: 0.4,
      stop: ['STOP'],
      tools: [{ name: 'get_weather', description: 'Weather for a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: 'Weather in Oslo and Rome?' },
        {
          role: 'assistant',
          content: 'Checking both.',
          toolCalls: [
            { toolCallId: 'toolu_a', toolName: 'get_weather', input: { city: 'Oslo' } },
            { toolCallId: 'toolu_b', toolName: 'get_weather', input: { city: 'Rome' } },
          ],
        },
        { role: 'tool', toolCallId: 'toolu_a', toolName: 'get_weather', content: '3 degrees' },
        { role: 'tool', toolCallId: 'toolu_b', toolName: 'get_weather', content: 'lookup failed', isError: true },
        { role: 'user', content: 'Summarise, please.' },
      ],
    });
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    const recorded = emulator.requests[0]!;
    expect(recorded.method).toBe('POST');
    expect(recorded.path).toBe('/v1/messages');
    expect(recorded.headers['authorization'] ?? recorded.headers['x-api-key']).toContain('test-key');
    expect(recorded.body).toEqual({
      model,
      max_tokens: 300,
      stream: true,
      // Cache breakpoints on the stable prefix: the tools, the system prompt, the earlier turn.
      system: [{ type: 'text', text: 'You are a weather assistant.', cache_control: { type: 'ephemeral' } }],
      temperature: 0.4,
      stop_sequences: ['STOP'],
      tools: [
        {
          name: 'get_weather',
          description: 'Weather for a city',
          input_schema: { type: 'object', properties: { city: { type: 'string' } } },
          cache_control: { type: 'ephemeral' },
        },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo and Rome?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking both.' },
            { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: { city: 'Oslo' } },
            { type: 'tool_use', id: 'toolu_b', name: 'get_weather', input: { city: 'Rome' }, cache_control: { type: 'ephemeral' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_a', content: '3 degrees' },
            { type: 'tool_result', tool_use_id: 'toolu_b', content: 'lookup failed', is_error: true },
            { type: 'text', text: 'Summarise, please.' },
          ],
        },
      ],
    });
  });

  it('defaults max_tokens to 1024 and leaves out what the request does not set', async () => {
    await collect(adapter, {});
    expect(emulator.requests[0]?.body).toEqual({ model, max_tokens: 1024, stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }] });
  });

  it('assembles a tool input streamed in partial-JSON fragments into one tool-call part per block', async () => {
    emulator.enqueue({
      text: 'Let me look.',
      toolCalls: [
        { id: 'toolu_1', name: 'search', input: { query: 'anthropic "messages" api', filters: { year: 2026, tags: ['a', 'b'] } } },
        { id: 'toolu_2', name: 'noop', input: {} },
      ],
    });
    const parts = await collect(adapter, { tools: [{ name: 'search', inputSchema: { type: 'object' } }, { name: 'noop', inputSchema: { type: 'object' } }] });
    expect(parts.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', toolCallId: 'toolu_1', toolName: 'search', input: { query: 'anthropic "messages" api', filters: { year: 2026, tags: ['a', 'b'] } } },
      { type: 'tool-call', toolCallId: 'toolu_2', toolName: 'noop', input: {} },
    ]);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });
  });

  it('streams a paced reply token by token', async () => {
    // How closely the emulators keep ttft and rate is `npm run bench:timing`'s to measure (every
    // wire, with a pass/fail per row), not a test's to time.
    emulator.enqueue({ text: 'one two three four', ttftMs: 150, tokensPerSecond: 40 });
    const parts = await collect(adapter, {});
    expect(parts.filter((part) => part.type === 'text-delta').map((part) => (part.type === 'text-delta' ? part.delta : ''))).toEqual(['one ', 'two ', 'three ', 'four']);
  });

  it('reports 529 overloaded as provider_overloaded with the retry-after hint', async () => {
    emulator.enqueue({ fail: { kind: 'status', status: 529, retryAfterSeconds: 2, message: 'Overloaded' } });
    const parts = await collect(adapter, {});
    expect(parts.at(-1)).toMatchObject({ type: 'error', error: { code: 'provider_overloaded', retryable: true, retryAfterMs: 2000 } });
    expect(parts.at(-1)).toMatchObject({ error: { message: expect.stringContaining('Overloaded') } });
  });

  it('names ANTHROPIC_API_KEY in the 401 hint', async () => {
    emulator.enqueue({ fail: { kind: 'status', status: 401, message: 'invalid x-api-key' } });
    const parts = await collect(adapter, {});
    expect(parts.at(-1)).toMatchObject({ type: 'error', error: { code: 'provider_auth', hint: expect.stringContaining('ANTHROPIC_API_KEY') } });
  });

  it('sends structured output as output_config.format with a closed schema, and falls back to a prompt instruction', async () => {
    emulator.enqueue({ text: '{"score":1}' }, { text: '[1,2]' });
    const schema = { type: 'object', properties: { score: { type: 'integer', minimum: 0 } }, required: ['score'] };
    const first = await collect(adapter, { responseFormat: { type: 'json', schema } });
    expect(JSON.parse(first.map((part) => (part.type === 'text-delta' ? part.delta : '')).join(''))).toEqual({ score: 1 });
    const firstBody = emulator.requests[0]?.body as Record<string, unknown>;
    expect(firstBody['output_config']).toMatchObject({
      format: { type: 'json_schema', schema: { type: 'object', additionalProperties: false, required: ['score'] } },
    });
    expect(firstBody['system']).toBeUndefined();

    await collect(adapter, { system: 'Be exact.', responseFormat: { type: 'json', schema: { type: 'array', items: { type: 'integer' } } } });
    const secondBody = emulator.requests[1]?.body as Record<string, unknown>;
    expect(secondBody['output_config']).toBeUndefined();
    const secondSystem = (secondBody['system'] as Array<{ text: string }>)[0]!.text;
    expect(secondSystem).toMatch(/^Be exact\.\n\nReply with a single JSON value/);
    expect(secondSystem).toContain('"type":"array"');
  });
});

describe('anthropic emulator without streaming', () => {
  it('answers a non-stream request with one JSON message', async () => {
    const emulator = await startAnthropicEmulator();
    try {
      emulator.enqueue({ text: 'Plain answer.', toolCalls: [{ id: 'toolu_j', name: 'f', input: { x: 1 } }], usage: { inputTokens: 4, outputTokens: 6 } });
      const client = new Anthropic({ apiKey: 'test-key', baseURL: emulator.baseUrl, maxRetries: 0, logLevel: 'off', openTelemetry: false });
      const message = await client.messages.create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
      expect(message.content).toEqual([
        { type: 'text', text: 'Plain answer.' },
        { type: 'tool_use', id: 'toolu_j', name: 'f', input: { x: 1 } },
      ]);
      expect(message.stop_reason).toBe('tool_use');
      expect(message.usage).toMatchObject({ input_tokens: 4, output_tokens: 6 });
    } finally {
      await emulator.close();
    }
  });
});

describe('anthropic failure classification', () => {
  const context = { signal: new AbortController().signal, responseStarted: true, keyVariable: 'ANTHROPIC_API_KEY' };

  it('classifies an error event in the middle of a stream by its type', () => {
    const overloaded = new APIError(undefined, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, undefined, new Headers(), 'overloaded_error');
    expect(classifyAnthropicFailure(overloaded, context, model)).toMatchObject({ code: 'provider_overloaded', retryable: true, message: expect.stringContaining('Overloaded') });
    const invalid = new APIError(undefined, { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } }, undefined, new Headers(), 'invalid_request_error');
    expect(classifyAnthropicFailure(invalid, context, model)).toMatchObject({ code: 'provider_bad_request', retryable: false });
  });

  it('tells a broken body from a failed connection, and lets an abort win', () => {
    expect(classifyAnthropicFailure(new TypeError('terminated'), context, model)).toMatchObject({ code: 'provider_stream_cut', retryable: true });
    expect(classifyAnthropicFailure(new TypeError('fetch failed'), { ...context, responseStarted: false }, model)).toMatchObject({ code: 'provider_connection' });
    expect(classifyAnthropicFailure(new SyntaxError('Unexpected end of JSON input'), context, model)).toMatchObject({ code: 'provider_malformed_response', retryable: true });
    const controller = new AbortController();
    controller.abort();
    expect(classifyAnthropicFailure(new TypeError('terminated'), { ...context, signal: controller.signal }, model)).toMatchObject({ code: 'aborted', retryable: false });
  });
});

describe('anthropic stream mapping', () => {
  it('ignores ping events and maps thinking to reasoning', async () => {
    const parts = await mapEvents([
      messageStart,
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'ping' },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'ping' },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } },
      { type: 'message_stop' },
    ]);
    expect(parts).toEqual([
      { type: 'reasoning-delta', delta: 'Hmm.' },
      { type: 'text-delta', delta: 'Hi' },
      { type: 'usage', usage: { inputTokens: 25, outputTokens: 7 } },
      { type: 'finish', finishReason: 'stop' },
    ]);
  });

  it('assembles partial JSON split inside strings and escapes', async () => {
    const input = { path: 'C:\\temp\\a "b".txt', lines: [1, 2] };
    const json = JSON.stringify(input);
    const fragments = ['', json.slice(0, 5), json.slice(5, 13), json.slice(13, 14), json.slice(14)];
    const parts = await mapEvents([
      messageStart,
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_9', name: 'read_file', input: {} } },
      ...fragments.map((fragment) => ({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: fragment } })),
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 12 } },
      { type: 'message_stop' },
    ]);
    expect(parts).toEqual([
      { type: 'tool-call', toolCallId: 'toolu_9', toolName: 'read_file', input },
      { type: 'usage', usage: { inputTokens: 25, outputTokens: 12 } },
      { type: 'finish', finishReason: 'tool-calls' },
    ]);
  });

  it('counts cache reads and writes as input, with cache reads as cached input and writes as cache-write input', async () => {
    const parts = await mapEvents([
      { type: 'message_start', message: { usage: { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 900, cache_creation_input_tokens: 90 } } },
      { type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 50 } },
      { type: 'message_stop' },
    ]);
    expect(parts).toEqual([
      { type: 'usage', usage: { inputTokens: 1000, outputTokens: 50, cachedInputTokens: 900, cacheWriteInputTokens: 90 } },
      { type: 'finish', finishReason: 'length' },
    ]);
  });

  it('ends with one malformed error for a broken tool input or a misshapen event, and a cut without message_stop', async () => {
    const brokenTool = await mapEvents([
      messageStart,
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_x', name: 'f', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a":' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_stop' },
    ]);
    expect(brokenTool).toHaveLength(1);
    expect(brokenTool[0]).toMatchObject({ type: 'error', error: { code: 'provider_malformed_response', retryable: true } });

    const misshapen = await mapEvents([messageStart, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 42 } }]);
    expect(misshapen).toEqual([expect.objectContaining({ type: 'error', error: expect.objectContaining({ code: 'provider_malformed_response' }) })]);

    const cut = await mapEvents([messageStart, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }]);
    expect(cut).toEqual([expect.objectContaining({ type: 'error', error: expect.objectContaining({ code: 'provider_stream_cut', retryable: true }) })]);
  });

  it('maps every stop reason', () => {
    expect(['end_turn', 'stop_sequence', 'max_tokens', 'tool_use', 'refusal', 'pause_turn', null].map(mapAnthropicFinishReason)).toEqual([
      'stop',
      'stop',
      'length',
      'tool-calls',
      'content-filter',
      'other',
      'other',
    ]);
  });
});

describe('anthropic provider module', () => {
  it('is named anthropic, keyed by ANTHROPIC_API_KEY, with priced default models', () => {
    expect(anthropicProvider).toMatchObject({ specificationVersion: 'v1', name: 'anthropic', simulated: false, keyVariable: 'ANTHROPIC_API_KEY' });
    expect(anthropicProvider.defaultModels.length).toBeGreaterThanOrEqual(3);
    for (const reference of anthropicProvider.defaultModels) {
      expect(reference.startsWith('anthropic/')).toBe(true);
      expect(anthropicPrice(reference.slice('anthropic/'.length)), reference).toBeDefined();
    }
    expect(anthropicProvider.validateModel('claude-sonnet-4-6')).toBeUndefined();
    expect(anthropicProvider.validateModel('claude sonnet')).toMatch(/no spaces/);
    expect(anthropicProvider.validateModel('')).toMatch(/empty/);
  });

  it('prices a default model and its dated snapshot, and the dispatcher formula gives the cost', () => {
    const price = anthropicPrice('claude-haiku-4-5-20251001');
    // From the model catalogue, which also carries the five-minute cache-write price.
    expect(price).toEqual({ inputPerMillion: 1, outputPerMillion: 5, cachedInputPerMillion: 0.1, cacheWriteInputPerMillion: 1.25, asOf: anthropicPricesAsOf });
    expect(anthropicPrice('claude-sonnet-4-6')).toMatchObject({ inputPerMillion: 3, outputPerMillion: 15 });
    expect(anthropicPrice('claude-unknown-1')).toBeUndefined();
    // 1,000 input tokens of which 400 cached, 200 output tokens on Haiku 4.5:
    const usd = ((1000 - 400) * price!.inputPerMillion + 400 * price!.cachedInputPerMillion! + 200 * price!.outputPerMillion) / 1_000_000;
    expect(usd).toBeCloseTo(0.00164, 10);
    expect(createAnthropicAdapter({ apiKey: 'k', env: {} }).price?.('claude-opus-4-6')).toMatchObject({ inputPerMillion: 5, outputPerMillion: 25 });
  });

  it('yields missing_credentials naming ANTHROPIC_API_KEY when no key is set, without calling anyone', async () => {
    const parts = await collect(createAnthropicAdapter({ env: {} }), {});
    expect(parts).toHaveLength(2);
    expect(parts[0]).toEqual({ type: 'stream-start', model });
    expect(parts[1]).toMatchObject({ type: 'error', error: { code: 'missing_credentials', category: 'user', message: expect.stringContaining('ANTHROPIC_API_KEY') } });
  });

  it('reads the key and base URL from settings.env', async () => {
    const emulator = await startAnthropicEmulator();
    try {
      const parts = await collect(createAnthropicAdapter({ env: { ANTHROPIC_API_KEY: 'env-key', ANTHROPIC_BASE_URL: emulator.baseUrl } }), {});
      expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
      expect(JSON.stringify(emulator.requests[0]?.headers)).toContain('env-key');
    } finally {
      await emulator.close();
    }
  });

  it('yields aborted at once for a signal that is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const parts: StreamPart[] = [];
    const adapter = createAnthropicAdapter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', env: {} });
    for await (const part of adapter.generate({ model, messages: [] }, { signal: controller.signal, attempt: 1 })) parts.push(part);
    expect(parts.at(-1)).toMatchObject({ type: 'error', error: { code: 'aborted', retryable: false } });
  });

  it('maps the request body without the network', () => {
    expect(mapAnthropicRequest({ model, messages: [{ role: 'user', content: '' }, { role: 'user', content: 'x' }] }).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'x' }] },
    ]);
  });
});
